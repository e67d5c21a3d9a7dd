//! The README's GitLab CI job and generic CI step, run as a CI system would
//! run them: in a clone of a repository, with the CI's variables set.

use yaml_rust2::YamlLoader;

use crate::git::{LATER_TOKEN, commit, git, repo};
use crate::util::*;

/// An origin whose `main` has an old secret, and a clone of it on a branch
/// `topic` that adds a commit with a new secret, then a clean commit.
/// Returns the origin, the clone, main's commit and the two new commits.
fn clone_with_new_commits() -> (Dir, Dir, String, String, String) {
    let origin = repo();
    origin.create("old.env", format!("TOKEN={EXTRA_TOKEN}\n"));
    let main = commit(&origin, "old secret");
    let clone = Dir::new();
    let url = origin.path().display().to_string();
    git(&clone, &["clone", "-q", &url, "."]);
    git(&clone, &["config", "user.name", "Ann Dev"]);
    git(&clone, &["config", "user.email", "ann@example.com"]);
    git(&clone, &["checkout", "-q", "-b", "topic"]);
    clone.create("deploy/app.env", format!("A=1\nTOKEN={LATER_TOKEN}\n"));
    let secret = commit(&clone, "new secret");
    clone.create("app.py", "print('hi')\n");
    let clean = commit(&clone, "clean");
    (origin, clone, main, secret, clean)
}

fn finding_line(path: &str, line: usize, col: usize, secret: &str) -> String {
    let fp = leakproof::finding::fingerprint("github-pat-classic", path, secret.as_bytes(), None);
    format!("{path}:{line}:{col}  github-pat-classic  critical  ghp_*****  fingerprint={fp}  ")
}

/// Runs `script` with `sh -e` in `dir`, leakproof on `PATH`.
fn sh(dir: &Dir, script: &str, vars: &[(&str, &str)]) -> Output {
    let mut cmd = dir
        .program("sh")
        .args(["-ec", script])
        .env("PATH", path_with_leakproof());
    for (k, v) in vars {
        cmd = cmd.env(k, v);
    }
    cmd.run()
}

#[test]
fn the_gitlab_job_scans_what_a_merge_request_or_push_adds() {
    let job_yaml = readme_snippet("gitlab");
    let doc = &YamlLoader::load_from_str(&job_yaml).unwrap()[0];
    let job = &doc["leakproof"];
    assert_eq!(job["variables"]["GIT_DEPTH"].as_str(), Some("0"));
    let install = job["before_script"][0].as_str().unwrap();
    assert!(
        install.ends_with(&format!("--rev {} leakproof", readme_pin())),
        "{install}"
    );
    let script: Vec<&str> = job["script"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    let script = script.join("\n");
    let (_origin, clone, main, secret, clean) = clone_with_new_commits();

    // A merge request pipeline.
    let mr = sh(
        &clone,
        &script,
        &[
            ("CI_MERGE_REQUEST_DIFF_BASE_SHA", main.as_str()),
            ("CI_COMMIT_SHA", clean.as_str()),
            (
                "CI_COMMIT_BEFORE_SHA",
                "0000000000000000000000000000000000000000",
            ),
        ],
    );
    assert_eq!(mr.code, 1, "{}", mr.stderr);
    let new = finding_line("deploy/app.env", 2, 7, LATER_TOKEN);
    assert_eq!(mr.stdout.lines().count(), 1, "{}", mr.stdout);
    assert!(mr.stdout.starts_with(&new), "{}", mr.stdout);
    assert!(mr.stderr.contains("; 2 commits"), "{}", mr.stderr);
    // The report the job uploads as its secret_detection artifact.
    let artifact = job["artifacts"]["reports"]["secret_detection"]
        .as_str()
        .unwrap();
    assert_eq!(job["artifacts"]["when"].as_str(), Some("always"));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(clone.path().join(artifact)).unwrap())
            .unwrap();
    crate::reports::assert_valid_gitlab(&report);
    let found: Vec<(&str, &str, u64)> = report["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["location"]["file"].as_str().unwrap(),
                v["location"]["commit"]["sha"].as_str().unwrap(),
                v["location"]["start_line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(found, vec![("deploy/app.env", secret.as_str(), 2)]);

    // A branch pipeline after a push of the clean commit only.
    let push = sh(
        &clone,
        &script,
        &[
            ("CI_COMMIT_BEFORE_SHA", secret.as_str()),
            ("CI_COMMIT_SHA", clean.as_str()),
        ],
    );
    assert_eq!(push.code, 0, "{}", push.stderr);
    assert_eq!(push.stdout, "");

    // No range (a new branch, a schedule): the whole history.
    let all = sh(&clone, &script, &[("CI_COMMIT_SHA", clean.as_str())]);
    assert_eq!(all.code, 1, "{}", all.stderr);
    let lines: Vec<&str> = all.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", all.stdout);
    assert!(lines[0].starts_with(&new), "{}", all.stdout);
    assert!(
        lines[1].starts_with(&finding_line("old.env", 1, 7, EXTRA_TOKEN)),
        "{}",
        all.stdout
    );
}

#[test]
fn the_generic_ci_step_scans_what_the_branch_adds_to_main() {
    let script = readme_snippet("ci-shell");
    let (_origin, clone, ..) = clone_with_new_commits();
    let out = sh(&clone, &script, &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(out.stdout.lines().count(), 1, "{}", out.stdout);
    assert!(
        out.stdout
            .starts_with(&finding_line("deploy/app.env", 2, 7, LATER_TOKEN)),
        "{}",
        out.stdout
    );
    // On main itself, nothing is added.
    git(&clone, &["checkout", "-q", "main"]);
    let clean = sh(&clone, &script, &[]);
    assert_eq!(clean.code, 0, "{}", clean.stderr);
    assert!(
        clean.stderr.contains("is empty: nothing scanned"),
        "{}",
        clean.stderr
    );
}
