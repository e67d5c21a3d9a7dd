//! Byte offsets to 1-based line and column, computed only for matches.

use std::ops::Range;
use std::sync::OnceLock;

/// Bytes per block of the continuation-byte prefix counts that keep
/// columns on long lines O(block) per query instead of O(line).
const COLUMN_BLOCK: usize = 4096;

/// Line starts of one blob, built once per blob that has findings.
pub struct LineIndex<'a> {
    data: &'a [u8],
    starts: Vec<usize>,
    /// UTF-8 continuation bytes before each multiple of [`COLUMN_BLOCK`],
    /// built on the first column query on a long line.
    continuation: OnceLock<Vec<usize>>,
}

fn is_continuation(b: u8) -> bool {
    (b & 0xC0) == 0x80
}

impl<'a> LineIndex<'a> {
    /// Indexes the line starts of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', data).map(|i| i + 1));
        LineIndex {
            data,
            starts,
            continuation: OnceLock::new(),
        }
    }

    /// Number of lines (a final line without a newline counts; an empty
    /// blob has one empty line).
    pub fn lines(&self) -> usize {
        self.starts.len()
    }

    /// 0-based line number holding `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// The bytes of lines `first..=last` (0-based), the last newline
    /// included.
    pub fn range(&self, first: usize, last: usize) -> Range<usize> {
        let start = self.starts.get(first).copied().unwrap_or(self.data.len());
        let end = self
            .starts
            .get(last + 1)
            .copied()
            .unwrap_or(self.data.len());
        start..end.max(start)
    }

    /// UTF-8 continuation bytes in `data[..offset]`.
    fn continuation_before(&self, offset: usize) -> usize {
        let blocks = self.continuation.get_or_init(|| {
            let mut counts = vec![0];
            let mut total = 0;
            for chunk in self.data.chunks(COLUMN_BLOCK) {
                total += chunk.iter().filter(|&&b| is_continuation(b)).count();
                counts.push(total);
            }
            counts
        });
        let block = offset / COLUMN_BLOCK;
        blocks[block]
            + self.data[block * COLUMN_BLOCK..offset]
                .iter()
                .filter(|&&b| is_continuation(b))
                .count()
    }

    /// 1-based `(line, column)` of a byte offset; the column counts Unicode
    /// scalar values (invalid UTF-8 bytes count one each).
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let line = self.line_of(offset);
        let start = self.starts[line];
        let continuation = if offset - start <= COLUMN_BLOCK {
            self.data[start..offset]
                .iter()
                .filter(|&&b| is_continuation(b))
                .count()
        } else {
            self.continuation_before(offset) - self.continuation_before(start)
        };
        (line + 1, offset - start - continuation + 1)
    }

    /// The byte range of the full lines covering `start..end`, without the
    /// final line terminator.
    pub fn line_span(&self, start: usize, end: usize) -> (usize, usize) {
        let first = self.starts[self.line_of(start)];
        let last = self.line_of(end.saturating_sub(1).max(start));
        let mut stop = self
            .starts
            .get(last + 1)
            .map_or(self.data.len(), |&s| s - 1);
        if stop > first && self.data.get(stop - 1) == Some(&b'\r') {
            stop -= 1;
        }
        (first, stop.max(first))
    }
}

#[cfg(test)]
mod tests {
    use super::LineIndex;

    #[test]
    fn positions() {
        let data = "ab\ncdé f\n\nx".as_bytes();
        let idx = LineIndex::new(data);
        assert_eq!(idx.position(0), (1, 1));
        assert_eq!(idx.position(1), (1, 2));
        assert_eq!(idx.position(3), (2, 1));
        // 'f' comes after "cdé " : 4 characters, 5 bytes.
        assert_eq!(idx.position(3 + 5), (2, 5));
        assert_eq!(idx.position(data.len() - 1), (4, 1));
        assert_eq!(idx.line_span(4, 5), (3, 9));
        assert_eq!(&data[3..9], "cdé f".as_bytes());
    }

    #[test]
    fn crlf_is_not_part_of_the_line() {
        let data = b"a=1\r\nb=2\r\n";
        let idx = LineIndex::new(data);
        assert_eq!(idx.line_span(5, 6), (5, 8));
    }

    #[test]
    fn columns_on_long_lines_match_a_direct_count() {
        let mut data = "é".repeat(3 * super::COLUMN_BLOCK).into_bytes();
        data.extend(
            b"
abc",
        );
        data.extend("ü".repeat(super::COLUMN_BLOCK).bytes());
        let idx = LineIndex::new(&data);
        for offset in [
            0,
            2,
            4094,
            4096,
            5000,
            6 * super::COLUMN_BLOCK,
            data.len() - 1,
        ] {
            let start = data[..offset]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            let chars = data[start..offset]
                .iter()
                .filter(|&&b| (b & 0xC0) != 0x80)
                .count();
            let line = 1 + data[..offset].iter().filter(|&&b| b == b'\n').count();
            assert_eq!(idx.position(offset), (line, chars + 1), "offset {offset}");
        }
    }
}
