//! The CI report formats: SARIF at GitHub's scale, GitLab's
//! secret-detection report against GitLab's published schema, CSV and
//! JUnit; and the commit of a history finding in every format.

use crate::formats::assert_valid_sarif;
use crate::git::{commit, repo};
use crate::util::*;

/// A tree with `n` distinct findings of the test pack's `acme-api-key`.
fn many_findings(n: usize) -> Dir {
    let dir = Dir::new();
    let alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut text = String::with_capacity(n * 48);
    for _ in 0..n {
        text.push_str("ACME_KEY=acme_");
        for _ in 0..32 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            text.push(char::from(
                alphabet[(state >> 33) as usize % alphabet.len()],
            ));
        }
        text.push('\n');
    }
    dir.create("keys.txt", text);
    dir
}

fn acme_scan(dir: &Dir, format: &str) -> Output {
    let pack = fixtures().join("packs/valid/extra.toml");
    dir.cmd()
        .args([
            "scan",
            ".",
            "--enable-rule",
            "acme-api-key",
            "--format",
            format,
        ])
        .arg_path("--rules", &pack)
        .run()
}

#[test]
fn sarif_splits_30000_results_into_runs_github_accepts() {
    let dir = many_findings(30_000);
    let out = acme_scan(&dir, "sarif");
    assert_eq!(out.code, 1, "{}", out.stderr);
    let doc = out.json();
    let runs = doc["runs"].as_array().unwrap();
    let sizes: Vec<usize> = runs
        .iter()
        .map(|r| r["results"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes.iter().sum::<usize>(), 30_000);
    assert!(sizes.iter().all(|&n| n <= 25_000), "{sizes:?}");
    assert_eq!(sizes.len(), 2, "{sizes:?}");
    // GitHub refuses two runs of one tool in one category.
    let ids: Vec<&str> = runs
        .iter()
        .map(|r| r["automationDetails"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["leakproof/1/", "leakproof/2/"]);
    assert!(
        out.stderr.contains(
            "leakproof: warning: SARIF: 30000 results are over GitHub code scanning's limit of 25,000 results per run: written as 2 runs"
        ),
        "{}",
        out.stderr
    );
    assert_valid_sarif(&doc);
}

#[test]
fn sarif_uris_stay_relative_for_absolute_arguments() {
    let dir = Dir::with_tree();
    let tree = std::fs::canonicalize(dir.path().join("tree")).unwrap();
    let env = tree.join(".env");
    for target in [&tree, &env] {
        let out = dir
            .cmd()
            .args(["scan", "--format", "sarif"])
            .arg_path("", target)
            .run();
        assert_eq!(out.code, 1, "{}", out.stderr);
        let doc = out.json();
        assert_valid_sarif(&doc);
        let loc =
            &doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(loc["uri"], ".env", "{target:?}");
        assert_eq!(loc["uriBaseId"], "%SRCROOT%");
        assert_eq!(
            doc["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"],
            format!("file://{}/", tree.display())
        );
    }
}

fn gitlab_validator() -> jsonschema::Validator {
    let path = manifest_dir().join("tests/data/gitlab-secret-detection-report-format-15.2.4.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

pub fn assert_valid_gitlab(doc: &serde_json::Value) {
    assert_valid(&gitlab_validator(), doc, "GitLab");
}

#[test]
fn gitlab_report_validates_against_gitlabs_schema() {
    let dir = Dir::with_tree();
    let out = dir.cmd().args(["scan", "tree", "--format", "gitlab"]).run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    let doc = out.json();
    assert_valid_gitlab(&doc);
    assert_eq!(doc["version"], "15.2.4");
    assert_eq!(doc["scan"]["type"], "secret_detection");
    assert_eq!(doc["scan"]["status"], "success");
    let got: Vec<(String, String, String, u64)> = doc["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            assert_eq!(v["category"], "secret_detection");
            assert_eq!(v["location"]["commit"]["sha"], "0000000");
            (
                v["identifiers"][0]["value"].as_str().unwrap().to_string(),
                v["severity"].as_str().unwrap().to_string(),
                v["location"]["file"].as_str().unwrap().to_string(),
                v["location"]["start_line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "github-pat-classic".into(),
                "Critical".into(),
                ".env".into(),
                3
            ),
            (
                "github-pat-classic".into(),
                "Critical".into(),
                "config/deploy.yaml".into(),
                5
            ),
        ]
    );
    assert!(!out.stdout.contains(ENV_TOKEN), "redacted by default");
    // The schema check itself can fail: a report without its commit.
    let mut bad = doc.clone();
    bad["vulnerabilities"][0]["location"]
        .as_object_mut()
        .unwrap()
        .remove("commit");
    assert!(!gitlab_validator().is_valid(&bad));
}

#[test]
fn history_findings_carry_their_commit_in_every_format() {
    let dir = repo();
    dir.create("app.env", format!("TOKEN={EXTRA_TOKEN}\n"));
    let id = commit(&dir, "add \"the\" token, by mistake");
    let short = &id[..12];
    let run = |format: &str| {
        let out = dir.cmd().args(["git", ".", "--format", format]).run();
        assert_eq!(out.code, 1, "{format}: {}", out.stderr);
        out.stdout
    };
    let text = run("text");
    assert!(
        text.contains(&format!(
            "  commit={short} author=\"Ann Dev <ann@example.com>\" date=2024-05-06T07:08:09+02:00 message=\"add \\\"the\\\" token, by mistake\"\n"
        )),
        "{text}"
    );
    let line = format!(
        "{short} by Ann Dev <ann@example.com> on 2024-05-06T07:08:09+02:00: add \"the\" token, by mistake"
    );
    assert!(run("markdown").contains(&format!("`{line}`")), "markdown");
    assert!(
        run("github").contains(&format!(". Commit {line}")),
        "github"
    );
    let junit = run("junit");
    assert!(
        junit.contains(&format!(
            "commit: {short} by Ann Dev &lt;ann@example.com&gt; on 2024-05-06T07:08:09+02:00: add &quot;the&quot; token, by mistake"
        )),
        "{junit}"
    );
    let csv = run("csv");
    assert!(
        csv.lines().nth(1).unwrap().ends_with(&format!(
            ",{id},Ann Dev <ann@example.com>,2024-05-06T07:08:09+02:00,\"add \"\"the\"\" token, by mistake\""
        )),
        "{csv}"
    );
    let gitlab: serde_json::Value = serde_json::from_str(&run("gitlab")).unwrap();
    assert_valid_gitlab(&gitlab);
    let c = &gitlab["vulnerabilities"][0]["location"]["commit"];
    assert_eq!(c["sha"], id.as_str());
    assert_eq!(c["message"], "add \"the\" token, by mistake");
    let json: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    assert_eq!(
        json["findings"][0]["message"],
        "add \"the\" token, by mistake"
    );
    let sarif: serde_json::Value = serde_json::from_str(&run("sarif")).unwrap();
    assert_eq!(
        sarif["runs"][0]["results"][0]["properties"]["commitMessage"],
        "add \"the\" token, by mistake"
    );
}

#[test]
fn csv_and_junit_list_each_finding() {
    let dir = Dir::with_tree();
    let csv = dir.cmd().args(["scan", "tree", "--format", "csv"]).run();
    assert_eq!(csv.code, 1);
    let lines: Vec<&str> = csv.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "rule_id,rule_name,severity,path,line,column,end_line,end_column,secret,decoding,fingerprint,commit,author,date,message"
    );
    assert!(
        lines[1].starts_with(
            "github-pat-classic,GitHub personal access token (classic),critical,tree/.env,3,14,3,54,ghp_*****,"
        ),
        "{}",
        lines[1]
    );
    assert!(lines[2].starts_with("github-pat-classic,GitHub personal access token (classic),critical,tree/config/deploy.yaml,5,13,5,53,ghp_*****,"));
    assert_eq!(lines.len(), 3);
    let junit = dir.cmd().args(["scan", "tree", "--format", "junit"]).run();
    assert_eq!(junit.code, 1);
    assert!(junit.stdout.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"leakproof\" tests=\"2\" failures=\"2\""), "{}", junit.stdout);
    assert!(junit.stdout.contains(
        "    <testcase classname=\"github-pat-classic\" name=\"tree/.env:3:14\" file=\"tree/.env\" line=\"3\">\n      <failure type=\"github-pat-classic\" message=\"GitHub personal access token (classic) (critical) at tree/.env:3:14\">"
    ), "{}", junit.stdout);
    let clean = Dir::new();
    clean.create("a.txt", "nothing here\n");
    let pass = clean.cmd().args(["scan", ".", "--format", "junit"]).run();
    assert_eq!(pass.code, 0);
    assert!(
        pass.stdout.contains("tests=\"1\" failures=\"0\""),
        "{}",
        pass.stdout
    );
    assert!(
        pass.stdout
            .contains("<testcase classname=\"leakproof\" name=\"no secrets found\"")
    );
}
