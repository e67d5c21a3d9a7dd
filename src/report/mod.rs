//! Reporters: turn a finished scan into text, JSON, SARIF, GitHub
//! workflow commands or Markdown. Reporters only format what they are
//! given; none of them re-reads a file.

pub mod escape;
mod github;
mod json;
mod markdown;
mod sarif;
mod text;

use std::io::{self, Write};
use std::time::Duration;

use clap::ValueEnum;

use crate::pipeline::Outcome;
use crate::rules::RuleSet;

pub use text::summary_line;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One line per finding, for people.
    Text,
    /// One JSON object with `findings`, `notices` and `summary`.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// A Markdown table, for a CI job summary.
    Markdown,
}

/// A finished scan, ready to be written.
pub struct Report<'a> {
    /// Findings, suppressions and notices, sorted.
    pub outcome: &'a Outcome,
    /// The rules the scan ran.
    pub rules: &'a RuleSet,
    /// Wall time of the scan.
    pub elapsed: Duration,
    /// Also list suppressed candidates with their reasons.
    pub show_suppressed: bool,
    /// Remarks for the summary (e.g. that history was truncated).
    pub remarks: Vec<String>,
    /// Baseline and ignore-file entries that matched nothing (with
    /// `--report-unused`).
    pub unused: &'a [String],
}

/// Writes `report` to `w` in `format`.
pub fn write(report: &Report<'_>, format: Format, w: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Text => text::write(report, w),
        Format::Json => json::write(report, w),
        Format::Sarif => sarif::write(report, w),
        Format::Github => github::write(report, w),
        Format::Markdown => markdown::write(report, w),
    }
}
