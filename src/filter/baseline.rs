//! Baselines: findings a team accepted, keyed on rule id, path and a hash
//! of the secret (the fingerprint), never the secret itself and never a line
//! number, so lines can move and merges stay trivial. One JSON object per
//! line, sorted, with optional `reason` and `expires` (YYYY-MM-DD); an
//! expired entry stops suppressing.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use super::ignore::is_fingerprint;
use super::{FilterFileError, Scope};
use crate::finding::{Finding, quoted, redact_first_quoted};

const HEADER: &str = "# leakproof baseline: accepted findings, one per line, sorted. Each entry holds the rule id, the path\n\
# and the fingerprint (a hash of rule, path and secret; never the secret). Optional: \"reason\", and\n\
# \"expires\" (YYYY-MM-DD) after which the entry stops suppressing. Update: leakproof baseline create.\n";

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Rule id.
    pub rule: String,
    /// Path relative to the scanned root.
    pub path: String,
    /// Fingerprint of rule, path and secret.
    pub fingerprint: String,
    /// Why it is accepted.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    /// Last day the entry suppresses (YYYY-MM-DD).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub expires: String,
}

/// A loaded baseline.
#[derive(Debug)]
pub struct Baseline {
    /// The file, as shown to users.
    pub file: String,
    entries: Vec<(usize, Entry)>,
    index: HashMap<String, usize>,
    used: Vec<AtomicBool>,
    today: String,
}

/// What a baseline says about a finding.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Not in the baseline.
    New,
    /// Accepted by the entry on this line.
    Accepted(usize),
    /// In the baseline, but the entry expired on this date.
    Expired(String),
}

impl Baseline {
    /// Reads a baseline, at most [`crate::limits::BASELINE`] bytes;
    /// `today` (YYYY-MM-DD) decides expiry.
    pub fn load(path: &Path, today: &str) -> Result<Baseline, FilterFileError> {
        let file = path.display().to_string();
        let text = crate::limits::read_text(path, crate::limits::BASELINE, "a baseline")
            .map_err(|e| FilterFileError::new(&file, 0, e.to_string()))?;
        Baseline::parse(&file, &text, today)
    }

    /// Parses the text of a baseline named `file`: the baseline format, or
    /// a leakproof JSON report (`--format json`), whose findings are then
    /// the accepted entries.
    pub fn parse(file: &str, text: &str, today: &str) -> Result<Baseline, FilterFileError> {
        let parsed = match report_entries(file, text) {
            Some(entries) => entries?,
            None => jsonl_entries(file, text)?,
        };
        let mut entries = Vec::new();
        let mut index = HashMap::new();
        for (line, entry) in parsed {
            let fail = |message: String| FilterFileError::new(file, line, message);
            if !is_fingerprint(&entry.fingerprint) {
                return Err(fail(format!(
                    "`{}` is not a fingerprint",
                    quoted(&entry.fingerprint)
                )));
            }
            if !entry.expires.is_empty() && !crate::date::is_date(&entry.expires) {
                return Err(fail(format!(
                    "expires `{}` is not a date (YYYY-MM-DD)",
                    quoted(&entry.expires)
                )));
            }
            index
                .entry(entry.fingerprint.clone())
                .or_insert(entries.len());
            entries.push((line, entry));
        }
        let used = entries.iter().map(|_| AtomicBool::new(false)).collect();
        Ok(Baseline {
            file: file.to_string(),
            entries,
            index,
            used,
            today: today.to_string(),
        })
    }

    /// Looks a fingerprint up; an accepted one marks its entry used.
    pub fn check(&self, fingerprint: &str) -> Verdict {
        let Some(&i) = self.index.get(fingerprint) else {
            return Verdict::New;
        };
        let (line, entry) = &self.entries[i];
        if !entry.expires.is_empty() && entry.expires.as_str() < self.today.as_str() {
            return Verdict::Expired(entry.expires.clone());
        }
        self.used[i].store(true, Ordering::Relaxed);
        Verdict::Accepted(*line)
    }

    /// Entries inside `scope` that suppressed nothing, with their line.
    pub fn unused(&self, scope: &Scope) -> Vec<(usize, &Entry)> {
        self.entries
            .iter()
            .enumerate()
            .filter(|(i, (_, e))| {
                !self.used[*i].load(Ordering::Relaxed) && scope.covers(&e.rule, &e.path)
            })
            .map(|(_, (line, e))| (*line, e))
            .collect()
    }

    /// Entries to keep after a scan of `scope`: those that suppressed
    /// something, and those the scan could not judge (outside `scope`).
    pub fn kept_entries(&self, scope: &Scope) -> Vec<Entry> {
        self.entries
            .iter()
            .enumerate()
            .filter(|(i, (_, e))| {
                self.used[*i].load(Ordering::Relaxed) || !scope.covers(&e.rule, &e.path)
            })
            .map(|(_, (_, e))| e.clone())
            .collect()
    }

    /// All entries.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().map(|(_, e)| e)
    }
}

/// The entries of a baseline file, one JSON object per line, with their
/// 1-based line.
fn jsonl_entries(file: &str, text: &str) -> Result<Vec<(usize, Entry)>, FilterFileError> {
    let mut entries = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let entry: Entry = serde_json::from_str(line)
            .map_err(|e| FilterFileError::new(file, i + 1, redact_first_quoted(&e.to_string())))?;
        entries.push((i + 1, entry));
    }
    Ok(entries)
}

/// A finding of a leakproof JSON report, as far as a baseline needs it.
#[derive(Deserialize)]
struct ReportFinding {
    rule_id: String,
    path: String,
    #[serde(default)]
    fingerprint_path: Option<String>,
    fingerprint: String,
}

/// A leakproof JSON report, as far as a baseline needs it.
#[derive(Deserialize)]
struct Report {
    findings: Vec<ReportFinding>,
}

/// The entries of `text` when it is a leakproof JSON report (one object
/// with a `findings` array); `None` when it is not one. Each entry's line
/// is where its fingerprint stands in the report.
fn report_entries(file: &str, text: &str) -> Option<Result<Vec<(usize, Entry)>, FilterFileError>> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    value.as_object()?.get("findings")?;
    let report: Report = match serde_json::from_value(value) {
        Ok(r) => r,
        Err(e) => {
            return Some(Err(FilterFileError::new(
                file,
                0,
                format!(
                    "not a leakproof JSON report: {}",
                    redact_first_quoted(&e.to_string())
                ),
            )));
        }
    };
    let line_of = |fp: &str| {
        text.find(fp).map_or(0, |at| {
            text[..at].bytes().filter(|&b| b == b'\n').count() + 1
        })
    };
    Some(Ok(report
        .findings
        .into_iter()
        .map(|f| {
            let line = line_of(&f.fingerprint);
            let entry = Entry {
                rule: f.rule_id,
                path: f.fingerprint_path.unwrap_or(f.path),
                fingerprint: f.fingerprint,
                reason: String::new(),
                expires: String::new(),
            };
            (line, entry)
        })
        .collect()))
}

/// The baseline entry for a finding, keeping the reason and expiry of an
/// existing entry with the same fingerprint.
pub fn entry_for(finding: &Finding, previous: Option<&Baseline>) -> Entry {
    let old = previous.and_then(|b| b.entries().find(|e| e.fingerprint == finding.fingerprint));
    Entry {
        rule: finding.rule_id.clone(),
        path: finding.fingerprint_path.clone(),
        fingerprint: finding.fingerprint.clone(),
        reason: old.map(|e| e.reason.clone()).unwrap_or_default(),
        expires: old.map(|e| e.expires.clone()).unwrap_or_default(),
    }
}

/// Writes entries sorted and deduplicated, one per line, after the header.
pub fn write(mut entries: Vec<Entry>, w: &mut dyn Write) -> io::Result<()> {
    entries.sort();
    entries.dedup_by(|a, b| a.fingerprint == b.fingerprint);
    w.write_all(HEADER.as_bytes())?;
    for e in &entries {
        serde_json::to_writer(&mut *w, e)?;
        writeln!(w)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FP: &str = "0123456789abcdef0123456789abcdef";

    fn line(expires: &str) -> String {
        format!(
            r#"{{"rule":"r","path":"p","fingerprint":"{FP}","reason":"fixture","expires":"{expires}"}}"#
        )
    }

    #[test]
    fn accepted_expired_and_new() {
        let b =
            Baseline::parse("b", &format!("# c\n{}\n", line("2030-01-01")), "2026-11-23").unwrap();
        assert_eq!(b.check(FP), Verdict::Accepted(2));
        assert_eq!(b.check("ffffffffffffffffffffffffffffffff"), Verdict::New);
        let b = Baseline::parse("b", &line("2026-11-22"), "2026-11-23").unwrap();
        assert_eq!(b.check(FP), Verdict::Expired("2026-11-22".into()));
        let scope = |target: &str| Scope {
            targets: vec![target.to_string()],
            rules: ["r".to_string()].into(),
            history: false,
        };
        assert_eq!(b.unused(&scope("")).len(), 1);
        assert_eq!(b.kept_entries(&scope("")).len(), 0);
        // An entry outside what was scanned is neither unused nor dropped.
        assert_eq!(b.unused(&scope("other")).len(), 0);
        assert_eq!(b.kept_entries(&scope("other")).len(), 1);
        // The expiry day itself still suppresses.
        let b = Baseline::parse("b", &line("2026-11-23"), "2026-11-23").unwrap();
        assert_eq!(b.check(FP), Verdict::Accepted(1));
    }

    #[test]
    fn a_json_report_is_a_baseline() {
        let report = format!(
            "{{\n  \"version\": \"0.1.0\",\n  \"findings\": [\n    {{\n      \"rule_id\": \"r\",\n      \"path\": \"x.py\",\n      \"fingerprint_path\": \"app/x.py\",\n      \"fingerprint\": \"{FP}\",\n      \"line\": 3\n    }}\n  ],\n  \"summary\": {{}}\n}}\n"
        );
        let b = Baseline::parse("report.json", &report, "2026-01-01").unwrap();
        assert_eq!(b.check(FP), Verdict::Accepted(8));
        let entries: Vec<&Entry> = b.entries().collect();
        assert_eq!(entries[0].path, "app/x.py");
        assert_eq!(entries[0].rule, "r");
        let err = Baseline::parse("r.json", "{\"findings\": [{\"rule_id\": 1}]}", "2026-01-01")
            .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("r.json: not a leakproof JSON report: invalid type"),
            "{err}"
        );
    }

    #[test]
    fn bad_lines_name_file_and_line() {
        let err = Baseline::parse("base.jsonl", "# h\n{\"rule\":1}\n", "2026-01-01").unwrap_err();
        assert!(
            err.to_string().starts_with("base.jsonl:2: invalid type"),
            "{err}"
        );
        let err = Baseline::parse("b", &line("tomorrow"), "2026-01-01").unwrap_err();
        assert_eq!(
            err.to_string(),
            "b:1: expires `tomorrow` is not a date (YYYY-MM-DD)"
        );
    }

    #[test]
    fn written_baselines_are_sorted_and_parse_back() {
        let e = |rule: &str, fp: &str| Entry {
            rule: rule.into(),
            path: "a".into(),
            fingerprint: fp.into(),
            reason: String::new(),
            expires: String::new(),
        };
        let mut out = Vec::new();
        write(
            vec![e("z", FP), e("a", "ffffffffffffffffffffffffffffffff")],
            &mut out,
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        let body: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(
            body,
            vec![
                r#"{"rule":"a","path":"a","fingerprint":"ffffffffffffffffffffffffffffffff"}"#,
                format!(r#"{{"rule":"z","path":"a","fingerprint":"{FP}"}}"#).as_str(),
            ]
        );
        assert_eq!(
            Baseline::parse("b", &text, "2026-01-01")
                .unwrap()
                .entries()
                .count(),
            2
        );
    }
}
