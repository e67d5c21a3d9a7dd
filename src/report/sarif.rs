//! SARIF 2.1.0 output that validates against the official schema and that
//! GitHub code scanning accepts: every rule in `tool.driver.rules` with help
//! text, `level` and `security-severity` from severity, one location with a
//! region per result, `partialFingerprints` so one leak stays one alert,
//! URIs relative to `%SRCROOT%` (the repository), and no run over GitHub's
//! limit of results per run.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_json::json;
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, Message, MultiformatMessageString, Notification,
    PhysicalLocation, PropertyBag, Region, ReportingConfiguration, ReportingDescriptor,
    Result as SarifResult, ResultLevel, Run, RunAutomationDetails, Sarif, Tool, ToolComponent,
};

use super::Report;
use crate::finding::Finding;
use crate::rules::{Rule, Severity};
use crate::source::NoticeLevel;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// GitHub code scanning rejects a run with more results than this.
pub const MAX_RESULTS_PER_RUN: usize = 25_000;

/// GitHub code scanning rejects a file with more runs than this.
pub const MAX_RUNS: usize = 20;

/// The base that result URIs are relative to.
const SRCROOT: &str = "%SRCROOT%";

fn level(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Critical | Severity::High => ResultLevel::Error,
        Severity::Medium => ResultLevel::Warning,
        Severity::Low => ResultLevel::Note,
    }
}

/// GitHub's `security-severity` score for a severity.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
    }
}

/// Percent-encodes a path into a relative URI reference (RFC 3986,
/// forward slashes kept). A `:` in the first segment is encoded too: there
/// it would make the reference an absolute URI with a scheme
/// (`http:x.env`), which code scanning would not resolve to the file.
fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut out = String::with_capacity(path.len());
    let mut first_segment = true;
    for b in path.bytes() {
        first_segment &= b != b'/';
        let plain = b.is_ascii_alphanumeric()
            || b"-._~/!$&'()*+,;=@".contains(&b)
            || (b == b':' && !first_segment);
        if plain {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The artifact location of an identity path: relative to `%SRCROOT%`
/// when it can be; an absolute path inside `root` is made relative to it,
/// and only a path outside the root stays absolute (a `file://` URI).
fn artifact(path: &str, root: Option<&str>) -> ArtifactLocation {
    let relative = match root {
        Some(root) if is_absolute(path) => path
            .strip_prefix(root.trim_end_matches(['/', '\\']))
            .filter(|rest| rest.starts_with(['/', '\\']))
            .map(|rest| rest.trim_start_matches(['/', '\\'])),
        _ if is_absolute(path) => None,
        _ => Some(path),
    };
    match relative {
        Some(rel) => {
            let mut location = ArtifactLocation::builder().uri(uri(rel)).build();
            location.uri_base_id = Some(SRCROOT.to_string());
            location
        }
        None => ArtifactLocation::builder().uri(file_uri(path)).build(),
    }
}

fn is_absolute(path: &str) -> bool {
    path.starts_with('/')
        || path.starts_with('\\')
        || path.get(1..3) == Some(":\\")
        || path.get(1..3) == Some(":/")
}

/// `file:///abs/path` for an absolute path (a Windows path gets its drive).
fn file_uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    if path.starts_with('/') {
        format!("file://{}", uri(&path))
    } else {
        format!("file://{}", uri(&format!("/{path}")))
    }
}

fn properties(
    pairs: BTreeMap<String, serde_json::Value>,
    tags: Option<Vec<String>>,
) -> PropertyBag {
    PropertyBag {
        tags,
        additional_properties: pairs,
    }
}

fn descriptor(rule: &Rule) -> ReportingDescriptor {
    let mut help = format!("{}.", rule.name);
    if !rule.remediation.is_empty() {
        help.push_str(&format!("\n\nRemediation: {}", rule.remediation));
    }
    for r in &rule.references {
        help.push_str(&format!("\n\nReference: {r}"));
    }
    let mut props = BTreeMap::new();
    props.insert(
        "security-severity".to_string(),
        json!(security_severity(rule.severity)),
    );
    props.insert("severity".to_string(), json!(rule.severity.as_str()));
    let mut descriptor = ReportingDescriptor::builder()
        .id(rule.id.clone())
        .name(rule.id.clone())
        .short_description(
            MultiformatMessageString::builder()
                .text(rule.name.clone())
                .build(),
        )
        .full_description(
            MultiformatMessageString::builder()
                .text(format!("Detects a leaked {}.", rule.name))
                .build(),
        )
        .help(MultiformatMessageString::builder().text(help).build())
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(level(rule.severity)))
                .build(),
        )
        .properties(properties(
            props,
            Some(vec!["security".to_string(), "secret".to_string()]),
        ))
        .build();
    descriptor.help_uri = rule.references.first().cloned();
    descriptor
}

/// The result for `f`. A finding inside an archive is located in the
/// archive, the file the checkout holds (code scanning cannot open
/// `a.zip!d/app.env`), at its line 1: its own path and region, which are
/// the entry's, go in the `archiveEntry` and `archiveEntryRegion`
/// properties and in the message.
fn result(f: &Finding, rule_index: Option<usize>, root: Option<&str>) -> SarifResult {
    let mut props = BTreeMap::new();
    let (path, region) = match f.in_archive() {
        Some((archive, inner)) => {
            props.insert("archiveEntry".to_string(), json!(inner));
            props.insert(
                "archiveEntryRegion".to_string(),
                json!({
                    "startLine": f.line,
                    "startColumn": f.column,
                    "endLine": f.end_line,
                    "endColumn": f.end_column,
                }),
            );
            (archive, Region::builder().start_line(1).build())
        }
        None => (
            f.fingerprint_path.as_str(),
            Region::builder()
                .start_line(f.line as i64)
                .start_column(f.column as i64)
                .end_line(f.end_line as i64)
                .end_column(f.end_column as i64)
                .build(),
        ),
    };
    let location = Location::builder()
        .physical_location(
            PhysicalLocation::builder()
                .artifact_location(artifact(path, root))
                .region(region)
                .build(),
        )
        .build();
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert("leakproof/v1".to_string(), f.fingerprint.clone());
    props.insert("secret".to_string(), json!(f.secret));
    props.insert("confidence".to_string(), json!(f.confidence));
    props.insert("severity".to_string(), json!(f.severity));
    if let Some(chain) = &f.decoding {
        props.insert("decoding".to_string(), json!(chain));
    }
    if let Some(c) = &f.commit {
        props.insert("commit".to_string(), json!(c.commit));
        props.insert("author".to_string(), json!(c.author));
        props.insert("date".to_string(), json!(c.date));
        props.insert("commitMessage".to_string(), json!(c.message));
    }
    let mut text = format!("{} found: {} ({})", f.rule_name, f.secret, f.severity);
    if f.archive.is_some() {
        text.push_str(&format!(
            " in the archive at {}, line {}, column {}",
            f.fingerprint_path, f.line, f.column
        ));
    }
    let mut result = SarifResult::builder()
        .rule_id(f.rule_id.clone())
        .level(level(f.severity))
        .message(Message::builder().text(text).build())
        .locations(vec![location])
        .partial_fingerprints(fingerprints)
        .properties(properties(props, None))
        .build();
    result.rule_index = rule_index.map(|i| i as i64);
    result
}

/// How the results are spread over runs: indices into the findings, one
/// list per run. One run when they fit; otherwise each finding goes to the
/// run its fingerprint hashes to (so a finding stays in its run while
/// others come and go), or, should that overfill a run, in order. Past
/// [`MAX_RUNS`] runs, the least severe findings are left out.
fn partition(findings: &[Finding]) -> Vec<Vec<usize>> {
    let n = findings.len();
    if n <= MAX_RESULTS_PER_RUN {
        return vec![(0..n).collect()];
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(findings[i].severity));
    order.truncate(MAX_RESULTS_PER_RUN * MAX_RUNS);
    order.sort_unstable();
    let runs = order.len().div_ceil(MAX_RESULTS_PER_RUN);
    for k in runs..=MAX_RUNS {
        let mut parts = vec![Vec::new(); k];
        for &i in &order {
            let hash = findings[i]
                .fingerprint
                .get(..16)
                .and_then(|h| u64::from_str_radix(h, 16).ok())
                .unwrap_or(i as u64);
            parts[(hash % k as u64) as usize].push(i);
        }
        if parts.iter().all(|p| p.len() <= MAX_RESULTS_PER_RUN) {
            return parts;
        }
    }
    order
        .chunks(MAX_RESULTS_PER_RUN)
        .map(<[usize]>::to_vec)
        .collect()
}

/// `25000` as `25,000`.
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What the SARIF log could not carry as one run, in words.
pub fn warnings(report: &Report<'_>) -> Vec<String> {
    let findings = &report.outcome.findings;
    let n = findings.len();
    if n <= MAX_RESULTS_PER_RUN {
        return Vec::new();
    }
    let parts = partition(findings);
    let kept: usize = parts.iter().map(Vec::len).sum();
    let mut out = vec![format!(
        "SARIF: {n} results are over GitHub code scanning's limit of {} results per run: \
         written as {} runs, each its own category (automationDetails.id leakproof/1/ to \
         leakproof/{}/)",
        grouped(MAX_RESULTS_PER_RUN),
        parts.len(),
        parts.len()
    )];
    if kept < n {
        out.push(format!(
            "SARIF: GitHub code scanning accepts at most {MAX_RUNS} runs of {} results in one \
             file: the {} least severe of {n} results are left out (every other format lists \
             them all)",
            grouped(MAX_RESULTS_PER_RUN),
            n - kept
        ));
    }
    out
}

/// Writes the report as a SARIF 2.1.0 log: one run, or several when the
/// results are more than one run may hold.
pub fn write(report: &Report<'_>, w: &mut dyn Write) -> io::Result<()> {
    let rules = report.rules.rules();
    let index: BTreeMap<&str, usize> = rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let root = report.root.as_deref();
    let findings = &report.outcome.findings;
    let mut notifications: Vec<Notification> = report
        .outcome
        .notices
        .iter()
        .filter(|n| n.level >= NoticeLevel::Warning)
        .map(|n| {
            let level = if n.level == NoticeLevel::Error {
                "error"
            } else {
                "warning"
            };
            Notification::builder()
                .level(json!(level))
                .message(
                    Message::builder()
                        .text(format!("{}: {}", n.path, n.message))
                        .build(),
                )
                .locations(vec![
                    Location::builder()
                        .physical_location(
                            PhysicalLocation::builder()
                                .artifact_location(artifact(&n.path, root))
                                .build(),
                        )
                        .build(),
                ])
                .build()
        })
        .collect();
    notifications.extend(warnings(report).into_iter().map(|text| {
        Notification::builder()
            .level(json!("warning"))
            .message(Message::builder().text(text).build())
            .build()
    }));
    let parts = partition(findings);
    let split = parts.len() > 1;
    let runs: Vec<Run> = parts
        .iter()
        .enumerate()
        .map(|(k, part)| {
            let results: Vec<SarifResult> = part
                .iter()
                .map(|&i| {
                    let f = &findings[i];
                    result(f, index.get(f.rule_id.as_str()).copied(), root)
                })
                .collect();
            let driver = ToolComponent::builder()
                .name("leakproof")
                .version(env!("CARGO_PKG_VERSION"))
                .semantic_version(env!("CARGO_PKG_VERSION"))
                .rules(rules.iter().map(descriptor).collect::<Vec<_>>())
                .build();
            let invocation = Invocation::builder()
                .execution_successful(true)
                .tool_execution_notifications(notifications.clone())
                .build();
            let mut run = Run::builder()
                .tool(Tool::builder().driver(driver).build())
                .results(results)
                .invocations(vec![invocation])
                .column_kind(json!("unicodeCodePoints"))
                .build();
            if let Some(root) = root {
                let mut base = ArtifactLocation::builder().uri(root_uri(root)).build();
                base.description = Some(
                    Message::builder()
                        .text("The root of the scanned repository or directory.")
                        .build(),
                );
                run.original_uri_base_ids = Some(BTreeMap::from([(SRCROOT.to_string(), base)]));
            }
            if split {
                // GitHub refuses two runs of one tool in one category.
                run.automation_details = Some(
                    RunAutomationDetails::builder()
                        .id(format!("leakproof/{}/", k + 1))
                        .build(),
                );
            }
            run
        })
        .collect();
    let sarif = Sarif::builder()
        .schema(SCHEMA)
        .version(json!("2.1.0"))
        .runs(runs)
        .build();
    super::escape::write_json(w, &sarif)
}

/// The `file://` URI of the root directory, ending in `/` as SARIF wants
/// of a base URI.
fn root_uri(root: &str) -> String {
    let mut uri = file_uri(root);
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::{artifact, root_uri, uri};

    #[test]
    fn artifacts_are_relative_to_the_root() {
        let loc = artifact("src/a.rs", Some("/repo"));
        assert_eq!(
            (loc.uri.as_deref(), loc.uri_base_id.as_deref()),
            (Some("src/a.rs"), Some("%SRCROOT%"))
        );
        let loc = artifact("/repo/src/a.rs", Some("/repo"));
        assert_eq!(
            (loc.uri.as_deref(), loc.uri_base_id.as_deref()),
            (Some("src/a.rs"), Some("%SRCROOT%"))
        );
        let loc = artifact("/repository/a.rs", Some("/repo"));
        assert_eq!(
            (loc.uri.as_deref(), loc.uri_base_id.as_deref()),
            (Some("file:///repository/a.rs"), None)
        );
        assert_eq!(root_uri("/repo"), "file:///repo/");
        assert_eq!(super::grouped(25_000), "25,000");
        assert_eq!(super::grouped(500_000), "500,000");
        assert_eq!(super::grouped(20), "20");
        assert_eq!(root_uri("C:\\work"), "file:///C:/work/");
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(uri("src/a b/c%.rs"), "src/a%20b/c%25.rs");
        assert_eq!(uri("dir\\file.txt"), "dir/file.txt");
        // A scheme-like first segment stays a relative reference.
        assert_eq!(uri("http:x.env"), "http%3Ax.env");
        assert_eq!(uri("c:/a:b/x"), "c%3A/a:b/x");
        assert_eq!(uri("a\n#?[]"), "a%0A%23%3F%5B%5D");
    }
}
