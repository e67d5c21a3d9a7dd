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

/// A TOML error as a message that never quotes the offending text: the
/// line and column, then the parser's message with its first quoted value
/// passed through [`crate::finding::quoted`] (the parser's own rendering
/// shows the whole source line, which may hold a secret).
pub fn toml_message(text: &str, err: &toml::de::Error) -> String {
    let message = crate::finding::redact_first_quoted(err.message().trim_end());
    match err.span() {
        Some(span) => {
            let (line, column) = line_column(text, span.start);
            format!("line {line}, column {column}: {message}")
        }
        None => message,
    }
}

/// A regex syntax error as a message that never quotes the pattern (its
/// rendering repeats it): the 1-based column, then what is wrong.
pub fn regex_message(err: &regex_syntax::Error) -> String {
    match err {
        regex_syntax::Error::Parse(e) => format!("column {}: {}", e.span().start.column, e.kind()),
        regex_syntax::Error::Translate(e) => {
            format!("column {}: {}", e.span().start.column, e.kind())
        }
        _ => "invalid syntax".to_string(),
    }
}

/// A regex build error (past the syntax check, only the size limit is
/// left) without the pattern.
pub fn regex_build_message(err: &regex::Error) -> String {
    build_message(match err {
        regex::Error::CompiledTooBig(limit) => Some(*limit),
        _ => None,
    })
}

/// The message for a regex that failed to build past the syntax check:
/// over the size limit `limit`, else a plain "does not compile".
pub fn build_message(limit: Option<usize>) -> String {
    match limit {
        Some(limit) => format!("the compiled regex exceeds the size limit of {limit} bytes"),
        None => "the regex does not compile".to_string(),
    }
}

/// 1-based line and column (in characters) of byte `offset` of `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let head = text.get(..offset).unwrap_or(text);
    let line_start = head.rfind('\n').map_or(0, |i| i + 1);
    let line = head.bytes().filter(|&b| b == b'\n').count() + 1;
    (line, head[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_and_regex_messages_do_not_quote_the_source() {
        let text = "a = 1\nkey = \"ghp_abcdefghijklmnopqrstuvwxyz0123456789\" x\n";
        let err = toml::from_str::<toml::Table>(text).unwrap_err();
        let message = toml_message(text, &err);
        assert!(message.starts_with("line 2, column "), "{message}");
        assert!(!message.contains("abcdef"), "{message}");
        let err = regex_syntax::Parser::new()
            .parse("ghp_secretsecret(")
            .unwrap_err();
        assert_eq!(regex_message(&err), "column 17: unclosed group");
    }
}
