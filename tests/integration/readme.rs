//! Every command the README shows in a shell block runs here, in a
//! repository laid out as the README assumes (acceptance 2 of #17). The
//! snippets for other systems run in their own tests: the GitHub Action in
//! `action.rs`, the pre-commit configuration in `pre_commit.rs`, the GitLab
//! job in `ci.rs`, the git hook in `install_hook.rs`. A line that needs a
//! network says so with a `# needs network` comment and is not run.

use std::process::Command;

use crate::git::{LATER_TOKEN, commit, git, repo};
use crate::util::*;

/// Marks a README command that cannot run without a network.
const NETWORK: &str = "# needs network";

/// The fenced `sh` blocks of README.md with the snippet name before each,
/// if any.
fn sh_blocks() -> Vec<(Option<String>, Vec<String>)> {
    let readme = std::fs::read_to_string(manifest_dir().join("README.md")).unwrap();
    let mut blocks = Vec::new();
    let mut name = None;
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        if let Some(rest) = line.strip_prefix("<!-- snippet: ") {
            name = Some(rest.trim_end_matches(" -->").to_string());
        } else if line == "```sh" {
            let body: Vec<String> = lines
                .by_ref()
                .take_while(|l| *l != "```")
                .map(str::to_string)
                .collect();
            blocks.push((name.take(), body));
        } else if !line.trim().is_empty() {
            name = None;
        }
    }
    blocks
}

/// An origin repository with `main`, a tag `v1.2.0`, and a clone of it on
/// a branch that adds a commit: the layout the README's commands assume
/// (a `src/`, a `config/app.yaml`, a `build.log`, the fixture tree).
fn workspace() -> (Dir, Dir) {
    let origin = repo();
    copy_dir(&fixtures().join("tree"), origin.path());
    origin.create("src/main.rs", "fn main() {}\n");
    origin.create("config/app.yaml", "mode: dev\n");
    commit(&origin, "initial");
    git(&origin, &["tag", "v1.2.0"]);
    origin.create("build.log", "step 1 ok\n");
    commit(&origin, "build log");
    let work = Dir::new();
    let url = origin.path().display().to_string();
    git(&work, &["clone", "-q", &url, "."]);
    git(&work, &["config", "user.name", "Ann Dev"]);
    git(&work, &["config", "user.email", "ann@example.com"]);
    git(&work, &["config", "commit.gpgsign", "false"]);
    git(&work, &["checkout", "-q", "-b", "topic"]);
    work.create("deploy/app.env", format!("TOKEN={LATER_TOKEN}\n"));
    commit(&work, "deploy settings");
    (origin, work)
}

#[test]
fn every_readme_shell_command_runs() {
    let (_origin, work) = workspace();
    let home = Dir::new();
    let mut ran = 0;
    for (name, lines) in sh_blocks() {
        // The hook file's content, compared with what install-hook writes
        // and run by git in install_hook.rs; the migration commands, which
        // need another scanner's files, run in gitleaks.rs.
        if matches!(name.as_deref(), Some("git-hook" | "migrate")) {
            continue;
        }
        for line in lines {
            let command = line.trim();
            if command.is_empty() || command.starts_with('#') {
                continue;
            }
            if command.contains(NETWORK) {
                continue;
            }
            if command.starts_with("cargo ") {
                cargo_command(command);
                ran += 1;
                continue;
            }
            let out = work
                .program("sh")
                .args(["-c", command])
                .env("PATH", path_with_leakproof())
                .env("HOME", home.path())
                .run();
            assert!(
                out.code == 0 || out.code == 1,
                "README command `{command}` exited {}:\n{}",
                out.code,
                out.stderr
            );
            assert!(
                !out.stderr.contains("error"),
                "README command `{command}`:\n{}",
                out.stderr
            );
            ran += 1;
        }
    }
    assert!(ran >= 30, "only {ran} README commands found");
    // What the commands left behind is what the README says.
    let completion = home
        .path()
        .join(".local/share/bash-completion/completions/leakproof");
    assert!(
        std::fs::read_to_string(completion)
            .unwrap()
            .contains("_leakproof")
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(work.path().join("report.json")).unwrap())
            .unwrap();
    assert!(!report["findings"].as_array().unwrap().is_empty());
}

/// The README's cargo commands: `cargo test` is what `.ci/run` runs (it
/// cannot run inside itself); `cargo run --release -- scan fixtures/tree`
/// runs, with the fast release settings the shipping tests share.
fn cargo_command(command: &str) {
    if command == "cargo test" {
        let ci = std::fs::read_to_string(manifest_dir().join(".ci/run")).unwrap();
        assert!(
            ci.lines().any(|l| l == "cargo test"),
            ".ci/run does not run `cargo test`"
        );
        return;
    }
    let args: Vec<&str> = command.split_whitespace().skip(1).collect();
    let mut cargo = Command::new("cargo");
    cargo.args(&args).current_dir(manifest_dir());
    fast_release_build(&mut cargo);
    let out = cargo.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "`{command}`: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.starts_with("fixtures/tree/.env:3:14  github-pat-classic  critical  ghp_*****"),
        "`{command}`: {stdout}"
    );
}
