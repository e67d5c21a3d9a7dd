//! Reading a plan's blobs in parallel: one repository handle per worker,
//! oversized and binary blobs turned into notices, and in a history each
//! file's versions read in order by one worker.

use std::path::Path;
use std::sync::Mutex;

use git2::{ObjectType, Oid, Repository};
use rayon::prelude::*;

use super::{GitBlob, Plan};
use crate::finding::Commit;
use crate::source::archive::{self, ArchiveOptions, Input};
use crate::source::walk::{Capped, read_capped, too_large};
use crate::source::{
    Blob, History, Notice, NoticeKind, Origin, Sink, binary_notice, is_binary, scannable,
};

/// Open repository handles, one per worker, reused across rayon jobs
/// (libgit2 handles are not shared between threads; opening one per
/// rayon job cost memory and time).
struct RepoPool<'a> {
    git_dir: &'a Path,
    idle: Mutex<Vec<Repository>>,
}

/// A handle taken from a [`RepoPool`], returned to it on drop.
struct PooledRepo<'p, 'a> {
    pool: &'p RepoPool<'a>,
    repo: Option<Result<Repository, git2::Error>>,
}

impl<'a> RepoPool<'a> {
    fn take(&self) -> PooledRepo<'_, 'a> {
        let idle = match self.idle.lock() {
            Ok(mut idle) => idle.pop(),
            Err(poisoned) => poisoned.into_inner().pop(),
        };
        PooledRepo {
            pool: self,
            repo: Some(idle.map_or_else(|| Repository::open(self.git_dir), Ok)),
        }
    }
}

impl Drop for PooledRepo<'_, '_> {
    fn drop(&mut self) {
        if let Some(Ok(repo)) = self.repo.take() {
            match self.pool.idle.lock() {
                Ok(mut idle) => idle.push(repo),
                Err(poisoned) => poisoned.into_inner().push(repo),
            }
        }
    }
}

/// Reads every blob of `plan` from the repository at `git_dir` in parallel
/// and hands it to a sink. Oversized and binary blobs become notices; a
/// blob that cannot be read becomes an error notice; an archive is
/// expanded (see [`archive`]), its entries handed on at `path!entry`.
/// Blobs over `archives.max_entry_size` (`--max-file-size`) are skipped.
///
/// In a history, the versions of each file are read in order by one
/// worker, each with its [`History`] (lineage, ancestry position, and the
/// other paths that hold it), so a sink can reuse the work of earlier
/// versions and report the blob at every path.
pub fn read<S, F>(git_dir: &Path, plan: &Plan, archives: ArchiveOptions, make_sink: F)
where
    S: Sink,
    F: Fn() -> S + Sync,
{
    let pool = RepoPool {
        git_dir,
        idle: Mutex::new(Vec::new()),
    };
    let init = || (pool.take(), make_sink());
    if !plan.lineages.is_empty() {
        return read_history(plan, archives, init);
    }
    if let Some(work_tree) = &plan.work_tree {
        plan.blobs.par_iter().for_each_init(
            || (Vec::new(), make_sink()),
            |(buf, sink), item| read_file(work_tree, item, archives, buf, sink),
        );
    } else {
        plan.blobs
            .par_iter()
            .for_each_init(init, |(repo, sink), item| {
                read_one(repo, item, archives, None, sink);
            });
    }
}

/// Reads the lineages of a history, longest first (so no worker is left
/// with a long one at the end), each by one worker, oldest version first.
fn read_history<'a, 'p: 'a, S: Sink>(
    plan: &Plan,
    archives: ArchiveOptions,
    init: impl Fn() -> (PooledRepo<'a, 'p>, S) + Sync + Send,
) {
    let mut order: Vec<(usize, &Vec<usize>)> = plan.lineages.iter().enumerate().collect();
    order.sort_by_key(|(_, l)| std::cmp::Reverse(l.len()));
    let position = |commit: Option<Oid>| {
        commit
            .and_then(|c| plan.order.get(&c).copied())
            .unwrap_or(u64::MAX)
    };
    order
        .par_iter()
        .with_max_len(1)
        .for_each_init(init, |(repo, sink), &(lineage, blobs)| {
            for &i in blobs {
                let item = &plan.blobs[i];
                let also: Vec<(Origin, u64)> = plan
                    .also
                    .get(&i)
                    .map(|paths| {
                        paths
                            .iter()
                            .map(|(path, commit)| (origin(path, *commit), position(*commit)))
                            .collect()
                    })
                    .unwrap_or_default();
                let history = History {
                    lineage,
                    order: position(item.commit),
                    also: &also,
                };
                read_one(repo, item, archives, Some(history), sink);
            }
        });
}

/// Reads the work-tree file of `item` (for `--unstaged`).
fn read_file(
    work_tree: &Path,
    item: &GitBlob,
    archives: ArchiveOptions,
    buf: &mut Vec<u8>,
    sink: &mut dyn Sink,
) {
    let max_size = archives.max_entry_size;
    match read_capped(&work_tree.join(&item.path), max_size, buf) {
        Ok(Capped::Read) => hand_on(item, buf, None, archives, sink),
        Ok(Capped::TooLarge(size)) => sink.skipped(too_large(item.path.clone(), size, max_size)),
        Err(e) => sink.notice(Notice::new(
            NoticeKind::Unreadable,
            item.path.clone(),
            e.to_string(),
        )),
    }
}

fn read_one(
    repo: &PooledRepo<'_, '_>,
    item: &GitBlob,
    archives: ArchiveOptions,
    history: Option<History<'_>>,
    sink: &mut dyn Sink,
) {
    match &repo.repo {
        Some(Ok(repo)) => read_blob(repo, item, archives, history, sink),
        Some(Err(e)) => sink.notice(Notice::new(
            NoticeKind::Unreadable,
            item.path.clone(),
            format!("cannot open the repository: {}", e.message()),
        )),
        None => {}
    }
}

fn read_blob(
    repo: &Repository,
    item: &GitBlob,
    archives: ArchiveOptions,
    history: Option<History<'_>>,
    sink: &mut dyn Sink,
) {
    let max_size = archives.max_entry_size;
    let unreadable = |e: git2::Error| {
        Notice::new(
            NoticeKind::Unreadable,
            item.path.clone(),
            format!("cannot read blob {}: {}", item.oid, e.message()),
        )
    };
    let size = match header(repo, item.oid) {
        Ok((size, Some(ObjectType::Blob))) => size,
        Ok((_, kind)) => {
            return sink.notice(Notice::new(
                NoticeKind::Unreadable,
                item.path.clone(),
                format!(
                    "cannot read blob {}: the object database holds {} under its id: the repository is corrupt",
                    item.oid,
                    kind.map_or("an object of no known type".to_string(), |k| format!("a {k}"))
                ),
            ));
        }
        Err(e) => return sink.notice(unreadable(e)),
    };
    if size > max_size {
        return sink.skipped(Notice::new(
            NoticeKind::TooLarge,
            item.path.clone(),
            format!("blob {} is {size} bytes, over the --max-file-size limit of {max_size} bytes; not scanned", item.oid),
        ));
    }
    let blob = match repo.find_blob(item.oid) {
        Ok(b) => b,
        Err(e) => return sink.notice(unreadable(e)),
    };
    hand_on(item, blob.content(), history, archives, sink);
}

/// Hands the content of `item` to the sink: an archive is expanded;
/// binary content that is not a key becomes a notice; binary keys are
/// scanned whole, in their text form. The entries of an archive have no
/// added lines: a change to an archive is reported whole.
fn hand_on(
    item: &GitBlob,
    content: &[u8],
    history: Option<History<'_>>,
    archives: ArchiveOptions,
    sink: &mut dyn Sink,
) {
    if archives.max_depth > 0
        && let Some(kind) = archive::detect_whole(content)
    {
        let origin = origin(&item.path, item.commit);
        return archive::expand(
            Input::Bytes(content),
            kind,
            &origin,
            history,
            archives,
            sink,
        );
    }
    let Some(data) = scannable(content) else {
        return sink.skipped(binary_notice(item.path.clone()));
    };
    sink.blob(Blob {
        data: &data,
        origin: origin(&item.path, item.commit),
        only_lines: item.added_lines.as_deref().filter(|_| !is_binary(content)),
        history,
    });
}

/// Where a blob at `path` comes from: its commit, or the staged index (or
/// a tag naming a tree or blob) when there is none.
fn origin(path: &str, commit: Option<Oid>) -> Origin {
    match commit {
        Some(commit) => Origin::Git {
            path: path.to_string(),
            commit: Commit {
                commit: commit.to_string(),
                author: String::new(),
                date: String::new(),
                message: String::new(),
                time: 0,
            },
        },
        None => Origin::File {
            display: path.to_string(),
            relative: path.to_string(),
        },
    }
}

/// The size and type of an object, from its header alone. git2's
/// `Odb::read_header` panics when the stored type is none it knows (a
/// damaged loose object or pack entry), so this calls libgit2 directly.
#[allow(unsafe_code)]
fn header(repo: &Repository, oid: Oid) -> Result<(u64, Option<ObjectType>), git2::Error> {
    use git2::Binding;
    let odb = repo.odb()?;
    let mut size: usize = 0;
    let mut kind = libgit2_sys::GIT_OBJECT_ANY;
    // SAFETY: `odb` and `oid` are live git2 values for the whole call, and
    // the out-pointers point to locals of the types libgit2 writes.
    let code =
        unsafe { libgit2_sys::git_odb_read_header(&mut size, &mut kind, odb.raw(), oid.raw()) };
    if code < 0 {
        return Err(git2::Error::last_error(code));
    }
    Ok((size as u64, ObjectType::from_raw(kind)))
}
