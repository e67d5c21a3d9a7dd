//! A small fixture DSL: a temp dir per test, the real binary, exact output.

use std::ffi::OsString;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The synthetic tokens planted in `fixtures/tree`.
pub const ENV_TOKEN: &str = "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";
pub const DEPLOY_TOKEN: &str = "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";
pub const ACME_KEY: &str = "acme_8jjbj3q3wgl3jhuxz1tvxa0gaa2bvp5c";
/// A synthetic token that the tests plant at run time.
pub const EXTRA_TOKEN: &str = "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";

/// A synthetic Ed25519 private key, DER PKCS#8: binary, yet a key.
pub fn ed25519_der() -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode("MC4CAQAwBQYDK2VwBCIEIMDzvH7pQ94slT1FVltbGxGoFgrlnk1LXmCB8F+Oy3I6")
        .unwrap()
}

/// The repository's `fixtures/` directory.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// A temporary working directory for one test.
pub struct Dir {
    tmp: tempfile::TempDir,
}

impl Dir {
    /// An empty directory.
    pub fn new() -> Dir {
        Dir {
            tmp: tempfile::tempdir().unwrap(),
        }
    }

    /// A directory holding a copy of `fixtures/tree` as `tree/`.
    pub fn with_tree() -> Dir {
        let dir = Dir::new();
        copy_dir(&fixtures().join("tree"), &dir.path().join("tree"));
        dir
    }

    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    /// Writes `contents` to `rel`, creating parent directories.
    pub fn create(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, contents).unwrap();
        path
    }

    /// A `leakproof` command running in this directory.
    pub fn cmd(&self) -> Cmd {
        self.program(env!("CARGO_BIN_EXE_leakproof"))
    }

    /// Any program, running in this directory.
    pub fn program(&self, program: impl AsRef<std::ffi::OsStr>) -> Cmd {
        let mut command = Command::new(program);
        command.current_dir(self.path());
        Cmd {
            command,
            stdin: None,
        }
    }
}

/// This repository's root.
pub fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The fenced block that follows `<!-- snippet: NAME -->` in README.md:
/// tests run or compare what the README shows, so the two cannot drift.
pub fn readme_snippet(name: &str) -> String {
    let readme = fs::read_to_string(manifest_dir().join("README.md")).unwrap();
    let marker = format!("<!-- snippet: {name} -->");
    let (_, after) = readme
        .split_once(&marker)
        .unwrap_or_else(|| panic!("README.md has no `{marker}`"));
    let mut lines = after.lines().skip_while(|l| l.trim().is_empty());
    let fence = lines.next().unwrap_or_default();
    assert!(
        fence.starts_with("```"),
        "`{marker}` is not followed by a fenced block"
    );
    let mut body = String::new();
    for line in lines.by_ref() {
        if line == "```" {
            return body;
        }
        body.push_str(line);
        body.push('\n');
    }
    panic!("the block after `{marker}` is not closed");
}

/// `PATH` with the directory of the binary under test in front.
pub fn path_with_leakproof() -> OsString {
    let bin = Path::new(env!("CARGO_BIN_EXE_leakproof")).parent().unwrap();
    let mut dirs = vec![bin.to_path_buf()];
    dirs.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(dirs).unwrap()
}

/// `PATH` without any directory that holds a `leakproof` executable.
pub fn path_without_leakproof() -> OsString {
    let dirs: Vec<PathBuf> = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .filter(|d| !d.join("leakproof").exists())
        .collect();
    std::env::join_paths(dirs).unwrap()
}

/// Makes `command` build releases fast and into a target directory shared
/// by the tests that build leakproof the way users do (pre-commit's
/// `cargo install`, the Action's `cargo build --release`): optimisation and
/// LTO are off, which changes nothing that the tests observe, and the
/// dependencies compile once for all of them.
pub fn fast_release_build(command: &mut Command) {
    let target = Path::new(env!("CARGO_BIN_EXE_leakproof"))
        .parent()
        .and_then(Path::parent)
        .unwrap()
        .join("ship-tests");
    command
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "256")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
        .env("CARGO_PROFILE_RELEASE_INCREMENTAL", "false")
        .env_remove("CARGO_MAKEFLAGS")
        .env_remove("MAKEFLAGS")
        .env_remove("MFLAGS");
}

/// Copies the directory `from` into `to`, recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A command under test.
pub struct Cmd {
    pub command: Command,
    stdin: Option<Vec<u8>>,
}

/// What a run produced.
#[derive(Debug)]
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// Parses stdout as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

impl Cmd {
    pub fn args<I, S>(mut self, args: I) -> Cmd
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.command.args(args);
        self
    }

    /// Adds `flag` (unless empty) and then `path`.
    pub fn arg_path(mut self, flag: &str, path: &Path) -> Cmd {
        if !flag.is_empty() {
            self.command.arg(flag);
        }
        self.command.arg(path);
        self
    }

    pub fn env(
        mut self,
        key: impl AsRef<std::ffi::OsStr>,
        value: impl AsRef<std::ffi::OsStr>,
    ) -> Cmd {
        self.command.env(key, value);
        self
    }

    pub fn stdin(mut self, data: impl Into<Vec<u8>>) -> Cmd {
        self.stdin = Some(data.into());
        self
    }

    pub fn run(mut self) -> Output {
        self.command
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self.command.spawn().unwrap();
        if let Some(data) = self.stdin.take() {
            child.stdin.take().unwrap().write_all(&data).unwrap();
        }
        let out = child.wait_with_output().unwrap();
        Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// `leakproof scan . --format json` and `extra` in `dir`: the run and its
/// report.
pub fn scan_report(dir: &Dir, extra: &[&str]) -> (Output, serde_json::Value) {
    let out = dir
        .cmd()
        .args(["scan", ".", "--format", "json"])
        .args(extra)
        .run();
    let json = out.json();
    (out, json)
}

/// `(rule_id, path, line, column)` of every finding in a JSON report.
pub fn locations(json: &serde_json::Value) -> Vec<(String, String, u64, u64)> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// Shorthand for an expected location.
pub fn loc(rule: &str, path: &str, line: u64, column: u64) -> (String, String, u64, u64) {
    (rule.to_string(), path.to_string(), line, column)
}

/// Fails with every violation when `doc` does not validate against the
/// `what` schema.
pub fn assert_valid(validator: &jsonschema::Validator, doc: &serde_json::Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} schema violations:\n{}",
        errors.join("\n")
    );
}

/// The commit of this repository that the README's snippets pin (no
/// release is tagged yet): the one the Action snippet uses. Checks that it
/// is a full commit id in this repository's history that has what the
/// snippets use (the Action, the pre-commit hooks, the GitLab report).
pub fn readme_pin() -> String {
    let snippet = readme_snippet("action");
    let pin = snippet
        .lines()
        .find_map(|l| l.trim().strip_prefix("- uses: leakproof/leakproof@"))
        .expect("the README workflow uses the action")
        .trim()
        .to_string();
    assert!(
        pin.len() == 40 && pin.bytes().all(|b| b.is_ascii_hexdigit()),
        "the README pins `{pin}`, not a commit id"
    );
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(manifest_dir())
            .output()
            .unwrap()
            .status
            .success()
    };
    assert!(
        git(&["merge-base", "--is-ancestor", &pin, "HEAD"]),
        "the README pins {pin}, which is not in this repository's history"
    );
    for file in [
        "action.yml",
        ".pre-commit-hooks.yaml",
        "src/report/gitlab.rs",
    ] {
        assert!(
            git(&["cat-file", "-e", &format!("{pin}:{file}")]),
            "the pinned commit {pin} has no {file}"
        );
    }
    pin
}

/// A synthetic PEM RSA key whose body decodes to a DER SEQUENCE, from a
/// seed (distinct seeds give distinct keys).
pub fn rsa_pem(seed: u32) -> String {
    use base64::Engine as _;
    let mut der = vec![0x30, 0x82, 0x01, 0x00];
    let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(12_345);
    for _ in 0..256 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        der.push(x.to_le_bytes()[0]);
    }
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let body: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----\n",
        body.join("\n")
    )
}

/// xorshift64*: seeded, reproducible.
pub struct Rng(pub u64);

impl Rng {
    /// The next value.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// A value below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    /// `len` characters drawn from `alphabet`.
    pub fn word(&mut self, alphabet: &[u8], len: usize) -> String {
        (0..len)
            .map(|_| alphabet[self.below(alphabet.len())] as char)
            .collect()
    }
}
