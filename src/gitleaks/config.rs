//! gitleaks configurations (gitleaks 8.x `.gitleaks.toml`) read as leakproof
//! configurations: `[extend]` (`useDefault` turns the built-in packs on,
//! `path` extends another gitleaks file, `disabledRules`), `[[rules]]` with
//! their allowlists, and the global `[allowlist]` / `[[allowlists]]` (with
//! `targetRules`). Keys are matched case-insensitively, as gitleaks does.
//! Whatever cannot be honoured is a warning naming the key, never a silent
//! drop; gitleaks rule ids are mapped to built-in rules ([`super::ids`]).

use std::path::{Path, PathBuf};

use toml::{Table, Value};

use super::ids;
use crate::config::ConfigSpec;
use crate::rules::Severity;
use crate::rules::pack::{AllowlistSpec, Condition, RegexTarget, RuleSpec};

/// How deep `[extend] path` may chain, as in gitleaks.
const MAX_EXTEND_DEPTH: usize = 2;

/// Top-level keys that only a gitleaks configuration has.
const GITLEAKS_KEYS: [&str; 4] = ["rules", "extend", "title", "minversion"];

/// A gitleaks configuration translated to leakproof's.
#[derive(Debug, Default)]
pub struct Translated {
    /// The equivalent leakproof configuration.
    pub spec: ConfigSpec,
    /// What could not be honoured, each naming the key.
    pub warnings: Vec<String>,
}

/// True when `table`, read from `path`, is a gitleaks configuration: its
/// file name says so, or it has a key only gitleaks configurations have.
/// `[[allowlists]]` is both formats' key: it says gitleaks when an entry
/// spells a key the gitleaks way (`targetRules`, `regexTarget`), not
/// leakproof's kebab-case.
pub fn is_gitleaks(path: &Path, table: &Table) -> bool {
    let camel_case_allowlist = || {
        table
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("allowlists"))
            .filter_map(|(_, v)| v.as_array())
            .flatten()
            .filter_map(Value::as_table)
            .any(|entry| {
                entry
                    .keys()
                    .any(|k| k.bytes().any(|b| b.is_ascii_uppercase()))
            })
    };
    path.file_name().is_some_and(|n| {
        n.to_string_lossy()
            .to_ascii_lowercase()
            .contains("gitleaks")
    }) || table
        .keys()
        .any(|k| GITLEAKS_KEYS.contains(&k.to_ascii_lowercase().as_str()))
        || camel_case_allowlist()
}

/// A Go (RE2) regex in Rust `regex` syntax: Go reads a `{` that does not
/// open a repetition (`{2}`, `{2,}`, `{2,5}`) as a literal brace, Rust
/// refuses it, so such braces are escaped. Everything else gitleaks
/// configurations use means the same in both.
pub fn go_regex(src: &str) -> String {
    let bytes = src.as_bytes();
    let mut out = String::with_capacity(src.len() + 4);
    let mut in_class = false;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\\' => {
                let next = src[i + 1..].chars().next().map_or(0, char::len_utf8);
                out.push_str(&src[i..i + 1 + next]);
                i += 1 + next;
                continue;
            }
            b'[' if !in_class => in_class = true,
            b']' if in_class => in_class = false,
            b'{' if !in_class => {
                match repetition_len(&src[i..]) {
                    Some(len) => out.push_str(&src[i..i + len]),
                    None => out.push_str("\\{"),
                }
                i += repetition_len(&src[i..]).unwrap_or(1);
                continue;
            }
            b'}' if !in_class => {
                out.push_str("\\}");
                i += 1;
                continue;
            }
            _ => {}
        }
        let ch = src[i..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&src[i..i + ch]);
        i += ch;
    }
    out
}

fn go_regexes(list: Vec<String>) -> Vec<String> {
    list.iter().map(|r| go_regex(r)).collect()
}

/// The length of the `{n}`, `{n,}` or `{n,m}` that `rest` starts with.
fn repetition_len(rest: &str) -> Option<usize> {
    let end = rest.find('}')?;
    let body = &rest[1..end];
    let mut parts = body.splitn(2, ',');
    let first = parts.next().unwrap_or("");
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (digits(first) && parts.next().is_none_or(|m| m.is_empty() || digits(m))).then_some(end + 1)
}

/// The value of `key` in `table`, compared case-insensitively.
fn get<'a>(table: &'a Table, key: &str) -> Option<&'a Value> {
    table
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// Warns about every key of `table` (at `place`) not in `known`.
fn unknown_keys(table: &Table, known: &[&str], place: &str, warnings: &mut Vec<String>) {
    for key in table.keys() {
        if !known.iter().any(|k| k.eq_ignore_ascii_case(key)) {
            warnings.push(format!("`{place}{key}` is not a gitleaks 8 key; ignored"));
        }
    }
}

fn string(table: &Table, key: &str, place: &str) -> Result<Option<String>, String> {
    match get(table, key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("`{place}{key}` must be a string")),
    }
}

fn strings(table: &Table, key: &str, place: &str) -> Result<Vec<String>, String> {
    match get(table, key) {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                _ => Err(format!("`{place}{key}` must be a list of strings")),
            })
            .collect(),
        Some(_) => Err(format!("`{place}{key}` must be a list of strings")),
    }
}

fn tables<'a>(table: &'a Table, key: &str, place: &str) -> Result<Vec<&'a Table>, String> {
    match get(table, key) {
        None => Ok(Vec::new()),
        Some(Value::Table(t)) => Ok(vec![t]),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_table()
                    .ok_or_else(|| format!("`{place}{key}` must hold tables"))
            })
            .collect(),
        Some(_) => Err(format!(
            "`{place}{key}` must be a table or an array of tables"
        )),
    }
}

/// An allowlist in gitleaks' shape; `target_rules` holds gitleaks ids.
fn allowlist(
    table: &Table,
    place: &str,
    warnings: &mut Vec<String>,
) -> Result<AllowlistSpec, String> {
    unknown_keys(
        table,
        &[
            "description",
            "condition",
            "commits",
            "paths",
            "regexTarget",
            "regexes",
            "stopwords",
            "targetRules",
        ],
        place,
        warnings,
    );
    let condition = match string(table, "condition", place)?
        .unwrap_or_default()
        .to_ascii_uppercase()
        .as_str()
    {
        "" | "OR" | "||" => Condition::Or,
        "AND" | "&&" => Condition::And,
        other => {
            return Err(format!(
                "`{place}condition`: unknown condition `{other}` (expected AND or OR)"
            ));
        }
    };
    let regex_target = match string(table, "regexTarget", place)?.as_deref() {
        None | Some("" | "secret") => RegexTarget::Secret,
        Some("match") => RegexTarget::Match,
        Some("line") => RegexTarget::Line,
        Some(other) => {
            return Err(format!(
                "`{place}regexTarget`: unknown target `{other}` (expected secret, match or line)"
            ));
        }
    };
    Ok(AllowlistSpec {
        description: string(table, "description", place)?.unwrap_or_default(),
        regexes: go_regexes(strings(table, "regexes", place)?),
        regex_target,
        paths: go_regexes(strings(table, "paths", place)?),
        globs: Vec::new(),
        stopwords: strings(table, "stopwords", place)?,
        condition,
        commits: strings(table, "commits", place)?,
        target_rules: strings(table, "targetRules", place)?,
    })
}

/// One `[[rules]]` table, before extension.
#[derive(Debug, Clone, Default)]
struct GlRule {
    id: String,
    description: Option<String>,
    regex: Option<String>,
    secret_group: Option<usize>,
    entropy: Option<f64>,
    path: Option<String>,
    keywords: Vec<String>,
    tags: Vec<String>,
    allowlists: Vec<AllowlistSpec>,
}

impl GlRule {
    fn parse(table: &Table, warnings: &mut Vec<String>) -> Result<GlRule, String> {
        let id = string(table, "id", "rules.")?.ok_or("a `[[rules]]` table has no `id`")?;
        let place = format!("rules.{id}.");
        unknown_keys(
            table,
            &[
                "id",
                "description",
                "regex",
                "secretGroup",
                "entropy",
                "path",
                "keywords",
                "tags",
                "allowlist",
                "allowlists",
                "required",
                "skipReport",
            ],
            &place,
            warnings,
        );
        if get(table, "required").is_some() {
            warnings.push(format!(
                "`{place}required` (composite rules) is not supported; the rule reports on its own"
            ));
        }
        if get(table, "skipReport").and_then(Value::as_bool) == Some(true) {
            warnings.push(format!(
                "`{place}skipReport` is not supported; the rule's findings are reported"
            ));
        }
        let secret_group = match get(table, "secretGroup") {
            None => None,
            Some(Value::Integer(n)) if *n > 0 => usize::try_from(*n).ok(),
            Some(Value::Integer(0)) => None,
            Some(_) => return Err(format!("`{place}secretGroup` must be a whole number")),
        };
        let entropy = match get(table, "entropy") {
            None => None,
            Some(Value::Float(f)) => Some(*f),
            Some(Value::Integer(n)) => Some(*n as f64),
            Some(_) => return Err(format!("`{place}entropy` must be a number")),
        };
        let mut allowlists = Vec::new();
        for key in ["allowlist", "allowlists"] {
            for (i, t) in tables(table, key, &place)?.into_iter().enumerate() {
                let list = allowlist(t, &format!("{place}{key}[{i}]."), warnings)?;
                if !list.target_rules.is_empty() {
                    warnings.push(format!(
                        "`{place}{key}[{i}].targetRules` only applies to global allowlists; ignored"
                    ));
                }
                allowlists.push(AllowlistSpec {
                    target_rules: Vec::new(),
                    ..list
                });
            }
        }
        Ok(GlRule {
            description: string(table, "description", &place)?,
            regex: string(table, "regex", &place)?
                .filter(|r| !r.is_empty())
                .map(|r| go_regex(&r)),
            secret_group,
            entropy,
            path: string(table, "path", &place)?
                .filter(|p| !p.is_empty())
                .map(|p| go_regex(&p)),
            keywords: strings(table, "keywords", &place)?
                .into_iter()
                .map(|k| k.to_ascii_lowercase())
                .collect(),
            tags: strings(table, "tags", &place)?,
            allowlists,
            id,
        })
    }

    /// Merges `over` (a rule of the extending file with the same id) into
    /// this base rule, as gitleaks extends: set fields win, lists append.
    fn merge(&mut self, over: GlRule) {
        self.description = over.description.or(self.description.take());
        self.regex = over.regex.or(self.regex.take());
        self.secret_group = over.secret_group.or(self.secret_group);
        self.entropy = over.entropy.or(self.entropy);
        self.path = over.path.or(self.path.take());
        self.keywords.extend(over.keywords);
        self.tags.extend(over.tags);
        self.allowlists.extend(over.allowlists);
    }

    fn into_spec(self) -> RuleSpec {
        RuleSpec {
            name: self.description.unwrap_or_else(|| self.id.clone()),
            severity: Severity::High,
            every_file: self.keywords.is_empty(),
            keywords: self.keywords,
            regex: self.regex.unwrap_or_default(),
            secret_group: self.secret_group,
            min_entropy: self.entropy.unwrap_or(0.0),
            validator: None,
            generic: false,
            remediation: String::new(),
            references: Vec::new(),
            examples: Vec::new(),
            negative_examples: Vec::new(),
            allowlist: None,
            allowlists: self.allowlists,
            path: self.path,
            tags: self.tags,
            id: self.id,
        }
    }
}

/// One configuration file with what it extends folded in.
#[derive(Debug, Default)]
struct Layer {
    builtin: bool,
    rules: Vec<GlRule>,
    disabled_builtin: Vec<String>,
    allowlists: Vec<AllowlistSpec>,
}

/// Built-in rule ids for a rule named the gitleaks way (a gitleaks
/// default id or a leakproof id); empty when it names none.
fn builtin_ids(id: &str, builtin: &crate::rules::RuleSet) -> Vec<String> {
    match ids::builtin_rules(id) {
        Some(targets) => targets.to_vec(),
        None if builtin.get(id).is_some() => vec![id.to_string()],
        None => Vec::new(),
    }
}

fn layer(
    table: &Table,
    dir: &Path,
    depth: usize,
    builtin: &crate::rules::RuleSet,
    warnings: &mut Vec<String>,
) -> Result<Layer, String> {
    unknown_keys(
        table,
        &[
            "title",
            "description",
            "minVersion",
            "extend",
            "rules",
            "allowlist",
            "allowlists",
        ],
        "",
        warnings,
    );
    let mut rules = Vec::new();
    for t in tables(table, "rules", "")? {
        rules.push(GlRule::parse(t, warnings)?);
    }
    let mut allowlists = Vec::new();
    for key in ["allowlist", "allowlists"] {
        for (i, t) in tables(table, key, "")?.into_iter().enumerate() {
            allowlists.push(allowlist(t, &format!("{key}[{i}]."), warnings)?);
        }
    }
    let extend = match get(table, "extend") {
        None => Table::new(),
        Some(Value::Table(t)) => t.clone(),
        Some(_) => return Err("`extend` must be a table".into()),
    };
    unknown_keys(
        &extend,
        &["useDefault", "path", "url", "disabledRules"],
        "extend.",
        warnings,
    );
    if string(&extend, "url", "extend.")?.is_some() {
        warnings.push(
            "`extend.url` is not supported (gitleaks does not implement it either); ignored".into(),
        );
    }
    let use_default = match get(&extend, "useDefault") {
        None => false,
        Some(Value::Boolean(b)) => *b,
        Some(_) => return Err("`extend.useDefault` must be true or false".into()),
    };
    let path = string(&extend, "path", "extend.")?.filter(|p| !p.is_empty());
    let disabled = strings(&extend, "disabledRules", "extend.")?;
    if use_default && path.is_some() {
        return Err("`extend.path` and `extend.useDefault` cannot both be set".into());
    }
    let mut base = Layer::default();
    if depth < MAX_EXTEND_DEPTH {
        if use_default {
            base.builtin = true;
        } else if let Some(path) = &path {
            let file = [dir.join(path), PathBuf::from(path)]
                .into_iter()
                .find(|p| p.is_file())
                .ok_or_else(|| format!("`extend.path`: {path}: no such file"))?;
            let text = crate::limits::read_text(&file, crate::limits::CONFIG, "a configuration")
                .map_err(|e| format!("`extend.path`: {}: {e}", file.display()))?;
            let parent: Table = toml::from_str(&text)
                .map_err(|e| format!("`extend.path`: {}: {e}", file.display()))?;
            let parent_dir = file.parent().unwrap_or(Path::new("."));
            base = layer(&parent, parent_dir, depth + 1, builtin, warnings)?;
        }
    } else if use_default || path.is_some() {
        warnings.push(format!(
            "`extend` deeper than {MAX_EXTEND_DEPTH} levels is ignored, as in gitleaks"
        ));
    }
    // What the extending file disables goes first, then its rules are
    // merged into the base's by id.
    for id in &disabled {
        let before = base.rules.len();
        base.rules.retain(|r| &r.id != id);
        if base.rules.len() < before {
            continue;
        }
        let mapped = if base.builtin {
            builtin_ids(id, builtin)
        } else {
            Vec::new()
        };
        if mapped.is_empty() {
            warnings.push(format!(
                "`extend.disabledRules`: no rule `{id}` in the extended configuration"
            ));
        }
        base.disabled_builtin.extend(mapped);
    }
    for rule in rules {
        if let Some(old) = base.rules.iter_mut().find(|r| r.id == rule.id) {
            old.merge(rule);
            continue;
        }
        let mapped = if base.builtin {
            builtin_ids(&rule.id, builtin)
        } else {
            Vec::new()
        };
        if mapped.is_empty() {
            base.rules.push(rule);
        } else if rule.regex.is_some() {
            // A default rule redefined: it replaces the built-in rules
            // that cover it.
            base.disabled_builtin.extend(mapped);
            base.rules.push(rule);
        } else {
            // A default rule extended: its allowlists go to the built-in
            // rules that cover it; nothing else of a built-in rule changes.
            for (key, set) in [
                ("entropy", rule.entropy.is_some()),
                ("secretGroup", rule.secret_group.is_some()),
                ("path", rule.path.is_some()),
                ("keywords", !rule.keywords.is_empty()),
                ("tags", !rule.tags.is_empty()),
            ] {
                if set {
                    warnings.push(format!(
                        "`rules.{}.{key}` cannot change the built-in rules that cover `{}` ({}); ignored",
                        rule.id,
                        rule.id,
                        mapped.join(", ")
                    ));
                }
            }
            for list in rule.allowlists {
                base.allowlists.push(AllowlistSpec {
                    target_rules: mapped.clone(),
                    ..list
                });
            }
        }
    }
    allowlists.extend(base.allowlists);
    Ok(Layer {
        builtin: base.builtin,
        rules: base.rules,
        disabled_builtin: base.disabled_builtin,
        allowlists,
    })
}

/// Translates a gitleaks configuration (parsed from a file in `dir`).
pub fn translate(table: &Table, dir: &Path) -> Result<Translated, String> {
    let builtin = crate::rules::RuleSet::builtin().map_err(|e| e.to_string())?;
    let mut warnings = Vec::new();
    let layer = layer(table, dir, 0, &builtin, &mut warnings)?;
    let custom: Vec<String> = layer.rules.iter().map(|r| r.id.clone()).collect();
    let mut spec = ConfigSpec {
        builtin_rules: layer.builtin,
        disable_rules: layer.disabled_builtin,
        ..ConfigSpec::default()
    };
    for rule in layer.rules {
        if rule.regex.is_none() {
            warnings.push(format!(
                "`rules.{}` has no `regex` (a rule on file paths alone) and is not supported; ignored",
                rule.id
            ));
            continue;
        }
        spec.rule.push(rule.into_spec());
    }
    for mut list in layer.allowlists {
        if !list.target_rules.is_empty() {
            let mut targets = Vec::new();
            for id in &list.target_rules {
                if custom.contains(id) {
                    targets.push(id.clone());
                    continue;
                }
                let mapped = if layer.builtin {
                    builtin_ids(id, &builtin)
                } else {
                    Vec::new()
                };
                if mapped.is_empty() {
                    warnings.push(format!(
                        "`allowlists.targetRules`: no rule `{id}`; that target is ignored"
                    ));
                }
                targets.extend(mapped);
            }
            targets.sort();
            targets.dedup();
            if targets.is_empty() {
                continue;
            }
            list.target_rules = targets;
        }
        spec.allowlists.push(list);
    }
    spec.disable_rules.sort();
    spec.disable_rules.dedup();
    if !spec.builtin_rules && spec.rule.is_empty() {
        warnings.push(
            "no rules: the configuration neither extends gitleaks' defaults (`[extend] useDefault = true`) nor defines `[[rules]]`, so, as with gitleaks, nothing is reported".into(),
        );
    }
    Ok(Translated { spec, warnings })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_regexes_become_rust_regexes() {
        assert_eq!(go_regex(r"a{2}b{1,}c{1,3}"), r"a{2}b{1,}c{1,3}");
        assert_eq!(go_regex(r"\${{ secrets.X }}"), r"\$\{\{ secrets.X \}\}");
        assert_eq!(go_regex(r"[{}]x{"), r"[{}]x\{");
        assert_eq!(go_regex(r"\{a}é"), r"\{a\}é");
        for src in [r"\${{ secrets.X }}", r#"['"]{0,1}x{"#, r"\{a}é"] {
            assert!(regex::Regex::new(&go_regex(src)).is_ok(), "{src}");
        }
    }
}
