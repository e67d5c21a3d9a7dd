//! `leakproof scan`: files, directories and standard input.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::cli::{ScanCmd, ScanFlags};
use crate::detect::Engine;
use crate::exit::ExitStatus;
use crate::pipeline::{CollectSink, Outcome, ScanOptions, Scanner};
use crate::report::{self, Report};
use crate::rules::RuleSet;
use crate::source::walk::WalkOptions;
use crate::source::{NoticeLevel, stdin};

/// Loads the built-in packs plus `--rules`, then applies the rule selection
/// flags. An unknown id in a selection flag is an error, not a no-op.
pub(super) fn load_rules(flags: &ScanFlags) -> Result<RuleSet> {
    let mut rules = RuleSet::builtin().context("loading the built-in rule packs")?;
    for path in &flags.rules {
        rules.add_path(path).context("invalid rule pack")?;
    }
    for id in flags.enable_rule.iter().chain(&flags.disable_rule) {
        if rules.get(id).is_none() {
            bail!("unknown rule id `{id}` (see `leakproof rules list`)");
        }
    }
    rules.retain(|r| {
        (flags.enable_rule.is_empty() || flags.enable_rule.contains(&r.id))
            && !flags.disable_rule.contains(&r.id)
            && flags.min_severity.is_none_or(|min| r.severity >= min)
    });
    Ok(rules)
}

/// The engine over the selected rules, with the output options.
pub(super) fn build_scanner(flags: &ScanFlags, fingerprint_commit: bool) -> Result<Scanner> {
    Ok(Scanner::new(
        Engine::new(load_rules(flags)?),
        ScanOptions {
            show_secrets: flags.show_secrets,
            fingerprint_commit,
        },
    ))
}

/// Writes the report, prints warnings and the summary, and works out the
/// exit status.
pub(super) fn finish(
    flags: &ScanFlags,
    scanner: &Scanner,
    mut outcome: Outcome,
    started: Instant,
    remarks: Vec<String>,
) -> Result<ExitStatus> {
    outcome.sort();
    let report = Report {
        outcome: &outcome,
        rules: scanner.engine().rules(),
        elapsed: started.elapsed(),
        show_suppressed: flags.show_suppressed,
        remarks,
    };
    match &flags.output {
        Some(path) => {
            let file = File::create(path)
                .with_context(|| format!("cannot write the report to {}", path.display()))?;
            let mut w = BufWriter::new(file);
            report::write(&report, flags.format, &mut w)
                .and_then(|()| w.flush())
                .with_context(|| format!("writing the report to {}", path.display()))?;
        }
        None => {
            let stdout = io::stdout();
            let mut w = BufWriter::new(stdout.lock());
            report::write(&report, flags.format, &mut w)
                .and_then(|()| w.flush())
                .context("writing the report to standard output")?;
        }
    }
    if !flags.quiet {
        for n in outcome
            .notices
            .iter()
            .filter(|n| n.level >= NoticeLevel::Warning)
        {
            eprintln!("leakproof: warning: {}: {}", n.path, n.message);
        }
        eprintln!("{}", report::summary_line(&report));
    }
    let errors = outcome
        .notices
        .iter()
        .any(|n| n.level == NoticeLevel::Error);
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

/// Runs `leakproof scan`.
pub(super) fn run(cmd: &ScanCmd) -> Result<ExitStatus> {
    let started = Instant::now();
    let flags = &cmd.scan;
    let mut roots: Vec<PathBuf> = Vec::new();
    let mut read_stdin = false;
    for path in &cmd.paths {
        if path.as_os_str() == "-" {
            read_stdin = true;
        } else if std::fs::symlink_metadata(path).is_err() {
            bail!("{}: no such file or directory", path.display());
        } else {
            roots.push(path.clone());
        }
    }
    let scanner = build_scanner(flags, false)?;
    let shared = Mutex::new(Outcome::default());
    if read_stdin {
        let mut sink = CollectSink::new(&scanner, &shared);
        stdin::read(io::stdin().lock(), flags.max_file_size, &mut sink);
    }
    let opts = WalkOptions {
        no_ignore: cmd.no_ignore,
        follow: cmd.follow,
        max_file_size: flags.max_file_size,
        threads: flags.threads,
    };
    crate::source::walk::walk(&roots, &opts, || CollectSink::new(&scanner, &shared));
    let outcome = shared.into_inner().unwrap_or_else(|p| p.into_inner());
    finish(flags, &scanner, outcome, started, Vec::new())
}
