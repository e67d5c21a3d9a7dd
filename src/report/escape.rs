//! Escaping of everything printed that comes from the scanned data or the
//! user's files (paths, secrets, commit authors and messages, rule names,
//! error messages), so that it can neither drive a terminal nor a CI log.
//!
//! Every reporter and every message on stderr goes through here:
//!
//! - [`text`] writes control characters (C0, DEL, C1), line and paragraph
//!   separators and bidirectional formatting characters as visible escapes
//!   (`\n`, `\x1b`, `\u{202e}`): a file name holding a newline stays on its
//!   line, and an ESC, OSC or CR sequence cannot reach the terminal.
//! - [`line`] also keeps a line from starting with `::`, which a GitHub
//!   Actions runner would take as a workflow command (`::stop-commands::`,
//!   `::add-mask::`), even after leading whitespace.
//! - [`lines`] does the same for a message of several lines (a regex syntax
//!   error), line by line.
//! - [`JsonFormatter`] writes the characters that JSON leaves raw (DEL, C1,
//!   separators, bidi) as `\uXXXX` escapes: the same string to a parser,
//!   inert in a terminal or a log.
//!
//! A backslash is left as it is: escaped text is for reading, and the JSON
//! and SARIF formats carry every name exactly.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io;
use std::io::Write as _;

/// True for a character that must not reach a terminal or a log raw.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// Byte offset of the first unsafe character of `s` (see [`is_unsafe`]):
/// ASCII, nearly all of any report, is judged a byte at a time without
/// decoding characters.
fn first_unsafe(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b.is_ascii() {
            if b < 0x20 || b == 0x7f {
                return Some(i);
            }
            i += 1;
        } else {
            let c = s[i..].chars().next()?;
            if is_unsafe(c) {
                return Some(i);
            }
            i += c.len_utf8();
        }
    }
    None
}

/// `s` with every unsafe character (see [`is_unsafe`]) written as an
/// escape: `\n`, `\r`, `\t`, `\x1b` below U+0080, `\u{85}` above.
pub fn text(s: &str) -> Cow<'_, str> {
    if first_unsafe(s).is_none() {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if !is_unsafe(c) => out.push(c),
            c if u32::from(c) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
        }
    }
    Cow::Owned(out)
}

/// [`text`], and a first `:` escaped as `\x3a` when the line would start
/// with `::` once leading whitespace is trimmed, as the Actions runner
/// trims it: such a line would be read as a workflow command.
pub fn line(s: &str) -> Cow<'_, str> {
    let escaped = text(s);
    let lead = escaped.len() - escaped.trim_start().len();
    if !escaped[lead..].starts_with("::") {
        return escaped;
    }
    let mut out = String::with_capacity(escaped.len() + 3);
    out.push_str(&escaped[..lead]);
    out.push_str("\\x3a");
    out.push_str(&escaped[lead + 1..]);
    Cow::Owned(out)
}

/// A message of one or more lines, each made safe with [`line`]; the line
/// breaks themselves are kept.
pub fn lines(s: &str) -> String {
    s.split('\n').map(line).collect::<Vec<_>>().join("\n")
}

/// A `serde_json` formatter that also escapes, as `\uXXXX`, the characters
/// JSON allows raw but a terminal or log would act on (DEL, C1 controls,
/// line and paragraph separators, bidi controls). Parsers read the same
/// strings back.
pub struct JsonFormatter(serde_json::ser::PrettyFormatter<'static>);

impl JsonFormatter {
    /// Pretty-printed, two-space indent, as `serde_json::to_writer_pretty`.
    pub fn pretty() -> Self {
        JsonFormatter(serde_json::ser::PrettyFormatter::new())
    }
}

impl serde_json::ser::Formatter for JsonFormatter {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut rest = fragment;
        while let Some(at) = first_unsafe(rest) {
            writer.write_all(&rest.as_bytes()[..at])?;
            let c = rest[at..].chars().next().unwrap_or('\0');
            write!(writer, "\\u{:04x}", u32::from(c))?;
            rest = &rest[at + c.len_utf8()..];
        }
        writer.write_all(rest.as_bytes())
    }

    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// Writes `value` as pretty-printed JSON through [`JsonFormatter`], then a
/// newline: how the JSON and SARIF reporters write.
pub fn write_json<T: serde::Serialize + ?Sized>(
    w: &mut dyn io::Write,
    value: &T,
) -> io::Result<()> {
    // A buffer of a concrete type: serde_json writes a few bytes at a time,
    // and each write through `dyn Write` was a call that could not inline.
    let mut buffered = io::BufWriter::with_capacity(1 << 16, w);
    let mut ser = serde_json::Serializer::with_formatter(&mut buffered, JsonFormatter::pretty());
    value.serialize(&mut ser)?;
    writeln!(buffered)?;
    buffered.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_visible_escapes() {
        assert_eq!(text("a.env"), "a.env");
        assert_eq!(
            text("x\n::stop-commands::tok\n.env"),
            "x\\n::stop-commands::tok\\n.env"
        );
        assert_eq!(text("\x1b]0;pwned\x07\r"), "\\x1b]0;pwned\\x07\\r");
        assert_eq!(
            text("a\u{9b}b\u{202e}c\u{7f}\t"),
            "a\\u{9b}b\\u{202e}c\\x7f\\t"
        );
        assert_eq!(text("caf\u{e9} \u{1f600}"), "caf\u{e9} \u{1f600}");
    }

    #[test]
    fn no_line_starts_a_workflow_command() {
        assert_eq!(line("::add-mask::x.env:1:1"), "\\x3a:add-mask::x.env:1:1");
        assert_eq!(line("  ::error::x"), "  \\x3a:error::x");
        assert_eq!(line("a::b"), "a::b");
        assert_eq!(line(":x"), ":x");
        assert_eq!(
            lines("regex parse error:\n    ::add-mask::(\n\x1b[31m"),
            "regex parse error:\n    \\x3a:add-mask::(\n\\x1b[31m"
        );
    }

    #[test]
    fn json_escapes_what_serde_leaves_raw_and_parses_back() {
        let value = serde_json::json!({"path": "a\u{9b}\u{2028}\u{202e}\u{7f}\n\"b"});
        let mut out = Vec::new();
        write_json(&mut out, &value).unwrap();
        let written = String::from_utf8(out).unwrap();
        assert!(
            written.contains(r#""a\u009b\u2028\u202e\u007f\n\"b""#),
            "{written}"
        );
        assert!(written.is_ascii());
        let back: serde_json::Value = serde_json::from_str(&written).unwrap();
        assert_eq!(back, value);
    }
}
