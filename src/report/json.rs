//! JSON output: one object with `findings`, `notices`, `summary` and, on
//! request, `suppressed`.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::Report;
use crate::finding::Finding;
use crate::pipeline::Suppressed;
use crate::source::{Notice, NoticeKind, NoticeLevel};

#[derive(Serialize)]
struct Summary<'a> {
    files_scanned: u64,
    bytes_scanned: u64,
    findings: usize,
    suppressed: BTreeMap<&'static str, usize>,
    skipped_binary: usize,
    skipped_too_large: usize,
    symlink_loops: usize,
    skipped_special: usize,
    skipped_in_archives: usize,
    unreadable: usize,
    corrupt_archives: usize,
    elapsed_ms: u128,
    rules: usize,
    remarks: &'a [String],
}

#[derive(Serialize)]
struct Document<'a> {
    version: &'static str,
    findings: &'a [Finding],
    notices: Vec<&'a Notice>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressed: Option<&'a [Suppressed]>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    unused_entries: &'a [String],
    summary: Summary<'a>,
}

/// Writes the report as one pretty-printed JSON object.
pub fn write(report: &Report<'_>, w: &mut dyn Write) -> io::Result<()> {
    let o = report.outcome;
    let doc = Document {
        version: env!("CARGO_PKG_VERSION"),
        findings: &o.findings,
        notices: o
            .notices
            .iter()
            .filter(|n| n.level >= NoticeLevel::Warning)
            .collect(),
        suppressed: report.show_suppressed.then_some(o.suppressed.as_slice()),
        unused_entries: report.unused,
        summary: Summary {
            files_scanned: o.blobs,
            bytes_scanned: o.bytes,
            findings: o.findings.len(),
            suppressed: o.suppressed_counts(),
            skipped_binary: o.count_notices(NoticeKind::Binary),
            skipped_too_large: o.count_notices(NoticeKind::TooLarge),
            symlink_loops: o.count_notices(NoticeKind::SymlinkLoop),
            skipped_special: o.count_notices(NoticeKind::Special),
            skipped_in_archives: o.count_notices(NoticeKind::ArchiveSkipped),
            unreadable: o.count_notices(NoticeKind::Unreadable),
            corrupt_archives: o.count_notices(NoticeKind::CorruptArchive),
            elapsed_ms: report.elapsed.as_millis(),
            rules: report.rules.len(),
            remarks: &report.remarks,
        },
    };
    super::escape::write_json(w, &doc)
}
