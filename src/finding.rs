//! What a scan reports: [`Finding`], its fingerprint, redaction, and the
//! reasons a candidate can be suppressed.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::filter::allowlist::AllowReason;
use crate::rules::Severity;

/// How sure leakproof is that a finding is a real credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// The pattern and entropy match.
    Medium,
    /// An offline validator also confirmed the structure.
    High,
}

/// Why a candidate is not reported.
#[derive(Debug, Clone, PartialEq)]
pub enum Suppression {
    /// The secret's entropy is below the rule's threshold.
    Entropy {
        /// Measured entropy.
        value: f64,
        /// The rule's `min-entropy`.
        min: f64,
    },
    /// The secret failed the rule's offline validator.
    Validator(&'static str),
    /// A generic rule yielded to a specific rule (its id).
    Superseded(String),
    /// An allowlist entry matched; `scope` is the rule id or `global`.
    Allowlist {
        /// Whose allowlist.
        scope: String,
        /// The pack or config file that defined it.
        source: String,
        /// Which entry.
        reason: AllowReason,
    },
    /// An inline comment on the line (or the line before) allowed it.
    Inline(&'static str),
    /// Its fingerprint is listed in an ignore file.
    IgnoreFile {
        /// The ignore file.
        file: String,
        /// 1-based line of the entry.
        line: usize,
    },
    /// A baseline entry accepted it.
    Baseline {
        /// The baseline file.
        file: String,
        /// 1-based line of the entry.
        line: usize,
    },
}

impl Suppression {
    /// Short name of the mechanism, used to count suppressions.
    pub fn mechanism(&self) -> &'static str {
        match self {
            Suppression::Entropy { .. } => "entropy",
            Suppression::Validator(_) => "validator",
            Suppression::Superseded(_) => "superseded",
            Suppression::Allowlist {
                reason: AllowReason::Stopword(_),
                ..
            } => "stopword",
            Suppression::Allowlist { .. } => "allowlist",
            Suppression::Inline(_) => "inline",
            Suppression::IgnoreFile { .. } => "ignore-file",
            Suppression::Baseline { .. } => "baseline",
        }
    }
}

impl Suppression {
    /// The 1-based line of the entry responsible in [`Self::source`], for
    /// an ignore file or baseline entry.
    pub fn entry(&self) -> Option<usize> {
        match self {
            Suppression::IgnoreFile { line, .. } | Suppression::Baseline { line, .. } => {
                Some(*line)
            }
            _ => None,
        }
    }

    /// The file holding the entry responsible, if a file is.
    pub fn source(&self) -> &str {
        match self {
            Suppression::Allowlist { source, .. } => source,
            Suppression::IgnoreFile { file, .. } | Suppression::Baseline { file, .. } => file,
            _ => "",
        }
    }
}

impl std::fmt::Display for Suppression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Suppression::Entropy { value, min } => {
                write!(f, "entropy {value:.2} below threshold {min:.2}")
            }
            Suppression::Validator(name) => write!(f, "failed validator `{name}`"),
            Suppression::Superseded(id) => write!(f, "superseded by rule `{id}`"),
            Suppression::Allowlist {
                scope,
                source,
                reason,
            } => write!(f, "{reason} ({scope} allowlist in {source})"),
            Suppression::Inline(marker) => write!(f, "inline `{marker}`"),
            Suppression::IgnoreFile { file, line } => {
                write!(f, "fingerprint listed in {file}:{line}")
            }
            Suppression::Baseline { file, line } => write!(f, "baseline entry {file}:{line}"),
        }
    }
}

/// Git provenance of a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Commit {
    /// Commit id that introduced the blob.
    pub commit: String,
    /// Author name and email.
    pub author: String,
    /// Commit date (RFC 3339).
    pub date: String,
    /// First line of the commit message.
    pub message: String,
    /// Commit time in seconds since the epoch, to order findings.
    #[serde(skip)]
    pub time: i64,
}

/// One reported secret.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// Rule id.
    pub rule_id: String,
    /// Rule name.
    pub rule_name: String,
    /// Rule severity.
    pub severity: Severity,
    /// How sure the match is.
    pub confidence: Confidence,
    /// Where the secret is (`-` for stdin).
    pub path: String,
    /// 1-based line of the secret's start.
    pub line: usize,
    /// 1-based column of the secret's start.
    pub column: usize,
    /// 1-based line of the secret's end.
    pub end_line: usize,
    /// 1-based column just past the secret's end.
    pub end_column: usize,
    /// The secret, redacted unless `--show-secrets`.
    pub secret: String,
    /// The whole match, with the secret redacted unless `--show-secrets`.
    #[serde(rename = "match")]
    pub matched: String,
    /// Shannon entropy of the secret.
    pub entropy: f64,
    /// Stable identity: rule id + path + hash of the secret.
    pub fingerprint: String,
    /// The finding's identity: its path relative to the repository root
    /// (see [`crate::source::anchor`]), which the fingerprint, allowlists,
    /// baselines, SARIF and annotations use; `path` is as the user typed it.
    pub fingerprint_path: String,
    /// The encodings the secret was found under, outermost first
    /// (`base64 > percent`); the location is that of the encoded text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decoding: Option<String>,
    /// Git provenance, for history scans.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub commit: Option<Box<Commit>>,
    /// For a secret inside an archive: the identity of the outermost
    /// archive, the file in the checkout (or blob in history) that holds
    /// it; `fingerprint_path` is that, `!`, the path inside.
    #[serde(skip)]
    pub archive: Option<String>,
    /// The line around the secret, when asked for (`--context`).
    #[serde(skip)]
    pub context: Option<Box<Context>>,
}

/// The line of a finding, split around its secret; other secrets on the
/// line are redacted unless `--show-secrets`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    /// The line before the secret.
    pub before: String,
    /// The secret as shown (redacted unless `--show-secrets`).
    pub secret: String,
    /// The line after the secret.
    pub after: String,
    /// The line goes on before `before` (cut at a long line).
    pub cut_before: bool,
    /// The line goes on after `after`.
    pub cut_after: bool,
}

impl Finding {
    /// For a secret inside an archive, the outermost archive's identity
    /// and the secret's path inside it (`a.zip`, `lib/b.jar!c.env`).
    pub fn in_archive(&self) -> Option<(&str, &str)> {
        let archive = self.archive.as_deref()?;
        let inner = self.fingerprint_path.get(archive.len() + 1..)?;
        Some((archive, inner))
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// SHA-256 of the secret, hex: how baselines and fingerprints refer to a
/// secret without storing it.
pub fn secret_hash(secret: &[u8]) -> String {
    hex(&Sha256::digest(secret))
}

/// The fingerprint of a finding: stable across line moves, unique per rule,
/// path and secret. `commit` is included only when asked.
pub fn fingerprint(rule_id: &str, path: &str, secret: &[u8], commit: Option<&str>) -> String {
    let mut h = Sha256::new();
    h.update(rule_id.as_bytes());
    h.update([0]);
    h.update(path.as_bytes());
    h.update([0]);
    h.update(secret);
    if let Some(c) = commit {
        h.update([0]);
        h.update(c.as_bytes());
    }
    hex(&h.finalize()[..16])
}

/// Redacts a secret: at most the first four characters (fewer for short
/// secrets, none below 8) followed by a fixed mask that hides the length.
pub fn redact(secret: &str) -> String {
    let n = secret.chars().count();
    let keep = if n < 8 { 0 } else { (n / 5).min(4) };
    let prefix: String = secret.chars().take(keep).collect();
    format!("{prefix}*****")
}

/// A value from a user's file or command line as an error message quotes
/// it: in full when shorter than 8 characters or a lowercase word (a key,
/// rule id or severity: letters joined by `-`, `_` or `.`), so a typo stays
/// visible; anything else, which could be a token or a password, redacted
/// like a secret. The message keeps the file, line and column, which say
/// where the value is.
pub fn quoted(value: &str) -> String {
    let word = value
        .bytes()
        .all(|b| b.is_ascii_lowercase() || matches!(b, b'-' | b'_' | b'.'));
    if word || value.chars().count() < 8 {
        value.to_string()
    } else {
        redact(value)
    }
}

/// `message` (a parser's: serde, TOML, JSON) with its first quoted value,
/// between backticks or double quotes, passed through [`quoted`]: parsers
/// quote the offending input first (`invalid type: string "…", expected
/// …`, ``unknown field `…` ``), then what they expected, which stays.
pub fn redact_first_quoted(message: &str) -> String {
    let Some(open) = message.find(['`', '"']) else {
        return message.to_string();
    };
    let quote = &message[open..=open];
    let body = open + 1;
    let Some(len) = message[body..].find(quote) else {
        return format!("{}{}", &message[..body], quoted(&message[body..]));
    };
    format!(
        "{}{}{}",
        &message[..body],
        quoted(&message[body..body + len]),
        &message[body + len..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_values_hide_secrets_and_keep_short_typos() {
        assert_eq!(quoted("hig"), "hig");
        assert_eq!(quoted("min-entopy"), "min-entopy");
        assert_eq!(quoted("hunterHunter"), "hu*****");
        assert_eq!(
            quoted("ghp_abcdefghijklmnopqrstuvwxyz0123456789"),
            "ghp_*****"
        );
        assert_eq!(
            redact_first_quoted("invalid type: string \"hunter2hunter2\", expected `u64`"),
            "invalid type: string \"hu*****\", expected `u64`"
        );
        assert_eq!(
            redact_first_quoted("unknown field `ghp_abcdefghijklmno9`, expected `rule`"),
            "unknown field `ghp_*****`, expected `rule`"
        );
        assert_eq!(redact_first_quoted("expected `=`"), "expected `=`");
        assert_eq!(redact_first_quoted("open \"abcdefghi9"), "open \"ab*****");
        assert_eq!(redact_first_quoted("no quotes"), "no quotes");
    }

    #[test]
    fn redaction_hides_the_body() {
        assert_eq!(
            redact("ghp_abcdefghijklmnopqrstuvwxyz0123456789"),
            "ghp_*****"
        );
        assert_eq!(redact("hunter2"), "*****");
        assert_eq!(redact("abcdefghij"), "ab*****");
    }

    #[test]
    fn fingerprint_depends_on_rule_path_secret_only() {
        let a = fingerprint("r", "p", b"s", None);
        assert_eq!(a.len(), 32);
        assert_eq!(a, fingerprint("r", "p", b"s", None));
        assert_ne!(a, fingerprint("r2", "p", b"s", None));
        assert_ne!(a, fingerprint("r", "p2", b"s", None));
        assert_ne!(a, fingerprint("r", "p", b"s2", None));
        assert_ne!(a, fingerprint("r", "p", b"s", Some("c")));
    }
}
