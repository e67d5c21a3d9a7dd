//! The differential test of the history scan (issue #11): on many seeded
//! random histories, the default mode (each file's versions scanned with a
//! memo of their lines and windows) and whole-version scanning
//! (`--fingerprint-commit`: every version on its own) report the same set
//! of (rule, path, secret), each first at the same commit.
//!
//! Histories are built in memory and fed through the same sink the git
//! source feeds (blobs deduplicated by content, one lineage per first
//! path, other paths of a blob reported too); a few go through real git
//! repositories and the binary. `LEAKPROOF_DIFF_HISTORIES=N` runs N
//! in-memory histories instead of 300.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Mutex;

use crate::util::Rng;
use leakproof::detect::Engine;
use leakproof::filter::Acceptance;
use leakproof::finding::Commit;
use leakproof::pipeline::{CollectSink, Outcome, ScanOptions, Scanner};
use leakproof::rules::RuleSet;
use leakproof::source::{Blob, History, Origin, Sink};

/// Rules of the kinds the history scan treats differently, next to the
/// built-in packs (generic passwords, `{ ... default` blocks, private keys).
const PACK: &str = r##"
[allowlist]
paths = ['''^testdata/''']

[[rule]]
id = "diff-anywhere"
name = "Token whose keyword may be anywhere in the file"
severity = "high"
keywords = ["zephyr"]
regex = '''\b(ZP[0-9a-f]{24})\b'''
remediation = "Rotate it."
examples = ["# zephyr\nid = ZP0123456789abcdef01234567"]

[[rule]]
id = "diff-block"
name = "Key block of any length"
severity = "high"
keywords = ["begin demo key"]
regex = '''-----BEGIN DEMO KEY-----\s*([A-Za-z0-9+/=\s]{16,}?)\s*-----END DEMO KEY-----'''
remediation = "Rotate it."
examples = ["-----BEGIN DEMO KEY-----\nQUJDREVGR0hJSktMTU5PUA==\n-----END DEMO KEY-----"]

[[rule]]
id = "diff-spread"
name = "Value up to 30 lines below its key"
severity = "high"
keywords = ["vault_entry"]
regex = '''vault_entry:[ \t]*\n(?:[ \t]*#[^\n]*\n){0,30}[ \t]*value:[ \t]*"([A-Za-z0-9]{16,})"'''
remediation = "Rotate it."
examples = ["vault_entry:\n  # note\n  value: \"Zx8kQ2mN4pR7tV1wY3bC\""]
"##;

const ALNUM: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
const HEX: &[u8] = b"0123456789abcdef";
const PATHS: &[&str] = &[
    "app/config.env",
    "main.tf",
    "testdata/fixture.env",
    "deploy.yaml",
];

/// The secrets one history draws from: few, so they come back.
struct Secrets {
    values: Vec<String>,
    anywhere: Vec<String>,
}

impl Secrets {
    fn new(rng: &mut Rng) -> Secrets {
        Secrets {
            values: (0..3).map(|_| rng.word(ALNUM, 20)).collect(),
            anywhere: (0..2).map(|_| format!("ZP{}", rng.word(HEX, 24))).collect(),
        }
    }
}

/// Some lines to insert: filler, keywords alone, secrets in every shape.
fn snippet(rng: &mut Rng, s: &Secrets) -> Vec<String> {
    let value = s.values[rng.below(s.values.len())].clone();
    let lines: Vec<String> = match rng.below(13) {
        0 => vec![format!("password = \"{value}\"")],
        1 => vec!["variable \"db_password\" {".into()],
        2 => vec![format!("  default = \"{value}\"")],
        3 => vec!["}".into()],
        4 => vec!["  type = string".into()],
        5 => vec!["# zephyr".into()],
        6 => vec![format!("id = {}", s.anywhere[rng.below(s.anywhere.len())])],
        7 => {
            let mut block = vec!["vault_entry:".to_string()];
            if rng.chance(50) {
                block.extend((0..rng.below(4)).map(|_| "  # a comment".to_string()));
                block.push(format!("  value: \"{value}\""));
            }
            block
        }
        8 => vec![format!("  value: \"{value}\"")],
        9 => vec!["  # a comment".into()],
        10 => vec![
            "-----BEGIN DEMO KEY-----".into(),
            rng.word(ALNUM, 24),
            "-----END DEMO KEY-----".into(),
        ],
        11 => vec![format!("api_token = \"{value}{}\"", rng.word(ALNUM, 4))],
        _ => vec![format!("mode = {}", rng.below(4))],
    };
    lines
}

/// A file's lines, the lines it lost, and its earlier versions.
#[derive(Clone, Default)]
struct File {
    lines: Vec<String>,
    removed: Vec<(usize, String)>,
    versions: Vec<Vec<String>>,
}

/// One random edit of a file.
fn edit(rng: &mut Rng, s: &Secrets, file: &mut File) {
    let File {
        lines,
        removed,
        versions,
    } = file;
    let n = lines.len();
    match rng.below(14) {
        // Back to an earlier version: every line and pair seen before.
        10 if !versions.is_empty() => *lines = versions[rng.below(versions.len())].clone(),
        // A value at the end of a block, however long.
        11 => match lines.iter().rposition(|l| l == "}") {
            Some(i) => lines.insert(i, format!("  default = \"{}\"", s.values[rng.below(3)])),
            None => {
                lines.push("variable \"db_password\" {".into());
                lines.extend((0..rng.below(20)).map(|_| "  # filler".to_string()));
                lines.push("}".into());
            }
        },
        // A keyword that comes and goes, far from what it matches.
        12 => match lines.iter().position(|l| l == "# zephyr") {
            Some(i) => removed.push((i, lines.remove(i))),
            None => lines.insert(0, "# zephyr".into()),
        },
        // A removed line back where it was.
        13 if !removed.is_empty() => {
            let (at, line) = removed[rng.below(removed.len())].clone();
            lines.insert(at.min(n), line);
        }
        // Insert (a block of filler too, so matches get long).
        0..=2 => {
            let at = rng.below(n + 1);
            let mut new = snippet(rng, s);
            if rng.chance(20) {
                new.extend((0..rng.below(20)).map(|_| "  # filler".to_string()));
            }
            lines.splice(at..at, new);
        }
        3 if n > 0 => {
            let at = rng.below(n);
            removed.push((at, lines.remove(at)));
        }
        // Move.
        4 if n > 1 => {
            let line = lines.remove(rng.below(n));
            let at = rng.below(n);
            lines.insert(at, line);
        }
        // Split a line in two.
        5 if n > 0 => {
            let i = rng.below(n);
            let cut = rng.below(lines[i].len() + 1);
            if lines[i].is_char_boundary(cut) {
                let tail = lines[i].split_off(cut);
                lines.insert(i + 1, tail);
            }
        }
        // Join two lines.
        6 if n > 1 => {
            let i = rng.below(n - 1);
            let next = lines.remove(i + 1);
            lines[i].push_str(&next);
        }
        // Rotate a secret, or re-add a removed line.
        7 if n > 0 => {
            let i = rng.below(n);
            for old in s.values.iter() {
                if lines[i].contains(old.as_str()) {
                    let new = &s.values[rng.below(s.values.len())];
                    lines[i] = lines[i].replace(old.as_str(), new);
                    break;
                }
            }
        }
        8 if !removed.is_empty() => {
            let (_, line) = removed[rng.below(removed.len())].clone();
            let at = rng.below(n + 1);
            lines.insert(at, line);
        }
        // An inline suppression comes or goes.
        _ if n > 0 => {
            let i = rng.below(n);
            match lines[i].strip_suffix(" # leakproof:allow") {
                Some(bare) => lines[i] = bare.to_string(),
                None => lines[i].push_str(" # leakproof:allow"),
            }
        }
        _ => {}
    }
}

/// A random history: for each commit, the files it holds.
fn random_history(seed: u64) -> Vec<BTreeMap<String, String>> {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let secrets = Secrets::new(&mut rng);
    let mut files: BTreeMap<String, File> = BTreeMap::new();
    let mut commits = Vec::new();
    for _ in 0..2 + rng.below(10) {
        let path = PATHS[rng.below(PATHS.len())].to_string();
        if rng.chance(10) && !files.is_empty() {
            // Copy a file to another path (an allowlisted one included).
            let from = files.keys().nth(rng.below(files.len())).cloned().unwrap();
            let copy = files[&from].clone();
            files.insert(path, copy);
        } else if rng.chance(5) {
            files.remove(&path);
        } else {
            // New files start long, so a change and what it completes
            // can be many lines apart.
            let file = files.entry(path).or_insert_with(|| File {
                lines: (0..if rng.chance(10) {
                    300 + rng.below(400)
                } else {
                    rng.below(60)
                })
                    .map(|i| format!("step({i});"))
                    .collect(),
                ..File::default()
            });
            for _ in 0..1 + rng.below(4) {
                edit(&mut rng, &secrets, file);
            }
            file.versions.push(file.lines.clone());
        }
        commits.push(
            files
                .iter()
                .map(|(p, file)| {
                    let mut text = file.lines.join("\n");
                    if !text.is_empty() && rng.chance(80) {
                        text.push('\n');
                    }
                    (p.clone(), text)
                })
                .collect(),
        );
    }
    commits
}

fn engine() -> Engine {
    let mut rules = RuleSet::builtin().unwrap();
    rules.add_pack("differential.toml", PACK, true).unwrap();
    Engine::new(rules)
}

fn scanner(fingerprint_commit: bool) -> Scanner {
    let acceptance = Acceptance {
        inline: true,
        ..Acceptance::default()
    };
    let opts = ScanOptions {
        show_secrets: true,
        fingerprint_commit,
        ..ScanOptions::default()
    };
    Scanner::new(engine(), acceptance, opts)
}

fn origin(path: &str, commit: usize) -> Origin {
    Origin::Git {
        path: path.to_string(),
        commit: Commit {
            commit: format!("{commit:040}"),
            author: String::new(),
            date: String::new(),
            message: String::new(),
            time: 0,
        },
    }
}

/// What a history scan reports: for each (rule, path, secret), the first
/// commit in history order that has it.
type Report = BTreeMap<(String, String, String), usize>;

/// A distinct content: its bytes, first path, first commit, and the other
/// (path, first commit) pairs that hold it.
type PlannedBlob = (String, String, usize, Vec<(String, usize)>);

/// Feeds `commits` through a sink as the git source does: each distinct
/// content once, at its first path and commit, grouped by first path and
/// read oldest first, with its other (path, first commit) pairs.
fn scan_history(scanner: &Scanner, commits: &[BTreeMap<String, String>]) -> Report {
    let mut blobs: Vec<PlannedBlob> = Vec::new();
    let mut by_content: HashMap<String, usize> = HashMap::new();
    for (c, files) in commits.iter().enumerate() {
        for (path, content) in files {
            match by_content.get(content) {
                None => {
                    by_content.insert(content.clone(), blobs.len());
                    blobs.push((content.clone(), path.clone(), c, Vec::new()));
                }
                Some(&i) => {
                    let placed = blobs[i].1 == *path || blobs[i].3.iter().any(|(p, _)| p == path);
                    if !placed {
                        blobs[i].3.push((path.clone(), c));
                    }
                }
            }
        }
    }
    let mut lineages: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, blob) in blobs.iter().enumerate() {
        match lineages.iter_mut().find(|(p, _)| *p == blob.1) {
            Some((_, list)) => list.push(i),
            None => lineages.push((blob.1.clone(), vec![i])),
        }
    }
    let shared = Mutex::new(Outcome::default());
    for (lineage, (_, list)) in lineages.iter().enumerate() {
        let mut sink = CollectSink::new(scanner, &shared);
        for &i in list {
            let (content, path, c, others) = &blobs[i];
            let also: Vec<(Origin, u64)> = others
                .iter()
                .map(|(p, c)| (origin(p, *c), *c as u64))
                .collect();
            sink.blob(Blob {
                data: content.as_bytes(),
                origin: origin(path, *c),
                only_lines: None,
                history: Some(History {
                    lineage,
                    order: *c as u64,
                    also: &also,
                }),
            });
        }
    }
    let outcome = shared.into_inner().unwrap();
    let mut report = Report::new();
    for f in outcome.findings {
        let c: usize = f.commit.unwrap().commit.parse().unwrap();
        let first = report.entry((f.rule_id, f.path, f.secret)).or_insert(c);
        *first = (*first).min(c);
    }
    report
}

#[test]
fn default_and_whole_version_history_scans_report_the_same() {
    let histories: u64 = std::env::var("LEAKPROOF_DIFF_HISTORIES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(300);
    let (default, whole) = (scanner(false), scanner(true));
    let mut rules_seen = BTreeSet::new();
    for seed in 0..histories {
        let commits = random_history(seed);
        let a = scan_history(&default, &commits);
        let b = scan_history(&whole, &commits);
        assert_eq!(a, b, "seed {seed}: {commits:#?}");
        rules_seen.extend(a.keys().map(|(rule, _, _)| rule.clone()));
    }
    // The histories exercise every kind of rule.
    for rule in [
        "diff-anywhere",
        "diff-block",
        "diff-spread",
        "generic-password",
    ] {
        assert!(
            rules_seen.contains(rule),
            "{rule} never reported: {rules_seen:?}"
        );
    }
}

/// Commits `commits` to a new repository in `dir` with git2 (no `git`
/// processes); returns the commit ids in order.
fn build_repo(dir: &crate::util::Dir, commits: &[BTreeMap<String, String>]) -> Vec<String> {
    let repo = git2::Repository::init(dir.path()).unwrap();
    let mut parent: Option<git2::Oid> = None;
    let mut ids = Vec::new();
    for (i, files) in commits.iter().enumerate() {
        let mut index = git2::Index::new().unwrap();
        for (path, content) in files {
            let time = git2::IndexTime::new(0, 0);
            let entry = git2::IndexEntry {
                ctime: time,
                mtime: time,
                dev: 0,
                ino: 0,
                mode: 0o100_644,
                uid: 0,
                gid: 0,
                file_size: content.len() as u32,
                id: repo.blob(content.as_bytes()).unwrap(),
                flags: 0,
                flags_extended: 0,
                path: path.as_bytes().to_vec(),
            };
            index.add(&entry).unwrap();
        }
        let tree = repo.find_tree(index.write_tree_to(&repo).unwrap()).unwrap();
        let when = git2::Time::new(1_700_000_000 + i as i64 * 60, 0);
        let sig = git2::Signature::new("Ann Dev", "ann@example.com", &when).unwrap();
        let parents: Vec<git2::Commit<'_>> = parent
            .iter()
            .map(|p| repo.find_commit(*p).unwrap())
            .collect();
        let parent_refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
        let id = repo
            .commit(
                Some("HEAD"),
                &sig,
                &sig,
                &format!("commit {i}"),
                &tree,
                &parent_refs,
            )
            .unwrap();
        parent = Some(id);
        ids.push(id.to_string());
    }
    ids
}

/// What `leakproof git` reports on the repository in `dir`, as a
/// [`Report`] (commit ids mapped to their position in `ids`).
fn run_binary(
    dir: &crate::util::Dir,
    pack: &std::path::Path,
    ids: &[String],
    extra: &[&str],
) -> Report {
    let out = dir
        .cmd()
        .args(["git", ".", "--format", "json", "--show-secrets", "--rules"])
        .args([pack])
        .args(extra)
        .run();
    assert!(out.code == 0 || out.code == 1, "{}", out.stderr);
    let json = out.json();
    let mut report = Report::new();
    for f in json["findings"].as_array().unwrap() {
        let commit = f["commit"].as_str().unwrap();
        let c = ids.iter().position(|id| id == commit).unwrap();
        let key = (
            f["rule_id"].as_str().unwrap().to_string(),
            f["path"].as_str().unwrap().to_string(),
            f["secret"].as_str().unwrap().to_string(),
        );
        let first = report.entry(key).or_insert(c);
        *first = (*first).min(c);
    }
    report
}

#[test]
fn default_and_fingerprint_commit_agree_on_real_repositories() {
    let histories: u64 = std::env::var("LEAKPROOF_DIFF_GIT_HISTORIES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(12);
    let packs = crate::util::Dir::new();
    let pack = packs.create("differential.toml", PACK);
    let mut reported = 0;
    for seed in 0..histories {
        let commits = random_history(seed);
        let dir = crate::util::Dir::new();
        let ids = build_repo(&dir, &commits);
        let default = run_binary(&dir, &pack, &ids, &[]);
        let whole = run_binary(&dir, &pack, &ids, &["--fingerprint-commit"]);
        assert_eq!(default, whole, "seed {seed}: {commits:#?}");
        reported += default.len();
    }
    assert!(reported > 0);
}
