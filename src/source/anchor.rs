//! Finding identity: the path a blob is known by in fingerprints,
//! allowlists, ignore files, baselines and SARIF, whatever the argument and
//! the working directory. It is relative to the anchor: the root of the git
//! work tree that holds the target; outside one, the directory of the
//! `--config` file when the target lies under it; otherwise the target
//! itself (a directory) or the path as typed (a file).

use std::path::{Component, Path, PathBuf};

/// A scan target with the identity of its top.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The path as the user gave it.
    pub path: PathBuf,
    /// The identity of `path` itself: `""` for the anchor, `app` for a
    /// directory under it, `app/x.py` for a file.
    pub identity: String,
}

/// The root of the git work tree holding directory `dir` (canonical): the
/// nearest ancestor, itself included, with a `.git` entry.
pub fn work_tree(dir: &Path) -> Option<PathBuf> {
    let canonical = std::fs::canonicalize(dir).ok()?;
    canonical
        .ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

/// `path` as a `/`-separated string without leading `./`.
pub fn slash_path(path: &Path) -> String {
    let parts: Vec<String> = path
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let joined = parts.join("/");
    match path.components().next() {
        Some(Component::RootDir) => format!("/{}", joined.trim_start_matches('/')),
        _ => joined,
    }
}

/// `base/rest` in identity form (`rest` alone when `base` is empty).
pub fn join(base: &str, rest: &str) -> String {
    match (base.is_empty(), rest.is_empty()) {
        (true, _) => rest.to_string(),
        (_, true) => base.to_string(),
        _ => format!("{base}/{rest}"),
    }
}

/// Resolves the identity of `path`, a target that exists. `config_dir` is
/// the directory of a `--config` file, if one was given.
pub fn target(path: &Path, config_dir: Option<&Path>) -> Target {
    let is_dir = path.is_dir();
    let fallback = || Target {
        path: path.to_path_buf(),
        identity: if is_dir {
            String::new()
        } else {
            slash_path(path)
        },
    };
    let Ok(canonical) = std::fs::canonicalize(path) else {
        return fallback();
    };
    let dir = if is_dir {
        canonical.as_path()
    } else {
        canonical.parent().unwrap_or(&canonical)
    };
    let anchor = work_tree(dir).or_else(|| config_dir.and_then(|c| std::fs::canonicalize(c).ok()));
    match anchor
        .as_deref()
        .and_then(|a| canonical.strip_prefix(a).ok())
    {
        Some(rel) => Target {
            path: path.to_path_buf(),
            identity: slash_path(rel),
        },
        None => fallback(),
    }
}

/// The identity of `entry`, a path the walk reached under `root` (or
/// `root` itself).
pub fn entry_identity(root: &Target, entry: &Path) -> String {
    match entry.strip_prefix(&root.path) {
        Ok(rel) => join(&root.identity, &slash_path(rel)),
        Err(_) => slash_path(entry),
    }
}

/// True when `identity` lies in the part of the project that `scope`
/// (a target identity, `""` for the whole project) covers.
pub fn covers(scope: &str, identity: &str) -> bool {
    scope.is_empty()
        || identity == scope
        || identity
            .strip_prefix(scope)
            .is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slash_paths_and_joins() {
        assert_eq!(slash_path(Path::new("./a/./b")), "a/b");
        assert_eq!(slash_path(Path::new(".")), "");
        assert_eq!(slash_path(Path::new("/x/y")), "/x/y");
        assert_eq!(join("", "a"), "a");
        assert_eq!(join("app", ""), "app");
        assert_eq!(join("app", "a/b"), "app/a/b");
    }

    #[test]
    fn scopes_cover_whole_components() {
        assert!(covers("", "a/b"));
        assert!(covers("app", "app/x.py"));
        assert!(covers("app/x.py", "app/x.py"));
        assert!(!covers("app", "apple/x.py"));
        assert!(!covers("app", "tests/x.py"));
    }

    #[test]
    fn identities_are_anchored_at_the_work_tree() {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("repo");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        std::fs::create_dir_all(repo.join("app/sub")).unwrap();
        std::fs::write(repo.join("app/sub/x.py"), "x").unwrap();
        let t = target(&repo.join("app"), None);
        assert_eq!(t.identity, "app");
        assert_eq!(
            entry_identity(&t, &repo.join("app/sub/x.py")),
            "app/sub/x.py"
        );
        assert_eq!(
            target(&repo.join("app/sub/x.py"), None).identity,
            "app/sub/x.py"
        );
        assert_eq!(target(&repo, None).identity, "");
        // Outside a work tree: the config's directory, else the argument.
        let plain = tmp.path().join("plain");
        std::fs::create_dir_all(plain.join("tests")).unwrap();
        let t = target(&plain.join("tests"), Some(&plain));
        assert_eq!(t.identity, "tests");
        assert_eq!(target(&plain.join("tests"), None).identity, "");
        let file = plain.join("tests/k.txt");
        std::fs::write(&file, "x").unwrap();
        assert_eq!(target(&file, None).identity, slash_path(&file));
    }
}
