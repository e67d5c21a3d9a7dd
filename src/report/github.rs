//! GitHub Actions workflow commands: `::error file=…,line=…::…`, so findings
//! show inline on a pull request without any upload.

use std::io::{self, Write};

use super::escape::text;
use super::{Report, commit_line};
use crate::rules::Severity;
use crate::source::NoticeLevel;

/// Escapes a command's message (data) part: `%`, CR and LF as the Actions
/// toolkit does (the runner decodes them, so a file name stays exact), then
/// any other unsafe character as a visible escape (see [`text`]).
fn escape_data(s: &str) -> String {
    text(
        &s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A"),
    )
    .into_owned()
}

/// Escapes a command property value.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Writes one annotation per finding: `error` for critical and high,
/// `warning` for medium and low; then a warning for each file or archive
/// part that could not be read. A finding inside an archive is annotated
/// on the archive, the file the checkout holds, without a line (its lines
/// are those of the entry, not of the archive); the message names the
/// entry and the line and column in it.
pub fn write(report: &Report<'_>, w: &mut dyn Write) -> io::Result<()> {
    for f in &report.outcome.findings {
        let level = if f.severity >= Severity::High {
            "error"
        } else {
            "warning"
        };
        let title = format!("leakproof: {} ({})", f.rule_name, f.severity);
        let mut message = format!("{} found a {} secret: {}", f.rule_id, f.severity, f.secret);
        let place = match f.in_archive() {
            Some((archive, _)) => {
                message.push_str(&format!(
                    ". In the archive at {}, line {}, column {}",
                    f.fingerprint_path, f.line, f.column
                ));
                format!("file={}", escape_property(archive))
            }
            None => format!(
                "file={},line={},col={},endLine={},endColumn={}",
                escape_property(&f.fingerprint_path),
                f.line,
                f.column,
                f.end_line,
                f.end_column
            ),
        };
        message.push_str(&format!(". Fingerprint: {}", f.fingerprint));
        if let Some(chain) = &f.decoding {
            message.push_str(&format!(". Decoded: {chain}"));
        }
        if let Some(c) = &f.commit {
            message.push_str(&format!(". Commit {}", commit_line(c)));
        }
        writeln!(
            w,
            "::{level} {place},title={}::{}",
            escape_property(&title),
            escape_data(&message)
        )?;
    }
    // Content that could not be read (an unreadable file, a damaged
    // archive) may hold what no finding shows: a warning on the run, so
    // the pull request shows it too, not only the log.
    for n in &report.outcome.notices {
        if n.level == NoticeLevel::Error {
            writeln!(
                w,
                "::warning title={}::{}",
                escape_property("leakproof: could not read all content"),
                escape_data(&format!("{}: {}", n.path, n.message))
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_follow_the_actions_toolkit() {
        assert_eq!(escape_data("50%\r\nok\x1b"), "50%25%0D%0Aok\\x1b");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
        assert_eq!(escape_property("::x"), "%3A%3Ax");
    }
}
