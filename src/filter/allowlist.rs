//! Allowlists: regexes on the secret, match or line, path regexes and
//! stopwords. Each entry that drops a candidate is named in the reason, so
//! `--show-suppressed` can say exactly which one fired.

use std::sync::OnceLock;

use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::bytes::Regex;

use super::LineMemo;
use crate::finding::quoted;
use crate::rules::pack::{AllowlistSpec, Condition, RegexTarget};
use crate::rules::{regex_build_message, regex_message};

/// A compiled allowlist.
#[derive(Debug)]
pub struct Allowlist {
    /// Why these entries exist.
    pub description: String,
    /// Where the allowlist was defined (pack or config file).
    pub source: String,
    regexes: Vec<LazyRegex>,
    target: RegexTarget,
    paths: Vec<LazyRegex>,
    globs: Vec<String>,
    glob_set: GlobSet,
    stopwords: Vec<String>,
    condition: Condition,
    commits: Vec<String>,
}

/// What a candidate looks like to an allowlist.
pub struct Subject<'a> {
    /// The paths of the blob (see [`crate::source::Origin::paths`]): a
    /// path entry allows the candidate when it matches any of them.
    pub paths: &'a [&'a str],
    /// The secret capture.
    pub secret: &'a [u8],
    /// The whole match.
    pub matched: &'a [u8],
    /// The line(s) holding the match.
    pub line: &'a [u8],
    /// The commit that introduced it (git scans).
    pub commit: Option<&'a str>,
    /// What is known of `line`, shared by the candidates on it.
    pub line_memo: &'a LineMemo,
}

/// Which entry of an allowlist dropped a candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllowReason {
    /// A regex matched the secret, match or line.
    Regex(String),
    /// A path regex or glob matched the blob's path.
    Path(String),
    /// A stopword occurs in the secret.
    Stopword(String),
    /// The finding's commit is listed.
    Commit(String),
    /// Every kind of entry matched (`condition = "and"`).
    All(Vec<AllowReason>),
}

impl std::fmt::Display for AllowReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AllowReason::Regex(r) => write!(f, "allowlist regex `{r}`"),
            AllowReason::Path(r) => write!(f, "allowlist path `{r}`"),
            AllowReason::Stopword(w) => write!(f, "stopword `{w}`"),
            AllowReason::Commit(c) => write!(f, "allowlist commit `{c}`"),
            AllowReason::All(reasons) => {
                let parts: Vec<String> = reasons.iter().map(ToString::to_string).collect();
                write!(f, "{}", parts.join(" and "))
            }
        }
    }
}

/// An allowlist regex whose syntax is checked at load and which compiles
/// on first use: built-in packs hold hundreds, and most scans need few.
#[derive(Debug)]
struct LazyRegex {
    src: String,
    what: &'static str,
    re: OnceLock<Result<Regex, String>>,
}

impl LazyRegex {
    fn new(src: &str, what: &'static str) -> Result<Self, String> {
        regex_syntax::Parser::new().parse(src).map_err(|e| {
            format!(
                "{what} regex `{}` does not compile: {}",
                quoted(src),
                regex_message(&e)
            )
        })?;
        Ok(LazyRegex {
            src: src.to_string(),
            what,
            re: OnceLock::new(),
        })
    }

    fn compiled(&self) -> &Result<Regex, String> {
        self.re.get_or_init(|| {
            Regex::new(&self.src).map_err(|e| {
                format!(
                    "{} regex `{}` does not compile: {}",
                    self.what,
                    quoted(&self.src),
                    regex_build_message(&e)
                )
            })
        })
    }

    /// True if the regex matches; a regex that parsed but failed to
    /// compile (over the size limit) matches nothing, which reports more,
    /// never less, and [`Allowlist::compile_now`] rules it out for packs
    /// and configs that users write.
    fn is_match(&self, hay: &[u8]) -> bool {
        self.compiled().as_ref().is_ok_and(|re| re.is_match(hay))
    }
}

fn parse_all(list: &[String], what: &'static str) -> Result<Vec<LazyRegex>, String> {
    list.iter().map(|src| LazyRegex::new(src, what)).collect()
}

impl Allowlist {
    /// Compiles a spec defined in `source`; the error names the offending
    /// entry.
    pub fn compile(spec: &AllowlistSpec, source: &str) -> Result<Self, String> {
        let mut builder = GlobSetBuilder::new();
        for g in &spec.globs {
            builder.add(
                Glob::new(g)
                    .map_err(|e| format!("glob `{}` is invalid: {}", quoted(g), e.kind()))?,
            );
        }
        Ok(Allowlist {
            description: spec.description.clone(),
            source: source.to_string(),
            regexes: parse_all(&spec.regexes, "allowlist")?,
            target: spec.regex_target,
            paths: parse_all(&spec.paths, "path")?,
            globs: spec.globs.clone(),
            glob_set: builder
                .build()
                .map_err(|e| format!("globs: {}", e.kind()))?,
            stopwords: spec
                .stopwords
                .iter()
                .map(|s| s.to_ascii_lowercase())
                .collect(),
            condition: spec.condition,
            commits: spec
                .commits
                .iter()
                .map(|c| c.trim().to_ascii_lowercase())
                .collect(),
        })
    }

    /// Compiles every regex now, so that a list which loads never fails
    /// later; for the packs and configs users write.
    pub fn compile_now(&self) -> Result<(), String> {
        self.regexes
            .iter()
            .chain(&self.paths)
            .try_for_each(|re| re.compiled().as_ref().map(|_| ()).map_err(Clone::clone))
    }

    /// Returns the entry that allows this candidate, if any: the first
    /// that matches, or with `condition = "and"` one of each kind.
    pub fn check(&self, subject: &Subject<'_>) -> Option<AllowReason> {
        let kinds: [(bool, &dyn Fn() -> Option<AllowReason>); 4] = [
            (!self.commits.is_empty(), &|| self.commit(subject)),
            (!self.paths.is_empty() || !self.globs.is_empty(), &|| {
                self.path(subject)
            }),
            (!self.regexes.is_empty(), &|| self.regex(subject)),
            (!self.stopwords.is_empty(), &|| self.stopword(subject)),
        ];
        match self.condition {
            Condition::Or => kinds
                .iter()
                .filter(|(present, _)| *present)
                .find_map(|(_, check)| check()),
            Condition::And => {
                let mut all = Vec::new();
                for (_, check) in kinds.iter().filter(|(present, _)| *present) {
                    all.push(check()?);
                }
                match all.len() {
                    0 => None,
                    1 => all.pop(),
                    _ => Some(AllowReason::All(all)),
                }
            }
        }
    }

    fn commit(&self, subject: &Subject<'_>) -> Option<AllowReason> {
        let commit = subject.commit?.to_ascii_lowercase();
        self.commits
            .iter()
            .find(|c| **c == commit)
            .map(|c| AllowReason::Commit(c.clone()))
    }

    fn path(&self, subject: &Subject<'_>) -> Option<AllowReason> {
        let paths = subject.paths;
        if let Some(re) = self
            .paths
            .iter()
            .find(|re| paths.iter().any(|p| re.is_match(p.as_bytes())))
        {
            return Some(AllowReason::Path(re.src.clone()));
        }
        let i = paths
            .iter()
            .filter_map(|p| self.glob_set.matches(p).first().copied())
            .min()?;
        Some(AllowReason::Path(self.globs[i].clone()))
    }

    fn regex(&self, subject: &Subject<'_>) -> Option<AllowReason> {
        let first = |hay: &[u8]| self.regexes.iter().position(|re| re.is_match(hay));
        let found = match self.target {
            RegexTarget::Secret => first(subject.secret),
            RegexTarget::Match => first(subject.matched),
            RegexTarget::Line => {
                let line = subject.line;
                subject.line_memo.verdict(line, self, || first(line))
            }
        }?;
        Some(AllowReason::Regex(self.regexes[found].src.clone()))
    }

    fn stopword(&self, subject: &Subject<'_>) -> Option<AllowReason> {
        let lower = subject.secret.to_ascii_lowercase();
        let word = self
            .stopwords
            .iter()
            .find(|w| memchr::memmem::find(&lower, w.as_bytes()).is_some())?;
        Some(AllowReason::Stopword(word.clone()))
    }
}
