//! Glue between the command line and the library: the only place, with
//! `main`, that uses `anyhow` and adds context to errors.

mod baseline;
mod config;
mod docs;
mod git;
mod install_hook;
mod migrate;
mod progress;
mod rules;
mod scan;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{Context, Result};

use crate::cli::{Cli, Command, ConfigCmd};
use crate::exit::ExitStatus;

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<ExitStatus> {
    match cli.command {
        Command::Scan(cmd) => scan::run(&cmd),
        Command::Git(cmd) => git::run(&cmd),
        Command::Rules(cmd) => rules::run(cmd),
        Command::Baseline(cmd) => baseline::run(&cmd),
        Command::Config(ConfigCmd::Init { force }) => config::init(force),
        Command::Config(ConfigCmd::Migrate(cmd)) => migrate::run(&cmd),
        Command::InstallHook(cmd) => install_hook::run(&cmd),
        Command::Completions { shell } => docs::completions(shell),
        Command::Man { dir } => docs::man(dir.as_deref()),
    }
}

/// Creates `out` and writes `body` to it, naming the file in any error.
fn write_file(out: &Path, body: &dyn Fn(&mut dyn Write) -> std::io::Result<()>) -> Result<()> {
    let file = File::create(out).with_context(|| format!("cannot write {}", out.display()))?;
    let mut w = BufWriter::new(file);
    body(&mut w)
        .and_then(|()| w.flush())
        .with_context(|| format!("writing {}", out.display()))
}
