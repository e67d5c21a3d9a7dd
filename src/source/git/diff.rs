//! The plans of a commit range and of the staged index: the blobs they add,
//! each with its added lines.

use std::collections::HashMap;
use std::path::Path;

use git2::{Delta, DiffOptions, ErrorCode, Oid, Sort};

use super::{GitBlob, GitError, GitRepo, Plan, SHALLOW_HINT, read_err};

impl GitRepo {
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
