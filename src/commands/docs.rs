//! `leakproof completions SHELL` and `leakproof man`: generated from the
//! command line definition, so they cannot drift from it.

use std::io::{self, Write};
use std::path::Path;

use anyhow::{Context, Result};

use crate::cli::Cli;
use crate::exit::ExitStatus;

/// Prints the completion script for `shell`.
pub(super) fn completions(shell: clap_complete::Shell) -> Result<ExitStatus> {
    let mut cmd = Cli::command_with_version();
    // Generated in memory: clap_complete panics on a write error (a
    // closed pipe), writing ourselves turns that into an error.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "leakproof", &mut script);
    let mut out = io::stdout().lock();
    out.write_all(&script)
        .and_then(|()| out.flush())
        .context("writing the completion script")?;
    Ok(ExitStatus::Clean)
}

/// Prints the man page, or writes it and one page per subcommand into
/// `dir`.
pub(super) fn man(dir: Option<&Path>) -> Result<ExitStatus> {
    let cmd = Cli::command_with_version();
    if let Some(dir) = dir {
        clap_mangen::generate_to(cmd, dir)
            .with_context(|| format!("writing man pages into {}", dir.display()))?;
        return Ok(ExitStatus::Clean);
    }
    let mut out = io::stdout().lock();
    clap_mangen::Man::new(cmd)
        .render(&mut out)
        .and_then(|()| out.flush())
        .context("writing the man page")?;
    Ok(ExitStatus::Clean)
}
