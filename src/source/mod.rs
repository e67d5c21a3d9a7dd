//! Sources: where bytes come from. A source yields blobs (bytes plus an
//! origin) and notices (files it could not or would not scan); it never
//! knows about rules.

pub mod anchor;
pub mod archive;
pub mod git;
pub mod stdin;
pub mod walk;

use std::borrow::Cow;
use std::io::{self, Read};

use serde::Serialize;

use crate::finding::Commit;

/// Content whose first 8000 bytes hold a NUL byte is binary and skipped:
/// git's own rule (`buffer_is_binary`), so that a file on disk, its blob
/// in history and `git diff` all agree on what is text.
pub const BINARY_PROBE_LEN: usize = 8000;

/// Binary content is read past its first bytes only when it may be one DER
/// private key or keystore of at most this size (keys are a few KiB,
/// keystores with a certificate chain tens of KiB).
pub const MAX_BINARY_KEY: usize = 1 << 20;

/// Where a blob came from.
#[derive(Debug, Clone)]
pub enum Origin {
    /// A file on disk.
    File {
        /// Path as shown to the user.
        display: String,
        /// Its identity (see [`anchor`]), used in fingerprints,
        /// allowlists and baselines.
        relative: String,
    },
    /// Standard input.
    Stdin,
    /// A blob from git history.
    Git {
        /// Path of the blob in the commit that introduced it.
        path: String,
        /// That commit.
        commit: Commit,
    },
    /// An entry of an archive (see [`Origin::inner`]).
    Entry {
        /// Where the archive is: a file, standard input, a git blob or
        /// itself an entry.
        archive: Box<Origin>,
        /// The archive's path as shown, `!`, the entry's name.
        display: String,
        /// The archive's identity, `!`, the entry's name.
        relative: String,
    },
}

impl Origin {
    /// The path as shown to the user (`-` for stdin).
    pub fn display(&self) -> &str {
        match self {
            Origin::File { display, .. } | Origin::Entry { display, .. } => display,
            Origin::Stdin => "-",
            Origin::Git { path, .. } => path,
        }
    }

    /// The entry at `name` inside the archive at this origin: its path
    /// (and identity) is this one's, `!`, then `name` as the archive
    /// spells it (`lib/app.jar!config/app.properties`).
    pub fn inner(&self, name: &str) -> Origin {
        Origin::Entry {
            archive: Box::new(self.clone()),
            display: format!("{}!{name}", self.display()),
            relative: format!("{}!{name}", self.relative()),
        }
    }

    /// The identity: the path used in fingerprints, allowlists,
    /// baselines and SARIF (see [`anchor`]).
    pub fn relative(&self) -> &str {
        match self {
            Origin::File { relative, .. } | Origin::Entry { relative, .. } => relative,
            Origin::Stdin => "-",
            Origin::Git { path, .. } => path,
        }
    }

    /// The commit of a blob from git history (or of the archive in
    /// history that holds this entry).
    pub fn commit(&self) -> Option<&Commit> {
        match self {
            Origin::Git { commit, .. } => Some(commit),
            Origin::Entry { archive, .. } => archive.commit(),
            Origin::File { .. } | Origin::Stdin => None,
        }
    }

    /// For an archive entry, the origin of the outermost archive: the
    /// file in the checkout (or blob in history, or standard input) that
    /// holds it.
    pub fn outermost(&self) -> Option<&Origin> {
        let Origin::Entry { archive, .. } = self else {
            return None;
        };
        Some(archive.outermost().unwrap_or(archive))
    }

    /// Every path a path condition (a rule's `path`, an allowlist's
    /// `paths` and `globs`) is tried against: the identity, and for an
    /// archive entry also the identity of each archive around it and its
    /// path inside each of them. For `a.zip!lib/b.jar!c.env`: that,
    /// `a.zip!lib/b.jar`, `c.env`, `a.zip` and `lib/b.jar!c.env`; for
    /// anything else just the identity.
    pub fn paths(&self) -> Vec<&str> {
        let full = self.relative();
        let mut paths = vec![full];
        let mut at = self;
        while let Origin::Entry { archive, .. } = at {
            let outer = archive.relative();
            paths.push(outer);
            paths.extend(full.get(outer.len() + 1..));
            at = archive;
        }
        paths
    }
}

/// Bytes to scan plus where they came from.
pub struct Blob<'a> {
    /// The content.
    pub data: &'a [u8],
    /// Its origin.
    pub origin: Origin,
    /// When set, only findings touching these 1-based lines (sorted) are
    /// reported: the lines a commit range or the index added.
    pub only_lines: Option<&'a [usize]>,
    /// Set for the blobs of a history: which file's versions the blob
    /// belongs to, and the other paths that hold it.
    pub history: Option<History<'a>>,
}

/// Where a blob of a history stands, for [`Blob::history`].
#[derive(Debug, Clone, Copy)]
pub struct History<'a> {
    /// The file (first path) whose versions this blob is one of. One
    /// worker hands over all versions of a file, oldest first, so a sink
    /// can reuse the work of earlier versions.
    pub lineage: usize,
    /// Position of the origin's commit in ancestry order (ancestors
    /// first): among findings of the same secret at the same path, the
    /// lowest wins.
    pub order: u64,
    /// Other paths that hold the same blob, each with its first commit
    /// and that commit's position: the blob is scanned once and reported
    /// at every path.
    pub also: &'a [(Origin, u64)],
}

/// How much a notice matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NoticeLevel {
    /// Skipped by design (binary content); counted, not printed.
    Note,
    /// Not scanned, and the user should know (oversized, symlink loop).
    Warning,
    /// Could not be read; `--strict` turns it into exit 2.
    Error,
}

/// What kind of trouble a notice reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoticeKind {
    /// Binary content (NUL byte in the first 8000 bytes).
    Binary,
    /// Larger than `--max-file-size`.
    TooLarge,
    /// A symlink that points back into its own ancestors.
    SymlinkLoop,
    /// Could not be read (permissions, vanished mid-scan, I/O error).
    Unreadable,
    /// A FIFO, socket or device met while walking: never opened (a FIFO
    /// would block), unless named on the command line.
    Special,
    /// Archive content not scanned by design: past a limit (a
    /// decompression bomb, too many entries), encrypted, or compressed by
    /// a method leakproof does not read.
    ArchiveSkipped,
    /// An archive or an archive entry that cannot be decoded (truncated,
    /// damaged): what was read before the damage is scanned; after it, a
    /// zip's next entries are, the rest of a stream is not.
    CorruptArchive,
}

impl NoticeKind {
    /// The level of this kind of notice.
    pub fn level(self) -> NoticeLevel {
        match self {
            NoticeKind::Binary => NoticeLevel::Note,
            NoticeKind::TooLarge
            | NoticeKind::SymlinkLoop
            | NoticeKind::Special
            | NoticeKind::ArchiveSkipped => NoticeLevel::Warning,
            NoticeKind::Unreadable | NoticeKind::CorruptArchive => NoticeLevel::Error,
        }
    }
}

/// A file the source could not or would not scan.
#[derive(Debug, Clone, Serialize)]
pub struct Notice {
    /// How much it matters.
    pub level: NoticeLevel,
    /// What happened.
    pub kind: NoticeKind,
    /// The path concerned.
    pub path: String,
    /// Details.
    pub message: String,
}

impl Notice {
    /// A notice of `kind` about `path`.
    pub fn new(kind: NoticeKind, path: impl Into<String>, message: impl Into<String>) -> Self {
        Notice {
            level: kind.level(),
            kind,
            path: path.into(),
            message: message.into(),
        }
    }
}

/// True if and only if `data` looks binary (NUL in its first 8000 bytes).
pub fn is_binary(data: &[u8]) -> bool {
    memchr::memchr(0, &data[..data.len().min(BINARY_PROBE_LEN)]).is_some()
}

/// What [`read_head_first`] read.
#[derive(Debug, PartialEq, Eq)]
pub enum Head {
    /// The whole content is in the buffer.
    Read,
    /// Binary content that cannot be a private key or keystore: only its
    /// first bytes were read.
    Binary,
    /// More than the size limit: the rest was not read.
    TooLarge,
}

/// Reads `input` into `buf` (cleared first), head first: the first
/// [`BINARY_PROBE_LEN`] bytes decide whether the content is binary, and
/// binary content is read on only when its first bytes declare one DER
/// structure of at most [`MAX_BINARY_KEY`] bytes (what [`scannable`] could
/// turn into a key). So a 3 GB binary file costs 8000 bytes, whatever the
/// size limit; text is read up to `max_size`, plus one byte to tell that it
/// is over. `size`, when known (a regular file's length), sizes `buf`
/// exactly instead of by doubling.
pub fn read_head_first(
    input: &mut dyn Read,
    max_size: u64,
    size: Option<u64>,
    buf: &mut Vec<u8>,
) -> io::Result<Head> {
    buf.clear();
    input.take(BINARY_PROBE_LEN as u64).read_to_end(buf)?;
    if is_binary(buf) {
        let Some(size) = crate::der::declared_size(buf)
            .filter(|&n| n <= MAX_BINARY_KEY && n as u64 <= max_size && n >= buf.len())
        else {
            return Ok(Head::Binary);
        };
        // One byte more than declared tells a longer file apart.
        input.take((size + 1 - buf.len()) as u64).read_to_end(buf)?;
        return Ok(if buf.len() == size {
            Head::Read
        } else {
            Head::Binary
        });
    }
    let room = (max_size + 1).saturating_sub(buf.len() as u64);
    if let Some(size) = size {
        // One byte past the size, so that reaching the end of a file that
        // did not grow needs no second allocation.
        let want = size.min(max_size).saturating_add(1);
        let more = usize::try_from(want.saturating_sub(buf.len() as u64)).unwrap_or(0);
        buf.reserve_exact(more);
    }
    input.take(room).read_to_end(buf)?;
    Ok(if buf.len() as u64 > max_size {
        Head::TooLarge
    } else {
        Head::Read
    })
}

/// The bytes to scan for `data`: itself when it is text, the armored text
/// form of a binary private key or PKCS#12 keystore, or `None` for any
/// other binary content (skipped).
pub fn scannable(data: &[u8]) -> Option<Cow<'_, [u8]>> {
    if !is_binary(data) {
        return Some(Cow::Borrowed(data));
    }
    crate::der::armor_key(data).map(Cow::Owned)
}

/// The notice for binary content that is not scanned.
pub fn binary_notice(path: impl Into<String>) -> Notice {
    Notice::new(NoticeKind::Binary, path, "binary content; not scanned")
}

/// Receives what a source yields, one instance per worker thread.
pub trait Sink: Send {
    /// A blob to scan.
    fn blob(&mut self, blob: Blob<'_>);
    /// A file that was not scanned.
    fn notice(&mut self, notice: Notice);
    /// A file that was seen but not scanned by design or size, with its size.
    fn skipped(&mut self, notice: Notice) {
        self.notice(notice);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_known_by_its_archives_and_its_inner_paths() {
        let file = Origin::File {
            display: "./a!b.zip".to_string(),
            relative: "a!b.zip".to_string(),
        };
        assert_eq!(file.paths(), vec!["a!b.zip"]);
        let entry = file.inner("lib/c.jar").inner("conf/d.env");
        assert_eq!(entry.display(), "./a!b.zip!lib/c.jar!conf/d.env");
        assert_eq!(
            entry.paths(),
            vec![
                "a!b.zip!lib/c.jar!conf/d.env",
                "a!b.zip!lib/c.jar",
                "conf/d.env",
                "a!b.zip",
                "lib/c.jar!conf/d.env",
            ]
        );
        assert_eq!(
            Origin::Stdin.inner("x.env").paths(),
            vec!["-!x.env", "-", "x.env"]
        );
        assert!(entry.commit().is_none());
    }
}
