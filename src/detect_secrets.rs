//! detect-secrets' baseline (`.secrets.baseline`), read so that
//! `leakproof config migrate` can turn the findings a team accepted with
//! detect-secrets into a leakproof baseline. Its `results` map each file
//! to the secrets found there: the plugin `type`, the `line_number`, the
//! SHA-1 of the secret (`hashed_secret`) and, once audited, `is_secret`.

use std::collections::BTreeMap;

use serde::Deserialize;
use sha1::{Digest, Sha1};

use crate::filter::FilterFileError;
use crate::finding::redact_first_quoted;

/// One accepted secret.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Entry {
    /// The file, as detect-secrets names it (relative to where it ran).
    #[serde(skip)]
    pub filename: String,
    /// The plugin that found it (`Secret Keyword`, `AWS Access Key`, ...).
    #[serde(rename = "type")]
    pub kind: String,
    /// SHA-1 of the secret, hex.
    pub hashed_secret: String,
    /// 1-based line where it was found.
    pub line_number: usize,
    /// The audit's verdict: `true` a real secret, `false` a false positive.
    #[serde(default)]
    pub is_secret: Option<bool>,
}

#[derive(Deserialize)]
struct Baseline {
    results: BTreeMap<String, Vec<Entry>>,
}

/// True when `value` has the shape of a detect-secrets baseline: an object
/// with a `results` object and the `plugins_used` list detect-secrets
/// writes.
pub fn is_baseline(value: &serde_json::Value) -> bool {
    value
        .get("results")
        .is_some_and(serde_json::Value::is_object)
        && value.get("plugins_used").is_some()
}

/// The entries of a detect-secrets baseline named `file`, by file name
/// then line.
pub fn parse(file: &str, text: &str) -> Result<Vec<Entry>, FilterFileError> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| FilterFileError::new(file, e.line(), redact_first_quoted(&e.to_string())))?;
    if !is_baseline(&value) {
        return Err(FilterFileError::new(
            file,
            0,
            "not a detect-secrets baseline (an object with `results` and `plugins_used`)",
        ));
    }
    let baseline: Baseline = serde_json::from_value(value).map_err(|e| {
        FilterFileError::new(
            file,
            0,
            format!(
                "not a detect-secrets baseline: {}",
                redact_first_quoted(&e.to_string())
            ),
        )
    })?;
    let mut entries = Vec::new();
    for (filename, results) in baseline.results {
        for mut entry in results {
            entry.filename = filename.replace('\\', "/");
            entries.push(entry);
        }
    }
    Ok(entries)
}

/// SHA-1 of a secret, hex: what detect-secrets stores as `hashed_secret`.
pub fn hashed_secret(secret: &[u8]) -> String {
    Sha1::digest(secret)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn baselines_parse_and_secrets_hash_as_detect_secrets_does() {
        let text = r#"{
  "version": "1.5.0",
  "plugins_used": [{"name": "KeywordDetector"}],
  "results": {
    "b.py": [{"type": "Secret Keyword", "filename": "b.py", "hashed_secret": "aa", "is_verified": false, "line_number": 3}],
    "a\\c.py": [{"type": "Hex High Entropy String", "filename": "a\\c.py", "hashed_secret": "bb", "is_verified": false, "line_number": 1, "is_secret": false}]
  },
  "generated_at": "2024-01-01T00:00:00Z"
}"#;
        let entries = parse(".secrets.baseline", text).unwrap();
        let short: Vec<(&str, usize, &str, Option<bool>)> = entries
            .iter()
            .map(|e| {
                (
                    e.filename.as_str(),
                    e.line_number,
                    e.kind.as_str(),
                    e.is_secret,
                )
            })
            .collect();
        assert_eq!(
            short,
            [
                ("a/c.py", 1, "Hex High Entropy String", Some(false)),
                ("b.py", 3, "Secret Keyword", None)
            ]
        );
        assert_eq!(
            parse("x", "{\"results\": {}}").unwrap_err().to_string(),
            "x: not a detect-secrets baseline (an object with `results` and `plugins_used`)"
        );
        assert_eq!(
            hashed_secret(b"hunter2"),
            "f3bbbd66a63d4bf1747940578ec3d0103530e21d"
        );
    }
}
