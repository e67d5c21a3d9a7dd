//! Inline suppressions: a comment on the line of a finding (or on the line
//! before it, for next-line markers). The markers of other scanners are
//! honoured too, so users migrate with their comments.

/// Markers that allow findings on their own line.
const SAME_LINE: &[&str] = &[
    "leakproof:allow",
    "gitleaks:allow",
    "betterleaks:allow",
    "trufflehog:ignore",
    "kingfisher:ignore",
    "pragma: allowlist secret",
];

/// Markers that allow findings on the next line.
const NEXT_LINE: &[&str] = &[
    "pragma: allowlist nextline secret",
    "secretlint-disable-next-line",
];

fn find(line: &[u8], markers: &[&'static str]) -> Option<&'static str> {
    if line.is_empty() {
        return None;
    }
    let lower = line.to_ascii_lowercase();
    markers
        .iter()
        .find(|m| memchr::memmem::find(&lower, m.as_bytes()).is_some())
        .copied()
}

/// The marker that allows a match spanning the full lines `lines`, given
/// the line before them (`previous`), if any.
pub fn marker(lines: &[u8], previous: &[u8]) -> Option<&'static str> {
    find(lines, SAME_LINE).or_else(|| find(previous, NEXT_LINE))
}

#[cfg(test)]
mod tests {
    use super::marker;

    #[test]
    fn same_line_and_next_line_markers() {
        assert_eq!(
            marker(b"key = 'x' # gitleaks:allow", b""),
            Some("gitleaks:allow")
        );
        assert_eq!(
            marker(b"key = 'x' // LEAKPROOF:ALLOW", b""),
            Some("leakproof:allow")
        );
        assert_eq!(
            marker(b"key = 'x'  # pragma: allowlist secret", b""),
            Some("pragma: allowlist secret")
        );
        assert_eq!(
            marker(b"key = 'x'", b"# pragma: allowlist nextline secret"),
            Some("pragma: allowlist nextline secret")
        );
        assert_eq!(
            marker(b"key = 'x'", b"// secretlint-disable-next-line"),
            Some("secretlint-disable-next-line")
        );
        // A next-line marker does not allow its own line, nor a same-line
        // marker the next one.
        assert_eq!(
            marker(b"k = 'x' # pragma: allowlist nextline secret", b""),
            None
        );
        assert_eq!(marker(b"key = 'x'", b"# gitleaks:allow"), None);
        assert_eq!(marker(b"key = 'x'", b""), None);
    }
}
