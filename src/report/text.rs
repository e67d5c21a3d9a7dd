//! Text output: one line per finding, for people; the summary goes to
//! stderr through [`summary_line`].

use std::io::{self, Write};

use super::Report;
use super::escape::{line, text};
use crate::source::NoticeKind;

/// Writes one line per finding (and per suppressed candidate on request).
pub fn write(report: &Report<'_>, w: &mut dyn Write) -> io::Result<()> {
    for f in &report.outcome.findings {
        write!(
            w,
            "{}:{}:{}  {}  {}  {}  fingerprint={}",
            line(&f.path),
            f.line,
            f.column,
            text(&f.rule_id),
            f.severity,
            text(&f.secret),
            f.fingerprint
        )?;
        if let Some(c) = &f.commit {
            let short = c.commit.get(..12).unwrap_or(&c.commit);
            write!(
                w,
                "  commit={} author=\"{}\" date={}",
                text(short),
                text(&c.author),
                text(&c.date)
            )?;
        }
        writeln!(w)?;
    }
    if report.show_suppressed {
        for s in &report.outcome.suppressed {
            writeln!(
                w,
                "suppressed {}:{}:{}  {}  {}: {}",
                text(&s.path),
                s.line,
                s.column,
                text(&s.rule_id),
                s.mechanism,
                text(&s.reason)
            )?;
        }
    }
    Ok(())
}

fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

/// One line summing the scan up: what was scanned, found, suppressed and
/// skipped, and how long it took.
pub fn summary_line(report: &Report<'_>) -> String {
    let o = report.outcome;
    let mut parts = vec![format!(
        "scanned {} {} ({}) in {:.2}s",
        o.blobs,
        if o.blobs == 1 { "file" } else { "files" },
        human_bytes(o.bytes),
        report.elapsed.as_secs_f64()
    )];
    parts.push(format!(
        "{} {}",
        o.findings.len(),
        if o.findings.len() == 1 {
            "finding"
        } else {
            "findings"
        }
    ));
    let counts = o.suppressed_counts();
    if !counts.is_empty() {
        let total: usize = counts.values().sum();
        let each: Vec<String> = counts.iter().map(|(k, v)| format!("{k} {v}")).collect();
        parts.push(format!("{total} suppressed ({})", each.join(", ")));
    }
    let skipped: Vec<String> = [
        (NoticeKind::Binary, "binary"),
        (NoticeKind::TooLarge, "too large"),
        (NoticeKind::SymlinkLoop, "symlink loop"),
    ]
    .iter()
    .filter_map(|&(kind, label)| {
        let n = o.count_notices(kind);
        (n > 0).then(|| format!("{n} {label}"))
    })
    .collect();
    if !skipped.is_empty() {
        parts.push(format!("skipped {}", skipped.join(", ")));
    }
    let unreadable = o.count_notices(NoticeKind::Unreadable);
    if unreadable > 0 {
        parts.push(format!("{unreadable} unreadable"));
    }
    parts.extend(report.remarks.iter().map(|r| text(r).into_owned()));
    format!("leakproof: {}", parts.join("; "))
}
