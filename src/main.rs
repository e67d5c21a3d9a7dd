//! The `leakproof` binary: parse the command line, run, exit.

use std::process::ExitCode;

use clap::FromArgMatches;

/// Prints a command-line error the way clap would, with the offending
/// value quoted as every other error quotes one (it could be a secret
/// pasted in the wrong place), and returns exit code 2.
fn usage_error(err: &clap::Error) -> ExitCode {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let mut text = err.render().to_string();
    let mut kinds = vec![ContextKind::InvalidValue];
    if err.kind() == ErrorKind::UnknownArgument {
        kinds.push(ContextKind::InvalidArg);
    }
    for kind in kinds {
        if let Some(ContextValue::String(value)) = err.get(kind) {
            text = text.replace(value.as_str(), &leakproof::finding::quoted(value));
        }
    }
    eprint!("{}", leakproof::report::escape::lines(&text));
    ExitCode::from(2)
}

/// Has glibc's malloc give memory back to the system as a scan goes: it
/// otherwise raises its mmap threshold to the largest block freed (a big
/// file's read buffer), after which such blocks come from the heap, and
/// its trim threshold to twice that, so freed memory stays with the
/// process. Fixed at their 128 KiB defaults, they no longer move. A
/// directory scan peaked about 8 MiB higher without this.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn tune_allocator() {
    // SAFETY: mallopt only sets malloc parameters; it is called before any
    // other thread exists, and a rejected value leaves the default.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 << 10);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 128 << 10);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_allocator() {}

fn main() -> ExitCode {
    tune_allocator();
    let parsed = leakproof::cli::Cli::command_with_version()
        .try_get_matches()
        .and_then(|matches| leakproof::cli::Cli::from_arg_matches(&matches));
    let cli = match parsed {
        Ok(cli) => cli,
        // --help and --version print to stdout and exit 0.
        Err(err) if !err.use_stderr() => err.exit(),
        Err(err) => return usage_error(&err),
    };
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
