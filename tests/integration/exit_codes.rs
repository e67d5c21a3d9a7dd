//! Exit codes: 0 clean, 1 findings (or --exit-code), 2 untrusted scan.

use crate::util::*;

#[test]
fn clean_tree_exits_zero() {
    let dir = Dir::new();
    dir.create("readme.md", "nothing secret here\n");
    let out = dir.cmd().args(["scan", "."]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "");
}

#[test]
fn findings_exit_one() {
    let out = Dir::with_tree().cmd().args(["scan", "tree"]).run();
    assert_eq!(out.code, 1);
}

#[test]
fn exit_code_overrides_the_findings_code() {
    let dir = Dir::with_tree();
    assert_eq!(
        dir.cmd()
            .args(["scan", "tree", "--exit-code", "42"])
            .run()
            .code,
        42
    );
    assert_eq!(
        dir.cmd()
            .args(["scan", "tree", "--exit-code", "0"])
            .run()
            .code,
        0
    );
    let bad = dir.cmd().args(["scan", "tree", "--exit-code", "300"]).run();
    assert_eq!(bad.code, 2);
}

#[test]
fn missing_target_exits_two() {
    let out = Dir::new().cmd().args(["scan", "does-not-exist"]).run();
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        "leakproof: error: does-not-exist: no such file or directory\n"
    );
    assert_eq!(out.stdout, "");
}

#[test]
fn bad_arguments_exit_two() {
    let out = Dir::new().cmd().args(["scan", "--format", "yaml"]).run();
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("invalid value 'yaml' for '--format <FORMAT>'"),
        "{}",
        out.stderr
    );
    let size = Dir::new()
        .cmd()
        .args(["scan", "--max-file-size", "ten"])
        .run();
    assert_eq!(size.code, 2);
    assert!(
        size.stderr.contains("`ten` is not a size"),
        "{}",
        size.stderr
    );
}

#[test]
fn broken_pack_exits_two() {
    let pack = fixtures().join("packs/broken/bad-regex.toml");
    let out = Dir::with_tree()
        .cmd()
        .args(["scan", "tree", "--rules"])
        .args([&pack])
        .run();
    assert_eq!(out.code, 2);
    assert_eq!(out.stdout, "");
}
