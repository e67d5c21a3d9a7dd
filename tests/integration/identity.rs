//! One identity per finding: fingerprints, allowlist paths, ignore files
//! and baselines anchored at the repository root, whatever the argument and
//! the working directory; baselines of history.

use crate::git::{commit, repo};
use crate::util::*;

const PAYMENTS: &str = "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";
const FIXTURE: &str = "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";
const DB: &str = "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";
const NEW: &str = "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";

/// `leakproof ARGS` run in `dir/sub`.
fn run_in(dir: &Dir, sub: &str, args: &[&str]) -> Output {
    let mut cmd = dir.cmd().args(args);
    cmd.command.current_dir(dir.path().join(sub));
    cmd.run()
}

/// `(path, fingerprint_path, fingerprint)` of each finding of a JSON report.
fn identities(out: &Output) -> Vec<(String, String, String)> {
    out.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["fingerprint_path"].as_str().unwrap().to_string(),
                f["fingerprint"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A repository with the same secret in `app/payments.py` and
/// `lib/copy.py` (two different blobs), committed.
fn payments_repo() -> Dir {
    let dir = repo();
    dir.create("app/payments.py", format!("KEY = '{PAYMENTS}'\n"));
    dir.create("lib/copy.py", format!("COPY = '{PAYMENTS}'\n"));
    commit(&dir, "payments");
    dir
}

/// [`payments_repo`] plus a secret in `old.env`, added and then deleted.
fn history_repo() -> Dir {
    let dir = payments_repo();
    dir.create("old.env", format!("TOKEN={DB}\n"));
    commit(&dir, "add a token");
    std::fs::remove_file(dir.path().join("old.env")).unwrap();
    commit(&dir, "remove it");
    dir
}

#[test]
fn fingerprints_are_equal_whatever_the_argument_and_directory() {
    let dir = payments_repo();
    let json = ["--format", "json"];
    let root = dir.cmd().args(["scan", "."]).args(json).run();
    assert_eq!(root.code, 1, "{}", root.stderr);
    let found = identities(&root);
    assert_eq!(found.len(), 2);
    let (app, copy) = (&found[0], &found[1]);
    assert_eq!(
        (app.0.as_str(), app.1.as_str()),
        ("app/payments.py", "app/payments.py")
    );
    assert_eq!(
        (copy.0.as_str(), copy.1.as_str()),
        ("lib/copy.py", "lib/copy.py")
    );
    // The same secret in two files is two findings, two identities.
    assert_ne!(app.2, copy.2);
    let fp = app.2.clone();
    let only_app = |out: Output, shown: &str| {
        assert_eq!(out.code, 1, "{}", out.stderr);
        assert_eq!(
            identities(&out),
            vec![(shown.to_string(), "app/payments.py".to_string(), fp.clone())]
        );
    };
    only_app(
        dir.cmd().args(["scan", "app"]).args(json).run(),
        "app/payments.py",
    );
    only_app(
        dir.cmd().args(["scan", "app/"]).args(json).run(),
        "app/payments.py",
    );
    only_app(
        run_in(&dir, "app", &["scan", ".", "--format", "json"]),
        "payments.py",
    );
    only_app(
        run_in(&dir, "app", &["scan", "--format", "json"]),
        "payments.py",
    );
    only_app(
        run_in(&dir, "app", &["scan", "payments.py", "--format", "json"]),
        "payments.py",
    );
    let abs = dir.path().join("app");
    let elsewhere = Dir::new();
    let out = elsewhere.cmd().arg_path("scan", &abs).args(json).run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(identities(&out)[0].1, "app/payments.py");
    assert_eq!(identities(&out)[0].2, fp);
    // History: the same identity, and both files.
    let history = dir.cmd().args(["git", "."]).args(json).run();
    assert_eq!(history.code, 1, "{}", history.stderr);
    let in_history: Vec<(String, String)> = identities(&history)
        .into_iter()
        .map(|(path, _, fp)| (path, fp))
        .collect();
    assert_eq!(
        in_history,
        vec![
            ("app/payments.py".to_string(), fp.clone()),
            ("lib/copy.py".to_string(), copy.2.clone())
        ]
    );
    // SARIF and annotations name the file from the repository root.
    let sarif = run_in(&dir, "app", &["scan", ".", "--format", "sarif"]).json();
    let location = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "app/payments.py");
    let github = run_in(&dir, "app", &["scan", ".", "--format", "github"]);
    assert!(
        github
            .stdout
            .starts_with("::error file=app/payments.py,line=1,col=8,"),
        "{}",
        github.stdout
    );
}

#[test]
fn a_scan_below_the_root_honours_the_root_config_and_ignore_file() {
    let dir = payments_repo();
    dir.create(
        ".leakproof.toml",
        "[allowlist]\npaths = ['''^tests/fixtures/''']\n",
    );
    dir.create("tests/fixtures/key.txt", format!("token={FIXTURE}\n"));
    dir.create("tests/unit/key.txt", format!("token={FIXTURE}\n"));
    let out = run_in(
        &dir,
        "tests",
        &["scan", "--format", "json", "--show-suppressed"],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        locations(&out.json()),
        vec![loc("github-pat-classic", "unit/key.txt", 1, 7)]
    );
    let json = out.json();
    let suppressed = json["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["mechanism"] == "allowlist")
        .unwrap();
    assert_eq!(suppressed["path"], "fixtures/key.txt");
    assert_eq!(
        suppressed["reason"],
        format!(
            "allowlist path `^tests/fixtures/` (global allowlist in {})",
            dir.path().join(".leakproof.toml").display()
        )
    );
    // The root ignore file, written from a root scan, holds in app/.
    let fp = identities(&dir.cmd().args(["scan", "app", "--format", "json"]).run())[0]
        .2
        .clone();
    dir.create(".leakproofignore", format!("{fp}\n"));
    let out = run_in(&dir, "app", &["scan", "."]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("suppressed (ignore-file 1)"),
        "{}",
        out.stderr
    );
}

#[test]
fn prune_and_report_unused_judge_only_what_was_scanned() {
    let dir = payments_repo();
    dir.create("db/settings.py", format!("TOKEN = '{DB}'\n"));
    let create = dir
        .cmd()
        .args(["baseline", "create", ".", "-o", ".leakproof-baseline.jsonl"])
        .run();
    assert_eq!(create.code, 0, "{}", create.stderr);
    let entries = |dir: &Dir| -> Vec<String> {
        std::fs::read_to_string(dir.path().join(".leakproof-baseline.jsonl"))
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| {
                l.split("\"path\":\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    assert_eq!(
        entries(&dir),
        ["app/payments.py", "db/settings.py", "lib/copy.py"]
    );
    let base = ["--baseline", ".leakproof-baseline.jsonl"];
    // A scan of app/ uses the app entry and says nothing about the others.
    let out = dir
        .cmd()
        .args(["scan", "app/", "--report-unused"])
        .args(base)
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("0 unused entries"), "{}", out.stderr);
    let prune = dir
        .cmd()
        .args(["baseline", "prune", "app/"])
        .args(base)
        .run();
    assert_eq!(prune.code, 0, "{}", prune.stderr);
    assert!(
        prune.stderr.contains("removed 0 unused entries"),
        "{}",
        prune.stderr
    );
    assert_eq!(
        entries(&dir),
        ["app/payments.py", "db/settings.py", "lib/copy.py"]
    );
    // Once the secret leaves app/payments.py, only its entry goes.
    dir.create("app/payments.py", "KEY = os.environ['KEY']\n");
    let out = run_in(
        &dir,
        "app",
        &[
            "scan",
            "--report-unused",
            "--baseline",
            "../.leakproof-baseline.jsonl",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("1 unused entries"), "{}", out.stderr);
    assert!(
        out.stderr.contains(" github-pat-classic app/payments.py "),
        "{}",
        out.stderr
    );
    let prune = dir
        .cmd()
        .args(["baseline", "prune", "app/"])
        .args(base)
        .run();
    assert!(
        prune.stderr.contains("removed 1 unused entries"),
        "{}",
        prune.stderr
    );
    assert_eq!(entries(&dir), ["db/settings.py", "lib/copy.py"]);
    // Entries of rules that did not run are not judged either.
    dir.create("db/settings.py", "TOKEN = None\n");
    let prune = dir
        .cmd()
        .args([
            "baseline",
            "prune",
            ".",
            "--disable-rule",
            "github-pat-classic",
        ])
        .args(base)
        .run();
    assert!(
        prune.stderr.contains("removed 0 unused entries"),
        "{}",
        prune.stderr
    );
}

#[test]
fn history_can_be_baselined_and_a_json_report_is_a_baseline() {
    let dir = history_repo();
    let create = dir
        .cmd()
        .args(["baseline", "create", "--git", "-o", "history.jsonl"])
        .run();
    assert_eq!(create.code, 0, "{}", create.stderr);
    assert!(
        create.stderr.contains("wrote 3 entries"),
        "{}",
        create.stderr
    );
    let text = std::fs::read_to_string(dir.path().join("history.jsonl")).unwrap();
    assert!(text.contains("\"path\":\"old.env\""), "{text}");
    assert!(!text.contains(DB), "a baseline never holds a secret");
    let out = dir.cmd().args(["git", "--baseline", "history.jsonl"]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("suppressed (baseline 3"),
        "{}",
        out.stderr
    );
    // The history baseline matches a tree scan too: one identity.
    let out = dir
        .cmd()
        .args(["scan", "app", "--baseline", "history.jsonl"])
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    // A history REV and a range A..B work as in `git log`.
    let by_rev = dir
        .cmd()
        .args(["baseline", "create", "--git", "main~1", "-o", "rev.jsonl"])
        .run();
    assert_eq!(by_rev.code, 0, "{}", by_rev.stderr);
    assert!(
        by_rev.stderr.contains("wrote 3 entries"),
        "{}",
        by_rev.stderr
    );
    let by_range = dir
        .cmd()
        .args([
            "baseline",
            "create",
            "--git",
            "main~2..main",
            "-o",
            "range.jsonl",
        ])
        .run();
    assert_eq!(by_range.code, 0, "{}", by_range.stderr);
    let text = std::fs::read_to_string(dir.path().join("range.jsonl")).unwrap();
    assert_eq!(
        text.lines().filter(|l| !l.starts_with('#')).count(),
        1,
        "{text}"
    );
    assert!(text.contains("\"path\":\"old.env\""), "{text}");
    // A leakproof JSON report is accepted as a baseline, tree or history.
    let report = dir
        .cmd()
        .args(["git", "--format", "json", "-o", "report.json"])
        .run();
    assert_eq!(report.code, 1, "{}", report.stderr);
    let out = dir.cmd().args(["git", "--baseline", "report.json"]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("suppressed (baseline 3"),
        "{}",
        out.stderr
    );
    dir.create("app/new.py", format!("KEY = '{NEW}'\n"));
    let out = dir
        .cmd()
        .args(["scan", ".", "--format", "json", "--baseline", "report.json"])
        .run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        locations(&out.json()),
        vec![loc("github-pat-classic", "app/new.py", 1, 8)]
    );
}

#[test]
fn the_readme_history_baseline_workflow_runs() {
    let dir = history_repo();
    let snippet = readme_snippet("baseline-history");
    let commands: Vec<&str> = snippet
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .collect();
    assert!(commands.len() >= 3, "{snippet}");
    let sh = |line: &str| {
        dir.program("sh")
            .args(["-c", line])
            .env("PATH", path_with_leakproof())
            .env("GIT_AUTHOR_DATE", "2024-05-06T07:08:09+02:00")
            .env("GIT_COMMITTER_DATE", "2024-05-06T07:08:09+02:00")
            .run()
    };
    for line in &commands {
        let out = sh(line);
        assert_eq!(out.code, 0, "`{line}`: {}", out.stderr);
    }
    // A new secret after the baseline fails every check the snippet runs.
    dir.create("app/new.py", format!("KEY = '{NEW}'\n"));
    commit(&dir, "a new key");
    let checks = commands
        .iter()
        .filter(|l| l.starts_with("leakproof ") && !l.starts_with("leakproof baseline"));
    for line in checks {
        assert_eq!(sh(line).code, 1, "`{line}`");
    }
}
