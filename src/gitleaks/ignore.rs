//! gitleaks' ways of accepting a finding: `.gitleaksignore` lines and the
//! findings of a gitleaks JSON report used as a baseline (gitleaks'
//! `--baseline-path`). Both name a finding by its gitleaks fingerprint,
//! `commit:path:rule:line` or `path:rule:line`; they become entries that
//! [`crate::filter::place`] matches by identity path, rule (a gitleaks id
//! names the built-in rules that cover it, see [`super::ids`]), start line
//! and commit.

use std::path::Path;

use serde::Deserialize;

use super::ids;
use crate::filter::FilterFileError;
use crate::filter::place::{PlaceEntry, PlaceKind, PlaceList};
use crate::finding::{quoted, redact_first_quoted};

/// File name of gitleaks' ignore file, read at the project root.
pub const IGNORE_FILE_NAME: &str = ".gitleaksignore";

/// The rule ids that `named` covers: itself (a custom or leakproof rule)
/// and, for a gitleaks default id, the built-in rules it maps to.
fn rules_named(named: &str) -> Vec<String> {
    let mut rules = vec![named.to_string()];
    for id in ids::builtin_rules(named).unwrap_or_default() {
        if !rules.contains(id) {
            rules.push(id.clone());
        }
    }
    rules
}

/// `path` as gitleaks normalises it (backslashes to slashes) and as an
/// identity (no leading `./`).
fn identity(path: &str) -> String {
    let slashed = path.replace('\\', "/");
    let mut rest = slashed.as_str();
    while let Some(r) = rest.strip_prefix("./") {
        rest = r;
    }
    rest.to_string()
}

/// True for a full commit id (SHA-1 or SHA-256, hex).
fn is_commit(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Parses a gitleaks fingerprint written on line `at`; `None` when it has
/// not that shape. The line and rule are the last two fields; a full
/// commit id before the path is the commit; the rest is the path (which
/// may hold `:`).
pub fn parse_fingerprint(text: &str, at: usize) -> Option<PlaceEntry> {
    let (rest, line) = text.rsplit_once(':')?;
    let line: usize = line.trim().parse().ok().filter(|&l| l > 0)?;
    let (rest, rule) = rest.rsplit_once(':')?;
    let (commit, path) = match rest.split_once(':') {
        Some((c, p)) if is_commit(c) => (Some(c.to_ascii_lowercase()), p),
        _ => (None, rest),
    };
    let rule = rule.trim();
    let path = identity(path.trim());
    (!path.is_empty() && !rule.is_empty()).then(|| PlaceEntry {
        at,
        commit,
        path,
        rule: rule.to_string(),
        rules: rules_named(rule),
        line,
    })
}

/// A `.gitleaksignore`: its entries, and a warning for each line that is
/// not a gitleaks fingerprint (gitleaks warns and goes on; so does
/// leakproof, naming the line).
pub fn parse_ignore(file: &str, text: &str) -> (PlaceList, Vec<String>) {
    let mut entries = Vec::new();
    let mut warnings = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        // A comment after the entry, as in the other ignore files.
        let entry = line.split(" #").next().unwrap_or(line).trim_end();
        match parse_fingerprint(entry, i + 1) {
            Some(e) => entries.push(e),
            None => warnings.push(format!(
                "{file}:{}: `{}` is not a gitleaks fingerprint (commit:path:rule:line or path:rule:line); ignored",
                i + 1,
                quoted(entry)
            )),
        }
    }
    (
        PlaceList::new(file, PlaceKind::IgnoreFile, entries),
        warnings,
    )
}

/// Reads a `.gitleaksignore` (see [`parse_ignore`]).
pub fn load_ignore(path: &Path) -> Result<(PlaceList, Vec<String>), FilterFileError> {
    let file = path.display().to_string();
    let text = crate::limits::read_text(path, crate::limits::IGNORE_FILE, "an ignore file")
        .map_err(|e| FilterFileError::new(&file, 0, e.to_string()))?;
    Ok(parse_ignore(&file, &text))
}

/// A finding of a gitleaks JSON report, as far as a baseline needs it.
#[derive(Deserialize)]
struct ReportFinding {
    #[serde(rename = "RuleID")]
    rule_id: String,
    #[serde(rename = "File")]
    file: String,
    #[serde(rename = "StartLine")]
    start_line: usize,
    #[serde(rename = "Commit", default)]
    commit: String,
}

/// True when `value` has the shape of a gitleaks JSON report: an array
/// whose elements (if any) are objects with a `RuleID`.
pub fn is_report(value: &serde_json::Value) -> bool {
    value
        .as_array()
        .is_some_and(|a| a.iter().all(|f| f.get("RuleID").is_some()))
}

/// The entries of a gitleaks JSON report (`value`, parsed from `text`)
/// used as a baseline: each finding accepts the finding with its
/// fingerprint. An entry's line is where its finding's `RuleID` is
/// written in the report.
pub fn report_entries(
    file: &str,
    text: &str,
    value: serde_json::Value,
) -> Result<PlaceList, FilterFileError> {
    let findings: Vec<ReportFinding> = serde_json::from_value(value).map_err(|e| {
        FilterFileError::new(
            file,
            0,
            format!(
                "not a gitleaks JSON report: {}",
                redact_first_quoted(&e.to_string())
            ),
        )
    })?;
    // `"RuleID"` with both quotes cannot occur inside a JSON string (its
    // quotes would be escaped), so its n-th occurrence starts finding n.
    let mut lines = text
        .match_indices("\"RuleID\"")
        .map(|(at, _)| text[..at].bytes().filter(|&b| b == b'\n').count() + 1);
    let entries = findings
        .into_iter()
        .map(|f| PlaceEntry {
            at: lines.next().unwrap_or(0),
            commit: Some(f.commit.to_ascii_lowercase()).filter(|c| !c.is_empty()),
            path: identity(&f.file),
            rules: rules_named(&f.rule_id),
            rule: f.rule_id,
            line: f.start_line,
        })
        .collect();
    Ok(PlaceList::new(file, PlaceKind::Baseline, entries))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_with_and_without_commit() {
        let c = "0123456789abcdef0123456789abcdef01234567";
        let e = parse_fingerprint(&format!("{c}:src/a:b.py:github-pat:12"), 3).unwrap();
        assert_eq!(e.commit.as_deref(), Some(c));
        assert_eq!(
            (e.path.as_str(), e.rule.as_str(), e.line),
            ("src/a:b.py", "github-pat", 12)
        );
        assert_eq!(
            e.rules,
            ["github-pat", "github-pat-classic", "github-token-base64"]
        );
        let e = parse_fingerprint(".\\src\\a.py:acme-key:4", 1).unwrap();
        assert_eq!(e.commit, None);
        assert_eq!(e.to_string(), "src/a.py:acme-key:4");
        assert_eq!(e.rules, ["acme-key"]);
        assert_eq!(parse_fingerprint("nonsense", 1), None);
        assert_eq!(parse_fingerprint("a:b:zero", 1), None);
        assert_eq!(parse_fingerprint("a:b:0", 1), None);
        assert_eq!(parse_fingerprint(":b:1", 1), None);
    }

    #[test]
    fn ignore_files_warn_on_lines_that_are_not_fingerprints() {
        let (list, warnings) = parse_ignore(
            ".gitleaksignore",
            "# accepted\napp.py:github-pat:1  # test key\n\nnonsense\n",
        );
        let entries: Vec<String> = list.entries().iter().map(ToString::to_string).collect();
        assert_eq!(entries, ["app.py:github-pat:1"]);
        assert_eq!(list.entries()[0].at, 2);
        assert_eq!(
            warnings,
            [
                ".gitleaksignore:4: `nonsense` is not a gitleaks fingerprint (commit:path:rule:line or path:rule:line); ignored"
            ]
        );
    }

    #[test]
    fn a_gitleaks_report_is_a_list_of_entries() {
        let report = "[\n {\n  \"RuleID\": \"github-pat\",\n  \"File\": \"app.py\",\n  \"StartLine\": 1,\n  \"Commit\": \"\",\n  \"Match\": \"\\\"RuleID\\\"\"\n },\n {\n  \"RuleID\": \"jwt\",\n  \"File\": \"b.py\",\n  \"StartLine\": 3,\n  \"Commit\": \"ABC\"\n }\n]\n";
        let value: serde_json::Value = serde_json::from_str(report).unwrap();
        assert!(is_report(&value));
        let list = report_entries("r.json", report, value).unwrap();
        let entries: Vec<(usize, String)> = list
            .entries()
            .iter()
            .map(|e| (e.at, e.to_string()))
            .collect();
        assert_eq!(
            entries,
            [
                (3, "app.py:github-pat:1".to_string()),
                (10, "abc:b.py:jwt:3".to_string())
            ]
        );
        assert!(!is_report(&serde_json::json!({"findings": []})));
        assert!(is_report(&serde_json::json!([])));
        let bad = serde_json::json!([{"RuleID": 1}]);
        let err = report_entries("r.json", "", bad).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("r.json: not a gitleaks JSON report: invalid type"),
            "{err}"
        );
    }
}
