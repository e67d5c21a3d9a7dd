//! `.leakproof.toml`: the project's configuration, found at the root of the
//! scanned repository (or given with `--config`). It can add packs and
//! rules, disable rules, set a severity floor, the size limit and the
//! decoding and archive depths, and add global and per-rule allowlists.
//! The built-in packs stay on unless it sets `builtin-rules = false`.
//! Unknown keys are errors.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::filter::allowlist::Allowlist;
use crate::finding::quoted;
use crate::rules::pack::{AllowlistSpec, RuleSpec};
use crate::rules::{PackError, RuleSet, Severity};

/// File name of the configuration.
pub const FILE_NAME: &str = ".leakproof.toml";
/// File name of gitleaks' configuration, read when there is no
/// [`FILE_NAME`].
pub const GITLEAKS_FILE_NAME: &str = ".gitleaks.toml";
/// File name of the ignore file (fingerprints).
pub const IGNORE_FILE_NAME: &str = ".leakproofignore";

/// The configuration file as written. Serialized (`config migrate`), it
/// leaves out what is at its default.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ConfigSpec {
    /// Load the built-in packs (default true).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub builtin_rules: bool,
    /// Extra pack files or directories, relative to the config file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub packs: Vec<PathBuf>,
    /// Rule ids not to run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disable_rules: Vec<String>,
    /// Only report rules of at least this severity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_severity: Option<Severity>,
    /// Skip files larger than this (e.g. "10M").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_file_size: Option<String>,
    /// Decode encoded text up to this many encodings deep
    /// (`--max-decode-depth`, which wins).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_decode_depth: Option<u32>,
    /// Open archives up to this many levels deep (`--max-archive-depth`,
    /// which wins).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_archive_depth: Option<u32>,
    /// Extra rules, in the pack format.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rule: Vec<RuleSpec>,
    /// An allowlist for every rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowlist: Option<AllowlistSpec>,
    /// Allowlists added to single rules, by rule id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rule_allowlists: BTreeMap<String, AllowlistSpec>,
    /// More allowlists (`[[allowlists]]`), each for every rule or for the
    /// rules its `target-rules` names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowlists: Vec<AllowlistSpec>,
}

fn is_true(b: &bool) -> bool {
    *b
}

fn yes() -> bool {
    true
}

/// A configuration that cannot be used; the message names file, line and
/// reason.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// Unreadable file.
    #[error("{path}: {message}")]
    Io {
        /// The config file.
        path: String,
        /// Why.
        message: String,
    },
    /// Syntax error, unknown key or wrong type.
    #[error("{path}: {message}")]
    Toml {
        /// The config file.
        path: String,
        /// The parser's message, with line and column.
        message: String,
    },
    /// A value that parses but cannot be used (bad regex, unknown rule id).
    #[error("{path}:{line}: {message}")]
    Invalid {
        /// The config file.
        path: String,
        /// 1-based line where the offending value is written.
        line: usize,
        /// Why.
        message: String,
    },
    /// An added pack or rule is broken.
    #[error(transparent)]
    Pack(#[from] PackError),
}

/// A loaded configuration.
#[derive(Debug)]
pub struct Config {
    /// Where it was read from.
    pub path: PathBuf,
    /// Its contents.
    pub spec: ConfigSpec,
    /// True when it is a gitleaks configuration, translated.
    pub gitleaks: bool,
    /// What a gitleaks configuration holds that cannot be honoured.
    pub warnings: Vec<String>,
    text: String,
}

/// Finds the project root for `target`: the nearest ancestor (itself
/// included) that holds `.git`; without one, `target` itself (or its
/// directory, for a file).
pub fn project_root(target: &Path) -> PathBuf {
    let start = if target.is_dir() {
        target.to_path_buf()
    } else {
        target
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    };
    let start = if start.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        start
    };
    crate::source::anchor::work_tree(&start).unwrap_or(start)
}

/// The configuration of the project at `root` when `--config` is not
/// given: `.leakproof.toml` at the root; without one, a gitleaks
/// configuration where gitleaks looks: `GITLEAKS_CONFIG` (a path),
/// `GITLEAKS_CONFIG_TOML` (the text itself), `.gitleaks.toml` at the root.
pub fn discover(root: &Path) -> Result<Option<Config>, ConfigError> {
    let own = in_root(root, FILE_NAME);
    if own.is_file() {
        return Config::load(&own).map(Some);
    }
    if let Some(path) = std::env::var_os("GITLEAKS_CONFIG").filter(|p| !p.is_empty()) {
        return Config::load(Path::new(&path)).map(Some);
    }
    if let Some(text) = std::env::var_os("GITLEAKS_CONFIG_TOML").filter(|t| !t.is_empty()) {
        let text = text.into_string().map_err(|_| ConfigError::Io {
            path: "GITLEAKS_CONFIG_TOML".into(),
            message: "not UTF-8".into(),
        })?;
        return Config::parse(Path::new("GITLEAKS_CONFIG_TOML"), text).map(Some);
    }
    let gitleaks = in_root(root, GITLEAKS_FILE_NAME);
    if gitleaks.is_file() {
        return Config::load(&gitleaks).map(Some);
    }
    Ok(None)
}

/// `root/name`, shown without a leading `./` when the root is the current
/// directory.
pub fn in_root(root: &Path, name: &str) -> PathBuf {
    if root == Path::new(".") {
        PathBuf::from(name)
    } else {
        root.join(name)
    }
}

/// 1-based line of the first occurrence of `needle` in `text` (1 if absent).
fn line_of(text: &str, needle: &str) -> usize {
    text.find(needle).map_or(1, |at| {
        text[..at].bytes().filter(|&b| b == b'\n').count() + 1
    })
}

impl Config {
    /// Reads and parses a config file: leakproof's format, or gitleaks'
    /// (see [`crate::gitleaks::config`]).
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = crate::limits::read_text(path, crate::limits::CONFIG, "a configuration")
            .map_err(|e| ConfigError::Io {
                path: path.display().to_string(),
                message: e.to_string(),
            })?;
        Config::parse(path, text)
    }

    /// Parses `text` as the configuration at `path` (which names it in
    /// errors and anchors its relative pack paths): leakproof's format, or
    /// gitleaks' (see [`crate::gitleaks::config`]).
    pub fn parse(path: &Path, text: String) -> Result<Config, ConfigError> {
        let shown = path.display().to_string();
        let toml_error = |e: toml::de::Error| ConfigError::Toml {
            path: shown.clone(),
            message: crate::rules::toml_message(&text, &e),
        };
        let table: toml::Table = toml::from_str(&text).map_err(toml_error)?;
        let (spec, gitleaks, warnings) = if crate::gitleaks::config::is_gitleaks(path, &table) {
            let dir = path.parent().unwrap_or(Path::new("."));
            let translated =
                crate::gitleaks::config::translate(&table, dir).map_err(|message| {
                    ConfigError::Invalid {
                        path: shown.clone(),
                        line: 1,
                        message,
                    }
                })?;
            (translated.spec, true, translated.warnings)
        } else {
            (
                toml::from_str(&text).map_err(toml_error)?,
                false,
                Vec::new(),
            )
        };
        let config = Config {
            path: path.to_path_buf(),
            spec,
            gitleaks,
            warnings,
            text,
        };
        if let Some(size) = &config.spec.max_file_size {
            crate::cli::parse_size(size)
                .map_err(|m| config.invalid(size, format!("max-file-size: {m}")))?;
        }
        for (key, depth, most) in [
            (
                "max-decode-depth",
                config.spec.max_decode_depth,
                crate::detect::MAX_DECODE_DEPTH,
            ),
            (
                "max-archive-depth",
                config.spec.max_archive_depth,
                crate::source::archive::MAX_DEPTH,
            ),
        ] {
            if let Some(depth) = depth.filter(|&d| d > most) {
                let message = format!("{key} = {depth} is more than {most}, the deepest allowed");
                return Err(config.invalid(key, message));
            }
        }
        Ok(config)
    }

    fn invalid(&self, needle: &str, message: String) -> ConfigError {
        ConfigError::Invalid {
            path: self.path.display().to_string(),
            line: line_of(&self.text, needle),
            message,
        }
    }

    /// The size limit it sets, if any.
    pub fn max_file_size(&self) -> Option<u64> {
        self.spec
            .max_file_size
            .as_deref()
            .and_then(|s| crate::cli::parse_size(s).ok())
    }

    fn allowlist(&self, spec: &AllowlistSpec, what: &str) -> Result<Allowlist, ConfigError> {
        Allowlist::compile(spec, &self.path.display().to_string())
            .and_then(|list| list.compile_now().map(|()| list))
            .map_err(|message| {
                let needle = spec
                    .regexes
                    .iter()
                    .chain(&spec.paths)
                    .chain(&spec.globs)
                    .find(|entry| message.contains(&format!("`{}`", quoted(entry))))
                    .map_or(what, String::as_str);
                self.invalid(needle, format!("{what}: {message}"))
            })
    }

    /// Applies the configuration to a rule set: packs and rules first, then
    /// disabled rules, allowlists and the severity floor.
    pub fn apply(&self, rules: &mut RuleSet) -> Result<(), ConfigError> {
        let base = self.path.parent().unwrap_or(Path::new("."));
        for pack in &self.spec.packs {
            rules.add_path(&base.join(pack))?;
        }
        let disabled = &self.spec.disable_rules;
        for id in disabled {
            if rules.get(id).is_none() && !self.spec.rule.iter().any(|r| &r.id == id) {
                return Err(self.invalid(
                    id,
                    format!("disable-rules: unknown rule id `{}`", quoted(id)),
                ));
            }
        }
        // Disabled rules go before the config's own rules come in, so a
        // rule can replace a built-in one of the same id.
        rules.retain(|r| !disabled.contains(&r.id));
        let source = self.path.display().to_string();
        for spec in &self.spec.rule {
            rules.add_rule(&source, spec.clone())?;
        }
        if let Some(spec) = &self.spec.allowlist {
            if !spec.target_rules.is_empty() {
                return Err(self.invalid(
                    "target-rules",
                    "allowlist: target-rules belongs in [[allowlists]]".into(),
                ));
            }
            rules.add_global_allowlist(self.allowlist(spec, "allowlist")?);
        }
        for (i, spec) in self.spec.allowlists.iter().enumerate() {
            let what = format!("allowlists[{i}]");
            if spec.target_rules.is_empty() {
                rules.add_global_allowlist(self.allowlist(spec, &what)?);
            }
            for id in &spec.target_rules {
                if !rules.add_rule_allowlist(id, self.allowlist(spec, &what)?) {
                    return Err(self.invalid(
                        id,
                        format!("{what}: target-rules: unknown rule id `{}`", quoted(id)),
                    ));
                }
            }
        }
        for (id, spec) in &self.spec.rule_allowlists {
            let list = self.allowlist(spec, &format!("rule-allowlists.{}", quoted(id)))?;
            if !rules.add_rule_allowlist(id, list) {
                return Err(self.invalid(
                    id,
                    format!("rule-allowlists: unknown rule id `{}`", quoted(id)),
                ));
            }
        }
        let floor = self.spec.min_severity;
        rules.retain(|r| !disabled.contains(&r.id) && floor.is_none_or(|min| r.severity >= min));
        Ok(())
    }
}

/// The commented starting file written by `leakproof config init`.
pub const TEMPLATE: &str = r#"# leakproof configuration. Found at the root of the scanned repository, or
# given with --config. Every key is optional; unknown keys are errors.

# The built-in rule packs stay on unless this is false.
# builtin-rules = true

# Extra rule packs (files or directories of *.toml), relative to this file.
# packs = ["ci/secret-rules.toml"]

# Rules that should not run, by id (`leakproof rules list`).
# disable-rules = ["generic-secret"]

# Only report findings of at least this severity: low, medium, high, critical.
# min-severity = "medium"

# Skip files larger than this.
# max-file-size = "25M"

# How many encodings deep encoded text is decoded and scanned (0: never),
# and how many levels of archives inside archives are opened (0: none).
# The command-line flags of the same names win.
# max-decode-depth = 3
# max-archive-depth = 2

# Allowlist for every rule. Any entry that matches drops the finding;
# `leakproof scan --show-suppressed` says which entry did.
# [allowlist]
# description = "test fixtures and documented sample keys"
# paths = ['''(^|/)testdata/''']          # regexes on the path
# globs = ["**/fixtures/**"]               # globs on the path
# regexes = ['''^sk_test_''']              # regexes on the secret ...
# regex-target = "secret"                  # ... or "match" or "line"
# stopwords = ["dummy", "sample"]          # substrings of the secret

# Allowlist for one rule.
# [rule-allowlists.github-pat-classic]
# paths = ['''^docs/''']

# An extra rule, in the pack format (see README, "Rules").
# [[rule]]
# id = "acme-api-key"
# name = "ACME internal API key"
# severity = "high"
# keywords = ["acme_"]
# regex = '''\b(acme_[a-z0-9]{32})\b'''
# min-entropy = 3.0
# examples = ['ACME_KEY=acme_k2m9x7q4w8e1r5t3y6u0i2o4p7a9s1d3']
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_parses_as_an_empty_config() {
        let spec: ConfigSpec = toml::from_str(TEMPLATE).unwrap();
        assert!(spec.builtin_rules);
        assert!(spec.rule.is_empty() && spec.allowlist.is_none());
        let uncommented: String = TEMPLATE
            .lines()
            .map(|l| {
                l.strip_prefix("# ")
                    .filter(|r| r.contains('=') || r.starts_with('['))
                    .unwrap_or("")
            })
            .collect::<Vec<_>>()
            .join("\n");
        let spec: ConfigSpec = toml::from_str(&uncommented).unwrap();
        assert_eq!(spec.disable_rules, vec!["generic-secret"]);
        // Every rule id the template names exists.
        let builtin = crate::rules::RuleSet::builtin().unwrap();
        for id in &spec.disable_rules {
            assert!(
                builtin.get(id).is_some(),
                "the template names unknown rule `{id}`"
            );
        }
        assert_eq!(spec.rule.len(), 1);
    }

    #[test]
    fn lines_of_values() {
        assert_eq!(line_of("a\nb = 'x'\n", "x"), 2);
        assert_eq!(line_of("a\n", "zzz"), 1);
    }
}
