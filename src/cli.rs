//! The command line, as clap derive types. No logic lives here.

use std::path::PathBuf;
use std::sync::OnceLock;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::report::Format;
use crate::rules::Severity;

/// A fast secret scanner for source trees, git history, CI and pre-commit.
#[derive(Debug, Parser)]
#[command(name = "leakproof", version, about, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The clap command with the long version (commit and build date):
    /// what `main` parses with, and what completions and the man page
    /// describe.
    pub fn command_with_version() -> clap::Command {
        Cli::command().version(version()).long_version(version())
    }
}

/// `0.1.0 (commit 0123456789ab, built 2026-12-05)`: the package version,
/// the commit the binary was built from (when it was built from a git
/// checkout) and the build date, as `build.rs` recorded them.
pub fn version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        let built = env!("LEAKPROOF_BUILD_EPOCH")
            .parse::<i64>()
            .map(crate::date::day)
            .unwrap_or_default();
        match env!("LEAKPROOF_COMMIT") {
            "" => format!("{} (built {built})", env!("CARGO_PKG_VERSION")),
            commit => format!(
                "{} (commit {commit}, built {built})",
                env!("CARGO_PKG_VERSION")
            ),
        }
    })
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files and directories ('-' reads standard input).
    Scan(ScanCmd),
    /// Scan git history: every unique blob once, a commit range, or the
    /// staged changes.
    Git(GitCmd),
    /// List, show or test rules.
    #[command(subcommand)]
    Rules(RulesCmd),
    /// Create or prune a baseline of accepted findings.
    #[command(subcommand)]
    Baseline(BaselineCmd),
    /// Work with the configuration file.
    #[command(subcommand)]
    Config(ConfigCmd),
    /// Install a git pre-commit hook that scans the staged changes.
    InstallHook(InstallHookCmd),
    /// Print a shell completion script (e.g. `leakproof completions bash >
    /// ~/.local/share/bash-completion/completions/leakproof`).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), e.g. `leakproof man > leakproof.1`.
    Man {
        /// Instead, write leakproof.1 and one page per subcommand
        /// (leakproof-scan.1, ...) into DIR.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

/// `leakproof install-hook`.
#[derive(Debug, Args)]
pub struct InstallHookCmd {
    /// The repository (or a directory inside it).
    #[arg(default_value = ".")]
    pub repo: PathBuf,
    /// Replace a pre-commit hook that leakproof did not write.
    #[arg(long)]
    pub force: bool,
}

/// `leakproof baseline ...`.
#[derive(Debug, Subcommand)]
pub enum BaselineCmd {
    /// Scan PATH (or, with --git, its history) and write every finding to
    /// the baseline given with -o (keeping the reason and expiry of entries
    /// that still match).
    Create(BaselineScanCmd),
    /// Scan PATH (or, with --git, its history) with --baseline FILE and
    /// rewrite FILE without the entries inside the scan that matched
    /// nothing.
    Prune(BaselineScanCmd),
}

/// The scan behind `leakproof baseline create|prune`.
#[derive(Debug, Args)]
pub struct BaselineScanCmd {
    /// What to scan, as for `leakproof scan`.
    #[command(flatten)]
    pub scan: ScanCmd,
    /// Scan git history instead of files (PATH is then the repository):
    /// every commit when no value is given, the history REV reaches, or
    /// what the commits A..B add.
    #[arg(long, value_name = "REV-RANGE", num_args = 0..=1, default_missing_value = "",
          conflicts_with_all = ["no_ignore", "follow"])]
    pub git: Option<String>,
}

/// `leakproof config ...`.
#[derive(Debug, Subcommand)]
pub enum ConfigCmd {
    /// Write a commented starting .leakproof.toml in the current directory.
    Init {
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Translate another scanner's file into leakproof's, next to it: a
    /// gitleaks configuration into .leakproof.toml, a .gitleaksignore into
    /// .leakproofignore (fingerprints of the findings its entries name), a
    /// detect-secrets .secrets.baseline into .leakproof-baseline.jsonl.
    /// Whatever cannot be translated is listed.
    Migrate(MigrateCmd),
}

/// `leakproof config migrate`.
#[derive(Debug, Args)]
pub struct MigrateCmd {
    /// The file to translate.
    pub file: PathBuf,
    /// Which scanner wrote it (default: told by its name and content).
    #[arg(long, value_enum)]
    pub from: Option<MigrateFrom>,
    /// Write to FILE instead of the default next to the input.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Overwrite an existing .leakproof.toml or baseline (a
    /// .leakproofignore is added to, never overwritten).
    #[arg(long)]
    pub force: bool,
}

/// The scanners whose files `config migrate` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MigrateFrom {
    /// A gitleaks configuration (.gitleaks.toml) or .gitleaksignore.
    Gitleaks,
    /// A detect-secrets baseline (.secrets.baseline).
    DetectSecrets,
}

/// `leakproof scan`.
#[derive(Debug, Args)]
pub struct ScanCmd {
    /// Files and directories to scan; '-' reads standard input.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Options shared by every scanning command.
    #[command(flatten)]
    pub scan: ScanFlags,
    /// Also scan files excluded by .gitignore and .ignore.
    #[arg(long)]
    pub no_ignore: bool,
    /// Follow symbolic links (loops are detected and skipped).
    #[arg(long)]
    pub follow: bool,
}

/// `leakproof git`.
#[derive(Debug, Args)]
pub struct GitCmd {
    /// The repository (work tree, .git directory or bare repository).
    #[arg(default_value = ".")]
    pub repo: PathBuf,
    /// Options shared by every scanning command.
    #[command(flatten)]
    pub scan: ScanFlags,
    /// Scan only the history reachable from REF (default: all refs).
    #[arg(long, value_name = "REF", conflicts_with_all = ["range", "since", "staged", "unstaged"])]
    pub branch: Option<String>,
    /// Scan only what the commits BASE..HEAD add (a pull request).
    #[arg(long, value_name = "BASE..HEAD", conflicts_with_all = ["since", "staged", "unstaged"])]
    pub range: Option<String>,
    /// Scan only what the commits after REV add (REV..HEAD).
    #[arg(long, value_name = "REV", conflicts_with_all = ["staged", "unstaged"])]
    pub since: Option<String>,
    /// Scan only the staged changes (index against HEAD), for pre-commit.
    #[arg(long, conflicts_with = "unstaged")]
    pub staged: bool,
    /// Scan only the unstaged changes (work tree against the index, as
    /// `git diff` shows them) and the untracked files .gitignore does not
    /// exclude.
    #[arg(long)]
    pub unstaged: bool,
    /// Include the commit in fingerprints (by default a secret has one
    /// fingerprint wherever it appears in history).
    #[arg(long)]
    pub fingerprint_commit: bool,
}

impl GitCmd {
    /// True for a scan of history (all refs or `--branch`), false for a
    /// range, `--since`, `--staged` or `--unstaged`.
    pub fn whole_history(&self) -> bool {
        !self.staged && !self.unstaged && self.range.is_none() && self.since.is_none()
    }
}

/// Options shared by `scan` and `git`.
#[derive(Debug, Clone, Args)]
pub struct ScanFlags {
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "text")]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Add rule packs: a TOML file or a directory of them (repeatable).
    #[arg(long, value_name = "PATH")]
    pub rules: Vec<PathBuf>,
    /// Print secrets in clear (redacted by default).
    #[arg(long)]
    pub show_secrets: bool,
    /// Exit code when findings are reported.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(i32).range(0..=255))]
    pub exit_code: i32,
    /// Skip files larger than SIZE (bytes, or with K, M, G suffix).
    /// [default: 25M, or the config's max-file-size]
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_file_size: Option<u64>,
    /// Decode encoded text (base64, hex, percent, escapes, HTML entities)
    /// and scan it, up to N encodings deep (0: do not decode; at most 16).
    /// [default: 3, or the config's max-decode-depth]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=i64::from(crate::detect::MAX_DECODE_DEPTH)))]
    pub max_decode_depth: Option<u32>,
    /// Open archives (zip, jar, whl, docx, tar, gz, bz2, xz, zst, ...) and
    /// the archives inside them up to N levels deep; 0 skips archives as
    /// binary files (at most 16).
    /// [default: 2, or the config's max-archive-depth]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=i64::from(crate::source::archive::MAX_DEPTH)))]
    pub max_archive_depth: Option<u32>,
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// Only report rules of at least this severity.
    #[arg(long, value_name = "LEVEL", value_enum, ignore_case = true)]
    pub min_severity: Option<Severity>,
    /// Run only these rules (repeatable).
    #[arg(long, value_name = "ID")]
    pub enable_rule: Vec<String>,
    /// Do not run these rules (repeatable).
    #[arg(long, value_name = "ID")]
    pub disable_rule: Vec<String>,
    /// Print neither warnings, progress nor the summary on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Show progress on stderr even for a short scan or in CI (only ever
    /// on a terminal, never with --quiet). By default it appears on a
    /// terminal once a scan has run for about a second.
    #[arg(long, overrides_with = "no_progress")]
    pub progress: bool,
    /// Never show progress.
    #[arg(long, overrides_with = "progress")]
    pub no_progress: bool,
    /// Colour in text output: `auto` on a terminal unless NO_COLOR is set.
    #[arg(long, value_enum, value_name = "WHEN", default_value = "auto")]
    pub color: ColorChoice,
    /// Show the line of each finding under it in text output, the secret
    /// redacted (unless --show-secrets).
    #[arg(long)]
    pub context: bool,
    /// Exit 2 when a file could not be read.
    #[arg(long)]
    pub strict: bool,
    /// List suppressed candidates with the reason for each.
    #[arg(long)]
    pub show_suppressed: bool,
    /// Configuration file (default: .leakproof.toml at the repository root).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Report only findings that are not in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Ignore inline allow comments (leakproof:allow, gitleaks:allow, ...).
    #[arg(long)]
    pub ignore_inline_allow: bool,
    /// List baseline and ignore-file entries that matched nothing.
    #[arg(long)]
    pub report_unused: bool,
}

/// When to colour text output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// When standard output is a terminal, `NO_COLOR` is unset and `TERM`
    /// is not `dumb`.
    Auto,
    /// Always, even into a pipe or a file.
    Always,
    /// Never.
    Never,
}

/// `leakproof rules ...`.
#[derive(Debug, Subcommand)]
pub enum RulesCmd {
    /// List every rule: id, severity, name, keywords.
    List {
        /// Add rule packs before listing.
        #[arg(long, value_name = "PATH")]
        rules: Vec<PathBuf>,
    },
    /// Show one rule in full.
    Show {
        /// Rule id.
        id: String,
        /// Add rule packs before looking the rule up.
        #[arg(long, value_name = "PATH")]
        rules: Vec<PathBuf>,
    },
    /// Self-test packs: every example must yield exactly its rule, every
    /// negative example nothing.
    Test {
        /// Pack files or directories; the built-in packs when none is given.
        packs: Vec<PathBuf>,
    },
}

/// Parses `123`, `64K`, `25M`, `1G` (also `KiB`/`MB` spellings) into bytes.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num.parse().map_err(|_| {
        format!(
            "`{}` is not a size (e.g. 500K, 25M, 1G)",
            crate::finding::quoted(s)
        )
    })?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => {
            return Err(format!(
                "`{}` has an unknown unit (use K, M or G)",
                crate::finding::quoted(s)
            ));
        }
    };
    n.checked_mul(mult)
        .ok_or_else(|| format!("`{}` is too large", crate::finding::quoted(s)))
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("100"), Ok(100));
        assert_eq!(parse_size("64K"), Ok(65536));
        assert_eq!(parse_size("25M"), Ok(25 << 20));
        assert_eq!(parse_size("1GiB"), Ok(1 << 30));
        assert!(parse_size("ten").is_err());
        assert!(parse_size("10X").is_err());
    }
}
