//! `leakproof config migrate`: another scanner's files as leakproof's.
//!
//! - A gitleaks configuration becomes `.leakproof.toml`: what leakproof
//!   reads from it ([`crate::gitleaks::config`]), written out, with what it
//!   could not honour listed at its top.
//! - A `.gitleaksignore` becomes `.leakproofignore` lines: its entries name
//!   findings by place (path, rule, line, commit), which moves with every
//!   edit; the project is scanned (its files, and its history in a git work
//!   tree) and the fingerprint of each finding an entry names is written,
//!   which stays put.
//! - A detect-secrets `.secrets.baseline` becomes a leakproof baseline:
//!   the project's files are scanned and each finding whose secret has an
//!   entry's hash, in that entry's file, is accepted.
//!
//! Each output goes next to the input (the project root, where leakproof
//! looks for it) unless `-o` says otherwise. Nothing is dropped silently:
//! what cannot be translated is listed on stderr.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Parser;

use super::scan::Setup;
use crate::cli::{Cli, Command, MigrateCmd, MigrateFrom};
use crate::config::Config;
use crate::exit::ExitStatus;
use crate::filter::baseline::{self, Entry};
use crate::gitleaks::ignore as gitleaks_ignore;
use crate::pipeline::Outcome;

/// Default name of a baseline written by `migrate` (as the README's
/// `baseline create` examples name it).
const BASELINE_FILE_NAME: &str = ".leakproof-baseline.jsonl";

/// What the input file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Input {
    GitleaksConfig,
    GitleaksIgnore,
    DetectSecrets,
}

/// Tells what `cmd.file` is from `--from`, its name and its content.
fn input_kind(cmd: &MigrateCmd, text: &str) -> Result<Input> {
    let name = cmd
        .file
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let detect_secrets = || {
        serde_json::from_str::<serde_json::Value>(text)
            .is_ok_and(|v| crate::detect_secrets::is_baseline(&v))
    };
    Ok(match cmd.from {
        Some(MigrateFrom::DetectSecrets) => Input::DetectSecrets,
        Some(MigrateFrom::Gitleaks) if name.ends_with("gitleaksignore") => Input::GitleaksIgnore,
        Some(MigrateFrom::Gitleaks) if text.parse::<toml::Table>().is_err() => {
            Input::GitleaksIgnore
        }
        Some(MigrateFrom::Gitleaks) => Input::GitleaksConfig,
        None if name.ends_with("gitleaksignore") => Input::GitleaksIgnore,
        None if name.ends_with(".toml") => Input::GitleaksConfig,
        None if name.ends_with("secrets.baseline") || detect_secrets() => Input::DetectSecrets,
        None => bail!(
            "{}: cannot tell which scanner wrote it; say so with --from gitleaks or --from detect-secrets",
            cmd.file.display()
        ),
    })
}

/// The directory holding `file`.
fn dir_of(file: &Path) -> PathBuf {
    file.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Refuses to overwrite `out` unless `--force`.
fn check_overwrite(cmd: &MigrateCmd, out: &Path) -> Result<()> {
    if out.exists() && !cmd.force {
        bail!(
            "{} already exists (use --force to overwrite)",
            out.display()
        );
    }
    Ok(())
}

/// Prints what could not be translated.
fn list_untranslated(untranslated: &[String]) {
    for item in untranslated {
        eprintln!("leakproof: not translated: {item}");
    }
}

/// Runs `leakproof config migrate`.
pub(super) fn run(cmd: &MigrateCmd) -> Result<ExitStatus> {
    let text = crate::limits::read_text(&cmd.file, crate::limits::BASELINE, "a file to migrate")
        .with_context(|| format!("cannot read {}", cmd.file.display()))?;
    match input_kind(cmd, &text)? {
        Input::GitleaksConfig => gitleaks_config(cmd),
        Input::GitleaksIgnore => gitleaks_ignore_file(cmd, &text),
        Input::DetectSecrets => detect_secrets(cmd, &text),
    }
}

/// A gitleaks configuration into `.leakproof.toml`.
fn gitleaks_config(cmd: &MigrateCmd) -> Result<ExitStatus> {
    let config = Config::load(&cmd.file).context("invalid configuration")?;
    if !config.gitleaks {
        bail!(
            "{} is not a gitleaks configuration (no [extend], [[rules]] or [[allowlists]]): leakproof reads it as it is",
            cmd.file.display()
        );
    }
    let out = cmd
        .output
        .clone()
        .unwrap_or_else(|| dir_of(&cmd.file).join(crate::config::FILE_NAME));
    check_overwrite(cmd, &out)?;
    let body = toml::to_string(&config.spec).context("writing the configuration as TOML")?;
    let mut header = format!(
        "# Translated from {} by `leakproof config migrate`: what leakproof read\n\
         # from it. gitleaks rule ids are leakproof's built-in rules here (see\n\
         # `leakproof rules list`).\n",
        cmd.file.display()
    );
    if config.warnings.is_empty() {
        header.push_str("# Everything in it was translated.\n");
    } else {
        header.push_str("# Not translated:\n");
        for warning in &config.warnings {
            header.push_str(&format!("#   - {warning}\n"));
        }
    }
    super::write_file(&out, &|w| write!(w, "{header}\n{body}"))?;
    eprintln!(
        "leakproof: wrote {} from {} ({} rules, {} disabled, {} allowlists)",
        out.display(),
        cmd.file.display(),
        config.spec.rule.len(),
        config.spec.disable_rules.len(),
        config.spec.allowlists.len() + usize::from(config.spec.allowlist.is_some()),
    );
    list_untranslated(&config.warnings);
    Ok(ExitStatus::Clean)
}

/// The outcome of `leakproof ARGS` (a `scan` or `git` command line, made
/// quiet), its setup `adjust`ed first.
fn scan_outcome(args: &[&str], adjust: &dyn Fn(&mut Setup)) -> Result<Outcome> {
    let cli = Cli::try_parse_from(
        ["leakproof"]
            .iter()
            .chain(args)
            .chain(&["--quiet", "--no-progress"]),
    )
    .context("building the scan")?;
    match cli.command {
        Command::Scan(scan) => Ok(super::scan::collect_with(&scan, adjust)?.1),
        Command::Git(git) => {
            let collected = super::git::collect_with(&git, adjust)?;
            if collected.outcome.has_errors() {
                bail!("some git objects could not be read: the history was not fully scanned");
            }
            Ok(collected.outcome)
        }
        _ => bail!("not a scan"),
    }
}

/// A `.gitleaksignore` into `.leakproofignore` lines.
fn gitleaks_ignore_file(cmd: &MigrateCmd, text: &str) -> Result<ExitStatus> {
    let file = cmd.file.display().to_string();
    let (list, warnings) = gitleaks_ignore::parse_ignore(&file, text);
    let mut untranslated = warnings;
    let dir = dir_of(&cmd.file);
    let dir_arg = dir.to_string_lossy().into_owned();
    let adjust = |setup: &mut Setup| {
        setup
            .scanner
            .set_places(vec![gitleaks_ignore::parse_ignore(&file, text).0]);
    };
    // Entries name findings in the files and, with a commit, in history.
    let mut outcomes = vec![scan_outcome(&["scan", &dir_arg], &adjust)?];
    if crate::source::anchor::work_tree(&dir).is_some() {
        outcomes.push(scan_outcome(&["git", &dir_arg], &adjust)?);
    }
    let mut named: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    for s in outcomes.iter().flat_map(|o| &o.suppressed) {
        if let (true, Some(at)) = (s.source == file, s.entry) {
            named.entry(at).or_default().insert(s.fingerprint.clone());
        }
    }
    let out = cmd
        .output
        .clone()
        .unwrap_or_else(|| dir.join(crate::config::IGNORE_FILE_NAME));
    let existing = if out.is_file() {
        crate::filter::ignore::IgnoreList::load(&out).context("invalid ignore file")?;
        std::fs::read_to_string(&out).with_context(|| format!("cannot read {}", out.display()))?
    } else {
        String::new()
    };
    let mut lines = Vec::new();
    let mut written: BTreeSet<&str> = BTreeSet::new();
    for entry in list.entries() {
        let Some(fingerprints) = named.get(&entry.at) else {
            untranslated.push(format!("{file}:{}: {entry} matched no finding", entry.at));
            continue;
        };
        if entry.commit.is_some() {
            untranslated.push(format!(
                "{file}:{}: {entry} names a commit, which a fingerprint does not: it now accepts that secret in that file in every commit",
                entry.at
            ));
        }
        for fp in fingerprints {
            if !existing.contains(fp.as_str()) && written.insert(fp) {
                lines.push(format!("{fp}  # {file}:{} {entry}", entry.at));
            }
        }
    }
    let added = lines.len();
    super::write_file(&out, &|w| {
        w.write_all(existing.as_bytes())?;
        if !existing.is_empty() && !existing.ends_with('\n') {
            writeln!(w)?;
        }
        if !lines.is_empty() {
            writeln!(w, "# From {file} (leakproof config migrate)")?;
        }
        for line in &lines {
            writeln!(w, "{line}")?;
        }
        Ok(())
    })?;
    eprintln!(
        "leakproof: added {added} fingerprints to {} for {} of the {} entries of {file}",
        out.display(),
        named.len(),
        list.entries().len()
    );
    list_untranslated(&untranslated);
    Ok(ExitStatus::Clean)
}

/// A detect-secrets `.secrets.baseline` into a leakproof baseline.
fn detect_secrets(cmd: &MigrateCmd, text: &str) -> Result<ExitStatus> {
    let file = cmd.file.display().to_string();
    let entries = crate::detect_secrets::parse(&file, text).context("invalid baseline")?;
    let dir = dir_of(&cmd.file);
    let out = cmd
        .output
        .clone()
        .unwrap_or_else(|| dir.join(BASELINE_FILE_NAME));
    check_overwrite(cmd, &out)?;
    // The secrets are hashed in memory to compare with the entries; they
    // are never printed or written.
    let outcome = scan_outcome(&["scan", &dir.to_string_lossy(), "--show-secrets"], &|_| ())?;
    let mut accepted: Vec<Entry> = Vec::new();
    let mut untranslated = Vec::new();
    for e in &entries {
        let at = format!("{file}: {}:{} ({})", e.filename, e.line_number, e.kind);
        if e.is_secret == Some(true) {
            untranslated.push(format!(
                "{at} was audited as a real secret: not accepted, leakproof reports it"
            ));
            continue;
        }
        let found: Vec<Entry> = outcome
            .findings
            .iter()
            .filter(|f| {
                f.fingerprint_path == e.filename
                    && crate::detect_secrets::hashed_secret(f.secret.as_bytes()) == e.hashed_secret
            })
            .map(|f| Entry {
                rule: f.rule_id.clone(),
                path: f.fingerprint_path.clone(),
                fingerprint: f.fingerprint.clone(),
                reason: format!(
                    "detect-secrets {}, line {} in {file}",
                    e.kind, e.line_number
                ),
                expires: String::new(),
            })
            .collect();
        if found.is_empty() {
            untranslated.push(format!(
                "{at}: no leakproof finding has that secret in that file"
            ));
        }
        accepted.extend(found);
    }
    let n = accepted.len();
    super::write_file(&out, &|w| baseline::write(accepted.clone(), w))?;
    eprintln!(
        "leakproof: wrote {n} entries to {} for {} of the {} results of {file}",
        out.display(),
        entries.len() - untranslated.len(),
        entries.len()
    );
    list_untranslated(&untranslated);
    Ok(ExitStatus::Clean)
}
