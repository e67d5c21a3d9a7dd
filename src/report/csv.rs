//! CSV: a header and one row per finding (RFC 4180 quoting), for a
//! spreadsheet or a script. A cell that a spreadsheet would read as a
//! formula (`=`, `+`, `-`, `@` first) is prefixed with `'`, and control
//! characters are escaped, so a file name cannot run anything.

use std::io::{self, Write};

use super::Report;
use super::escape::text;

const HEADER: [&str; 15] = [
    "rule_id",
    "rule_name",
    "severity",
    "path",
    "line",
    "column",
    "end_line",
    "end_column",
    "secret",
    "decoding",
    "fingerprint",
    "commit",
    "author",
    "date",
    "message",
];

/// One cell: neutralised as a formula, quoted when it holds a comma, a
/// quote or a line break.
fn cell(s: &str) -> String {
    let s = text(s);
    let s = if s.starts_with(['=', '+', '-', '@']) && s != "-" {
        format!("'{s}")
    } else {
        s.into_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// Writes the header and one row per finding.
pub fn write(report: &Report<'_>, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "{}", HEADER.join(","))?;
    for f in &report.outcome.findings {
        let (commit, author, date, message) = match &f.commit {
            Some(c) => (&*c.commit, &*c.author, &*c.date, &*c.message),
            None => ("", "", "", ""),
        };
        let row = [
            cell(&f.rule_id),
            cell(&f.rule_name),
            f.severity.to_string(),
            cell(&f.path),
            f.line.to_string(),
            f.column.to_string(),
            f.end_line.to_string(),
            f.end_column.to_string(),
            cell(&f.secret),
            cell(f.decoding.as_deref().unwrap_or_default()),
            f.fingerprint.clone(),
            cell(commit),
            cell(author),
            cell(date),
            cell(message),
        ];
        writeln!(w, "{}", row.join(","))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn cells_are_quoted_and_never_formulas() {
        assert_eq!(cell("a.env"), "a.env");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("-"), "-");
        assert_eq!(cell("a\u{1b}[31m"), "a\\x1b[31m");
    }
}
