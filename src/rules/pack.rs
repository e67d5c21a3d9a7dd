//! The serde mirror of one rule-pack file, exactly as a user writes it.
//!
//! Every struct denies unknown fields so that a typo (`min-entopy`) is an
//! error naming the pack, line and key instead of a silently ignored setting.

use serde::{Deserialize, Serialize};

use super::Severity;

/// One `*.toml` rule pack: rules plus an optional pack-wide allowlist.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PackSpec {
    /// Rules defined by this pack, in `[[rule]]` tables.
    #[serde(default)]
    pub rule: Vec<RuleSpec>,
    /// An allowlist applied to every rule of every pack (global filter).
    #[serde(default)]
    pub allowlist: Option<AllowlistSpec>,
}

/// One `[[rule]]` table. Serialized (`config migrate`), it leaves out
/// what is at its default.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RuleSpec {
    /// Stable kebab-case identifier, used in fingerprints and SARIF `ruleId`.
    pub id: String,
    /// Human-readable name.
    pub name: String,
    /// How bad a leak of this kind is.
    pub severity: Severity,
    /// Case-insensitive literals; the rule only runs where one occurs.
    pub keywords: Vec<String>,
    /// The pattern (Rust `regex` syntax, run on bytes).
    pub regex: String,
    /// Which capture group holds the secret (default: 1 if present, else 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_group: Option<usize>,
    /// Minimum Shannon entropy (bits per byte) the secret must reach.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub min_entropy: f64,
    /// Name of an offline structural validator (see `detect::validate`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validator: Option<String>,
    /// A catch-all rule: dropped when a specific rule reports an overlapping
    /// secret.
    #[serde(default, skip_serializing_if = "is_false")]
    pub generic: bool,
    /// What to do about a leak of this kind (revoke, rotate).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub remediation: String,
    /// Links to the provider's documentation of the format.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// Inputs that must yield exactly one finding of this rule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<String>,
    /// Inputs that must yield no finding at all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub negative_examples: Vec<String>,
    /// Rule-specific allowlist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowlist: Option<AllowlistSpec>,
    /// More rule-specific allowlists (`[[rule.allowlists]]`), each with its
    /// own `regex-target`: one can test the secret, another the whole match
    /// or line.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowlists: Vec<AllowlistSpec>,
    /// A regex on the path (the finding's identity): the rule only reports
    /// in files whose path matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Labels reported with the findings (`--format gitleaks` `Tags`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Run on every file: a rule without keywords (as gitleaks allows).
    /// Slower, since the keyword prefilter cannot skip it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub every_file: bool,
}

fn is_false(b: &bool) -> bool {
    !b
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

fn is_default<T: Default + PartialEq>(x: &T) -> bool {
    *x == T::default()
}

/// Where an allowlist regex is matched.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RegexTarget {
    /// The secret capture only.
    #[default]
    Secret,
    /// The whole regex match.
    Match,
    /// The full line(s) holding the match.
    Line,
}

/// An allowlist: any entry that matches drops the candidate.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AllowlistSpec {
    /// Why these entries are allowed (shown with `--show-suppressed`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Regexes tested against `regex-target`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regexes: Vec<String>,
    /// What the `regexes` are tested against.
    #[serde(default, skip_serializing_if = "is_default")]
    pub regex_target: RegexTarget,
    /// Regexes tested against the path of the blob.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<String>,
    /// Glob patterns (`**/testdata/**`) tested against the path of the blob.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub globs: Vec<String>,
    /// Case-insensitive substrings of the secret.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stopwords: Vec<String>,
    /// `or` (default): any entry drops the candidate; `and`: every kind
    /// of entry the allowlist has (regexes, paths, stopwords, commits) must
    /// match.
    #[serde(default, skip_serializing_if = "is_default")]
    pub condition: Condition,
    /// Commit ids (git scans): findings introduced by these commits.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub commits: Vec<String>,
    /// In a configuration's `[[allowlists]]`: the rules it applies to
    /// (empty: every rule).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub target_rules: Vec<String>,
}

/// How the entries of an allowlist combine.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Condition {
    /// Any entry allows.
    #[default]
    Or,
    /// Every kind of entry present must allow.
    And,
}
