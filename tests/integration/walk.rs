//! The directory walk: ignore files, hidden files, .git, binary, oversized,
//! unreadable files and symlinks.

use std::os::unix::fs::{PermissionsExt, symlink};

use crate::util::*;

fn token_line() -> String {
    format!("token={EXTRA_TOKEN}\n")
}

fn scan_json(dir: &Dir, extra: &[&str]) -> (i32, serde_json::Value, String) {
    let (out, json) = scan_report(dir, extra);
    (out.code, json, out.stderr)
}

#[test]
fn gitignored_files_are_skipped_unless_no_ignore() {
    let dir = Dir::new();
    dir.create(".gitignore", "ignored.txt\nbuild/\n");
    dir.create("ignored.txt", token_line());
    dir.create("build/out.txt", token_line());
    dir.create("kept.txt", token_line());
    let (_, json, _) = scan_json(&dir, &[]);
    assert_eq!(
        locations(&json),
        vec![loc("github-pat-classic", "kept.txt", 1, 7)]
    );
    let (_, json, _) = scan_json(&dir, &["--no-ignore"]);
    assert_eq!(
        locations(&json),
        vec![
            loc("github-pat-classic", "build/out.txt", 1, 7),
            loc("github-pat-classic", "ignored.txt", 1, 7),
            loc("github-pat-classic", "kept.txt", 1, 7),
        ]
    );
}

#[test]
fn dot_ignore_files_are_honoured() {
    let dir = Dir::new();
    dir.create(".ignore", "vendor/\n");
    dir.create("vendor/lib.txt", token_line());
    let (code, json, _) = scan_json(&dir, &[]);
    assert_eq!(code, 0);
    assert_eq!(locations(&json), vec![]);
}

#[test]
fn hidden_files_are_scanned_and_git_is_not() {
    let dir = Dir::new();
    dir.create(".npmrc", token_line());
    dir.create(".aws/credentials", token_line());
    dir.create(".git/config", token_line());
    dir.create(".git/objects/ab/cdef", token_line());
    let (_, json, _) = scan_json(&dir, &[]);
    assert_eq!(
        locations(&json),
        vec![
            loc("github-pat-classic", ".aws/credentials", 1, 7),
            loc("github-pat-classic", ".npmrc", 1, 7),
        ]
    );
}

#[test]
fn an_ignored_file_named_explicitly_is_scanned() {
    let dir = Dir::new();
    dir.create(".gitignore", "secret.env\n");
    dir.create("secret.env", token_line());
    let out = dir
        .cmd()
        .args(["scan", "secret.env", "--format", "json"])
        .run();
    assert_eq!(
        locations(&out.json()),
        vec![loc("github-pat-classic", "secret.env", 1, 7)]
    );
}

#[test]
fn binary_files_are_skipped_and_counted() {
    let dir = Dir::new();
    let mut data = vec![0u8, 1, 2, 3];
    data.extend_from_slice(token_line().as_bytes());
    dir.create("image.bin", data);
    // A NUL after the first 8 KiB does not make a file binary.
    let mut late = vec![b'a'; 9000];
    late.push(b'\n');
    late.extend_from_slice(token_line().as_bytes());
    late.push(0);
    dir.create("late-nul.txt", late);
    let (code, json, stderr) = scan_json(&dir, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        locations(&json),
        vec![loc("github-pat-classic", "late-nul.txt", 2, 7)]
    );
    assert_eq!(json["summary"]["skipped_binary"], 1);
    assert!(stderr.contains("skipped 1 binary"), "{stderr}");
}

#[test]
fn binary_private_keys_are_scanned_in_pem_form() {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let dir = Dir::new();
    // A DER PKCS#8 private key (synthetic Ed25519) is binary but a key.
    dir.create("certs/client.der", ed25519_der());
    // Its public key (SubjectPublicKeyInfo) is binary and not a secret.
    let public = b64
        .decode("MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=")
        .unwrap();
    dir.create("certs/client.pub.der", public);
    let (code, json, _) = scan_json(&dir, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        locations(&json),
        vec![loc("private-key-pkcs8", "certs/client.der", 1, 1)]
    );
    assert_eq!(json["summary"]["skipped_binary"], 1);
}

#[test]
fn oversized_files_are_skipped_with_a_notice() {
    let dir = Dir::new();
    let mut big = token_line().into_bytes();
    big.resize(4096, b'x');
    dir.create("big.txt", big);
    dir.create("small.txt", token_line());
    let (code, json, stderr) = scan_json(&dir, &["--max-file-size", "1K"]);
    assert_eq!(code, 1);
    assert_eq!(
        locations(&json),
        vec![loc("github-pat-classic", "small.txt", 1, 7)]
    );
    assert_eq!(json["summary"]["skipped_too_large"], 1);
    assert_eq!(json["notices"][0]["kind"], "too-large");
    assert_eq!(json["notices"][0]["path"], "big.txt");
    assert!(
        stderr.contains("leakproof: warning: big.txt: 4096 bytes is over the --max-file-size limit of 1024 bytes; not scanned"),
        "{stderr}"
    );
    // Raising the limit scans it.
    let (_, json, _) = scan_json(&dir, &["--max-file-size", "8K"]);
    assert_eq!(locations(&json).len(), 2);
}

#[test]
fn symlink_loop_under_follow_is_survived() {
    let dir = Dir::new();
    dir.create("a/secret.txt", token_line());
    symlink("..", dir.path().join("a/loop")).unwrap();
    let (code, json, stderr) = scan_json(&dir, &["--follow"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        locations(&json),
        vec![loc("github-pat-classic", "a/secret.txt", 1, 7)]
    );
    assert_eq!(json["summary"]["symlink_loops"], 1);
    assert_eq!(json["notices"][0]["kind"], "symlink-loop");
    // Without --follow the link is not followed at all.
    let (_, json, _) = scan_json(&dir, &[]);
    assert_eq!(json["summary"]["symlink_loops"], 0);
    assert_eq!(locations(&json).len(), 1);
}

#[test]
fn symlinked_file_is_followed_only_with_follow() {
    let outside = Dir::new();
    let target = outside.create("real.txt", token_line());
    let dir = Dir::new();
    dir.create("plain.txt", "nothing\n");
    symlink(&target, dir.path().join("link.txt")).unwrap();
    let (_, json, _) = scan_json(&dir, &[]);
    assert_eq!(locations(&json), vec![]);
    let (_, json, _) = scan_json(&dir, &["--follow"]);
    assert_eq!(
        locations(&json),
        vec![loc("github-pat-classic", "link.txt", 1, 7)]
    );
}

/// Runs the binary as `nobody`, so that file permissions apply (tests run
/// as root, for whom `chmod 000` changes nothing).
fn run_as_nobody(dir: &Dir, args: &[&str]) -> Output {
    let mut cmd = dir.cmd();
    let bin = env!("CARGO_BIN_EXE_leakproof");
    cmd.command = std::process::Command::new("setpriv");
    cmd.command
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", bin])
        .args(args)
        .current_dir(dir.path());
    cmd.run()
}

#[test]
fn unreadable_file_is_a_warning_and_strict_makes_it_fatal() {
    let dir = Dir::new();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    dir.create("ok.txt", token_line());
    let locked = dir.create("locked.txt", token_line());
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    std::fs::set_permissions(
        dir.path().join("ok.txt"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let out = run_as_nobody(&dir, &["scan", ".", "--format", "json"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let json = out.json();
    assert_eq!(
        locations(&json),
        vec![loc("github-pat-classic", "ok.txt", 1, 7)]
    );
    assert_eq!(json["summary"]["unreadable"], 1);
    assert_eq!(json["notices"][0]["level"], "error");
    assert_eq!(json["notices"][0]["kind"], "unreadable");
    assert_eq!(json["notices"][0]["path"], "locked.txt");
    assert!(
        out.stderr
            .contains("leakproof: warning: locked.txt: Permission denied (os error 13)"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("; 1 unreadable"), "{}", out.stderr);

    let strict = run_as_nobody(&dir, &["scan", ".", "--strict", "--format", "json"]);
    assert_eq!(strict.code, 2, "{}", strict.stderr);
    assert!(
        strict
            .stderr
            .ends_with("leakproof: error: some files could not be read and --strict is set\n"),
        "{}",
        strict.stderr
    );
}
