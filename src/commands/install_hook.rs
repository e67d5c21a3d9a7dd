//! `leakproof install-hook`: a plain git pre-commit hook that scans the
//! staged changes, for repositories that do not use the pre-commit
//! framework.
//!
//! The hook is a fixed script (the README shows it verbatim) whose marker
//! line identifies it as leakproof's: installing again replaces it, while a
//! hook written by anyone else is left alone unless `--force`.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use anyhow::Result;
use git2::Repository;

use crate::cli::InstallHookCmd;
use crate::exit::ExitStatus;

/// The line that marks a hook as written by `leakproof install-hook`.
pub const MARKER: &str = "# leakproof pre-commit hook, written by `leakproof install-hook`";

/// The hook script.
pub const HOOK: &str = "#!/bin/sh
# leakproof pre-commit hook, written by `leakproof install-hook`
# (running it again replaces this file). It blocks the commit when the
# staged changes hold a secret (exit 1) or cannot be scanned (exit 2).
# Skip it once with `git commit --no-verify`.
if ! command -v leakproof >/dev/null 2>&1; then
    echo 'leakproof pre-commit hook: leakproof is not on PATH; install it, or commit with --no-verify' >&2
    exit 2
fi
exec leakproof git --staged
";

/// Why the hook could not be installed.
#[derive(Debug, thiserror::Error)]
pub enum HookError {
    /// The repository could not be opened.
    #[error("{path}: not a git repository: {message}")]
    Open {
        /// The path given.
        path: String,
        /// libgit2's message.
        message: String,
    },
    /// The repository's configuration could not be read.
    #[error("cannot read the git configuration of {path}: {message}")]
    Config {
        /// The repository.
        path: String,
        /// libgit2's message.
        message: String,
    },
    /// A pre-commit hook that leakproof did not write is in the way.
    #[error(
        "{} exists and was not written by leakproof: add `leakproof git --staged` to it, or replace it with --force",
        .0.display()
    )]
    Foreign(PathBuf),
    /// A file or directory could not be read or written.
    #[error("{}: {}", .0.display(), .1)]
    Io(PathBuf, #[source] io::Error),
}

/// What installing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Installed {
    /// There was no hook.
    Created,
    /// leakproof's hook was already there, byte for byte.
    Unchanged,
    /// An older leakproof hook was rewritten.
    Updated,
    /// A foreign hook was replaced (`--force`).
    Replaced,
}

/// The directory git runs hooks from, as `git rev-parse --git-path hooks`
/// finds it: `core.hooksPath` (relative to the work tree, or to the git
/// directory of a bare repository) or the `hooks` directory of the common
/// git directory, which linked worktrees share.
pub fn hooks_dir(repo: &Path) -> Result<PathBuf, HookError> {
    let repository = Repository::discover(repo).map_err(|e| HookError::Open {
        path: repo.display().to_string(),
        message: e.message().to_string(),
    })?;
    let config_err = |e: git2::Error| HookError::Config {
        path: repo.display().to_string(),
        message: e.message().to_string(),
    };
    let hooks_path = match repository
        .config()
        .map_err(config_err)?
        .get_path("core.hooksPath")
    {
        Ok(path) => Some(path),
        Err(e) if e.code() == git2::ErrorCode::NotFound => None,
        Err(e) => return Err(config_err(e)),
    };
    Ok(match hooks_path {
        Some(path) if path.is_absolute() => path,
        Some(path) => repository
            .workdir()
            .unwrap_or_else(|| repository.path())
            .join(path),
        None => repository.commondir().join("hooks"),
    })
}

/// Writes the hook into `hooks_dir` (created if missing) and makes it
/// executable. A hook without [`MARKER`] is only replaced with `force`.
pub fn install(hooks_dir: &Path, force: bool) -> Result<(PathBuf, Installed), HookError> {
    let path = hooks_dir.join("pre-commit");
    let installed = match fs::read(&path) {
        Ok(existing) if existing == HOOK.as_bytes() => return Ok((path, Installed::Unchanged)),
        Ok(existing)
            if String::from_utf8_lossy(&existing)
                .lines()
                .any(|l| l == MARKER) =>
        {
            Installed::Updated
        }
        Ok(_) if force => Installed::Replaced,
        Ok(_) => return Err(HookError::Foreign(path)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Installed::Created,
        Err(e) => return Err(HookError::Io(path, e)),
    };
    fs::create_dir_all(hooks_dir).map_err(|e| HookError::Io(hooks_dir.to_path_buf(), e))?;
    fs::write(&path, HOOK).map_err(|e| HookError::Io(path.clone(), e))?;
    make_executable(&path).map_err(|e| HookError::Io(path.clone(), e))?;
    Ok((path, installed))
}

#[cfg(unix)]
fn make_executable(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755))
}

#[cfg(not(unix))]
fn make_executable(_path: &Path) -> io::Result<()> {
    Ok(())
}

/// Whether a `leakproof` executable is on `PATH`, as the hook needs.
fn on_path() -> bool {
    let name = format!("leakproof{}", std::env::consts::EXE_SUFFIX);
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(&name).is_file()))
}

/// Runs `leakproof install-hook`.
pub(super) fn run(cmd: &InstallHookCmd) -> Result<ExitStatus> {
    let dir = hooks_dir(&cmd.repo)?;
    let (path, installed) = install(&dir, cmd.force)?;
    let path = path.display();
    match installed {
        Installed::Created => eprintln!("leakproof: installed {path}"),
        Installed::Unchanged => eprintln!("leakproof: {path} is already installed"),
        Installed::Updated => eprintln!("leakproof: updated {path}"),
        Installed::Replaced => eprintln!("leakproof: replaced {path} (--force)"),
    }
    if !on_path() {
        eprintln!(
            "leakproof: warning: leakproof is not on PATH: the hook refuses every commit until it is"
        );
    }
    Ok(ExitStatus::Clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hook_carries_its_marker_and_an_older_hook_is_recognised() {
        assert_eq!(HOOK.lines().nth(1), Some(MARKER));
        let dir = tempfile::tempdir().unwrap();
        let hooks = dir.path().join("hooks");
        assert_eq!(install(&hooks, false).unwrap().1, Installed::Created);
        assert_eq!(install(&hooks, false).unwrap().1, Installed::Unchanged);
        fs::write(hooks.join("pre-commit"), format!("#!/bin/sh\n{MARKER}\n")).unwrap();
        assert_eq!(install(&hooks, false).unwrap().1, Installed::Updated);
        fs::write(hooks.join("pre-commit"), "#!/bin/sh\n").unwrap();
        assert!(matches!(install(&hooks, false), Err(HookError::Foreign(_))));
        assert_eq!(install(&hooks, true).unwrap().1, Installed::Replaced);
    }
}
