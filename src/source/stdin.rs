//! `scan -`: standard input as one blob.

use std::io::Read;

use super::{Blob, Notice, NoticeKind, Origin, Sink, binary_notice, scannable};

/// Reads all of `input` and hands it to `sink` as one blob, unless it is
/// larger than `max_size` or binary (a binary private key or keystore is
/// scanned in its text form, see [`crate::der`]).
pub fn read(mut input: impl Read, max_size: u64, sink: &mut dyn Sink) {
    let mut data = Vec::new();
    if let Err(e) = input.by_ref().take(max_size + 1).read_to_end(&mut data) {
        sink.notice(Notice::new(NoticeKind::Unreadable, "-", e.to_string()));
        return;
    }
    if data.len() as u64 > max_size {
        sink.skipped(Notice::new(
            NoticeKind::TooLarge,
            "-",
            format!("standard input is larger than the {max_size}-byte limit; not scanned"),
        ));
    } else {
        match scannable(&data) {
            Some(bytes) => sink.blob(Blob {
                data: &bytes,
                origin: Origin::Stdin,
                only_lines: None,
                changed: None,
            }),
            None => sink.skipped(binary_notice("-")),
        }
    }
}
