//! Size limits on the files leakproof reads besides the scanned data: the
//! configuration, rule packs, the ignore file and baselines. Each is read
//! through [`read_text`], so `--baseline /dev/zero` or a runaway file is a
//! clear error, never memory exhausted.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// `.leakproof.toml` (or `--config`): a configuration is a few KiB.
pub const CONFIG: u64 = 1 << 20;
/// One rule pack: the largest built-in pack is about 35 KiB.
pub const PACK: u64 = 4 << 20;
/// `.leakproofignore`: one 32-digit fingerprint per line, so about 450,000
/// entries.
pub const IGNORE_FILE: u64 = 16 << 20;
/// A baseline: about 400,000 entries of some 150 bytes.
pub const BASELINE: u64 = 64 << 20;

/// Shows a limit as people write it (`64 MiB`, `512 KiB`).
pub fn human(limit: u64) -> String {
    if limit >= 1 << 20 && limit % (1 << 20) == 0 {
        format!("{} MiB", limit >> 20)
    } else {
        format!("{} KiB", limit >> 10)
    }
}

fn too_large(limit: u64, what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("larger than the {} limit for {what}", human(limit)),
    )
}

/// Reads the text of a `what` file at `path`, at most `limit` bytes: past
/// that, an error that names the limit (the file is not read further).
pub fn read_text(path: &Path, limit: u64, what: &str) -> io::Result<String> {
    let mut text = String::new();
    File::open(path)?
        .take(limit.saturating_add(1))
        .read_to_string(&mut text)?;
    if text.len() as u64 > limit {
        return Err(too_large(limit, what));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_past_the_limit_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, "abcd").unwrap();
        assert_eq!(read_text(&path, 4, "a test").unwrap(), "abcd");
        let err = read_text(&path, 3, "a test").unwrap_err();
        assert_eq!(err.to_string(), "larger than the 0 KiB limit for a test");
        assert_eq!(human(64 << 20), "64 MiB");
        assert_eq!(human(512 << 10), "512 KiB");
    }
}
