//! The `leakproof` binary: parse the command line, run, exit.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = leakproof::cli::Cli::parse();
    match leakproof::commands::run(cli) {
        Ok(status) => ExitCode::from(u8::try_from(status.code()).unwrap_or(1)),
        Err(err) => {
            let broken_pipe = err.chain().any(|cause| {
                cause
                    .downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            });
            if broken_pipe {
                return ExitCode::SUCCESS;
            }
            // Errors quote paths and values from the user's files: every
            // line is made safe for a terminal and a CI log.
            let safe = |e: &dyn std::fmt::Display| leakproof::report::escape::lines(&e.to_string());
            eprintln!("leakproof: error: {}", safe(&err));
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {}", safe(&cause));
            }
            ExitCode::from(2)
        }
    }
}
