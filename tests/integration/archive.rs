//! Archives: every kind found by its magic bytes and scanned entry by
//! entry at `outer!inner`, nesting, the expansion limits (a zip bomb is a
//! warning, counted), names that climb out of the archive (never written,
//! reported as they are), damaged archives, and archives in git history.
//! Every fixture is built here from synthetic tokens.

use std::io::{Cursor, Write};

use crate::git::{commit, repo};
use crate::util::*;

const RULE: &str = "github-pat-classic";

/// A `.env` line holding `token`, whose secret starts at column 7.
fn env(token: &str) -> Vec<u8> {
    format!("# settings\nTOKEN={token}\n").into_bytes()
}

/// The findings of [`env`] files at `paths`: the token at line 2, column 7.
fn env_findings(paths: &[&str]) -> Vec<(String, String, u64, u64)> {
    paths.iter().map(|p| loc(RULE, p, 2, 7)).collect()
}

fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// A tar; each name is written into the header as it is (`../` too).
fn tar(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in entries {
        let mut h = tar::Header::new_ustar();
        h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        h.set_cksum();
        b.append(&h, *data).unwrap();
    }
    b.into_inner().unwrap()
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn bz2(data: &[u8]) -> Vec<u8> {
    let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn xz(data: &[u8]) -> Vec<u8> {
    let mut e =
        lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::with_preset(1)).unwrap();
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn zst(data: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
}

/// An expected notice: `(level, kind, path, message)`.
fn notice(level: &str, kind: &str, path: &str, message: &str) -> (String, String, String, String) {
    (
        level.to_string(),
        kind.to_string(),
        path.to_string(),
        message.to_string(),
    )
}

/// `(level, kind, path, message)` of every notice in a JSON report.
fn notices(json: &serde_json::Value) -> Vec<(String, String, String, String)> {
    json["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            let s = |k: &str| n[k].as_str().unwrap().to_string();
            (s("level"), s("kind"), s("path"), s("message"))
        })
        .collect()
}

#[test]
fn every_archive_kind_is_scanned_entry_by_entry() {
    let dir = Dir::new();
    let secret = env(ENV_TOKEN);
    let entries: &[(&str, &[u8])] = &[("conf/app.env", &secret), ("README", b"hello\n")];
    let zipped = zip(entries);
    let tarred = tar(entries);
    // The zip family is found by content: jars, wheels, packages and
    // office documents are zips, and so is a zip under any name.
    for name in [
        "a.zip",
        "a.jar",
        "a.war",
        "a.ear",
        "a.apk",
        "a.whl",
        "a.nupkg",
        "a.docx",
        "a.xlsx",
        "a.pptx",
        "zip-named.bin",
    ] {
        dir.create(name, &zipped);
    }
    dir.create("t.tar", &tarred);
    dir.create("t.tar.gz", gz(&tarred));
    dir.create("t.tgz", gz(&tarred));
    dir.create("t.tar.bz2", bz2(&tarred));
    dir.create("t.tar.xz", xz(&tarred));
    dir.create("t.tar.zst", zst(&tarred));
    dir.create("one.env.gz", gz(&secret));
    dir.create("one.env.bz2", bz2(&secret));
    dir.create("one.env.xz", xz(&secret));
    dir.create("one.env.zst", zst(&secret));
    let (out, json) = scan_report(&dir, &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let mut expected: Vec<_> = [
        "a.apk",
        "a.docx",
        "a.ear",
        "a.jar",
        "a.nupkg",
        "a.pptx",
        "a.war",
        "a.whl",
        "a.xlsx",
        "a.zip",
        "t.tar",
        "t.tar.bz2",
        "t.tar.gz",
        "t.tar.xz",
        "t.tar.zst",
        "t.tgz",
        "zip-named.bin",
    ]
    .iter()
    .map(|a| loc(RULE, &format!("{a}!conf/app.env"), 2, 7))
    .collect();
    for (archive, inner) in [
        ("one.env.bz2", "one.env"),
        ("one.env.gz", "one.env"),
        ("one.env.xz", "one.env"),
        ("one.env.zst", "one.env"),
    ] {
        expected.push(loc(RULE, &format!("{archive}!{inner}"), 2, 7));
    }
    expected.sort();
    assert_eq!(locations(&json), expected);
    assert_eq!(notices(&json), vec![]);
    // Two entries per archive, one for each single compressed file.
    assert_eq!(json["summary"]["files_scanned"], 17 * 2 + 4);
}

#[test]
fn nested_archives_open_up_to_the_depth_limit() {
    let dir = Dir::new();
    let inner = zip(&[("config/app.properties", &env(EXTRA_TOKEN))]);
    let lib = tar(&[("lib/inner.jar", &inner)]);
    dir.create("outer.tar.gz", gz(&lib));
    let (_, json) = scan_report(&dir, &[]);
    assert_eq!(
        locations(&json),
        vec![loc(
            RULE,
            "outer.tar.gz!lib/inner.jar!config/app.properties",
            2,
            7
        )]
    );
    // One level: the inner jar is binary content, skipped and counted.
    let (out, json) = scan_report(&dir, &["--max-archive-depth", "1"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(locations(&json), vec![]);
    assert_eq!(json["summary"]["skipped_binary"], 1);
    // None: the archive itself is binary content.
    let (_, json) = scan_report(&dir, &["--max-archive-depth", "0"]);
    assert_eq!(locations(&json), vec![]);
    assert_eq!(json["summary"]["skipped_binary"], 1);
    assert_eq!(json["summary"]["files_scanned"], 0);
}

#[test]
fn a_zip_bomb_is_a_warning_and_what_came_before_it_is_scanned() {
    let dir = Dir::new();
    let zeros = vec![0u8; 1 << 20];
    let first = env(ENV_TOKEN);
    let last = env(EXTRA_TOKEN);
    let mut entries: Vec<(String, &[u8])> = vec![("a/first.env".to_string(), &first)];
    for i in 0..12 {
        entries.push((format!("zeros/{i:02}.bin"), &zeros));
    }
    entries.push(("z/last.env".to_string(), &last));
    let entries: Vec<(&str, &[u8])> = entries.iter().map(|(n, d)| (n.as_str(), *d)).collect();
    let bomb = zip(&entries);
    assert!(bomb.len() < 64 << 10, "{}", bomb.len());
    dir.create("bomb.zip", &bomb);
    // A gzip of 16 MiB of zeros: a stream, not a zip.
    dir.create("zeros.log.gz", gz(&vec![0u8; 16 << 20]));
    let (out, json) = scan_report(&dir, &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        locations(&json),
        vec![loc(RULE, "bomb.zip!a/first.env", 2, 7)]
    );
    // An archive may expand to 100 times its size, and at least 4 MiB.
    let bomb_notice = |path: &str, size: u64| {
        (
            "warning".to_string(),
            "archive-skipped".to_string(),
            path.to_string(),
            format!(
                "the archive expands past {} bytes (100 times its {size} bytes, at least \
                 4194304 and at most 536870912): a decompression bomb? the rest is not scanned",
                (size * 100).max(4 << 20)
            ),
        )
    };
    let gz_size = std::fs::metadata(dir.path().join("zeros.log.gz"))
        .unwrap()
        .len();
    assert!(gz_size * 100 < 16 << 20, "{gz_size}");
    assert_eq!(
        notices(&json),
        vec![
            bomb_notice("bomb.zip!zeros/03.bin", bomb.len() as u64),
            bomb_notice("zeros.log.gz!zeros.log", gz_size),
        ]
    );
    assert_eq!(json["summary"]["skipped_in_archives"], 2);
    let text = dir.cmd().args(["scan", "."]).run();
    assert!(
        text.stderr.contains("; skipped 5 binary, 2 in archives"),
        "{}",
        text.stderr
    );
}

#[test]
fn tar_names_that_climb_out_are_reported_as_they_are_and_never_written() {
    let dir = Dir::new();
    let secret = env(ENV_TOKEN);
    let evil = tar(&[
        ("../../outside/secret.env", &secret),
        ("/etc/leak.env", &secret),
        ("esc\x1b]0;pwned\x07.env", &secret),
    ]);
    dir.create("scan/evil.tar", &evil);
    let out = dir.cmd().args(["scan", "scan", "--format", "json"]).run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        locations(&out.json()),
        vec![
            loc(RULE, "scan/evil.tar!../../outside/secret.env", 2, 7),
            loc(RULE, "scan/evil.tar!/etc/leak.env", 2, 7),
            loc(RULE, "scan/evil.tar!esc\x1b]0;pwned\x07.env", 2, 7),
        ]
    );
    // Nothing was unpacked anywhere.
    let mut found: Vec<String> = walk_names(dir.path());
    found.sort();
    assert_eq!(found, vec!["scan", "scan/evil.tar"]);
    assert!(!std::path::Path::new("/etc/leak.env").exists());
    // The terminal sees the control characters as escapes.
    let text = dir.cmd().args(["scan", "scan"]).run();
    assert!(
        text.stdout
            .contains("scan/evil.tar!esc\\x1b]0;pwned\\x07.env:2:7"),
        "{}",
        text.stdout
    );
    assert!(!text.stdout.contains('\x1b'), "{}", text.stdout);
}

/// Every path under `root`, relative to it.
fn walk_names(root: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            out.push(p.strip_prefix(root).unwrap().to_string_lossy().into_owned());
            if p.is_dir() {
                stack.push(p);
            }
        }
    }
    out
}

#[test]
fn a_corrupt_archive_is_an_error_notice_and_the_scan_goes_on() {
    let dir = Dir::new();
    let secret = env(ENV_TOKEN);
    let good = zip(&[("ok.env", &secret)]);
    dir.create("good.zip", &good);
    // Cut in its central directory: the entries are read from their local
    // headers.
    dir.create("cut.zip", &good[..good.len() - 30]);
    // The first entry is whole, the second is cut short: the first is
    // scanned, the damage reported.
    let other = env(EXTRA_TOKEN);
    let tarred = tar(&[("first.env", &secret), ("second.env", &other)]);
    dir.create("cut.tar", &tarred[..1024 + 512 + 10]);
    let (out, json) = scan_report(&dir, &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        locations(&json),
        vec![
            loc(RULE, "cut.tar!first.env", 2, 7),
            loc(RULE, "cut.zip!ok.env", 2, 7),
            loc(RULE, "good.zip!ok.env", 2, 7),
        ]
    );
    let found = notices(&json);
    let shown: Vec<(&str, &str, &str)> = found
        .iter()
        .map(|(l, k, p, _)| (l.as_str(), k.as_str(), p.as_str()))
        .collect();
    assert_eq!(
        shown,
        vec![
            ("error", "corrupt-archive", "cut.tar!second.env"),
            ("error", "corrupt-archive", "cut.zip"),
        ]
    );
    assert_eq!(
        found[1].3,
        "corrupt zip archive: invalid Zip archive: Could not find EOCD; its entries are read \
         in order from its start instead"
    );
    assert_eq!(json["summary"]["corrupt_archives"], 2);
    assert!(
        out.stderr
            .contains("leakproof: warning: cut.zip: corrupt zip archive"),
        "{}",
        out.stderr
    );
    // --strict: the scan cannot be trusted, as for an unreadable file.
    let strict = dir.cmd().args(["scan", ".", "--strict"]).run();
    assert_eq!(strict.code, 2, "{}", strict.stderr);
    // On GitHub, the damage is a warning on the run, after the findings.
    let github = dir.cmd().args(["scan", ".", "--format", "github"]).run();
    let warnings: Vec<String> = github
        .stdout
        .lines()
        .filter(|l| l.starts_with("::warning "))
        .map(str::to_string)
        .collect();
    let title = "::warning title=leakproof%3A could not read all content::";
    assert_eq!(
        warnings,
        vec![
            format!("{title}cut.tar!second.env: {}", found[0].3),
            format!("{title}cut.zip: {}", found[1].3),
        ]
    );
    assert_eq!(github.stdout.lines().count(), 3 + 2, "{}", github.stdout);
}

#[test]
fn inner_paths_reach_every_format_and_the_fingerprint() {
    let dir = Dir::new();
    let entries: &[(&str, &[u8])] = &[("d/app.env", &env(ENV_TOKEN))];
    dir.create("a.zip", zip(entries));
    dir.create("b.zip", zip(entries));
    let (_, json) = scan_report(&dir, &[]);
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings[0]["path"], "a.zip!d/app.env");
    assert_eq!(findings[0]["fingerprint_path"], "a.zip!d/app.env");
    // The same entry in two archives: two fingerprints.
    assert_ne!(findings[0]["fingerprint"], findings[1]["fingerprint"]);
    // SARIF and GitHub annotations point at the file the checkout holds,
    // the archive, and name the entry and its position in it.
    let fingerprint = |i: usize| findings[i]["fingerprint"].as_str().unwrap();
    let sarif = dir
        .cmd()
        .args(["scan", ".", "--format", "sarif"])
        .run()
        .json();
    crate::formats::assert_valid_sarif(&sarif);
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(
        result["locations"],
        serde_json::json!([{"physicalLocation": {
            "artifactLocation": {"uri": "a.zip", "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": 1}
        }}])
    );
    assert_eq!(result["properties"]["archiveEntry"], "d/app.env");
    assert_eq!(
        result["properties"]["archiveEntryRegion"],
        serde_json::json!({"startLine": 2, "startColumn": 7, "endLine": 2, "endColumn": 47})
    );
    assert_eq!(
        result["message"]["text"],
        "GitHub personal access token (classic) found: ghp_***** (critical) in the archive \
         at a.zip!d/app.env, line 2, column 7"
    );
    let github = dir.cmd().args(["scan", ".", "--format", "github"]).run();
    let title = "title=leakproof%3A GitHub personal access token (classic) (critical)";
    let annotation = |archive: &str, i: usize| {
        format!(
            "::error file={archive},{title}::github-pat-classic found a critical secret: \
             ghp_*****. In the archive at {archive}!d/app.env, line 2, column 7. \
             Fingerprint: {}\n",
            fingerprint(i)
        )
    };
    assert_eq!(
        github.stdout,
        annotation("a.zip", 0) + &annotation("b.zip", 1)
    );
    // An ignore file entry of the inner path's fingerprint suppresses it,
    // and --show-suppressed lists it at the inner path.
    let fingerprint = findings[0]["fingerprint"].as_str().unwrap();
    dir.create(".leakproofignore", format!("{fingerprint}\n"));
    let (_, json) = scan_report(&dir, &["--show-suppressed"]);
    assert_eq!(locations(&json), vec![loc(RULE, "b.zip!d/app.env", 2, 7)]);
    let suppressed: Vec<(&str, &str, &str)> = json["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["rule_id"].as_str().unwrap(),
                s["path"].as_str().unwrap(),
                s["mechanism"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        suppressed,
        vec![
            ("generic-secret", "a.zip!d/app.env", "superseded"),
            (RULE, "a.zip!d/app.env", "ignore-file"),
            ("generic-secret", "b.zip!d/app.env", "superseded"),
        ]
    );
    assert_eq!(json["summary"]["suppressed"]["ignore-file"], 1);
    assert_eq!(json["summary"]["suppressed"]["superseded"], 2);
}

#[test]
fn archives_in_git_history_are_scanned_at_their_inner_path() {
    let dir = repo();
    dir.create("dist/app.zip", zip(&[("conf/app.env", &env(ENV_TOKEN))]));
    let first = commit(&dir, "add the bundle");
    dir.create("dist/app.zip", zip(&[("conf/app.env", b"TOKEN=\n")]));
    commit(&dir, "empty the bundle");
    let out = dir.cmd().args(["git", "--format", "json"]).run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    let json = out.json();
    assert_eq!(
        locations(&json),
        vec![loc(RULE, "dist/app.zip!conf/app.env", 2, 7)]
    );
    assert_eq!(json["findings"][0]["commit"], first.as_str());
    // The same bytes from standard input: at `-!entry`.
    let out = dir
        .cmd()
        .args(["scan", "-", "--format", "json"])
        .stdin(zip(&[("conf/app.env", &env(ENV_TOKEN))]))
        .run();
    assert_eq!(
        locations(&out.json()),
        vec![loc(RULE, "-!conf/app.env", 2, 7)]
    );
}

#[test]
fn a_zip_that_declares_too_many_entries_is_not_opened() {
    let dir = Dir::new();
    let names: Vec<String> = (0..=65_536).map(|i| format!("{i:x}")).collect();
    let mut entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b""[..])).collect();
    let secret = env(ENV_TOKEN);
    entries.push(("app.env", &secret));
    dir.create("many.zip", zip(&entries));
    dir.create("few.zip", zip(&entries[65_530..]));
    let (out, json) = scan_report(&dir, &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(locations(&json), vec![loc(RULE, "few.zip!app.env", 2, 7)]);
    assert_eq!(
        notices(&json),
        vec![(
            "warning".to_string(),
            "archive-skipped".to_string(),
            "many.zip".to_string(),
            "the zip declares 65538 entries, more than the limit of 65536 archive entries; \
             not scanned"
                .to_string()
        )]
    );
}

#[test]
fn an_archive_copied_in_history_and_a_staged_archive_are_reported_at_each_inner_path() {
    let dir = repo();
    let bundle = zip(&[("conf/app.env", &env(ENV_TOKEN))]);
    dir.create("dist/app.zip", &bundle);
    let first = commit(&dir, "add the bundle");
    // The same blob at a second path: scanned once, reported at both.
    dir.create("backup/app-old.zip", &bundle);
    let second = commit(&dir, "back it up");
    let out = dir.cmd().args(["git", "--format", "json"]).run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    let json = out.json();
    assert_eq!(
        locations(&json),
        vec![
            loc(RULE, "backup/app-old.zip!conf/app.env", 2, 7),
            loc(RULE, "dist/app.zip!conf/app.env", 2, 7),
        ]
    );
    assert_eq!(json["findings"][0]["commit"], second.as_str());
    assert_eq!(json["findings"][1]["commit"], first.as_str());
    // A staged archive is reported whole: its entries have no added lines.
    dir.create(
        "new/other.tar.gz",
        gz(&tar(&[("x.env", &env(EXTRA_TOKEN))])),
    );
    crate::git::git(&dir, &["add", "new/other.tar.gz"]);
    let out = dir
        .cmd()
        .args(["git", "--staged", "--format", "json"])
        .run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        locations(&out.json()),
        vec![loc(RULE, "new/other.tar.gz!x.env", 2, 7)]
    );
}

/// A zip of `entries` compressed with `method`.
fn zip_with(entries: &[(&str, &[u8])], method: zip::CompressionMethod) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(method);
    for (name, data) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn u16_at(data: &[u8], at: usize) -> usize {
    usize::from(u16::from_le_bytes([data[at], data[at + 1]]))
}

/// Where the first entry's compressed data is in a zip written by
/// [`zip_with`] (its local header is at offset 0).
fn first_data(zipped: &[u8]) -> std::ops::Range<usize> {
    let start = 30 + u16_at(zipped, 26) + u16_at(zipped, 28);
    let size = u32::from_le_bytes(zipped[18..22].try_into().unwrap()) as usize;
    start..start + size
}

/// Offsets of the central directory headers of a zip.
fn central_headers(zipped: &[u8]) -> Vec<usize> {
    let at: Vec<usize> = zipped
        .windows(4)
        .enumerate()
        .filter(|(_, w)| *w == b"PK\x01\x02")
        .map(|(i, _)| i)
        .collect();
    assert!(!at.is_empty());
    at
}

/// Sets the compression method of the first entry, in its local header
/// and in the central directory, to `method`.
fn set_first_method(zipped: &mut [u8], method: u16) {
    zipped[8..10].copy_from_slice(&method.to_le_bytes());
    let central = central_headers(zipped)[0];
    zipped[central + 10..central + 12].copy_from_slice(&method.to_le_bytes());
}

#[test]
fn a_corrupt_zip_entry_does_not_hide_the_entries_after_it() {
    let dir = Dir::new();
    let secret = env(ENV_TOKEN);
    let first = b"first entry, no secret in it\n".repeat(4);
    let entries: &[(&str, &[u8])] = &[("bad.txt", &first), ("z/app.env", &secret)];
    let deflated = zip_with(entries, zip::CompressionMethod::Deflated);
    // Compressed data that is no deflate stream (0xff: a reserved block type).
    let mut bad_data = deflated.clone();
    let range = first_data(&bad_data);
    bad_data[range].fill(0xff);
    dir.create("bad-data.zip", &bad_data);
    // The directory points the first entry at no local header.
    let mut bad_header = deflated.clone();
    let central = central_headers(&bad_header)[0];
    bad_header[central + 42..central + 46].copy_from_slice(&1u32.to_le_bytes());
    dir.create("bad-header.zip", &bad_header);
    // A stored entry whose bytes no longer match its CRC: read and scanned
    // all the same, and reported.
    let mut bad_crc = zip_with(entries, zip::CompressionMethod::Stored);
    let at = first_data(&bad_crc).start;
    bad_crc[at] = b'F';
    dir.create("bad-crc.zip", &bad_crc);
    // A compression method leakproof does not read (LZMA).
    let mut odd_method = deflated.clone();
    set_first_method(&mut odd_method, 14);
    dir.create("odd-method.jar", &odd_method);
    // A damaged archive inside an archive: the outer one goes on.
    let later = env(EXTRA_TOKEN);
    let outer = zip(&[("lib/inner.jar", &bad_data), ("later.env", &later)]);
    dir.create("outer.zip", &outer);
    let (out, json) = scan_report(&dir, &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        locations(&json),
        env_findings(&[
            "bad-crc.zip!z/app.env",
            "bad-data.zip!z/app.env",
            "bad-header.zip!z/app.env",
            "odd-method.jar!z/app.env",
            "outer.zip!later.env",
            "outer.zip!lib/inner.jar!z/app.env",
        ])
    );
    assert_eq!(
        notices(&json),
        vec![
            notice(
                "error",
                "corrupt-archive",
                "bad-crc.zip!bad.txt",
                "corrupt zip entry: Invalid checksum; not scanned past the damage"
            ),
            notice(
                "error",
                "corrupt-archive",
                "bad-data.zip!bad.txt",
                "corrupt zip entry: corrupt deflate stream; not scanned past the damage"
            ),
            notice(
                "error",
                "corrupt-archive",
                "bad-header.zip!bad.txt",
                "corrupt zip entry: invalid Zip archive: Invalid local file header; not scanned"
            ),
            notice(
                "warning",
                "archive-skipped",
                "odd-method.jar!bad.txt",
                "Compression method not supported; not scanned"
            ),
            notice(
                "error",
                "corrupt-archive",
                "outer.zip!lib/inner.jar!bad.txt",
                "corrupt zip entry: corrupt deflate stream; not scanned past the damage"
            ),
        ]
    );
    assert_eq!(json["summary"]["corrupt_archives"], 4);
    assert_eq!(json["summary"]["skipped_in_archives"], 1);
    // The text summary counts them; the stderr warning names the entry.
    let text = dir.cmd().args(["scan", "."]).run();
    assert!(
        text.stderr
            .contains("; skipped 1 in archives; 4 corrupt in archives"),
        "{}",
        text.stderr
    );
    assert!(
        text.stderr.contains(
            "leakproof: warning: bad-data.zip!bad.txt: corrupt zip entry: corrupt deflate stream"
        ),
        "{}",
        text.stderr
    );
}

#[test]
fn damage_in_a_tar_or_a_stream_ends_it_where_the_notice_says() {
    let dir = Dir::new();
    let secret = env(ENV_TOKEN);
    let other = env(EXTRA_TOKEN);
    let mut rng = Rng(15);
    let filler = rng.word(b"abcdefghijklmnopqrstuvwxyz0123456789 \n", 64 << 10);
    let tarred = tar(&[
        ("first.env", &secret),
        ("filler.txt", filler.as_bytes()),
        ("last.env", &other),
    ]);
    // The second header's checksum no longer matches: nothing says where
    // the entries after it are.
    let mut bad_header = tarred.clone();
    bad_header[1024] ^= 0x20;
    dir.create("bad-header.tar", &bad_header);
    // A gzip cut in the middle of the filler.
    let zipped = gz(&tarred);
    dir.create("cut.tar.gz", &zipped[..zipped.len() / 2]);
    // Inside a zip, a damaged tar ends itself, not the zip.
    let later = env(DEPLOY_TOKEN);
    dir.create(
        "outer.zip",
        zip(&[("a/bad.tar", &bad_header), ("b/later.env", &later)]),
    );
    let (out, json) = scan_report(&dir, &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        locations(&json),
        env_findings(&[
            "bad-header.tar!first.env",
            "cut.tar.gz!first.env",
            "outer.zip!a/bad.tar!first.env",
            "outer.zip!b/later.env",
        ])
    );
    let n = |path: &str, message: &str| notice("error", "corrupt-archive", path, message);
    let header = "corrupt tar archive: archive header checksum mismatch, after the entry \
                  first.env; the rest is not scanned";
    assert_eq!(
        notices(&json),
        vec![
            n("bad-header.tar", header),
            n(
                "cut.tar.gz!filler.txt",
                "corrupt gzip archive: incomplete deflate stream; the rest is not scanned"
            ),
            n("outer.zip!a/bad.tar", header),
        ]
    );
    assert_eq!(json["summary"]["corrupt_archives"], 3);
    // Damage is not silent, yet no finding is not a failure: as for a
    // file that cannot be read, a warning and exit 0, or exit 2 with
    // --strict.
    let only = Dir::new();
    only.create("bad-header.tar", &bad_header[1024..]);
    only.create("cut.tar.gz", &zipped[..40]);
    let out = only.cmd().args(["scan", "."]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "leakproof: warning: cut.tar.gz: corrupt gzip archive: incomplete deflate stream"
        ),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("; 2 corrupt in archives"),
        "{}",
        out.stderr
    );
    let strict = only.cmd().args(["scan", ".", "--strict"]).run();
    assert_eq!(strict.code, 2, "{}", strict.stderr);
}

#[test]
fn path_conditions_see_an_entry_at_its_archive_and_its_inner_path() {
    let dir = Dir::new();
    let secret = env(ENV_TOKEN);
    let one = |name: &str| zip(&[(name, &secret)]);
    dir.create(
        ".leakproof.toml",
        "[allowlist]\n\
         globs = [\"**/testdata/**\"]\n\
         paths = ['''^vendor/''', '''(^|/)third-party\\.jar$''']\n\n\
         [rule-allowlists.github-pat-classic]\n\
         paths = ['''^samples/''']\n\n\
         [[rule]]\n\
         id = \"deploy-key\"\n\
         name = \"Deploy key\"\n\
         severity = \"high\"\n\
         keywords = [\"dk_\"]\n\
         regex = '''\\b(dk_[a-z0-9]{24})\\b'''\n\
         path = '''^deploy/'''\n",
    );
    // The full `outer!inner` path: the archive is under vendor/.
    dir.create("vendor/a.zip", one("x.env"));
    // The inner path: testdata/ and samples/ inside the archive.
    dir.create("b.zip", one("testdata/k.env"));
    dir.create("c.tar", tar(&[("samples/k.env", &secret)]));
    // The archive itself (and so everything in it), even nested.
    dir.create("lib/third-party.jar", one("conf/app.env"));
    dir.create("d.zip", zip(&[("lib/third-party.jar", &one("k.env"))]));
    // Nothing allows these.
    dir.create("e.zip", one("src/app.env"));
    // A `!` in a name on disk is only a character: `samples/` is not the
    // start of this path.
    dir.create("x!samples/k.env", &secret);
    // A rule restricted to deploy/ reports there inside archives too.
    let key = "KEY=dk_3k9v0q7x2m5n8b1c4z6l0p2w\n";
    dir.create(
        "f.zip",
        zip(&[
            ("deploy/k.txt", key.as_bytes()),
            ("other/k.txt", key.as_bytes()),
        ]),
    );
    let (out, json) = scan_report(&dir, &["--show-suppressed"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        locations(&json),
        vec![
            loc(RULE, "e.zip!src/app.env", 2, 7),
            loc("deploy-key", "f.zip!deploy/k.txt", 1, 5),
            loc(RULE, "x!samples/k.env", 2, 7),
        ]
    );
    let cfg = ".leakproof.toml";
    let reasons: Vec<(String, String)> = json["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["mechanism"] == "allowlist")
        .map(|s| {
            (
                s["path"].as_str().unwrap().to_string(),
                s["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let global = |entry: &str| format!("allowlist path `{entry}` (global allowlist in {cfg})");
    assert_eq!(
        reasons,
        vec![
            ("b.zip!testdata/k.env".to_string(), global("**/testdata/**")),
            (
                "c.tar!samples/k.env".to_string(),
                format!("allowlist path `^samples/` (github-pat-classic allowlist in {cfg})")
            ),
            (
                "d.zip!lib/third-party.jar!k.env".to_string(),
                global("(^|/)third-party\\.jar$")
            ),
            (
                "lib/third-party.jar!conf/app.env".to_string(),
                global("(^|/)third-party\\.jar$")
            ),
            ("vendor/a.zip!x.env".to_string(), global("^vendor/")),
        ]
    );
}

#[test]
fn the_config_sets_both_depths_and_the_flags_win() {
    use base64::Engine as _;
    let dir = Dir::new();
    let inner = zip(&[("config/app.properties", &env(EXTRA_TOKEN))]);
    dir.create("outer.tar.gz", gz(&tar(&[("lib/inner.jar", &inner)])));
    let encoded = base64::engine::general_purpose::STANDARD.encode(env(ENV_TOKEN));
    dir.create("values.yaml", format!("blob: {encoded}\n"));
    let nested = loc(
        RULE,
        "outer.tar.gz!lib/inner.jar!config/app.properties",
        2,
        7,
    );
    let decoded = loc(RULE, "values.yaml", 1, 29);
    let (_, json) = scan_report(&dir, &[]);
    assert_eq!(locations(&json), vec![nested.clone(), decoded.clone()]);
    // The config lowers both; the summary says so.
    dir.create(
        ".leakproof.toml",
        "max-decode-depth = 0\nmax-archive-depth = 1\n",
    );
    let (out, json) = scan_report(&dir, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(locations(&json), vec![]);
    assert_eq!(json["summary"]["skipped_binary"], 1);
    assert_eq!(
        json["summary"]["remarks"],
        serde_json::json!([
            ".leakproof.toml lowers max-decode-depth to 0 (default 3)",
            ".leakproof.toml lowers max-archive-depth to 1 (default 2)"
        ])
    );
    // A flag wins over the config.
    let (_, json) = scan_report(
        &dir,
        &["--max-archive-depth", "2", "--max-decode-depth", "1"],
    );
    assert_eq!(locations(&json), vec![nested.clone(), decoded.clone()]);
    assert_eq!(json["summary"]["remarks"], serde_json::json!([]));
    // A config may raise them, within the same bounds as the flags.
    dir.create(
        ".leakproof.toml",
        "max-decode-depth = 16\nmax-archive-depth = 16\n",
    );
    let (_, json) = scan_report(&dir, &[]);
    assert_eq!(locations(&json), vec![nested, decoded]);
    for (config, error) in [
        (
            "# depths\nmax-archive-depth = 17\n",
            "max-archive-depth = 17 is more than 16, the deepest allowed",
        ),
        (
            "max-decode-depth = 100000\n",
            "max-decode-depth = 100000 is more than 16, the deepest allowed",
        ),
        (
            "max-decode-depth = -1\n",
            "invalid value: integer `-1`, expected u32",
        ),
    ] {
        dir.create(".leakproof.toml", config);
        let out = dir.cmd().args(["scan", "."]).run();
        assert_eq!(out.code, 2, "{config}: {}", out.stderr);
        assert!(out.stderr.contains(".leakproof.toml:"), "{}", out.stderr);
        assert!(out.stderr.contains(error), "{}", out.stderr);
    }
    let out = dir
        .cmd()
        .args(["scan", ".", "--max-decode-depth", "17"])
        .run();
    assert_eq!(out.code, 2, "{}", out.stderr);
}

#[test]
fn a_zip_without_its_directory_is_read_from_its_local_headers() {
    let dir = Dir::new();
    let secret = env(ENV_TOKEN);
    let other = env(EXTRA_TOKEN);
    let mut rng = Rng(7);
    let filler = rng.word(b"abcdefghijklmnopqrstuvwxyz0123456789 \n", 16 << 10);
    let entries: &[(&str, &[u8])] = &[
        ("a/first.env", &secret),
        ("b/filler.txt", filler.as_bytes()),
        ("c/last.env", &other),
    ];
    let zipped = zip(entries);
    let directory = central_headers(&zipped)[0];
    // The directory is overwritten: every entry is still found.
    let mut no_directory = zipped.clone();
    no_directory[directory..].fill(0);
    dir.create("no-directory.zip", &no_directory);
    // Cut in the middle of the filler: what came before it is scanned.
    dir.create("cut.zip", &zipped[..zipped.len() / 2]);
    // A streamed zip (sizes after the data, in data descriptors) without
    // its directory: nothing says where its first entry ends.
    let mut w = zip::ZipWriter::new_stream(Vec::new());
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    let streamed = w.finish().unwrap().into_inner();
    let directory = central_headers(&streamed)[0];
    dir.create("streamed.zip", &streamed[..directory]);
    let (out, json) = scan_report(&dir, &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        locations(&json),
        env_findings(&[
            "cut.zip!a/first.env",
            "no-directory.zip!a/first.env",
            "no-directory.zip!c/last.env",
        ])
    );
    let instead = "corrupt zip archive: invalid Zip archive: Could not find EOCD; its entries \
                   are read in order from its start instead";
    let n = |path: &str, message: &str| notice("error", "corrupt-archive", path, message);
    assert_eq!(
        notices(&json),
        vec![
            n("cut.zip", instead),
            n(
                "cut.zip!b/filler.txt",
                "corrupt zip entry: incomplete deflate stream; not scanned past the damage"
            ),
            n("no-directory.zip", instead),
            // Where the directory was: the notice says where reading stopped.
            n(
                "no-directory.zip",
                "corrupt zip archive: invalid Zip archive: Invalid local file header, after the \
                 entry c/last.env; the rest is not scanned"
            ),
            n("streamed.zip", instead),
            n(
                "streamed.zip",
                "corrupt zip archive: unsupported Zip archive: The file length is not available \
                 in the local header; the rest is not scanned"
            ),
        ]
    );
}

#[test]
fn an_entry_whose_type_says_it_holds_nothing_is_read_when_it_holds_something() {
    let dir = Dir::new();
    let secret = env(ENV_TOKEN);
    let other = env(EXTRA_TOKEN);
    // Marked as a symbolic link (unix mode 0o120777, made by Unix).
    let mut link = zip(&[("link.env", &secret), ("plain.env", &other)]);
    let central = central_headers(&link)[0];
    link[central + 5] = 3;
    link[central + 38..central + 42].copy_from_slice(&(0o120_777u32 << 16).to_le_bytes());
    dir.create("link.zip", &link);
    // A tar entry of a type no tar defines.
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_ustar();
    h.set_path("odd.env").unwrap();
    h.set_size(secret.len() as u64);
    h.set_entry_type(tar::EntryType::new(b'Z'));
    h.set_cksum();
    b.append(&h, &secret[..]).unwrap();
    dir.create("odd.tar", b.into_inner().unwrap());
    // The end record declares three entries on this disk, then two: the
    // directory gives two, and the notice says so.
    let mut short = zip(&[("a.env", &secret), ("b.env", &other), ("c.env", &secret)]);
    let end = short.windows(4).rposition(|w| w == b"PK\x05\x06").unwrap();
    short[end + 8] = 2;
    dir.create("short.zip", &short);
    let (out, json) = scan_report(&dir, &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        locations(&json),
        env_findings(&[
            "link.zip!link.env",
            "link.zip!plain.env",
            "odd.tar!odd.env",
            "short.zip!a.env",
            "short.zip!b.env",
        ])
    );
    assert_eq!(
        notices(&json),
        vec![notice(
            "error",
            "corrupt-archive",
            "short.zip",
            "corrupt zip archive: its end record declares 3 entries, its directory gives 2; \
             the others are not scanned"
        )]
    );
}

#[test]
fn a_tar_in_the_original_format_is_found_by_its_header_checksum() {
    let dir = Dir::new();
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in [
        ("conf/app.env", env(ENV_TOKEN)),
        ("z.env", env(EXTRA_TOKEN)),
    ] {
        // No `ustar` magic: the header as tar wrote it before POSIX.
        let mut h = tar::Header::new_old();
        h.set_path(name).unwrap();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append(&h, &data[..]).unwrap();
    }
    let v7 = b.into_inner().unwrap();
    assert_ne!(&v7[257..262], b"ustar");
    dir.create("v7.tar", &v7);
    dir.create("v7.tar.gz", gz(&v7));
    let (out, json) = scan_report(&dir, &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        locations(&json),
        env_findings(&[
            "v7.tar!conf/app.env",
            "v7.tar!z.env",
            "v7.tar.gz!conf/app.env",
            "v7.tar.gz!z.env",
        ])
    );
    assert_eq!(notices(&json), vec![]);
}

#[test]
fn a_zip_behind_other_bytes_is_found_by_its_end_record() {
    let dir = Dir::new();
    let secret = env(ENV_TOKEN);
    let zipped = zip(&[("z/app.env", &secret)]);
    // A shell stub in front (text for the first 16 KiB, so the file is
    // read whole) and a binary stub in front (only its head is read, then
    // its tail); a zip comment in the second.
    let mut script = b"#!/bin/sh\n".to_vec();
    script.extend(b"# installer, unpacks the payload below\n".repeat(450));
    script.extend(&zipped);
    dir.create("installer.sh", &script);
    let mut commented = zipped.clone();
    let n = commented.len();
    commented[n - 2..].copy_from_slice(&7u16.to_le_bytes());
    commented.extend(b"comment");
    let mut binary = vec![0u8; 300_000];
    binary.extend(&commented);
    dir.create("payload.bin", &binary);
    // An end record that does not end the file, and one whose directory
    // would lie before the file's start: binary content, never an error.
    let mut stray = vec![0u8; 100];
    stray.extend(&zipped[n - 22..]);
    stray.extend(b"trailing bytes");
    dir.create("stray.bin", &stray);
    let mut short = vec![0u8; 10];
    short.extend(&zipped[n - 22..]);
    dir.create("short.bin", &short);
    let (out, json) = scan_report(&dir, &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        locations(&json),
        env_findings(&["installer.sh!z/app.env", "payload.bin!z/app.env"])
    );
    assert_eq!(notices(&json), vec![]);
    assert_eq!(json["summary"]["skipped_binary"], 2);
    assert_eq!(json["summary"]["corrupt_archives"], 0);
}

#[test]
fn a_zip_behind_a_stub_is_found_in_history_and_on_standard_input() {
    let dir = repo();
    let mut stubbed = b"#!/bin/sh\nexec unzip -o \"$0\"\n".to_vec();
    stubbed.extend(zip(&[("conf/app.env", &env(ENV_TOKEN))]));
    dir.create("tools/setup.run", &stubbed);
    let first = commit(&dir, "add the installer");
    let out = dir.cmd().args(["git", "--format", "json"]).run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    let json = out.json();
    assert_eq!(
        locations(&json),
        vec![loc(RULE, "tools/setup.run!conf/app.env", 2, 7)]
    );
    assert_eq!(json["findings"][0]["commit"], first.as_str());
    let out = dir
        .cmd()
        .args(["scan", "-", "--format", "json"])
        .stdin(stubbed)
        .run();
    assert_eq!(
        locations(&out.json()),
        vec![loc(RULE, "-!conf/app.env", 2, 7)]
    );
}
