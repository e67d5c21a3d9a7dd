//! gitleaks' JSON report shape (`--format gitleaks`): an array of findings
//! with gitleaks' field names and meanings, so tools that import gitleaks
//! reports (DefectDojo and others) take leakproof's, and the report works
//! as a baseline for leakproof and as a source of `.gitleaksignore` lines.
//!
//! - `RuleID` is leakproof's rule id: gitleaks ids map to leakproof rules,
//!   not back (a generic rule covers many gitleaks ids).
//! - `File` is the finding's identity, the path from the repository root,
//!   and `Fingerprint` is gitleaks' (`commit:file:rule:line`, or
//!   `file:rule:line` outside git), so it can go into a `.gitleaksignore`.
//! - Columns are gitleaks': 1-based, `EndColumn` on the secret's last
//!   character.
//! - Unless `--show-secrets`, `Secret` is `REDACTED` and so is the secret
//!   inside `Match`, as `gitleaks --redact` writes them.

use std::io::{self, Write};

use serde::Serialize;

use super::Report;
use crate::finding::Finding;

/// What gitleaks writes in place of a redacted secret.
const REDACTED: &str = "REDACTED";

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct GitleaksFinding<'a> {
    #[serde(rename = "RuleID")]
    rule_id: &'a str,
    description: &'a str,
    start_line: usize,
    end_line: usize,
    start_column: usize,
    end_column: usize,
    #[serde(rename = "Match")]
    matched: String,
    secret: &'a str,
    file: &'a str,
    symlink_file: &'a str,
    commit: &'a str,
    entropy: f64,
    author: &'a str,
    email: &'a str,
    date: &'a str,
    message: &'a str,
    tags: &'a [String],
    fingerprint: String,
}

/// gitleaks' fingerprint of a finding: `commit:file:rule:line`, or
/// `file:rule:line` without a commit.
pub fn fingerprint(f: &Finding) -> String {
    match &f.commit {
        Some(c) => format!(
            "{}:{}:{}:{}",
            c.commit, f.fingerprint_path, f.rule_id, f.line
        ),
        None => format!("{}:{}:{}", f.fingerprint_path, f.rule_id, f.line),
    }
}

/// `Name <email>` split into name and email.
fn author_parts(author: &str) -> (&str, &str) {
    match author.strip_suffix('>').and_then(|a| a.rsplit_once(" <")) {
        Some((name, email)) => (name, email),
        None => (author, ""),
    }
}

/// The match with its (already redacted) secret written as gitleaks'
/// `REDACTED`. A redacted finding's match holds no clear secret, so the
/// last occurrence of the redacted form is the one replaced.
fn redacted_match(f: &Finding) -> String {
    match f.matched.rfind(&f.secret) {
        Some(at) if !f.secret.is_empty() => format!(
            "{}{REDACTED}{}",
            &f.matched[..at],
            &f.matched[at + f.secret.len()..]
        ),
        _ => f.matched.clone(),
    }
}

/// Writes the findings as gitleaks' JSON report (`[]` when there are
/// none, as gitleaks writes it).
pub fn write(report: &Report<'_>, w: &mut dyn Write) -> io::Result<()> {
    let findings: Vec<GitleaksFinding<'_>> = report
        .outcome
        .findings
        .iter()
        .map(|f| {
            let commit = f.commit.as_ref();
            let (author, email) = commit.map_or(("", ""), |c| author_parts(&c.author));
            let (matched, secret) = if report.show_secrets {
                (f.matched.clone(), f.secret.as_str())
            } else {
                (redacted_match(f), REDACTED)
            };
            GitleaksFinding {
                rule_id: &f.rule_id,
                // Never empty: importers tell gitleaks 8 reports by it.
                description: if f.rule_name.is_empty() {
                    &f.rule_id
                } else {
                    &f.rule_name
                },
                start_line: f.line,
                end_line: f.end_line,
                start_column: f.column,
                end_column: f.end_column.saturating_sub(1).max(f.column),
                matched,
                secret,
                file: &f.fingerprint_path,
                symlink_file: "",
                commit: commit.map_or("", |c| c.commit.as_str()),
                entropy: f.entropy,
                author,
                email,
                date: commit.map_or("", |c| c.date.as_str()),
                message: commit.map_or("", |c| c.message.as_str()),
                tags: report.rules.get(&f.rule_id).map_or(&[], |r| &r.tags),
                fingerprint: fingerprint(f),
            }
        })
        .collect();
    super::escape::write_json(w, &findings)
}

#[cfg(test)]
mod tests {
    use super::author_parts;

    #[test]
    fn authors_split_into_name_and_email() {
        assert_eq!(
            author_parts("Ann Dev <ann@example.com>"),
            ("Ann Dev", "ann@example.com")
        );
        assert_eq!(author_parts("A <b> <c@d>"), ("A <b>", "c@d"));
        assert_eq!(author_parts("nobody"), ("nobody", ""));
    }
}
