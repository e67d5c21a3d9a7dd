//! SARIF 2.1.0 output that validates against the official schema and that
//! GitHub code scanning accepts: every rule in `tool.driver.rules` with help
//! text, `level` and `security-severity` from severity, one location with a
//! region per result, and `partialFingerprints` so one leak stays one alert.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_json::json;
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, Message, MultiformatMessageString, Notification,
    PhysicalLocation, PropertyBag, Region, ReportingConfiguration, ReportingDescriptor,
    Result as SarifResult, ResultLevel, Run, Sarif, Tool, ToolComponent,
};

use super::Report;
use crate::finding::Finding;
use crate::rules::{Rule, Severity};
use crate::source::NoticeLevel;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

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

fn result(f: &Finding, rule_index: Option<usize>) -> SarifResult {
    let region = Region::builder()
        .start_line(f.line as i64)
        .start_column(f.column as i64)
        .end_line(f.end_line as i64)
        .end_column(f.end_column as i64)
        .build();
    let location = Location::builder()
        .physical_location(
            PhysicalLocation::builder()
                .artifact_location(
                    ArtifactLocation::builder()
                        .uri(uri(&f.fingerprint_path))
                        .build(),
                )
                .region(region)
                .build(),
        )
        .build();
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert("leakproof/v1".to_string(), f.fingerprint.clone());
    let mut props = BTreeMap::new();
    props.insert("secret".to_string(), json!(f.secret));
    props.insert("confidence".to_string(), json!(f.confidence));
    props.insert("severity".to_string(), json!(f.severity));
    if let Some(c) = &f.commit {
        props.insert("commit".to_string(), json!(c.commit));
        props.insert("author".to_string(), json!(c.author));
        props.insert("date".to_string(), json!(c.date));
        props.insert("commitMessage".to_string(), json!(c.message));
    }
    let text = format!("{} found: {} ({})", f.rule_name, f.secret, f.severity);
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

/// Writes the report as a SARIF 2.1.0 log with one run.
pub fn write(report: &Report<'_>, w: &mut dyn Write) -> io::Result<()> {
    let rules = report.rules.rules();
    let index: BTreeMap<&str, usize> = rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let results: Vec<SarifResult> = report
        .outcome
        .findings
        .iter()
        .map(|f| result(f, index.get(f.rule_id.as_str()).copied()))
        .collect();
    let notifications: Vec<Notification> = report
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
                                .artifact_location(
                                    ArtifactLocation::builder().uri(uri(&n.path)).build(),
                                )
                                .build(),
                        )
                        .build(),
                ])
                .build()
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
        .tool_execution_notifications(notifications)
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .invocations(vec![invocation])
        .column_kind(json!("unicodeCodePoints"))
        .build();
    let sarif = Sarif::builder()
        .schema(SCHEMA)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build();
    super::escape::write_json(w, &sarif)
}

#[cfg(test)]
mod tests {
    use super::uri;

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
