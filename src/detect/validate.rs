//! Offline validators: structural checks of a candidate secret that need no
//! network. A candidate that fails its rule's validator cannot be a live
//! credential and is dropped; one that passes is reported with high
//! confidence.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD_PAD_INDIFFERENT, URL_SAFE_NO_PAD_INDIFFERENT};

/// A named structural check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validator {
    /// `prefix_` + body + 6 base62 characters of the body's CRC32 (GitHub
    /// classic tokens, npm tokens).
    Crc32Base62,
    /// Three base64url parts; header and payload decode to JSON objects and
    /// the header names an `alg`.
    Jwt,
    /// A PEM or OpenSSH private-key block whose body decodes to a DER
    /// SEQUENCE, the `openssh-key-v1` magic or an OpenPGP packet.
    PrivateKey,
    /// Hex digits (whitespace between them ignored) that decode to exactly
    /// one DER private key: PKCS#8, PKCS#1 RSA, SEC 1 EC or DSA.
    DerHex,
}

impl Validator {
    /// Every name a rule may use.
    pub const NAMES: &'static [&'static str] = &["crc32-base62", "jwt", "private-key", "der-hex"];

    /// The validator with this name.
    pub fn from_name(name: &str) -> Option<Validator> {
        match name {
            "crc32-base62" => Some(Validator::Crc32Base62),
            "jwt" => Some(Validator::Jwt),
            "private-key" => Some(Validator::PrivateKey),
            "der-hex" => Some(Validator::DerHex),
            _ => None,
        }
    }

    /// The name used in rule packs.
    pub fn name(self) -> &'static str {
        match self {
            Validator::Crc32Base62 => "crc32-base62",
            Validator::Jwt => "jwt",
            Validator::PrivateKey => "private-key",
            Validator::DerHex => "der-hex",
        }
    }

    /// True if and only if `secret` has the structure of a real credential.
    pub fn check(self, secret: &[u8]) -> bool {
        match self {
            Validator::Crc32Base62 => crc32_base62(secret),
            Validator::Jwt => jwt(secret),
            Validator::PrivateKey => private_key(secret),
            Validator::DerHex => der_hex(secret),
        }
    }
}

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn crc32_base62(token: &[u8]) -> bool {
    let body = match memchr::memrchr(b'_', token) {
        Some(i) => &token[i + 1..],
        None => token,
    };
    if body.len() <= 6 {
        return false;
    }
    let (random, check) = body.split_at(body.len() - 6);
    let mut n = crc32fast::hash(random);
    let mut expect = [b'0'; 6];
    for slot in expect.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    n == 0 && expect == check
}

fn decode_json_object(part: &[u8]) -> Option<serde_json::Map<String, serde_json::Value>> {
    let bytes = URL_SAFE_NO_PAD_INDIFFERENT.decode(part).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        serde_json::Value::Object(map) => Some(map),
        _ => None,
    }
}

fn jwt(token: &[u8]) -> bool {
    let mut parts = token.split(|&b| b == b'.');
    let (Some(header), Some(payload), Some(_sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let header_ok = decode_json_object(header)
        .is_some_and(|h| h.get("alg").is_some_and(serde_json::Value::is_string));
    header_ok && decode_json_object(payload).is_some()
}

/// Extracts the base64 body of an armored block: the lines between BEGIN
/// and END, minus RFC 1421 / RFC 4880 headers and the PGP CRC line. Escaped
/// newlines (`\n` inside a JSON or code string) count as newlines.
fn armored_body(block: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(block)
        .replace("\\r", "")
        .replace("\\n", "\n");
    let mut body = Vec::new();
    for line in text.lines().map(|l| strip_comment_marker(l.trim())) {
        let line = unjoin(line);
        let line = line.trim_matches(|c| c == '"' || c == '\'');
        if line.starts_with("-----") || line.contains(':') || line.starts_with('=') {
            continue;
        }
        body.extend(
            line.bytes()
                .filter(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')),
        );
    }
    body
}

/// A line of a key pasted into code, without the operators that join it to
/// its neighbours: `"MIIE...\n" +` (C#, Java, JavaScript), `<>` (Elixir),
/// `.` (PHP), `..` (Lua), `&` (VB), `,` (arrays), `\\` (line
/// continuations), and the newline constants written between them
/// (`& vbCrLf &`, `. PHP_EOL .`), before or after the quoted part. An
/// operator only counts next to a quote: a bare `+` is base64.
fn unjoin(line: &str) -> &str {
    const JOINS: [&str; 13] = [
        "<>",
        "..",
        "+",
        ",",
        ".",
        "&",
        "\\",
        "vbCrLf",
        "vbLf",
        "vbNewLine",
        "Environment.NewLine",
        "PHP_EOL",
        "\"\\n\"",
    ];
    let mut end = line;
    while let Some(rest) = JOINS.iter().find_map(|j| end.strip_suffix(j)) {
        end = rest.trim_end();
    }
    let line = if end.ends_with(['"', '\'']) {
        end
    } else {
        line
    };
    let mut start = line;
    while let Some(rest) = JOINS.iter().find_map(|j| start.strip_prefix(j)) {
        start = rest.trim_start();
    }
    if start.starts_with(['"', '\'']) {
        start
    } else {
        line
    }
}

/// A key pasted into a comment keeps its comment markers on every line:
/// `// MIIE...`, `# MIIE...`, ` * MIIE...`, `; MIIE...`, `-- MIIE...`. None
/// of `#*;-` is a base64 character; `//` is, so it is only taken for a
/// marker when a blank (never part of base64) follows it.
fn strip_comment_marker(line: &str) -> &str {
    for marker in ["//", "#", "*", ";", "--"] {
        if let Some(rest) = line.strip_prefix(marker)
            && (rest.is_empty() || rest.starts_with([' ', '\t']))
        {
            return rest.trim_start();
        }
    }
    line
}

fn private_key(block: &[u8]) -> bool {
    let Ok(der) = STANDARD_PAD_INDIFFERENT.decode(armored_body(block)) else {
        return false;
    };
    if der.len() < 32 {
        return false;
    }
    let head = &block[..block.len().min(80)];
    if memchr::memmem::find(head, b"OPENSSH").is_some() {
        return der.starts_with(b"openssh-key-v1\0");
    }
    if memchr::memmem::find(head, b"PGP").is_some() {
        // An OpenPGP packet header always has the high bit set.
        return der[0] & 0x80 != 0;
    }
    // DER SEQUENCE with a definite length.
    der[0] == 0x30 && (der[1] < 0x80 || (0x81..=0x84).contains(&der[1]))
}

fn der_hex(text: &[u8]) -> bool {
    let digits: Vec<u8> = text
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    if digits.len() % 2 != 0 {
        return false;
    }
    let nibble = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let der: Option<Vec<u8>> = digits
        .chunks(2)
        .map(|p| Some(nibble(p[0])? << 4 | nibble(p[1])?))
        .collect();
    der.is_some_and(|der| crate::der::is_private_key(&der))
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

    fn make_crc_token(prefix: &str, random: &str) -> String {
        let mut n = crc32fast::hash(random.as_bytes());
        let mut check = [b'0'; 6];
        for slot in check.iter_mut().rev() {
            *slot = BASE62[(n % 62) as usize];
            n /= 62;
        }
        format!("{prefix}{random}{}", String::from_utf8_lossy(&check))
    }

    #[test]
    fn crc32_base62_accepts_good_and_rejects_bad_checksums() {
        let good = make_crc_token("ghp_", "Zq3v8LkP0aXw2RtY7uBn4Me9Jc1Hd6");
        assert!(Validator::Crc32Base62.check(good.as_bytes()));
        let npm = make_crc_token("npm_", "Zq3v8LkP0aXw2RtY7uBn4Me9Jc1Hd6");
        assert!(Validator::Crc32Base62.check(npm.as_bytes()));
        let mut bad = good.clone().into_bytes();
        let last = bad.len() - 1;
        bad[last] = if bad[last] == b'A' { b'B' } else { b'A' };
        assert!(!Validator::Crc32Base62.check(&bad));
        assert!(!Validator::Crc32Base62.check(b"ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"));
        assert!(!Validator::Crc32Base62.check(b"ghp_abc"));
    }

    #[test]
    fn jwt_needs_json_header_with_alg_and_json_payload() {
        let enc = |s: &str| URL_SAFE_NO_PAD.encode(s);
        let good = format!(
            "{}.{}.c2lnbmF0dXJl",
            enc(r#"{"alg":"HS256","typ":"JWT"}"#),
            enc(r#"{"sub":"42"}"#)
        );
        assert!(Validator::Jwt.check(good.as_bytes()));
        let no_alg = format!(
            "{}.{}.c2ln",
            enc(r#"{"typ":"JWT"}"#),
            enc(r#"{"sub":"42"}"#)
        );
        assert!(!Validator::Jwt.check(no_alg.as_bytes()));
        let bad_payload = format!("{}.{}.c2ln", enc(r#"{"alg":"HS256"}"#), enc("not json"));
        assert!(!Validator::Jwt.check(bad_payload.as_bytes()));
        assert!(!Validator::Jwt.check(b"eyJhbGciOi.two"));
    }

    fn pem(label: &str, der: &[u8]) -> String {
        let b64 = STANDARD.encode(der);
        let lines: Vec<&str> = b64
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        format!(
            "-----BEGIN {label}-----\n{}\n-----END {label}-----",
            lines.join("\n")
        )
    }

    #[test]
    fn der_hex_needs_exactly_one_private_key() {
        let ed25519 = "302e020100300506032b657004220420c0f3bc7ee943de2c953d45565b5b1b11a8160ae59e4d4b5e6081f05f8ecb723a";
        assert!(Validator::DerHex.check(ed25519.as_bytes()));
        assert!(Validator::DerHex.check(ed25519.to_uppercase().as_bytes()));
        // Split over lines, as keys pasted into code are.
        let split = format!("{}\n        {}", &ed25519[..41], &ed25519[41..]);
        assert!(Validator::DerHex.check(split.as_bytes()));
        // Truncated, odd length, trailing bytes, not hex, a public key.
        assert!(!Validator::DerHex.check(&ed25519.as_bytes()[..90]));
        assert!(!Validator::DerHex.check(&ed25519.as_bytes()[..95]));
        assert!(!Validator::DerHex.check(format!("{ed25519}00").as_bytes()));
        assert!(!Validator::DerHex.check(ed25519.replace('c', "g").as_bytes()));
        let spki = "302a300506032b65700321003b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29";
        assert!(!Validator::DerHex.check(spki.as_bytes()));
    }

    #[test]
    fn private_key_structure() {
        let mut der = vec![0x30, 0x82, 0x01, 0x00];
        der.extend(std::iter::repeat_n(7u8, 60));
        assert!(Validator::PrivateKey.check(pem("RSA PRIVATE KEY", &der).as_bytes()));
        // The same block written into a JSON string with escaped newlines.
        let escaped = pem("PRIVATE KEY", &der).replace('\n', "\\n");
        assert!(Validator::PrivateKey.check(escaped.as_bytes()));
        let mut ssh = b"openssh-key-v1\0".to_vec();
        ssh.extend(std::iter::repeat_n(1u8, 40));
        assert!(Validator::PrivateKey.check(pem("OPENSSH PRIVATE KEY", &ssh).as_bytes()));
        // Base64 lines that start or end with `+` keep it.
        let mut plus = vec![0x30, 0x82, 0x01, 0x00];
        plus.extend(std::iter::repeat_n(0xFBu8, 60));
        let block = pem("PRIVATE KEY", &plus);
        assert!(block.lines().nth(2).unwrap().starts_with('+'), "{block}");
        assert!(Validator::PrivateKey.check(block.as_bytes()));
        let quoted: String = block.lines().map(|l| format!("\"{l}\\n\" +\n")).collect();
        assert!(Validator::PrivateKey.check(quoted.as_bytes()));
        // A key pasted into a comment: every line carries the marker; a
        // base64 line that itself starts with `//` keeps it.
        let mut slashes = vec![0x30, 0x82, 0x01, 0x00];
        slashes.extend(std::iter::repeat_n(0xFFu8, 60));
        let block = pem("RSA PRIVATE KEY", &slashes);
        assert!(block.lines().nth(2).unwrap().starts_with("//"), "{block}");
        assert!(Validator::PrivateKey.check(block.as_bytes()));
        for marker in ["// ", "# ", " * ", "; ", "-- "] {
            let commented: String = block.lines().map(|l| format!("{marker}{l}\n")).collect();
            assert!(
                Validator::PrivateKey.check(commented.as_bytes()),
                "{commented}"
            );
        }
        // Wrong magic, not DER, and too short to be a key.
        assert!(!Validator::PrivateKey.check(pem("OPENSSH PRIVATE KEY", &der).as_bytes()));
        assert!(!Validator::PrivateKey.check(pem("RSA PRIVATE KEY", &[0x41; 64]).as_bytes()));
        assert!(
            !Validator::PrivateKey
                .check(b"-----BEGIN RSA PRIVATE KEY-----\nMIIE...\n-----END RSA PRIVATE KEY-----")
        );
    }
}
