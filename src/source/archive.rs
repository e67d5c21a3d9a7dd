//! Archives: the zip family (zip, jar, war, ear, apk, whl, nupkg, docx,
//! xlsx, pptx: any zip), tar, and gzip, bzip2, xz and zstd streams (a tar
//! inside one is opened as one archive) are recognised by their magic
//! bytes, whatever their name, and expanded entry by entry: each entry is
//! handed on as a blob at `outer.zip!dir/file`, and an entry that is itself
//! an archive is opened in turn, up to `--max-archive-depth` levels.
//!
//! Nothing is ever written to disk: entries are read into memory one at a
//! time (at most `--max-file-size` each), so a `../` or absolute path in an
//! archive is only a name, reported as it is. An archive on disk is read
//! through its file (a zip's entries by seeking), never whole.
//!
//! Limits keep a hostile archive from costing more than a scan is worth:
//! an outermost archive (with everything nested in it) expands to at most
//! [`MAX_RATIO`] times its own size (but always [`RATIO_FLOOR`] bytes) and
//! never past [`MAX_EXPANDED`] bytes, and holds at most [`MAX_ENTRIES`]
//! entries. Past a limit the rest of the archive is not read: a warning
//! says so, counted in the summary as skipped content.
//!
//! Damage is an error notice naming where it is and the problem
//! (`--strict` makes it exit 2, as for an unreadable file), and costs no
//! more than it must, so a broken entry cannot hide the ones after it: a
//! zip's central directory says where every entry is, so a damaged entry
//! is reported at its inner path (`outer.zip!bad.txt`) and the next ones
//! are read; a tar or compressed stream has no such index, so what came
//! before the damage is scanned and the notice says where it stopped.
//! Damage inside a nested archive ends that one, never the one around it.

use std::cell::Cell;
use std::fs::File;
use std::io::{self, BufReader, Cursor, Read, Seek, SeekFrom};
use std::rc::Rc;

use super::{Blob, History, Notice, NoticeKind, Origin, Sink, binary_notice, scannable};

/// Default `--max-archive-depth`: an archive and the archives it holds.
pub const DEFAULT_DEPTH: u32 = 2;

/// The deepest `--max-archive-depth`: one level of recursion (and one
/// entry in memory) per level.
pub const MAX_DEPTH: u32 = 16;

/// An outermost archive expands to at most this many times its size: a
/// hundred is far above what text compresses to (3 to 20 times), and the
/// ratio Apache POI's zip-bomb guard uses.
pub const MAX_RATIO: u64 = 100;

/// An archive may always expand to this many bytes, whatever its ratio (a
/// small file of repeated lines compresses far beyond [`MAX_RATIO`]).
pub const RATIO_FLOOR: u64 = 4 << 20;

/// An outermost archive expands to at most this many bytes in all.
pub const MAX_EXPANDED: u64 = 512 << 20;

/// An outermost archive holds at most this many entries in all: every
/// zip without zip64 extensions, and the largest jars. A zip's directory
/// costs some 700 bytes of memory per entry once read, so a zip that
/// declares more is not opened at all.
pub const MAX_ENTRIES: u64 = 1 << 16;

/// Memory an xz decoder may use, in KiB: enough for `xz -9` (a 64 MiB
/// dictionary); a stream that needs more is not decoded.
const XZ_MEMORY_KIB: u32 = 65 << 10;

/// Bytes of a decompressed stream looked at to tell a tar from one file.
const TAR_PROBE: usize = 512;

/// How archives are opened.
#[derive(Debug, Clone, Copy)]
pub struct ArchiveOptions {
    /// How many levels of archives to open: 0 opens none (an archive is
    /// binary content, skipped), 1 the archives found, 2 also the archives
    /// inside them, and so on.
    pub max_depth: u32,
    /// An entry larger than this is skipped with a notice
    /// (`--max-file-size`).
    pub max_entry_size: u64,
}

/// A kind of archive or compressed stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Zip, and everything built on it (jar, whl, docx, apk, ...).
    Zip,
    /// POSIX or GNU tar.
    Tar,
    /// gzip (a `.tar.gz` is a tar inside).
    Gzip,
    /// bzip2.
    Bzip2,
    /// xz.
    Xz,
    /// Zstandard.
    Zstd,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Zip => "zip",
            Kind::Tar => "tar",
            Kind::Gzip => "gzip",
            Kind::Bzip2 => "bzip2",
            Kind::Xz => "xz",
            Kind::Zstd => "zstd",
        }
    }

    /// The file name extensions of the compressed form of a file.
    fn extensions(self) -> &'static [&'static str] {
        match self {
            Kind::Gzip => &[".gz", ".gzip"],
            Kind::Bzip2 => &[".bz2", ".bzip2"],
            Kind::Xz => &[".xz"],
            Kind::Zstd => &[".zst", ".zstd"],
            Kind::Zip | Kind::Tar => &[],
        }
    }
}

/// The kind of archive `head` (the first bytes of some content) starts
/// with, by magic bytes. The two whose magic is printable text (bzip2's
/// `BZh91AY&SY`, tar's `ustar`) count only in binary content, so a text
/// file that starts with them is still read as text. A tar without the
/// `ustar` magic (the original format, `tar --format=v7`) is known by the
/// checksum of its first header.
pub fn detect(head: &[u8]) -> Option<Kind> {
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        Some(Kind::Zip)
    } else if head.starts_with(b"\x1f\x8b\x08") {
        Some(Kind::Gzip)
    } else if head.starts_with(b"\xfd7zXZ\x00") {
        Some(Kind::Xz)
    } else if head.starts_with(b"\x28\xb5\x2f\xfd") {
        Some(Kind::Zstd)
    } else if !super::is_binary(head) {
        None
    } else if head.len() >= 10
        && head.starts_with(b"BZh")
        && matches!(head[3], b'1'..=b'9')
        && matches!(&head[4..10], b"1AY&SY" | b"\x17\x72\x45\x38\x50\x90")
    {
        Some(Kind::Bzip2)
    } else if head.get(257..262) == Some(b"ustar") || tar_header(head) {
        Some(Kind::Tar)
    } else {
        None
    }
}

/// How many bytes at the end of a file can hold a zip's end record: the
/// record itself and the longest comment it can carry.
pub const ZIP_TAIL: usize = 22 + 0xFFFF;

/// True when `tail`, the last bytes of a file of `size` bytes, ends with a
/// zip end-of-central-directory record (its comment reaching exactly to the
/// end of the file) whose directory fits before it. That is a zip with
/// something in front of it, which its first bytes do not show: a
/// self-extracting stub, a script before a jar, or bytes put there to hide
/// the archive from a scanner.
pub fn zip_at_end(tail: &[u8], size: u64) -> bool {
    let u16_at = |at: usize| u16::from_le_bytes([tail[at], tail[at + 1]]) as usize;
    let u32_at =
        |at: usize| u32::from_le_bytes([tail[at], tail[at + 1], tail[at + 2], tail[at + 3]]);
    memchr::memmem::rfind_iter(tail, b"PK\x05\x06").any(|at| {
        at + 22 <= tail.len() && at + 22 + u16_at(at + 20) == tail.len() && {
            let record = size - (tail.len() - at) as u64;
            let directory = u64::from(u32_at(at + 12));
            directory == u64::from(u32::MAX) || directory <= record
        }
    })
}

/// The kind of archive `data` (a whole file or blob) holds: by its first
/// bytes, or a zip by its end record (see [`zip_at_end`]). The end record
/// holds NUL bytes (its disk numbers), so text is passed over at the speed
/// of `memchr`.
pub fn detect_whole(data: &[u8]) -> Option<Kind> {
    detect(data).or_else(|| {
        let tail = &data[data.len().saturating_sub(ZIP_TAIL)..];
        (memchr::memchr(0, tail).is_some() && zip_at_end(tail, data.len() as u64))
            .then_some(Kind::Zip)
    })
}

/// [`detect`] for a file of which only the first bytes were read (`head`):
/// its last [`ZIP_TAIL`] bytes are read too, for a zip's end record.
pub fn detect_file(head: &[u8], file: &mut File, size: u64) -> io::Result<Option<Kind>> {
    if let Some(kind) = detect(head) {
        return Ok(Some(kind));
    }
    let len = size.min(ZIP_TAIL as u64);
    file.seek(SeekFrom::Start(size - len))?;
    let mut tail = Vec::with_capacity(len as usize);
    file.take(len).read_to_end(&mut tail)?;
    Ok(zip_at_end(&tail, size).then_some(Kind::Zip))
}

/// True when `head` starts with a tar header: a name, and a checksum
/// field (at least six octal digits between spaces and NULs) equal to the
/// sum of the header's 512 bytes with that field counted as spaces.
fn tar_header(head: &[u8]) -> bool {
    let Some(header) = head.get(..512).filter(|h| h[0] != 0) else {
        return false;
    };
    let field = std::str::from_utf8(&header[148..156]).unwrap_or("");
    let digits = field.trim_matches([' ', '\0']);
    if digits.len() < 6 || !digits.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        return false;
    }
    let sum: u32 = header
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                u32::from(b)
            }
        })
        .sum();
    u32::from_str_radix(digits, 8) == Ok(sum)
}

/// Where an archive's bytes are.
pub enum Input<'a> {
    /// In memory (a git blob, standard input).
    Bytes(&'a [u8]),
    /// A regular file, read from its start whatever its position; its
    /// size is the second field.
    File(&'a mut File, u64),
}

/// Expands the archive of `kind` in `input`, found at `origin`, into
/// `sink`: each entry a blob at `origin!entry` (with `history`, mapped to
/// the entry, for the blobs of a history), each problem a notice.
pub fn expand(
    input: Input<'_>,
    kind: Kind,
    origin: &Origin,
    history: Option<History<'_>>,
    opts: ArchiveOptions,
    sink: &mut dyn Sink,
) {
    let size = match &input {
        Input::Bytes(data) => data.len() as u64,
        Input::File(_, size) => *size,
    };
    let budget = size
        .saturating_mul(MAX_RATIO)
        .clamp(RATIO_FLOOR, MAX_EXPANDED);
    let mut expander = Expander {
        opts,
        sink,
        outer: origin,
        history,
        size,
        budget: Rc::new(Budget {
            total: budget,
            left: Cell::new(budget),
            exhausted: Cell::new(false),
        }),
        entries: 0,
        stopped: false,
    };
    match input {
        Input::Bytes(data) => expander.open(kind, Cursor::new(data), &[], 1),
        Input::File(file, _) => match file.seek(SeekFrom::Start(0)) {
            Ok(_) => expander.open(kind, BufReader::new(file), &[], 1),
            Err(e) => expander.sink.notice(Notice::new(
                NoticeKind::Unreadable,
                origin.display(),
                e.to_string(),
            )),
        },
    }
}

/// What an outermost archive may still expand to.
struct Budget {
    /// Bytes it may expand to in all.
    total: u64,
    /// What is left of `total`.
    left: Cell<u64>,
    /// Set when a [`Meter`] refused to read past the budget.
    exhausted: Cell<bool>,
}

/// A reader that counts what it yields against the expansion budget and
/// fails once the budget is spent.
struct Meter<R> {
    inner: R,
    budget: Rc<Budget>,
}

impl<R: Read> Read for Meter<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.budget.left.get();
        if left == 0 && !buf.is_empty() {
            self.budget.exhausted.set(true);
            return Err(io::Error::other("the archive expands past its limit"));
        }
        let room = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..room])?;
        self.budget.left.set(left - n as u64);
        Ok(n)
    }
}

/// The state of one outermost archive's expansion. Archives inside it are
/// named by their path inside it, one name per level (`inner`: `[]` for
/// the outermost itself, `["lib/a.jar"]` for an entry, `["lib/a.jar",
/// "b.properties"]` deeper).
struct Expander<'s, 'h> {
    opts: ArchiveOptions,
    sink: &'s mut dyn Sink,
    /// Where the outermost archive is.
    outer: &'s Origin,
    history: Option<History<'h>>,
    /// Size of the outermost archive.
    size: u64,
    budget: Rc<Budget>,
    /// Entries met so far.
    entries: u64,
    /// A limit was reached: nothing more is read.
    stopped: bool,
}

/// The path of entry `name` of the archive at `inner`.
fn join(inner: &[String], name: &str) -> Vec<String> {
    let mut path = inner.to_vec();
    path.push(name.to_string());
    path
}

/// The origin of the entry at `inner` (names, outermost first) of the
/// archive at `outer`: one level of [`Origin::inner`] per name, so that
/// path conditions see the entry inside each archive around it.
fn nest(outer: &Origin, inner: &[String]) -> Origin {
    inner.iter().fold(outer.clone(), |o, name| o.inner(name))
}

impl Expander<'_, '_> {
    fn meter<R: Read>(&self, inner: R) -> Meter<R> {
        Meter {
            inner,
            budget: Rc::clone(&self.budget),
        }
    }

    /// The origin of the entry at `inner`.
    fn origin(&self, inner: &[String]) -> Origin {
        nest(self.outer, inner)
    }

    /// The path of the entry at `inner`, as notices show it.
    fn shown(&self, inner: &[String]) -> String {
        self.origin(inner).display().to_string()
    }

    /// Opens an archive of `kind` at `inner`, at nesting level `depth`.
    fn open<R: Read + Seek>(&mut self, kind: Kind, reader: R, inner: &[String], depth: u32) {
        match kind {
            Kind::Zip => self.zip(reader, inner, depth),
            _ => self.stream(kind, reader, inner, depth),
        }
    }

    fn zip<R: Read + Seek>(&mut self, mut reader: R, inner: &[String], depth: u32) {
        let declared = zip_entries(&mut reader).unwrap_or(0);
        if declared > MAX_ENTRIES.saturating_sub(self.entries) {
            let notice = Notice::new(
                NoticeKind::ArchiveSkipped,
                self.shown(inner),
                format!(
                    "the zip declares {declared} entries, more than the limit of {MAX_ENTRIES} \
                     archive entries; not scanned"
                ),
            );
            return self.stop(notice);
        }
        let mut archive = match zip::ZipArchive::new(&mut reader) {
            Ok(archive) => archive,
            Err(e) => return self.zip_in_order(reader, inner, depth, &e.to_string()),
        };
        // The end record and the directory disagree: entries may be left
        // out of what the directory gave.
        if (archive.len() as u64) < declared {
            let problem = format!(
                "its end record declares {declared} entries, its directory gives {}",
                archive.len()
            );
            self.corrupt(inner, "zip archive", &problem, "the others are not scanned");
        }
        for i in 0..archive.len() {
            if self.stopped || !self.count_entry(inner) {
                return;
            }
            let name = join(inner, archive.name_for_index(i).unwrap_or_default());
            let entry = match archive.by_index(i) {
                Ok(entry) => entry,
                Err(zip::result::ZipError::UnsupportedArchive(why)) => {
                    self.sink.skipped(Notice::new(
                        NoticeKind::ArchiveSkipped,
                        self.shown(&name),
                        format!("{why}; not scanned"),
                    ));
                    continue;
                }
                // The directory says where the next entry is: go on.
                Err(e) => {
                    self.corrupt(&name, "zip entry", &e.to_string(), "not scanned");
                    continue;
                }
            };
            self.zip_entry(entry, &name, depth);
        }
    }

    /// Reads a zip whose central directory cannot be read (`problem`)
    /// entry by entry from its local headers, from its start, as a zip is
    /// streamed: a zip cut short or with a damaged directory still shows
    /// what its entries hold. Without the directory, nothing says where an
    /// entry starts but the end of the one before: reading stops at the
    /// first header that cannot be read, or whose entry does not say its
    /// size (a data descriptor), with a notice.
    fn zip_in_order<R: Read + Seek>(
        &mut self,
        mut reader: R,
        inner: &[String],
        depth: u32,
        problem: &str,
    ) {
        let instead = "its entries are read in order from its start instead";
        self.corrupt(inner, "zip archive", problem, instead);
        if let Err(e) = reader.seek(SeekFrom::Start(0)) {
            return self.corrupt(inner, "zip archive", &e.to_string(), "not scanned");
        }
        let mut last: Option<String> = None;
        loop {
            if self.stopped {
                return;
            }
            let entry = match zip::read::read_zipfile_from_stream(&mut reader) {
                Ok(Some(entry)) => entry,
                // The central directory starts, or the archive ends where
                // it was cut short (the notice above says it is damaged).
                Ok(None) => return,
                Err(zip::result::ZipError::Io(e)) if e.kind() == io::ErrorKind::UnexpectedEof => {
                    return;
                }
                Err(e) => {
                    let after = last
                        .map(|name| format!(", after the entry {name}"))
                        .unwrap_or_default();
                    let problem = format!("{e}{after}");
                    return self.corrupt(inner, "zip archive", &problem, "the rest is not scanned");
                }
            };
            if !self.count_entry(inner) {
                return;
            }
            let path = entry.name().to_string();
            let name = join(inner, &path);
            last = Some(path);
            self.zip_entry(entry, &name, depth);
        }
    }

    /// Reads one entry of a zip at `name`. Only an entry that is not a
    /// file and holds no data is passed over: the type comes from
    /// attributes anyone can set, so a "directory" or "symlink" that holds
    /// bytes is read like a file.
    fn zip_entry<R: Read>(
        &mut self,
        entry: zip::read::ZipFile<'_, R>,
        name: &[String],
        depth: u32,
    ) {
        if !entry.is_file() && entry.size() == 0 && entry.compressed_size() == 0 {
            return;
        }
        let declared = entry.size();
        let reader = self.meter(entry);
        self.entry(reader, Some(declared), name, Kind::Zip, depth);
    }

    /// A compressed stream (a tar in it, or one file) or a plain tar.
    fn stream<R: Read>(&mut self, kind: Kind, reader: R, inner: &[String], depth: u32) {
        let decoded: Box<dyn Read + '_> = match kind {
            Kind::Tar | Kind::Zip => Box::new(reader),
            Kind::Gzip => Box::new(flate2::read::MultiGzDecoder::new(reader)),
            Kind::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(reader)),
            Kind::Xz => Box::new(lzma_rust2::XzReader::new_mem_limit(
                reader,
                true,
                XZ_MEMORY_KIB,
            )),
            Kind::Zstd => match ruzstd::decoding::StreamingDecoder::new(reader) {
                Ok(decoder) => Box::new(decoder),
                Err(e) => return self.failed(inner, kind, &io::Error::other(e)),
            },
        };
        let mut decoded = self.meter(decoded);
        if kind == Kind::Tar {
            return self.tar(decoded, inner, kind, depth);
        }
        let mut head = Vec::with_capacity(TAR_PROBE);
        if let Err(e) = decoded
            .by_ref()
            .take(TAR_PROBE as u64)
            .read_to_end(&mut head)
        {
            return self.failed(inner, kind, &e);
        }
        let is_tar = detect(&head) == Some(Kind::Tar);
        let rest = Cursor::new(head).chain(decoded);
        if is_tar {
            return self.tar(rest, inner, kind, depth);
        }
        let name = join(inner, &decompressed_name(&self.shown(inner), kind));
        self.entry(rest, None, &name, kind, depth);
    }

    fn tar<R: Read>(&mut self, reader: R, inner: &[String], kind: Kind, depth: u32) {
        let mut archive = tar::Archive::new(reader);
        let entries = match archive.entries() {
            Ok(entries) => entries,
            Err(e) => return self.failed(inner, kind, &e),
        };
        // The last entry read, so that damage in a header says where it is.
        let mut last: Option<String> = None;
        for entry in entries {
            if self.stopped || !self.count_entry(inner) {
                return;
            }
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    let e = match &last {
                        Some(name) => {
                            io::Error::new(e.kind(), format!("{e}, after the entry {name}"))
                        }
                        None => e,
                    };
                    return self.failed(inner, kind, &e);
                }
            };
            let path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            // As in a zip, only what is not a file and holds nothing is
            // passed over: an entry of an unknown type with data is read
            // (GNU tar extracts it as a file).
            if !entry.header().entry_type().is_file() && entry.size() == 0 {
                last = Some(path);
                continue;
            }
            let name = join(inner, &path);
            last = Some(path);
            let declared = entry.size();
            // Without an index, what follows damage cannot be found.
            if !self.entry(entry, Some(declared), &name, kind, depth) {
                return;
            }
        }
    }

    /// Counts an entry of the archive at `inner`; false (after a notice)
    /// when the outermost archive holds too many.
    fn count_entry(&mut self, inner: &[String]) -> bool {
        self.entries += 1;
        if self.entries <= MAX_ENTRIES {
            return true;
        }
        let notice = Notice::new(
            NoticeKind::ArchiveSkipped,
            self.shown(inner),
            format!("more than {MAX_ENTRIES} archive entries; the rest is not scanned"),
        );
        self.stop(notice);
        false
    }

    /// Reads one entry (of `declared` size when the archive says) from
    /// `reader` and hands it on at `name`; the entry belongs to an archive
    /// of `kind` at nesting level `depth`. False when the entry is damaged
    /// (after a notice).
    fn entry<R: Read>(
        &mut self,
        reader: R,
        declared: Option<u64>,
        name: &[String],
        kind: Kind,
        depth: u32,
    ) -> bool {
        let max = self.opts.max_entry_size;
        if let Some(size) = declared.filter(|&s| s > max) {
            let notice = super::walk::too_large(self.shown(name), size, max);
            self.sink.skipped(notice);
            return true;
        }
        let mut data = Vec::new();
        let read = reader.take(max.saturating_add(1)).read_to_end(&mut data);
        if data.len() as u64 > max {
            let notice = super::walk::too_large(self.shown(name), data.len() as u64, max);
            self.sink.skipped(notice);
            return true;
        }
        // What was read before a problem is scanned too.
        self.content(&data, name, depth);
        match read {
            Err(e) => self.failed(name, kind, &e),
            // A tar cut short ends its last entry early without an error.
            Ok(_) if declared.is_some_and(|size| (data.len() as u64) < size) => {
                let e = io::Error::other(format!(
                    "the entry ends after {} of its {} bytes",
                    data.len(),
                    declared.unwrap_or_default()
                ));
                self.failed(name, kind, &e);
            }
            Ok(_) => return true,
        }
        false
    }

    /// Hands on the content of the entry at `name`: opened when it is an
    /// archive and the depth allows, scanned when it is text (or a binary
    /// key).
    fn content(&mut self, data: &[u8], name: &[String], depth: u32) {
        if depth < self.opts.max_depth
            && let Some(kind) = detect(data)
        {
            return self.open(kind, Cursor::new(data), name, depth + 1);
        }
        let origin = self.origin(name);
        let Some(text) = scannable(data) else {
            return self.sink.skipped(binary_notice(origin.display()));
        };
        let also: Vec<(Origin, u64)> = self
            .history
            .iter()
            .flat_map(|h| h.also)
            .map(|(o, order)| (nest(o, name), *order))
            .collect();
        let history = self.history.map(|h| History {
            lineage: h.lineage,
            order: h.order,
            also: &also,
        });
        self.sink.blob(Blob {
            data: &text,
            origin,
            only_lines: None,
            history,
        });
    }

    /// Reports a read error at `inner`, in an archive of `kind` or one of
    /// its entries: past the budget, a limit; otherwise damage, which ends
    /// a stream but only the entry of a zip.
    fn failed(&mut self, inner: &[String], kind: Kind, e: &io::Error) {
        if !self.budget.exhausted.get() {
            let problem = e.to_string();
            return match kind {
                Kind::Zip => {
                    self.corrupt(inner, "zip entry", &problem, "not scanned past the damage")
                }
                _ => {
                    let what = format!("{} archive", kind.name());
                    self.corrupt(inner, &what, &problem, "the rest is not scanned")
                }
            };
        }
        let notice = Notice::new(
            NoticeKind::ArchiveSkipped,
            self.shown(inner),
            format!(
                "the archive expands past {} bytes ({MAX_RATIO} times its {} bytes, at least \
                 {RATIO_FLOOR} and at most {MAX_EXPANDED}): a decompression bomb? the rest is \
                 not scanned",
                self.budget.total, self.size
            ),
        );
        self.stop(notice);
    }

    /// Reports damage at `inner`: `what` is damaged (`zip entry`, `tar
    /// archive`), by `problem`, and `unread` says what is not scanned.
    /// Reading goes on: the caller decides what can still be read.
    fn corrupt(&mut self, inner: &[String], what: &str, problem: &str, unread: &str) {
        self.sink.skipped(Notice::new(
            NoticeKind::CorruptArchive,
            self.shown(inner),
            format!("corrupt {what}: {problem}; {unread}"),
        ));
    }

    /// Emits `notice` once and stops reading.
    fn stop(&mut self, notice: Notice) {
        if !self.stopped {
            self.stopped = true;
            self.sink.skipped(notice);
        }
    }
}

/// How many entries the zip in `reader` declares in its end of central
/// directory record (zip64 too), read from its last bytes before the zip
/// crate reads the whole directory into memory; `None` when there is no
/// such record (the zip crate then says what is wrong).
fn zip_entries<R: Read + Seek>(reader: &mut R) -> Option<u64> {
    /// The record's fixed part plus the longest comment.
    const TAIL: u64 = 22 + 0xffff;
    let len = reader.seek(SeekFrom::End(0)).ok()?;
    let start = len.saturating_sub(TAIL);
    reader.seek(SeekFrom::Start(start)).ok()?;
    let mut tail = Vec::new();
    reader.by_ref().take(TAIL).read_to_end(&mut tail).ok()?;
    let at = tail.windows(4).rposition(|w| w == b"PK\x05\x06")?;
    let record = tail.get(at..at + 22)?;
    let count = u64::from(u16::from_le_bytes([record[10], record[11]]));
    if count != 0xffff {
        return Some(count);
    }
    // Zip64: a locator just before the record points at the zip64 record.
    let locator = tail.get(at.checked_sub(20)?..at)?;
    if !locator.starts_with(b"PK\x06\x07") {
        return Some(count);
    }
    let offset = u64::from_le_bytes(locator[8..16].try_into().ok()?);
    reader.seek(SeekFrom::Start(offset)).ok()?;
    let mut record = [0u8; 40];
    reader.read_exact(&mut record).ok()?;
    if !record.starts_with(b"PK\x06\x06") {
        return Some(count);
    }
    Some(u64::from_le_bytes(record[32..40].try_into().ok()?))
}

/// The name inside `outer` (a path shown to the user, perhaps itself
/// inside an archive) that a compressed stream of `kind` decompresses to:
/// its file name less the compression's extension (`app.env.gz` holds
/// `app.env`, `logs.tgz` a `logs.tar`), or the same name when it has none.
fn decompressed_name(outer: &str, kind: Kind) -> String {
    let name = outer.rsplit(['/', '!']).next().unwrap_or(outer);
    if let Some(stem) = name.strip_suffix(".tgz") {
        return format!("{stem}.tar");
    }
    kind.extensions()
        .iter()
        .find_map(|ext| name.strip_suffix(ext))
        .filter(|stem| !stem.is_empty())
        .unwrap_or(name)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes_decide_the_kind() {
        assert_eq!(detect(b"PK\x03\x04\x14\x00"), Some(Kind::Zip));
        assert_eq!(detect(b"\x1f\x8b\x08\x00"), Some(Kind::Gzip));
        assert_eq!(detect(b"\xfd7zXZ\x00\x00"), Some(Kind::Xz));
        assert_eq!(detect(b"\x28\xb5\x2f\xfd\x00"), Some(Kind::Zstd));
        assert_eq!(detect(b"BZh91AY&SY\x00\x01"), Some(Kind::Bzip2));
        assert_eq!(detect(b"BZh91AY&SY is text"), None);
        let mut tar = vec![0u8; 512];
        tar[257..263].copy_from_slice(b"ustar\0");
        assert_eq!(detect(&tar), Some(Kind::Tar));
        assert_eq!(detect(b"plain text"), None);
        // The original tar format: no magic, a checksum.
        let mut v7 = vec![0u8; 1024];
        v7[..6].copy_from_slice(b"a.env\0");
        v7[148..156].copy_from_slice(b"        ");
        let sum: u32 = v7[..512].iter().map(|&b| u32::from(b)).sum();
        v7[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        assert_eq!(detect(&v7), Some(Kind::Tar));
        v7[0] = b'b';
        assert_eq!(detect(&v7), None);
        assert_eq!(detect(&[0u8; 1024]), None);
    }

    #[test]
    fn compressed_files_are_named_without_their_extension() {
        assert_eq!(decompressed_name("a/app.env.gz", Kind::Gzip), "app.env");
        assert_eq!(decompressed_name("logs.tgz", Kind::Gzip), "logs.tar");
        assert_eq!(
            decompressed_name("x.zip!d/conf.json.zst", Kind::Zstd),
            "conf.json"
        );
        assert_eq!(decompressed_name("blob", Kind::Xz), "blob");
        assert_eq!(decompressed_name(".gz", Kind::Gzip), ".gz");
    }
}
