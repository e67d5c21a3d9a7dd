//! Markdown: a heading, a table of findings and the summary line, for a
//! CI job summary (`$GITHUB_STEP_SUMMARY`) or a merge request comment.
//! Every cell is a code span, so nothing in a path or a secret can turn
//! into markup; secrets are redacted unless `--show-secrets`.

use std::io::{self, Write};

use super::escape::text;
use super::{Report, commit_line, summary_line};

/// Writes the heading, one table row per finding, and the summary line.
pub fn write(report: &Report<'_>, w: &mut dyn Write) -> io::Result<()> {
    let findings = &report.outcome.findings;
    match findings.len() {
        0 => writeln!(w, "### leakproof: no findings")?,
        1 => writeln!(w, "### leakproof: 1 finding")?,
        n => writeln!(w, "### leakproof: {n} findings")?,
    }
    writeln!(w)?;
    if !findings.is_empty() {
        writeln!(
            w,
            "| Severity | Rule | Location | Secret | Commit | Fingerprint |"
        )?;
        writeln!(w, "| --- | --- | --- | --- | --- | --- |")?;
        for f in findings {
            let commit = f
                .commit
                .as_ref()
                .map(|c| code(&commit_line(c)))
                .unwrap_or_default();
            writeln!(
                w,
                "| {} | {} | {} | {} | {} | {} |",
                f.severity,
                code(&f.rule_id),
                location(f),
                code(&f.secret),
                commit,
                code(&f.fingerprint),
            )?;
        }
        writeln!(w)?;
    }
    writeln!(w, "{}", code(&summary_line(report)))
}

/// The location cell: `path:line:column`, and the decoding chain when
/// the secret was found in decoded text.
fn location(f: &crate::finding::Finding) -> String {
    let at = code(&format!("{}:{}:{}", f.path, f.line, f.column));
    match &f.decoding {
        Some(chain) => format!("{at} (decoded: {})", code(chain)),
        None => at,
    }
}

/// A table cell holding `s` as a code span: control characters and line
/// breaks are written as visible escapes (see [`text`]), `|` is escaped (a table splits on it even inside code), and the fence is one
/// backtick longer than the longest run of backticks in `s`.
fn code(s: &str) -> String {
    let flat = text(s).replace('|', "\\|");
    let longest = flat.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if flat.starts_with('`') || flat.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{flat}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::code;

    #[test]
    fn cells_cannot_break_the_table_or_turn_into_markup() {
        assert_eq!(code("a.env:3:14"), "`a.env:3:14`");
        assert_eq!(code("x|y\nz\x1b"), "`x\\|y\\nz\\x1b`");
        assert_eq!(code("<b>*x*</b>"), "`<b>*x*</b>`");
        assert_eq!(code("a`b``c"), "```a`b``c```");
        assert_eq!(code("`tick"), "`` `tick ``");
    }
}
