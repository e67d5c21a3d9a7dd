//! Which lines of a file's version are new. Successive versions of a file
//! in history share most of their lines; a line that stands next to the
//! same neighbour as in an earlier version of the same path was scanned
//! there, so only the rest needs scanning.

use std::hash::BuildHasher;
use std::ops::Range;

use foldhash::HashSet;
use foldhash::fast::RandomState;

/// Marks, in a set of flags the source keeps per file without knowing
/// what they mean, what a run of new lines holds (the engine sets one flag
/// per rule whose keyword occurs, see `Engine::mark_keywords`).
pub type MarkLines<'a> = &'a (dyn Fn(&[u8], &mut Vec<bool>) + Sync);

/// The lines seen so far in the versions of one path.
pub struct Lineage<'a> {
    hasher: RandomState,
    /// Hashes of (previous line, line) pairs: a line counts as seen only
    /// with the neighbour it had, so deleting the line between a key and
    /// its value makes both new again.
    seen: HashSet<u64>,
    mark: MarkLines<'a>,
    /// What `mark` set on the new lines of every version so far: a line of
    /// an old version may still stand in the current one, so the flags
    /// only grow.
    marks: Vec<bool>,
}

impl<'a> Lineage<'a> {
    /// An empty lineage; `mark` is applied to every run of new lines.
    pub fn new(mark: MarkLines<'a>) -> Self {
        Lineage {
            hasher: RandomState::default(),
            seen: HashSet::default(),
            mark,
            marks: Vec::new(),
        }
    }

    /// The flags `mark` set on the new lines of the versions so far.
    pub fn marks(&self) -> &[bool] {
        &self.marks
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
        for range in &out {
            (self.mark)(&data[range.clone()], &mut self.marks);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_marks(_: &[u8], _: &mut Vec<bool>) {}

    fn changed_text<'a>(lineage: &mut Lineage<'_>, data: &'a str) -> Vec<&'a str> {
        lineage
            .changed(data.as_bytes())
            .into_iter()
            .map(|r| &data[r])
            .collect()
    }

    #[test]
    fn first_version_is_all_new() {
        let mut l = Lineage::new(&no_marks);
        assert_eq!(changed_text(&mut l, "a\nb\nc"), ["a\nb\nc"]);
    }

    #[test]
    fn edited_line_and_its_successor_are_new() {
        let mut l = Lineage::new(&no_marks);
        changed_text(&mut l, "a\nb\nc\nd\n");
        // `c` now follows `B`, a pair never seen.
        assert_eq!(changed_text(&mut l, "a\nB\nc\nd\n"), ["B\nc\n"]);
    }

    #[test]
    fn deletion_makes_the_new_neighbours_new() {
        let mut l = Lineage::new(&no_marks);
        changed_text(&mut l, "key:\n# note\nvalue\n");
        assert_eq!(changed_text(&mut l, "key:\nvalue\n"), ["value\n"]);
    }

    #[test]
    fn marks_of_new_lines_accumulate_across_versions() {
        let mark = |b: &[u8], flags: &mut Vec<bool>| {
            flags.resize(1, false);
            flags[0] |= b.windows(5).any(|w| w == b"BEGIN");
        };
        let mut l = Lineage::new(&mark);
        changed_text(&mut l, "a\n");
        assert_eq!(l.marks(), [false]);
        changed_text(&mut l, "a\nBEGIN\nbody\n");
        assert_eq!(l.marks(), [true]);
        // The BEGIN line is old now, and the flag stays.
        assert_eq!(changed_text(&mut l, "a\nBEGIN\nnew body\n"), ["new body\n"]);
        assert_eq!(l.marks(), [true]);
    }

    #[test]
    fn unchanged_and_reverted_versions_have_nothing_new() {
        let mut l = Lineage::new(&no_marks);
        changed_text(&mut l, "a\nb\n");
        changed_text(&mut l, "a\nc\n");
        assert!(changed_text(&mut l, "a\nb\n").is_empty());
        assert!(changed_text(&mut l, "a\nc\n").is_empty());
    }
}
