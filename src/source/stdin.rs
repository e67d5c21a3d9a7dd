//! `scan -`: standard input as one blob.

use std::io::Read;

use super::archive::{self, ArchiveOptions, Input};
use super::walk::read_rest;
use super::{
    Blob, Head, Notice, NoticeKind, Origin, Sink, binary_notice, read_head_first, scannable,
};

/// Reads `input` and hands it to `sink` as one blob, unless it is larger
/// than `max_size` or binary (a binary private key or keystore is scanned
/// in its text form, see [`crate::der`]). Binary input is not read past its
/// first bytes (see [`read_head_first`]), unless it is an archive, which
/// is read whole and expanded (see [`archive`]).
pub fn read(mut input: impl Read, archives: ArchiveOptions, sink: &mut dyn Sink) {
    let max_size = archives.max_entry_size;
    let mut data = Vec::new();
    let too_large = || {
        Notice::new(
            NoticeKind::TooLarge,
            "-",
            format!("standard input is larger than the {max_size}-byte limit; not scanned"),
        )
    };
    let head = match read_head_first(&mut input, max_size, None, &mut data) {
        Ok(head @ (Head::Read | Head::Binary)) => head,
        Ok(Head::TooLarge) => return sink.skipped(too_large()),
        Err(e) => return sink.notice(Notice::new(NoticeKind::Unreadable, "-", e.to_string())),
    };
    if archives.max_depth > 0
        && let Some(kind) = archive::detect_whole(&data)
    {
        if head == Head::Binary {
            match read_rest(&mut input, max_size, &mut data) {
                Ok(true) => {}
                Ok(false) => return sink.skipped(too_large()),
                Err(e) => {
                    return sink.notice(Notice::new(NoticeKind::Unreadable, "-", e.to_string()));
                }
            }
        }
        let input = Input::Bytes(&data);
        return archive::expand(input, kind, &Origin::Stdin, None, archives, sink);
    }
    if head == Head::Binary {
        return sink.skipped(binary_notice("-"));
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
