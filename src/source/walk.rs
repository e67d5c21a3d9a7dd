//! The directory walk: `ignore`'s parallel walker, configured the way a
//! secret scanner needs it. Hidden files are scanned (secrets live in `.env`
//! and `.npmrc`), `.gitignore` and `.ignore` are honoured unless
//! `no_ignore`, `.git/` is never entered, symlinks are followed only when
//! asked (loops become notices), and binary or oversized files are skipped
//! with a notice (except binary private keys and keystores, which are
//! scanned in their text form: see [`crate::der`]). FIFOs, sockets and
//! devices met while walking are never opened (a FIFO would block): a
//! notice names them. A path named on the command line is read whatever it
//! is, so `scan <(cmd)`, a FIFO and `/dev/stdin` work.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use ignore::{DirEntry, WalkBuilder, WalkState};

use super::anchor::{self, Target};
use super::archive::{self, ArchiveOptions, Input};
use super::{
    Blob, Head, Notice, NoticeKind, Origin, Sink, binary_notice, read_head_first, scannable,
};

/// A worker's read buffer larger than this is dropped after its file, so
/// that memory stays proportional to the files being read, not to the
/// largest file met.
const KEEP_BUFFER: usize = 1 << 20;

/// How to walk.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    /// Also scan files that .gitignore/.ignore exclude.
    pub no_ignore: bool,
    /// Follow symbolic links.
    pub follow: bool,
    /// Files larger than this many bytes are skipped with a notice.
    pub max_file_size: u64,
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// How archives are opened.
    pub archives: ArchiveOptions,
}

/// Path shown to the user: as given, minus a leading `./`.
fn clean(path: &Path) -> String {
    let s = path.to_string_lossy();
    let mut s: &str = &s;
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    s.to_string()
}

/// The identity of `path`: under the first target that holds it.
fn identity(path: &Path, roots: &[Target]) -> String {
    roots
        .iter()
        .find(|r| path.starts_with(&r.path))
        .map_or_else(|| clean(path), |r| anchor::entry_identity(r, path))
}

fn error_notice(err: &ignore::Error) -> Notice {
    fn find(err: &ignore::Error, path: Option<&Path>) -> Notice {
        match err {
            ignore::Error::WithPath { path, err } => find(err, Some(path)),
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                find(err, path)
            }
            ignore::Error::Loop { child, ancestor } => Notice::new(
                NoticeKind::SymlinkLoop,
                clean(child),
                format!("symlink loop back to {}; not followed", clean(ancestor)),
            ),
            other => Notice::new(
                NoticeKind::Unreadable,
                path.map(clean).unwrap_or_default(),
                other.to_string(),
            ),
        }
    }
    find(err, None)
}

/// What [`read_capped`] did.
pub enum Capped {
    /// The file is in the buffer.
    Read,
    /// The file has this many bytes, over the limit: nothing was read.
    TooLarge(u64),
}

/// Reads the file at `path` into `buf` (cleared first), unless it is over
/// `max_size` bytes. A file that grows while it is read is cut at
/// `max_size + 1` bytes.
pub fn read_capped(path: &Path, max_size: u64, buf: &mut Vec<u8>) -> std::io::Result<Capped> {
    let mut file = File::open(path)?;
    let size = file.metadata()?.len();
    if size > max_size {
        return Ok(Capped::TooLarge(size));
    }
    buf.clear();
    file.by_ref().take(max_size + 1).read_to_end(buf)?;
    Ok(Capped::Read)
}

/// The notice for a file of `size` bytes over the `--max-file-size` limit.
pub fn too_large(display: impl Into<String>, size: u64, max_size: u64) -> Notice {
    Notice::new(
        NoticeKind::TooLarge,
        display,
        format!("{size} bytes is over the --max-file-size limit of {max_size} bytes; not scanned"),
    )
}

fn read_entry(
    entry: &DirEntry,
    opts: &WalkOptions,
    roots: &[Target],
    buf: &mut Vec<u8>,
    sink: &mut dyn Sink,
) {
    let path = entry.path();
    let display = clean(path);
    let unreadable =
        |e: std::io::Error| Notice::new(NoticeKind::Unreadable, display.clone(), e.to_string());
    let max_size = opts.max_file_size;
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) => return sink.notice(unreadable(e)),
    };
    // A regular file's size is known up front; a pipe's only once read.
    let size = match file.metadata() {
        Ok(m) if m.is_file() && m.len() > max_size => {
            return sink.skipped(too_large(display, m.len(), max_size));
        }
        Ok(m) => m.is_file().then_some(m.len()),
        Err(e) => return sink.notice(unreadable(e)),
    };
    let head = match read_head_first(&mut file, max_size, size, buf) {
        Ok(head @ (Head::Read | Head::Binary)) => head,
        Ok(Head::TooLarge) => {
            return sink.skipped(Notice::new(
                NoticeKind::TooLarge,
                display,
                format!("larger than the --max-file-size limit of {max_size} bytes; not scanned"),
            ));
        }
        Err(e) => return sink.notice(unreadable(e)),
    };
    let kind = match (&head, size) {
        _ if opts.archives.max_depth == 0 => None,
        (Head::Read, _) => archive::detect_whole(buf),
        (_, Some(size)) => match archive::detect_file(buf, &mut file, size) {
            Ok(kind) => kind,
            Err(e) => return sink.notice(unreadable(e)),
        },
        _ => archive::detect(buf),
    };
    if let Some(kind) = kind {
        let origin = Origin::File {
            relative: identity(path, roots),
            display: display.clone(),
        };
        let input = match (head, file.metadata()) {
            (Head::Read, _) => Input::Bytes(buf),
            (_, Ok(m)) if m.is_file() => Input::File(&mut file, m.len()),
            // A pipe cannot seek back: the rest is read after the head.
            _ => {
                match read_rest(&mut file, max_size, buf) {
                    Ok(true) => Input::Bytes(buf),
                    Ok(false) => {
                        return sink.skipped(Notice::new(
                        NoticeKind::TooLarge,
                        origin.display(),
                        format!("larger than the --max-file-size limit of {max_size} bytes; not scanned"),
                    ));
                    }
                    Err(e) => return sink.notice(unreadable(e)),
                }
            }
        };
        return archive::expand(input, kind, &origin, None, opts.archives, sink);
    }
    if head == Head::Binary {
        return sink.skipped(binary_notice(display));
    }
    let Some(data) = scannable(buf) else {
        return sink.skipped(binary_notice(display));
    };
    let relative = identity(path, roots);
    sink.blob(Blob {
        data: &data,
        origin: Origin::File { display, relative },
        only_lines: None,
        history: None,
    });
}

/// Reads the rest of `input` after the head already in `buf`; false when
/// it is over `max_size` bytes in all.
pub fn read_rest(input: &mut dyn Read, max_size: u64, buf: &mut Vec<u8>) -> std::io::Result<bool> {
    let room = (max_size + 1).saturating_sub(buf.len() as u64);
    input.take(room).read_to_end(buf)?;
    Ok(buf.len() as u64 <= max_size)
}

/// What to do with a walk entry.
enum Action {
    Read,
    Pass,
    /// A special file met while walking, with what it is.
    Special(&'static str),
}

fn action(entry: &DirEntry) -> Action {
    match entry.file_type() {
        Some(ft) if ft.is_file() => Action::Read,
        Some(ft) if ft.is_dir() => Action::Pass,
        // A path named on the command line is read whatever it is: a
        // symlink is followed (as ripgrep does), and a FIFO, /dev/stdin or
        // a process substitution (`<(cmd)`) is read as a stream.
        Some(_) if entry.depth() == 0 => match std::fs::metadata(entry.path()) {
            Ok(m) if m.is_dir() => Action::Pass,
            _ => Action::Read,
        },
        Some(ft) if ft.is_symlink() => Action::Pass,
        Some(ft) => Action::Special(special_kind(ft)),
        None => Action::Pass,
    }
}

/// What a file that is neither regular, a directory nor a symlink is.
#[cfg(unix)]
fn special_kind(ft: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_fifo() {
        "a FIFO (named pipe)"
    } else if ft.is_socket() {
        "a socket"
    } else if ft.is_block_device() || ft.is_char_device() {
        "a device"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_ft: std::fs::FileType) -> &'static str {
    "a special file"
}

/// Walks `roots` in parallel; every worker thread gets its own sink from
/// `make_sink`. Roots must exist (the caller checks, so a typo is exit 2).
pub fn walk<S, F>(roots: &[Target], opts: &WalkOptions, make_sink: F)
where
    S: Sink,
    F: Fn() -> S + Sync,
{
    let Some((first, rest)) = roots.split_first() else {
        return;
    };
    let mut builder = WalkBuilder::new(&first.path);
    for root in rest {
        builder.add(&root.path);
    }
    builder
        .hidden(false)
        .parents(!opts.no_ignore)
        .ignore(!opts.no_ignore)
        .git_ignore(!opts.no_ignore)
        .git_exclude(!opts.no_ignore)
        .git_global(!opts.no_ignore)
        .require_git(false)
        .follow_links(opts.follow)
        .threads(opts.threads)
        .filter_entry(|e| e.file_name() != ".git");
    builder.build_parallel().run(|| {
        let mut sink = make_sink();
        let mut buf = Vec::new();
        Box::new(move |result| {
            match result {
                Ok(entry) => match action(&entry) {
                    Action::Read => {
                        read_entry(&entry, opts, roots, &mut buf, &mut sink);
                        // One big file must not pin its size per thread for
                        // the rest of the walk.
                        if buf.capacity() > KEEP_BUFFER {
                            buf = Vec::new();
                        }
                    }
                    Action::Pass => {}
                    Action::Special(what) => sink.skipped(Notice::new(
                        NoticeKind::Special,
                        clean(entry.path()),
                        format!("{what}; not read while walking (name it on the command line to scan it)"),
                    )),
                },
                Err(err) => sink.notice(error_notice(&err)),
            }
            WalkState::Continue
        })
    });
}
