//! Rule packs: user packs, broken packs with exact messages, and the
//! `rules` subcommands.

use crate::util::*;

#[test]
fn broken_packs_exit_two_naming_file_rule_and_reason() {
    let cases = [
        (
            "syntax.toml",
            "leakproof: error: invalid rule pack\n  caused by: packs/broken/syntax.toml: rule `broken-syntax`: line 3, column 30: invalid basic string, expected `\"`\n",
        ),
        (
            "unknown-field.toml",
            "leakproof: error: invalid rule pack\n  caused by: packs/broken/unknown-field.toml: rule `typo-field`: line 7, column 1: unknown field `min-entopy`, expected one of `id`, `name`, `severity`, `keywords`, `regex`, `secret-group`, `min-entropy`, `validator`, `generic`, `remediation`, `references`, `examples`, `negative-examples`, `allowlist`, `allowlists`, `path`, `tags`, `every-file`\n",
        ),
        (
            "bad-regex.toml",
            "leakproof: error: invalid rule pack\n  caused by: packs/broken/bad-regex.toml: rule `bad-regex`: regex does not compile: column 5: unclosed group\n",
        ),
        (
            "duplicate-id.toml",
            "leakproof: error: invalid rule pack\n  caused by: packs/broken/duplicate-id.toml: rule `github-pat-classic`: duplicate rule id (first defined in vcs.toml)\n",
        ),
        (
            "no-keywords.toml",
            "leakproof: error: invalid rule pack\n  caused by: packs/broken/no-keywords.toml: rule `no-keywords`: no keywords: every rule needs at least one keyword for the prefilter (or every-file = true)\n",
        ),
        (
            "bad-secret-group.toml",
            "leakproof: error: invalid rule pack\n  caused by: packs/broken/bad-secret-group.toml: rule `bad-secret-group`: secret-group 2 does not exist: the regex has 1 capture group(s)\n",
        ),
    ];
    for (file, expected) in cases {
        let out = broken_rel(file);
        assert_eq!(out.code, 2, "{file}");
        assert_eq!(out.stdout, "", "{file}");
        assert_eq!(out.stderr, expected, "{file}");
    }
}

/// Scans the fixture tree from `fixtures/` with a broken pack given by a
/// relative path, so the message names it as a user would type it.
fn broken_rel(name: &str) -> Output {
    let mut cmd = Dir::new().cmd();
    cmd.command
        .current_dir(fixtures())
        .args(["scan", "tree", "--rules"])
        .arg(format!("packs/broken/{name}"));
    cmd.run()
}

#[test]
fn missing_pack_file_exits_two() {
    let out = Dir::new()
        .cmd()
        .args(["scan", ".", "--rules", "nope.toml"])
        .run();
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        "leakproof: error: invalid rule pack\n  caused by: nope.toml: No such file or directory (os error 2)\n"
    );
}

#[test]
fn a_pack_directory_loads_every_toml_file() {
    let dir = Dir::with_tree();
    let out = dir
        .cmd()
        .args(["scan", "tree", "--format", "json", "--rules"])
        .args([fixtures().join("packs/valid")])
        .run();
    assert_eq!(locations(&out.json()).len(), 3);
}

#[test]
fn rules_list_show_and_test() {
    let dir = Dir::new();
    let list = dir.cmd().args(["rules", "list"]).run();
    assert_eq!(list.code, 0);
    assert!(
        list.stdout
            .lines()
            .any(|l| l
                == "github-pat-classic\tcritical\tGitHub personal access token (classic)\tghp_"),
        "{}",
        list.stdout
    );
    let show = dir
        .cmd()
        .args(["rules", "show", "github-pat-classic"])
        .run();
    assert_eq!(show.code, 0);
    assert!(
        show.stdout.contains("validator:   crc32-base62\n"),
        "{}",
        show.stdout
    );
    let unknown = dir.cmd().args(["rules", "show", "nope"]).run();
    assert_eq!(unknown.code, 2);

    let good = dir
        .cmd()
        .args(["rules", "test"])
        .args([fixtures().join("packs/valid/extra.toml")])
        .run();
    assert_eq!(good.code, 0, "{}", good.stdout);
    assert_eq!(good.stdout, "1 rules tested: 0 failure(s)\n");
}

#[test]
fn rules_test_lists_every_failing_example() {
    let dir = Dir::new();
    dir.create(
        "mine.toml",
        r#"
[[rule]]
id = "mine-token"
name = "My token"
severity = "low"
keywords = ["mine_"]
regex = '''mine_([a-z0-9]{10})'''
examples = ["mine_a1b2c3d4e5", "MINE_TOKEN=mine_short"]
negative-examples = ["mine_q9w8e7r6t5"]
"#,
    );
    let out = dir.cmd().args(["rules", "test", "mine.toml"]).run();
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stdout,
        "mine.toml: mine-token: example 2: expected 1 finding of mine-token, got 0 (nothing matched)\n\
         mine.toml: mine-token: negative example 1: expected no finding, got 1 (mine-token at 1:6)\n\
         1 rules tested: 2 failure(s)\n"
    );
}
