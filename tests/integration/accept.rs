//! Accepting findings: config file allowlists, inline markers, the ignore
//! file and baselines. Each mechanism has a suppressed case and a near
//! miss that is still reported.

use crate::util::*;

const T: [&str; 6] = [
    "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",
    "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",
    "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",
    "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",
    "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",
    "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",
];

fn scan(dir: &Dir, extra: &[&str]) -> Output {
    dir.cmd()
        .args(["scan", ".", "--format", "json"])
        .args(extra)
        .run()
}

fn gh(path: &str, line: u64, col: u64) -> (String, String, u64, u64) {
    loc("github-pat-classic", path, line, col)
}

#[test]
fn config_allowlists_paths_and_single_rules() {
    let dir = Dir::new();
    dir.create(
        ".leakproof.toml",
        "[allowlist]\ndescription = \"test data\"\nglobs = [\"**/testdata/**\"]\n\n\
         [rule-allowlists.github-pat-classic]\nregexes = ['''^ghp_4yoH''']\n",
    );
    dir.create("testdata/keys.txt", format!("token={}\n", T[0]));
    dir.create("src/keys.txt", format!("token={}\n", T[0]));
    dir.create("src/other.txt", format!("token={}\n", T[4]));
    let out = scan(&dir, &["--show-suppressed"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let json = out.json();
    assert_eq!(locations(&json), vec![gh("src/keys.txt", 1, 7)]);
    let reasons: Vec<(&str, &str)> = json["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["mechanism"] == "allowlist")
        .map(|s| (s["path"].as_str().unwrap(), s["reason"].as_str().unwrap()))
        .collect();
    let cfg = ".leakproof.toml";
    assert_eq!(
        reasons,
        vec![
            (
                "src/other.txt",
                format!("allowlist regex `^ghp_4yoH` (github-pat-classic allowlist in {cfg})")
                    .as_str()
            ),
            (
                "testdata/keys.txt",
                format!("allowlist path `**/testdata/**` (global allowlist in {cfg})").as_str()
            ),
        ]
    );
    // The summary says the project's own config narrowed the scan.
    assert!(
        out.stderr.contains(&format!("2 suppressed by {cfg}")),
        "{}",
        out.stderr
    );
}

#[test]
fn config_disables_rules_and_sets_min_severity() {
    let dir = Dir::new();
    dir.create(
        "cfg/lp.toml",
        "disable-rules = [\"github-pat-classic\", \"generic-secret\"]\n",
    );
    dir.create("a.txt", format!("token={}\n", T[0]));
    let out = scan(&dir, &["--config", "cfg/lp.toml"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(locations(&out.json()), vec![]);
    dir.create("cfg/lp.toml", "min-severity = \"critical\"\n");
    let out = scan(&dir, &["--config", "cfg/lp.toml"]);
    assert_eq!(locations(&out.json()), vec![gh("a.txt", 1, 7)]);
}

#[test]
fn broken_configs_name_file_line_and_reason() {
    let dir = Dir::new();
    dir.create("a.txt", "x\n");
    dir.create("syntax.toml", "min-severity = \"high\n");
    let out = scan(&dir, &["--config", "syntax.toml"]);
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        "leakproof: error: invalid configuration\n  caused by: syntax.toml: line 1, column 21: invalid basic string, expected `\"`\n"
    );
    dir.create(
        "unknown.toml",
        "# comment\nmin-severity = \"high\"\nmax-filesize = \"1M\"\n",
    );
    let out = scan(&dir, &["--config", "unknown.toml"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.starts_with(
            "leakproof: error: invalid configuration\n  caused by: unknown.toml: line 3, column 1: unknown field `max-filesize`, expected one of"
        ),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("unknown field `max-filesize`, expected one of"),
        "{}",
        out.stderr
    );
    dir.create("regex.toml", "[allowlist]\n\nregexes = ['''(unclosed''']\n");
    let out = scan(&dir, &["--config", "regex.toml"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.starts_with(
            "leakproof: error: invalid configuration\n  caused by: regex.toml:3: allowlist: allowlist regex `(*****` does not compile: column 1: unclosed group\n"
        ),
        "{}",
        out.stderr
    );
    let missing = scan(&dir, &["--config", "nope.toml"]);
    assert_eq!(missing.code, 2);
    assert_eq!(
        missing.stderr,
        "leakproof: error: invalid configuration\n  caused by: nope.toml: No such file or directory (os error 2)\n"
    );
}

#[test]
fn inline_markers_allow_their_line_only() {
    let dir = Dir::new();
    dir.create(
        "app.py",
        format!(
            "A = '{}'  # gitleaks:allow\nB = '{}'\n# pragma: allowlist nextline secret\nC = '{}'\nD = '{}'  # leakproof:allow\n",
            T[0], T[0], T[1], T[2]
        ),
    );
    let out = scan(&dir, &[]);
    assert_eq!(locations(&out.json()), vec![gh("app.py", 2, 6)]);
    assert!(
        out.stderr.contains("suppressed (inline 3"),
        "{}",
        out.stderr
    );
    let audit = scan(&dir, &["--ignore-inline-allow"]);
    assert_eq!(
        locations(&audit.json()),
        vec![
            gh("app.py", 1, 6),
            gh("app.py", 2, 6),
            gh("app.py", 4, 6),
            gh("app.py", 5, 6)
        ]
    );
}

#[test]
fn ignore_file_lists_fingerprints() {
    let dir = Dir::new();
    dir.create("a.env", format!("X={}\n", T[0]));
    dir.create("b.env", format!("X={}\n", T[0]));
    let first = scan(&dir, &[]).json();
    let fp_a = first["findings"][0]["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    dir.create(
        ".leakproofignore",
        format!("# accepted test key\n{fp_a}  # a.env only\n"),
    );
    let out = scan(&dir, &["--show-suppressed"]);
    let json = out.json();
    // Same secret, other file: other fingerprint, still reported.
    assert_eq!(locations(&json), vec![gh("b.env", 1, 3)]);
    let ign = ".leakproofignore";
    assert_eq!(
        json["suppressed"][0]["reason"],
        format!("fingerprint listed in {ign}:2")
    );
    dir.create(".leakproofignore", "not-a-fingerprint\n");
    let bad = scan(&dir, &[]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains(&format!(
            "{ign}:1: `not-a-fingerprint` is not a fingerprint"
        )),
        "{}",
        bad.stderr
    );
}

#[test]
fn baseline_survives_line_moves_and_catches_new_and_swapped_secrets() {
    let dir = Dir::new();
    dir.create("conf/a.env", format!("ONE={}\nTWO={}\n", T[0], T[1]));
    dir.create("conf/b.env", format!("THREE={}\n", T[2]));
    let out = dir
        .cmd()
        .args(["baseline", "create", ".", "-o", "baseline.jsonl"])
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = std::fs::read_to_string(dir.path().join("baseline.jsonl")).unwrap();
    for t in T {
        assert!(!text.contains(t), "a baseline never holds a secret");
    }
    let entries: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(entries.len(), 3);
    assert!(entries[0].starts_with(
        "{\"rule\":\"github-pat-classic\",\"path\":\"conf/a.env\",\"fingerprint\":\""
    ));
    // Baselined: clean.
    assert_eq!(scan(&dir, &["--baseline", "baseline.jsonl"]).code, 0);
    // Move all three lines and add two new secrets.
    dir.create(
        "conf/a.env",
        format!("# moved\n\nFOUR={}\nTWO={}\n\nONE={}\n", T[3], T[1], T[0]),
    );
    dir.create("conf/b.env", format!("\n\n\nTHREE={}\n", T[2]));
    dir.create("conf/c.env", format!("FIVE={}\n", T[4]));
    let out = scan(&dir, &["--baseline", "baseline.jsonl"]);
    assert_eq!(out.code, 1);
    assert_eq!(
        locations(&out.json()),
        vec![gh("conf/a.env", 3, 6), gh("conf/c.env", 1, 6)]
    );
    assert!(
        out.stderr.contains("3 suppressed (baseline 3)"),
        "{}",
        out.stderr
    );
    // A different secret on a baselined line is a new finding, and the
    // entry of the removed secret is reported as unused.
    dir.create("conf/b.env", format!("\n\n\nTHREE={}\n", T[5]));
    let out = scan(&dir, &["--baseline", "baseline.jsonl", "--report-unused"]);
    assert_eq!(
        locations(&out.json()),
        vec![
            gh("conf/a.env", 3, 6),
            gh("conf/b.env", 4, 7),
            gh("conf/c.env", 1, 6)
        ]
    );
    let unused = out.json()["unused_entries"].clone();
    assert_eq!(unused.as_array().unwrap().len(), 1);
    assert!(
        unused[0]
            .as_str()
            .unwrap()
            .contains(" github-pat-classic conf/b.env "),
        "{unused}"
    );
    assert!(
        out.stderr
            .contains("leakproof: unused entry: baseline.jsonl:"),
        "{}",
        out.stderr
    );
    // Pruning drops it.
    let prune = dir
        .cmd()
        .args(["baseline", "prune", ".", "--baseline", "baseline.jsonl"])
        .run();
    assert_eq!(prune.code, 0, "{}", prune.stderr);
    assert!(
        prune.stderr.contains("removed 1 unused entries"),
        "{}",
        prune.stderr
    );
    let text = std::fs::read_to_string(dir.path().join("baseline.jsonl")).unwrap();
    assert_eq!(text.lines().filter(|l| !l.starts_with('#')).count(), 2);
}

#[test]
fn expired_baseline_entries_stop_suppressing() {
    let dir = Dir::new();
    dir.create("a.env", format!("X={}\n", T[0]));
    let fp = scan(&dir, &[]).json()["findings"][0]["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    let entry = |expires: &str| {
        format!(
            "{{\"rule\":\"github-pat-classic\",\"path\":\"a.env\",\"fingerprint\":\"{fp}\",\"reason\":\"demo\",\"expires\":\"{expires}\"}}\n"
        )
    };
    dir.create("base.jsonl", entry("2099-12-31"));
    assert_eq!(scan(&dir, &["--baseline", "base.jsonl"]).code, 0);
    dir.create("base.jsonl", entry("2001-01-01"));
    let out = scan(&dir, &["--baseline", "base.jsonl"]);
    assert_eq!(locations(&out.json()), vec![gh("a.env", 1, 3)]);
    assert!(
        out.stderr
            .contains("1 expired baseline entries no longer suppress"),
        "{}",
        out.stderr
    );
}

#[test]
fn config_init_writes_a_commented_file_and_refuses_to_clobber() {
    let dir = Dir::new();
    let out = dir.cmd().args(["config", "init"]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = std::fs::read_to_string(dir.path().join(".leakproof.toml")).unwrap();
    assert!(text.starts_with("# leakproof configuration."));
    // The written file is a valid (empty) configuration.
    dir.create("a.txt", format!("X={}\n", T[0]));
    assert_eq!(scan(&dir, &[]).code, 1);
    let again = dir.cmd().args(["config", "init"]).run();
    assert_eq!(again.code, 2);
    assert_eq!(
        again.stderr,
        "leakproof: error: .leakproof.toml already exists (use --force to overwrite)\n"
    );
}
