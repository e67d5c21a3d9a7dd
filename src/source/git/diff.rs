//! The plans of a commit range, of the staged index and of the unstaged
//! work tree: the files they add or change, each with its added lines.
//!
//! libgit2 lists which files changed (object ids only); the added lines are
//! computed here from the two versions with git's line diff, given no path
//! and forced to text, so that no `.gitattributes` line (`-diff`, `binary`,
//! a diff driver) can make a file "binary" and hide it. A merge commit adds
//! the lines of a file that are new against every parent, as in git's
//! combined diff: its conflict resolutions and extra files are scanned,
//! while what one side merely brings from the other is not.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use git2::{
    Blob, Delta, Diff, DiffOptions, ErrorCode, FileMode, ObjectType, Oid, Patch, Sort, Tree,
};

use super::{GitBlob, GitError, GitRepo, Plan, SHALLOW_HINT, read_err};
use crate::source::is_binary;
use crate::source::walk::{Capped, read_capped};

/// A file that a change adds or modifies.
struct Changed {
    /// Its path, as git stores it.
    path: Vec<u8>,
    /// The blob before (`None` when the file is new).
    old: Option<Oid>,
    /// The blob after.
    new: Oid,
}

/// Where each (blob, path) already planned stands in the plan.
type Seen = HashMap<(Oid, Vec<u8>), usize>;

impl GitRepo {
    /// The blobs that the commits of `range` (`BASE..HEAD`) add, with the
    /// added lines: every commit reachable from HEAD and not from BASE,
    /// merges included (see the module comment).
    pub fn range(&self, range: &str, max_size: u64) -> Result<Plan, GitError> {
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
        let mut seen: Seen = HashMap::new();
        for oid in walk {
            let oid = oid.map_err(read_err("the history"))?;
            plan.commits += 1;
            let (commit, tree) = self.commit_and_tree(oid)?;
            // A parent missing from the object database counts as empty:
            // everything is new against it (more reported, nothing missed).
            let mut parents: Vec<Option<Tree<'_>>> = Vec::new();
            for i in 0..commit.parent_count() {
                parents.push(match commit.parent(i) {
                    Ok(p) => Some(
                        p.tree()
                            .map_err(read_err(format_args!("the tree of commit {}", p.id())))?,
                    ),
                    Err(e) if e.code() == ErrorCode::NotFound => None,
                    Err(e) => return Err(read_err(format_args!("the parents of commit {oid}"))(e)),
                });
            }
            if parents.is_empty() {
                parents.push(None);
            }
            // The changes against the first parent, each looked up by path
            // in the other parents: a full diff against another parent would
            // list everything that side brought in, to keep only the few
            // files changed on both.
            let (first, others) = parents.split_at(1);
            let diff = self
                .repo
                .diff_tree_to_tree(first[0].as_ref(), Some(&tree), Some(&mut diff_options()))
                .map_err(read_err(format_args!("the changes of commit {oid}")))?;
            self.add_changes(&diff, others, Some(oid), max_size, &mut seen, &mut plan)?;
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
    /// the pre-commit hook on a temporary index. An index that names a
    /// missing file, or a bare repository, is an error: "nothing staged"
    /// would let a commit through unscanned.
    pub fn staged(&self, max_size: u64) -> Result<Plan, GitError> {
        if self.repo.is_bare() {
            return Err(GitError::Bare {
                option: "--staged",
                path: self.path.display().to_string(),
                changes: "staged changes",
            });
        }
        let index = self.index()?;
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
        self.add_changes(&diff, &[], None, max_size, &mut HashMap::new(), &mut plan)?;
        if plan.blobs.is_empty() {
            plan.remarks
                .push("no staged changes: nothing scanned".to_string());
        }
        Ok(plan)
    }

    /// The unstaged changes: the work tree against the index (what
    /// `git diff` shows), plus the untracked files that `.gitignore` does
    /// not exclude (what `git status` lists as untracked, and `git add -A`
    /// would stage), read whole. Symbolic links are not followed, as in
    /// `scan`. Lines that differ only in their line ending (CRLF in the work
    /// tree, LF in the index) are not new.
    pub fn unstaged(&self, max_size: u64) -> Result<Plan, GitError> {
        let Some(work_tree) = self.repo.workdir() else {
            return Err(GitError::Bare {
                option: "--unstaged",
                path: self.path.display().to_string(),
                changes: "unstaged changes",
            });
        };
        let index = self.index()?;
        let mut opts = diff_options();
        opts.include_untracked(true).recurse_untracked_dirs(true);
        let diff = self
            .repo
            .diff_index_to_workdir(Some(&index), Some(&mut opts))
            .map_err(read_err("the unstaged changes"))?;
        let mut plan = Plan {
            work_tree: Some(work_tree.to_path_buf()),
            ..Plan::default()
        };
        self.add_changes(&diff, &[], None, max_size, &mut HashMap::new(), &mut plan)?;
        if plan.blobs.is_empty() {
            plan.remarks
                .push("no unstaged changes: nothing scanned".to_string());
        }
        Ok(plan)
    }

    /// The index git would use: the one `GIT_INDEX_FILE` names, or the
    /// repository's. A `GIT_INDEX_FILE` that names a missing file is an
    /// error: libgit2 would open it as an empty index.
    fn index(&self) -> Result<git2::Index, GitError> {
        match std::env::var_os("GIT_INDEX_FILE") {
            Some(file) => {
                let file = Path::new(&file);
                if !file.is_file() {
                    return Err(GitError::Read {
                        what: "the index".to_string(),
                        message: format!(
                            "GIT_INDEX_FILE names {}, which does not exist",
                            file.display()
                        ),
                    });
                }
                git2::Index::open(file)
            }
            None => self.repo.index(),
        }
        .map_err(read_err("the index"))
    }

    /// Adds to `plan` every file that `diff` (against the first parent)
    /// adds or modifies and that differs from its version in each of
    /// `others` (the other parents of a merge; `None` for a parent that is
    /// missing, against which everything is new), with the lines that are
    /// new against every parent. The new side is the plan's work tree when
    /// it has one. `seen` keeps each blob at each path once across commits,
    /// with the union of its added lines (by path too: a blob copied out of
    /// an allowlisted directory must be reported at its new path).
    fn add_changes(
        &self,
        diff: &Diff<'_>,
        others: &[Option<Tree<'_>>],
        commit: Option<Oid>,
        max_size: u64,
        seen: &mut Seen,
        plan: &mut Plan,
    ) -> Result<(), GitError> {
        let work_tree = plan.work_tree.as_deref();
        let mut buf = Vec::new();
        'changes: for change in changed_files(diff, work_tree.is_some()) {
            let mut olds = vec![change.old];
            for other in others {
                let old = match other {
                    Some(tree) => blob_at(tree, &change.path)?,
                    None => None,
                };
                // Unchanged against this parent: the merge took it from there.
                if old == Some(change.new) {
                    continue 'changes;
                }
                olds.push(old);
            }
            let path = String::from_utf8_lossy(&change.path).into_owned();
            let added = match work_tree {
                Some(dir) => {
                    let file = dir.join(bytes_path(&change.path));
                    match read_capped(&file, max_size, &mut buf) {
                        Ok(Capped::Read) => self.added_lines(&path, &olds, New::File(&buf))?,
                        Ok(Capped::TooLarge(_)) => Some(Vec::new()),
                        Err(e) => {
                            return Err(GitError::Read {
                                what: file.display().to_string(),
                                message: e.to_string(),
                            });
                        }
                    }
                }
                None => self.added_lines_of_blob(&path, &olds, change.new, max_size)?,
            };
            let Some(added) = added else {
                continue;
            };
            let key = (change.new, change.path);
            match seen.get(&key) {
                Some(&i) => {
                    if let Some(existing) = plan.blobs[i].added_lines.as_mut() {
                        existing.extend(added);
                        existing.sort_unstable();
                        existing.dedup();
                    }
                }
                None => {
                    seen.insert(key, plan.blobs.len());
                    plan.blobs.push(GitBlob {
                        oid: change.new,
                        path,
                        commit,
                        added_lines: Some(added),
                    });
                }
            }
        }
        Ok(())
    }

    /// [`Self::added_lines`] for blob `new`. A blob over `max_size` is not
    /// read: it is planned with no lines, and reading it says why it was
    /// not scanned.
    fn added_lines_of_blob(
        &self,
        path: &str,
        olds: &[Option<Oid>],
        new: Oid,
        max_size: u64,
    ) -> Result<Option<Vec<usize>>, GitError> {
        let (size, _) = self
            .repo
            .odb()
            .and_then(|odb| odb.read_header(new))
            .map_err(read_err(format_args!("blob {new} ({path})")))?;
        if size as u64 > max_size {
            return Ok(Some(Vec::new()));
        }
        let blob = self
            .repo
            .find_blob(new)
            .map_err(read_err(format_args!("blob {new} ({path})")))?;
        self.added_lines(path, olds, New::Blob(&blob))
    }

    /// The lines of `new` that are new against each of the blobs `olds`
    /// (every line against `None`), or `None` when there are none. Binary
    /// content is not diffed: it is planned with no lines, and reading it
    /// reports it whole (a changed key file is a new key).
    fn added_lines(
        &self,
        path: &str,
        olds: &[Option<Oid>],
        new: New<'_, '_>,
    ) -> Result<Option<Vec<usize>>, GitError> {
        let data = match new {
            New::Blob(blob) => blob.content(),
            New::File(data) => data,
        };
        if is_binary(data) {
            return Ok(Some(Vec::new()));
        }
        let mut added = all_lines(data);
        for old in olds.iter().flatten() {
            let old_blob = self
                .repo
                .find_blob(*old)
                .map_err(read_err(format_args!("blob {old} ({path})")))?;
            let against = new_lines(&old_blob, new)
                .map_err(read_err(format_args!("the changes of {path}")))?;
            added.retain(|line| against.binary_search(line).is_ok());
            if added.is_empty() {
                return Ok(None);
            }
        }
        Ok((!added.is_empty()).then_some(added))
    }
}

/// The new side of a change: a blob, or a work-tree file's bytes.
#[derive(Clone, Copy)]
enum New<'b, 'r> {
    Blob(&'b Blob<'r>),
    File(&'b [u8]),
}

/// Options for listing changed files: object ids only, no submodules.
fn diff_options() -> DiffOptions {
    let mut opts = DiffOptions::new();
    opts.ignore_submodules(true);
    opts
}

/// The files that `diff` adds or modifies (submodules excluded). In a
/// diff against the work tree, the new side is a file on disk (its id may
/// not be computed) and symbolic links are left out, as `scan` leaves them.
fn changed_files<'d>(diff: &'d Diff<'_>, work_tree: bool) -> impl Iterator<Item = Changed> + 'd {
    diff.deltas().filter_map(move |delta| {
        let old = match delta.status() {
            Delta::Added | Delta::Untracked => None,
            Delta::Modified
            | Delta::Renamed
            | Delta::Copied
            | Delta::Typechange
            | Delta::Conflicted => Some(delta.old_file().id()).filter(|id| !id.is_zero()),
            _ => return None,
        };
        let file = delta.new_file();
        let skip = match file.mode() {
            FileMode::Commit => true,
            FileMode::Link => work_tree,
            _ => !work_tree && file.id().is_zero(),
        };
        (!skip).then(|| Changed {
            path: file.path_bytes().unwrap_or_default().to_vec(),
            old,
            new: file.id(),
        })
    })
}

/// The blob at `path` in `tree`, if there is one.
fn blob_at(tree: &Tree<'_>, path: &[u8]) -> Result<Option<Oid>, GitError> {
    match tree.get_path(&bytes_path(path)) {
        Ok(entry) => Ok((entry.kind() == Some(ObjectType::Blob)).then(|| entry.id())),
        Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(read_err(format_args!(
            "{} in tree {}",
            String::from_utf8_lossy(path),
            tree.id()
        ))(e)),
    }
}

/// A path as git stores it (bytes), as a path of this platform.
fn bytes_path(path: &[u8]) -> PathBuf {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        PathBuf::from(std::ffi::OsStr::from_bytes(path))
    }
    #[cfg(not(unix))]
    {
        PathBuf::from(String::from_utf8_lossy(path).into_owned())
    }
}

/// Every line of `data`, 1-based.
fn all_lines(data: &[u8]) -> Vec<usize> {
    let count = memchr::memchr_iter(b'\n', data).count()
        + usize::from(!data.is_empty() && !data.ends_with(b"\n"));
    (1..=count).collect()
}

/// The 1-based lines of `new` that git's line diff finds added against
/// `old`, sorted. No path is given, so no attribute applies, and both sides
/// are diffed as text. Against a work-tree file, whitespace at the end of
/// lines (a carriage return) is ignored: with `core.autocrlf` the work tree
/// has CRLF where the index has LF.
fn new_lines(old: &Blob<'_>, new: New<'_, '_>) -> Result<Vec<usize>, git2::Error> {
    let mut opts = DiffOptions::new();
    opts.context_lines(0)
        .force_text(true)
        .ignore_whitespace_eol(matches!(new, New::File(_)));
    let patch = match new {
        New::Blob(new) => Patch::from_blobs(old, None, new, None, Some(&mut opts))?,
        New::File(data) => Patch::from_blob_and_buffer(old, None, data, None, Some(&mut opts))?,
    };
    let mut lines = Vec::new();
    for i in 0..patch.num_hunks() {
        let (hunk, _) = patch.hunk(i)?;
        let start = hunk.new_start() as usize;
        lines.extend(start..start + hunk.new_lines() as usize);
    }
    Ok(lines)
}
