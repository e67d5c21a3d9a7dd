//! `scan -`: standard input as one blob.

use std::io::Read;

use super::{Blob, Notice, NoticeKind, Origin, Sink, is_binary};
use crate::der;

/// Reads all of `input` and hands it to `sink` as one blob, unless it is
/// larger than `max_size` or binary (a binary private key or keystore is
/// scanned in its text form, see [`der`]).
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
    } else if is_binary(&data) {
        match der::armor_key(&data) {
            Some(text) => sink.blob(Blob {
                data: &text,
                origin: Origin::Stdin,
                only_lines: None,
            }),
            None => sink.skipped(Notice::new(
                NoticeKind::Binary,
                "-",
                "binary content; not scanned",
            )),
        }
    } else {
        sink.blob(Blob {
            data: &data,
            origin: Origin::Stdin,
            only_lines: None,
        });
    }
}
