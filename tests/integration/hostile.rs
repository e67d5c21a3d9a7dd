//! Hostile input (issue #12): names and text from the scanned data cannot
//! inject terminal sequences or workflow commands, and no message prints a
//! secret.

use crate::git::{commit, git, repo};
use crate::util::*;

/// Lines that a GitHub Actions runner would take as workflow commands (it
/// trims leading whitespace first).
fn commands(out: &str) -> Vec<&str> {
    out.lines()
        .filter(|l| l.trim_start().starts_with("::"))
        .collect()
}

const FORMATS: [&str; 5] = ["text", "json", "sarif", "github", "markdown"];

/// Names that try to write workflow commands or drive the terminal.
const NEWLINE_NAME: &str = "x\n::stop-commands::tok\n.env";
const ESCAPE_NAME: &str = "\x1b]0;owned\x07\x1b[2J\r.env";
const COMMAND_NAME: &str = "::add-mask::y.env";

#[test]
fn file_names_cannot_write_workflow_commands_or_terminal_sequences() {
    let dir = Dir::new();
    for name in [NEWLINE_NAME, ESCAPE_NAME, COMMAND_NAME] {
        dir.create(name, format!("TOKEN={EXTRA_TOKEN}\n"));
    }
    for format in FORMATS {
        let out = dir.cmd().args(["scan", ".", "--format", format]).run();
        assert_eq!(out.code, 1, "{format}: {}", out.stderr);
        for stream in [&out.stdout, &out.stderr] {
            assert!(
                !stream.contains(['\x1b', '\x07', '\r']),
                "{format}: {stream:?}"
            );
        }
        let expected: Vec<String> = if format == "github" {
            [
                "\\x1b]0;owned\\x07\\x1b[2J%0D.env",
                "%3A%3Aadd-mask%3A%3Ay.env",
                "x%0A%3A%3Astop-commands%3A%3Atok%0A.env",
            ]
                .iter()
                .map(|path| {
                    format!(
                        "::error file={path},line=1,col=7,endLine=1,endColumn=47,title=leakproof%3A GitHub personal access token (classic) (critical)::github-pat-classic found a critical secret: ghp_*****. Fingerprint: "
                    )
                })
                .collect()
        } else {
            Vec::new()
        };
        let found = commands(&out.stdout);
        assert_eq!(found.len(), expected.len(), "{format}: {}", out.stdout);
        for (line, prefix) in found.iter().zip(&expected) {
            assert!(
                line.starts_with(prefix.as_str()),
                "{format}: {line}\n{prefix}"
            );
        }
        assert!(commands(&out.stderr).is_empty(), "{}", out.stderr);
    }
    let text = dir.cmd().args(["scan", "."]).run().stdout;
    let paths: Vec<&str> = text
        .lines()
        .map(|l| l.split(":1:7").next().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "\\x1b]0;owned\\x07\\x1b[2J\\r.env",
            "\\x3a:add-mask::y.env",
            "x\\n::stop-commands::tok\\n.env"
        ]
    );
    // JSON keeps the exact name, escaped as JSON.
    let json = dir
        .cmd()
        .args(["scan", ".", "--format", "json"])
        .run()
        .json();
    let mut names: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    names.sort();
    let mut want = vec![ESCAPE_NAME, COMMAND_NAME, NEWLINE_NAME];
    want.sort();
    assert_eq!(names, want);
}

#[test]
fn warnings_on_stderr_escape_the_name() {
    let dir = Dir::new();
    dir.create(NEWLINE_NAME, "x".repeat(100));
    dir.create(ESCAPE_NAME, "x".repeat(100));
    let out = dir.cmd().args(["scan", ".", "--max-file-size", "10"]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let warnings: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.contains("warning"))
        .collect();
    assert_eq!(
        warnings,
        [
            "leakproof: warning: \\x1b]0;owned\\x07\\x1b[2J\\r.env: 100 bytes is over the --max-file-size limit of 10 bytes; not scanned",
            "leakproof: warning: x\\n::stop-commands::tok\\n.env: 100 bytes is over the --max-file-size limit of 10 bytes; not scanned",
        ]
    );
    assert!(commands(&out.stderr).is_empty());
}

#[test]
fn commit_authors_and_messages_are_escaped() {
    let dir = repo();
    git(
        &dir,
        &["config", "user.name", "Eve\x1b]8;;http://x\x07\x1b[1m"],
    );
    dir.create("a.env", format!("TOKEN={EXTRA_TOKEN}\n"));
    commit(&dir, "add\x1b[31m token\r::warning::x");
    for format in FORMATS {
        let out = dir.cmd().args(["git", ".", "--format", format]).run();
        assert_eq!(out.code, 1, "{format}: {}", out.stderr);
        assert!(
            !out.stdout.contains(['\x1b', '\x07', '\r']),
            "{format}: {:?}",
            out.stdout
        );
        assert_eq!(commands(&out.stdout).len(), usize::from(format == "github"));
    }
    let text = dir.cmd().args(["git", "."]).run().stdout;
    assert!(
        text.contains("author=\"Eve\\x1b]8;;http://x\\x07\\x1b[1m <ann@example.com>\""),
        "{text}"
    );
    let json = dir.cmd().args(["git", ".", "--format", "json"]).run();
    assert!(
        json.stdout
            .contains(r#""message": "add\u001b[31m token\r::warning::x""#),
        "{}",
        json.stdout
    );
}

#[test]
fn json_and_sarif_escape_c1_and_bidi_characters() {
    let dir = Dir::new();
    let name = "a\u{9b}31m\u{202e}vne.txt";
    dir.create(name, format!("TOKEN={EXTRA_TOKEN}\n"));
    for format in ["json", "sarif"] {
        let out = dir.cmd().args(["scan", ".", "--format", format]).run();
        assert_eq!(out.code, 1);
        assert!(!out.stdout.contains(['\u{9b}', '\u{202e}']), "{format}");
        let json = out.json();
        let path = if format == "json" {
            json["findings"][0]["path"].clone()
        } else {
            json["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].clone()
        };
        let want = if format == "json" {
            name
        } else {
            "a%C2%9B31m%E2%80%AEvne.txt"
        };
        assert_eq!(path, want);
    }
}

#[test]
fn sarif_uris_stay_relative_references() {
    let dir = Dir::new();
    dir.create("http:x.env", format!("TOKEN={EXTRA_TOKEN}\n"));
    dir.create("d/mailto:y#z.env", format!("TOKEN={EXTRA_TOKEN}\n"));
    let json = dir
        .cmd()
        .args(["scan", ".", "--format", "sarif"])
        .run()
        .json();
    let uris: Vec<&str> = json["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(uris, ["d/mailto:y%23z.env", "http%3Ax.env"]);
}

#[test]
fn a_huge_thread_count_is_capped_with_a_warning() {
    let dir = Dir::new();
    dir.create("a.env", format!("TOKEN={EXTRA_TOKEN}\n"));
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let out = dir.cmd().args(["scan", ".", "-j", "1000000"]).run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.starts_with(&format!(
            "leakproof: warning: --threads 1000000 is more than 4 per core: using {} ({cores} cores)\n",
            cores * 4
        )),
        "{}",
        out.stderr
    );
    assert_eq!(out.stdout.lines().count(), 1);
    let git = crate::git::repo();
    git.create("a.env", format!("TOKEN={EXTRA_TOKEN}\n"));
    crate::git::commit(&git, "add");
    let out = git.cmd().args(["git", ".", "-j", "1000000", "-q"]).run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(out.stderr, "");
}

/// Every file of `dir`, read back as text.
fn files_in(dir: &std::path::Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_in(&path));
        } else {
            let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
            out.push((path.display().to_string(), text));
        }
    }
    out
}

/// An error path: what it is, files to create, arguments, exit code.
type Case<'a> = (&'a str, Vec<(&'a str, String)>, Vec<String>, i32);

#[test]
fn no_output_or_message_prints_the_secret() {
    const S: &str = EXTRA_TOKEN;
    const FP: &str = "0123456789abcdef0123456789abcdef";
    let bad_rule = |field: &str| {
        format!(
            "[[rule]]\nid = \"acme\"\nname = \"n\"\nseverity = \"high\"\nkeywords = [\"acme\"]\nregex = '''acme'''\n{field}\n"
        )
    };
    let cases: Vec<Case> = vec![
        (
            "config syntax",
            vec![(".leakproof.toml", format!("password = \"{S}\" x\n"))],
            vec![],
            2,
        ),
        (
            "config type",
            vec![(".leakproof.toml", format!("min-severity = \"{S}\"\n"))],
            vec![],
            2,
        ),
        (
            "config unknown key",
            vec![(".leakproof.toml", format!("{S} = 1\n"))],
            vec![],
            2,
        ),
        (
            "config size",
            vec![(".leakproof.toml", format!("max-file-size = \"{S}\"\n"))],
            vec![],
            2,
        ),
        (
            "config rule id",
            vec![(".leakproof.toml", format!("disable-rules = [\"{S}\"]\n"))],
            vec![],
            2,
        ),
        (
            "config rule allowlist id",
            vec![(
                ".leakproof.toml",
                format!("[rule-allowlists.{S}]\npaths = ['x']\n"),
            )],
            vec![],
            2,
        ),
        (
            "config regex",
            vec![(
                ".leakproof.toml",
                format!("[allowlist]\nregexes = ['''{S}(''']\n"),
            )],
            vec![],
            2,
        ),
        (
            "config path regex",
            vec![(
                ".leakproof.toml",
                format!("[allowlist]\npaths = ['''{S}[''']\n"),
            )],
            vec![],
            2,
        ),
        (
            "config glob",
            vec![(
                ".leakproof.toml",
                format!("[allowlist]\nglobs = ['''{S}[''']\n"),
            )],
            vec![],
            2,
        ),
        (
            "pack syntax",
            vec![("p.toml", bad_rule(&format!("secret-group = \"{S}\" x")))],
            vec!["--rules".into(), "p.toml".into()],
            2,
        ),
        (
            "pack type",
            vec![("p.toml", bad_rule(&format!("min-entropy = \"{S}\"")))],
            vec!["--rules".into(), "p.toml".into()],
            2,
        ),
        (
            "pack id",
            vec![(
                "p.toml",
                format!(
                    "[[rule]]\nid = \"{S}\"\nname = \"n\"\nseverity = \"high\"\nkeywords = [\"a\"]\nregex = 'a'\n"
                ),
            )],
            vec!["--rules".into(), "p.toml".into()],
            2,
        ),
        (
            "pack id in a syntax error",
            vec![("p.toml", format!("[[rule]]\nid = \"{S}\"\nname = 'n\n"))],
            vec!["--rules".into(), "p.toml".into()],
            2,
        ),
        (
            "pack regex",
            vec![(
                "p.toml",
                format!(
                    "[[rule]]\nid = \"acme\"\nname = \"n\"\nseverity = \"high\"\nkeywords = [\"a\"]\nregex = '''{S}('''\n"
                ),
            )],
            vec!["--rules".into(), "p.toml".into()],
            2,
        ),
        (
            "pack validator",
            vec![("p.toml", bad_rule(&format!("validator = \"{S}\"")))],
            vec!["--rules".into(), "p.toml".into()],
            2,
        ),
        (
            "pack glob",
            vec![(
                "p.toml",
                bad_rule(&format!("[rule.allowlist]\nglobs = ['''{S}[''']")),
            )],
            vec!["--rules".into(), "p.toml".into()],
            2,
        ),
        (
            "pack allowlist regex",
            vec![("p.toml", format!("[allowlist]\nregexes = ['''{S}(''']\n"))],
            vec!["--rules".into(), "p.toml".into()],
            2,
        ),
        (
            "baseline raw",
            vec![("b.jsonl", format!("{S}\n"))],
            vec!["--baseline".into(), "b.jsonl".into()],
            2,
        ),
        (
            "baseline fingerprint",
            vec![(
                "b.jsonl",
                format!("{{\"rule\":\"r\",\"path\":\"p\",\"fingerprint\":\"{S}\"}}\n"),
            )],
            vec!["--baseline".into(), "b.jsonl".into()],
            2,
        ),
        (
            "baseline field",
            vec![("b.jsonl", format!("{{\"{S}\":1}}\n"))],
            vec!["--baseline".into(), "b.jsonl".into()],
            2,
        ),
        (
            "baseline type",
            vec![("b.jsonl", format!("{{\"rule\":[\"{S}\"]}}\n"))],
            vec!["--baseline".into(), "b.jsonl".into()],
            2,
        ),
        (
            "baseline expiry",
            vec![(
                "b.jsonl",
                format!(
                    "{{\"rule\":\"r\",\"path\":\"p\",\"fingerprint\":\"{FP}\",\"expires\":\"{S}\"}}\n"
                ),
            )],
            vec!["--baseline".into(), "b.jsonl".into()],
            2,
        ),
        (
            "ignore file",
            vec![(".leakproofignore", format!("{S}\n"))],
            vec![],
            2,
        ),
        (
            "--disable-rule",
            vec![],
            vec!["--disable-rule".into(), S.into()],
            2,
        ),
        (
            "--enable-rule",
            vec![],
            vec!["--enable-rule".into(), S.into()],
            2,
        ),
        (
            "--max-file-size",
            vec![],
            vec!["--max-file-size".into(), S.into()],
            2,
        ),
        (
            "--min-severity",
            vec![],
            vec!["--min-severity".into(), S.into()],
            2,
        ),
        ("--format", vec![], vec!["--format".into(), S.into()], 2),
        ("--threads", vec![], vec!["-j".into(), S.into()], 2),
        ("unknown flag", vec![], vec![format!("--{S}")], 2),
        (
            "too large: a warning",
            vec![("big.env", format!("TOKEN={S}\n"))],
            vec!["--max-file-size".into(), "10".into()],
            0,
        ),
    ];
    let mut checked = 0;
    for (what, files, args, code) in &cases {
        let dir = Dir::new();
        dir.create("a.env", format!("TOKEN={S}\n"));
        for (name, text) in files {
            dir.create(name, text);
        }
        let out = dir.cmd().args(["scan", "."]).args(args).run();
        assert_eq!(out.code, *code, "{what}: {}", out.stderr);
        assert!(!out.stderr.is_empty(), "{what}: no message");
        for stream in [&out.stdout, &out.stderr] {
            assert!(!stream.contains(S), "{what}: {stream}");
        }
        checked += 1;
    }
    // `rules show` and `rules list` with a bad pack.
    let dir = Dir::new();
    dir.create("p.toml", format!("[[rule]]\nid = \"{S}\"\n"));
    for args in [
        vec!["rules", "show", S],
        vec!["rules", "list", "--rules", "p.toml"],
    ] {
        let out = dir.cmd().args(&args).run();
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(
            !out.stderr.contains(S) && !out.stdout.contains(S),
            "{args:?}: {}",
            out.stderr
        );
    }
    // Every format, to stdout and to a file, and a baseline written.
    let dir = Dir::new();
    dir.create("a.env", format!("TOKEN={S}\n"));
    std::fs::create_dir(dir.path().join("out")).unwrap();
    for format in FORMATS {
        let out = dir.cmd().args(["scan", "a.env", "--format", format]).run();
        assert_eq!(out.code, 1, "{format}");
        assert!(
            !out.stdout.contains(S) && !out.stderr.contains(S),
            "{format}"
        );
        let file = format!("out/report.{format}");
        let out = dir
            .cmd()
            .args([
                "scan",
                "a.env",
                "--show-suppressed",
                "--format",
                format,
                "-o",
                &file,
            ])
            .run();
        assert_eq!(out.code, 1, "{format}: {}", out.stderr);
    }
    let out = dir
        .cmd()
        .args(["baseline", "create", "a.env", "-o", "out/b.jsonl"])
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let written = files_in(&dir.path().join("out"));
    assert_eq!(written.len(), FORMATS.len() + 1);
    for (path, text) in &written {
        assert!(!text.contains(S), "{path}");
    }
    // The check can fail: with --show-secrets the secret is there.
    let out = dir.cmd().args(["scan", "a.env", "--show-secrets"]).run();
    assert!(out.stdout.contains(S));
    assert_eq!(checked, cases.len());
}

/// Makes a FIFO at `path` with `mkfifo`.
fn mkfifo(path: &std::path::Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

/// A writer that feeds `text` into the FIFO at `path` (in its own process,
/// so a reader that never opens the FIFO cannot block the test).
fn feed(path: &std::path::Path, text: &str) -> std::process::Child {
    std::process::Command::new("sh")
        .args(["-c", "printf %s \"$1\" > \"$2\"", "sh", text])
        .arg(path)
        .spawn()
        .unwrap()
}

#[test]
fn named_pipes_are_read_when_named_and_skipped_when_walked() {
    let dir = Dir::new();
    let content = format!("A=1\nTOKEN={EXTRA_TOKEN}\n");
    mkfifo(&dir.path().join("named.fifo"));
    let mut writer = feed(&dir.path().join("named.fifo"), &content);
    let out = dir
        .cmd()
        .args(["scan", "named.fifo", "--strict", "--format", "json"])
        .run();
    let _ = writer.kill();
    let _ = writer.wait();
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        locations(&out.json()),
        vec![loc("github-pat-classic", "named.fifo", 2, 7)]
    );
    // /dev/stdin and a process substitution.
    let out = dir
        .cmd()
        .args(["scan", "/dev/stdin", "--strict"])
        .stdin(content.clone())
        .run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stdout.starts_with("/dev/stdin:2:7  github-pat-classic"),
        "{}",
        out.stdout
    );
    dir.create("f.env", &content);
    let out = dir
        .program("bash")
        .args([
            "-c",
            "exec \"$0\" scan <(cat f.env) --strict --format json",
            env!("CARGO_BIN_EXE_leakproof"),
        ])
        .run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(out.json()["findings"][0]["line"], 2);
    // Walking: the FIFO is named in a warning, never opened.
    let walked = Dir::new();
    walked.create("a.env", &content);
    std::fs::create_dir(walked.path().join("sub")).unwrap();
    mkfifo(&walked.path().join("sub/pipe"));
    let started = std::time::Instant::now();
    let out = walked.cmd().args(["scan", ".", "--format", "json"]).run();
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    assert_eq!(out.code, 1, "{}", out.stderr);
    let json = out.json();
    assert_eq!(
        locations(&json),
        vec![loc("github-pat-classic", "a.env", 2, 7)]
    );
    assert_eq!(json["summary"]["skipped_special"], 1);
    assert!(
        out.stderr.contains("leakproof: warning: sub/pipe: a FIFO (named pipe); not read while walking (name it on the command line to scan it)\n"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_huge_binary_file_is_skipped_from_its_first_bytes() {
    let dir = Dir::new();
    // Sparse: 3 GB of zeros that take no disk space.
    let file = std::fs::File::create(dir.path().join("big.bin")).unwrap();
    file.set_len(3 << 30).unwrap();
    dir.create("a.env", format!("TOKEN={EXTRA_TOKEN}\n"));
    // With 1 GB of address space, reading the file whole cannot succeed.
    let out = dir
        .program("bash")
        .args([
            "-c",
            "ulimit -v 1000000 && exec \"$0\" scan . -j 1 --max-file-size 4G --format json",
            env!("CARGO_BIN_EXE_leakproof"),
        ])
        .run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    let json = out.json();
    assert_eq!(
        locations(&json),
        vec![loc("github-pat-classic", "a.env", 1, 7)]
    );
    assert_eq!(json["summary"]["skipped_binary"], 1);
}

#[test]
fn oversized_config_pack_and_baseline_files_are_refused() {
    let dir = Dir::new();
    dir.create("a.env", format!("TOKEN={EXTRA_TOKEN}\n"));
    let cases = [
        (
            vec!["--baseline", "/dev/zero"],
            "leakproof: error: invalid baseline\n  caused by: /dev/zero: larger than the 64 MiB limit for a baseline\n",
        ),
        (
            vec!["--config", "/dev/zero"],
            "leakproof: error: invalid configuration\n  caused by: /dev/zero: larger than the 1 MiB limit for a configuration\n",
        ),
        (
            vec!["--rules", "/dev/zero"],
            "leakproof: error: invalid rule pack\n  caused by: /dev/zero: larger than the 4 MiB limit for a rule pack\n",
        ),
    ];
    for (args, expected) in cases {
        let out = dir.cmd().args(["scan", "a.env"]).args(&args).run();
        assert_eq!(out.code, 2, "{args:?}");
        assert_eq!(out.stderr, expected, "{args:?}");
    }
    dir.create(".leakproofignore", "0".repeat(17 << 20));
    let out = dir.cmd().args(["scan", "a.env"]).run();
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        "leakproof: error: invalid ignore file\n  caused by: .leakproofignore: larger than the 16 MiB limit for an ignore file\n"
    );
}

/// `n` assignments `password = "<digit and 19 random characters>"; ` on
/// one line.
fn passwords_on_one_line(n: usize) -> String {
    let alphabet = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    // A leading digit keeps every value off the allowlists of words and
    // identifiers.
    (0..n)
        .map(|i| format!("password = \"{}{}\"; ", i % 10, rng.word(alphabet, 19)))
        .collect()
}

#[test]
fn many_findings_on_one_long_line_are_filtered_in_linear_time() {
    // 24,000 findings on one 840 KB line: the inline marker and the
    // line-target allowlist were evaluated over the whole line for every
    // candidate (~2e10 byte steps, minutes); once per line, it is linear.
    const N: usize = 24_000;
    let dir = Dir::new();
    let line = passwords_on_one_line(N);
    dir.create("one-line.env", format!("{line}\n"));
    dir.create(
        ".leakproof.toml",
        "[allowlist]\nregexes = ['''^never-on-this-line$''']\nregex-target = \"line\"\n",
    );
    let started = std::time::Instant::now();
    let (out, json) = scan_report(&dir, &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let found = locations(&json);
    assert_eq!(found.len(), N);
    assert_eq!(found[0], loc("generic-password", "one-line.env", 1, 13));
    assert_eq!(
        found[N - 1],
        loc(
            "generic-password",
            "one-line.env",
            1,
            13 + 35 * (N as u64 - 1)
        )
    );
    // A marker at the very end allows every match of the line.
    dir.create("one-line.env", format!("{line}# leakproof:allow\n"));
    let (out, json) = scan_report(&dir, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(json["summary"]["suppressed"]["inline"], N);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
}
