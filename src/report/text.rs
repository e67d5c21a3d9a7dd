//! Text output: one line per finding, for people; the summary goes to
//! stderr through [`summary_line`].

use std::io::{self, Write};

use super::escape::{line, text};
use super::{Report, short_commit};
use crate::rules::Severity;
use crate::source::NoticeKind;

/// ANSI styles of the parts of a text line.
mod style {
    pub const PATH: &str = "\x1b[35m";
    pub const POSITION: &str = "\x1b[32m";
    pub const RULE: &str = "\x1b[1m";
    pub const SECRET: &str = "\x1b[1;31m";
    pub const DIM: &str = "\x1b[2m";
    pub const RESET: &str = "\x1b[0m";
}

/// The ANSI style of a severity.
fn severity_style(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "\x1b[1;31m",
        Severity::High => "\x1b[31m",
        Severity::Medium => "\x1b[33m",
        Severity::Low => "\x1b[36m",
    }
}

/// `s` escaped, with `"` as `\"`, for a `key="value"` pair.
fn quoted(s: &str) -> String {
    text(s).replace('"', "\\\"")
}

/// `text` in `style` when colouring, else as is.
fn paint(color: bool, style: &str, text: &str) -> String {
    if color {
        format!("{style}{text}{}", style::RESET)
    } else {
        text.to_string()
    }
}

/// Writes one line per finding (and per suppressed candidate on request),
/// each followed by its context line with `--context`.
pub fn write(report: &Report<'_>, w: &mut dyn Write) -> io::Result<()> {
    let color = report.color;
    for f in &report.outcome.findings {
        write!(
            w,
            "{}:{}  {}  {}  {}  fingerprint={}",
            paint(color, style::PATH, &line(&f.path)),
            paint(color, style::POSITION, &format!("{}:{}", f.line, f.column)),
            paint(color, style::RULE, &text(&f.rule_id)),
            paint(color, severity_style(f.severity), f.severity.as_str()),
            text(&f.secret),
            f.fingerprint
        )?;
        if let Some(chain) = &f.decoding {
            write!(w, "  decoded={}", text(chain))?;
        }
        if let Some(c) = &f.commit {
            write!(
                w,
                "  commit={} author=\"{}\" date={} message=\"{}\"",
                text(short_commit(&c.commit)),
                quoted(&c.author),
                text(&c.date),
                quoted(&c.message)
            )?;
        }
        writeln!(w)?;
        if let Some(ctx) = &f.context {
            // Whatever opens the line goes through `line`, so that a runner
            // that trims the indent never reads a workflow command.
            let (before, secret) = match (ctx.cut_before, ctx.before.is_empty()) {
                (true, _) => (format!("…{}", text(&ctx.before)), text(&ctx.secret)),
                (false, false) => (line(&ctx.before).into_owned(), text(&ctx.secret)),
                (false, true) => (String::new(), line(&ctx.secret)),
            };
            writeln!(
                w,
                "    {before}{}{}{}",
                paint(color, style::SECRET, &secret),
                text(&ctx.after),
                if ctx.cut_after { "…" } else { "" },
            )?;
        }
    }
    if report.show_suppressed {
        for s in &report.outcome.suppressed {
            write!(
                w,
                "{} {}:{}:{}  {}  {}: {}",
                paint(color, style::DIM, "suppressed"),
                text(&s.path),
                s.line,
                s.column,
                text(&s.rule_id),
                s.mechanism,
                text(&s.reason)
            )?;
            match &s.decoding {
                Some(chain) => writeln!(w, "  decoded={}", text(chain))?,
                None => writeln!(w)?,
            }
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
        (NoticeKind::Special, "special"),
        (NoticeKind::ArchiveSkipped, "in archives"),
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
    // Damaged archives and damaged entries of archives.
    let corrupt = o.count_notices(NoticeKind::CorruptArchive);
    if corrupt > 0 {
        parts.push(format!("{corrupt} corrupt in archives"));
    }
    parts.extend(report.remarks.iter().map(|r| text(r).into_owned()));
    format!("leakproof: {}", parts.join("; "))
}
