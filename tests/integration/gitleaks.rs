//! A drop-in for gitleaks users: their configuration files load, gitleaks
//! rule ids name built-in rules, and the suppressions match what gitleaks
//! applies (compared with the gitleaks binary when it is installed).

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::git::{commit, repo};
use crate::util::*;

const GH: [&str; 4] = [
    "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",
    "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",
    "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",
    "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",
];
const ACME: [&str; 3] = [
    "acme_zyxu21015n0lbuw1289rnv9iqos1xuc9",
    "acme_nbe87bmm5la27yimjfaowug8d6iqcw7n",
    "acme_samplewrwb68azqs2q8viqvc690inyey",
];

fn data(rel: &str) -> PathBuf {
    manifest_dir().join("tests/data").join(rel)
}

/// The gitleaks binary the bench setup installs, if it is there.
fn gitleaks_binary() -> Option<PathBuf> {
    let path = std::env::var_os("GITLEAKS_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp/peers/bin/gitleaks"));
    path.is_file().then_some(path)
}

#[test]
fn gitleaks_default_config_loads_and_its_rule_ids_all_map() {
    let config = data("gitleaks/gitleaks.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let table: toml::Table = toml::from_str(&text).unwrap();
    let ids: Vec<&str> = table["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 222);
    let unmapped: Vec<&&str> = ids
        .iter()
        .filter(|id| leakproof::gitleaks::ids::builtin_rules(id).is_none())
        .collect();
    assert!(unmapped.is_empty(), "unmapped gitleaks ids: {unmapped:?}");
    let dir = Dir::new();
    dir.create("a.txt", "nothing here\n");
    let out = dir
        .cmd()
        .args(["scan", ".", "--config"])
        .arg_path("", &config)
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    // Its one rule on file names alone (no regex) is the only thing left out.
    assert_eq!(
        out.stderr.lines().next().unwrap(),
        format!(
            "leakproof: warning: {}: `rules.pkcs12-file` has no `regex` (a rule on file paths alone) and is not supported; ignored",
            config.display()
        )
    );
    assert!(
        out.stderr.contains(&format!(
            "gitleaks configuration {} (1 warnings)",
            config.display()
        )),
        "{}",
        out.stderr
    );
}

#[test]
fn real_gitleaks_configs_load_where_gitleaks_finds_them() {
    let mut loaded = 0;
    for entry in std::fs::read_dir(data("gitleaks-configs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let dir = Dir::new();
        std::fs::copy(&path, dir.path().join(".gitleaks.toml")).unwrap();
        dir.create("src/app.py", format!("TOKEN = \"{}\"\n", GH[0]));
        let out = dir.cmd().args(["scan", ".", "--format", "json"]).run();
        assert_ne!(out.code, 2, "{}: {}", path.display(), out.stderr);
        assert!(
            out.stderr
                .contains("gitleaks configuration .gitleaks.toml ("),
            "{}: {}",
            path.display(),
            out.stderr
        );
        let text = std::fs::read_to_string(&path).unwrap();
        // With the defaults on, the token is found; without them (and no
        // rules of its own) the configuration reports nothing, as gitleaks.
        let expected = if text.contains("useDefault = true") {
            vec![loc("github-pat-classic", "src/app.py", 1, 10)]
        } else {
            vec![]
        };
        assert_eq!(locations(&out.json()), expected, "{}", path.display());
        loaded += 1;
    }
    assert!(loaded >= 10, "{loaded} configs");
}

/// A repository exercising `[extend]`, a custom rule with an AND
/// allowlist, a global path allowlist and a targeted `[[allowlists]]`.
fn features_repo() -> Dir {
    let dir = Dir::new();
    dir.create(
        ".gitleaks.toml",
        r#"title = "features"

[extend]
useDefault = true
disabledRules = ["generic-api-key"]

[[rules]]
id = "acme-key"
description = "ACME key"
regex = '''acme_[a-z0-9]{32}'''
keywords = ["acme_"]
[[rules.allowlists]]
condition = "AND"
paths = ['''^docs/''']
stopwords = ["sample"]

[[allowlists]]
description = "fixtures"
paths = ['''^fixtures/''']

[[allowlists]]
targetRules = ["github-pat"]
regexTarget = "line"
regexes = ['''CI_ONLY''']
"#,
    );
    dir.create(
        "app.py",
        format!("TOKEN = \"{}\"\nACME = \"{}\"\n", GH[0], ACME[0]),
    );
    dir.create("fixtures/keys.py", format!("TOKEN = \"{}\"\n", GH[1]));
    dir.create("ci.sh", format!("export T={}  # CI_ONLY\n", GH[2]));
    dir.create("docs/a.md", format!("key: {}\n", ACME[2]));
    dir.create("docs/b.md", format!("key: {}\n", ACME[1]));
    dir.create("src/c.md", format!("key: {}\n", ACME[2]));
    dir
}

#[test]
fn gitleaks_config_features_suppress_what_gitleaks_suppresses() {
    let dir = features_repo();
    let out = dir
        .cmd()
        .args(["scan", ".", "--format", "json", "--show-suppressed"])
        .run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    let json = out.json();
    assert_eq!(
        locations(&json),
        vec![
            loc("github-pat-classic", "app.py", 1, 10),
            loc("acme-key", "app.py", 2, 9),
            loc("acme-key", "docs/b.md", 1, 6),
            loc("acme-key", "src/c.md", 1, 6),
        ]
    );
    let reasons: BTreeSet<(String, String)> = json["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["mechanism"] != "superseded")
        .map(|s| {
            (
                s["path"].as_str().unwrap().to_string(),
                s["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let cfg = ".gitleaks.toml";
    assert_eq!(
        reasons,
        BTreeSet::from([
            (
                "ci.sh".to_string(),
                format!("allowlist regex `CI_ONLY` (github-pat-classic allowlist in {cfg})")
            ),
            (
                "docs/a.md".to_string(),
                format!(
                    "allowlist path `^docs/` and stopword `sample` (acme-key allowlist in {cfg})"
                )
            ),
            (
                "fixtures/keys.py".to_string(),
                format!("allowlist path `^fixtures/` (global allowlist in {cfg})")
            ),
        ])
    );
    // The same suppressions as gitleaks itself, when it is installed.
    assert_same_as_gitleaks(&dir, &["dir", "."], &json);
}

/// `(File, StartLine, RuleID)` of each finding gitleaks reports when run
/// in `dir` with `args` (e.g. `dir .`), sorted; `None` when gitleaks is
/// not installed.
fn gitleaks_findings(dir: &Dir, args: &[&str]) -> Option<Vec<(String, u64, String)>> {
    let Some(gitleaks) = gitleaks_binary() else {
        eprintln!("gitleaks binary not installed: comparison skipped");
        return None;
    };
    let report = tempfile::NamedTempFile::new().unwrap();
    let run = dir
        .program(&gitleaks)
        .args(args)
        .args(["--no-banner", "--report-format", "json"])
        .arg_path("--report-path", report.path())
        .run();
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    let theirs: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report.path()).unwrap()).unwrap();
    let mut found: Vec<(String, u64, String)> = theirs
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["File"].as_str().unwrap().to_string(),
                f["StartLine"].as_u64().unwrap(),
                f["RuleID"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    found.sort();
    Some(found)
}

/// Asserts that gitleaks, run in `dir` with `args`, reports the findings
/// of leakproof's JSON report `json`: same paths and lines, and rules that
/// the gitleaks ids name. Does nothing when gitleaks is not installed.
fn assert_same_as_gitleaks(dir: &Dir, args: &[&str], json: &serde_json::Value) {
    let Some(found) = gitleaks_findings(dir, args) else {
        return;
    };
    let mut ours: Vec<(String, u64, String)> = locations(json)
        .into_iter()
        .map(|(rule, path, line, _)| (path, line, rule))
        .collect();
    ours.sort();
    assert_eq!(
        found.len(),
        ours.len(),
        "gitleaks: {found:?}\nleakproof: {ours:?}"
    );
    for ((their_path, their_line, their_rule), (path, line, rule)) in found.iter().zip(&ours) {
        assert_eq!((their_path, their_line), (path, line));
        assert!(
            leakproof::gitleaks::ids::names(their_rule, rule),
            "gitleaks {their_rule} vs leakproof {rule}"
        );
    }
}

#[test]
fn gitleaks_config_is_found_as_gitleaks_finds_it() {
    let dir = features_repo();
    let config = std::fs::read_to_string(dir.path().join(".gitleaks.toml")).unwrap();
    std::fs::remove_file(dir.path().join(".gitleaks.toml")).unwrap();
    let findings = |out: &Output| locations(&out.json()).len();
    // Without a configuration: the defaults, so no custom rule.
    let plain = dir.cmd().args(["scan", ".", "--format", "json"]).run();
    assert_eq!(findings(&plain), 3, "{}", plain.stdout);
    // GITLEAKS_CONFIG names the file, GITLEAKS_CONFIG_TOML holds the text.
    let elsewhere = dir.create("conf/gl.toml", &config);
    let by_path = dir
        .cmd()
        .args(["scan", ".", "--format", "json"])
        .env("GITLEAKS_CONFIG", &elsewhere)
        .run();
    assert_eq!(findings(&by_path), 4, "{}", by_path.stderr);
    assert!(
        by_path.stdout.contains("\"acme-key\""),
        "{}",
        by_path.stdout
    );
    let by_text = dir
        .cmd()
        .args(["scan", ".", "--format", "json"])
        .env("GITLEAKS_CONFIG_TOML", &config)
        .run();
    assert!(
        by_text
            .stderr
            .contains("gitleaks configuration GITLEAKS_CONFIG_TOML (0 warnings)"),
        "{}",
        by_text.stderr
    );
    assert!(
        by_text.stdout.contains("\"acme-key\""),
        "{}",
        by_text.stdout
    );
    // A .leakproof.toml wins over every gitleaks configuration.
    dir.create(".leakproof.toml", "min-severity = \"low\"\n");
    let own = dir
        .cmd()
        .args(["scan", ".", "--format", "json"])
        .env("GITLEAKS_CONFIG_TOML", &config)
        .run();
    assert!(!own.stdout.contains("\"acme-key\""), "{}", own.stdout);
    assert!(
        !own.stderr.contains("gitleaks configuration"),
        "{}",
        own.stderr
    );
}

#[test]
fn gitleaks_rule_ids_work_where_a_rule_is_named() {
    let dir = Dir::new();
    dir.create("app.py", format!("value = \"{}\"\n", GH[0]));
    let out = dir
        .cmd()
        .args(["scan", ".", "--disable-rule", "github-pat"])
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    dir.create(
        ".gitleaks.toml",
        "[extend]\nuseDefault = true\ndisabledRules = [\"github-pat\", \"no-such-rule\"]\n",
    );
    let out = dir.cmd().args(["scan", "."]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "leakproof: warning: .gitleaks.toml: `extend.disabledRules`: no rule `no-such-rule` in the extended configuration"
        ),
        "{}",
        out.stderr
    );
}

#[test]
fn what_cannot_be_honoured_is_a_warning_naming_the_key() {
    let dir = Dir::new();
    dir.create("a.txt", "x\n");
    dir.create(
        ".gitleaks.toml",
        "[extend]\nuseDefault = true\nurl = \"https://example.com/x.toml\"\n\n[[rules]]\nid = \"combo\"\nregex = '''combo_[a-z]{8}'''\nskipReport = true\nunknownKey = 1\n[[rules.required]]\nid = \"other\"\n",
    );
    let out = dir.cmd().args(["scan", "."]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let warnings: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.starts_with("leakproof: warning: .gitleaks.toml: "))
        .map(|l| &l["leakproof: warning: .gitleaks.toml: ".len()..])
        .collect();
    assert_eq!(
        warnings,
        vec![
            "`rules.combo.unknownKey` is not a gitleaks 8 key; ignored",
            "`rules.combo.required` (composite rules) is not supported; the rule reports on its own",
            "`rules.combo.skipReport` is not supported; the rule's findings are reported",
            "`extend.url` is not supported (gitleaks does not implement it either); ignored",
        ]
    );
}

/// A repository whose history moves a secret: `lib/keys.py` gets `GH[2]`
/// on line 3 in the first commit (returned), and a header line in the
/// second, which puts it on line 4; the third adds `app.py` with `GH[0]`
/// and `GH[1]` on lines 1 and 2.
fn moving_repo() -> (Dir, String) {
    let dir = repo();
    dir.create(
        "lib/keys.py",
        format!("import os\nx = 1\nTOKEN = \"{}\"\n", GH[2]),
    );
    let first = commit(&dir, "keys");
    dir.create(
        "lib/keys.py",
        format!("# header\nimport os\nx = 1\nTOKEN = \"{}\"\n", GH[2]),
    );
    commit(&dir, "header");
    dir.create(
        "app.py",
        format!("TOKEN = \"{}\"\nOTHER = \"{}\"\n", GH[0], GH[1]),
    );
    commit(&dir, "app");
    (dir, first)
}

#[test]
fn gitleaksignore_entries_suppress_what_gitleaks_suppresses() {
    let (dir, first) = moving_repo();
    dir.create(
        ".gitleaksignore",
        format!(
            "# accepted\napp.py:github-pat:2\n{first}:lib/keys.py:github-pat:3\ngone.py:github-pat:5\n{first}:nothing.py:github-pat:1\n"
        ),
    );
    let ignore = std::fs::canonicalize(dir.path())
        .unwrap()
        .join(".gitleaksignore")
        .display()
        .to_string();
    // History: the commit entry names the commit that introduced the key,
    // on its line there; the entry without a commit holds in every commit.
    let git = dir
        .cmd()
        .args(["git", ".", "--format", "json", "--show-suppressed"])
        .run();
    assert_eq!(git.code, 1, "{}", git.stderr);
    let json = git.json();
    assert_eq!(
        locations(&json),
        vec![loc("github-pat-classic", "app.py", 1, 10)]
    );
    let ignored: Vec<(String, u64, String)> = json["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["mechanism"] == "ignore-file")
        .map(|s| {
            (
                s["path"].as_str().unwrap().to_string(),
                s["line"].as_u64().unwrap(),
                s["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        ignored,
        vec![
            (
                "app.py".to_string(),
                2,
                format!("fingerprint listed in {ignore}:2")
            ),
            (
                "lib/keys.py".to_string(),
                3,
                format!("fingerprint listed in {ignore}:3")
            ),
        ]
    );
    let notices: Vec<&str> = git
        .stderr
        .lines()
        .filter(|l| l.starts_with("leakproof: unused entry: "))
        .collect();
    assert_eq!(
        notices,
        vec![
            format!("leakproof: unused entry: {ignore}:4: gone.py:github-pat:5 matched no finding"),
            format!(
                "leakproof: unused entry: {ignore}:5: {first}:nothing.py:github-pat:1 matched no finding"
            ),
        ]
    );
    assert_same_as_gitleaks(&dir, &["git", "."], &json);
    // A directory: no commit, so commit entries match nothing and are not
    // judged; the key is on line 4 now.
    let scan = dir.cmd().args(["scan", ".", "--format", "json"]).run();
    assert_eq!(scan.code, 1, "{}", scan.stderr);
    let json = scan.json();
    assert_eq!(
        locations(&json),
        vec![
            loc("github-pat-classic", "app.py", 1, 10),
            loc("github-pat-classic", "lib/keys.py", 4, 10),
        ]
    );
    assert!(
        scan.stderr.contains(&format!(
            "leakproof: unused entry: {ignore}:4: gone.py:github-pat:5 matched no finding\nleakproof: scanned"
        )),
        "{}",
        scan.stderr
    );
    assert!(
        scan.stderr.contains(&format!("1 suppressed by {ignore}")),
        "{}",
        scan.stderr
    );
    assert_same_as_gitleaks(&dir, &["dir", "."], &json);
}

#[test]
fn gitleaksignore_takes_leakproof_and_custom_rule_ids_and_warns_on_bad_lines() {
    let dir = repo();
    dir.create(
        ".gitleaks.toml",
        "[extend]\nuseDefault = true\n\n[[rules]]\nid = \"acme-key\"\nregex = '''acme_[a-z0-9]{32}'''\nkeywords = [\"acme_\"]\n",
    );
    dir.create(
        "src/app.py",
        format!(
            "A = \"{}\"\nB = \"{}\"\nC = \"{}\"\n",
            GH[0], ACME[0], GH[1]
        ),
    );
    dir.create(
        ".gitleaksignore",
        "src/app.py:github-pat-classic:1\n.\\src\\app.py:acme-key:2\nsrc/app.py:aws-access-token:3\noops\n",
    );
    let out = dir.cmd().args(["scan", ".", "--format", "json"]).run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        locations(&out.json()),
        vec![loc("github-pat-classic", "src/app.py", 3, 6)]
    );
    let ignore = std::fs::canonicalize(dir.path())
        .unwrap()
        .join(".gitleaksignore")
        .display()
        .to_string();
    assert!(
        out.stderr.contains(&format!(
            "leakproof: warning: {ignore}:4: `oops` is not a gitleaks fingerprint (commit:path:rule:line or path:rule:line); ignored"
        )),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(&format!(
            "leakproof: unused entry: {ignore}:3: src/app.py:aws-access-token:3 matched no finding"
        )),
        "{}",
        out.stderr
    );
}

/// A finding as gitleaks' JSON report writes it, with the fields a
/// baseline reads (the others as gitleaks fills them for a directory).
fn gitleaks_finding(rule: &str, file: &str, line: u64, commit: &str) -> serde_json::Value {
    serde_json::json!({
        "RuleID": rule, "Description": "", "StartLine": line, "EndLine": line,
        "StartColumn": 1, "EndColumn": 2, "Match": "REDACTED", "Secret": "REDACTED",
        "File": file, "SymlinkFile": "", "Commit": commit, "Entropy": 4.5,
        "Author": "", "Email": "", "Date": "", "Message": "", "Tags": [],
        "Fingerprint": format!("{file}:{rule}:{line}"),
    })
}

#[test]
fn a_gitleaks_report_is_a_baseline() {
    let (dir, first) = moving_repo();
    let elsewhere = Dir::new();
    let baseline = elsewhere.create(
        "gitleaks-report.json",
        serde_json::to_string_pretty(&serde_json::json!([
            gitleaks_finding("github-pat", "app.py", 1, ""),
            gitleaks_finding("github-pat", "lib/keys.py", 4, ""),
            gitleaks_finding("github-pat", "lib/keys.py", 3, &first),
        ]))
        .unwrap(),
    );
    let run = |cmd: &str| {
        dir.cmd()
            .args([cmd, ".", "--format", "json", "--report-unused"])
            .arg_path("--baseline", &baseline)
            .run()
    };
    let scan = run("scan");
    assert_eq!(scan.code, 1, "{}", scan.stderr);
    assert_eq!(
        locations(&scan.json()),
        vec![loc("github-pat-classic", "app.py", 2, 10)]
    );
    let git = run("git");
    assert_eq!(git.code, 1, "{}", git.stderr);
    assert_eq!(
        locations(&git.json()),
        vec![loc("github-pat-classic", "app.py", 2, 10)]
    );
    // An entry is known by the line of its finding's `RuleID` in the
    // report; the one for line 4, a place no commit introduced a key at,
    // matched nothing in history.
    let text = std::fs::read_to_string(&baseline).unwrap();
    let (at, _) = text.match_indices("\"RuleID\"").nth(1).unwrap();
    let line = text[..at].lines().count();
    assert_eq!(
        git.json()["unused_entries"],
        serde_json::json!([format!(
            "{}:{line}: lib/keys.py:github-pat:4 matched no finding",
            baseline.display()
        )])
    );
    // gitleaks itself, given its own report less one finding as baseline,
    // reports that finding alone; so does leakproof, in files and history.
    let Some(gitleaks) = gitleaks_binary() else {
        return;
    };
    for (theirs_cmd, ours_cmd) in [("dir", "scan"), ("git", "git")] {
        let theirs = elsewhere.path().join(format!("{theirs_cmd}.json"));
        let full = dir
            .program(&gitleaks)
            .args([theirs_cmd, ".", "--no-banner", "--report-format", "json"])
            .arg_path("--report-path", &theirs)
            .run();
        assert_eq!(full.code, 1, "{}", full.stderr);
        let mut report: Vec<serde_json::Value> =
            serde_json::from_str(&std::fs::read_to_string(&theirs).unwrap()).unwrap();
        assert_eq!(report.len(), 3, "{report:?}");
        report.retain(|f| !(f["File"] == "app.py" && f["StartLine"] == 2));
        std::fs::write(&theirs, serde_json::to_string(&report).unwrap()).unwrap();
        let ours = dir
            .cmd()
            .args([ours_cmd, ".", "--format", "json"])
            .arg_path("--baseline", &theirs)
            .run();
        assert_eq!(
            locations(&ours.json()),
            vec![loc("github-pat-classic", "app.py", 2, 10)],
            "{ours_cmd}"
        );
        let path = theirs.display().to_string();
        assert_same_as_gitleaks(
            &dir,
            &[theirs_cmd, ".", "--baseline-path", &path],
            &ours.json(),
        );
    }
}

/// What DefectDojo's gitleaks importer ("Gitleaks Scan") makes of one
/// finding: title, file path, line, severity, tags, the key it merges
/// duplicates by, and the description it composes.
#[derive(Debug, PartialEq)]
struct DojoFinding {
    title: String,
    file_path: String,
    line: u64,
    severity: &'static str,
    tags: Vec<String>,
    dupe_key: String,
    description: String,
}

/// The fields of one report element that the importer reads, read as it
/// reads them: the report is a JSON array (or `null`, no findings); an
/// element with a truthy `rule` goes to the gitleaks 7 path, which needs
/// keys a gitleaks 8 report lacks; one with a non-empty `Description` is
/// a gitleaks 8 finding; anything else is refused. Strings are
/// concatenated as they are (a `null` `Secret` or `File` fails), and the
/// description must not come out empty.
fn defectdojo_import(report: &serde_json::Value) -> Result<Vec<DojoFinding>, String> {
    let issues = match report {
        serde_json::Value::Null => return Ok(Vec::new()),
        serde_json::Value::Array(a) => a,
        other => return Err(format!("not a list of findings: {other}")),
    };
    let text = |issue: &serde_json::Value, key: &str| -> Result<String, String> {
        issue[key]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("`{key}` is not a string: {}", issue[key]))
    };
    let truthy = |v: &serde_json::Value| match v {
        serde_json::Value::Null | serde_json::Value::Bool(false) => false,
        serde_json::Value::String(s) => !s.is_empty(),
        serde_json::Value::Array(a) => !a.is_empty(),
        serde_json::Value::Number(n) => n.as_f64() != Some(0.0),
        _ => true,
    };
    let mut out: Vec<DojoFinding> = Vec::new();
    for issue in issues {
        if truthy(&issue["rule"]) {
            return Err("a gitleaks 7 finding (`rule`)".into());
        }
        if !truthy(&issue["Description"]) {
            return Err("Format is not recognized for Gitleaks".into());
        }
        let reason = text(issue, "Description")?;
        let line = if truthy(&issue["StartLine"]) {
            issue["StartLine"]
                .as_u64()
                .ok_or("`StartLine` is not an integer")?
        } else {
            0
        };
        let file_path = text(issue, "File")?;
        let secret = text(issue, "Secret")?;
        let title = format!("Hard coded {reason} found in {file_path}");
        let mut description = String::new();
        for (key, label) in [
            ("Secret", "Secret"),
            ("Match", "Match"),
            ("Message", "Commit message"),
            ("Commit", "Commit hash"),
            ("Date", "Commit date"),
        ] {
            if truthy(&issue[key]) {
                description += &format!("**{label}:** {}\n", text(issue, key)?);
            }
        }
        if truthy(&issue["RuleID"]) {
            description += &format!("**Rule Id:** {}", text(issue, "RuleID")?);
        }
        if description.is_empty() {
            return Err("empty description".into());
        }
        let tags = match &issue["Tags"] {
            serde_json::Value::Array(a) => a
                .iter()
                .map(|t| {
                    t.as_str()
                        .map(str::to_string)
                        .ok_or("a tag is not a string")
                })
                .collect::<Result<Vec<_>, _>>()?,
            v if truthy(v) => return Err("`Tags` is not a list".into()),
            _ => Vec::new(),
        };
        let dupe_key = format!("{title}{secret}{line}");
        if out.iter().all(|f| f.dupe_key != dupe_key) {
            out.push(DojoFinding {
                title,
                file_path,
                line,
                severity: "High",
                tags,
                dupe_key,
                description: description.trim_end_matches('\n').to_string(),
            });
        }
    }
    Ok(out)
}

#[test]
fn defectdojo_imports_the_gitleaks_format() {
    let (dir, _) = moving_repo();
    let name = "GitHub personal access token (classic)";
    // A directory: no commit fields; secrets redacted as gitleaks --redact.
    let out = dir.cmd().args(["scan", ".", "--format", "gitleaks"]).run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    let report = out.json();
    let dojo = defectdojo_import(&report).unwrap();
    let place = |f: &DojoFinding| (f.title.clone(), f.file_path.clone(), f.line);
    assert_eq!(
        dojo.iter().map(place).collect::<Vec<_>>(),
        vec![
            (
                format!("Hard coded {name} found in app.py"),
                "app.py".to_string(),
                1
            ),
            (
                format!("Hard coded {name} found in app.py"),
                "app.py".to_string(),
                2
            ),
            (
                format!("Hard coded {name} found in lib/keys.py"),
                "lib/keys.py".to_string(),
                4
            ),
        ]
    );
    assert_eq!(
        dojo[0].description,
        "**Secret:** REDACTED\n**Match:** REDACTED\n**Rule Id:** github-pat-classic"
    );
    assert!(
        dojo.iter()
            .all(|f| f.severity == "High" && f.tags.is_empty())
    );
    assert!(!out.stdout.contains("ghp_"), "{}", out.stdout);
    // History: the commit, its date and message come along; with
    // --show-secrets the secret is in clear, as gitleaks without --redact.
    let out = dir
        .cmd()
        .args(["git", ".", "--format", "gitleaks", "--show-secrets"])
        .run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    let report = out.json();
    let dojo = defectdojo_import(&report).unwrap();
    assert_eq!(dojo.len(), 3);
    let keys = &dojo[2];
    assert_eq!(keys.file_path, "lib/keys.py");
    assert_eq!(keys.line, 3);
    let commit = report[2]["Commit"].as_str().unwrap();
    assert_eq!(commit.len(), 40);
    assert_eq!(
        keys.description,
        format!(
            "**Secret:** {}\n**Match:** {}\n**Commit message:** keys\n**Commit hash:** {commit}\n**Commit date:** 2024-05-06T07:08:09+02:00\n**Rule Id:** github-pat-classic",
            GH[2], GH[2]
        )
    );
    // Every field of gitleaks' report is there, with gitleaks' types.
    let f = &report[2];
    let keys: BTreeSet<&str> = f.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        BTreeSet::from([
            "RuleID",
            "Description",
            "StartLine",
            "EndLine",
            "StartColumn",
            "EndColumn",
            "Match",
            "Secret",
            "File",
            "SymlinkFile",
            "Commit",
            "Entropy",
            "Author",
            "Email",
            "Date",
            "Message",
            "Tags",
            "Fingerprint"
        ])
    );
    assert_eq!(
        (f["StartColumn"].as_u64(), f["EndColumn"].as_u64()),
        (Some(10), Some(49))
    );
    assert_eq!(
        (f["Author"].as_str(), f["Email"].as_str()),
        (Some("Ann Dev"), Some("ann@example.com"))
    );
    assert_eq!(
        f["Fingerprint"],
        format!("{commit}:lib/keys.py:github-pat-classic:3")
    );
    // No findings: an empty list, which the importer takes.
    let clean = Dir::new();
    clean.create("a.txt", "nothing\n");
    let out = clean
        .cmd()
        .args(["scan", ".", "--format", "gitleaks"])
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.json(), serde_json::json!([]));
    assert_eq!(defectdojo_import(&out.json()), Ok(Vec::new()));
}

#[test]
fn a_gitleaks_format_report_is_a_baseline_and_its_fingerprints_an_ignore_file() {
    let (dir, _) = moving_repo();
    let elsewhere = Dir::new();
    let out = dir.cmd().args(["git", ".", "--format", "gitleaks"]).run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    let report = elsewhere.create("report.json", &out.stdout);
    let again = dir
        .cmd()
        .args(["git", ".", "--format", "json"])
        .arg_path("--baseline", &report)
        .run();
    assert_eq!(again.code, 0, "{}", again.stdout);
    let fingerprints: Vec<String> = out.json().as_array().unwrap()[1..]
        .iter()
        .map(|f| f["Fingerprint"].as_str().unwrap().to_string())
        .collect();
    dir.create(".gitleaksignore", fingerprints.join("\n"));
    let ignored = dir.cmd().args(["git", ".", "--format", "json"]).run();
    assert_eq!(
        locations(&ignored.json()),
        vec![loc("github-pat-classic", "app.py", 1, 10)]
    );
}

/// `(path, line, rule, mechanism)` of every suppression in a JSON report
/// made with `--show-suppressed`, sorted.
fn suppressions(json: &serde_json::Value) -> Vec<(String, u64, String, String)> {
    let mut out: Vec<(String, u64, String, String)> = json["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["path"].as_str().unwrap().to_string(),
                s["line"].as_u64().unwrap(),
                s["rule_id"].as_str().unwrap().to_string(),
                s["mechanism"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn migrated_gitleaks_configs_report_and_suppress_what_the_originals_do() {
    let dir = features_repo();
    let features = std::fs::read_to_string(dir.path().join(".gitleaks.toml")).unwrap();
    std::fs::remove_file(dir.path().join(".gitleaks.toml")).unwrap();
    let elsewhere = Dir::new();
    let mut configs = vec![("features".to_string(), features)];
    configs.push((
        "gitleaks default".to_string(),
        std::fs::read_to_string(data("gitleaks/gitleaks.toml")).unwrap(),
    ));
    for entry in std::fs::read_dir(data("gitleaks-configs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            configs.push((name, std::fs::read_to_string(&path).unwrap()));
        }
    }
    assert_eq!(configs.len(), 12);
    for (name, text) in configs {
        let original = elsewhere.create("gl/.gitleaks.toml", &text);
        let migrated = elsewhere.path().join("lp.toml");
        let _ = std::fs::remove_file(&migrated);
        let out = dir
            .cmd()
            .args(["config", "migrate", "--force"])
            .arg_path("", &original)
            .arg_path("-o", &migrated)
            .run();
        assert_eq!(out.code, 0, "{name}: {}", out.stderr);
        let written = std::fs::read_to_string(&migrated).unwrap();
        // What was not translated is on stderr and at the top of the file.
        for line in out.stderr.lines() {
            if let Some(item) = line.strip_prefix("leakproof: not translated: ") {
                assert!(
                    written.contains(&format!("#   - {item}\n")),
                    "{name}: {item}"
                );
            }
        }
        let scan = |config: &std::path::Path| {
            let out = dir
                .cmd()
                .args(["scan", ".", "--format", "json", "--show-suppressed"])
                .arg_path("--config", config)
                .run();
            assert_ne!(out.code, 2, "{name}: {}", out.stderr);
            out.json()
        };
        let (before, after) = (scan(&original), scan(&migrated));
        assert_eq!(locations(&before), locations(&after), "{name}");
        assert_eq!(suppressions(&before), suppressions(&after), "{name}");
        if name == "features" {
            assert_eq!(locations(&after).len(), 4, "{name}");
            assert!(
                written.contains("# Everything in it was translated.\n"),
                "{written}"
            );
        }
    }
}

#[test]
fn a_migrated_gitleaksignore_is_fingerprints_of_what_it_named() {
    let (dir, first) = moving_repo();
    dir.create(
        ".gitleaksignore",
        format!("app.py:github-pat:2\n{first}:lib/keys.py:github-pat:3\ngone.py:github-pat:5\n"),
    );
    dir.create(".leakproofignore", "# ours\n");
    let out = dir
        .cmd()
        .args(["config", "migrate", ".gitleaksignore"])
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stderr,
        format!(
            "leakproof: added 2 fingerprints to ./.leakproofignore for 2 of the 3 entries of .gitleaksignore\n\
             leakproof: not translated: .gitleaksignore:2: {first}:lib/keys.py:github-pat:3 names a commit, which a fingerprint does not: it now accepts that secret in that file in every commit\n\
             leakproof: not translated: .gitleaksignore:3: gone.py:github-pat:5 matched no finding\n"
        )
    );
    std::fs::remove_file(dir.path().join(".gitleaksignore")).unwrap();
    let ignore = std::fs::read_to_string(dir.path().join(".leakproofignore")).unwrap();
    assert!(
        ignore.starts_with("# ours\n# From .gitleaksignore (leakproof config migrate)\n"),
        "{ignore}"
    );
    // The history reports what it reported with the .gitleaksignore.
    let git = dir.cmd().args(["git", ".", "--format", "json"]).run();
    assert_eq!(
        locations(&git.json()),
        vec![loc("github-pat-classic", "app.py", 1, 10)]
    );
    // Running it again adds nothing.
    dir.create(".gitleaksignore", "app.py:github-pat:2\n");
    let again = dir
        .cmd()
        .args(["config", "migrate", ".gitleaksignore"])
        .run();
    assert!(
        again.stderr.starts_with("leakproof: added 0 fingerprints"),
        "{}",
        again.stderr
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".leakproofignore")).unwrap(),
        ignore
    );
}

/// `leakproof scan app.py --format json` with the baseline `config
/// migrate` writes for a detect-secrets baseline.
fn scan_app_with_baseline(dir: &Dir) -> Output {
    dir.cmd()
        .args(["scan", "app.py", "--format", "json"])
        .args(["--baseline", ".leakproof-baseline.jsonl"])
        .run()
}

#[test]
fn a_detect_secrets_baseline_becomes_a_leakproof_baseline() {
    let dir = Dir::new();
    dir.create(
        "app.py",
        format!("TOKEN = \"{}\"\nOTHER = \"{}\"\n", GH[0], GH[1]),
    );
    // SHA-1 of GH[0] and GH[1], as detect-secrets stores them.
    dir.create(
        ".secrets.baseline",
        r#"{
  "version": "1.5.0",
  "plugins_used": [{"name": "GitHubTokenDetector"}],
  "filters_used": [],
  "results": {
    "app.py": [
      {"type": "GitHub Token", "filename": "app.py", "hashed_secret": "91e5b71dc398719adb874a4c6c3ae50de0975bd6", "is_verified": false, "line_number": 1},
      {"type": "GitHub Token", "filename": "app.py", "hashed_secret": "19df0b9f18c109db074ac6d27684e8905c011036", "is_verified": false, "line_number": 2, "is_secret": true}
    ],
    "old.py": [
      {"type": "Secret Keyword", "filename": "old.py", "hashed_secret": "0000000000000000000000000000000000000000", "is_verified": false, "line_number": 7}
    ]
  },
  "generated_at": "2024-01-01T00:00:00Z"
}
"#,
    );
    let out = dir
        .cmd()
        .args(["config", "migrate", ".secrets.baseline"])
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stderr,
        "leakproof: wrote 1 entries to ./.leakproof-baseline.jsonl for 1 of the 3 results of .secrets.baseline\n\
         leakproof: not translated: .secrets.baseline: app.py:2 (GitHub Token) was audited as a real secret: not accepted, leakproof reports it\n\
         leakproof: not translated: .secrets.baseline: old.py:7 (Secret Keyword): no leakproof finding has that secret in that file\n"
    );
    let baseline = std::fs::read_to_string(dir.path().join(".leakproof-baseline.jsonl")).unwrap();
    assert!(!baseline.contains("ghp_"), "{baseline}");
    assert!(
        baseline.contains(r#""reason":"detect-secrets GitHub Token, line 1 in .secrets.baseline""#),
        "{baseline}"
    );
    let scan = scan_app_with_baseline(&dir);
    assert_eq!(
        locations(&scan.json()),
        vec![loc("github-pat-classic", "app.py", 2, 10)]
    );
    // An existing baseline is not overwritten without --force.
    let again = dir
        .cmd()
        .args(["config", "migrate", ".secrets.baseline"])
        .run();
    assert_eq!(again.code, 2);
    assert!(
        again
            .stderr
            .contains("./.leakproof-baseline.jsonl already exists (use --force to overwrite)"),
        "{}",
        again.stderr
    );
}

/// The rows of the README's gitleaks flag table: the first command in
/// backticks of each cell, gitleaks' then leakproof's.
fn readme_flag_table() -> Vec<(String, String)> {
    let readme = std::fs::read_to_string(manifest_dir().join("README.md")).unwrap();
    let (_, after) = readme
        .split_once("<!-- snippet: gitleaks-flags -->\n")
        .unwrap();
    let command = |cell: &str| cell.split('`').nth(1).unwrap().to_string();
    after
        .lines()
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .map(|row| {
            let cells: Vec<&str> = row.split(" | ").collect();
            (command(cells[0]), command(cells[1]))
        })
        .collect()
}

/// The repository the flag table runs in: `main` with a token in
/// `app.py`, a link to it, one marked `gitleaks:allow`, a custom-format
/// key and a token at the end of a 1.08 MB file; `topic` adds `deploy.env`;
/// `staged.py` is staged. `custom.toml` adds the custom rule.
fn flag_repo() -> Dir {
    let dir = repo();
    dir.create("app.py", format!("TOKEN = \"{}\"\n", GH[0]));
    dir.create("acme.py", format!("ACME = \"{}\"\n", ACME[0]));
    dir.create(
        "allowed.py",
        format!("T = \"{}\"  # gitleaks:allow\n", GH[1]),
    );
    let mut big = "x = 1\n".repeat(180_000);
    big.push_str(&format!("TOKEN = \"{}\"\n", GH[0]));
    dir.create("big.txt", big);
    dir.create(
        "custom.toml",
        "[extend]\nuseDefault = true\n\n[[rules]]\nid = \"acme-key\"\nregex = '''acme_[a-z0-9]{32}'''\nkeywords = [\"acme_\"]\n",
    );
    std::os::unix::fs::symlink("app.py", dir.path().join("link.py")).unwrap();
    commit(&dir, "main");
    crate::git::git(&dir, &["checkout", "-q", "-b", "topic"]);
    dir.create("deploy.env", format!("TOKEN={}\n", GH[2]));
    commit(&dir, "topic");
    dir.create("staged.py", format!("X = \"{}\"\n", GH[3]));
    crate::git::git(&dir, &["add", "staged.py"]);
    dir
}

/// Runs `command` with `sh` in `dir`, leakproof first on the PATH.
fn sh(dir: &Dir, command: &str) -> Output {
    dir.program("sh")
        .args(["-c", command])
        .env("PATH", path_with_leakproof())
        .run()
}

/// `(path, line)` of the findings of a report: leakproof JSON or SARIF, or
/// gitleaks' JSON (a link's finding at the link, as leakproof reports it);
/// paths left out for standard input, which the two tools name apart.
fn report_places(text: &str, stdin: bool) -> Vec<(String, u64)> {
    let value: serde_json::Value = serde_json::from_str(text).unwrap();
    let mut places: Vec<(String, u64)> = if let Some(findings) = value.as_array() {
        findings
            .iter()
            .map(|f| {
                let link = f["SymlinkFile"].as_str().unwrap_or("");
                let file = if link.is_empty() {
                    &f["File"]
                } else {
                    &f["SymlinkFile"]
                };
                (
                    file.as_str().unwrap().to_string(),
                    f["StartLine"].as_u64().unwrap(),
                )
            })
            .collect()
    } else if let Some(runs) = value["runs"].as_array() {
        runs.iter()
            .flat_map(|r| r["results"].as_array().unwrap())
            .map(|r| {
                let l = &r["locations"][0]["physicalLocation"];
                (
                    l["artifactLocation"]["uri"].as_str().unwrap().to_string(),
                    l["region"]["startLine"].as_u64().unwrap(),
                )
            })
            .collect()
    } else {
        locations(&value)
            .into_iter()
            .map(|(_, path, line, _)| (path, line))
            .collect()
    };
    if stdin {
        for p in &mut places {
            p.0.clear();
        }
    }
    places.sort();
    places
}

/// What one table command reports: its exit code and the places of its
/// findings, from the report it writes or, when it writes none, from the
/// same command asked for a JSON report outside the repository.
fn run_flag_row(dir: &Dir, command: &str, gitleaks: bool) -> (i32, Vec<(String, u64)>) {
    let out = sh(dir, command);
    assert!(
        out.code == 0 || out.code == 1,
        "`{command}` exited {}: {}",
        out.code,
        out.stderr
    );
    assert!(!out.stderr.contains("error"), "`{command}`: {}", out.stderr);
    let stdin = command.contains(" < ");
    let written = ["report.json", "report.sarif"]
        .into_iter()
        .find(|f| command.contains(&format!(" {f}")) && !command.contains("baseline"));
    let text = match written {
        Some(file) => std::fs::read_to_string(dir.path().join(file)).unwrap(),
        None => {
            let report = tempfile::NamedTempFile::new().unwrap();
            let path = report.path().display().to_string();
            let again = if gitleaks {
                format!("{command} --no-banner --report-format json --report-path {path}")
            } else {
                format!("{command} --format json --output {path}")
            };
            let out = sh(dir, &again);
            assert!(out.code == 0 || out.code == 1, "`{again}`: {}", out.stderr);
            std::fs::read_to_string(report.path()).unwrap()
        }
    };
    (out.code, report_places(&text, stdin))
}

#[test]
fn the_readme_gitleaks_flag_table_runs_and_matches_gitleaks() {
    let rows = readme_flag_table();
    assert_eq!(rows.len(), 17, "{rows:?}");
    let report_row = rows
        .iter()
        .find(|(_, ours)| ours.contains("--format gitleaks"))
        .unwrap()
        .clone();
    let place = |p: &str, l: u64| (p.to_string(), l);
    for (theirs, ours) in &rows {
        // What leakproof reports, whether or not gitleaks is installed.
        let dir = flag_repo();
        if ours.contains("--baseline") {
            assert_eq!(sh(&dir, &report_row.1).code, 1);
        }
        let (code, found) = run_flag_row(&dir, ours, false);
        let all = vec![
            place("app.py", 1),
            place("big.txt", 180_001),
            place("deploy.env", 1),
            place("staged.py", 1),
        ];
        let expected: Vec<(String, u64)> = match ours.as_str() {
            "leakproof git . (every ref)" | "leakproof git ." => {
                vec![
                    place("app.py", 1),
                    place("big.txt", 180_001),
                    place("deploy.env", 1),
                ]
            }
            "leakproof git . --branch main" => vec![place("app.py", 1), place("big.txt", 180_001)],
            "leakproof git . --range main..topic" => vec![place("deploy.env", 1)],
            "leakproof git . --staged" => vec![place("staged.py", 1)],
            "leakproof scan - < app.py" => vec![place("", 1)],
            "leakproof scan . --baseline report.json" => vec![],
            "leakproof scan . --max-file-size 1M" => {
                vec![
                    place("app.py", 1),
                    place("deploy.env", 1),
                    place("staged.py", 1),
                ]
            }
            "leakproof scan . --config custom.toml" => {
                let mut v = all.clone();
                v.insert(0, place("acme.py", 1));
                v
            }
            "leakproof scan . --ignore-inline-allow" => {
                let mut v = all.clone();
                v.insert(0, place("allowed.py", 1));
                v
            }
            "leakproof scan . --follow" => {
                let mut v = all.clone();
                v.insert(3, place("link.py", 1));
                v
            }
            _ => all.clone(),
        };
        assert_eq!(found, expected, "`{ours}`");
        let expected_code = i32::from(!expected.is_empty() && !ours.contains("--exit-code 0"));
        assert_eq!(code, expected_code, "`{ours}`");
        // gitleaks on a fresh copy: the same exit code and findings.
        let Some(gitleaks) = gitleaks_binary() else {
            continue;
        };
        let dir = flag_repo();
        let theirs = theirs.replacen("gitleaks", &gitleaks.display().to_string(), 1);
        if ours.contains("--baseline") {
            let report = report_row
                .0
                .replacen("gitleaks", &gitleaks.display().to_string(), 1);
            assert_eq!(sh(&dir, &report).code, 1);
        }
        let (their_code, their_found) = run_flag_row(&dir, &theirs, true);
        assert_eq!(
            (their_code, their_found),
            (code, found),
            "`{theirs}` vs `{ours}`"
        );
    }
}

#[test]
fn the_readme_migrate_commands_run() {
    let dir = Dir::new();
    dir.create(
        "app.py",
        format!("TOKEN = \"{}\"\nOTHER = \"{}\"\n", GH[0], GH[1]),
    );
    dir.create(".gitleaks.toml", "[extend]\nuseDefault = true\n");
    dir.create(".gitleaksignore", "app.py:github-pat:1\n");
    dir.create(
        ".secrets.baseline",
        r#"{"version": "1.5.0", "plugins_used": [], "results": {"app.py": [{"type": "GitHub Token", "filename": "app.py", "hashed_secret": "19df0b9f18c109db074ac6d27684e8905c011036", "is_verified": false, "line_number": 2}]}}"#,
    );
    for line in readme_snippet("migrate").lines() {
        let out = sh(&dir, line);
        assert_eq!(out.code, 0, "`{line}`: {}", out.stderr);
        assert!(
            !out.stderr.contains("not translated"),
            "`{line}`: {}",
            out.stderr
        );
    }
    std::fs::remove_file(dir.path().join(".gitleaks.toml")).unwrap();
    std::fs::remove_file(dir.path().join(".gitleaksignore")).unwrap();
    for file in [
        ".leakproof.toml",
        ".leakproofignore",
        ".leakproof-baseline.jsonl",
    ] {
        assert!(dir.path().join(file).is_file(), "{file}");
    }
    // The ignore file accepts line 1, the baseline line 2.
    let out = scan_app_with_baseline(&dir);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let out = dir.cmd().args(["scan", "app.py", "--format", "json"]).run();
    assert_eq!(
        locations(&out.json()),
        vec![loc("github-pat-classic", "app.py", 2, 10)]
    );
}
