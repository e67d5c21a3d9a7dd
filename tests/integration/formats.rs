//! Output formats: exact text, JSON fields, SARIF against the official
//! schema, GitHub workflow commands, and `--output`.

use leakproof::finding::fingerprint;

use crate::util::*;

fn fp(path: &str, secret: &str) -> String {
    fingerprint("github-pat-classic", path, secret.as_bytes(), None)
}

#[test]
fn text_lists_one_line_per_finding() {
    let dir = Dir::with_tree();
    let out = dir.cmd().args(["scan", "tree"]).run();
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stdout,
        format!(
            "tree/.env:3:14  github-pat-classic  critical  ghp_*****  fingerprint={}\n\
             tree/config/deploy.yaml:5:13  github-pat-classic  critical  ghp_*****  fingerprint={}\n",
            fp(".env", ENV_TOKEN),
            fp("config/deploy.yaml", DEPLOY_TOKEN)
        )
    );
    assert!(
        out.stderr.starts_with("leakproof: scanned 4 files ("),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("; 2 findings; 3 suppressed (entropy 1, superseded 2)"),
        "{}",
        out.stderr
    );
}

#[test]
fn fingerprints_do_not_depend_on_where_the_scan_runs() {
    let dir = Dir::with_tree();
    let from_root = dir
        .cmd()
        .args(["scan", "tree", "--format", "json"])
        .run()
        .json();
    let mut inside = dir.cmd().args(["scan", ".", "--format", "json"]);
    inside.command.current_dir(dir.path().join("tree"));
    let inside = inside.run().json();
    assert_eq!(
        from_root["findings"][0]["fingerprint"],
        inside["findings"][0]["fingerprint"]
    );
    assert_eq!(inside["findings"][0]["path"], ".env");
}

#[test]
fn json_carries_every_documented_field() {
    let dir = Dir::with_tree();
    let out = dir
        .cmd()
        .args(["scan", "tree/.env", "--format", "json", "--show-secrets"])
        .run();
    let json = out.json();
    let f = &json["findings"][0];
    assert_eq!(f["rule_id"], "github-pat-classic");
    assert_eq!(f["rule_name"], "GitHub personal access token (classic)");
    assert_eq!(f["severity"], "critical");
    assert_eq!(f["confidence"], "high");
    assert_eq!(f["path"], "tree/.env");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(3), Some(14))
    );
    assert_eq!(
        (f["end_line"].as_u64(), f["end_column"].as_u64()),
        (Some(3), Some(54))
    );
    assert_eq!(f["secret"], ENV_TOKEN);
    assert_eq!(f["match"], ENV_TOKEN);
    assert_eq!(f["fingerprint"], fp("tree/.env", ENV_TOKEN));
    assert_eq!(json["summary"]["files_scanned"], 1);
    assert_eq!(json["summary"]["findings"], 1);
    assert_eq!(json["notices"], serde_json::json!([]));
}

pub fn sarif_validator() -> jsonschema::Validator {
    let schema_path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-2.1.0.json");
    // The official schema's `run.language` pattern ends in `]?$`, a stray
    // `]` that ECMAScript reads as a literal but the meta-schema's `regex`
    // format check (Rust regex syntax) rejects. Escape it, which keeps the
    // ECMAScript meaning; the file itself stays a verbatim copy.
    let text = std::fs::read_to_string(schema_path)
        .unwrap()
        .replace(r#"-[a-zA-Z]{2}]?$""#, r#"-[a-zA-Z]{2}\\]?$""#);
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

pub fn assert_valid_sarif(doc: &serde_json::Value) {
    assert_valid(&sarif_validator(), doc, "SARIF");
}

#[test]
fn sarif_validates_and_locates_each_result() {
    // Outside a git work tree, a finding's identity (the SARIF uri, as in
    // the fingerprint) is relative to the scanned directory.
    let dir = Dir::with_tree();
    let out = dir.cmd().args(["scan", "tree", "--format", "sarif"]).run();
    assert_eq!(out.code, 1);
    let doc = out.json();
    assert_valid_sarif(&doc);
    assert_eq!(doc["version"], "2.1.0");
    let run = &doc["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let gh = rules
        .iter()
        .find(|r| r["id"] == "github-pat-classic")
        .unwrap();
    assert!(
        gh["help"]["text"]
            .as_str()
            .unwrap()
            .contains("Remediation: Revoke")
    );
    assert_eq!(gh["properties"]["security-severity"], "9.5");
    let results = run["results"].as_array().unwrap();
    let got: Vec<(String, String, u64, u64, String, String)> = results
        .iter()
        .map(|r| {
            let loc = &r["locations"][0]["physicalLocation"];
            (
                r["ruleId"].as_str().unwrap().to_string(),
                loc["artifactLocation"]["uri"].as_str().unwrap().to_string(),
                loc["region"]["startLine"].as_u64().unwrap(),
                loc["region"]["startColumn"].as_u64().unwrap(),
                r["level"].as_str().unwrap().to_string(),
                r["partialFingerprints"]["leakproof/v1"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "github-pat-classic".into(),
                ".env".into(),
                3,
                14,
                "error".into(),
                fp(".env", ENV_TOKEN)
            ),
            (
                "github-pat-classic".into(),
                "config/deploy.yaml".into(),
                5,
                13,
                "error".into(),
                fp("config/deploy.yaml", DEPLOY_TOKEN)
            ),
        ]
    );
    // URIs are relative to %SRCROOT%, which names the scanned directory.
    for r in results {
        assert_eq!(
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"],
            "%SRCROOT%"
        );
    }
    let tree = std::fs::canonicalize(dir.path().join("tree")).unwrap();
    assert_eq!(
        run["originalUriBaseIds"]["%SRCROOT%"]["uri"],
        format!("file://{}/", tree.display())
    );
    let rule_index = results[0]["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[rule_index]["id"], "github-pat-classic");
    assert!(
        !out.stdout.contains(ENV_TOKEN),
        "SARIF must be redacted by default"
    );
}

#[test]
fn sarif_with_notices_and_no_results_validates() {
    let dir = Dir::new();
    dir.create("big.txt", vec![b'a'; 2048]);
    let out = dir
        .cmd()
        .args(["scan", ".", "--format", "sarif", "--max-file-size", "1K"])
        .run();
    assert_eq!(out.code, 0);
    let doc = out.json();
    assert_valid_sarif(&doc);
    assert_eq!(doc["runs"][0]["results"], serde_json::json!([]));
    let notes = &doc["runs"][0]["invocations"][0]["toolExecutionNotifications"];
    assert_eq!(notes[0]["level"], "warning");
    assert_eq!(
        notes[0]["message"]["text"],
        "big.txt: 2048 bytes is over the --max-file-size limit of 1024 bytes; not scanned"
    );
}

#[test]
fn a_broken_sarif_document_fails_validation() {
    // The schema check itself must be able to fail.
    let bad = serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]});
    assert!(!sarif_validator().is_valid(&bad));
}

#[test]
fn github_annotations() {
    let dir = Dir::with_tree();
    let out = dir
        .cmd()
        .args(["scan", "tree/.env", "--format", "github"])
        .run();
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stdout,
        format!(
            "::error file=tree/.env,line=3,col=14,endLine=3,endColumn=54,title=leakproof%3A GitHub personal access token (classic) (critical)::github-pat-classic found a critical secret: ghp_*****. Fingerprint: {}\n",
            fp("tree/.env", ENV_TOKEN)
        )
    );
}

#[test]
fn output_writes_the_report_to_a_file() {
    let dir = Dir::with_tree();
    let out = dir
        .cmd()
        .args([
            "scan",
            "tree",
            "--format",
            "json",
            "--output",
            "report.json",
        ])
        .run();
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, "");
    let text = std::fs::read_to_string(dir.path().join("report.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["findings"].as_array().unwrap().len(), 2);
}

#[test]
fn github_annotations_escape_properties_and_data() {
    // The Actions toolkit's rules: `%`, CR and LF in data; also `:` and `,`
    // in properties (a file name could otherwise end the property list).
    let dir = Dir::new();
    dir.create("a,b:c%d.env", format!("TOKEN={EXTRA_TOKEN}\n"));
    dir.create("x\ny.env", format!("TOKEN={EXTRA_TOKEN}\n"));
    let out = dir.cmd().args(["scan", ".", "--format", "github"]).run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    let line = |escaped: &str, path: &str| {
        format!(
            "::error file={escaped},line=1,col=7,endLine=1,endColumn=47,title=leakproof%3A GitHub personal access token (classic) (critical)::github-pat-classic found a critical secret: ghp_*****. Fingerprint: {}\n",
            fp(path, EXTRA_TOKEN)
        )
    };
    assert_eq!(
        out.stdout,
        line("a%2Cb%3Ac%25d.env", "a,b:c%d.env") + &line("x%0Ay.env", "x\ny.env")
    );
}

#[test]
fn markdown_is_a_table_of_redacted_findings() {
    let dir = Dir::with_tree();
    let out = dir
        .cmd()
        .args(["scan", "tree", "--format", "markdown"])
        .run();
    assert_eq!(out.code, 1);
    let (table, last) = out.stdout.trim_end().rsplit_once('\n').unwrap();
    assert_eq!(
        table,
        format!(
            "### leakproof: 2 findings\n\
             \n\
             | Severity | Rule | Location | Secret | Commit | Fingerprint |\n\
             | --- | --- | --- | --- | --- | --- |\n\
             | critical | `github-pat-classic` | `tree/.env:3:14` | `ghp_*****` |  | `{}` |\n\
             | critical | `github-pat-classic` | `tree/config/deploy.yaml:5:13` | `ghp_*****` |  | `{}` |\n",
            fp(".env", ENV_TOKEN),
            fp("config/deploy.yaml", DEPLOY_TOKEN)
        )
    );
    assert!(
        last.starts_with("`leakproof: scanned 4 files (")
            && last.ends_with("; 2 findings; 3 suppressed (entropy 1, superseded 2)`"),
        "{last}"
    );
    let clean = Dir::new();
    clean.create("a.txt", "nothing\n");
    let out = clean
        .cmd()
        .args(["scan", ".", "--format", "markdown"])
        .run();
    assert_eq!(out.code, 0);
    assert!(
        out.stdout
            .starts_with("### leakproof: no findings\n\n`leakproof: scanned 1 file ("),
        "{}",
        out.stdout
    );
}
