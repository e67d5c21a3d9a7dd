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

use anyhow::Result;

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
