//! GitLab's secret-detection report (security report schema 15.2.4), for
//! `artifacts: reports: secret_detection`: GitLab shows the findings in
//! the merge request and the security dashboards. Secrets are redacted
//! unless `--show-secrets`; no source extract is written.

use std::io::{self, Write};
use std::time::{Duration, UNIX_EPOCH};

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::Report;
use crate::finding::Finding;
use crate::rules::Severity;
use crate::source::NoticeLevel;

/// The schema version the report declares and is tested against.
pub const SCHEMA_VERSION: &str = "15.2.4";

const SCHEMA_URL: &str = "https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/v15.2.4/dist/secret-detection-report-format.json";

/// The commit of a finding outside git history: the schema requires one.
const NO_COMMIT: &str = "0000000";

#[derive(Serialize)]
struct Document<'a> {
    version: &'static str,
    schema: &'static str,
    scan: Scan,
    vulnerabilities: Vec<Vulnerability<'a>>,
}

#[derive(Serialize)]
struct Scan {
    analyzer: Tool,
    scanner: Tool,
    #[serde(rename = "type")]
    kind: &'static str,
    start_time: String,
    end_time: String,
    status: &'static str,
    messages: Vec<ScanMessage>,
}

#[derive(Serialize)]
struct Tool {
    id: &'static str,
    name: &'static str,
    version: &'static str,
    vendor: Vendor,
}

#[derive(Serialize)]
struct Vendor {
    name: &'static str,
}

#[derive(Serialize)]
struct ScanMessage {
    level: &'static str,
    value: String,
}

#[derive(Serialize)]
struct Vulnerability<'a> {
    id: String,
    category: &'static str,
    name: &'a str,
    description: String,
    severity: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    solution: Option<String>,
    identifiers: Vec<Identifier<'a>>,
    location: LocationOut<'a>,
}

#[derive(Serialize)]
struct Identifier<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    name: String,
    value: &'a str,
}

#[derive(Serialize)]
struct LocationOut<'a> {
    file: &'a str,
    start_line: usize,
    end_line: usize,
    commit: CommitOut<'a>,
}

#[derive(Serialize)]
struct CommitOut<'a> {
    sha: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    author: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "Critical",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
    }
}

/// `yyyy-mm-ddThh:mm:ss` in UTC, as the schema wants.
fn timestamp(at: Duration) -> String {
    let rfc = crate::date::rfc3339(i64::try_from(at.as_secs()).unwrap_or(i64::MAX), 0);
    rfc.get(..19).unwrap_or(&rfc).to_string()
}

/// A stable id in UUID form for one finding: the same leak at the same
/// place gets the same id in every run, two findings never share one.
fn vulnerability_id(f: &Finding) -> String {
    let mut h = Sha256::new();
    h.update(f.fingerprint.as_bytes());
    h.update(format!("\0{}\0{}\0", f.line, f.column));
    if let Some(c) = &f.commit {
        h.update(c.commit.as_bytes());
    }
    let hex: String = h.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

fn vulnerability<'a>(f: &'a Finding, report: &'a Report<'_>) -> Vulnerability<'a> {
    let rule = report.rules.get(&f.rule_id);
    let solution = rule
        .map(|r| r.remediation.clone())
        .filter(|s| !s.is_empty())
        .map(|s| s.chars().take(7000).collect());
    Vulnerability {
        id: vulnerability_id(f),
        category: "secret_detection",
        name: &f.rule_name,
        description: match &f.decoding {
            Some(chain) => format!(
                "{} found by rule `{}` in decoded text ({chain}): {} (fingerprint {}).",
                f.rule_name, f.rule_id, f.secret, f.fingerprint
            ),
            None => format!(
                "{} found by rule `{}`: {} (fingerprint {}).",
                f.rule_name, f.rule_id, f.secret, f.fingerprint
            ),
        },
        severity: severity(f.severity),
        solution,
        identifiers: vec![Identifier {
            kind: "leakproof_rule_id",
            name: format!("leakproof rule {}", f.rule_id),
            value: &f.rule_id,
        }],
        location: LocationOut {
            file: &f.fingerprint_path,
            start_line: f.line,
            end_line: f.end_line,
            commit: match &f.commit {
                Some(c) => CommitOut {
                    sha: &c.commit,
                    author: Some(&c.author),
                    date: Some(&c.date),
                    message: Some(&c.message),
                },
                None => CommitOut {
                    sha: NO_COMMIT,
                    author: None,
                    date: None,
                    message: None,
                },
            },
        },
    }
}

/// Writes the report as one GitLab secret-detection JSON document.
pub fn write(report: &Report<'_>, w: &mut dyn Write) -> io::Result<()> {
    let o = report.outcome;
    let start = report
        .started
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let tool = || Tool {
        id: "leakproof",
        name: "leakproof",
        version: env!("CARGO_PKG_VERSION"),
        vendor: Vendor { name: "leakproof" },
    };
    let failed = o.notices.iter().any(|n| n.level == NoticeLevel::Error);
    let messages = o
        .notices
        .iter()
        .filter(|n| n.level >= NoticeLevel::Warning)
        .map(|n| ScanMessage {
            level: "warn",
            value: format!("{}: {}", n.path, n.message),
        })
        .collect();
    let doc = Document {
        version: SCHEMA_VERSION,
        schema: SCHEMA_URL,
        scan: Scan {
            analyzer: tool(),
            scanner: tool(),
            kind: "secret_detection",
            start_time: timestamp(start),
            end_time: timestamp(start + report.elapsed),
            status: if failed { "failure" } else { "success" },
            messages,
        },
        vulnerabilities: o
            .findings
            .iter()
            .map(|f| vulnerability(f, report))
            .collect(),
    };
    super::escape::write_json(w, &doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_have_the_schema_shape() {
        assert_eq!(
            timestamp(Duration::from_secs(1_580_181_962)),
            "2020-01-28T03:26:02"
        );
    }
}
