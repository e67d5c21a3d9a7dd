//! A drop-in for gitleaks users: their configuration files load, gitleaks
//! rule ids name built-in rules, and the suppressions match what gitleaks
//! applies (compared with the gitleaks binary when it is installed).

use std::collections::BTreeSet;
use std::path::PathBuf;

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
    let Some(gitleaks) = gitleaks_binary() else {
        eprintln!("gitleaks binary not installed: comparison skipped");
        return;
    };
    let report = dir.path().join("gitleaks.json");
    let run = dir
        .program(&gitleaks)
        .args(["dir", ".", "--no-banner", "--report-format", "json"])
        .arg_path("--report-path", &report)
        .run();
    assert_eq!(run.code, 1, "{}", run.stderr);
    let theirs: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
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
    let ours: Vec<(String, u64, String)> = locations(&json)
        .into_iter()
        .map(|(rule, path, line, _)| (path, line, rule))
        .collect();
    let mut ours = ours;
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
