//! Encoded spans: where a blob holds text in base64 (standard or URL-safe),
//! the decoded text, and how each decoded byte maps back to the encoded
//! bytes, so a secret found in decoded text is reported where its encoding
//! stands.
//!
//! Only spans that can carry a secret are decoded: a bounded length, one
//! alphabet, and decoded bytes that are text (UTF-8 without control
//! characters). Hashes, integrity strings, images and fonts decode to
//! binary and are dropped, most after their first few bytes; data URIs
//! other than `text/plain` (images, fonts, source maps) are not decoded.

use std::ops::Range;

/// Shortest encoded span decoded: 16 characters carry 12 bytes, shorter
/// than any token a rule accepts on its own.
const MIN_SPAN: usize = 16;

/// Longest encoded span decoded (64 KiB): room for a Kubernetes secret
/// holding a whole config file or a PEM bundle; longer runs are embedded
/// binaries.
const MAX_SPAN: usize = 64 << 10;

/// How far back from a `base64,` a data URI's `data:` is looked for.
const DATA_URI_LOOKBACK: usize = 128;

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

/// For each decoded byte, the range of encoded bytes (relative to the
/// span) that carry it.
type ByteMap = Vec<(u32, u32)>;

/// One decoded span of a blob.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// Name of the encoding, as the decoding chain shows it.
    pub encoding: &'static str,
    /// The encoded bytes in the blob.
    pub span: Range<usize>,
    /// The decoded text.
    pub bytes: Vec<u8>,
    /// Where each decoded byte comes from.
    map: ByteMap,
}

impl Decoded {
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

/// Whether the span at `start` is the payload of a data URI that is not
/// `text/plain` (an image, a font, a source map).
fn in_data_uri(data: &[u8], start: usize) -> bool {
    let Some(head) = data[..start].strip_suffix(b"base64,") else {
        return false;
    };
    let from = head.len().saturating_sub(DATA_URI_LOOKBACK);
    let head = &head[from..];
    match memchr::memmem::rfind(head, b"data:") {
        Some(at) => !head[at..].starts_with(b"data:text/plain"),
        None => false,
    }
}

/// Decodes `span` (one alphabet, `pad` `=` after it) as base64, or `None`
/// when it is not text.
fn base64(span: &[u8], pad: usize) -> Option<(Vec<u8>, ByteMap)> {
    match (span.len() % 4, pad) {
        (1, _) => return None,
        (0, 0) | (2, 2) | (3, 1) | (2, 0) | (3, 0) => {}
        _ => return None,
    }
    let mut bytes = Vec::with_capacity(span.len() / 4 * 3 + 2);
    let mut map = Vec::with_capacity(bytes.capacity());
    let mut text = Text::default();
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for (i, &c) in span.iter().enumerate() {
        acc = (acc << 6) | u32::from(sextet(c));
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            let b = (acc >> bits) as u8;
            acc &= (1 << bits) - 1;
            if !text.accepts(b) {
                return None;
            }
            // The byte's first bit is in the character `bits + 8` bits back.
            let first = i - (bits as usize + 8 - 1) / 6;
            bytes.push(b);
            map.push((first as u32, i as u32 + 1));
        }
    }
    // Leftover bits of the last character must be zero in canonical base64.
    if acc != 0 {
        return None;
    }
    std::str::from_utf8(&bytes).ok()?;
    Some((bytes, map))
}

/// Finds and decodes the base64 spans of `data` that hold text.
pub fn find(data: &[u8], out: &mut Vec<Decoded>) {
    let n = data.len();
    let mut i = 0;
    while i < n {
        if CLASS[data[i] as usize] == 0 {
            i += 1;
            continue;
        }
        let start = i;
        let mut kinds = 0;
        while i < n {
            let class = CLASS[data[i] as usize];
            if class == 0 {
                break;
            }
            kinds |= class;
            i += 1;
        }
        let end = i;
        let mut pad = 0;
        while pad < 2 && i < n && data[i] == b'=' {
            pad += 1;
            i += 1;
        }
        let len = end - start;
        if !(MIN_SPAN..=MAX_SPAN).contains(&len) || kinds & (STD | URL) == STD | URL {
            continue;
        }
        if in_data_uri(data, start) {
            continue;
        }
        if let Some((bytes, map)) = base64(&data[start..end], pad) {
            out.push(Decoded {
                encoding: if kinds & URL != 0 {
                    "base64url"
                } else {
                    "base64"
                },
                span: start..end + pad,
                bytes,
                map,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(data: &[u8]) -> Vec<(&'static str, String, String)> {
        let mut out = Vec::new();
        find(data, &mut out);
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
        find(data, &mut out);
        let d = &out[0];
        // "pass" is decoded bytes 5..9, carried by characters 6..12 of
        // the span: its first bits are in "p" ("cjpw" holds "r:p").
        assert_eq!(&d.bytes[5..9], b"pass");
        let r = d.source(5..9);
        assert_eq!(&data[r], b"pwYXNz");
        assert_eq!(d.source(0..0), 2..2);
    }
}
