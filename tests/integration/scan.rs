//! `leakproof scan`: exact findings on the fixture tree, stdin, odd bytes.

use crate::util::*;

fn extra_pack() -> String {
    fixtures()
        .join("packs/valid/extra.toml")
        .display()
        .to_string()
}

#[test]
fn fixture_tree_exact_findings() {
    let dir = Dir::with_tree();
    let out = dir
        .cmd()
        .args([
            "scan",
            "tree",
            "--format",
            "json",
            "--show-secrets",
            "--rules",
            &extra_pack(),
        ])
        .run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    let json = out.json();
    assert_eq!(
        locations(&json),
        vec![
            loc("github-pat-classic", "tree/.env", 3, 14),
            loc("github-pat-classic", "tree/config/deploy.yaml", 5, 13),
            loc("acme-api-key", "tree/config/deploy.yaml", 7, 10),
        ]
    );
    let secrets: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["secret"].as_str().unwrap())
        .collect();
    assert_eq!(secrets, vec![ENV_TOKEN, DEPLOY_TOKEN, ACME_KEY]);
}

#[test]
fn without_the_user_pack_its_rule_does_not_run() {
    let dir = Dir::with_tree();
    let out = dir.cmd().args(["scan", "tree", "--format", "json"]).run();
    assert_eq!(
        locations(&out.json()),
        vec![
            loc("github-pat-classic", "tree/.env", 3, 14),
            loc("github-pat-classic", "tree/config/deploy.yaml", 5, 13),
        ]
    );
}

#[test]
fn stdin_is_scanned_as_dash() {
    let dir = Dir::new();
    let out = dir
        .cmd()
        .args(["scan", "-", "--format", "json", "--show-secrets"])
        .stdin(format!("line one\n  token={EXTRA_TOKEN}\n"))
        .run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    let json = out.json();
    assert_eq!(locations(&json), vec![loc("github-pat-classic", "-", 2, 9)]);
    assert_eq!(json["findings"][0]["secret"], EXTRA_TOKEN);
}

#[test]
fn clean_stdin_exits_zero() {
    let out = Dir::new()
        .cmd()
        .args(["scan", "-"])
        .stdin("nothing to see\n")
        .run();
    assert_eq!(out.code, 0);
    assert_eq!(out.stdout, "");
    assert!(out.stderr.contains("scanned 1 file"), "{}", out.stderr);
}

#[test]
fn invalid_utf8_does_not_stop_the_scan() {
    let dir = Dir::new();
    let mut data = b"\xff\xfe broken \xc3\x28 bytes\n".to_vec();
    // A lone 0xE9 byte (Latin-1 'é') right before the token, on line 2.
    data.extend_from_slice(b"k=\xe9");
    data.extend_from_slice(EXTRA_TOKEN.as_bytes());
    data.push(b'\n');
    data.extend_from_slice(b"\xe9\xe9 after\n");
    dir.create("latin1.txt", &data);
    let out = dir
        .cmd()
        .args(["scan", "latin1.txt", "--format", "json", "--show-secrets"])
        .run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    let json = out.json();
    // Column counts characters: 'k', '=', 'é' precede the token.
    assert_eq!(
        locations(&json),
        vec![loc("github-pat-classic", "latin1.txt", 2, 4)]
    );
    assert_eq!(json["findings"][0]["secret"], EXTRA_TOKEN);
}

#[test]
fn invalid_utf8_bytes_inside_a_line_are_skipped_over() {
    let dir = Dir::new();
    let mut data = b"x=\xff\xff".to_vec();
    data.extend_from_slice(EXTRA_TOKEN.as_bytes());
    data.extend_from_slice(b"\xff\n");
    dir.create("raw.bin.txt", &data);
    let out = dir
        .cmd()
        .args(["scan", "raw.bin.txt", "--format", "json"])
        .run();
    assert_eq!(
        locations(&out.json()),
        vec![loc("github-pat-classic", "raw.bin.txt", 1, 5)]
    );
}

#[test]
fn secrets_are_redacted_by_default() {
    let dir = Dir::with_tree();
    let out = dir
        .cmd()
        .args(["scan", "tree/.env", "--format", "json"])
        .run();
    let json = out.json();
    assert_eq!(json["findings"][0]["secret"], "ghp_*****");
    assert_eq!(json["findings"][0]["match"], "ghp_*****");
    assert!(!out.stdout.contains(ENV_TOKEN));
}

#[test]
fn rule_selection_flags() {
    let dir = Dir::with_tree();
    let only = dir
        .cmd()
        .args([
            "scan",
            "tree",
            "--format",
            "json",
            "--rules",
            &extra_pack(),
            "--enable-rule",
            "acme-api-key",
        ])
        .run();
    assert_eq!(
        locations(&only.json()),
        vec![loc("acme-api-key", "tree/config/deploy.yaml", 7, 10)]
    );
    let without = dir
        .cmd()
        .args([
            "scan",
            "tree",
            "--format",
            "json",
            "--rules",
            &extra_pack(),
            "--disable-rule",
            "github-pat-classic",
        ])
        .run();
    // Without the specific rule, the generic assignment rule still sees
    // the tokens: disabling a rule never hides a secret silently.
    assert_eq!(
        locations(&without.json()),
        vec![
            loc("generic-secret", "tree/.env", 3, 14),
            loc("generic-secret", "tree/config/deploy.yaml", 5, 13),
            loc("acme-api-key", "tree/config/deploy.yaml", 7, 10),
        ]
    );
    let critical = dir
        .cmd()
        .args([
            "scan",
            "tree",
            "--format",
            "json",
            "--rules",
            &extra_pack(),
            "--min-severity",
            "critical",
        ])
        .run();
    assert_eq!(
        locations(&critical.json()),
        vec![
            loc("github-pat-classic", "tree/.env", 3, 14),
            loc("github-pat-classic", "tree/config/deploy.yaml", 5, 13),
        ]
    );
    let unknown = dir
        .cmd()
        .args(["scan", "tree", "--disable-rule", "no-such-rule"])
        .run();
    assert_eq!(unknown.code, 2);
    assert_eq!(
        unknown.stderr,
        "leakproof: error: unknown rule id `no-such-rule` (see `leakproof rules list`)\n"
    );
}

#[test]
fn show_suppressed_explains_each_drop() {
    let dir = Dir::with_tree();
    let out = dir
        .cmd()
        .args(["scan", "tree/src", "--show-suppressed"])
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "suppressed tree/src/client.py:5:16  github-pat-classic  entropy: entropy 0.67 below threshold 3.00\n"
    );
    assert!(
        out.stderr.contains("1 suppressed (entropy 1)"),
        "{}",
        out.stderr
    );
}
