//! Integrity of a repository's object store, checked before libgit2 reads it.
//!
//! libgit2 trusts the files of an object store byte for byte: one flipped
//! byte of a pack index sends it reading out of bounds (a crash), one of a
//! pack can make it report a wrong type or size (a panic in git2, or a blob
//! skipped as too large, which silently drops its findings), and the
//! re-hashing that would notice a wrong object is off for speed (see
//! [`super::tune_libgit2`]). Git ends each of these files with a checksum of
//! the rest, so [`object_store`] recomputes them before the scan reads
//! anything: every pack with its index (and the pack checksum the index
//! records), the multi-pack-index and the commit-graph, in the repository
//! and in each alternate object store libgit2 opens. Each index is also
//! checked for the bounds libgit2 assumes (offsets inside the pack,
//! large-offset slots that exist), so even an index rewritten with a valid
//! checksum cannot crash it.
//!
//! Loose objects have no file checksum but a zlib stream (with its own
//! checksum) and a name that is the hash of their content. libgit2 spins
//! forever on a truncated stream, and reads a blob's header alone to skip
//! it as too large, so every loose object is read through once as a
//! stream (bounded memory, in parallel) and its stream, header, length and
//! hash checked. This costs one inflate of the loose objects, which
//! `git gc` keeps few; packs are checked by their checksums alone.
//!
//! A pack written after the check (a concurrent `git gc`) is not checked:
//! the check covers the repository as it was when the scan started.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

use git2::Oid;
use miniz_oxide::inflate::stream::{InflateState, inflate};
use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};
use rayon::prelude::*;
use sha1::{Digest, Sha1};

use super::GitError;

/// Bytes of a SHA-1 hash: object ids and file checksums.
const HASH: usize = 20;
/// libgit2 follows alternates this many levels deep and ignores the rest.
const MAX_ALTERNATE_DEPTH: usize = 5;
/// Read size for hashing files.
const CHUNK: usize = 1 << 20;

fn corrupt(path: &Path, problem: impl Into<String>) -> GitError {
    GitError::Corrupt {
        path: path.display().to_string(),
        problem: problem.into(),
    }
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> GitError + '_ {
    move |e| corrupt(path, format!("cannot read: {e}"))
}

/// Checks every file libgit2 will trust in the object store at `objects`
/// (a repository's `objects` directory) and in its alternates.
pub(super) fn object_store(objects: &Path) -> Result<(), GitError> {
    let dirs = object_dirs(objects)?;
    let mut loose = Vec::new();
    for dir in &dirs {
        packs(&dir.join("pack"))?;
        let midx = dir.join("pack").join("multi-pack-index");
        if midx.is_file() {
            trailer(&midx)?;
        }
        loose_objects(dir, &mut loose)?;
    }
    loose
        .par_iter()
        .try_for_each(|(oid, path)| check_loose(path, *oid))?;
    // libgit2 reads the commit-graph of the repository's own store only.
    let graph = objects.join("info").join("commit-graph");
    if graph.is_file() {
        trailer(&graph)?;
    }
    Ok(())
}

/// `objects` and the alternate object stores libgit2 would open from it:
/// `info/alternates` lists one per line, `#` starts a comment, a path
/// starting with `.` is relative to the store that lists it, and a store
/// that does not exist is ignored (its objects are then missing, which any
/// read reports).
fn object_dirs(objects: &Path) -> Result<Vec<PathBuf>, GitError> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut queue = vec![(objects.to_path_buf(), 0)];
    while let Some((dir, depth)) = queue.pop() {
        let Ok(canonical) = dir.canonicalize() else {
            continue;
        };
        if seen.contains(&canonical) {
            continue;
        }
        seen.push(canonical);
        let list = dir.join("info").join("alternates");
        if depth < MAX_ALTERNATE_DEPTH && list.is_file() {
            let text = std::fs::read(&list).map_err(io_error(&list))?;
            let mut next = Vec::new();
            for line in text.split(|&b| b == b'\n' || b == b'\r') {
                if line.is_empty() || line[0] == b'#' {
                    continue;
                }
                let path = PathBuf::from(String::from_utf8_lossy(line).into_owned());
                next.push(if line[0] == b'.' {
                    dir.join(path)
                } else {
                    path
                });
            }
            // Depth first, in the file's order, as libgit2 adds them.
            queue.extend(next.into_iter().rev().map(|d| (d, depth + 1)));
        }
        dirs.push(dir);
    }
    Ok(dirs)
}

/// Checks each `*.idx` of a `pack` directory whose `.pack` exists (libgit2
/// ignores an index without its pack, as git does).
fn packs(pack_dir: &Path) -> Result<(), GitError> {
    let entries = match std::fs::read_dir(pack_dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_error(pack_dir)(e)),
    };
    let mut indexes = Vec::new();
    for entry in entries {
        let path = entry.map_err(io_error(pack_dir))?.path();
        if path.extension().is_some_and(|e| e == "idx") && path.with_extension("pack").is_file() {
            indexes.push(path);
        }
    }
    indexes.sort();
    for idx in indexes {
        pack(&idx, &idx.with_extension("pack"))?;
    }
    Ok(())
}

/// A file read front to back through SHA-1 (buffered: an index is read
/// entry by entry).
struct Hashed {
    path: PathBuf,
    file: BufReader<File>,
    hasher: Sha1,
    buf: Vec<u8>,
}

impl Hashed {
    fn open(path: &Path) -> Result<(Hashed, u64), GitError> {
        let file = File::open(path).map_err(io_error(path))?;
        let len = file.metadata().map_err(io_error(path))?.len();
        let hashed = Hashed {
            path: path.to_path_buf(),
            file: BufReader::with_capacity(CHUNK, file),
            hasher: Sha1::new(),
            buf: vec![0; CHUNK],
        };
        Ok((hashed, len))
    }

    /// Reads exactly `out.len()` bytes, hashing them unless `hash` is false.
    fn read(&mut self, out: &mut [u8], hash: bool) -> Result<(), GitError> {
        self.file.read_exact(out).map_err(|e| {
            if e.kind() == io::ErrorKind::UnexpectedEof {
                corrupt(&self.path, "truncated")
            } else {
                io_error(&self.path)(e)
            }
        })?;
        if hash {
            self.hasher.update(&*out);
        }
        Ok(())
    }

    /// Hashes the next `n` bytes, handing each chunk to `each`.
    fn skip(
        &mut self,
        mut n: u64,
        mut each: impl FnMut(&[u8]) -> Result<(), GitError>,
    ) -> Result<(), GitError> {
        let mut buf = std::mem::take(&mut self.buf);
        while n > 0 {
            let take = n.min(buf.len() as u64) as usize;
            let result = self
                .read(&mut buf[..take], true)
                .and_then(|()| each(&buf[..take]));
            if let Err(e) = result {
                self.buf = buf;
                return Err(e);
            }
            n -= take as u64;
        }
        self.buf = buf;
        Ok(())
    }

    /// Reads the trailing checksum and compares it with the hash so far;
    /// returns it.
    fn trailer(mut self) -> Result<[u8; HASH], GitError> {
        let mut stored = [0; HASH];
        self.read(&mut stored, false)?;
        let computed: [u8; HASH] = self.hasher.finalize().into();
        if computed != stored {
            return Err(corrupt(
                &self.path,
                format!(
                    "checksum mismatch (the file records {}, its content hashes to {})",
                    hex(&stored),
                    hex(&computed)
                ),
            ));
        }
        Ok(stored)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn be32(bytes: &[u8]) -> u32 {
    u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
}

/// Checks a file that ends with the SHA-1 of the rest.
fn trailer(path: &Path) -> Result<(), GitError> {
    let (mut file, len) = Hashed::open(path)?;
    if len < HASH as u64 {
        return Err(corrupt(path, "truncated"));
    }
    file.skip(len - HASH as u64, |_| Ok(()))?;
    file.trailer().map(drop)
}

/// Checks a pack index and its pack: both checksums, the pack checksum the
/// index records, the object count, and that every offset in the index
/// points inside the pack.
fn pack(idx_path: &Path, pack_path: &Path) -> Result<(), GitError> {
    let (mut pack, pack_len) = Hashed::open(pack_path)?;
    let min_pack = 12 + HASH as u64;
    if pack_len < min_pack {
        return Err(corrupt(pack_path, "truncated"));
    }
    let mut header = [0; 12];
    pack.read(&mut header, true)?;
    if &header[..4] != b"PACK" || !matches!(be32(&header[4..8]), 2 | 3) {
        return Err(corrupt(
            pack_path,
            "not a pack file (bad signature or version)",
        ));
    }
    let count = be32(&header[8..12]);
    let last_offset = pack_len - HASH as u64;
    let recorded = index(idx_path, count, last_offset)?;
    pack.skip(pack_len - min_pack, |_| Ok(()))?;
    let checksum = pack.trailer()?;
    if checksum != recorded {
        return Err(corrupt(
            idx_path,
            format!(
                "records pack checksum {}, but {} ends with {}",
                hex(&recorded),
                pack_path.display(),
                hex(&checksum)
            ),
        ));
    }
    Ok(())
}

/// Checks a pack index (version 1 or 2) for a pack of `count` objects whose
/// entries lie before `end`; returns the pack checksum it records.
fn index(path: &Path, count: u32, end: u64) -> Result<[u8; HASH], GitError> {
    let (mut idx, len) = Hashed::open(path)?;
    let mut head = [0; 8];
    if len < 8 {
        return Err(corrupt(path, "truncated"));
    }
    idx.read(&mut head, true)?;
    let v2 = head[..4] == [0xff, b't', b'O', b'c'];
    let mut fanout = [0u8; 1024];
    if v2 {
        if be32(&head[4..]) != 2 {
            return Err(corrupt(path, "unsupported pack index version"));
        }
        idx.read(&mut fanout, true)?;
    } else {
        fanout[..8].copy_from_slice(&head);
        idx.read(&mut fanout[8..], true)?;
    }
    let mut previous = 0;
    for bucket in fanout.chunks_exact(4) {
        let n = be32(bucket);
        if n < previous {
            return Err(corrupt(path, "fan-out table is not sorted"));
        }
        previous = n;
    }
    if previous != count {
        return Err(corrupt(
            path,
            format!("indexes {previous} objects, but its pack holds {count}"),
        ));
    }
    let n = u64::from(count);
    let hash = HASH as u64;
    let bad_offset = |offset: u64| {
        corrupt(
            path,
            format!("an object offset ({offset}) lies outside its pack"),
        )
    };
    let in_pack = |offset: u64| (12..end).contains(&offset);
    if v2 {
        let fixed = 8 + 1024 + n * (hash + 8) + 2 * hash;
        if len < fixed || (len - fixed) % 8 != 0 {
            return Err(corrupt(path, "wrong size for its object count"));
        }
        let large = (len - fixed) / 8;
        idx.skip(n * (hash + 4), |_| Ok(()))?;
        let mut wanted_large = 0u64;
        let mut offsets = [0u8; 4];
        for _ in 0..n {
            idx.read(&mut offsets, true)?;
            let offset = be32(&offsets);
            if offset & 0x8000_0000 != 0 {
                wanted_large = wanted_large.max(u64::from(offset & 0x7fff_ffff) + 1);
            } else if !in_pack(u64::from(offset)) {
                return Err(bad_offset(u64::from(offset)));
            }
        }
        if wanted_large > large {
            return Err(corrupt(
                path,
                "an object offset points past the large-offset table",
            ));
        }
        let mut big = [0u8; 8];
        for _ in 0..large {
            idx.read(&mut big, true)?;
            let offset = u64::from_be_bytes(big);
            if !in_pack(offset) {
                return Err(bad_offset(offset));
            }
        }
    } else {
        if len != 1024 + n * (hash + 4) + 2 * hash {
            return Err(corrupt(path, "wrong size for its object count"));
        }
        let mut entry = [0u8; HASH + 4];
        for _ in 0..n {
            idx.read(&mut entry, true)?;
            let offset = u64::from(be32(&entry));
            if !in_pack(offset) {
                return Err(bad_offset(offset));
            }
        }
    }
    let mut recorded = [0; HASH];
    idx.read(&mut recorded, true)?;
    idx.trailer()?;
    Ok(recorded)
}

/// Adds every loose object of the store `dir` (files named by the 38 hex
/// digits after a two-digit directory) to `out`.
fn loose_objects(dir: &Path, out: &mut Vec<(Oid, PathBuf)>) -> Result<(), GitError> {
    for fan in 0..=255u8 {
        let fan = format!("{fan:02x}");
        let sub = dir.join(&fan);
        let entries = match std::fs::read_dir(&sub) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io_error(&sub)(e)),
        };
        for entry in entries {
            let entry = entry.map_err(io_error(&sub))?;
            let name = entry.file_name();
            let Some(rest) = name.to_str() else { continue };
            if rest.len() == 2 * HASH - 2
                && rest.bytes().all(|b| b.is_ascii_hexdigit())
                && let Ok(oid) = Oid::from_str(&format!("{fan}{rest}"))
            {
                out.push((oid, entry.path()));
            }
        }
    }
    Ok(())
}

/// Reads a loose object through and checks its zlib stream, header,
/// length and hash.
fn check_loose(path: &Path, oid: Oid) -> Result<(), GitError> {
    let mut file = File::open(path).map_err(io_error(path))?;
    let mut state = InflateState::new_boxed(DataFormat::Zlib);
    let mut input = vec![0u8; 64 << 10];
    let mut output = vec![0u8; 256 << 10];
    let (mut start, mut end) = (0, 0);
    let mut eof = false;
    let mut hasher = Sha1::new();
    let mut header: Vec<u8> = Vec::new();
    let mut parsed: Option<u64> = None;
    let mut body = 0u64;
    loop {
        if start == end && !eof {
            end = file.read(&mut input).map_err(io_error(path))?;
            start = 0;
            eof = end == 0;
        }
        let flush = if eof { MZFlush::Finish } else { MZFlush::None };
        let result = inflate(&mut state, &input[start..end], &mut output, flush);
        start += result.bytes_consumed;
        let mut out = &output[..result.bytes_written];
        hasher.update(out);
        if parsed.is_none() && !out.is_empty() {
            let nul = out.iter().position(|&b| b == 0);
            let take = nul.map_or(out.len(), |i| i + 1);
            header.extend_from_slice(&out[..take]);
            out = &out[take..];
            if nul.is_some() {
                parsed =
                    Some(parse_header(&header).ok_or_else(|| corrupt(path, "bad object header"))?);
            } else if header.len() > 64 {
                return Err(corrupt(path, "bad object header"));
            }
        }
        body += out.len() as u64;
        // No progress with input left, or at the end of the file, is a
        // stream that cannot finish.
        let stalled = result.bytes_written == 0 && result.bytes_consumed == 0;
        match result.status {
            Ok(MZStatus::StreamEnd) => break,
            Ok(_) | Err(MZError::Buf) if stalled && (eof || start < end) => {
                return Err(corrupt(path, "truncated zlib stream"));
            }
            Ok(_) | Err(MZError::Buf) => {}
            Err(_) => return Err(corrupt(path, "damaged zlib stream")),
        }
    }
    let Some(size) = parsed else {
        return Err(corrupt(path, "bad object header"));
    };
    if size != body {
        return Err(corrupt(
            path,
            format!("header says {size} bytes, the object holds {body}"),
        ));
    }
    let computed: [u8; HASH] = hasher.finalize().into();
    if computed != oid.as_bytes() {
        return Err(corrupt(
            path,
            format!("holds object {} instead of {oid}", hex(&computed)),
        ));
    }
    Ok(())
}

/// Parses `<kind> <size>\0` into the size.
fn parse_header(header: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(header.strip_suffix(&[0])?).ok()?;
    let (kind, size) = text.split_once(' ')?;
    if !matches!(kind, "blob" | "tree" | "commit" | "tag") {
        return None;
    }
    if size.is_empty() || !size.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    size.parse().ok()
}
