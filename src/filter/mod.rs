//! Filters: what a user has accepted. Each filter names the entry that
//! dropped a candidate, so the summary can count and `--show-suppressed`
//! can explain every suppression.

pub mod allowlist;
pub mod baseline;
pub mod ignore;
pub mod inline;
pub mod place;

use std::cell::RefCell;
use std::collections::HashSet;

use allowlist::{Allowlist, Subject};

use crate::finding::Suppression;
use crate::rules::{Rule, RuleSet};

/// What the candidates of one line share, worked out for the first of
/// them and reused by the rest, so that many matches on one long line cost
/// one search each, not one per match: the verdicts of line-target
/// allowlist regexes and the line's inline marker. Keyed by the line's
/// address and length in its blob; a new line replaces the old one.
#[derive(Debug, Default)]
pub struct LineMemo {
    inner: RefCell<LineFacts>,
}

#[derive(Debug, Default)]
struct LineFacts {
    line: Option<(usize, usize)>,
    /// `(allowlist address, its first regex matching the line)`.
    verdicts: Vec<(usize, Option<usize>)>,
    marker: Option<Option<&'static str>>,
}

impl LineMemo {
    /// The facts held for `line`, emptied first if they were another
    /// line's.
    fn facts(&self, line: &[u8]) -> std::cell::RefMut<'_, LineFacts> {
        let span = (line.as_ptr() as usize, line.len());
        let mut facts = self.inner.borrow_mut();
        if facts.line != Some(span) {
            facts.line = Some(span);
            facts.verdicts.clear();
            facts.marker = None;
        }
        facts
    }

    /// Which regex of `list` matches `line` first, computed by `verdict`
    /// the first time it is asked for that line.
    fn verdict(
        &self,
        line: &[u8],
        list: &Allowlist,
        verdict: impl FnOnce() -> Option<usize>,
    ) -> Option<usize> {
        let key = std::ptr::from_ref(list) as usize;
        if let Some(&(_, v)) = self.facts(line).verdicts.iter().find(|(k, _)| *k == key) {
            return v;
        }
        let v = verdict();
        self.facts(line).verdicts.push((key, v));
        v
    }

    /// The inline marker allowing `line`, computed by `marker` the first
    /// time it is asked for that line.
    pub fn marker(
        &self,
        line: &[u8],
        marker: impl FnOnce() -> Option<&'static str>,
    ) -> Option<&'static str> {
        if let Some(m) = self.facts(line).marker {
            return m;
        }
        let m = marker();
        self.facts(line).marker = Some(m);
        m
    }
}

/// Checks a candidate against its rule's allowlist, then the global ones.
pub fn allowlisted(rules: &RuleSet, rule: &Rule, subject: &Subject<'_>) -> Option<Suppression> {
    let check = |lists: &[Allowlist], scope: &str| {
        lists.iter().find_map(|a| {
            a.check(subject).map(|reason| Suppression::Allowlist {
                scope: scope.to_string(),
                source: a.source.clone(),
                reason,
            })
        })
    };
    check(&rule.allowlists, &rule.id).or_else(|| check(rules.global_allowlists(), "global"))
}

/// What a scan covered. Only baseline entries inside it are judged unused
/// (`--report-unused`, `baseline prune`): an entry for a file or a rule
/// the scan did not look at says nothing about that file or rule.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Identities of the scanned targets (see [`crate::source::anchor`]);
    /// `""` is the whole project.
    pub targets: Vec<String>,
    /// Ids of the rules that ran.
    pub rules: HashSet<String>,
    /// The scan covered every commit of the history (all refs), so an
    /// entry naming a commit can be judged.
    pub history: bool,
}

impl Scope {
    /// True when the scan looked for `rule` at `path` (an identity).
    pub fn covers(&self, rule: &str, path: &str) -> bool {
        self.rules.contains(rule)
            && self
                .targets
                .iter()
                .any(|t| crate::source::anchor::covers(t, path))
    }

    /// True when the scan covered the whole project.
    pub fn whole_project(&self) -> bool {
        self.targets.iter().any(String::is_empty)
    }
}

/// A line of an ignore file or baseline that cannot be used.
#[derive(Debug)]
pub struct FilterFileError {
    /// The file.
    pub file: String,
    /// 1-based line (0 when the file could not be read).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl FilterFileError {
    /// An error at `line` of `file`.
    pub fn new(file: &str, line: usize, message: impl Into<String>) -> Self {
        FilterFileError {
            file: file.to_string(),
            line,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for FilterFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        }
    }
}

impl std::error::Error for FilterFileError {}

/// The user's acceptance mechanisms beyond allowlists, shared read-only by
/// all workers.
#[derive(Debug, Default)]
pub struct Acceptance {
    /// Honour inline markers (off with `--ignore-inline-allow`).
    pub inline: bool,
    /// The ignore file, if any.
    pub ignore: Option<ignore::IgnoreList>,
    /// The baseline, if any.
    pub baseline: Option<baseline::Baseline>,
    /// Entries naming findings by place (`.gitleaksignore`, a gitleaks
    /// report as baseline).
    pub places: Vec<place::PlaceList>,
}

impl Acceptance {
    /// The inline marker on a finding's lines (`lines`) or the line before
    /// (`previous`), unless inline markers are off.
    pub fn marker(&self, lines: &[u8], previous: &[u8]) -> Option<&'static str> {
        if self.inline {
            inline::marker(lines, previous)
        } else {
            None
        }
    }

    /// Checks a finding-to-be: its inline `marker` (from
    /// [`Acceptance::marker`]), then its fingerprint in the ignore file and
    /// the baseline.
    pub fn check(&self, marker: Option<&'static str>, fingerprint: &str) -> Option<Suppression> {
        if let Some(m) = marker {
            return Some(Suppression::Inline(m));
        }
        if let Some(list) = &self.ignore
            && let Some(line) = list.check(fingerprint)
        {
            return Some(Suppression::IgnoreFile {
                file: list.file.clone(),
                line,
            });
        }
        if let Some(b) = &self.baseline
            && let baseline::Verdict::Accepted(line) = b.check(fingerprint)
        {
            return Some(Suppression::Baseline {
                file: b.file.clone(),
                line,
            });
        }
        None
    }

    /// Checks a finding, once attributed, against the entries that name
    /// findings by place.
    pub fn check_place(&self, finding: &crate::finding::Finding) -> Option<Suppression> {
        self.places.iter().find_map(|p| p.check(finding))
    }
}
