//! JUnit XML: one test case per finding, failed, so that CI systems that
//! show test reports (GitLab, Jenkins, Azure Pipelines, ...) list each
//! leak; a clean scan is one passing test case. Secrets are redacted
//! unless `--show-secrets`.

use std::io::{self, Write};

use super::escape::text;
use super::{Report, commit_line};

/// `s` escaped for XML text and attribute values; control characters,
/// which XML 1.0 cannot hold, are written as escapes first.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in text(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// Writes one `<testsuite>` with a test case per finding.
pub fn write(report: &Report<'_>, w: &mut dyn Write) -> io::Result<()> {
    let findings = &report.outcome.findings;
    let tests = findings.len().max(1);
    let time = report.elapsed.as_secs_f64();
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        w,
        r#"<testsuites name="leakproof" tests="{tests}" failures="{}" time="{time:.3}">"#,
        findings.len()
    )?;
    writeln!(
        w,
        r#"  <testsuite name="leakproof" tests="{tests}" failures="{}" errors="0" skipped="0" time="{time:.3}">"#,
        findings.len()
    )?;
    if findings.is_empty() {
        writeln!(
            w,
            r#"    <testcase classname="leakproof" name="no secrets found" time="{time:.3}"/>"#
        )?;
    }
    for f in findings {
        let location = format!("{}:{}:{}", f.path, f.line, f.column);
        writeln!(
            w,
            r#"    <testcase classname="{}" name="{}" file="{}" line="{}">"#,
            xml(&f.rule_id),
            xml(&location),
            xml(&f.path),
            f.line
        )?;
        let mut text = format!(
            "{location}: {} ({}): {}\nfingerprint: {}",
            f.rule_name, f.severity, f.secret, f.fingerprint
        );
        if let Some(chain) = &f.decoding {
            text.push_str(&format!("\ndecoded: {chain}"));
        }
        if let Some(c) = &f.commit {
            text.push_str(&format!("\ncommit: {}", commit_line(c)));
        }
        writeln!(
            w,
            r#"      <failure type="{}" message="{}">{}</failure>"#,
            xml(&f.rule_id),
            xml(&format!("{} ({}) at {location}", f.rule_name, f.severity)),
            text.lines().map(xml).collect::<Vec<_>>().join("\n")
        )?;
        writeln!(w, "    </testcase>")?;
    }
    writeln!(w, "  </testsuite>")?;
    writeln!(w, "</testsuites>")
}

#[cfg(test)]
mod tests {
    use super::xml;

    #[test]
    fn markup_and_control_characters_are_escaped() {
        assert_eq!(xml("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(xml("x\u{1b}y"), "x\\x1by");
    }
}
