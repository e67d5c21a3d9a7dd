//! Reporters: turn a finished scan into text, JSON, SARIF, GitHub
//! workflow commands, Markdown, a GitLab secret-detection report, CSV,
//! JUnit XML or gitleaks' JSON report. Reporters only format what they
//! are given; none of them re-reads a file.

mod csv;
pub mod escape;
mod github;
mod gitlab;
mod gitleaks;
mod json;
mod junit;
mod markdown;
mod sarif;
mod text;

use std::io::{self, Write};
use std::time::{Duration, SystemTime};

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
    /// GitLab secret-detection report (schema 15), for
    /// `artifacts: reports: secret_detection`.
    Gitlab,
    /// Comma-separated values, one row per finding, with a header.
    Csv,
    /// JUnit XML, one failed test case per finding.
    Junit,
    /// gitleaks' JSON report (an array of findings with gitleaks' field
    /// names), for tools that import gitleaks reports.
    Gitleaks,
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
    /// When the scan started.
    pub started: SystemTime,
    /// Secrets are in clear (`--show-secrets`): findings hold them so.
    pub show_secrets: bool,
    /// Colour text output (ANSI escapes).
    pub color: bool,
    /// The absolute directory that findings' identity paths are relative
    /// to (the `%SRCROOT%` of SARIF), when there is one.
    pub root: Option<String>,
}

/// Writes `report` to `w` in `format`.
pub fn write(report: &Report<'_>, format: Format, w: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Text => text::write(report, w),
        Format::Json => json::write(report, w),
        Format::Sarif => sarif::write(report, w),
        Format::Github => github::write(report, w),
        Format::Markdown => markdown::write(report, w),
        Format::Gitlab => gitlab::write(report, w),
        Format::Csv => csv::write(report, w),
        Format::Junit => junit::write(report, w),
        Format::Gitleaks => gitleaks::write(report, w),
    }
}

/// Warnings about what `format` could not carry whole (e.g. SARIF results
/// split over several runs), for stderr and the summary.
pub fn warnings(report: &Report<'_>, format: Format) -> Vec<String> {
    match format {
        Format::Sarif => sarif::warnings(report),
        _ => Vec::new(),
    }
}

/// A commit as one line: short id, author, date and message summary.
fn commit_line(c: &crate::finding::Commit) -> String {
    format!(
        "{} by {} on {}: {}",
        short_commit(&c.commit),
        c.author,
        c.date,
        c.message
    )
}

/// The first 12 characters of a commit id.
fn short_commit(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}
