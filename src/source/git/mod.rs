//! Git sources through git2: every unique blob of a history, the blobs a
//! commit range adds (with the added lines), the staged index and the
//! unstaged work tree.
//!
//! The history is walked in ancestry order (every commit after its
//! parents) and every tree is read once per path, so each blob is scanned
//! once and reported at every path that holds it, attributed at each to
//! the first commit that holds it there. Commit metadata is looked up only for blobs with findings
//! ([`GitRepo::describe`]). Every failure to resolve a revision or read an
//! object is an error, never a silent "no leaks": a scan that could not
//! see what it was asked to see cannot be trusted.
//!
//! - `walk`: the plan of a full history.
//! - `diff`: the plans of a commit range, the staged index and the
//!   unstaged work tree.
//! - `read`: reading a plan's blobs in parallel ([`read()`]).
//! - `provenance`: commit metadata for findings.
//! - `verify`: the object store's checksums, checked before libgit2 reads it.

mod diff;
mod provenance;
mod read;
mod verify;
mod walk;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use git2::{Oid, Repository};
use thiserror::Error;

pub use read::read;

/// What to tell a user whose revision is missing from a shallow clone.
const SHALLOW_HINT: &str = "this is a shallow clone (CI checkouts default to depth 1): fetch the \
     missing history: `fetch-depth: 0` in actions/checkout, or `git fetch --unshallow`";

/// What to tell a user who gave a date where a revision goes.
const DATE_HINT: &str = "this takes a revision (a commit, tag or branch), not a date; the last \
     commit before a date is `git rev-list -1 --before=DATE HEAD`";

/// What to tell a user whose remote-tracking branch is missing.
const REMOTE_HINT: &str = "no branch, tag or commit of that name in this repository; a remote \
     branch must be fetched first (e.g. `git fetch origin main` for origin/main)";

/// What to tell a user whose revision names nothing.
const NAME_HINT: &str = "no branch, tag or commit of that name in this repository";

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
    /// `--staged` (or `--unstaged`) in a repository without a work tree.
    #[error("{option} needs a work tree: {path} is a bare repository, which has no {changes}")]
    Bare {
        /// The option given.
        option: &'static str,
        /// The repository's path.
        path: String,
        /// What it has none of.
        changes: &'static str,
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
    /// A file of the object store is damaged.
    #[error("{path}: {problem}: the repository is corrupt (`git fsck` lists what is damaged)")]
    Corrupt {
        /// The damaged file.
        path: String,
        /// What is wrong with it.
        problem: String,
    },
}

/// The error for a failed read of `what`, written only on failure (the
/// history walk calls this for every commit and tree it reads).
fn read_err(what: impl std::fmt::Display) -> impl FnOnce(git2::Error) -> GitError {
    move |e| GitError::Read {
        what: what.to_string(),
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
    /// findings on these lines are reported. Binary content (a DER key)
    /// has no lines: a change to it is reported whole.
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
    /// For a history: the other paths that hold a blob (index into
    /// `blobs`), each with the first commit that holds the blob there
    /// (`None` under a tag that names a tree).
    pub also: HashMap<usize, Vec<(String, Option<Oid>)>>,
    /// For a history: each commit's position in ancestry order (every
    /// commit after its parents), the order in which findings of the
    /// same secret at the same path are attributed.
    pub order: HashMap<Oid, u64>,
    /// Commits walked.
    pub commits: usize,
    /// Remarks for the summary (truncated history, empty range).
    pub remarks: Vec<String>,
    /// For `--unstaged`: the work tree whose files (at each blob's path)
    /// hold the content to scan, instead of the object database.
    pub work_tree: Option<PathBuf>,
}

/// Sets libgit2's process-wide options for scanning: call it once, before
/// any repository is opened and before any other thread is started;
/// `whole_history` for a history scan, false for ranges and the index.
///
/// - No hash re-verification on read: re-hashing every inflated object
///   (libgit2's default) cost a third of a history scan; the scan reads
///   objects, it does not vouch for the repository's integrity
///   (`git fsck` does).
/// - No object cache for a history: the walk reads each tree once, so the
///   cache (up to 256 MiB of trees) only held memory. A range diffs each
///   commit against its parents and so reads most trees twice (as the new
///   side of one commit and the old side of the next): it keeps the cache
///   (trees and commits of up to 4 KiB), capped at 32 MiB, which halved the
///   CPU time of planning a 300-commit range of cargo's history.
/// - Pack files mapped in 16 MiB windows, at most 96 MiB at a time: by
///   default libgit2 maps a whole pack and keeps every page it touched,
///   which on a long history is the largest part of peak memory. At 48 MiB
///   a history scan of cargo's 72 MB pack unmapped and faulted its windows
///   in again all the time (0.57 s of system time, 3.2 s wall against
///   0.15 s and 2.9 s at 96 MiB, for 55 MiB more peak RSS).
pub fn tune_libgit2(whole_history: bool) {
    git2::opts::strict_hash_verification(false);
    git2::opts::enable_caching(!whole_history);
    // SAFETY: these setters write libgit2 globals without synchronisation;
    // the caller runs this before any thread exists and before any
    // repository is opened. A failure keeps libgit2's default, which is
    // only slower or larger, never wrong.
    #[allow(unsafe_code)]
    unsafe {
        let _ = git2::opts::set_cache_max_size(32 << 20);
        let _ = git2::opts::set_mwindow_size(16 << 20);
        let _ = git2::opts::set_mwindow_mapped_limit(96 << 20);
    }
}

/// An open repository.
pub struct GitRepo {
    path: PathBuf,
    repo: Repository,
}

impl GitRepo {
    /// Opens the repository at `path` (a work tree, a `.git` directory, a
    /// bare repository or a linked worktree) and checks its object store
    /// (see the `verify` module) before anything is read from it.
    pub fn open(path: &Path) -> Result<GitRepo, GitError> {
        let repo = Repository::open(path).map_err(|e| GitError::Open {
            path: path.display().to_string(),
            message: e.message().to_string(),
        })?;
        verify::object_store(&repo.commondir().join("objects"))?;
        Ok(GitRepo {
            path: repo.path().to_path_buf(),
            repo,
        })
    }

    /// The commit `oid` of a walk and its tree, or an error naming which
    /// of the two could not be read.
    fn commit_and_tree(&self, oid: Oid) -> Result<(git2::Commit<'_>, git2::Tree<'_>), GitError> {
        let commit = self
            .repo
            .find_commit(oid)
            .map_err(read_err(format_args!("commit {oid}")))?;
        let tree = commit
            .tree()
            .map_err(read_err(format_args!("the tree of commit {oid}")))?;
        Ok((commit, tree))
    }

    fn resolve(&self, rev: &str) -> Result<Oid, GitError> {
        self.repo
            .revparse_single(rev)
            .and_then(|o| o.peel_to_commit())
            .map(|c| c.id())
            .map_err(|e| GitError::Revision {
                rev: rev.to_string(),
                message: e.message().to_string(),
                hint: self.missing_hint(rev),
            })
    }

    /// What to tell a user whose revision does not resolve: the shallow
    /// clone hint only when history is in fact missing.
    fn missing_hint(&self, rev: &str) -> &'static str {
        if self.repo.is_shallow() {
            SHALLOW_HINT
        } else if crate::date::is_date(rev) {
            DATE_HINT
        } else if rev.contains('/') {
            REMOTE_HINT
        } else {
            NAME_HINT
        }
    }

    fn shallow_remark(&self, plan: &mut Plan) {
        if self.repo.is_shallow() {
            plan.remarks.push(
                "history truncated: shallow clone, only the commits present were scanned"
                    .to_string(),
            );
        }
    }

    /// The work tree, if the repository has one.
    pub fn work_dir(&self) -> Option<PathBuf> {
        self.repo.workdir().map(Path::to_path_buf)
    }

    /// The repository's git directory, for [`read()`].
    pub fn git_dir(&self) -> &Path {
        &self.path
    }
}
