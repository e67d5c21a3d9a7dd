//! The plan of a full history: every blob reachable from the refs (tags
//! that name a tree or a blob included), each with every path that holds
//! it and the first commit, in ancestry order, that holds it there; grouped
//! by first path into the versions of each file.

use std::hash::BuildHasher;

use foldhash::fast::RandomState;
use foldhash::{HashMap, HashSet};
use git2::{ObjectType, Oid, Sort, Tree};

use super::{GitBlob, GitError, GitRepo, Plan, read_err};

/// What the walk has seen so far. Paths are interned per directory, so a
/// tree or blob seen again at the same path costs hash lookups and no
/// allocation.
#[derive(Default)]
struct Seen {
    hasher: RandomState,
    /// Interned paths (a directory's without the final slash).
    paths: Vec<String>,
    by_path: HashMap<String, u32>,
    /// (directory, hash of an entry name) -> the entry's path id; checked
    /// against `paths`, so a hash collision costs a slower lookup only.
    children: HashMap<(u32, u64), u32>,
    /// (tree, path of its directory): a tree seen at one path is walked
    /// again at another (a directory copied or renamed), since every path
    /// of a blob is reported.
    trees: HashSet<(Oid, u32)>,
    tree_ids: HashSet<Oid>,
    /// Blob -> its index in the plan.
    blobs: HashMap<Oid, usize>,
    /// (blob index, path) pairs recorded.
    placed: HashSet<(usize, u32)>,
}

impl Seen {
    fn path_id(&mut self, path: &str) -> u32 {
        if let Some(&id) = self.by_path.get(path) {
            return id;
        }
        let id = u32::try_from(self.paths.len()).unwrap_or(u32::MAX);
        self.paths.push(path.to_string());
        self.by_path.insert(path.to_string(), id);
        id
    }

    /// The id of `prefix` + `name`, where `dir` is the id of `prefix`.
    fn child_id(&mut self, dir: u32, prefix: &str, name: &[u8]) -> u32 {
        let key = (dir, self.hasher.hash_one(name));
        if let Some(&id) = self.children.get(&key)
            && let Some(path) = self.paths.get(id as usize)
            && path.len() == prefix.len() + name.len()
            && path.as_bytes().ends_with(name)
        {
            return id;
        }
        let id = self.path_id(&format!("{prefix}{}", String::from_utf8_lossy(name)));
        self.children.insert(key, id);
        id
    }

    /// The path of an interned id.
    fn path(&self, id: u32) -> String {
        self.paths.get(id as usize).cloned().unwrap_or_default()
    }
}

impl GitRepo {
    /// Every blob reachable from all refs, or from `branch` only, with
    /// every path that holds it.
    pub fn history(&self, branch: Option<&str>) -> Result<Plan, GitError> {
        let mut plan = Plan::default();
        self.shallow_remark(&mut plan);
        let mut walk = self.repo.revwalk().map_err(read_err("the history"))?;
        // Topological: every commit after all its parents, whatever the
        // dates say, so "first commit that holds it" follows ancestry.
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
        let mut seen = Seen::default();
        for oid in walk {
            let oid = oid.map_err(read_err("the history"))?;
            let (_, tree) = self.commit_and_tree(oid)?;
            plan.order.insert(oid, plan.commits as u64);
            plan.commits += 1;
            self.collect_root(&tree, "", Some(oid), &mut seen, &mut plan)?;
        }
        if branch.is_none() {
            self.collect_tagged(&mut seen, &mut plan)?;
        }
        if plan.commits == 0 && plan.blobs.is_empty() {
            plan.remarks
                .push("the repository has no commits: nothing scanned".to_string());
        }
        let mut by_path: HashMap<&str, usize> = HashMap::default();
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

    /// Refs that name a tree or a blob (directly or through an annotated
    /// tag): `git` reaches them, so they are scanned, at `REF:path` for a
    /// tree's blobs and `REF` for a blob. Only what no commit holds is
    /// added.
    fn collect_tagged(&self, seen: &mut Seen, plan: &mut Plan) -> Result<(), GitError> {
        let refs = self.repo.references().map_err(read_err("the references"))?;
        for reference in refs {
            let reference = reference.map_err(read_err("the references"))?;
            let name = String::from_utf8_lossy(reference.name_bytes()).into_owned();
            let object = reference
                .peel(ObjectType::Any)
                .map_err(read_err(format_args!("the object named by {name}")))?;
            match object.kind() {
                Some(ObjectType::Tree) => {
                    let tree = self
                        .repo
                        .find_tree(object.id())
                        .map_err(read_err(format_args!("tree {} ({name})", object.id())))?;
                    if !seen.tree_ids.contains(&tree.id()) {
                        self.collect_root(&tree, &format!("{name}:"), None, seen, plan)?;
                    }
                }
                Some(ObjectType::Blob) if !seen.blobs.contains_key(&object.id()) => {
                    seen.blobs.insert(object.id(), plan.blobs.len());
                    plan.blobs.push(GitBlob {
                        oid: object.id(),
                        path: name,
                        commit: None,
                        added_lines: None,
                    });
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Walks `tree`, whose directory is `prefix` (with id `dir`, already
    /// recorded with the tree in `seen.trees`).
    fn collect_tree(
        &self,
        tree: &Tree<'_>,
        prefix: &str,
        dir: u32,
        commit: Option<Oid>,
        seen: &mut Seen,
        plan: &mut Plan,
    ) -> Result<(), GitError> {
        for entry in tree.iter() {
            match entry.kind() {
                Some(ObjectType::Tree) => {
                    let id = seen.child_id(dir, prefix, entry.name_bytes());
                    if !seen.trees.insert((entry.id(), id)) {
                        continue;
                    }
                    seen.tree_ids.insert(entry.id());
                    let path = seen.path(id);
                    let sub = self
                        .repo
                        .find_tree(entry.id())
                        .map_err(read_err(format_args!("tree {} ({path})", entry.id())))?;
                    self.collect_tree(&sub, &format!("{path}/"), id, commit, seen, plan)?;
                }
                Some(ObjectType::Blob) => {
                    let id = seen.child_id(dir, prefix, entry.name_bytes());
                    match seen.blobs.get(&entry.id()) {
                        None => {
                            let index = plan.blobs.len();
                            seen.blobs.insert(entry.id(), index);
                            seen.placed.insert((index, id));
                            plan.blobs.push(GitBlob {
                                oid: entry.id(),
                                path: seen.path(id),
                                commit,
                                added_lines: None,
                            });
                        }
                        Some(&index) => {
                            if seen.placed.insert((index, id)) {
                                let path = seen.path(id);
                                plan.also.entry(index).or_default().push((path, commit));
                            }
                        }
                    }
                }
                // Submodule commits (gitlinks) belong to another repository.
                _ => {}
            }
        }
        Ok(())
    }

    /// Walks a root tree (of a commit, or named by a ref) at `prefix`.
    fn collect_root(
        &self,
        tree: &Tree<'_>,
        prefix: &str,
        commit: Option<Oid>,
        seen: &mut Seen,
        plan: &mut Plan,
    ) -> Result<(), GitError> {
        let dir = seen.path_id(prefix);
        if seen.trees.insert((tree.id(), dir)) {
            seen.tree_ids.insert(tree.id());
            self.collect_tree(tree, prefix, dir, commit, seen, plan)?;
        }
        Ok(())
    }
}
