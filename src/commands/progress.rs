//! Progress on stderr while a scan runs: files (or blobs) and bytes done,
//! rate and elapsed time. Only ever on a terminal and never with
//! `--quiet`; by default only in an interactive session (not under CI),
//! and only once a scan has lasted about a second, so quick scans and
//! logs stay clean. `--progress` shows it at once, `--no-progress` never.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use indicatif::{HumanBytes, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::ScanFlags;
use crate::pipeline::Scanner;

/// How long a scan runs before progress appears unasked.
const DELAY: Duration = Duration::from_secs(1);

/// How often the display is refreshed.
const TICK: Duration = Duration::from_millis(100);

/// Whether progress is shown, and from when.
fn when(flags: &ScanFlags) -> Option<Duration> {
    if flags.quiet || flags.no_progress || !std::io::stderr().is_terminal() {
        return None;
    }
    if flags.progress {
        return Some(Duration::ZERO);
    }
    let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false");
    let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
    (!ci && !dumb).then_some(DELAY)
}

/// A running progress display; [`Progress::finish`] clears it.
pub(super) struct Progress {
    stop: Arc<AtomicBool>,
    ticker: Option<JoinHandle<()>>,
}

impl Progress {
    /// Starts showing what `scanner` has scanned, counting `unit` (e.g.
    /// "files") out of `total` when it is known. Shows nothing when the
    /// flags and the terminal say so.
    pub(super) fn start(
        flags: &ScanFlags,
        scanner: &Scanner,
        unit: &'static str,
        total: Option<u64>,
    ) -> Progress {
        let stop = Arc::new(AtomicBool::new(false));
        let Some(delay) = when(flags) else {
            return Progress { stop, ticker: None };
        };
        let started = Instant::now();
        let bar = match total {
            Some(n) => ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::hidden()),
            None => ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden()),
        };
        let template = if total.is_some() {
            format!(
                "{{spinner}} [{{elapsed}}] {{bar:30}} {{human_pos}}/{{human_len}} {unit}, {{msg}}"
            )
        } else {
            format!("{{spinner}} [{{elapsed}}] {{human_pos}} {unit}, {{msg}}")
        };
        if let Ok(style) = ProgressStyle::with_template(&template) {
            bar.set_style(style);
        }
        let flag = Arc::clone(&stop);
        let counters = scanner.counters();
        let ticker = std::thread::spawn(move || {
            let mut shown = false;
            loop {
                let done = flag.load(Ordering::Relaxed);
                let bytes = counters.bytes.load(Ordering::Relaxed);
                let secs = started.elapsed().as_secs_f64().max(0.001);
                bar.set_position(counters.blobs.load(Ordering::Relaxed));
                bar.set_message(format!(
                    "{} ({}/s)",
                    HumanBytes(bytes),
                    HumanBytes((bytes as f64 / secs) as u64)
                ));
                if !shown && started.elapsed() >= delay {
                    bar.set_draw_target(ProgressDrawTarget::stderr());
                    shown = true;
                }
                if shown {
                    bar.tick();
                }
                if done {
                    bar.finish_and_clear();
                    return;
                }
                std::thread::park_timeout(TICK);
            }
        });
        Progress {
            stop,
            ticker: Some(ticker),
        }
    }

    /// Stops and clears the display.
    pub(super) fn finish(self) {
        drop(self);
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.ticker.take() {
            t.thread().unpark();
            // A ticker that panicked has nothing left to clear.
            let _ = t.join();
        }
    }
}
