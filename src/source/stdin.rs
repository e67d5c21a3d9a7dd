//! `scan -`: standard input as one blob.

use std::io::Read;

use super::{
    Blob, Head, Notice, NoticeKind, Origin, Sink, binary_notice, read_head_first, scannable,
};

/// Reads `input` and hands it to `sink` as one blob, unless it is larger
/// than `max_size` or binary (a binary private key or keystore is scanned
/// in its text form, see [`crate::der`]). Binary input is not read past its
/// first bytes (see [`read_head_first`]).
pub fn read(mut input: impl Read, max_size: u64, sink: &mut dyn Sink) {
    let mut data = Vec::new();
    match read_head_first(&mut input, max_size, &mut data) {
        Ok(Head::Read) => {}
        Ok(Head::Binary) => return sink.skipped(binary_notice("-")),
        Ok(Head::TooLarge) => {
            return sink.skipped(Notice::new(
                NoticeKind::TooLarge,
                "-",
                format!("standard input is larger than the {max_size}-byte limit; not scanned"),
            ));
        }
        Err(e) => return sink.notice(Notice::new(NoticeKind::Unreadable, "-", e.to_string())),
    }
    match scannable(&data) {
        Some(bytes) => sink.blob(Blob {
            data: &bytes,
            origin: Origin::Stdin,
            only_lines: None,
            history: None,
        }),
        None => sink.skipped(binary_notice("-")),
    }
}
