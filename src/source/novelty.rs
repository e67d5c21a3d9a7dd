//! Which lines of a file's version are new. Successive versions of a file
//! in history share most of their lines; a line that stands next to the
//! same neighbour as in an earlier version of the same path was scanned
//! there, so only the rest needs scanning.

use std::hash::BuildHasher;
use std::ops::Range;

use foldhash::HashSet;
use foldhash::fast::RandomState;

/// Tells whether a run of new lines holds content that only a scan of the
/// whole file finds (the start of a private key block).
pub type HoldsBlock<'a> = &'a (dyn Fn(&[u8]) -> bool + Sync);

/// The lines seen so far in the versions of one path.
pub struct Lineage<'a> {
    hasher: RandomState,
    /// Hashes of (previous line, line) pairs: a line counts as seen only
    /// with the neighbour it had, so deleting the line between a key and
    /// its value makes both new again.
    seen: HashSet<u64>,
    /// Tells whether new lines need the whole file scanned.
    holds_block: HoldsBlock<'a>,
    /// Whether any version so far had such lines.
    blocks: bool,
}

impl<'a> Lineage<'a> {
    /// An empty lineage; `holds_block` is asked about every run of new
    /// lines.
    pub fn new(holds_block: HoldsBlock<'a>) -> Self {
        Lineage {
            hasher: RandomState::default(),
            seen: HashSet::default(),
            holds_block,
            blocks: false,
        }
    }

    /// True once a version's new lines satisfied `holds_block`: since a
    /// line of such a version may still stand in later ones, every later
    /// version is then scanned whole by the rules that need it.
    pub fn holds_blocks(&self) -> bool {
        self.blocks
    }

    /// Records every line of `data` and returns the byte ranges of the
    /// lines not seen before with the same predecessor (each range whole
    /// lines, newline included; adjacent lines merged).
    pub fn changed(&mut self, data: &[u8]) -> Vec<Range<usize>> {
        let mut out: Vec<Range<usize>> = Vec::new();
        let mut previous = 0u64;
        let mut start = 0;
        while start < data.len() {
            let end = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |i| start + i + 1);
            let line = self.hasher.hash_one(&data[start..end]);
            let pair = self.hasher.hash_one((previous, line));
            previous = line;
            if self.seen.insert(pair) {
                match out.last_mut() {
                    Some(last) if last.end == start => last.end = end,
                    _ => out.push(start..end),
                }
            }
            start = end;
        }
        if !self.blocks {
            self.blocks = out.iter().any(|r| (self.holds_block)(&data[r.clone()]));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_blocks(_: &[u8]) -> bool {
        false
    }

    fn changed_text<'a>(lineage: &mut Lineage<'_>, data: &'a str) -> Vec<&'a str> {
        lineage
            .changed(data.as_bytes())
            .into_iter()
            .map(|r| &data[r])
            .collect()
    }

    #[test]
    fn first_version_is_all_new() {
        let mut l = Lineage::new(&no_blocks);
        assert_eq!(changed_text(&mut l, "a\nb\nc"), ["a\nb\nc"]);
    }

    #[test]
    fn edited_line_and_its_successor_are_new() {
        let mut l = Lineage::new(&no_blocks);
        changed_text(&mut l, "a\nb\nc\nd\n");
        // `c` now follows `B`, a pair never seen.
        assert_eq!(changed_text(&mut l, "a\nB\nc\nd\n"), ["B\nc\n"]);
    }

    #[test]
    fn deletion_makes_the_new_neighbours_new() {
        let mut l = Lineage::new(&no_blocks);
        changed_text(&mut l, "key:\n# note\nvalue\n");
        assert_eq!(changed_text(&mut l, "key:\nvalue\n"), ["value\n"]);
    }

    #[test]
    fn a_block_keyword_marks_every_later_version() {
        let holds = |b: &[u8]| b.starts_with(b"BEGIN");
        let mut l = Lineage::new(&holds);
        changed_text(&mut l, "a\n");
        assert!(!l.holds_blocks());
        changed_text(&mut l, "a\nBEGIN\nbody\n");
        assert!(l.holds_blocks());
        assert_eq!(changed_text(&mut l, "a\nBEGIN\nnew body\n"), ["new body\n"]);
        assert!(l.holds_blocks());
    }

    #[test]
    fn unchanged_and_reverted_versions_have_nothing_new() {
        let mut l = Lineage::new(&no_blocks);
        changed_text(&mut l, "a\nb\n");
        changed_text(&mut l, "a\nc\n");
        assert!(changed_text(&mut l, "a\nb\n").is_empty());
        assert!(changed_text(&mut l, "a\nc\n").is_empty());
    }
}
