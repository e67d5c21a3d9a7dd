//! Encoded spans: where a blob holds text under an encoding, the decoded
//! text, and how each decoded byte maps back to the encoded bytes, so a
//! secret found in decoded text is reported where its encoding stands.
//!
//! Encodings: standard and URL-safe base64, hex, percent-encoding,
//! backslash escapes in string literals (JSON, JavaScript, Python, C:
//! `\n`, `\"`, `\uXXXX`, `\xXX`, ...) and HTML/XML character references.
//!
//! Candidate spans are found cheaply (a byte-class table for base64 and
//! hex runs, `memchr` for `%`, `\` and `&`) and only spans that can carry
//! a secret are decoded: a bounded length, one alphabet, and decoded bytes
//! that are text. Hashes, integrity strings, images and fonts decode to
//! binary and are dropped, most after their first few bytes; data URIs
//! other than `text/plain` and source maps are not decoded at all.

use std::io::Read;
use std::ops::Range;

use memchr::{memchr, memchr_iter, memrchr};

/// Shortest base64 span decoded: 20 characters carry 15 bytes, shorter
/// than any credential a rule accepts with its name or prefix.
const MIN_SPAN: usize = 20;

/// Shortest hex span decoded: 32 digits carry 16 bytes. Shorter hex is
/// an id or a short digest, never a whole credential.
const MIN_HEX: usize = 32;

/// Shortest percent-encoded, escaped or entity-encoded text decoded: no
/// secret a rule accepts is shorter.
const MIN_TEXT: usize = 8;

/// Longest encoded span decoded (64 KiB): room for a Kubernetes secret
/// holding a whole config file or a PEM bundle; longer runs are embedded
/// binaries.
const MAX_SPAN: usize = 64 << 10;

/// Most text inflated from one gzip stream in base64 (1 MiB): each byte
/// costs nine while it is scanned (its place in the span).
const MAX_INFLATED: usize = 1 << 20;

/// Most text inflated per compressed byte. Text compresses a few times; a
/// stream made to inflate more (a bomb) is read only this far, so the text
/// scanned stays within 16 times the blob (4 MB of bombs: 1.3 s of CPU).
const MAX_INFLATE_RATIO: usize = 16;

/// How far back from a `base64,` a data URI's `data:` is looked for.
const DATA_URI_LOOKBACK: usize = 128;

/// How far into a blob a source map's `"version": 3` is looked for.
const SOURCE_MAP_HEAD: usize = 64;

const ALNUM: u8 = 1;
const STD: u8 = 2;
const URL: u8 = 4;

/// Character class of each byte for the base64 alphabets.
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = if c.is_ascii_alphanumeric() {
            ALNUM
        } else if c == b'+' || c == b'/' {
            STD
        } else if c == b'-' || c == b'_' {
            URL
        } else {
            0
        };
        b += 1;
    }
    t
};

/// The 6-bit value of a base64 character in either alphabet (`+`/`-` are
/// 62, `/`/`_` are 63).
fn sextet(c: u8) -> u8 {
    match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' | b'-' => 62,
        _ => 63,
    }
}

/// The value of a hex digit.
fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// The byte written by the two hex digits at the start of `s`.
fn hex_byte(s: &[u8]) -> Option<u8> {
    match s {
        [h, l, ..] => Some(hex_digit(*h)? << 4 | hex_digit(*l)?),
        _ => None,
    }
}

/// Checks decoded bytes one at a time for text: printable ASCII, tab,
/// line breaks, and well-formed UTF-8 sequences (their lead and
/// continuation bytes; overlong forms and surrogates are left to a final
/// check). Random bytes fail within a few.
#[derive(Default)]
struct Text {
    /// Continuation bytes still expected.
    pending: u8,
}

impl Text {
    fn accepts(&mut self, b: u8) -> bool {
        if self.pending > 0 {
            self.pending -= 1;
            return b & 0xC0 == 0x80;
        }
        self.pending = match b {
            b'\t' | b'\n' | b'\r' | 0x20..=0x7e => 0,
            0xC2..=0xDF => 1,
            0xE0..=0xEF => 2,
            0xF0..=0xF4 => 3,
            _ => return false,
        };
        true
    }
}

/// Decoded bytes and, for each, the range of encoded bytes (relative to
/// the span) that carry it.
#[derive(Default)]
struct Output {
    bytes: Vec<u8>,
    map: Vec<(u32, u32)>,
}

impl Output {
    fn with_capacity(n: usize) -> Output {
        Output {
            bytes: Vec::with_capacity(n),
            map: Vec::with_capacity(n),
        }
    }

    fn push(&mut self, b: u8, from: Range<usize>) {
        self.bytes.push(b);
        self.map.push((from.start as u32, from.end as u32));
    }

    /// Pushes `c` as UTF-8; a control character other than tab and line
    /// breaks is written as a space, which no rule matches inside a
    /// secret.
    fn push_char(&mut self, c: char, from: Range<usize>) {
        let c = if c.is_control() && !matches!(c, '\t' | '\n' | '\r') {
            ' '
        } else {
            c
        };
        let mut buf = [0u8; 4];
        for &b in c.encode_utf8(&mut buf).as_bytes() {
            self.push(b, from.clone());
        }
    }

    fn into_decoded(self, encoding: &'static str, span: Range<usize>) -> Decoded {
        Decoded {
            encoding,
            span,
            bytes: self.bytes,
            map: self.map,
        }
    }
}

/// One decoded span of a blob.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// Name of the encoding, as the decoding chain shows it.
    pub encoding: &'static str,
    /// The encoded bytes in the blob.
    pub span: Range<usize>,
    /// The decoded text.
    pub bytes: Vec<u8>,
    /// For each decoded byte, the encoded bytes (relative to the span)
    /// that carry it.
    map: Vec<(u32, u32)>,
}

impl Decoded {
    /// Whether this text was inflated from gzip (see [`find`]).
    pub fn inflated(&self) -> bool {
        self.encoding.ends_with("gzip")
    }

    /// The blob range that carries the decoded bytes `range` (non-empty
    /// or not, within [`Decoded::bytes`]).
    pub fn source(&self, range: Range<usize>) -> Range<usize> {
        let len = self.span.len() as u32;
        let start = self.map.get(range.start).map_or(len, |m| m.0);
        let end = match range.end.checked_sub(1) {
            Some(last) if range.end > range.start => self.map.get(last).map_or(len, |m| m.1),
            _ => start,
        };
        self.span.start + start as usize..self.span.start + end.max(start) as usize
    }
}

/// Finds the encoded spans of `data` that decode to text and hands each
/// to `each`, one at a time (so only one decoded span is held at once):
/// base64 and hex runs first, then percent-encoded, escaped and
/// entity-encoded text.
///
/// No span crosses a line break, so the spans of a line depend on its
/// bytes alone. Source maps are the caller's to leave out
/// ([`is_source_map`]): the check is on a whole blob. With `inflate`,
/// gzip in base64 is inflated too; the caller turns it off inside
/// inflated text, so that no chain inflates twice.
pub fn find(data: &[u8], inflate: bool, each: &mut dyn FnMut(Decoded)) {
    runs(data, inflate, each);
    percent(data, each);
    escapes(data, each);
    entities(data, each);
}

/// Whether `data` is a source map (`{"version": 3, ...}`): its mappings
/// are base64 VLQ and its `sourcesContent` is source code already
/// scanned where it lives.
pub fn is_source_map(data: &[u8]) -> bool {
    let head = &data[..data.len().min(SOURCE_MAP_HEAD)];
    let head: Vec<u8> = head
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    head.starts_with(b"{") && memchr::memmem::find(&head, b"\"version\":3").is_some()
}

/// Whether the span at `start` is the payload of a data URI that is not
/// `text/plain` (an image, a font, a source map).
fn in_data_uri(data: &[u8], start: usize) -> bool {
    let Some(head) = data[..start].strip_suffix(b"base64,") else {
        return false;
    };
    let from = head.len().saturating_sub(DATA_URI_LOOKBACK);
    let head = &head[from..];
    let head = memrchr(b'\n', head).map_or(head, |nl| &head[nl + 1..]);
    match memchr::memmem::rfind(head, b"data:") {
        Some(at) => !head[at..].starts_with(b"data:text/plain"),
        None => false,
    }
}

/// Decodes `span` (one alphabet, `pad` `=` after it) as base64, or `None`
/// when it is not text. Most runs are not: they are checked without
/// allocating before they are decoded.
fn base64(span: &[u8], pad: usize) -> Option<Output> {
    match (span.len() % 4, pad) {
        (1, _) => return None,
        (0, 0) | (2, 2) | (3, 1) | (2, 0) | (3, 0) => {}
        _ => return None,
    }
    if !base64_text(span, |_, _| {}) {
        return None;
    }
    let mut out = Output::with_capacity(span.len() / 4 * 3 + 2);
    base64_text(span, |b, from| out.push(b, from));
    std::str::from_utf8(&out.bytes).ok()?;
    Some(out)
}

/// Hands each byte `span` decodes to as base64 to `emit`, with the
/// characters that carry it, while they are text; whether all were, and
/// the unused bits of the last character zero (canonical base64).
fn base64_text(span: &[u8], mut emit: impl FnMut(u8, Range<usize>)) -> bool {
    let mut text = Text::default();
    base64_bytes(span, |b, from| {
        let ok = text.accepts(b);
        if ok {
            emit(b, from);
        }
        ok
    })
}

/// Hands each byte `span` decodes to as base64 to `emit`, with the
/// characters that carry it, while `emit` returns true; whether it always
/// did and the unused bits of the last character are zero.
fn base64_bytes(span: &[u8], mut emit: impl FnMut(u8, Range<usize>) -> bool) -> bool {
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for (i, &c) in span.iter().enumerate() {
        acc = (acc << 6) | u32::from(sextet(c));
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            let b = (acc >> bits) as u8;
            acc &= (1 << bits) - 1;
            // The byte's first bit is in the character `bits + 8` bits back.
            let first = i - (bits as usize + 8 - 1) / 6;
            if !emit(b, first..i + 1) {
                return false;
            }
        }
    }
    acc == 0
}

/// Inflates the gzip stream that the standard base64 `span` (without its
/// `=` padding, which would decode to bytes after the stream) carries (it
/// starts `H4sI`: a Helm release, a compressed config or manifest) when it
/// inflates to text, at most [`MAX_INFLATED`] bytes of it and
/// [`MAX_INFLATE_RATIO`] per compressed byte. A compressed byte has no
/// place of its own: inflated bytes map to the span in proportion.
fn gunzip_base64(span: &[u8]) -> Option<Output> {
    let mut packed = Vec::with_capacity(span.len() / 4 * 3 + 2);
    if !base64_bytes(span, |b, _| {
        packed.push(b);
        true
    }) {
        return None;
    }
    let mut bytes = Vec::new();
    let limit = MAX_INFLATED.min(packed.len() * MAX_INFLATE_RATIO);
    let mut inflater = flate2::read::MultiGzDecoder::new(&packed[..]).take(limit as u64);
    // A stream cut short still gives what came before the cut.
    let _ = inflater.read_to_end(&mut bytes);
    let valid = match std::str::from_utf8(&bytes) {
        Ok(_) => bytes.len(),
        // Cut inside a character at the limit.
        Err(e) if e.error_len().is_none() => e.valid_up_to(),
        Err(_) => return None,
    };
    bytes.truncate(valid);
    let mut text = Text::default();
    if bytes.len() < MIN_TEXT || !bytes.iter().all(|&b| text.accepts(b)) {
        return None;
    }
    // Spread over the span in proportion, so that two secrets of one
    // stream have places of their own (findings, and what one finding
    // supersedes, are told apart by place).
    let (n, len) = (bytes.len() as u64, span.len() as u64);
    let map = (0..n)
        .map(|i| {
            let at = (i * len / n) as u32;
            (at, at + 1)
        })
        .collect();
    Some(Output { bytes, map })
}

/// Decodes `span` (hex digits of one case, even in number) as hex, or
/// `None` when it is not text.
fn hex(span: &[u8]) -> Option<Output> {
    let mut text = Text::default();
    let text = span
        .chunks_exact(2)
        .all(|pair| hex_byte(pair).is_some_and(|b| text.accepts(b)));
    if !text {
        return None;
    }
    let mut out = Output::with_capacity(span.len() / 2);
    for (i, pair) in span.chunks_exact(2).enumerate() {
        out.push(hex_byte(pair)?, 2 * i..2 * i + 2);
    }
    std::str::from_utf8(&out.bytes).ok()?;
    Some(out)
}

/// Whether `run` is hex digits of one letter case, even in number.
fn is_hex(run: &[u8]) -> bool {
    let (mut lower, mut upper) = (false, false);
    for &c in run {
        match c {
            b'0'..=b'9' => {}
            b'a'..=b'f' => lower = true,
            b'A'..=b'F' => upper = true,
            _ => return false,
        }
    }
    run.len() % 2 == 0 && !(lower && upper)
}

/// Bit `i` set when `block[i]` is of a base64 alphabet (a letter, a
/// digit, `+`, `/`, `-`, `_`): 16 bytes per instruction with SSE2, which
/// every x86-64 processor has. The one `unsafe` block of the detection
/// engine: a scalar loop here cost a tenth of a directory scan.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
fn alphabet_mask(block: &[u8; 64]) -> u64 {
    use std::arch::x86_64::{
        _mm_and_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_cmplt_epi8, _mm_loadu_si128,
        _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    let mut mask = 0u64;
    for (k, lane) in block.chunks_exact(16).enumerate() {
        // SAFETY: SSE2 is part of the x86-64 baseline, and the unaligned
        // load reads the 16 bytes of `lane`.
        let bits = unsafe {
            let v = _mm_loadu_si128(lane.as_ptr().cast());
            let within = |v, lo: u8, hi: u8| {
                _mm_and_si128(
                    _mm_cmpgt_epi8(v, _mm_set1_epi8(lo as i8 - 1)),
                    _mm_cmplt_epi8(v, _mm_set1_epi8(hi as i8 + 1)),
                )
            };
            let is = |c: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8));
            // Bytes from 0x80 compare as negative: below every range.
            let digit = within(v, b'0', b'9');
            let letter = within(_mm_or_si128(v, _mm_set1_epi8(0x20)), b'a', b'z');
            let symbol = _mm_or_si128(
                _mm_or_si128(is(b'+'), is(b'/')),
                _mm_or_si128(is(b'-'), is(b'_')),
            );
            _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(digit, letter), symbol)) as u16
        };
        mask |= u64::from(bits) << (16 * k);
    }
    mask
}

/// Bit `i` set when `block[i]` is of a base64 alphabet.
#[cfg(not(target_arch = "x86_64"))]
fn alphabet_mask(block: &[u8; 64]) -> u64 {
    block.iter().enumerate().fold(0, |mask, (i, &b)| {
        mask | u64::from(CLASS[b as usize] != 0) << i
    })
}

// The bit arithmetic in `runs` finds runs of 16 + 4 bytes.
const _: () = assert!(MIN_SPAN == 20);

/// Base64 and hex: runs of one alphabet, decoded when they are text.
///
/// The bytes of the alphabet are found 64 at a time as a bitmask, and the
/// runs of at least [`MIN_SPAN`] of them with a few shifts, so text that
/// holds none costs a fraction of a cycle per byte.
fn runs(data: &[u8], inflate: bool, each: &mut dyn FnMut(Decoded)) {
    let n = data.len();
    // Bytes before `done` are examined.
    let mut done = 0;
    let mut previous = 0u64;
    let mut block = 0;
    while block < n {
        let mask = match data.get(block..block + 64) {
            Some(bytes) => alphabet_mask(bytes.try_into().unwrap_or(&[0; 64])),
            None => {
                let mut last = [0u8; 64];
                last[..n - block].copy_from_slice(&data[block..]);
                alphabet_mask(&last)
            }
        };
        // Bit `j` of `x` stands for byte `block - 64 + j`; in `from20`, it
        // is set when 20 bytes of the alphabet start there.
        let x = (u128::from(mask) << 64) | u128::from(previous);
        let from2 = x & (x >> 1);
        let from4 = from2 & (from2 >> 2);
        let from8 = from4 & (from4 >> 4);
        let from16 = from8 & (from8 >> 8);
        let from20 = from16 & (from4 >> 16);
        // Those whose 20th byte is in this block.
        let mut starts = from20 >> (64 - MIN_SPAN + 1);
        while starts != 0 {
            let at = (block + starts.trailing_zeros() as usize + 64 - MIN_SPAN + 1) - 64;
            starts &= starts - 1;
            if at < done {
                continue;
            }
            let mut kinds = 0;
            let mut start = at;
            while start > done && CLASS[data[start - 1] as usize] != 0 {
                start -= 1;
            }
            let mut end = start;
            while end < n && CLASS[data[end] as usize] != 0 {
                kinds |= CLASS[data[end] as usize];
                end += 1;
            }
            let mut pad = 0;
            while pad < 2 && end + pad < n && data[end + pad] == b'=' {
                pad += 1;
            }
            done = end + pad;
            if let Some(d) = run(data, start..end, kinds, pad, inflate) {
                each(d);
            }
        }
        previous = mask;
        block += 64;
    }
}

/// The decoded text of the run `span` of `data` (its byte classes
/// `kinds`, `pad` `=` after it), if it is base64 or hex text.
fn run(data: &[u8], span: Range<usize>, kinds: u8, pad: usize, inflate: bool) -> Option<Decoded> {
    let (start, end) = (span.start, span.end);
    if !(MIN_SPAN..=MAX_SPAN).contains(&span.len()) || kinds & (STD | URL) == STD | URL {
        return None;
    }
    let run = &data[span];
    if kinds == ALNUM && pad == 0 {
        let digits = run
            .strip_prefix(b"0x")
            .or_else(|| run.strip_prefix(b"0X"))
            .unwrap_or(run);
        if digits.len() >= MIN_HEX && is_hex(digits) {
            let at = end - digits.len();
            return hex(digits).map(|out| out.into_decoded("hex", at..end));
        }
    }
    if in_data_uri(data, start) {
        return None;
    }
    let encoding = if kinds & URL != 0 {
        "base64url"
    } else {
        "base64"
    };
    let span = start..end + pad;
    match base64(run, pad) {
        Some(out) => Some(out.into_decoded(encoding, span)),
        None if inflate && kinds & URL == 0 && run.starts_with(b"H4sI") => {
            gunzip_base64(run).map(|out| out.into_decoded("base64 > gzip", span))
        }
        None => None,
    }
}

/// Whether `b` can stand in a URL or a form value (and so in a
/// percent-encoded run): printable ASCII other than quotes, brackets,
/// angle brackets and the backslash.
fn url_byte(b: u8) -> bool {
    (0x21..0x7f).contains(&b)
        && !matches!(
            b,
            b'"' | b'\'' | b'`' | b'<' | b'>' | b'\\' | b'(' | b')' | b'{' | b'}' | b'[' | b']'
        )
}

/// Percent-encoding: runs of URL characters holding at least one `%XX`,
/// decoded when the result is text.
fn percent(data: &[u8], each: &mut dyn FnMut(Decoded)) {
    let mut done = 0;
    for at in memchr_iter(b'%', data) {
        if at < done || hex_byte(&data[at + 1..]).is_none() {
            continue;
        }
        let floor = done.max(at.saturating_sub(MAX_SPAN / 2));
        let mut start = at;
        while start > floor && url_byte(data[start - 1]) {
            start -= 1;
        }
        let ceiling = data.len().min(start + MAX_SPAN);
        let mut end = at;
        while end < ceiling && url_byte(data[end]) {
            end += 1;
        }
        done = end;
        if end - start < MIN_TEXT {
            continue;
        }
        if let Some(out) = unpercent(&data[start..end]) {
            each(out.into_decoded("percent", start..end));
        }
    }
}

/// Undoes the `%XX` of `span`, or `None` when the result is not text.
fn unpercent(span: &[u8]) -> Option<Output> {
    let mut out = Output::with_capacity(span.len());
    let mut text = Text::default();
    let mut i = 0;
    while i < span.len() {
        let (b, len) = match (span[i], hex_byte(&span[i + 1..])) {
            (b'%', Some(b)) => (b, 3),
            (b, _) => (b, 1),
        };
        if !text.accepts(b) {
            return None;
        }
        out.push(b, i..i + len);
        i += len;
    }
    std::str::from_utf8(&out.bytes).ok()?;
    Some(out)
}

/// The password of a URL's user information as written before
/// percent-encoding (`p%40ss` is `p@ss`), when `secret` holds a `%XX`
/// and follows a `scheme://` in `matched`.
pub fn url_password(matched: &[u8], secret: Range<usize>) -> Option<Vec<u8>> {
    let value = &matched[secret.clone()];
    memchr::memmem::find(&matched[..secret.start], b"://")?;
    memchr_iter(b'%', value).find(|&at| hex_byte(&value[at + 1..]).is_some())?;
    Some(unpercent(value)?.bytes)
}

/// The character written by the escape at the start of `s` (which starts
/// after the backslash), and the escape's length after the backslash.
fn escape(s: &[u8]) -> Option<(char, usize)> {
    let hex_code = |digits: &[u8]| -> Option<u32> {
        digits
            .iter()
            .try_fold(0u32, |acc, &d| Some(acc * 16 + u32::from(hex_digit(d)?)))
    };
    let c = match *s.first()? {
        b'n' => '\n',
        b't' => '\t',
        b'r' => '\r',
        b'"' => '"',
        b'\'' => '\'',
        b'\\' => '\\',
        b'/' => '/',
        b'`' => '`',
        b'b' | b'f' | b'v' | b'0' if !s.get(1).is_some_and(u8::is_ascii_digit) => ' ',
        b'x' => return Some((char::from(hex_byte(s.get(1..)?)?), 3)),
        b'u' if s.get(1) == Some(&b'{') => {
            let close = s.iter().take(9).position(|&b| b == b'}')?;
            let code = hex_code(&s[2..close]).filter(|_| close > 2)?;
            return Some((char::from_u32(code)?, close + 1));
        }
        b'u' => {
            let code = hex_code(s.get(1..5)?)?;
            if (0xD800..0xDC00).contains(&code) {
                // A surrogate pair: `\uD83D\uDE00`.
                let low = s.get(5..7).filter(|p| p == b"\\u").and(s.get(7..11));
                let low = hex_code(low?)?;
                if !(0xDC00..0xE000).contains(&low) {
                    return None;
                }
                let code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                return Some((char::from_u32(code)?, 11));
            }
            return Some((char::from_u32(code)?, 5));
        }
        _ => return None,
    };
    Some((c, 1))
}

/// Backslash escapes: the body of each string literal (between a quote
/// and the next unescaped quote of the same kind on the line) that holds
/// an escape, with its escapes undone.
fn escapes(data: &[u8], each: &mut dyn FnMut(Decoded)) {
    // Bytes before `done` are decoded already or hold no literal; the
    // opening quote found last, and where the search for one stopped.
    let mut done = 0;
    let mut open: Option<usize> = None;
    let mut searched = 0;
    for at in memchr_iter(b'\\', data) {
        if at < done {
            continue;
        }
        let mut floor = done.max(searched).max(at.saturating_sub(MAX_SPAN));
        if let Some(i) = memrchr(b'\n', &data[floor..at]) {
            floor += i + 1;
            open = None;
        }
        if let Some(q) = data[floor..at]
            .iter()
            .rposition(|&b| b == b'"' || b == b'\'')
        {
            open = Some(floor + q);
        }
        searched = at;
        let Some(quote_at) = open else { continue };
        let quote = data[quote_at];
        let ceiling = data.len().min(quote_at + MAX_SPAN);
        let mut i = quote_at + 1;
        let mut close = None;
        while i < ceiling {
            match data[i] {
                b'\\' if data.get(i + 1) != Some(&b'\n') => i += 2,
                b'\n' | b'\\' => break,
                b if b == quote => {
                    close = Some(i);
                    break;
                }
                _ => i += 1,
            }
        }
        let Some(close) = close else {
            // No closing quote on the line: nothing up to there is in
            // a literal opened at `quote_at`.
            done = i.min(ceiling);
            open = None;
            continue;
        };
        done = close + 1;
        open = None;
        searched = done;
        let body = &data[quote_at + 1..close];
        if body.len() < MIN_TEXT {
            continue;
        }
        let mut out = Output::with_capacity(body.len());
        let mut i = 0;
        let mut changed = false;
        while i < body.len() {
            if body[i] == b'\\' {
                if let Some((c, len)) = escape(&body[i + 1..]) {
                    out.push_char(c, i..i + 1 + len);
                    i += 1 + len;
                    changed = true;
                    continue;
                }
            }
            out.push(body[i], i..i + 1);
            i += 1;
        }
        if changed && out.bytes.len() >= MIN_TEXT {
            each(out.into_decoded("escape", quote_at + 1..close));
        }
    }
}

/// The character written by the HTML/XML character reference at the
/// start of `s` (`&quot;`, `&#34;`, `&#x22;`), and its length.
fn entity(s: &[u8]) -> Option<(char, usize)> {
    let end = s.iter().take(10).position(|&b| b == b';')?;
    let name = &s[1..end];
    let c = match name {
        b"quot" => '"',
        b"amp" => '&',
        b"lt" => '<',
        b"gt" => '>',
        b"apos" => '\'',
        b"nbsp" => ' ',
        [b'#', b'x' | b'X', hex @ ..] if !hex.is_empty() => {
            let code = hex
                .iter()
                .try_fold(0u32, |acc, &d| Some(acc * 16 + u32::from(hex_digit(d)?)))?;
            char::from_u32(code)?
        }
        [b'#', digits @ ..] if !digits.is_empty() => {
            let code = std::str::from_utf8(digits).ok()?.parse::<u32>().ok()?;
            char::from_u32(code)?
        }
        _ => return None,
    };
    Some((c, end + 1))
}

/// HTML/XML character references: each line holding one, with its
/// references undone.
fn entities(data: &[u8], each: &mut dyn FnMut(Decoded)) {
    let mut done = 0;
    for at in memchr_iter(b'&', data) {
        if at < done || entity(&data[at..]).is_none() {
            continue;
        }
        let floor = done.max(at.saturating_sub(MAX_SPAN / 2));
        let start = memrchr(b'\n', &data[floor..at]).map_or(floor, |i| floor + i + 1);
        let ceiling = data.len().min(start + MAX_SPAN);
        let end = memchr(b'\n', &data[at..ceiling]).map_or(ceiling, |i| at + i);
        done = end;
        let line = &data[start..end];
        let mut out = Output::with_capacity(line.len());
        let mut i = 0;
        while i < line.len() {
            if line[i] == b'&' {
                if let Some((c, len)) = entity(&line[i..]) {
                    out.push_char(c, i..i + len);
                    i += len;
                    continue;
                }
            }
            out.push(line[i], i..i + 1);
            i += 1;
        }
        if out.bytes.len() >= MIN_TEXT {
            each(out.into_decoded("html", start..end));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(data: &[u8]) -> Vec<(&'static str, String, String)> {
        let mut out = Vec::new();
        find(data, true, &mut |d| out.push(d));
        out.iter()
            .map(|d| {
                (
                    d.encoding,
                    String::from_utf8_lossy(&data[d.span.clone()]).into_owned(),
                    String::from_utf8_lossy(&d.bytes).into_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn standard_and_url_safe_base64_text_is_decoded() {
        // "user:pass-word+text?" and "subjects?_>>text" in both alphabets.
        let data = b"a: dXNlcjpwYXNzLXdvcmQrdGV4dD8=\nb: c3ViamVjdHM_Xz4-dGV4dA\n";
        assert_eq!(
            decoded(data),
            [
                (
                    "base64",
                    "dXNlcjpwYXNzLXdvcmQrdGV4dD8=".to_string(),
                    "user:pass-word+text?".to_string()
                ),
                (
                    "base64url",
                    "c3ViamVjdHM_Xz4-dGV4dA".to_string(),
                    "subjects?_>>text".to_string()
                ),
            ]
        );
    }

    #[test]
    fn utf8_text_is_text() {
        assert_eq!(
            decoded(b"Y29udHJhc2XDsWE6IFp4OGtRMm1O"),
            [(
                "base64",
                "Y29udHJhc2XDsWE6IFp4OGtRMm1O".to_string(),
                "contraseña: Zx8kQ2mN".to_string()
            )]
        );
    }

    #[test]
    fn binary_hashes_images_and_identifiers_are_not_decoded() {
        // A SHA-512 integrity string, a data URI image that decodes to
        // text, a source map, a hex digest, a long identifier.
        let data = b"sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==\n\
            src=\"data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmciLz4=\"\n\
            //# sourceMappingURL=data:application/json;base64,eyJ2ZXJzaW9uIjozLCJzb3VyY2VzIjpbXX0=\n\
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\
            thisIsAVeryLongIdentifierName\n";
        assert_eq!(decoded(data), []);
    }

    #[test]
    fn decoded_bytes_map_back_to_their_characters() {
        let data = b"x dXNlcjpwYXNzLXdvcmQrdGV4dD8= y";
        let mut out = Vec::new();
        find(data, true, &mut |d| out.push(d));
        let d = &out[0];
        // "pass" is decoded bytes 5..9, carried by characters 6..12 of
        // the span: its first bits are in "p" ("cjpw" holds "r:p").
        assert_eq!(&d.bytes[5..9], b"pass");
        let r = d.source(5..9);
        assert_eq!(&data[r], b"pwYXNz");
        assert_eq!(d.source(0..0), 2..2);
    }

    #[test]
    fn hex_text_is_decoded_and_hex_digests_are_not() {
        // "user:pass-word+text?" in hex, lower and upper case, and with 0x.
        let data = b"a=757365723a706173732d776f72642b746578743f\n\
            b=0X757365723A706173732D776F72642B746578743F\n\
            c=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\
            d=757365723A706173732d776f72642b746578743f\n";
        assert_eq!(
            decoded(data),
            [
                (
                    "hex",
                    "757365723a706173732d776f72642b746578743f".to_string(),
                    "user:pass-word+text?".to_string()
                ),
                (
                    "hex",
                    "757365723A706173732D776F72642B746578743F".to_string(),
                    "user:pass-word+text?".to_string()
                ),
            ]
        );
    }

    #[test]
    fn percent_encoded_runs_are_decoded() {
        let data =
            b"<a href=\"/login?next=https%3A%2F%2Fci%3As3cr3t%40host%2F\">x</a> 100% sure %zz";
        assert_eq!(
            decoded(data),
            [(
                "percent",
                "/login?next=https%3A%2F%2Fci%3As3cr3t%40host%2F".to_string(),
                "/login?next=https://ci:s3cr3t@host/".to_string()
            )]
        );
        // Binary behind the escapes is not text.
        assert_eq!(decoded(b"x=%FF%D8%FF%E0%00%10JFIF"), []);
    }

    #[test]
    fn escapes_in_string_literals_are_undone() {
        let data = br#"{"text": ["secret: Xq7v\n", "ok"], "c": "{\"k\": \"v\\w\"}"}
js = '\u0067\u0068\u{70}_\x41\uD83D\uDE00\t\'x\'';
short = "\n"; path = C:\dir\file
"#;
        assert_eq!(
            decoded(data),
            [
                (
                    "escape",
                    r"secret: Xq7v\n".to_string(),
                    "secret: Xq7v\n".to_string()
                ),
                (
                    "escape",
                    r#"{\"k\": \"v\\w\"}"#.to_string(),
                    r#"{"k": "v\w"}"#.to_string()
                ),
                (
                    "escape",
                    r"\u0067\u0068\u{70}_\x41\uD83D\uDE00\t\'x\'".to_string(),
                    "ghp_A\u{1F600}\t'x'".to_string()
                ),
            ]
        );
    }

    #[test]
    fn html_character_references_are_undone_per_line() {
        let data =
            b"<p>plain</p>\n<i data-c=\"{&quot;key&quot;:&#32;&#x41;B}\">&amp;</i>\n&bogus; x\n";
        assert_eq!(
            decoded(data),
            [(
                "html",
                "<i data-c=\"{&quot;key&quot;:&#32;&#x41;B}\">&amp;</i>".to_string(),
                "<i data-c=\"{\"key\": AB}\">&</i>".to_string()
            )]
        );
    }

    #[test]
    fn source_maps_are_not_decoded() {
        let map = br#"{ "version": 3, "sources": ["a.js"], "sourcesContent": ["const k = \"dXNlcjpwYXNzLXdvcmQrdGV4dD8=\";\n"], "mappings": "AAAA" }"#;
        assert!(is_source_map(map));
        assert!(!is_source_map(br#"{"name": "app", "version": "3.1.0"}"#));
    }

    #[test]
    fn escaped_bytes_map_back_to_their_escapes() {
        let data = br#"x = "abcd\u0065fgh\n""#;
        let mut out = Vec::new();
        find(data, true, &mut |d| out.push(d));
        let d = &out[0];
        assert_eq!(d.bytes, b"abcdefgh\n");
        assert_eq!(&data[d.source(4..5)], br"\u0065");
        assert_eq!(&data[d.source(4..9)], br"\u0065fgh\n");
    }

    #[test]
    fn every_run_of_twenty_is_found_wherever_it_stands() {
        // "token: abcdefgh" is 20 characters of base64; 19 are too few.
        // Across the 64-byte blocks the alphabet is found in.
        for at in 0..140 {
            for tail in ["", " ", "                      "] {
                let data = format!(
                    "{}dG9rZW46IGFiY2RlZmdo{tail}",
                    "x ".repeat(at / 2) + &" ".repeat(at % 2)
                );
                let found = decoded(data.as_bytes());
                assert_eq!(found.len(), 1, "{data:?}");
                assert_eq!(found[0].2, "token: abcdefgh");
                let short = data.replace("dG9rZW46IGFiY2RlZmdo", "dG9rZW46IGFiY2RlZmd");
                assert_eq!(decoded(short.as_bytes()), [], "{short:?}");
            }
        }
    }

    #[test]
    fn the_alphabet_mask_is_the_byte_classes() {
        for first in (0..=255u8).step_by(64) {
            let block: [u8; 64] = std::array::from_fn(|i| first + i as u8);
            let expected = (0..64).fold(0u64, |m, i| {
                m | u64::from(CLASS[block[i] as usize] != 0) << i
            });
            assert_eq!(alphabet_mask(&block), expected, "{first}");
        }
    }
}
