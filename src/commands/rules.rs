//! `leakproof rules list|show|test`.

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::{Context, Result, bail};

use crate::cli::RulesCmd;
use crate::exit::ExitStatus;
use crate::report::escape::{line, lines, text};
use crate::rules::{RuleSet, selftest};

/// The built-in packs, except those named in `skip`, plus `extra` packs.
fn load(skip: &[&str], extra: &[PathBuf]) -> Result<RuleSet> {
    let mut rules = RuleSet::builtin_except(skip).context("loading the built-in rule packs")?;
    for path in extra {
        rules.add_path(path).context("invalid rule pack")?;
    }
    Ok(rules)
}

/// Runs a `rules` subcommand.
pub(super) fn run(cmd: RulesCmd) -> Result<ExitStatus> {
    let stdout = io::stdout();
    let mut w = stdout.lock();
    match cmd {
        RulesCmd::List { rules } => {
            for r in load(&[], &rules)?.rules() {
                writeln!(
                    w,
                    "{}\t{}\t{}\t{}",
                    line(&r.id),
                    r.severity,
                    text(&r.name),
                    text(&r.keywords.join(","))
                )?;
            }
            Ok(ExitStatus::Clean)
        }
        RulesCmd::Show { id, rules } => {
            let set = load(&[], &rules)?;
            let Some(r) = set.get(&id) else {
                bail!(
                    "unknown rule id `{}` (see `leakproof rules list`)",
                    crate::finding::quoted(&id)
                );
            };
            writeln!(w, "id:          {}", text(&r.id))?;
            writeln!(w, "name:        {}", text(&r.name))?;
            writeln!(w, "pack:        {}", text(&r.pack))?;
            writeln!(w, "severity:    {}", r.severity)?;
            writeln!(w, "keywords:    {}", text(&r.keywords.join(", ")))?;
            writeln!(w, "regex:       {}", text(&r.pattern))?;
            writeln!(w, "secret group: {}", r.secret_group())?;
            writeln!(w, "min entropy: {}", r.min_entropy)?;
            if let Some(v) = r.validator {
                writeln!(w, "validator:   {}", v.name())?;
            }
            if r.generic {
                writeln!(w, "generic:     yes (yields to specific rules)")?;
            }
            if !r.remediation.is_empty() {
                writeln!(w, "remediation: {}", text(&r.remediation))?;
            }
            for reference in &r.references {
                writeln!(w, "reference:   {}", text(reference))?;
            }
            Ok(ExitStatus::Clean)
        }
        RulesCmd::Test { packs } => {
            // A pack named like a built-in one replaces it, so an edited
            // copy of `rules/vcs.toml` is tested without a rebuild.
            let mut files = Vec::new();
            for p in &packs {
                match std::fs::read_dir(p) {
                    Ok(entries) => files.extend(entries.filter_map(|e| e.ok().map(|e| e.path()))),
                    Err(_) => files.push(p.clone()),
                }
            }
            let names: Vec<String> = files
                .iter()
                .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                .collect();
            let skip: Vec<&str> = names.iter().map(String::as_str).collect();
            let rules = load(&skip, &packs)?;
            let chosen: Vec<String> = packs.iter().map(|p| p.display().to_string()).collect();
            let selected = |pack: &str| {
                packs.is_empty() || chosen.iter().any(|c| pack.starts_with(c.as_str()))
            };
            let total = rules.rules().iter().filter(|r| selected(&r.pack)).count();
            let failures = selftest::check(&selftest::scanner(rules), selected);
            for f in &failures {
                writeln!(w, "{}", lines(&f.to_string()))?;
            }
            writeln!(w, "{total} rules tested: {} failure(s)", failures.len())?;
            Ok(if failures.is_empty() {
                ExitStatus::Clean
            } else {
                ExitStatus::Findings(1)
            })
        }
    }
}
