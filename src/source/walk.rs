//! The directory walk: `ignore`'s parallel walker, configured the way a
//! secret scanner needs it. Hidden files are scanned (secrets live in `.env`
//! and `.npmrc`), `.gitignore` and `.ignore` are honoured unless
//! `no_ignore`, `.git/` is never entered, symlinks are followed only when
//! asked (loops become notices), and binary or oversized files are skipped
//! with a notice (except binary private keys and keystores, which are
//! scanned in their text form: see [`crate::der`]).

use std::fs::File;
use std::io::Read;
use std::path::Path;

use ignore::{DirEntry, WalkBuilder, WalkState};

use super::anchor::{self, Target};
use super::{Blob, Notice, NoticeKind, Origin, Sink, binary_notice, scannable};

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
    match read_capped(path, opts.max_file_size, buf) {
        Ok(Capped::Read) => {}
        Ok(Capped::TooLarge(size)) => {
            return sink.skipped(too_large(display, size, opts.max_file_size));
        }
        Err(e) => return sink.notice(unreadable(e)),
    }
    let Some(data) = scannable(buf) else {
        return sink.skipped(binary_notice(display));
    };
    let relative = identity(path, roots);
    sink.blob(Blob {
        data: &data,
        origin: Origin::File { display, relative },
        only_lines: None,
        changed: None,
    });
}

fn is_scannable_file(entry: &DirEntry) -> bool {
    match entry.file_type() {
        Some(ft) if ft.is_file() => true,
        // A symlink named on the command line is followed, as ripgrep does.
        Some(ft) if ft.is_symlink() && entry.depth() == 0 => {
            std::fs::metadata(entry.path()).is_ok_and(|m| m.is_file())
        }
        _ => false,
    }
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
                Ok(entry) if is_scannable_file(&entry) => {
                    read_entry(&entry, opts, roots, &mut buf, &mut sink);
                }
                Ok(_) => {}
                Err(err) => sink.notice(error_notice(&err)),
            }
            WalkState::Continue
        })
    });
}
