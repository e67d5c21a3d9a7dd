//! `leakproof git` on damaged repositories: every damaged or missing object
//! is exit 2 with a message naming it, never a crash and never a partial
//! result; and the byte-flip sweep over a pack and its index.
//!
//! The sweep flips bytes of a small repository's pack, pack index and
//! commit-graph one at a time and requires, for each flip, exit 2 or the
//! intact repository's exact findings. `cargo test` tries a sample of the
//! bytes; `LEAKPROOF_BYTE_FLIP_FULL=1` tries every byte, twice (XOR 0x01
//! and XOR 0xff), and prints the counts.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::git::{LATER_TOKEN, commit, git, repo};
use crate::util::*;

/// A repository of nine commits with twelve findings, packed by `git gc`
/// (one pack, its index and a commit-graph; no loose objects).
fn packed_repo() -> Dir {
    let dir = repo();
    for i in 1..=3 {
        dir.create(
            &format!("d{i}/a.env"),
            format!("header line {i}\nTOKEN={ENV_TOKEN}\nfoo\n"),
        );
        commit(&dir, &format!("c{i} a"));
        dir.create(
            &format!("d{i}/a.env"),
            format!("header line {i}\nTOKEN={ENV_TOKEN}\nfoo\nother\nX={DEPLOY_TOKEN}\n"),
        );
        dir.create(
            &format!("d{i}/b.txt"),
            format!("b {i}\nKEY={EXTRA_TOKEN}\n"),
        );
        commit(&dir, &format!("c{i} b"));
        let numbers: String = (i..=200).map(|n| format!("{n}\n")).collect();
        dir.create(
            &format!("d{i}/big.txt"),
            format!("{numbers}K={LATER_TOKEN}\n"),
        );
        commit(&dir, &format!("c{i} big"));
    }
    git(&dir, &["gc", "-q"]);
    dir
}

/// The one file of `dir`'s pack directory with extension `ext`.
fn pack_file(dir: &Dir, ext: &str) -> PathBuf {
    let packs = dir.path().join(".git/objects/pack");
    let mut found: Vec<PathBuf> = fs::read_dir(&packs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    found.pop().unwrap()
}

/// The file of a loose object.
fn loose_path(dir: &Dir, oid: &str) -> PathBuf {
    dir.path()
        .join(".git/objects")
        .join(&oid[..2])
        .join(&oid[2..])
}

fn writable(path: &Path) {
    fs::set_permissions(path, fs::Permissions::from_mode(0o644)).unwrap();
}

/// XORs the byte at `at` of `path` with `mask`.
fn flip(path: &Path, at: usize, mask: u8) {
    writable(path);
    let mut data = fs::read(path).unwrap();
    data[at] ^= mask;
    fs::write(path, data).unwrap();
}

/// The location and commit of every finding, sorted.
type Found = Vec<((String, String, u64, u64), String)>;

fn findings(json: &serde_json::Value) -> Found {
    let commits = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["commit"].as_str().unwrap_or_default().to_string());
    let mut all: Found = locations(json).into_iter().zip(commits).collect();
    all.sort();
    all
}

fn scan(dir: &Dir, extra: &[&str]) -> Output {
    dir.cmd()
        .args(["git", ".", "--format", "json"])
        .args(extra)
        .run()
}

/// Asserts exit 2 with an error naming `what`, on stderr.
fn assert_fails_naming(out: &Output, what: &str) {
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains(what),
        "stderr does not name {what}:\n{}",
        out.stderr
    );
}

#[test]
fn a_flipped_pack_byte_is_exit_2_naming_the_pack_in_every_mode() {
    let dir = packed_repo();
    let pack = pack_file(&dir, "pack");
    let name = pack.file_name().unwrap().to_str().unwrap().to_string();
    // Inside the first object's compressed data.
    flip(&pack, 20, 0xff);
    for mode in [&[][..], &["--range", "HEAD~3..HEAD"], &["--staged"]] {
        let out = scan(&dir, mode);
        assert_fails_naming(&out, &name);
        assert!(out.stderr.contains("checksum mismatch"), "{}", out.stderr);
    }
}

#[test]
fn a_flipped_index_byte_is_exit_2_naming_the_index() {
    let dir = packed_repo();
    let idx = pack_file(&dir, "idx");
    let name = idx.file_name().unwrap().to_str().unwrap().to_string();
    // The high byte of the first object's offset: far past the pack's end.
    let len = fs::metadata(&idx).unwrap().len() as usize;
    let objects = (len - 8 - 1024 - 40) / 28;
    flip(&idx, 8 + 1024 + objects * 24, 0x7f);
    let out = scan(&dir, &[]);
    assert_fails_naming(&out, &name);
    assert!(
        out.stderr.contains("lies outside its pack"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_flipped_commit_graph_byte_is_exit_2_naming_it() {
    let dir = packed_repo();
    let graph = dir.path().join(".git/objects/info/commit-graph");
    let len = fs::metadata(&graph).unwrap().len() as usize;
    flip(&graph, len / 2, 0x01);
    assert_fails_naming(&scan(&dir, &[]), "commit-graph: checksum mismatch");
}

#[test]
fn a_flipped_multi_pack_index_byte_is_exit_2_naming_it() {
    let dir = packed_repo();
    git(&dir, &["multi-pack-index", "write"]);
    let midx = dir.path().join(".git/objects/pack/multi-pack-index");
    let len = fs::metadata(&midx).unwrap().len() as usize;
    flip(&midx, len / 2, 0x01);
    assert_fails_naming(&scan(&dir, &[]), "multi-pack-index: checksum mismatch");
}

#[test]
fn a_damaged_pack_in_an_alternate_store_is_exit_2_naming_it() {
    let shared = packed_repo();
    let dir = Dir::new();
    git(
        &dir,
        &[
            "clone",
            "-q",
            "--shared",
            shared.path().to_str().unwrap(),
            ".",
        ],
    );
    let pack = pack_file(&shared, "pack");
    let len = fs::metadata(&pack).unwrap().len() as usize;
    flip(&pack, len / 2, 0x01);
    let name = pack.file_name().unwrap().to_str().unwrap().to_string();
    assert_fails_naming(&scan(&dir, &[]), &name);
}

/// Rewrites the trailing SHA-1 of `data` to match its content.
fn reseal(data: &mut [u8]) {
    use sha1::{Digest, Sha1};
    let end = data.len() - 20;
    let sum = Sha1::digest(&data[..end]);
    data[end..].copy_from_slice(&sum);
}

#[test]
fn a_pack_entry_of_unknown_type_is_exit_2_even_with_valid_checksums() {
    // Not what a disk does, but what libgit2 must survive once checksums
    // pass: git2's own header reader panics on a type it does not know.
    let dir = packed_repo();
    let oid = git(&dir, &["rev-parse", "HEAD:d3/b.txt"]);
    let (idx_path, pack_path) = (pack_file(&dir, "idx"), pack_file(&dir, "pack"));
    let mut idx = fs::read(&idx_path).unwrap();
    let mut pack = fs::read(&pack_path).unwrap();
    let be32 = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize;
    let n = be32(&idx[8 + 255 * 4..]);
    let raw: Vec<u8> = (0..20)
        .map(|i| u8::from_str_radix(&oid[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    let slot = (0..n)
        .find(|&i| idx[8 + 1024 + i * 20..][..20] == raw[..])
        .unwrap();
    let offset = be32(&idx[8 + 1024 + n * 24 + slot * 4..]);
    // Type 5 is reserved: keep the size bits, replace the type bits.
    pack[offset] = (pack[offset] & 0x8f) | 0x50;
    reseal(&mut pack);
    let recorded = idx.len() - 40;
    idx[recorded..recorded + 20].copy_from_slice(&pack[pack.len() - 20..]);
    reseal(&mut idx);
    for (path, data) in [(&pack_path, &pack), (&idx_path, &idx)] {
        writable(path);
        fs::write(path, data).unwrap();
    }
    let out = scan(&dir, &[]);
    assert_fails_naming(&out, &format!("cannot read blob {oid}"));
    assert!(
        out.stderr.contains("an object of no known type"),
        "{}",
        out.stderr
    );
}

/// A repository whose last commit's objects are loose; returns it and the
/// id of the loose blob that holds a token.
fn loose_repo() -> (Dir, String) {
    let dir = repo();
    dir.create("old.txt", "old\n");
    commit(&dir, "old");
    git(&dir, &["gc", "-q"]);
    dir.create("app.env", format!("TOKEN={EXTRA_TOKEN}\n"));
    commit(&dir, "token");
    let oid = git(&dir, &["rev-parse", "HEAD:app.env"]);
    assert!(loose_path(&dir, &oid).is_file());
    (dir, oid)
}

/// Replaces a loose object's file with `content` compressed.
fn write_loose(dir: &Dir, oid: &str, content: &[u8]) {
    let path = loose_path(dir, oid);
    writable(&path);
    fs::write(
        &path,
        miniz_oxide::deflate::compress_to_vec_zlib(content, 6),
    )
    .unwrap();
}

/// How stderr names a loose object's file.
fn loose_name(oid: &str) -> String {
    format!("objects/{}/{}", &oid[..2], &oid[2..])
}

#[test]
fn a_damaged_loose_object_is_exit_2_naming_it() {
    let (dir, oid) = loose_repo();
    let path = loose_path(&dir, &oid);
    let len = fs::metadata(&path).unwrap().len() as usize;
    flip(&path, len - 6, 0x01);
    assert_fails_naming(&scan(&dir, &[]), &loose_name(&oid));
}

#[test]
fn a_truncated_loose_commit_is_exit_2_not_a_hang() {
    // libgit2 loops forever on a zlib stream that stops short.
    let (dir, _) = loose_repo();
    let oid = git(&dir, &["rev-parse", "HEAD"]);
    let path = loose_path(&dir, &oid);
    writable(&path);
    let data = fs::read(&path).unwrap();
    fs::write(&path, &data[..data.len() / 2]).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_leakproof"))
        .args(["git", "."])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(120) {
            child.kill().unwrap();
            panic!("leakproof git hangs on a truncated loose object");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("{}: truncated zlib stream", loose_name(&oid))),
        "{stderr}"
    );
}

#[test]
fn a_loose_object_of_unknown_type_is_exit_2_naming_it() {
    let (dir, oid) = loose_repo();
    write_loose(
        &dir,
        &oid,
        format!("blub 47\0TOKEN={EXTRA_TOKEN}\n").as_bytes(),
    );
    assert_fails_naming(
        &scan(&dir, &[]),
        &format!("{}: bad object header", loose_name(&oid)),
    );
}

#[test]
fn a_loose_header_claiming_a_huge_size_is_exit_2_not_a_skip() {
    let (dir, oid) = loose_repo();
    // What a damaged size digit looks like: the header says 99 MB, the
    // object holds 47 bytes.
    write_loose(
        &dir,
        &oid,
        format!("blob 99000047\0TOKEN={EXTRA_TOKEN}\n").as_bytes(),
    );
    assert_fails_naming(
        &scan(&dir, &[]),
        &format!(
            "{}: header says 99000047 bytes, the object holds 47",
            loose_name(&oid)
        ),
    );
}

#[test]
fn a_genuinely_large_loose_blob_is_still_skipped_as_too_large() {
    let (dir, _) = loose_repo();
    dir.create("big.txt", "x".repeat(3000));
    commit(&dir, "big");
    let out = scan(&dir, &["--max-file-size", "2K"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(out.json()["summary"]["skipped_too_large"], 1);
}

#[test]
fn a_missing_object_is_exit_2_naming_it() {
    let (dir, oid) = loose_repo();
    fs::remove_file(loose_path(&dir, &oid)).unwrap();
    for mode in [&[][..], &["--range", "HEAD~1..HEAD"]] {
        let out = scan(&dir, mode);
        assert_fails_naming(&out, &oid);
    }
}

/// What one flip did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    /// Exit 2 with an error.
    Refused,
    /// Exit 1 with exactly the intact repository's findings.
    Complete,
    /// Anything else: a signal, a panic, other findings or exit code.
    Wrong,
}

/// Flips bytes of each of `files` in `dir` one at a time (all of them if
/// `full`, else a sample), scans, and counts the outcomes per file kind;
/// returns a description of every flip that was neither refused nor
/// complete.
fn sweep(
    dir: &Dir,
    files: &[(&str, PathBuf)],
    full: bool,
    counts: &mut BTreeMap<(String, Outcome), usize>,
) -> Vec<String> {
    let intact = scan(dir, &[]);
    assert_eq!(intact.code, 1, "{}", intact.stderr);
    let want = findings(&intact.json());
    let masks: &[u8] = if full { &[0x01, 0xff] } else { &[0xff] };
    let mut wrong = Vec::new();
    for (kind, file) in files {
        writable(file);
        let original = fs::read(file).unwrap();
        // The sample: the headers, the trailing checksums and every 149th byte.
        let bytes: Vec<usize> = (0..original.len())
            .filter(|&i| full || i < 12 || i + 20 >= original.len() || i % 149 == 0)
            .collect();
        for &at in &bytes {
            for &mask in masks {
                let mut data = original.clone();
                data[at] ^= mask;
                fs::write(file, &data).unwrap();
                let out = scan(dir, &[]);
                let outcome = match out.code {
                    2 => Outcome::Refused,
                    1 if findings(&out.json()) == want => Outcome::Complete,
                    _ => Outcome::Wrong,
                };
                if outcome == Outcome::Wrong {
                    wrong.push(format!(
                        "{kind} byte {at} ^ {mask:#04x}: exit {}\n{}",
                        out.code, out.stderr
                    ));
                }
                *counts.entry((kind.to_string(), outcome)).or_default() += 1;
            }
        }
        fs::write(file, &original).unwrap();
    }
    // The repository is intact again.
    assert_eq!(findings(&scan(dir, &[]).json()), want);
    wrong
}

#[test]
fn byte_flip_sweep() {
    let full = std::env::var_os("LEAKPROOF_BYTE_FLIP_FULL").is_some();
    let mut counts = BTreeMap::new();
    let packed = packed_repo();
    assert_eq!(findings(&scan(&packed, &[]).json()).len(), 12);
    let files = [
        ("pack", pack_file(&packed, "pack")),
        ("idx", pack_file(&packed, "idx")),
        (
            "commit-graph",
            packed.path().join(".git/objects/info/commit-graph"),
        ),
    ];
    let mut wrong = sweep(&packed, &files, full, &mut counts);
    let (loose, blob) = loose_repo();
    let files: Vec<(&str, PathBuf)> = [
        ("loose blob", blob),
        ("loose tree", git(&loose, &["rev-parse", "HEAD^{tree}"])),
        ("loose commit", git(&loose, &["rev-parse", "HEAD"])),
    ]
    .into_iter()
    .map(|(kind, oid)| (kind, loose_path(&loose, &oid)))
    .collect();
    wrong.extend(sweep(&loose, &files, full, &mut counts));
    let total: usize = counts.values().sum();
    eprintln!("byte-flip sweep: {total} flips");
    for ((kind, outcome), n) in &counts {
        eprintln!("  {kind}: {outcome:?} {n}");
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
