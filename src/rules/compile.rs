//! Turns a [`RuleSpec`] into a [`Rule`]: checks every field a user can get
//! wrong and reports it with the pack and rule id.

use std::sync::OnceLock;

use regex_automata::meta::{self, Regex};
use regex_automata::util::syntax;
use regex_syntax::hir::{Class, Hir, HirKind};

use super::pack::RuleSpec;
use super::{PackError, Rule, build_message, regex_build_message, regex_message};
use crate::detect::validate::Validator;
use crate::filter::allowlist::Allowlist;
use crate::finding::quoted;

/// Size limit for one compiled rule regex.
const REGEX_SIZE_LIMIT: usize = 32 << 20;

/// Capacity of each rule regex's lazy DFA cache, per thread. The default
/// (2 MiB) let a few hundred rules hold most of a scan's memory; rule
/// regexes are small, and a directory scan runs no slower at 512 KiB.
const DFA_CACHE_LIMIT: usize = 512 << 10;

/// Builds a rule regex. ASCII semantics by default: `\b`, `\w` and `\s`
/// stay on the fast DFA paths and tokens are ASCII anyway; `(?u)` opts back
/// in. No one-pass DFA: it only speeds up reading the groups of a match,
/// which few candidates need, and it held a few MiB across the hundreds of
/// rule regexes a scan compiles; groups come from the bounded backtracker.
/// A failure gives the size limit the regex exceeded, if that was it.
fn build(pattern: &str) -> Result<Regex, Option<usize>> {
    meta::Builder::new()
        .configure(
            meta::Config::new()
                .utf8_empty(false)
                .nfa_size_limit(Some(REGEX_SIZE_LIMIT))
                .hybrid_cache_capacity(DFA_CACHE_LIMIT)
                .onepass(false),
        )
        .syntax(syntax::Config::new().unicode(false).utf8(false))
        .build(pattern)
        .map_err(|e| e.size_limit())
}

/// Compiles a pattern whose syntax was already checked at load.
///
/// The only failure left is the size limit, which `check_full_compile`
/// (user packs) and the built-in self-test (built-in packs) rule out; should
/// it happen anyway, the rule matches nothing rather than aborting a scan.
pub(super) fn build_regex(pattern: &str) -> Regex {
    match build(pattern) {
        Ok(re) => re,
        Err(_) => match build(r"[^\x00-\xFF]") {
            Ok(never) => never,
            Err(_) => unreachable!("constant regex compiles"),
        },
    }
}

/// Compiles the rule's regexes (its own and its allowlists') now, so a
/// pack that passes loading never fails later.
pub(super) fn check_full_compile(rule: &Rule) -> Result<(), PackError> {
    let re = build(&rule.pattern).map_err(|e| {
        PackError::rule(&rule.pack, &rule.id, format!("regex: {}", build_message(e)))
    })?;
    let _ = rule.regex.set(re);
    for list in &rule.allowlists {
        list.compile_now()
            .map_err(|e| PackError::rule(&rule.pack, &rule.id, format!("allowlist: {e}")))?;
    }
    Ok(())
}

/// Parses a rule regex with the syntax options every rule regex uses.
pub(super) fn parse(pattern: &str) -> Result<Hir, Box<regex_syntax::Error>> {
    regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(pattern)
        .map_err(Box::new)
}

/// How many line breaks a match of `hir` can hold at most; `None` if
/// unbounded. A repetition of a whitespace-only class (`\s*`) counts as two
/// line breaks: key and value separated by more blank lines than that are
/// not a layout anyone writes, and counting them as unbounded would make
/// every `key\s*=\s*value` rule a block rule.
pub(super) fn line_span(hir: &Hir) -> Option<u32> {
    fn can_match_newline(class: &Class) -> bool {
        match class {
            Class::Bytes(c) => c
                .ranges()
                .iter()
                .any(|r| (r.start()..=r.end()).contains(&b'\n')),
            Class::Unicode(c) => c
                .ranges()
                .iter()
                .any(|r| (r.start()..=r.end()).contains(&'\n')),
        }
    }
    fn whitespace_only(hir: &Hir) -> bool {
        let is_space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c');
        match hir.kind() {
            HirKind::Class(Class::Bytes(c)) => c
                .ranges()
                .iter()
                .all(|r| (r.start()..=r.end()).all(is_space)),
            HirKind::Class(Class::Unicode(c)) => c
                .ranges()
                .iter()
                .all(|r| (r.start()..=r.end()).all(|ch| u8::try_from(ch).is_ok_and(is_space))),
            _ => false,
        }
    }
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Some(0),
        HirKind::Literal(lit) => u32::try_from(lit.0.iter().filter(|&&b| b == b'\n').count()).ok(),
        HirKind::Class(class) => Some(u32::from(can_match_newline(class))),
        HirKind::Capture(cap) => line_span(&cap.sub),
        HirKind::Repetition(rep) => match line_span(&rep.sub)? {
            0 => Some(0),
            _ if whitespace_only(&rep.sub) => Some(2),
            inner => rep.max?.checked_mul(inner),
        },
        HirKind::Concat(subs) => subs
            .iter()
            .try_fold(0u32, |acc, h| acc.checked_add(line_span(h)?)),
        HirKind::Alternation(subs) => subs
            .iter()
            .try_fold(0u32, |acc, h| Some(acc.max(line_span(h)?))),
    }
}

/// Most strings [`strings`] enumerates for one node.
const MAX_STRINGS: usize = 64;

/// Every string `hir` can match, lowercased, when there are few (at most
/// [`MAX_STRINGS`]); `None` otherwise. Classes of at most four bytes count
/// as alternatives, so `(?i)key` (three two-byte classes) is `["key"]`.
fn strings(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    fn product(left: Vec<Vec<u8>>, right: &[Vec<u8>]) -> Option<Vec<Vec<u8>>> {
        if left.len().saturating_mul(right.len()) > MAX_STRINGS {
            return None;
        }
        Some(
            left.iter()
                .flat_map(|l| right.iter().map(move |r| [l.as_slice(), r].concat()))
                .collect(),
        )
    }
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Some(vec![Vec::new()]),
        HirKind::Literal(lit) => Some(vec![lit.0.to_ascii_lowercase()]),
        HirKind::Class(Class::Bytes(c)) => {
            let mut bytes: Vec<u8> = Vec::new();
            for r in c.ranges() {
                if usize::from(r.end() - r.start()) >= MAX_STRINGS {
                    return None;
                }
                bytes.extend((r.start()..=r.end()).map(|b| b.to_ascii_lowercase()));
            }
            bytes.sort_unstable();
            bytes.dedup();
            (bytes.len() <= 4).then(|| bytes.into_iter().map(|b| vec![b]).collect())
        }
        HirKind::Class(Class::Unicode(c)) => {
            let mut bytes: Vec<u8> = Vec::new();
            for r in c.ranges() {
                for ch in r.start()..=r.end() {
                    bytes.push(
                        u8::try_from(ch)
                            .ok()
                            .filter(u8::is_ascii)?
                            .to_ascii_lowercase(),
                    );
                    if bytes.len() > MAX_STRINGS {
                        return None;
                    }
                }
            }
            bytes.sort_unstable();
            bytes.dedup();
            (bytes.len() <= 4).then(|| bytes.into_iter().map(|b| vec![b]).collect())
        }
        HirKind::Capture(cap) => strings(&cap.sub),
        HirKind::Repetition(rep) if rep.max.is_some_and(|max| max <= 8) => {
            // Every count from min to max: `[_.-]?` is "", "_", "." or "-".
            let inner = strings(&rep.sub)?;
            let mut all = Vec::new();
            let mut power = vec![Vec::new()];
            for count in 0..=rep.max.unwrap_or(0) {
                if count >= rep.min {
                    all.extend(power.iter().cloned());
                    if all.len() > MAX_STRINGS {
                        return None;
                    }
                }
                power = product(power, &inner)?;
            }
            Some(all)
        }
        HirKind::Repetition(_) => None,
        HirKind::Concat(subs) => subs
            .iter()
            .try_fold(vec![Vec::new()], |acc, sub| product(acc, &strings(sub)?)),
        HirKind::Alternation(subs) => {
            let mut all = Vec::new();
            for sub in subs {
                all.extend(strings(sub)?);
                if all.len() > MAX_STRINGS {
                    return None;
                }
            }
            Some(all)
        }
    }
}

/// True if every match of `hir` provably holds one of `keywords`
/// (lowercase), compared ASCII-case-insensitively as the prefilter does:
/// then the rule can run in windows around its keyword hits. False when
/// it cannot be shown (the keyword may be elsewhere in the file, as for
/// `twilio` and `SK` + 32 hex digits).
pub(super) fn keyword_in_every_match(hir: &Hir, keywords: &[String]) -> bool {
    let holds = |s: &[u8]| {
        keywords
            .iter()
            .any(|k| memchr::memmem::find(s, k.as_bytes()).is_some())
    };
    let all_hold = |set: &[Vec<u8>]| !set.is_empty() && set.iter().all(|s| holds(s));
    if strings(hir).is_some_and(|set| all_hold(&set)) {
        return true;
    }
    match hir.kind() {
        HirKind::Capture(cap) => keyword_in_every_match(&cap.sub, keywords),
        HirKind::Repetition(rep) => rep.min >= 1 && keyword_in_every_match(&rep.sub, keywords),
        HirKind::Alternation(subs) => subs.iter().all(|s| keyword_in_every_match(s, keywords)),
        HirKind::Concat(subs) => {
            // One part holds a keyword, or a run of parts with few
            // strings does in every combination.
            subs.iter().any(|s| keyword_in_every_match(s, keywords))
                || (0..subs.len()).any(|first| {
                    let mut acc = vec![Vec::new()];
                    for sub in &subs[first..] {
                        let Some(next) = strings(sub) else {
                            return false;
                        };
                        if acc.len().saturating_mul(next.len()) > MAX_STRINGS {
                            return false;
                        }
                        acc = acc
                            .iter()
                            .flat_map(|l| next.iter().map(move |r| [l.as_slice(), r].concat()))
                            .collect();
                        if all_hold(&acc) {
                            return true;
                        }
                    }
                    false
                })
        }
        _ => false,
    }
}

fn is_kebab_case(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Validates one rule spec and builds the rule (regex compiled lazily).
///
/// With `eager` (user packs) the regex is parsed now; otherwise (built-in
/// packs) on first use.
pub(super) fn compile_rule(pack: &str, spec: RuleSpec, eager: bool) -> Result<Rule, PackError> {
    // An id that is not kebab-case could be anything, a secret included.
    let shown_id = if is_kebab_case(&spec.id) {
        spec.id.clone()
    } else {
        quoted(&spec.id)
    };
    let err = |reason: String| PackError::rule(pack, &shown_id, reason);
    if !is_kebab_case(&spec.id) {
        return Err(err(
            "id must be kebab-case (a-z, 0-9 and single dashes)".into()
        ));
    }
    if spec.name.trim().is_empty() {
        return Err(err("name is empty".into()));
    }
    if spec.keywords.is_empty() && !spec.every_file {
        return Err(err(
            "no keywords: every rule needs at least one keyword for the prefilter (or every-file = true)".into(),
        ));
    }
    if spec.keywords.iter().any(|k| k.is_empty()) {
        return Err(err("empty keyword".into()));
    }
    if spec.keywords.iter().any(|k| k.contains(['\n', '\r'])) {
        return Err(err(
            "a keyword holds a line break: keywords are matched within one line".into(),
        ));
    }
    // A user pack's regex is parsed now, so a syntax error or a missing
    // secret group is reported at load; a built-in pack's regexes are
    // checked by the self-test, and parsing hundreds of them would cost
    // every scan its start-up time, so they are parsed on first use.
    let (line_span, secret_group) = if eager {
        let hir = parse(&spec.regex)
            .map_err(|e| err(format!("regex does not compile: {}", regex_message(&e))))?;
        let groups = hir.properties().explicit_captures_len();
        let secret_group = spec.secret_group.unwrap_or(usize::from(groups > 0));
        if secret_group > groups {
            return Err(err(format!(
                "secret-group {secret_group} does not exist: the regex has {groups} capture group(s)"
            )));
        }
        (
            OnceLock::from(line_span(&hir)),
            OnceLock::from(secret_group),
        )
    } else {
        (OnceLock::new(), OnceLock::new())
    };
    if !(0.0..=8.0).contains(&spec.min_entropy) {
        return Err(err(format!(
            "min-entropy {} is outside 0..=8 bits per byte",
            spec.min_entropy
        )));
    }
    let validator = match &spec.validator {
        None => None,
        Some(name) => Some(Validator::from_name(name).ok_or_else(|| {
            err(format!(
                "unknown validator `{}` (known: {})",
                quoted(name),
                Validator::NAMES.join(", ")
            ))
        })?),
    };
    let allowlists = spec
        .allowlist
        .iter()
        .chain(&spec.allowlists)
        .map(|a| {
            if a.target_rules.is_empty() {
                Allowlist::compile(a, pack).map_err(|e| err(format!("allowlist: {e}")))
            } else {
                Err(err(
                    "allowlist: target-rules belongs in a configuration's [[allowlists]]".into(),
                ))
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    let path = spec
        .path
        .as_deref()
        .map(|p| {
            regex::Regex::new(p).map_err(|e| {
                err(format!(
                    "path regex does not compile: {}",
                    regex_build_message(&e)
                ))
            })
        })
        .transpose()?;
    Ok(Rule {
        keywords: spec
            .keywords
            .iter()
            .map(|k| k.to_ascii_lowercase())
            .collect(),
        pattern: spec.regex,
        regex: OnceLock::new(),
        keyword_in_match: OnceLock::new(),
        secret_group_spec: spec.secret_group,
        secret_group,
        min_entropy: spec.min_entropy,
        validator,
        generic: spec.generic,
        line_span,
        remediation: spec.remediation,
        references: spec.references,
        examples: spec.examples,
        negative_examples: spec.negative_examples,
        allowlists,
        path,
        tags: spec.tags,
        pack: pack.to_string(),
        id: spec.id,
        name: spec.name,
        severity: spec.severity,
    })
}

/// The id of the `[[rule]]` table that holds byte `offset` of a pack's text,
/// found textually so it works on a pack that does not parse.
pub(super) fn rule_id_at(text: &str, offset: usize) -> Option<String> {
    let head = text.get(..offset)?;
    let start = head.rfind("[[rule]]")?;
    let end = text[start + 8..]
        .find("[[")
        .map_or(text.len(), |i| start + 8 + i);
    text[start..end].lines().find_map(|line| {
        let rest = line
            .trim()
            .strip_prefix("id")?
            .trim_start()
            .strip_prefix('=')?;
        let id = rest.trim().trim_matches(|c| c == '"' || c == '\'');
        (!id.is_empty()).then(|| id.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(pattern: &str) -> Option<u32> {
        line_span(&parse(pattern).unwrap())
    }

    #[test]
    fn line_span_counts_line_breaks_a_match_can_hold() {
        assert_eq!(span(r"ghp_[A-Za-z0-9]{36}"), Some(0));
        assert_eq!(span(r"key:\r?\n[ \t]+value"), Some(1));
        // Whitespace runs count as two line breaks.
        assert_eq!(span(r"key\s*=\s*(\w+)"), Some(4));
        assert_eq!(span(r"(?:\w+\n){0,4}default"), Some(4));
        // A block of base64 lines, or anything under (?s), is unbounded.
        assert_eq!(span(r"BEGIN[A-Za-z0-9+/=\s]{40,}?END"), None);
        assert_eq!(span(r"(?s)a.*b"), None);
    }

    fn keyword_in(pattern: &str, keywords: &[&str]) -> bool {
        let hir = parse(pattern).unwrap();
        let keywords: Vec<String> = keywords.iter().map(|k| k.to_string()).collect();
        keyword_in_every_match(&hir, &keywords)
    }

    #[test]
    fn a_keyword_in_every_match_is_proven_from_the_regex() {
        assert!(keyword_in(r"\b(ghp_[A-Za-z0-9]{36})\b", &["ghp_"]));
        assert!(keyword_in(r"(?i)api[_-]?key\s*=\s*(\w+)", &["key"]));
        assert!(keyword_in(
            r"(?i)(?:password|passwd)\s*=\s*(\S+)",
            &["password", "passwd"]
        ));
        assert!(keyword_in(
            r"(?i)pass(?:word|wd)=(\S+)",
            &["password", "passwd"]
        ));
        // The keyword may be elsewhere in the file, or only in some matches.
        assert!(!keyword_in(r"\b(SK[0-9a-f]{32})\b", &["twilio"]));
        assert!(!keyword_in(r"(?i)(?:password|secret)=(\S+)", &["password"]));
        assert!(!keyword_in(
            r"(?i)aws.{0,20}secret.{0,20}([A-Za-z0-9/+]{40})",
            &["akia"]
        ));
        // An optional keyword proves nothing; optional separators are
        // spelled out.
        assert!(!keyword_in(r"(?:token)?=(\w+)", &["token"]));
        assert!(keyword_in(
            r"(?i)api[_.\-]?key=(\w+)",
            &["api_key", "apikey", "api.key", "api-key"]
        ));
        assert!(!keyword_in(
            r"(?i)api[_.\-]?key=(\w+)",
            &["api_key", "apikey"]
        ));
    }
}
