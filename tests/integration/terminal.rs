//! At home in a terminal: progress under a pseudo-terminal and never in a
//! pipe, colour only when asked or on a terminal, the context line,
//! completions, the man page and the version; and the wording of messages.

use std::process::Command;

use crate::git::{commit, repo};
use crate::util::*;

/// Runs `leakproof ARGS` under a pseudo-terminal (`script` from
/// util-linux), stdout and stderr both on the terminal; returns what the
/// terminal received.
fn on_terminal(dir: &Dir, args: &str, env: &[(&str, &str)]) -> String {
    let line = format!("{} {args}", env!("CARGO_BIN_EXE_leakproof"));
    let mut command = Command::new("script");
    command
        .args(["-qec", &line, "/dev/null"])
        .current_dir(dir.path())
        .env_remove("NO_COLOR")
        .env_remove("CI")
        .env("TERM", "xterm");
    for (k, v) in env {
        command.env(k, v);
    }
    let out = command.output().expect("script (util-linux) is installed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const ESC: &str = "\u{1b}[";

#[test]
fn progress_appears_on_a_terminal_when_asked_and_never_in_a_pipe() {
    let dir = Dir::with_tree();
    let shown = on_terminal(&dir, "scan tree --progress --color never", &[]);
    // The last state drawn: every file counted, with bytes and rate.
    assert!(shown.contains("4 files, 524 B ("), "{shown:?}");
    assert!(shown.contains("/s)"), "{shown:?}");
    // It is cleared before the report.
    assert!(
        shown.contains("\u{1b}[2Ktree/.env:3:14  github-pat-classic"),
        "{shown:?}"
    );
    // Even under CI, --progress shows it on a terminal.
    let ci = on_terminal(&dir, "scan tree --progress", &[("CI", "true")]);
    assert!(ci.contains("4 files, 524 B ("), "{ci:?}");
    // A short scan shows none unasked; --no-progress and -q never.
    for args in [
        "scan tree",
        "scan tree --progress --no-progress",
        "scan tree --progress -q",
    ] {
        let quiet = on_terminal(&dir, args, &[]);
        assert!(!quiet.contains(" files, "), "{args}: {quiet:?}");
        assert!(quiet.contains("tree/.env"), "{args}: {quiet:?}");
    }
    // In a pipe, never, even when asked.
    let piped = dir.cmd().args(["scan", "tree", "--progress"]).run();
    assert_eq!(piped.code, 1);
    assert!(
        piped
            .stderr
            .starts_with("leakproof: scanned 4 files (524 B) in "),
        "{:?}",
        piped.stderr
    );
    assert_eq!(piped.stderr.lines().count(), 1, "{:?}", piped.stderr);
}

#[test]
fn colour_only_with_color_always_or_on_a_terminal() {
    let dir = Dir::with_tree();
    let plain = dir.cmd().args(["scan", "tree/.env"]).run();
    assert!(!plain.stdout.contains(ESC), "{:?}", plain.stdout);
    let always = dir
        .cmd()
        .args(["scan", "tree/.env", "--color", "always"])
        .env("NO_COLOR", "1")
        .run();
    assert!(
        always.stdout.starts_with(
            "\u{1b}[35mtree/.env\u{1b}[0m:\u{1b}[32m3:14\u{1b}[0m  \u{1b}[1mgithub-pat-classic\u{1b}[0m  \u{1b}[1;31mcritical\u{1b}[0m  ghp_*****  fingerprint="
        ),
        "{:?}",
        always.stdout
    );
    let terminal = on_terminal(&dir, "scan tree/.env", &[]);
    assert!(
        terminal.contains("\u{1b}[35mtree/.env\u{1b}[0m"),
        "{terminal:?}"
    );
    for (args, env) in [
        ("scan tree/.env", ("NO_COLOR", "1")),
        ("scan tree/.env --color never", ("TERM", "xterm")),
        ("scan tree/.env", ("TERM", "dumb")),
    ] {
        let off = on_terminal(&dir, args, &[env]);
        assert!(off.contains("tree/.env:3:14"), "{args}: {off:?}");
        assert!(!off.contains(ESC), "{args} {env:?}: {off:?}");
    }
    // A report written to a file is plain unless asked.
    let out = dir
        .cmd()
        .args(["scan", "tree/.env", "--output", "report.txt"])
        .run();
    assert_eq!(out.code, 1);
    let file = std::fs::read_to_string(dir.path().join("report.txt")).unwrap();
    assert!(file.starts_with("tree/.env:3:14  "), "{file:?}");
}

#[test]
fn the_context_line_shows_the_line_with_every_secret_redacted() {
    let dir = Dir::new();
    dir.create(
        "app.env",
        format!("# tokens\nA={ENV_TOKEN} B={DEPLOY_TOKEN}\n"),
    );
    let out = dir.cmd().args(["scan", ".", "--context"]).run();
    assert_eq!(out.code, 1);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{}", out.stdout);
    assert!(lines[0].starts_with("app.env:2:3  github-pat-classic  critical  ghp_*****  "));
    assert_eq!(lines[1], "    A=ghp_***** B=ghp_*****");
    assert!(lines[2].starts_with("app.env:2:46  github-pat-classic  critical  ghp_*****  "));
    assert_eq!(lines[3], "    A=ghp_***** B=ghp_*****");
    let shown = dir
        .cmd()
        .args(["scan", ".", "--context", "--show-secrets"])
        .run();
    assert_eq!(
        shown.stdout.lines().nth(1),
        Some(format!("    A={ENV_TOKEN} B={DEPLOY_TOKEN}").as_str())
    );
    // A long line is cut around the secret; control characters are escaped.
    dir.create(
        "app.env",
        format!(
            "{}\u{1b}[2J K={ENV_TOKEN} {}\n",
            "x".repeat(200),
            "y".repeat(200)
        ),
    );
    let out = dir.cmd().args(["scan", ".", "--context"]).run();
    let context = out.stdout.lines().nth(1).unwrap().to_string();
    assert_eq!(
        context,
        format!(
            "    …{}\\x1b[2J K=ghp_***** {}…",
            "x".repeat(73),
            "y".repeat(79)
        )
    );
    // A line that would read as a workflow command once the indent is
    // trimmed does not.
    dir.create("app.env", format!("::stop-commands::x T={ENV_TOKEN}\n"));
    let out = dir.cmd().args(["scan", ".", "--context"]).run();
    assert_eq!(
        out.stdout.lines().nth(1),
        Some("    \\x3a:stop-commands::x T=ghp_*****")
    );
}

#[test]
fn completions_for_every_shell_and_a_man_page() {
    let dir = Dir::new();
    for (shell, marker) in [
        ("bash", "complete -F _leakproof"),
        ("zsh", "#compdef leakproof"),
        ("fish", "complete -c leakproof"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[leakproof]"),
    ] {
        let out = dir.cmd().args(["completions", shell]).run();
        assert_eq!(out.code, 0, "{shell}: {}", out.stderr);
        assert!(out.stdout.contains(marker), "{shell}: {}", out.stdout);
        assert!(out.stdout.contains("min-severity"), "{shell}");
    }
    let man = dir.cmd().args(["man"]).run();
    assert_eq!(man.code, 0);
    assert!(
        man.stdout.starts_with(".ie \\n(.g .ds Aq"),
        "{}",
        man.stdout
    );
    assert!(man.stdout.contains(".TH leakproof 1"), "{}", man.stdout);
    let pages = dir.cmd().args(["man", "--dir", "."]).run();
    assert_eq!(pages.code, 0, "{}", pages.stderr);
    let scan = std::fs::read_to_string(dir.path().join("leakproof-scan.1")).unwrap();
    assert!(scan.contains("\\-\\-show\\-secrets"), "{scan}");
}

#[test]
fn the_version_names_the_commit_and_the_build_date() {
    let out = Dir::new().cmd().args(["--version"]).run();
    assert_eq!(out.code, 0);
    let head = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(manifest_dir())
        .output()
        .unwrap();
    let head = String::from_utf8_lossy(&head.stdout).trim().to_string();
    let prefix = format!(
        "leakproof {} (commit {head}, built ",
        env!("CARGO_PKG_VERSION")
    );
    assert!(out.stdout.starts_with(&prefix), "{}", out.stdout);
    let date = out.stdout[prefix.len()..].trim_end().trim_end_matches(')');
    assert!(leakproof::date::is_date(date), "{date:?} in {}", out.stdout);
}

#[test]
fn wording_one_commit_and_severity_values() {
    let dir = repo();
    dir.create("a.txt", "x\n");
    commit(&dir, "one");
    let out = dir.cmd().args(["git", "."]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.ends_with("; 1 commit\n"), "{}", out.stderr);
    let help = dir.cmd().args(["scan", "--help"]).run();
    assert!(
        help.stdout.contains("low:") && help.stdout.contains("critical:"),
        "{}",
        help.stdout
    );
    let short = dir.cmd().args(["scan", "-h"]).run();
    assert!(
        short
            .stdout
            .contains("[possible values: low, medium, high, critical]"),
        "{}",
        short.stdout
    );
    let bad = dir.cmd().args(["scan", "--min-severity", "severe"]).run();
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr
            .contains("[possible values: low, medium, high, critical]"),
        "{}",
        bad.stderr
    );
}

#[test]
fn baseline_commands_refuse_report_flags_they_would_ignore() {
    let dir = Dir::with_tree();
    let out = dir
        .cmd()
        .args([
            "baseline",
            "create",
            "tree",
            "-o",
            "b.jsonl",
            "--format",
            "json",
            "--show-secrets",
            "--exit-code",
            "3",
        ])
        .run();
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        "leakproof: error: baseline create writes a baseline, not a report: --format, --show-secrets, --exit-code do not apply\n"
    );
    assert!(!dir.path().join("b.jsonl").exists());
    let ok = dir
        .cmd()
        .args(["baseline", "create", "tree", "-o", "b.jsonl"])
        .run();
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    let prune = dir
        .cmd()
        .args([
            "baseline",
            "prune",
            "tree",
            "--baseline",
            "b.jsonl",
            "-o",
            "x",
        ])
        .run();
    assert_eq!(prune.code, 2);
    assert_eq!(
        prune.stderr,
        "leakproof: error: baseline prune writes a baseline, not a report: --output does not apply\n"
    );
}

/// The newest compiled `build.rs` of this crate.
fn build_script() -> std::path::PathBuf {
    let build = std::path::Path::new(env!("CARGO_BIN_EXE_leakproof"))
        .parent()
        .unwrap()
        .join("build");
    std::fs::read_dir(&build)
        .unwrap()
        .filter_map(|e| {
            let script = e.ok()?.path().join("build-script-build");
            let modified = script.metadata().ok()?.modified().ok()?;
            script
                .parent()?
                .file_name()?
                .to_str()?
                .starts_with("leakproof-")
                .then_some((modified, script))
        })
        .max()
        .map(|(_, script)| script)
        .expect("the build script of leakproof is compiled")
}

#[test]
fn the_version_leaves_the_commit_out_without_git_or_a_checkout() {
    let run = |manifest: &std::path::Path, path: Option<&str>| {
        let mut cmd = Command::new(build_script());
        cmd.env("CARGO_MANIFEST_DIR", manifest)
            .env("SOURCE_DATE_EPOCH", "1700000000");
        if let Some(p) = path {
            cmd.env("PATH", p);
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // A source tarball: no .git; and a tarball unpacked inside some other
    // repository must not claim that repository's commit.
    let outer = repo();
    outer.create("leakproof-0.1.0/Cargo.toml", "");
    commit(&outer, "unrelated");
    for manifest in [
        Dir::new().path().to_path_buf(),
        outer.path().join("leakproof-0.1.0"),
    ] {
        let out = run(&manifest, None);
        assert!(out.contains("cargo:rustc-env=LEAKPROOF_COMMIT=\n"), "{out}");
        assert!(
            out.contains("cargo:rustc-env=LEAKPROOF_BUILD_EPOCH=1700000000\n"),
            "{out}"
        );
    }
    // This checkout without git on PATH.
    let out = run(manifest_dir(), Some("/nonexistent"));
    assert!(out.contains("cargo:rustc-env=LEAKPROOF_COMMIT=\n"), "{out}");
    // With both, the commit.
    let out = run(manifest_dir(), None);
    assert!(
        !out.contains("cargo:rustc-env=LEAKPROOF_COMMIT=\n"),
        "{out}"
    );
}
