//! The plan of a full history: every unique blob reachable from the refs,
//! each attributed to the first commit (and path) that holds it, grouped by
//! path into the versions of each file.

use std::collections::{HashMap, HashSet};

use git2::{ObjectType, Oid, Sort, Tree};

use super::{GitBlob, GitError, GitRepo, Plan, read_err};

impl GitRepo {
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
}
