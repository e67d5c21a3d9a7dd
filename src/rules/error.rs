//! Errors from loading rule packs: each names the pack, and the rule when
//! one is at fault.

use thiserror::Error;

/// A rule pack could not be loaded. Never skipped silently.
#[derive(Debug, Error)]
pub enum PackError {
    /// The pack file could not be read.
    #[error("{pack}: {message}")]
    Io {
        /// Pack path.
        pack: String,
        /// What went wrong.
        message: String,
    },
    /// The TOML is malformed or holds an unknown or mistyped field.
    #[error("{pack}: {rule}{message}")]
    Toml {
        /// Pack path.
        pack: String,
        /// `rule `id`: ` when the error lies inside a rule whose id is known.
        rule: String,
        /// The parser's message, with line and column.
        message: String,
    },
    /// One rule is invalid.
    #[error("{pack}: rule `{rule}`: {reason}")]
    Rule {
        /// Pack path.
        pack: String,
        /// Rule id (or `allowlist` for the pack allowlist).
        rule: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl PackError {
    /// An error in one rule of a pack.
    pub fn rule(pack: &str, rule: &str, reason: impl Into<String>) -> Self {
        PackError::Rule {
            pack: pack.to_string(),
            rule: rule.to_string(),
            reason: reason.into(),
        }
    }
}
