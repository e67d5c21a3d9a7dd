//! `leakproof baseline create|prune`, over files or (with `--git`) over
//! git history.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use super::scan::Setup;
use crate::cli::{BaselineCmd, BaselineScanCmd, GitCmd};
use crate::exit::ExitStatus;
use crate::filter::baseline::{self, Entry};
use crate::pipeline::Outcome;
use crate::report::Format;

fn write_file(path: &Path, entries: Vec<Entry>) -> Result<()> {
    super::write_file(path, &|w| baseline::write(entries.clone(), w))
}

/// The `leakproof git` command that `--git REVS` stands for: all history
/// (no value), the history REV reaches, or the range A..B.
fn git_cmd(cmd: &BaselineScanCmd, revs: &str) -> Result<GitCmd> {
    let repo = match cmd.scan.paths.as_slice() {
        [] => PathBuf::from("."),
        [one] => one.clone(),
        _ => bail!("--git scans one repository; give at most one PATH"),
    };
    let (branch, range) = if revs.is_empty() {
        (None, None)
    } else if revs.contains("..") {
        (None, Some(revs.to_string()))
    } else {
        (Some(revs.to_string()), None)
    };
    Ok(GitCmd {
        repo,
        scan: cmd.scan.scan.clone(),
        branch,
        range,
        since: None,
        staged: false,
        unstaged: false,
        fingerprint_commit: false,
    })
}

/// Runs the scan behind a baseline command.
fn collect(cmd: &BaselineScanCmd) -> Result<(Setup, Outcome)> {
    let Some(revs) = &cmd.git else {
        return super::scan::collect(&cmd.scan);
    };
    let collected = super::git::collect(&git_cmd(cmd, revs)?)?;
    if collected.outcome.has_errors() {
        bail!("some git objects could not be read: the history was not fully scanned");
    }
    Ok((collected.setup, collected.outcome))
}

/// The report flags that a baseline command would silently ignore: it
/// writes a baseline, not a report, and always exits 0 once written.
fn ignored_flags(cmd: &BaselineCmd) -> Vec<&'static str> {
    let (BaselineCmd::Create(scan) | BaselineCmd::Prune(scan)) = cmd;
    let f = &scan.scan.scan;
    let mut ignored = Vec::new();
    for (set, name) in [
        (f.format != Format::Text, "--format"),
        (f.show_secrets, "--show-secrets"),
        (f.exit_code != 1, "--exit-code"),
        (f.show_suppressed, "--show-suppressed"),
        (f.report_unused, "--report-unused"),
        (f.strict, "--strict"),
        (f.context, "--context"),
        (
            matches!(cmd, BaselineCmd::Prune(_)) && f.output.is_some(),
            "--output",
        ),
    ] {
        if set {
            ignored.push(name);
        }
    }
    ignored
}

/// Runs a `baseline` subcommand.
pub(super) fn run(cmd: &BaselineCmd) -> Result<ExitStatus> {
    let ignored = ignored_flags(cmd);
    if !ignored.is_empty() {
        let which = match cmd {
            BaselineCmd::Create(_) => "create",
            BaselineCmd::Prune(_) => "prune",
        };
        bail!(
            "baseline {which} writes a baseline, not a report: {} {} not apply",
            ignored.join(", "),
            if ignored.len() == 1 { "does" } else { "do" }
        );
    }
    match cmd {
        BaselineCmd::Create(scan) => {
            let Some(out) = &scan.scan.scan.output else {
                bail!("baseline create needs the file to write: -o FILE");
            };
            let (setup, outcome) = collect(scan)?;
            let previous = setup.scanner.acceptance().baseline.as_ref();
            let mut entries: Vec<Entry> = outcome
                .findings
                .iter()
                .map(|f| baseline::entry_for(f, previous))
                .collect();
            // Entries of the previous baseline that still suppress, or that
            // this scan could not judge, stay.
            if let Some(b) = previous {
                entries.extend(b.kept_entries(&setup.scope));
            }
            let n = entries.len();
            write_file(out, entries)?;
            if !scan.scan.scan.quiet {
                eprintln!("leakproof: wrote {n} entries to {}", out.display());
            }
            Ok(ExitStatus::Clean)
        }
        BaselineCmd::Prune(scan) => {
            let Some(file) = &scan.scan.scan.baseline else {
                bail!("baseline prune needs the baseline to prune: --baseline FILE");
            };
            let (setup, _) = collect(scan)?;
            let Some(b) = setup.scanner.acceptance().baseline.as_ref() else {
                bail!(
                    "{} is a gitleaks report: baseline prune rewrites leakproof baselines only (write one with `leakproof baseline create -o FILE`)",
                    file.display()
                );
            };
            let kept = b.kept_entries(&setup.scope);
            let removed = b.entries().count() - kept.len();
            write_file(file, kept)?;
            if !scan.scan.scan.quiet {
                eprintln!(
                    "leakproof: removed {removed} unused entries from {}",
                    file.display()
                );
            }
            Ok(ExitStatus::Clean)
        }
    }
}
