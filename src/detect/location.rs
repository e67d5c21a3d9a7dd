//! Byte offsets to 1-based line and column, computed only for matches.

/// Line starts of one blob, built once per blob that has findings.
pub struct LineIndex<'a> {
    data: &'a [u8],
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes the line starts of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', data).map(|i| i + 1));
        LineIndex { data, starts }
    }

    /// 0-based line number holding `offset`.
    fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// 1-based `(line, column)` of a byte offset; the column counts Unicode
    /// scalar values (invalid UTF-8 bytes count one each).
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let line = self.line_of(offset);
        let start = self.starts[line];
        let col = self.data[start..offset]
            .iter()
            .filter(|&&b| (b & 0xC0) != 0x80)
            .count();
        (line + 1, col + 1)
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
}
