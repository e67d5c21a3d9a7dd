//! The pre-commit framework running this repository's hooks: the README's
//! `.pre-commit-config.yaml`, pointed at a snapshot of this source tree, in
//! a temp repository where commits are made.
//!
//! pre-commit is a Python tool: `.ci/run` installs it. These tests fail,
//! never skip, when it is missing.

use std::path::Path;

use yaml_rust2::YamlLoader;

use crate::git::{commit, git, repo};
use crate::util::*;

/// The version `.ci/run` installs.
const PRE_COMMIT_VERSION: &str = "4.7.0";

/// Where the README points pre-commit.
const README_REPO: &str = "https://github.com/leakproof/leakproof";

/// `python3 -m pre_commit ARGS` in `dir`; fails the test, with what to
/// install, when pre-commit is missing.
fn pre_commit(dir: &Dir, args: &[&str]) -> Output {
    let missing = format!(
        "pre-commit is not installed: run `python3 -m pip install pre-commit=={PRE_COMMIT_VERSION}` (.ci/run does)"
    );
    let version = std::process::Command::new("python3")
        .args(["-m", "pre_commit", "--version"])
        .output()
        .unwrap_or_else(|e| panic!("{missing} (python3: {e})"));
    assert!(version.status.success(), "{missing}");
    dir.program("python3")
        .args(["-m", "pre_commit"])
        .args(args)
        .run()
}

/// This source tree, uncommitted changes included, as a one-commit
/// repository: pre-commit clones a hook repository at a revision.
fn snapshot() -> (Dir, String) {
    let files = std::process::Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(manifest_dir())
        .output()
        .expect("git is installed");
    assert!(
        files.status.success(),
        "this source tree is not a git work tree"
    );
    let dir = repo();
    for name in files.stdout.split(|&b| b == 0).filter(|n| !n.is_empty()) {
        let rel = Path::new(std::str::from_utf8(name).unwrap());
        let from = manifest_dir().join(rel);
        if from.is_file() {
            let to = dir.path().join(rel);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(&from, &to).unwrap();
        }
    }
    let rev = commit(&dir, "snapshot");
    (dir, rev)
}

/// Whether pre-commit's output has the hook's `leakproof....STATUS` line.
fn status_line(output: &str, status: &str) -> bool {
    output
        .lines()
        .any(|l| l.starts_with("leakproof....") && l.ends_with(status))
}

/// Installs the README's pre-commit configuration, with the hook `id`, in
/// a new repository, then commits a clean file (it passes) and a staged
/// secret (it is refused, with the finding). `adjust` sets up the commits'
/// environment.
fn commits_through_pre_commit(
    id: &str,
    path: std::ffi::OsString,
    adjust: fn(&mut std::process::Command),
) {
    let readme = readme_snippet("pre-commit");
    let config = &YamlLoader::load_from_str(&readme).unwrap()[0];
    let hook_repo = &config["repos"][0];
    assert_eq!(hook_repo["repo"].as_str(), Some(README_REPO));
    let version = readme_pin();
    assert_eq!(hook_repo["rev"].as_str(), Some(version.as_str()));
    assert_eq!(hook_repo["hooks"][0]["id"].as_str(), Some("leakproof"));

    let (source, rev) = snapshot();
    let dir = repo();
    let home = Dir::new();
    dir.create(
        ".pre-commit-config.yaml",
        readme
            .replace(README_REPO, &source.path().display().to_string())
            .replace(&version, &rev)
            .replace("id: leakproof", &format!("id: {id}")),
    );
    commit(&dir, "pre-commit configuration");
    let install = pre_commit(&dir, &["install"]);
    assert_eq!(install.code, 0, "{}\n{}", install.stdout, install.stderr);

    let git_commit = |message: &str| {
        let mut cmd = dir
            .program("git")
            .args(["commit", "-q", "-m", message])
            .env("PATH", &path)
            .env("PRE_COMMIT_HOME", home.path());
        adjust(&mut cmd.command);
        cmd.run()
    };
    dir.create("app.py", "print('hi')\n");
    git(&dir, &["add", "app.py"]);
    let clean = git_commit("clean");
    // git sends a hook's output to its standard error.
    assert_eq!(clean.code, 0, "{}\n{}", clean.stdout, clean.stderr);
    assert!(status_line(&clean.stderr, "Passed"), "{}", clean.stderr);
    assert_eq!(
        clean.stderr.contains("[INFO] Installing environment for "),
        id == "leakproof",
        "only the rust hook has pre-commit build leakproof: {}",
        clean.stderr
    );
    let before = git(&dir, &["rev-parse", "HEAD"]);

    dir.create(
        "config/staged.env",
        format!("MODE=dev\nTOKEN={EXTRA_TOKEN}\n"),
    );
    git(&dir, &["add", "config/staged.env"]);
    let refused = git_commit("leak");
    assert_eq!(refused.code, 1, "{}\n{}", refused.stdout, refused.stderr);
    let fp = leakproof::finding::fingerprint(
        "github-pat-classic",
        "config/staged.env",
        EXTRA_TOKEN.as_bytes(),
        None,
    );
    let log = &refused.stderr;
    assert!(status_line(log, "Failed"), "{log}");
    assert!(log.contains("- exit code: 1"), "{log}");
    assert!(
        log.contains(&format!(
            "\nconfig/staged.env:2:7  github-pat-classic  critical  ghp_*****  fingerprint={fp}\n"
        )),
        "{log}"
    );
    assert!(!log.contains(EXTRA_TOKEN), "{log}");
    assert_eq!(git(&dir, &["rev-parse", "HEAD"]), before);
}

#[test]
fn the_system_hook_refuses_a_staged_secret_and_passes_a_clean_commit() {
    commits_through_pre_commit("leakproof-system", path_with_leakproof(), |_| {});
}

/// The `language: rust` hook: pre-commit runs `cargo install` on the
/// snapshot (with optimisation off, see [`fast_release_build`]) and the
/// commits run that binary, with no other leakproof on `PATH`.
#[test]
fn the_rust_hook_builds_leakproof_and_refuses_a_staged_secret() {
    commits_through_pre_commit("leakproof", path_without_leakproof(), fast_release_build);
}

#[test]
fn the_hooks_file_runs_leakproof_on_the_staged_changes() {
    let text = std::fs::read_to_string(manifest_dir().join(".pre-commit-hooks.yaml")).unwrap();
    let hooks = &YamlLoader::load_from_str(&text).unwrap()[0];
    let hooks = hooks.as_vec().unwrap();
    let ids: Vec<&str> = hooks.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["leakproof", "leakproof-system"]);
    // The pre-commit these tests drive is the one CI installs and the
    // README names.
    let pin = format!("pre-commit=={PRE_COMMIT_VERSION}");
    for file in [".ci/run", "README.md"] {
        let text = std::fs::read_to_string(manifest_dir().join(file)).unwrap();
        assert!(text.contains(&pin), "{file} does not install {pin}");
    }
    for (hook, language) in hooks.iter().zip(["rust", "system"]) {
        assert_eq!(hook["entry"].as_str(), Some("leakproof git --staged"));
        assert_eq!(hook["language"].as_str(), Some(language));
        assert_eq!(hook["pass_filenames"].as_bool(), Some(false));
    }
}
