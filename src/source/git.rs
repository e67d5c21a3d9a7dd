//! Git sources through git2: every unique blob of a history, the blobs a
//! commit range adds (with the added lines), and the staged index.
//!
//! The history is walked oldest first and every tree is read once, so each
//! blob is scanned once and attributed to the first commit (and path) that
//! holds it. Commit metadata is looked up only for blobs with findings
//! ([`GitRepo::describe`]). Every failure to resolve a revision or read an
//! object is an error, never a silent "no leaks": a scan that could not
//! see what it was asked to see cannot be trusted.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use git2::{Delta, DiffOptions, ErrorCode, ObjectType, Oid, Repository, Sort, Tree};
use rayon::prelude::*;
use thiserror::Error;

use super::novelty::{Lineage, MarkLines};
use super::{Blob, Changes, Notice, NoticeKind, Origin, Sink, binary_notice, scannable};
use crate::finding::Commit;

/// What to tell a user whose revision is missing from a shallow clone.
const SHALLOW_HINT: &str = "if this is a shallow clone (CI checkouts default to depth 1), fetch the \
     missing history: `fetch-depth: 0` in actions/checkout, or `git fetch --unshallow`";

/// A git source could not be used.
#[derive(Debug, Error)]
pub enum GitError {
    /// The path is not a repository.
    #[error("{path}: not a git repository: {message}")]
    Open {
        /// The path given.
        path: String,
        /// libgit2's message.
        message: String,
    },
    /// A revision does not resolve.
    #[error("cannot resolve revision `{rev}`: {message}; {hint}")]
    Revision {
        /// The revision as given.
        rev: String,
        /// libgit2's message.
        message: String,
        /// What to do about it.
        hint: &'static str,
    },
    /// A range is not of the form `A..B`.
    #[error("`{0}` is not a range: expected BASE..HEAD (e.g. origin/main..HEAD)")]
    BadRange(String),
    /// An object or the index could not be read.
    #[error("cannot read {what}: {message}")]
    Read {
        /// What was being read.
        what: String,
        /// libgit2's message.
        message: String,
    },
}

fn read_err(what: impl Into<String>) -> impl FnOnce(git2::Error) -> GitError {
    let what = what.into();
    move |e| GitError::Read {
        what,
        message: e.message().to_string(),
    }
}

/// One blob to scan.
#[derive(Debug, Clone)]
pub struct GitBlob {
    /// Object id.
    pub oid: Oid,
    /// Path in the commit (or index) that holds it.
    pub path: String,
    /// The commit that introduced it; `None` for the staged index.
    pub commit: Option<Oid>,
    /// For ranges and the index: the added lines (1-based, sorted); only
    /// findings on these lines are reported.
    pub added_lines: Option<Vec<usize>>,
}

/// What a git scan will read.
#[derive(Debug, Default)]
pub struct Plan {
    /// The blobs, each once.
    pub blobs: Vec<GitBlob>,
    /// For a history: indexes into `blobs` grouped by path, oldest first
    /// (the versions of one file); empty for ranges and the index.
    pub lineages: Vec<Vec<usize>>,
    /// Commits walked.
    pub commits: usize,
    /// Remarks for the summary (truncated history, empty range).
    pub remarks: Vec<String>,
}

/// Sets libgit2's process-wide options for scanning: call it once, before
/// any repository is opened and before any other thread is started.
///
/// - No hash re-verification on read: re-hashing every inflated object
///   (libgit2's default) cost a third of a history scan; the scan reads
///   objects, it does not vouch for the repository's integrity
///   (`git fsck` does).
/// - No object cache: the history walk reads each tree once, so the cache
///   (up to 256 MiB of trees) only held memory.
/// - Pack files mapped in 16 MiB windows, at most 48 MiB at a time: by
///   default libgit2 maps a whole pack and keeps every page it touched,
///   which on a long history is the largest part of peak memory.
pub fn tune_libgit2() {
    git2::opts::strict_hash_verification(false);
    git2::opts::enable_caching(false);
    // SAFETY: these setters write libgit2 globals without synchronisation;
    // the caller runs this before any thread exists and before any
    // repository is opened. A failure keeps libgit2's default, which is
    // only slower or larger, never wrong.
    #[allow(unsafe_code)]
    unsafe {
        let _ = git2::opts::set_mwindow_size(16 << 20);
        let _ = git2::opts::set_mwindow_mapped_limit(48 << 20);
    }
}

/// An open repository.
pub struct GitRepo {
    path: PathBuf,
    repo: Repository,
}

impl GitRepo {
    /// Opens the repository at `path` (a work tree, a `.git` directory, a
    /// bare repository or a linked worktree).
    pub fn open(path: &Path) -> Result<GitRepo, GitError> {
        let repo = Repository::open(path).map_err(|e| GitError::Open {
            path: path.display().to_string(),
            message: e.message().to_string(),
        })?;
        Ok(GitRepo {
            path: repo.path().to_path_buf(),
            repo,
        })
    }

    fn resolve(&self, rev: &str) -> Result<Oid, GitError> {
        self.repo
            .revparse_single(rev)
            .and_then(|o| o.peel_to_commit())
            .map(|c| c.id())
            .map_err(|e| GitError::Revision {
                rev: rev.to_string(),
                message: e.message().to_string(),
                hint: SHALLOW_HINT,
            })
    }

    fn shallow_remark(&self, plan: &mut Plan) {
        if self.repo.is_shallow() {
            plan.remarks.push(
                "history truncated: shallow clone, only the commits present were scanned"
                    .to_string(),
            );
        }
    }

    /// Every unique blob reachable from all refs, or from `branch` only.
    pub fn history(&self, branch: Option<&str>) -> Result<Plan, GitError> {
        let mut plan = Plan::default();
        self.shallow_remark(&mut plan);
        let mut walk = self.repo.revwalk().map_err(read_err("the history"))?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)
            .map_err(read_err("the history"))?;
        match branch {
            Some(rev) => walk.push(self.resolve(rev)?).map_err(read_err(rev))?,
            None => {
                walk.push_glob("*").map_err(read_err("the references"))?;
                if let Ok(head) = self.repo.head()
                    && let Some(oid) = head.target()
                {
                    walk.push(oid).map_err(read_err("HEAD"))?;
                }
            }
        }
        let mut seen_trees = HashSet::new();
        let mut seen_blobs = HashSet::new();
        for oid in walk {
            let oid = oid.map_err(read_err("the history"))?;
            let commit = self
                .repo
                .find_commit(oid)
                .map_err(read_err(format!("commit {oid}")))?;
            let tree = commit
                .tree()
                .map_err(read_err(format!("the tree of commit {oid}")))?;
            plan.commits += 1;
            if seen_trees.insert(tree.id()) {
                self.collect_tree(
                    &tree,
                    "",
                    oid,
                    &mut seen_trees,
                    &mut seen_blobs,
                    &mut plan.blobs,
                )?;
            }
        }
        if plan.commits == 0 {
            plan.remarks
                .push("the repository has no commits: nothing scanned".to_string());
        }
        let mut by_path: HashMap<&str, usize> = HashMap::new();
        for (i, blob) in plan.blobs.iter().enumerate() {
            let next = plan.lineages.len();
            let lineage = *by_path.entry(blob.path.as_str()).or_insert(next);
            if lineage == next {
                plan.lineages.push(Vec::new());
            }
            plan.lineages[lineage].push(i);
        }
        Ok(plan)
    }

    fn collect_tree(
        &self,
        tree: &Tree<'_>,
        prefix: &str,
        commit: Oid,
        seen_trees: &mut HashSet<Oid>,
        seen_blobs: &mut HashSet<Oid>,
        out: &mut Vec<GitBlob>,
    ) -> Result<(), GitError> {
        let path_of = |entry: &git2::TreeEntry<'_>| {
            format!("{prefix}{}", String::from_utf8_lossy(entry.name_bytes()))
        };
        for entry in tree.iter() {
            match entry.kind() {
                Some(ObjectType::Tree) if seen_trees.insert(entry.id()) => {
                    let path = path_of(&entry);
                    let sub = self
                        .repo
                        .find_tree(entry.id())
                        .map_err(read_err(format!("tree {} ({path})", entry.id())))?;
                    self.collect_tree(
                        &sub,
                        &format!("{path}/"),
                        commit,
                        seen_trees,
                        seen_blobs,
                        out,
                    )?;
                }
                Some(ObjectType::Blob) if seen_blobs.insert(entry.id()) => {
                    out.push(GitBlob {
                        oid: entry.id(),
                        path: path_of(&entry),
                        commit: Some(commit),
                        added_lines: None,
                    });
                }
                // Trees and blobs seen before; submodule commits (gitlinks)
                // belong to another repository.
                _ => {}
            }
        }
        Ok(())
    }

    /// The blobs that the commits of `range` (`BASE..HEAD`) add, with the
    /// added lines. Merge commits are skipped, as `git log -p` does.
    pub fn range(&self, range: &str) -> Result<Plan, GitError> {
        let Some((base, head)) = range.split_once("..") else {
            return Err(GitError::BadRange(range.to_string()));
        };
        if base.is_empty() || head.is_empty() || head.starts_with('.') {
            return Err(GitError::BadRange(range.to_string()));
        }
        let base_id = self.resolve(base)?;
        let head_id = self.resolve(head)?;
        let mut plan = Plan::default();
        self.shallow_remark(&mut plan);
        if self.repo.is_shallow() && self.repo.merge_base(base_id, head_id).is_err() {
            return Err(GitError::Revision {
                rev: range.to_string(),
                message: format!("{base} is not an ancestor reachable from {head} in this clone"),
                hint: SHALLOW_HINT,
            });
        }
        let mut walk = self.repo.revwalk().map_err(read_err("the history"))?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)
            .map_err(read_err("the history"))?;
        walk.push(head_id).map_err(read_err(head))?;
        walk.hide(base_id).map_err(read_err(base))?;
        let mut blobs: HashMap<Oid, usize> = HashMap::new();
        for oid in walk {
            let oid = oid.map_err(read_err("the history"))?;
            plan.commits += 1;
            let commit = self
                .repo
                .find_commit(oid)
                .map_err(read_err(format!("commit {oid}")))?;
            if commit.parent_count() > 1 {
                continue;
            }
            let tree = commit
                .tree()
                .map_err(read_err(format!("the tree of commit {oid}")))?;
            let parent_tree = match commit.parent(0) {
                Ok(p) => Some(
                    p.tree()
                        .map_err(read_err(format!("the tree of commit {}", p.id())))?,
                ),
                Err(e) if e.code() == ErrorCode::NotFound => None,
                Err(e) => return Err(read_err(format!("the parent of commit {oid}"))(e)),
            };
            let diff = self
                .repo
                .diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), Some(&mut diff_options()))
                .map_err(read_err(format!("the changes of commit {oid}")))?;
            added_blobs(&diff, Some(oid), &mut blobs, &mut plan.blobs)?;
        }
        if plan.commits == 0 {
            plan.remarks
                .push(format!("the range {range} is empty: nothing scanned"));
        }
        Ok(plan)
    }

    /// The staged changes: the index against HEAD (the whole index in a
    /// repository without commits). Like git, it reads the index named by
    /// `GIT_INDEX_FILE` when set: `git commit -a` and `git commit PATH` run
    /// the pre-commit hook on a temporary index.
    pub fn staged(&self) -> Result<Plan, GitError> {
        let index = match std::env::var_os("GIT_INDEX_FILE") {
            Some(file) => git2::Index::open(Path::new(&file)),
            None => self.repo.index(),
        }
        .map_err(read_err("the index"))?;
        let head_tree = match self.repo.head() {
            Ok(head) => Some(head.peel_to_tree().map_err(read_err("the tree of HEAD"))?),
            Err(e) if matches!(e.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => None,
            Err(e) => return Err(read_err("HEAD")(e)),
        };
        let diff = self
            .repo
            .diff_tree_to_index(head_tree.as_ref(), Some(&index), Some(&mut diff_options()))
            .map_err(read_err("the staged changes"))?;
        let mut plan = Plan::default();
        added_blobs(&diff, None, &mut HashMap::new(), &mut plan.blobs)?;
        if plan.blobs.is_empty() {
            plan.remarks
                .push("no staged changes: nothing scanned".to_string());
        }
        Ok(plan)
    }

    /// Author, date and summary of a commit given by its hex id.
    pub fn describe(&self, id: &str) -> Result<Commit, GitError> {
        let oid = Oid::from_str(id).map_err(read_err(format!("commit {id}")))?;
        let commit = self
            .repo
            .find_commit(oid)
            .map_err(read_err(format!("commit {id}")))?;
        let author = commit.author();
        Ok(Commit {
            commit: id.to_string(),
            author: format!(
                "{} <{}>",
                String::from_utf8_lossy(author.name_bytes()),
                String::from_utf8_lossy(author.email_bytes())
            ),
            date: crate::date::rfc3339(author.when().seconds(), author.when().offset_minutes()),
            message: String::from_utf8_lossy(commit.summary_bytes().unwrap_or_default())
                .into_owned(),
            time: commit.time().seconds(),
        })
    }

    /// The work tree, if the repository has one.
    pub fn work_dir(&self) -> Option<PathBuf> {
        self.repo.workdir().map(Path::to_path_buf)
    }

    /// The repository's git directory, for [`read`].
    pub fn git_dir(&self) -> &Path {
        &self.path
    }
}

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
/// blob that cannot be read becomes an error notice.
///
/// With `changed_only`, the versions of each file in a history are read in
/// order by one worker, and each version is marked with the lines it
/// changed (see [`Lineage`]) so that only those are scanned; the marker
/// records what the changed lines hold (see [`Changes::marks`]).
pub fn read<S, F>(
    git_dir: &Path,
    plan: &Plan,
    max_size: u64,
    changed_only: Option<MarkLines<'_>>,
    make_sink: F,
) where
    S: Sink,
    F: Fn() -> S + Sync,
{
    let pool = RepoPool {
        git_dir,
        idle: Mutex::new(Vec::new()),
    };
    let init = || (pool.take(), make_sink());
    if let Some(mark) = changed_only.filter(|_| !plan.lineages.is_empty()) {
        // Longest histories first, so no worker is left with one at the end.
        let mut order: Vec<&Vec<usize>> = plan.lineages.iter().collect();
        order.sort_by_key(|l| std::cmp::Reverse(l.len()));
        order
            .par_iter()
            .with_max_len(1)
            .for_each_init(init, |(repo, sink), lineage| {
                let mut seen = Lineage::new(mark);
                for &i in lineage.iter() {
                    read_one(repo, &plan.blobs[i], max_size, Some(&mut seen), sink);
                }
            });
    } else {
        plan.blobs
            .par_iter()
            .for_each_init(init, |(repo, sink), item| {
                read_one(repo, item, max_size, None, sink);
            });
    }
}

fn read_one(
    repo: &PooledRepo<'_, '_>,
    item: &GitBlob,
    max_size: u64,
    lineage: Option<&mut Lineage>,
    sink: &mut dyn Sink,
) {
    match &repo.repo {
        Some(Ok(repo)) => read_blob(repo, item, max_size, lineage, sink),
        Some(Err(e)) => sink.notice(Notice::new(
            NoticeKind::Unreadable,
            item.path.clone(),
            format!("cannot open the repository: {}", e.message()),
        )),
        None => {}
    }
}

fn diff_options() -> DiffOptions {
    let mut opts = DiffOptions::new();
    opts.context_lines(0).ignore_submodules(true);
    opts
}

/// Collects the new side of every added or modified file of `diff`, with
/// its added lines; `seen` keeps each blob once across commits.
fn added_blobs(
    diff: &git2::Diff<'_>,
    commit: Option<Oid>,
    seen: &mut HashMap<Oid, usize>,
    out: &mut Vec<GitBlob>,
) -> Result<(), GitError> {
    let mut lines: HashMap<Oid, Vec<usize>> = HashMap::new();
    diff.foreach(
        &mut |_, _| true,
        None,
        None,
        Some(&mut |delta, _hunk, line| {
            if line.origin() == '+'
                && let Some(n) = line.new_lineno()
            {
                lines
                    .entry(delta.new_file().id())
                    .or_default()
                    .push(n as usize);
            }
            true
        }),
    )
    .map_err(read_err("a diff"))?;
    for delta in diff.deltas() {
        if !matches!(
            delta.status(),
            Delta::Added | Delta::Modified | Delta::Renamed | Delta::Copied
        ) {
            continue;
        }
        let file = delta.new_file();
        if file.mode() == git2::FileMode::Commit {
            continue;
        }
        let Some(added) = lines.remove(&file.id()) else {
            continue;
        };
        let path = file
            .path_bytes()
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .unwrap_or_default();
        match seen.get(&file.id()) {
            Some(&i) => {
                if let Some(existing) = out[i].added_lines.as_mut() {
                    existing.extend(added);
                    existing.sort_unstable();
                    existing.dedup();
                }
            }
            None => {
                seen.insert(file.id(), out.len());
                out.push(GitBlob {
                    oid: file.id(),
                    path,
                    commit,
                    added_lines: Some(added),
                });
            }
        }
    }
    Ok(())
}

fn read_blob(
    repo: &Repository,
    item: &GitBlob,
    max_size: u64,
    lineage: Option<&mut Lineage>,
    sink: &mut dyn Sink,
) {
    let unreadable = |e: git2::Error| {
        Notice::new(
            NoticeKind::Unreadable,
            item.path.clone(),
            format!("cannot read blob {}: {}", item.oid, e.message()),
        )
    };
    let size = match repo.odb().and_then(|odb| odb.read_header(item.oid)) {
        Ok((size, _)) => size as u64,
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
    let Some(data) = scannable(blob.content()) else {
        return sink.skipped(binary_notice(item.path.clone()));
    };
    let origin = match item.commit {
        Some(commit) => Origin::Git {
            path: item.path.clone(),
            commit: Commit {
                commit: commit.to_string(),
                author: String::new(),
                date: String::new(),
                message: String::new(),
                time: 0,
            },
        },
        None => Origin::File {
            display: item.path.clone(),
            relative: item.path.clone(),
        },
    };
    let changed = lineage.map(|l| (l.changed(&data), l));
    sink.blob(Blob {
        data: &data,
        origin,
        only_lines: item.added_lines.as_deref(),
        changed: changed.as_ref().map(|(lines, lineage)| Changes {
            lines,
            marks: lineage.marks(),
        }),
    });
}
