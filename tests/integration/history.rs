//! `leakproof git` over a full history: what scanning every version of
//! every file whole finds is found (issue #11 items 5-11), each blob is
//! reported at every path that holds it (#13), at the first commit in
//! ancestry order.

use std::process::Command;

use crate::git::{LATER_TOKEN, commit, git, repo};
use crate::util::*;

/// A random-looking value with no provider format.
const VALUE: &str = "Zx8kQ2mN4pR7tV1wY3bC";

fn history(dir: &Dir, extra: &[&str]) -> serde_json::Value {
    let out = dir
        .cmd()
        .args(["git", ".", "--format", "json", "--show-secrets"])
        .args(extra)
        .run();
    assert!(out.code == 0 || out.code == 1, "{}", out.stderr);
    out.json()
}

/// (rule, path, line, commit) of every finding.
fn found(json: &serde_json::Value) -> Vec<(String, String, u64, String)> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["commit"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn at(rule: &str, path: &str, line: u64, commit: &str) -> (String, String, u64, String) {
    (rule.to_string(), path.to_string(), line, commit.to_string())
}

#[test]
fn a_match_whose_line_pairs_were_all_seen_before_is_found() {
    // Every (previous line, line) pair of the second version stands in the
    // first; only the three lines together match.
    let dir = repo();
    dir.create(
        "main.tf",
        format!(
            "variable \"db_password\" {{\n  type = string\n}}\nvariable \"region\" {{\n  type = string\n  default = \"{VALUE}\"\n}}\n"
        ),
    );
    commit(&dir, "variables");
    dir.create(
        "main.tf",
        format!("variable \"db_password\" {{\n  type = string\n  default = \"{VALUE}\"\n}}\n"),
    );
    let second = commit(&dir, "one variable");
    assert_eq!(
        found(&history(&dir, &[])),
        [at("generic-password", "main.tf", 3, &second)]
    );
}

#[test]
fn a_match_longer_than_twelve_lines_is_found_when_its_end_changes() {
    let dir = repo();
    let notes = "  # note\n".repeat(15);
    dir.create(
        "main.tf",
        format!("variable \"db_password\" {{\n{notes}}}\n"),
    );
    commit(&dir, "variable");
    dir.create(
        "main.tf",
        format!("variable \"db_password\" {{\n{notes}  default = \"{VALUE}\"\n}}\n"),
    );
    let second = commit(&dir, "default");
    assert_eq!(
        found(&history(&dir, &[])),
        [at("generic-password", "main.tf", 17, &second)]
    );
}

#[test]
fn a_keyword_anywhere_rule_sees_a_key_when_its_keyword_comes_back() {
    let key = "SK4f1c9e0b7a2d6358c1e9f0a4b7d2c6e3";
    let dir = repo();
    dir.create("app.cfg", "# twilio\nmode = 1\n");
    commit(&dir, "keyword");
    dir.create("app.cfg", "mode = 1\n");
    commit(&dir, "keyword gone");
    dir.create("app.cfg", format!("mode = 1\nsid = {key}\n"));
    commit(&dir, "key without its keyword: no finding");
    // Every line and every pair of lines was seen before.
    dir.create("app.cfg", format!("# twilio\nmode = 1\nsid = {key}\n"));
    let back = commit(&dir, "keyword back");
    let json = history(&dir, &[]);
    assert_eq!(found(&json), [at("twilio-api-key", "app.cfg", 3, &back)]);
    assert_eq!(json["findings"][0]["secret"], key);
}

#[test]
fn a_rule_whose_keyword_is_far_from_its_match_runs_over_the_whole_file() {
    // `AWS_S3_SECRET_KEY` holds none of the rule's keywords; the `AKIA`
    // id 16 lines up does.
    let dir = repo();
    let filler = "# filler\n".repeat(15);
    dir.create(
        "deploy.env",
        format!("AWS_ACCESS_KEY_ID=AKIAQX7MZP2RT6WLCKBN\n{filler}"),
    );
    let first = commit(&dir, "id");
    dir.create(
        "deploy.env",
        format!(
            "AWS_ACCESS_KEY_ID=AKIAQX7MZP2RT6WLCKBN\n{filler}AWS_S3_SECRET_KEY=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\n"
        ),
    );
    let second = commit(&dir, "secret");
    assert_eq!(
        found(&history(&dir, &[])),
        [
            at("aws-access-key-id", "deploy.env", 1, &first),
            at("aws-secret-access-key", "deploy.env", 17, &second),
        ]
    );
}

#[test]
fn a_blob_first_seen_under_an_allowlisted_path_is_reported_where_it_is_not() {
    let dir = repo();
    dir.create(
        ".leakproof.toml",
        "[allowlist]\npaths = ['''^testdata/''']\n",
    );
    let content = format!("GITHUB_TOKEN={EXTRA_TOKEN}\n");
    dir.create("testdata/prod.env", &content);
    commit(&dir, "fixture");
    dir.create("config/prod.env", &content);
    let copied = commit(&dir, "copy the fixture");
    let json = history(&dir, &[]);
    assert_eq!(
        found(&json),
        [at("github-pat-classic", "config/prod.env", 1, &copied)]
    );
    assert_eq!(json["summary"]["suppressed"]["allowlist"], 1);
}

#[test]
fn a_suppression_removed_later_reports_from_that_version() {
    let dir = repo();
    dir.create(
        "app.env",
        format!("TOKEN={EXTRA_TOKEN} # leakproof:allow\n"),
    );
    commit(&dir, "accepted");
    dir.create("app.env", format!("TOKEN={EXTRA_TOKEN}\n"));
    let removed = commit(&dir, "marker removed");
    assert_eq!(
        found(&history(&dir, &[])),
        [at("github-pat-classic", "app.env", 1, &removed)]
    );
}

#[test]
fn tags_naming_a_blob_or_a_tree_are_scanned() {
    let dir = repo();
    dir.create("README.md", "hello\n");
    commit(&dir, "initial");
    dir.create("loose.env", format!("GITHUB_TOKEN={EXTRA_TOKEN}\n"));
    let blob = git(&dir, &["hash-object", "-w", "loose.env"]);
    git(&dir, &["tag", "a-blob", &blob]);
    std::fs::remove_file(dir.path().join("loose.env")).unwrap();
    dir.create("tree/app.env", format!("GITHUB_TOKEN={LATER_TOKEN}\n"));
    git(&dir, &["add", "tree/app.env"]);
    let tree = git(&dir, &["write-tree", "--prefix=tree/"]);
    git(&dir, &["tag", "-a", "-m", "a tree", "a-tree", &tree]);
    git(&dir, &["rm", "-q", "--cached", "tree/app.env"]);
    assert_eq!(
        found(&history(&dir, &[])),
        [
            at("github-pat-classic", "refs/tags/a-blob", 1, ""),
            at("github-pat-classic", "refs/tags/a-tree:app.env", 1, ""),
        ]
    );
}

#[test]
fn attribution_follows_ancestry_not_commit_dates() {
    let dir = repo();
    let commit_at = |message: &str, date: &str| {
        git(&dir, &["add", "-A"]);
        let out = Command::new("git")
            .args(["commit", "-q", "-m", message])
            .current_dir(dir.path())
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .output()
            .unwrap();
        assert!(out.status.success());
        git(&dir, &["rev-parse", "HEAD"])
    };
    dir.create("app.env", format!("MODE=prod\nTOKEN={EXTRA_TOKEN}\n"));
    let parent = commit_at("add", "2024-05-06T07:08:09+00:00");
    // The child, dated four years before its parent, edits the line next
    // to the token.
    dir.create("app.env", format!("MODE=dev\nTOKEN={EXTRA_TOKEN}\n"));
    commit_at("edit", "2020-05-06T07:08:09+00:00");
    assert_eq!(
        found(&history(&dir, &[])),
        [at("github-pat-classic", "app.env", 2, &parent)]
    );
}
