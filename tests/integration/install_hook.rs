//! `leakproof install-hook`: the plain git hook, in real commits.

use crate::git::{LATER_TOKEN, commit, git, repo};
use crate::util::*;

fn fp(path: &str, secret: &str) -> String {
    leakproof::finding::fingerprint("github-pat-classic", path, secret.as_bytes(), None)
}

/// `leakproof install-hook ARGS` in `dir`, with leakproof on `PATH`.
pub fn install_hook(dir: &Dir, args: &[&str]) -> Output {
    dir.cmd()
        .args(["install-hook"])
        .args(args)
        .env("PATH", path_with_leakproof())
        .run()
}

/// `git ARGS` in `dir`, with leakproof on `PATH` for the hook (git sends
/// a hook's standard output to its standard error).
pub fn git_hooked(dir: &Dir, args: &[&str]) -> Output {
    dir.program("git")
        .args(args)
        .env("PATH", path_with_leakproof())
        .run()
}

/// Asserts that a hook refused the commit with exactly `finding`.
fn assert_refused(out: &Output, finding: &str) {
    assert_eq!(out.code, 1, "{}", out.stderr);
    let (first, rest) = out.stderr.split_once('\n').unwrap();
    assert_eq!(first, finding, "{}", out.stderr);
    assert!(
        rest.starts_with("leakproof: scanned 1 file (") && rest.contains("; 1 finding"),
        "{}",
        out.stderr
    );
}

fn head(dir: &Dir) -> String {
    git(dir, &["rev-parse", "HEAD"])
}

#[test]
fn the_hook_blocks_a_secret_and_passes_a_clean_commit() {
    let dir = repo();
    let out = install_hook(&dir, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let hook = dir.path().join(".git/hooks/pre-commit");
    assert_eq!(
        out.stderr,
        format!("leakproof: installed {}\n", hook.display())
    );
    // The hook is the one the README shows, and git can run it.
    assert_eq!(
        std::fs::read_to_string(&hook).unwrap(),
        readme_snippet("git-hook")
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&hook).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o755);
    }

    dir.create("app.py", "print('hi')\n");
    git(&dir, &["add", "app.py"]);
    let clean = git_hooked(&dir, &["commit", "-q", "-m", "clean"]);
    assert_eq!(clean.code, 0, "{}", clean.stderr);
    let before = head(&dir);

    dir.create("staged.env", format!("TOKEN={EXTRA_TOKEN}\n"));
    git(&dir, &["add", "staged.env"]);
    let blocked = git_hooked(&dir, &["commit", "-q", "-m", "leak"]);
    assert_refused(
        &blocked,
        &format!(
            "staged.env:1:7  github-pat-classic  critical  ghp_*****  fingerprint={}",
            fp("staged.env", EXTRA_TOKEN)
        ),
    );
    assert_eq!(head(&dir), before);

    // `git commit -a` stages into a temporary index (GIT_INDEX_FILE): the
    // hook must scan that one, not .git/index.
    git(&dir, &["rm", "-q", "--cached", "staged.env"]);
    std::fs::remove_file(dir.path().join("staged.env")).unwrap();
    dir.create("app.py", format!("print('hi')\nKEY = '{LATER_TOKEN}'\n"));
    let in_app = format!(
        "app.py:2:8  github-pat-classic  critical  ghp_*****  fingerprint={}",
        fp("app.py", LATER_TOKEN)
    );
    let all = git_hooked(&dir, &["commit", "-q", "-a", "-m", "leak via -a"]);
    assert_refused(&all, &in_app);
    let only = git_hooked(&dir, &["commit", "-q", "-m", "leak via path", "app.py"]);
    assert_refused(&only, &in_app);
    assert_eq!(head(&dir), before);

    // --no-verify is the documented way around it.
    let skipped = git_hooked(
        &dir,
        &["commit", "-q", "-a", "--no-verify", "-m", "accepted"],
    );
    assert_eq!(skipped.code, 0, "{}", skipped.stderr);
}

#[test]
fn install_hook_refuses_to_clobber_a_foreign_hook() {
    let dir = repo();
    let foreign = "#!/bin/sh\nexec make lint\n";
    let hook = dir.create(".git/hooks/pre-commit", foreign);
    let out = install_hook(&dir, &[]);
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        format!(
            "leakproof: error: {} exists and was not written by leakproof: add `leakproof git --staged` to it, or replace it with --force\n",
            hook.display()
        )
    );
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), foreign);

    let forced = install_hook(&dir, &["--force"]);
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert_eq!(
        forced.stderr,
        format!("leakproof: replaced {} (--force)\n", hook.display())
    );
    let ours = readme_snippet("git-hook");
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), ours);

    // Idempotent, and an older leakproof hook is updated without --force.
    let again = install_hook(&dir, &[]);
    assert_eq!(
        (again.code, again.stderr),
        (
            0,
            format!("leakproof: {} is already installed\n", hook.display())
        )
    );
    std::fs::write(&hook, ours.replace("exec leakproof", "leakproof")).unwrap();
    let updated = install_hook(&dir, &[]);
    assert_eq!(
        (updated.code, updated.stderr),
        (0, format!("leakproof: updated {}\n", hook.display()))
    );
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), ours);
}

#[test]
fn install_hook_finds_the_hooks_directory_as_git_does() {
    // core.hooksPath, relative to the work tree, from a subdirectory.
    let dir = repo();
    git(&dir, &["config", "core.hooksPath", "ci/hooks"]);
    dir.create("src/lib.rs", "\n");
    let mut cmd = dir.cmd().args(["install-hook"]);
    cmd.command.current_dir(dir.path().join("src"));
    let out = cmd.env("PATH", path_with_leakproof()).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(dir.path().join("ci/hooks/pre-commit").is_file());
    assert!(!dir.path().join(".git/hooks/pre-commit").exists());
    dir.create("k.env", format!("TOKEN={EXTRA_TOKEN}\n"));
    git(&dir, &["add", "k.env"]);
    assert_refused(
        &git_hooked(&dir, &["commit", "-q", "-m", "leak"]),
        &format!(
            "k.env:1:7  github-pat-classic  critical  ghp_*****  fingerprint={}",
            fp("k.env", EXTRA_TOKEN)
        ),
    );

    // A linked worktree shares the main repository's hooks.
    let main = repo();
    main.create("a.txt", "a\n");
    commit(&main, "initial");
    let linked = Dir::new();
    let wt = linked.path().join("wt");
    git(
        &main,
        &[
            "worktree",
            "add",
            "-q",
            "-b",
            "topic",
            &wt.display().to_string(),
        ],
    );
    let mut cmd = linked.cmd().args(["install-hook", "wt"]);
    cmd.command.env("PATH", path_with_leakproof());
    let out = cmd.run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let shared = main.path().join(".git/hooks/pre-commit");
    assert!(shared.is_file(), "{}", out.stderr);
    std::fs::write(wt.join("w.env"), format!("TOKEN={LATER_TOKEN}\n")).unwrap();
    let mut add = linked.program("git").args(["-C", "wt", "add", "w.env"]);
    add.command.env("PATH", path_with_leakproof());
    assert_eq!(add.run().code, 0);
    let mut commit_wt = linked
        .program("git")
        .args(["-C", "wt", "commit", "-q", "-m", "leak"]);
    commit_wt.command.env("PATH", path_with_leakproof());
    assert_refused(
        &commit_wt.run(),
        &format!(
            "w.env:1:7  github-pat-classic  critical  ghp_*****  fingerprint={}",
            fp("w.env", LATER_TOKEN)
        ),
    );
}

#[test]
fn the_readme_installs_the_hook_it_shows() {
    let dir = repo();
    let script = readme_snippet("install-hook");
    let out = dir
        .program("sh")
        .args(["-ec", &script])
        .env("PATH", path_with_leakproof())
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".git/hooks/pre-commit")).unwrap(),
        readme_snippet("git-hook")
    );
}

#[test]
fn a_missing_leakproof_blocks_the_commit_with_a_hint() {
    let dir = repo();
    let out = dir
        .cmd()
        .args(["install-hook"])
        .env("PATH", path_without_leakproof())
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.ends_with(
            "\nleakproof: warning: leakproof is not on PATH: the hook refuses every commit until it is\n"
        ),
        "{}",
        out.stderr
    );
    dir.create("a.txt", "a\n");
    git(&dir, &["add", "a.txt"]);
    let out = dir
        .program("git")
        .args(["commit", "-q", "-m", "x"])
        .env("PATH", path_without_leakproof())
        .run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "leakproof pre-commit hook: leakproof is not on PATH; install it, or commit with --no-verify"
        ),
        "{}",
        out.stderr
    );
}
