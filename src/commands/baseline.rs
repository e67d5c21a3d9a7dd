//! `leakproof baseline create|prune`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{Context, Result, bail};

use super::scan::collect;
use crate::cli::BaselineCmd;
use crate::exit::ExitStatus;
use crate::filter::baseline::{self, Entry};

fn write_file(path: &Path, entries: Vec<Entry>) -> Result<()> {
    let file = File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    let mut w = BufWriter::new(file);
    baseline::write(entries, &mut w)
        .and_then(|()| w.flush())
        .with_context(|| format!("writing {}", path.display()))
}

/// Runs a `baseline` subcommand.
pub(super) fn run(cmd: &BaselineCmd) -> Result<ExitStatus> {
    match cmd {
        BaselineCmd::Create(scan) => {
            let Some(out) = &scan.scan.output else {
                bail!("baseline create needs the file to write: -o FILE");
            };
            let (setup, outcome) = collect(scan)?;
            let previous = setup.scanner.acceptance().baseline.as_ref();
            let mut entries: Vec<Entry> = outcome
                .findings
                .iter()
                .map(|f| baseline::entry_for(f, previous))
                .collect();
            // Entries of the previous baseline that still suppress stay.
            if let Some(b) = previous {
                entries.extend(b.kept_entries(&setup.scope));
            }
            let n = entries.len();
            write_file(out, entries)?;
            if !scan.scan.quiet {
                eprintln!("leakproof: wrote {n} entries to {}", out.display());
            }
            Ok(ExitStatus::Clean)
        }
        BaselineCmd::Prune(scan) => {
            let Some(file) = &scan.scan.baseline else {
                bail!("baseline prune needs the baseline to prune: --baseline FILE");
            };
            let (setup, _) = collect(scan)?;
            let Some(b) = setup.scanner.acceptance().baseline.as_ref() else {
                bail!("no baseline loaded");
            };
            let kept = b.kept_entries(&setup.scope);
            let removed = b.entries().count() - kept.len();
            write_file(file, kept)?;
            if !scan.scan.quiet {
                eprintln!(
                    "leakproof: removed {removed} unused entries from {}",
                    file.display()
                );
            }
            Ok(ExitStatus::Clean)
        }
    }
}
