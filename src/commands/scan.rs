//! `leakproof scan`: files, directories and standard input, plus what every
//! scanning command shares: loading rules, config, ignore file and
//! baseline, and finishing with report, summary and exit status.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Instant, SystemTime};

use anyhow::{Context, Result, bail};

use super::progress::Progress;
use crate::cli::{ColorChoice, ScanCmd, ScanFlags};
use crate::config::{self, Config};
use crate::detect::Engine;
use crate::exit::ExitStatus;
use crate::filter::baseline::Baseline;
use crate::filter::ignore::IgnoreList;
use crate::filter::place::{PlaceKind, PlaceList};
use crate::filter::{Acceptance, FilterFileError, Scope};
use crate::pipeline::{CollectSink, Outcome, ScanOptions, Scanner};
use crate::report::{self, Report, escape};
use crate::rules::RuleSet;
use crate::source::anchor::{self, Target};
use crate::source::archive::ArchiveOptions;
use crate::source::walk::WalkOptions;
use crate::source::{NoticeLevel, stdin};

/// Default `--max-file-size`.
const DEFAULT_MAX_FILE_SIZE: u64 = 25 << 20;

/// `--threads` is capped at this many workers per core: more only costs
/// memory and start-up time, and a huge count fails to spawn.
const THREADS_PER_CORE: usize = 4;

/// Everything a scan needs, resolved from flags, config and project files.
pub(super) struct Setup {
    /// The scanner (engine and acceptance mechanisms).
    pub scanner: Scanner,
    /// The size limit in force.
    pub max_file_size: u64,
    /// How archives are opened.
    pub archives: ArchiveOptions,
    /// The configuration in use, if any.
    pub config: Option<PathBuf>,
    /// Worker threads (0: one per core), after the cap.
    pub threads: usize,
    /// What the scan covers (the command fills in its targets).
    pub scope: Scope,
    /// The absolute directory that findings' identity paths are relative
    /// to, when there is one.
    pub root: Option<String>,
    /// Said in the summary about the configuration: a gitleaks one, or
    /// one that lowers a depth.
    pub config_remarks: Vec<String>,
}

/// The worker count for `--threads requested` on a machine with `cores`
/// cores: 0 (one per core) stays 0, and more than [`THREADS_PER_CORE`]
/// per core is capped there; the warning says so.
pub(super) fn thread_count(requested: usize, cores: usize) -> (usize, Option<String>) {
    let cap = cores.max(1).saturating_mul(THREADS_PER_CORE);
    if requested > cap {
        let warning = format!(
            "--threads {requested} is more than {THREADS_PER_CORE} per core: using {cap} ({cores} cores)"
        );
        (cap, Some(warning))
    } else {
        (requested, None)
    }
}

/// Loads the rules: built-in packs (unless the config turns them off),
/// `--rules`, the config's additions, then the selection flags. An unknown
/// id in a selection flag is an error, not a no-op.
fn load_rules(flags: &ScanFlags, config: Option<&Config>) -> Result<RuleSet> {
    let mut rules = if config.is_none_or(|c| c.spec.builtin_rules) {
        RuleSet::builtin().context("loading the built-in rule packs")?
    } else {
        RuleSet::default()
    };
    for path in &flags.rules {
        rules.add_path(path).context("invalid rule pack")?;
    }
    if let Some(config) = config {
        config.apply(&mut rules).context("invalid configuration")?;
    }
    // A gitleaks rule id names the built-in rules that cover it.
    let named = |ids: &[String]| {
        let mut out: Vec<String> = Vec::new();
        for id in ids {
            match crate::gitleaks::ids::builtin_rules(id).filter(|_| rules.get(id).is_none()) {
                Some(ids) => out.extend(ids.iter().cloned()),
                None => out.push(id.clone()),
            }
        }
        out
    };
    let disabled = named(&flags.disable_rule);
    let enabled = named(&flags.enable_rule);
    for id in flags.enable_rule.iter().chain(&flags.disable_rule) {
        if rules.get(id).is_none() && crate::gitleaks::ids::builtin_rules(id).is_none() {
            bail!(
                "unknown rule id `{}` (see `leakproof rules list`)",
                crate::finding::quoted(id)
            );
        }
    }
    rules.retain(|r| {
        (enabled.is_empty() || enabled.contains(&r.id))
            && !disabled.contains(&r.id)
            && flags.min_severity.is_none_or(|min| r.severity >= min)
    });
    Ok(rules)
}

/// A baseline file as given with `--baseline`.
enum LoadedBaseline {
    /// leakproof's: a baseline file or a leakproof JSON report.
    Own(Baseline),
    /// A gitleaks JSON report (what gitleaks' `--baseline-path` takes).
    Gitleaks(PlaceList),
}

/// Reads a baseline, telling a gitleaks JSON report (an array of findings
/// with `RuleID`) from leakproof's formats by its shape.
fn load_baseline(path: &Path) -> Result<LoadedBaseline, FilterFileError> {
    let file = path.display().to_string();
    let text = crate::limits::read_text(path, crate::limits::BASELINE, "a baseline")
        .map_err(|e| FilterFileError::new(&file, 0, e.to_string()))?;
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(&text)
        && crate::gitleaks::ignore::is_report(&value)
    {
        return crate::gitleaks::ignore::report_entries(&file, &text, value)
            .map(LoadedBaseline::Gitleaks);
    }
    Baseline::parse(&file, &text, &crate::date::today()).map(LoadedBaseline::Own)
}

/// The depth in force for `key`: the flag's, else the configuration's
/// (`config`, with what it sets), else `default`. A configuration can sit
/// in the scanned tree, and a lower depth narrows what is reported: a
/// remark for the summary says so.
fn depth(
    key: &str,
    flag: Option<u32>,
    config: Option<(&Config, Option<u32>)>,
    default: u32,
    remarks: &mut Vec<String>,
) -> u32 {
    if let Some(flag) = flag {
        return flag;
    }
    match config {
        Some((config, Some(set))) => {
            if set < default {
                remarks.push(format!(
                    "{} lowers {key} to {set} (default {default})",
                    config.path.display()
                ));
            }
            set
        }
        _ => default,
    }
}

/// Resolves flags, the configuration and the project's ignore file for a
/// scan of the project at `root`.
pub(super) fn setup(flags: &ScanFlags, root: &Path, fingerprint_commit: bool) -> Result<Setup> {
    let config = match &flags.config {
        Some(path) => Some(Config::load(path)),
        None => config::discover(root).transpose(),
    }
    .transpose()
    .context("invalid configuration")?;
    let config_path = config.as_ref().map(|c| c.path.clone());
    if let Some(c) = &config
        && !flags.quiet
    {
        for warning in &c.warnings {
            eprintln!("leakproof: warning: {}: {warning}", c.path.display());
        }
    }
    let rules = load_rules(flags, config.as_ref())?;
    let scope = Scope {
        targets: Vec::new(),
        rules: rules.rules().iter().map(|r| r.id.clone()).collect(),
        history: false,
    };
    let ignore_path = config::in_root(root, config::IGNORE_FILE_NAME);
    let ignore = ignore_path
        .is_file()
        .then(|| IgnoreList::load(&ignore_path))
        .transpose()
        .context("invalid ignore file")?;
    let mut places = Vec::new();
    let gitleaks_ignore = config::in_root(root, crate::gitleaks::ignore::IGNORE_FILE_NAME);
    if gitleaks_ignore.is_file() {
        let (list, warnings) = crate::gitleaks::ignore::load_ignore(&gitleaks_ignore)
            .context("invalid ignore file")?;
        if !flags.quiet {
            for warning in warnings {
                eprintln!("leakproof: warning: {warning}");
            }
        }
        places.push(list);
    }
    let baseline = match flags.baseline.as_deref() {
        Some(path) => match load_baseline(path).context("invalid baseline")? {
            LoadedBaseline::Own(b) => Some(b),
            LoadedBaseline::Gitleaks(list) => {
                places.push(list);
                None
            }
        },
        None => None,
    };
    let acceptance = Acceptance {
        inline: !flags.ignore_inline_allow,
        ignore,
        baseline,
        places,
    };
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let (threads, warning) = thread_count(flags.threads, cores);
    if let Some(warning) = warning
        && !flags.quiet
    {
        eprintln!("leakproof: warning: {warning}");
    }
    let max_file_size = flags
        .max_file_size
        .or_else(|| config.as_ref().and_then(Config::max_file_size))
        .unwrap_or(DEFAULT_MAX_FILE_SIZE);
    let mut config_remarks: Vec<String> = config
        .as_ref()
        .filter(|c| c.gitleaks)
        .map(|c| {
            format!(
                "gitleaks configuration {} ({} warnings)",
                c.path.display(),
                c.warnings.len()
            )
        })
        .into_iter()
        .collect();
    let decode_depth = depth(
        "max-decode-depth",
        flags.max_decode_depth,
        config.as_ref().map(|c| (c, c.spec.max_decode_depth)),
        crate::detect::DEFAULT_DECODE_DEPTH,
        &mut config_remarks,
    );
    let archive_depth = depth(
        "max-archive-depth",
        flags.max_archive_depth,
        config.as_ref().map(|c| (c, c.spec.max_archive_depth)),
        crate::source::archive::DEFAULT_DEPTH,
        &mut config_remarks,
    );
    Ok(Setup {
        scanner: Scanner::new(
            Engine::new(rules).with_decode_depth(decode_depth as usize),
            acceptance,
            ScanOptions {
                show_secrets: flags.show_secrets,
                fingerprint_commit,
                context: flags.context,
            },
        ),
        max_file_size,
        archives: ArchiveOptions {
            max_depth: archive_depth,
            max_entry_size: max_file_size,
        },
        config_remarks,
        config: config_path,
        threads,
        scope,
        root: None,
    })
}

/// Remarks about the acceptance files: what the project's own files
/// suppressed (so a reviewer sees it), expired and unused entries.
fn acceptance_remarks(
    flags: &ScanFlags,
    setup: &Setup,
    outcome: &Outcome,
) -> (Vec<String>, Vec<String>) {
    let mut remarks: Vec<String> = setup.config_remarks.clone();
    let acceptance = setup.scanner.acceptance();
    let mut files: Vec<String> = setup
        .config
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    files.extend(acceptance.ignore.as_ref().map(|i| i.file.clone()));
    files.extend(
        acceptance
            .places
            .iter()
            .filter(|p| p.kind == PlaceKind::IgnoreFile)
            .map(|p| p.file.clone()),
    );
    for file in &files {
        let n = outcome
            .suppressed
            .iter()
            .filter(|s| &s.source == file)
            .count();
        if n > 0 {
            remarks.push(format!("{n} suppressed by {file}"));
        }
    }
    let mut unused = Vec::new();
    if let Some(b) = &acceptance.baseline {
        let today = crate::date::today();
        let expired = b
            .entries()
            .filter(|e| !e.expires.is_empty() && e.expires < today)
            .count();
        if expired > 0 {
            remarks.push(format!(
                "{expired} expired baseline entries no longer suppress"
            ));
        }
        if flags.report_unused {
            for (line, e) in b.unused(&setup.scope) {
                unused.push(format!(
                    "{}:{line}: {} {} {}",
                    b.file, e.rule, e.path, e.fingerprint
                ));
            }
        }
    }
    // Ignore-file entries name no path: only a scan of the whole project
    // can tell that one matches nothing.
    if flags.report_unused
        && setup.scope.whole_project()
        && let Some(i) = &acceptance.ignore
    {
        for (line, fp) in i.unused() {
            unused.push(format!("{}:{line}: {fp}", i.file));
        }
    }
    // A gitleaks ignore entry that matches nothing is always a notice, as
    // stale entries hide nothing but mislead; a gitleaks baseline's are
    // listed on request, as leakproof's are.
    for list in &acceptance.places {
        if list.kind == PlaceKind::Baseline && !flags.report_unused {
            continue;
        }
        for e in list.unused(&setup.scope) {
            unused.push(format!("{}:{}: {e} matched no finding", list.file, e.at));
        }
    }
    if flags.report_unused {
        remarks.push(format!("{} unused entries", unused.len()));
    }
    (remarks, unused)
}

/// Writes the report, prints warnings and the summary, and works out the
/// exit status.
pub(super) fn finish(
    flags: &ScanFlags,
    setup: &Setup,
    mut outcome: Outcome,
    started: Instant,
    mut remarks: Vec<String>,
) -> Result<ExitStatus> {
    outcome.sort();
    let (more, unused) = acceptance_remarks(flags, setup, &outcome);
    remarks.extend(more);
    let elapsed = started.elapsed();
    let report = Report {
        outcome: &outcome,
        rules: setup.scanner.engine().rules(),
        elapsed,
        show_suppressed: flags.show_suppressed,
        remarks,
        unused: &unused,
        started: SystemTime::now()
            .checked_sub(elapsed)
            .unwrap_or(SystemTime::UNIX_EPOCH),
        color: color(flags.color, flags.output.is_none()),
        root: setup.root.clone(),
        show_secrets: flags.show_secrets,
    };
    let warnings = report::warnings(&report, flags.format);
    let (sink, destination): (Box<dyn Write>, String) = match &flags.output {
        Some(path) => {
            let file = File::create(path)
                .with_context(|| format!("cannot write the report to {}", path.display()))?;
            (Box::new(file), path.display().to_string())
        }
        None => (Box::new(io::stdout().lock()), "standard output".to_string()),
    };
    let mut w = BufWriter::new(sink);
    report::write(&report, flags.format, &mut w)
        .and_then(|()| w.flush())
        .with_context(|| format!("writing the report to {destination}"))?;
    if !flags.quiet {
        for n in outcome
            .notices
            .iter()
            .filter(|n| n.level >= NoticeLevel::Warning)
        {
            eprintln!(
                "leakproof: warning: {}: {}",
                escape::text(&n.path),
                escape::text(&n.message)
            );
        }
        for entry in &unused {
            eprintln!("leakproof: unused entry: {}", escape::text(entry));
        }
        for warning in &warnings {
            eprintln!("leakproof: warning: {warning}");
        }
        eprintln!("{}", report::summary_line(&report));
    }
    let errors = outcome.has_errors();
    Ok(if flags.strict && errors {
        if !flags.quiet {
            eprintln!("leakproof: error: some files could not be read and --strict is set");
        }
        ExitStatus::Error
    } else if outcome.findings.is_empty() {
        ExitStatus::Clean
    } else {
        ExitStatus::Findings(flags.exit_code)
    })
}

/// Whether text output is coloured: `--color always`, or `auto` when it
/// goes to a terminal, `NO_COLOR` is unset or empty, and `TERM` is not
/// `dumb`.
fn color(choice: ColorChoice, to_stdout: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            to_stdout
                && io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
        }
    }
}

/// Scans the targets of `cmd` into an outcome.
pub(super) fn collect(cmd: &ScanCmd) -> Result<(Setup, Outcome)> {
    collect_with(cmd, &|_| ())
}

/// Scans the targets of `cmd` into an outcome, `adjust`ing the setup
/// resolved from flags and project files first.
pub(super) fn collect_with(cmd: &ScanCmd, adjust: &dyn Fn(&mut Setup)) -> Result<(Setup, Outcome)> {
    let flags = &cmd.scan;
    let mut paths: Vec<PathBuf> = Vec::new();
    let mut read_stdin = false;
    for path in &cmd.paths {
        if path.as_os_str() == "-" {
            read_stdin = true;
        } else if std::fs::symlink_metadata(path).is_err() {
            bail!("{}: no such file or directory", path.display());
        } else {
            paths.push(path.clone());
        }
    }
    let project = config::project_root(paths.first().map_or(Path::new("."), PathBuf::as_path));
    let mut setup = setup(flags, &project, false)?;
    adjust(&mut setup);
    let config_dir = flags.config.as_deref().map(|c| {
        c.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
    });
    let roots: Vec<Target> = paths
        .iter()
        .map(|p| anchor::target(p, config_dir))
        .collect();
    setup.scope.targets = roots.iter().map(|r| r.identity.clone()).collect();
    if read_stdin {
        setup.scope.targets.push("-".to_string());
    }
    setup.root = roots.first().and_then(identity_root);
    let progress = Progress::start(flags, &setup.scanner, "files", None);
    let shared = Mutex::new(Outcome::default());
    if read_stdin {
        let mut sink = CollectSink::new(&setup.scanner, &shared);
        stdin::read(io::stdin().lock(), setup.archives, &mut sink);
    }
    let opts = WalkOptions {
        no_ignore: cmd.no_ignore,
        follow: cmd.follow,
        max_file_size: setup.max_file_size,
        threads: setup.threads,
        archives: setup.archives,
    };
    crate::source::walk::walk(&roots, &opts, || CollectSink::new(&setup.scanner, &shared));
    progress.finish();
    let mut outcome = shared.into_inner().unwrap_or_else(|p| p.into_inner());
    setup.scanner.accept_by_place(&mut outcome);
    Ok((setup, outcome))
}

/// The absolute directory that the identity paths under `target` are
/// relative to (its anchor): the target's canonical path less its
/// identity; for a file known by the path as typed, its directory when
/// the path is absolute, else the current directory.
fn identity_root(target: &Target) -> Option<String> {
    let identity = Path::new(&target.identity);
    let root = match std::fs::canonicalize(&target.path) {
        Ok(canonical) if target.identity.is_empty() => canonical,
        Ok(canonical) if identity.is_relative() && canonical.ends_with(identity) => {
            let mut root = canonical;
            for _ in identity.components() {
                root.pop();
            }
            root
        }
        _ if identity.is_absolute() => target.path.parent()?.to_path_buf(),
        _ => std::env::current_dir().ok()?,
    };
    Some(root.to_string_lossy().into_owned())
}

/// Runs `leakproof scan`.
pub(super) fn run(cmd: &ScanCmd) -> Result<ExitStatus> {
    let started = Instant::now();
    let (setup, outcome) = collect(cmd)?;
    finish(&cmd.scan, &setup, outcome, started, Vec::new())
}

#[cfg(test)]
mod tests {
    use super::thread_count;

    #[test]
    fn thread_counts_are_capped_at_four_per_core() {
        assert_eq!(thread_count(0, 2), (0, None));
        assert_eq!(thread_count(8, 2), (8, None));
        let (n, warning) = thread_count(1_000_000, 2);
        assert_eq!(n, 8);
        assert_eq!(
            warning.as_deref(),
            Some("--threads 1000000 is more than 4 per core: using 8 (2 cores)")
        );
        assert_eq!(thread_count(usize::MAX, usize::MAX).0, usize::MAX);
    }
}
