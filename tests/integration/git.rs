//! `leakproof git`: real repositories built with `git` in a temp dir.

use std::process::Command;

use crate::util::*;

/// A second synthetic token, for a later commit.
pub const LATER_TOKEN: &str = "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";

/// Runs git in `dir` with fixed dates; panics unless it succeeds.
pub fn git(dir: &Dir, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir.path())
        .env("GIT_AUTHOR_DATE", "2024-05-06T07:08:09+02:00")
        .env("GIT_COMMITTER_DATE", "2024-05-06T07:08:09+02:00")
        .output()
        .expect("git is installed");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A new repository on `main` with an author configured.
pub fn repo() -> Dir {
    let dir = Dir::new();
    git(&dir, &["init", "-q", "-b", "main"]);
    git(&dir, &["config", "user.name", "Ann Dev"]);
    git(&dir, &["config", "user.email", "ann@example.com"]);
    git(&dir, &["config", "commit.gpgsign", "false"]);
    dir
}

/// Stages everything and commits; returns the commit id.
pub fn commit(dir: &Dir, message: &str) -> String {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "--allow-empty", "-m", message]);
    git(dir, &["rev-parse", "HEAD"])
}

fn run_git(dir: &Dir, args: &[&str]) -> Output {
    dir.cmd().args(["git"]).args(args).run()
}

#[test]
fn a_deleted_secret_is_found_in_the_commit_that_added_it() {
    let dir = repo();
    dir.create("README.md", "hello\n");
    commit(&dir, "initial");
    dir.create(
        "config/app.env",
        format!("MODE=dev\nGITHUB_TOKEN={EXTRA_TOKEN}\n"),
    );
    let added = commit(&dir, "add app config\n\nlong body");
    std::fs::remove_file(dir.path().join("config/app.env")).unwrap();
    commit(&dir, "remove the token");
    let out = run_git(&dir, &[".", "--format", "json", "--show-secrets"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let json = out.json();
    assert_eq!(
        locations(&json),
        vec![loc("github-pat-classic", "config/app.env", 2, 14)]
    );
    let f = &json["findings"][0];
    assert_eq!(f["commit"], added.as_str());
    assert_eq!(f["author"], "Ann Dev <ann@example.com>");
    assert_eq!(f["date"], "2024-05-06T07:08:09+02:00");
    assert_eq!(f["message"], "add app config");
    assert_eq!(f["secret"], EXTRA_TOKEN);
    assert!(out.stderr.contains("; 3 commits"), "{}", out.stderr);
    // The working tree no longer has it.
    assert_eq!(dir.cmd().args(["scan", "."]).run().code, 0);
}

#[test]
fn the_same_blob_is_reported_once_per_path_that_holds_it() {
    let dir = repo();
    dir.create("keys.txt", format!("token={EXTRA_TOKEN}\n"));
    let first = commit(&dir, "add keys");
    for i in 0..5 {
        dir.create(&format!("other{i}.txt"), format!("{i}\n"));
        commit(&dir, &format!("other {i}"));
    }
    git(&dir, &["checkout", "-q", "-b", "feature"]);
    dir.create("copy/keys.txt", format!("token={EXTRA_TOKEN}\n"));
    let copied = commit(&dir, "copy keys");
    let out = run_git(&dir, &[".", "--format", "json"]);
    let json = out.json();
    // Five more commits hold keys.txt: one finding there, at the first;
    // the copy is the same blob at another path (another identity).
    assert_eq!(
        locations(&json),
        vec![
            loc("github-pat-classic", "copy/keys.txt", 1, 7),
            loc("github-pat-classic", "keys.txt", 1, 7),
        ]
    );
    assert_eq!(json["findings"][0]["commit"], copied.as_str());
    assert_eq!(json["findings"][1]["commit"], first.as_str());
}

#[test]
fn fingerprints_include_the_commit_only_when_asked() {
    let dir = repo();
    dir.create("keys.txt", format!("token={EXTRA_TOKEN}\n"));
    let c = commit(&dir, "add keys");
    let plain = run_git(&dir, &[".", "--format", "json"]).json();
    let with = run_git(&dir, &[".", "--format", "json", "--fingerprint-commit"]).json();
    let scan = dir
        .cmd()
        .args(["scan", ".", "--format", "json"])
        .run()
        .json();
    use leakproof::finding::fingerprint;
    let base = fingerprint(
        "github-pat-classic",
        "keys.txt",
        EXTRA_TOKEN.as_bytes(),
        None,
    );
    assert_eq!(plain["findings"][0]["fingerprint"], base.as_str());
    assert_eq!(scan["findings"][0]["fingerprint"], base.as_str());
    assert_eq!(
        with["findings"][0]["fingerprint"],
        fingerprint(
            "github-pat-classic",
            "keys.txt",
            EXTRA_TOKEN.as_bytes(),
            Some(&c)
        )
        .as_str()
    );
}

#[test]
fn a_range_reports_only_what_its_commits_add() {
    let dir = repo();
    dir.create("old.env", format!("TOKEN={EXTRA_TOKEN}\n"));
    let base = commit(&dir, "old secret");
    dir.create("old.env", format!("TOKEN={EXTRA_TOKEN}\n# touched\n"));
    commit(&dir, "touch the old file");
    dir.create("new.env", format!("A=1\nTOKEN={LATER_TOKEN}\n"));
    let head = commit(&dir, "new secret");
    let out = run_git(
        &dir,
        &[
            ".",
            "--range",
            &format!("{base}..{head}"),
            "--format",
            "json",
        ],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    let json = out.json();
    assert_eq!(
        locations(&json),
        vec![loc("github-pat-classic", "new.env", 2, 7)]
    );
    assert_eq!(json["findings"][0]["commit"], head.as_str());
    let since = run_git(&dir, &[".", "--since", &base, "--format", "json"]);
    assert_eq!(
        locations(&since.json()),
        vec![loc("github-pat-classic", "new.env", 2, 7)]
    );
    // The whole history has both.
    assert_eq!(
        locations(&run_git(&dir, &[".", "--format", "json"]).json()).len(),
        2
    );
}

#[test]
fn an_empty_range_is_a_clean_exit_that_says_so() {
    let dir = repo();
    dir.create("a.txt", format!("TOKEN={EXTRA_TOKEN}\n"));
    commit(&dir, "one");
    let out = run_git(&dir, &[".", "--range", "HEAD..HEAD"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr
            .contains("the range HEAD..HEAD is empty: nothing scanned"),
        "{}",
        out.stderr
    );
}

#[test]
fn an_unresolvable_revision_fails_closed() {
    let dir = repo();
    dir.create("a.txt", "x\n");
    commit(&dir, "one");
    let out = run_git(&dir, &[".", "--range", "origin/main..HEAD"]);
    assert_eq!(out.code, 2);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.starts_with("leakproof: error: cannot resolve revision `origin/main`: revspec 'origin/main' not found; no branch, tag or commit of that name in this repository; a remote branch must be fetched first (e.g. `git fetch origin main` for origin/main)\n"),
        "{}",
        out.stderr
    );
    // History is not missing here: no shallow-clone advice.
    assert!(!out.stderr.contains("fetch-depth"), "{}", out.stderr);
    let date = run_git(&dir, &[".", "--since", "2024-01-01"]);
    assert_eq!(date.code, 2);
    assert!(
        date.stderr.starts_with("leakproof: error: cannot resolve revision `2024-01-01`: revspec '2024-01-01' not found; this takes a revision (a commit, tag or branch), not a date"),
        "{}",
        date.stderr
    );
    assert!(!date.stderr.contains("fetch-depth"), "{}", date.stderr);
    let bad = run_git(&dir, &[".", "--range", "HEAD"]);
    assert_eq!(bad.code, 2);
    assert_eq!(
        bad.stderr,
        "leakproof: error: `HEAD` is not a range: expected BASE..HEAD (e.g. origin/main..HEAD)\n"
    );
    let not_repo = Dir::new();
    let out = not_repo.cmd().args(["git", "."]).run();
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .starts_with("leakproof: error: .: not a git repository"),
        "{}",
        out.stderr
    );
}

#[test]
fn staged_scans_the_index_not_the_work_tree() {
    let dir = repo();
    dir.create("app.py", "print('hi')\n");
    commit(&dir, "initial");
    dir.create("staged.env", format!("TOKEN={EXTRA_TOKEN}\n"));
    git(&dir, &["add", "staged.env"]);
    dir.create("unstaged.env", format!("TOKEN={LATER_TOKEN}\n"));
    dir.create("app.py", format!("print('hi')\nKEY = '{LATER_TOKEN}'\n"));
    let out = run_git(&dir, &[".", "--staged", "--format", "json"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let json = out.json();
    assert_eq!(
        locations(&json),
        vec![loc("github-pat-classic", "staged.env", 1, 7)]
    );
    assert!(json["findings"][0].get("commit").is_none());
    // Nothing staged: clean.
    git(&dir, &["commit", "-q", "-m", "staged"]);
    let out = run_git(&dir, &[".", "--staged"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("no staged changes: nothing scanned"),
        "{}",
        out.stderr
    );
}

#[test]
fn staged_reports_only_added_lines_of_a_modified_file() {
    let dir = repo();
    dir.create("conf.env", format!("OLD={EXTRA_TOKEN}\n"));
    commit(&dir, "accepted long ago");
    dir.create(
        "conf.env",
        format!("OLD={EXTRA_TOKEN}\nNEW={LATER_TOKEN}\n"),
    );
    git(&dir, &["add", "conf.env"]);
    let out = run_git(&dir, &[".", "--staged", "--format", "json"]);
    assert_eq!(
        locations(&out.json()),
        vec![loc("github-pat-classic", "conf.env", 2, 5)]
    );
}

#[test]
fn an_empty_repository_is_clean_and_staged_files_are_scanned() {
    let dir = repo();
    let out = run_git(&dir, &["."]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("the repository has no commits: nothing scanned"),
        "{}",
        out.stderr
    );
    dir.create("first.env", format!("TOKEN={EXTRA_TOKEN}\n"));
    git(&dir, &["add", "first.env"]);
    let out = run_git(&dir, &[".", "--staged", "--format", "json"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        locations(&out.json()),
        vec![loc("github-pat-classic", "first.env", 1, 7)]
    );
}

#[test]
fn a_shallow_clone_scans_what_is_present_and_says_so() {
    let origin = repo();
    origin.create("old.env", format!("TOKEN={EXTRA_TOKEN}\n"));
    let old = commit(&origin, "old secret");
    std::fs::remove_file(origin.path().join("old.env")).unwrap();
    commit(&origin, "remove");
    origin.create("new.env", format!("TOKEN={LATER_TOKEN}\n"));
    commit(&origin, "new secret");
    let clone = Dir::new();
    let url = format!("file://{}", origin.path().display());
    git(&clone, &["clone", "-q", "--depth", "1", &url, "c"]);
    let out = clone.cmd().args(["git", "c", "--format", "json"]).run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        locations(&out.json()),
        vec![loc("github-pat-classic", "new.env", 1, 7)]
    );
    assert!(
        out.stderr
            .contains("history truncated: shallow clone, only the commits present were scanned"),
        "{}",
        out.stderr
    );
    // The base of a pull request is not in a depth-1 clone: fail closed.
    let out = clone
        .cmd()
        .args(["git", "c", "--range", &format!("{old}..HEAD")])
        .run();
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("fetch-depth: 0"), "{}", out.stderr);
}

#[test]
fn a_bare_repository_is_scanned() {
    let origin = repo();
    origin.create("deploy/key.env", format!("TOKEN={EXTRA_TOKEN}\n"));
    let c = commit(&origin, "add key");
    let bare = Dir::new();
    git(
        &bare,
        &[
            "clone",
            "-q",
            "--bare",
            &origin.path().display().to_string(),
            "b.git",
        ],
    );
    let out = bare.cmd().args(["git", "b.git", "--format", "json"]).run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    let json = out.json();
    assert_eq!(
        locations(&json),
        vec![loc("github-pat-classic", "deploy/key.env", 1, 7)]
    );
    assert_eq!(json["findings"][0]["commit"], c.as_str());
}

#[test]
fn branch_limits_the_history() {
    let dir = repo();
    dir.create("a.txt", "x\n");
    commit(&dir, "base");
    git(&dir, &["checkout", "-q", "-b", "topic"]);
    dir.create("t.env", format!("TOKEN={EXTRA_TOKEN}\n"));
    commit(&dir, "topic secret");
    git(&dir, &["checkout", "-q", "main"]);
    let main_only = run_git(&dir, &[".", "--branch", "main"]);
    assert_eq!(main_only.code, 0, "{}", main_only.stderr);
    let all = run_git(&dir, &[".", "--format", "json"]);
    assert_eq!(
        locations(&all.json()),
        vec![loc("github-pat-classic", "t.env", 1, 7)]
    );
}

#[test]
fn git_sarif_carries_commit_properties() {
    let dir = repo();
    dir.create("k.env", format!("TOKEN={EXTRA_TOKEN}\n"));
    let c = commit(&dir, "add");
    let out = run_git(&dir, &[".", "--format", "sarif"]);
    let doc = out.json();
    let result = &doc["runs"][0]["results"][0];
    assert_eq!(result["properties"]["commit"], c.as_str());
    assert_eq!(result["properties"]["author"], "Ann Dev <ann@example.com>");
}

#[test]
fn a_range_that_edits_the_config_says_so() {
    let dir = repo();
    dir.create("a.txt", "x\n");
    let base = commit(&dir, "base");
    dir.create(".leakproof.toml", "[allowlist]\nglobs = [\"**/*.env\"]\n");
    dir.create("new.env", format!("TOKEN={LATER_TOKEN}\n"));
    commit(&dir, "sneaky");
    let out = run_git(&dir, &[".", "--range", &format!("{base}..HEAD")]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "warning: the scanned changes modify .leakproof.toml, which can narrow what is reported: review it"
        ),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("1 suppressed by /"), "{}", out.stderr);
}

#[test]
fn a_key_replaced_inside_its_unchanged_pem_frame_is_found_again() {
    let dir = repo();
    let head = "# deploy key\n".repeat(30);
    dir.create("deploy/id_rsa", format!("{head}{}", rsa_pem(1)));
    let first = commit(&dir, "add key");
    // Only the body changes: the BEGIN line stays, 30 lines below an
    // unchanged header.
    dir.create("deploy/id_rsa", format!("{head}{}", rsa_pem(2)));
    let second = commit(&dir, "rotate key");
    let out = run_git(&dir, &[".", "--format", "json"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let json = out.json();
    assert_eq!(
        locations(&json),
        vec![
            loc("private-key-rsa", "deploy/id_rsa", 31, 1),
            loc("private-key-rsa", "deploy/id_rsa", 31, 1),
        ]
    );
    let commits: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["commit"].as_str().unwrap())
        .collect();
    assert!(
        commits.contains(&first.as_str()) && commits.contains(&second.as_str()),
        "{commits:?}"
    );
}

#[test]
fn a_secret_added_to_the_middle_of_a_long_file_is_found_at_its_line() {
    let dir = repo();
    let lines: Vec<String> = (1..=400).map(|i| format!("setting_{i} = {i}")).collect();
    dir.create("conf/big.ini", lines.join("\n") + "\n");
    commit(&dir, "add settings");
    let mut edited = lines.clone();
    edited[249] = format!("github_token = {EXTRA_TOKEN}");
    dir.create("conf/big.ini", edited.join("\n") + "\n");
    let added = commit(&dir, "add a token");
    // Later edits elsewhere in the file do not report it again.
    edited[10] = "setting_11 = eleven".to_string();
    dir.create("conf/big.ini", edited.join("\n") + "\n");
    commit(&dir, "edit elsewhere");
    let out = run_git(&dir, &[".", "--format", "json"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let json = out.json();
    assert_eq!(
        locations(&json),
        vec![loc("github-pat-classic", "conf/big.ini", 250, 16)]
    );
    assert_eq!(json["findings"][0]["commit"], added.as_str());
}

/// A random-looking value with no provider format: only its context
/// makes it a secret.
const RANDOM_VALUE: &str = "Zx8kQ2mN4pR7tV1wY3bC6dF9gH0jL5sA";

#[test]
fn a_key_and_value_joined_by_a_deleted_line_are_found() {
    let dir = repo();
    // The value line alone is no finding; it becomes one when the line
    // between it and its key goes away, though neither line changes.
    dir.create(
        "deploy/values.yaml",
        format!("env:\n  - name: API_SECRET\n    # rotated monthly\n    value: {RANDOM_VALUE}\n"),
    );
    commit(&dir, "add values");
    let before = run_git(&dir, &[".", "--format", "json"]);
    assert_eq!(before.code, 0, "{}", before.stdout);
    dir.create(
        "deploy/values.yaml",
        format!("env:\n  - name: API_SECRET\n    value: {RANDOM_VALUE}\n"),
    );
    let joined = commit(&dir, "drop the description");
    let json = run_git(&dir, &[".", "--format", "json"]).json();
    assert_eq!(
        locations(&json),
        vec![loc("generic-secret", "deploy/values.yaml", 3, 12)]
    );
    assert_eq!(json["findings"][0]["commit"], joined.as_str());
}

// The pull-request and pre-commit gates: ranges, --since and --staged
// report every secret that the changes add, whatever the repository says
// about its own files.

/// `leakproof git --format json ARGS` in `dir`; asserts the exit code and
/// returns the report.
fn gate_json(dir: &Dir, args: &[&str], code: i32) -> serde_json::Value {
    let out = run_git(dir, &[&[".", "--format", "json"], args].concat());
    assert_eq!(out.code, code, "{args:?}: {}", out.stderr);
    out.json()
}

/// The finding locations of [`gate_json`].
fn gate(dir: &Dir, args: &[&str], code: i32) -> Vec<(String, String, u64, u64)> {
    locations(&gate_json(dir, args, code))
}

/// The three ways a `.gitattributes` line makes git treat files as binary:
/// the attribute line and the git config it needs.
const BINARY_ATTRIBUTES: [(&str, Option<(&str, &str)>); 3] = [
    ("-diff", None),
    ("binary", None),
    ("diff=opaque", Some(("diff.opaque.binary", "true"))),
];

#[test]
fn gitattributes_do_not_hide_files_from_ranges_or_the_index() {
    for (attribute, config) in BINARY_ATTRIBUTES {
        let dir = repo();
        if let Some((key, value)) = config {
            git(&dir, &["config", key, value]);
        }
        dir.create("README.md", "hello\n");
        let base = commit(&dir, "base");
        dir.create(".gitattributes", format!("*.env {attribute}\n"));
        dir.create("app.env", format!("MODE=prod\nTOKEN={EXTRA_TOKEN}\n"));
        commit(&dir, "hide a token");
        let expected = vec![loc("github-pat-classic", "app.env", 2, 7)];
        let range = format!("{base}..HEAD");
        assert_eq!(gate(&dir, &["--range", &range], 1), expected, "{attribute}");
        assert_eq!(gate(&dir, &["--since", &base], 1), expected, "{attribute}");
        // The attribute already committed, a token staged into a file it
        // covers.
        dir.create(
            "app.env",
            format!("MODE=prod\nTOKEN={EXTRA_TOKEN}\nNEXT={LATER_TOKEN}\n"),
        );
        git(&dir, &["add", "app.env"]);
        assert_eq!(
            gate(&dir, &["--staged"], 1),
            vec![loc("github-pat-classic", "app.env", 3, 6)],
            "{attribute}"
        );
    }
}

#[test]
fn gitattributes_do_not_get_a_commit_past_the_installed_hook() {
    use crate::install_hook::{git_hooked, install_hook};
    let dir = repo();
    let out = install_hook(&dir, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    dir.create(".gitattributes", "* -diff\n");
    dir.create("app.py", format!("KEY = '{LATER_TOKEN}'\n"));
    git(&dir, &["add", "-A"]);
    let blocked = git_hooked(&dir, &["commit", "-q", "-m", "hidden"]);
    assert_eq!(blocked.code, 1, "{}", blocked.stderr);
    assert!(
        blocked
            .stderr
            .starts_with("app.py:1:8  github-pat-classic  critical  ghp_*****"),
        "{}",
        blocked.stderr
    );
    let head = git_hooked(&dir, &["rev-parse", "--verify", "-q", "HEAD"]);
    assert_eq!(head.code, 1, "the commit went through: {}", head.stdout);
}

#[test]
fn binary_private_keys_are_reported_by_ranges_and_the_index() {
    let dir = repo();
    dir.create("README.md", "hello\n");
    let base = commit(&dir, "base");
    dir.create("certs/client.der", ed25519_der());
    commit(&dir, "add a key");
    let expected = vec![loc("private-key-pkcs8", "certs/client.der", 1, 1)];
    assert_eq!(
        gate(&dir, &["--range", &format!("{base}..HEAD")], 1),
        expected
    );
    let head = git(&dir, &["rev-parse", "HEAD"]);
    // A rotated key: a modified binary file is a new key, reported whole.
    dir.create("certs/client.der", ed25519_der_rotated());
    git(&dir, &["add", "certs/client.der"]);
    assert_eq!(gate(&dir, &["--staged"], 1), expected);
    commit(&dir, "rotate the key");
    assert_eq!(
        gate(&dir, &["--range", &format!("{head}..HEAD")], 1),
        expected
    );
}

/// A second synthetic Ed25519 PKCS#8 key: `ed25519_der` with another
/// private scalar.
fn ed25519_der_rotated() -> Vec<u8> {
    let mut der = ed25519_der();
    let last = der.len() - 1;
    der[last] ^= 0x5a;
    der
}

#[test]
fn an_evil_merge_is_reported_by_a_range() {
    let dir = repo();
    dir.create("conf.env", "MODE=dev\n");
    let base = commit(&dir, "base");
    git(&dir, &["checkout", "-q", "-b", "feature"]);
    dir.create("conf.env", "MODE=feature\n");
    commit(&dir, "feature mode");
    git(&dir, &["checkout", "-q", "main"]);
    dir.create("conf.env", "MODE=main\n");
    commit(&dir, "main mode");
    git(&dir, &["checkout", "-q", "feature"]);
    // The merge conflicts; its resolution and an extra file both add a
    // token that neither parent has.
    let merge = Command::new("git")
        .args(["merge", "-q", "main"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(!merge.status.success(), "the merge should conflict");
    dir.create("conf.env", format!("MODE=both\nTOKEN={EXTRA_TOKEN}\n"));
    dir.create("extra.env", format!("TOKEN={LATER_TOKEN}\n"));
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "--no-edit"]);
    let merge_commit = git(&dir, &["rev-parse", "HEAD"]);
    let json = gate_json(&dir, &["--range", &format!("{base}..HEAD")], 1);
    assert_eq!(
        locations(&json),
        vec![
            loc("github-pat-classic", "conf.env", 2, 7),
            loc("github-pat-classic", "extra.env", 1, 7),
        ]
    );
    for f in json["findings"].as_array().unwrap() {
        assert_eq!(f["commit"], merge_commit.as_str());
    }
}

#[test]
fn a_range_does_not_report_what_a_merge_brings_from_the_base_branch() {
    let dir = repo();
    dir.create("README.md", "hello\n");
    commit(&dir, "base");
    git(&dir, &["checkout", "-q", "-b", "feature"]);
    dir.create("feature.txt", "work\n");
    commit(&dir, "feature work");
    git(&dir, &["checkout", "-q", "main"]);
    // main gains a secret (accepted there, or reported by main's own scan).
    dir.create("main.env", format!("TOKEN={EXTRA_TOKEN}\n"));
    dir.create("README.md", format!("hello\nTOKEN={LATER_TOKEN}\n"));
    commit(&dir, "main secrets");
    git(&dir, &["checkout", "-q", "feature"]);
    git(&dir, &["merge", "-q", "--no-edit", "main"]);
    // The feature branch then adds and removes a secret of its own.
    dir.create("feature.txt", format!("work\nTOKEN={EXTRA_TOKEN}\n"));
    let added = commit(&dir, "oops");
    dir.create("feature.txt", "work\n");
    commit(&dir, "remove it");
    let json = gate_json(&dir, &["--range", "main..feature"], 1);
    assert_eq!(
        locations(&json),
        vec![loc("github-pat-classic", "feature.txt", 2, 7)]
    );
    assert_eq!(json["findings"][0]["commit"], added.as_str());
}

#[test]
fn staged_and_unstaged_fail_closed_without_an_index_or_a_work_tree() {
    let dir = repo();
    dir.create("a.env", format!("TOKEN={EXTRA_TOKEN}\n"));
    git(&dir, &["add", "a.env"]);
    let missing = dir.path().join("no-such-index");
    commit(&dir, "one");
    let bare = Dir::new();
    let origin = dir.path().display().to_string();
    git(&bare, &["clone", "-q", "--bare", &origin, "b.git"]);
    for (option, changes) in [("--staged", "staged"), ("--unstaged", "unstaged")] {
        let out = dir
            .cmd()
            .args(["git", ".", option])
            .env("GIT_INDEX_FILE", &missing)
            .run();
        assert_eq!(out.code, 2, "{option}: {}", out.stderr);
        assert_eq!(
            out.stderr,
            format!(
                "leakproof: error: cannot read the index: GIT_INDEX_FILE names {}, which does not exist\n",
                missing.display()
            )
        );
        let out = bare.cmd().args(["git", "b.git", option]).run();
        assert_eq!(out.code, 2, "{option}: {}", out.stderr);
        let expected = format!(
            "leakproof: error: {option} needs a work tree: {}/b.git/ is a bare repository, which has no {changes} changes\n",
            bare.path().display()
        );
        assert_eq!(out.stderr, expected);
    }
}

#[test]
fn a_nul_after_git_s_first_8000_bytes_does_not_make_a_blob_binary() {
    let mut data = format!("TOKEN={EXTRA_TOKEN}\n").into_bytes();
    data.resize(8100, b'a');
    data.push(0);
    data.extend_from_slice(b"\n");
    let dir = repo();
    dir.create("README.md", "hello\n");
    let base = commit(&dir, "base");
    dir.create("late-nul.txt", &data);
    git(&dir, &["add", "late-nul.txt"]);
    let expected = vec![loc("github-pat-classic", "late-nul.txt", 1, 7)];
    assert_eq!(gate(&dir, &["--staged"], 1), expected);
    commit(&dir, "add");
    assert_eq!(
        gate(&dir, &["--range", &format!("{base}..HEAD")], 1),
        expected
    );
    assert_eq!(gate(&dir, &[], 1), expected);
    // The file on disk follows the same rule.
    let scan = dir.cmd().args(["scan", ".", "--format", "json"]).run();
    assert_eq!(locations(&scan.json()), expected, "{}", scan.stderr);
    // git itself calls it text.
    let numstat = git(&dir, &["diff", "--numstat", &base, "HEAD"]);
    assert!(numstat.starts_with("2\t0\t"), "{numstat}");
}

/// A third synthetic token.
const THIRD_TOKEN: &str = "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";
/// A fourth synthetic token.
const FOURTH_TOKEN: &str = "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";

#[test]
fn unstaged_scans_the_work_tree_against_the_index() {
    let dir = repo();
    dir.create(".gitignore", "*.log\n");
    dir.create(".gitattributes", "*.env -diff\n");
    dir.create("conf.env", format!("OLD={EXTRA_TOKEN}\n"));
    dir.create("gone.env", format!("OLD={EXTRA_TOKEN}\n"));
    dir.create("crlf.txt", format!("a = 1\nb = {EXTRA_TOKEN}\n"));
    commit(&dir, "accepted long ago");
    // Staged, not unstaged: --staged's business.
    dir.create(
        "conf.env",
        format!("OLD={EXTRA_TOKEN}\nSTAGED={LATER_TOKEN}\n"),
    );
    git(&dir, &["add", "conf.env"]);
    // Then edited again in the work tree, under the -diff attribute.
    dir.create(
        "conf.env",
        format!("OLD={EXTRA_TOKEN}\nSTAGED={LATER_TOKEN}\nWORK={THIRD_TOKEN}\n"),
    );
    // Untracked and not ignored: reported whole; ignored: not scanned.
    dir.create("new/dir/app.py", format!("# app\nKEY = '{FOURTH_TOKEN}'\n"));
    dir.create("debug.log", format!("TOKEN={THIRD_TOKEN}\n"));
    // Deleted: adds nothing. CRLF line endings: only the new line is new.
    std::fs::remove_file(dir.path().join("gone.env")).unwrap();
    dir.create(
        "crlf.txt",
        format!("a = 1\r\nb = {EXTRA_TOKEN}\r\ntoken = {LATER_TOKEN}\r\n"),
    );
    assert_eq!(
        gate(&dir, &["--unstaged"], 1),
        vec![
            loc("github-pat-classic", "conf.env", 3, 6),
            loc("github-pat-classic", "crlf.txt", 3, 9),
            loc("github-pat-classic", "new/dir/app.py", 2, 8),
        ]
    );
    // The index is untouched by it; --staged still sees its own change.
    assert_eq!(
        gate(&dir, &["--staged"], 1),
        vec![loc("github-pat-classic", "conf.env", 2, 8)]
    );
    // Nothing unstaged: clean, and it says so.
    git(&dir, &["add", "-A"]);
    let out = run_git(&dir, &[".", "--unstaged"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("no unstaged changes: nothing scanned"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_range_reports_a_blob_copied_out_of_an_allowlisted_path() {
    let dir = repo();
    dir.create(
        ".leakproof.toml",
        "[allowlist]\nglobs = [\"testdata/**\"]\n",
    );
    let base = commit(&dir, "base");
    dir.create("testdata/fake.env", format!("TOKEN={EXTRA_TOKEN}\n"));
    commit(&dir, "a test fixture");
    dir.create("config/prod.env", format!("TOKEN={EXTRA_TOKEN}\n"));
    let copied = commit(&dir, "the same bytes, in production config");
    let json = gate_json(&dir, &["--range", &format!("{base}..HEAD")], 1);
    assert_eq!(
        locations(&json),
        vec![loc("github-pat-classic", "config/prod.env", 1, 7)]
    );
    assert_eq!(json["findings"][0]["commit"], copied.as_str());
}
