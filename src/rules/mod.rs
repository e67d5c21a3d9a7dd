//! Rules: what leakproof knows about secrets, loaded from TOML packs.
//!
//! Built-in packs are compiled into the binary ([`builtin`]); users add packs
//! with `--rules`. Loading checks everything a user can get wrong (syntax,
//! unknown fields, bad regexes, capture groups, duplicate ids, missing
//! keywords) and reports it with the pack path and rule id ([`PackError`]).

pub mod builtin;
mod compile;
mod error;
pub mod pack;
pub mod selftest;

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::sync::OnceLock;

use clap::ValueEnum;
use regex_automata::meta::Regex;
use serde::{Deserialize, Serialize};

pub use error::{PackError, build_message, regex_build_message, regex_message, toml_message};

use crate::detect::validate::Validator;
use crate::filter::allowlist::Allowlist;

/// How bad a leak of a given kind is; ordered from least to most severe.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Little direct impact (e.g. a read-only or narrowly scoped key).
    Low,
    /// Limited impact.
    Medium,
    /// Broad access to a service or its data.
    High,
    /// Account or infrastructure takeover.
    Critical,
}

impl Severity {
    /// The lowercase name used in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "low" => Ok(Severity::Low),
            "medium" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            "critical" => Ok(Severity::Critical),
            _ => Err(format!(
                "unknown severity `{s}` (expected low, medium, high or critical)"
            )),
        }
    }
}

/// A compiled rule, ready for the engine.
#[derive(Debug)]
pub struct Rule {
    /// Stable identifier.
    pub id: String,
    /// Human-readable name.
    pub name: String,
    /// How bad a leak of this kind is.
    pub severity: Severity,
    /// Lowercased keywords that trigger the rule.
    pub keywords: Vec<String>,
    /// The regex source, as written in the pack.
    pub pattern: String,
    regex: OnceLock<Regex>,
    keyword_in_match: OnceLock<bool>,
    secret_group_spec: Option<usize>,
    secret_group: OnceLock<usize>,
    /// Minimum Shannon entropy of the secret.
    pub min_entropy: f64,
    /// Offline structural check, if the format has one.
    pub validator: Option<Validator>,
    /// Yields to specific rules that report an overlapping secret.
    pub generic: bool,
    line_span: OnceLock<Option<u32>>,
    /// How to revoke or rotate a leaked credential of this kind.
    pub remediation: String,
    /// Documentation links.
    pub references: Vec<String>,
    /// Inputs that must yield exactly this rule.
    pub examples: Vec<String>,
    /// Inputs that must yield nothing.
    pub negative_examples: Vec<String>,
    /// Rule-specific allowlists (the pack's, then any from the config).
    pub allowlists: Vec<Allowlist>,
    /// The rule reports only in files whose identity matches this.
    pub path: Option<regex::Regex>,
    /// Labels reported with its findings.
    pub tags: Vec<String>,
    /// The pack this rule came from (file name or path).
    pub pack: String,
}

impl Rule {
    /// The compiled regex, built on first use so that rules whose keywords
    /// never occur cost nothing at start-up.
    pub fn regex(&self) -> &Regex {
        self.regex
            .get_or_init(|| compile::build_regex(&self.pattern))
    }

    /// Index of the capture group holding the secret: the pack's
    /// `secret-group`, else 1 if the regex has a group and 0 if not.
    pub fn secret_group(&self) -> usize {
        *self.secret_group.get_or_init(|| {
            self.secret_group_spec
                .unwrap_or(usize::from(self.regex().captures_len() > 1))
        })
    }

    /// How many line breaks a match can hold at most, runs of whitespace
    /// counted as two; `None` when a match can span any number of lines
    /// (a PEM block). See [`Rule::window_lines`].
    pub fn line_span(&self) -> Option<u32> {
        *self.line_span.get_or_init(|| {
            compile::parse(&self.pattern)
                .ok()
                .and_then(|hir| compile::line_span(&hir))
        })
    }

    /// True if every match provably holds one of the keywords (read from
    /// the regex's structure on first use). Such a rule can run in windows
    /// around its keyword hits; one whose keyword only needs to occur
    /// somewhere in the file (`twilio` anywhere, then `SK` and 32 hex
    /// digits) cannot.
    pub fn keyword_in_match(&self) -> bool {
        *self.keyword_in_match.get_or_init(|| {
            compile::parse(&self.pattern)
                .is_ok_and(|hir| compile::keyword_in_every_match(&hir, &self.keywords))
        })
    }

    /// The lines a window around a keyword hit needs on each side to hold every match of this rule; `None` if the rule must
    /// see the whole blob (a match can span any number of lines, or the
    /// keyword need not be in the match).
    pub fn window_lines(&self) -> Option<u32> {
        self.line_span().filter(|_| self.keyword_in_match())
    }
}

/// Every rule of a scan plus the pack-wide allowlists; built once, shared
/// read-only by all threads.
#[derive(Debug, Default)]
pub struct RuleSet {
    rules: Vec<Rule>,
    global_allowlists: Vec<Allowlist>,
    by_id: HashMap<String, usize>,
}

impl RuleSet {
    /// The packs compiled into the binary.
    pub fn builtin() -> Result<RuleSet, PackError> {
        RuleSet::builtin_except(&[])
    }

    /// The built-in packs except those whose file name is in `skip` (so a
    /// user can test an edited copy of a built-in pack in its place).
    pub fn builtin_except(skip: &[&str]) -> Result<RuleSet, PackError> {
        let mut set = RuleSet::default();
        for (name, text) in builtin::PACKS {
            if !skip.contains(name) {
                set.add_pack(name, text, false)?;
            }
        }
        Ok(set)
    }

    /// Adds one pack given as text; `name` is used in errors. With `eager`,
    /// every regex is compiled now (user packs), so a regex that only fails
    /// at full compilation is still reported at load.
    pub fn add_pack(&mut self, name: &str, text: &str, eager: bool) -> Result<(), PackError> {
        let spec: pack::PackSpec = toml::from_str(text).map_err(|e| {
            let rule = e
                .span()
                .and_then(|span| compile::rule_id_at(text, span.start));
            PackError::Toml {
                pack: name.to_string(),
                rule: rule.map_or_else(String::new, |id| {
                    format!("rule `{}`: ", crate::finding::quoted(&id))
                }),
                message: toml_message(text, &e),
            }
        })?;
        if let Some(spec) = &spec.allowlist {
            let list = Allowlist::compile(spec, name)
                .and_then(|list| {
                    if eager {
                        list.compile_now()?;
                    }
                    Ok(list)
                })
                .map_err(|reason| PackError::rule(name, "allowlist", reason))?;
            self.global_allowlists.push(list);
        }
        for rule_spec in spec.rule {
            let rule = compile::compile_rule(name, rule_spec, eager)?;
            if eager {
                compile::check_full_compile(&rule)?;
            }
            self.insert(name, rule)?;
        }
        Ok(())
    }

    /// Adds a user pack file, or every `*.toml` file in a directory (sorted).
    pub fn add_path(&mut self, path: &Path) -> Result<(), PackError> {
        let read = |p: &Path| {
            crate::limits::read_text(p, crate::limits::PACK, "a rule pack").map_err(|e| {
                PackError::Io {
                    pack: p.display().to_string(),
                    message: e.to_string(),
                }
            })
        };
        if path.is_dir() {
            let entries = std::fs::read_dir(path).map_err(|e| PackError::Io {
                pack: path.display().to_string(),
                message: e.to_string(),
            })?;
            let mut files: Vec<_> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect();
            files.sort();
            if files.is_empty() {
                return Err(PackError::Io {
                    pack: path.display().to_string(),
                    message: "directory holds no *.toml rule pack".to_string(),
                });
            }
            for file in files {
                self.add_pack(&file.display().to_string(), &read(&file)?, true)?;
            }
            Ok(())
        } else {
            self.add_pack(&path.display().to_string(), &read(path)?, true)
        }
    }

    /// Removes rules that `keep` rejects (disabled ids, severity floor).
    pub fn retain(&mut self, mut keep: impl FnMut(&Rule) -> bool) {
        self.rules.retain(|r| keep(r));
        self.by_id = self
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect();
    }

    /// All rules, in load order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The allowlists that apply to every rule.
    pub fn global_allowlists(&self) -> &[Allowlist] {
        &self.global_allowlists
    }

    /// Adds an allowlist that applies to every rule.
    pub fn add_global_allowlist(&mut self, list: Allowlist) {
        self.global_allowlists.push(list);
    }

    /// Adds an allowlist to one rule; false if there is no such rule.
    pub fn add_rule_allowlist(&mut self, id: &str, list: Allowlist) -> bool {
        match self.by_id.get(id) {
            Some(&i) => {
                self.rules[i].allowlists.push(list);
                true
            }
            None => false,
        }
    }

    /// Adds one rule defined outside a pack file (e.g. in the config).
    pub fn add_rule(&mut self, source: &str, spec: pack::RuleSpec) -> Result<(), PackError> {
        let rule = compile::compile_rule(source, spec, true)?;
        compile::check_full_compile(&rule)?;
        self.insert(source, rule)
    }

    fn insert(&mut self, name: &str, rule: Rule) -> Result<(), PackError> {
        if let Some(&other) = self.by_id.get(&rule.id) {
            return Err(PackError::rule(
                name,
                &rule.id,
                format!(
                    "duplicate rule id (first defined in {})",
                    self.rules[other].pack
                ),
            ));
        }
        self.by_id.insert(rule.id.clone(), self.rules.len());
        self.rules.push(rule);
        Ok(())
    }

    /// Looks a rule up by id.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.by_id.get(id).map(|&i| &self.rules[i])
    }

    /// Number of rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// True if and only if there are no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}
