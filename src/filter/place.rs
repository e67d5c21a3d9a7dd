//! Entries that name a finding by its place: the path (its identity, from
//! the repository root), the rule, the start line and, optionally, the
//! commit. gitleaks' `.gitleaksignore` and gitleaks JSON reports used as a
//! baseline name findings this way (read by [`crate::gitleaks::ignore`]).
//!
//! A place is only known once a finding is attributed: in a history scan,
//! the commit that introduced it and its line there. So these entries are
//! checked against findings, after attribution ([`PlaceList::check`]), not
//! against candidates as fingerprints are.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

use super::Scope;
use crate::finding::{Finding, Suppression};

/// What kind of file the entries come from, which says how a suppression
/// is counted and explained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceKind {
    /// An ignore file (`.gitleaksignore`).
    IgnoreFile,
    /// A baseline (a gitleaks JSON report).
    Baseline,
}

/// One entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceEntry {
    /// 1-based line of the entry in its file.
    pub at: usize,
    /// Commit id (lowercase), when the entry names one.
    pub commit: Option<String>,
    /// The finding's identity path.
    pub path: String,
    /// The rule as the entry names it.
    pub rule: String,
    /// The rule ids that name covers here (itself, or the built-in rules a
    /// gitleaks id maps to).
    pub rules: Vec<String>,
    /// 1-based start line of the finding.
    pub line: usize,
}

impl std::fmt::Display for PlaceEntry {
    /// The entry as gitleaks writes it: `commit:path:rule:line` or
    /// `path:rule:line`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(c) = &self.commit {
            write!(f, "{c}:")?;
        }
        write!(f, "{}:{}:{}", self.path, self.rule, self.line)
    }
}

/// The entries of one file.
#[derive(Debug)]
pub struct PlaceList {
    /// The file, as shown to users.
    pub file: String,
    /// Ignore file or baseline.
    pub kind: PlaceKind,
    entries: Vec<PlaceEntry>,
    by_place: HashMap<(String, usize), Vec<usize>>,
    used: Vec<AtomicBool>,
}

impl PlaceList {
    /// A list of `entries` read from `file`.
    pub fn new(file: &str, kind: PlaceKind, entries: Vec<PlaceEntry>) -> PlaceList {
        let mut by_place: HashMap<(String, usize), Vec<usize>> = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            by_place
                .entry((e.path.clone(), e.line))
                .or_default()
                .push(i);
        }
        let used = entries.iter().map(|_| AtomicBool::new(false)).collect();
        PlaceList {
            file: file.to_string(),
            kind,
            entries,
            by_place,
            used,
        }
    }

    /// The suppression of a finding that the entry on line `at` names,
    /// marking the entries that name it used; `None` when none does. An
    /// entry without a commit names the finding in every commit.
    pub fn check(&self, f: &Finding) -> Option<Suppression> {
        let candidates = self.by_place.get(&(f.fingerprint_path.clone(), f.line))?;
        let commit = f.commit.as_ref().map(|c| c.commit.as_str());
        let mut first = None;
        for &i in candidates {
            let e = &self.entries[i];
            let commit_ok = e
                .commit
                .as_deref()
                .is_none_or(|c| commit.is_some_and(|f| f.eq_ignore_ascii_case(c)));
            if commit_ok && e.rules.contains(&f.rule_id) {
                self.used[i].store(true, Ordering::Relaxed);
                first = first.or(Some(e.at));
            }
        }
        let line = first?;
        let file = self.file.clone();
        Some(match self.kind {
            PlaceKind::IgnoreFile => Suppression::IgnoreFile { file, line },
            PlaceKind::Baseline => Suppression::Baseline { file, line },
        })
    }

    /// Entries that matched nothing although the scan could have found
    /// them: their path and one of their rules lie inside `scope`, and an
    /// entry naming a commit needs a scan of the whole history.
    pub fn unused(&self, scope: &Scope) -> Vec<&PlaceEntry> {
        self.entries
            .iter()
            .zip(&self.used)
            .filter(|(e, used)| {
                !used.load(Ordering::Relaxed)
                    && (e.commit.is_none() || scope.history)
                    && e.rules.iter().any(|r| scope.covers(r, &e.path))
            })
            .map(|(e, _)| e)
            .collect()
    }

    /// Every entry, in file order.
    pub fn entries(&self) -> &[PlaceEntry] {
        &self.entries
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Commit, Confidence};
    use crate::rules::Severity;

    fn finding(rule: &str, path: &str, line: usize, commit: Option<&str>) -> Finding {
        Finding {
            rule_id: rule.into(),
            rule_name: String::new(),
            severity: Severity::High,
            confidence: Confidence::Medium,
            path: path.into(),
            line,
            column: 1,
            end_line: line,
            end_column: 2,
            secret: String::new(),
            matched: String::new(),
            entropy: 0.0,
            fingerprint: String::new(),
            fingerprint_path: path.into(),
            archive: None,
            commit: commit.map(|c| {
                Box::new(Commit {
                    commit: c.into(),
                    author: String::new(),
                    date: String::new(),
                    message: String::new(),
                    time: 0,
                })
            }),
            context: None,
            decoding: None,
        }
    }

    fn entry(
        at: usize,
        commit: Option<&str>,
        path: &str,
        rules: &[&str],
        line: usize,
    ) -> PlaceEntry {
        PlaceEntry {
            at,
            commit: commit.map(str::to_string),
            path: path.into(),
            rule: rules[0].into(),
            rules: rules.iter().map(|r| r.to_string()).collect(),
            line,
        }
    }

    #[test]
    fn entries_match_path_line_rule_and_commit() {
        let c = "0123456789abcdef0123456789abcdef01234567";
        let list = PlaceList::new(
            ".gitleaksignore",
            PlaceKind::IgnoreFile,
            vec![
                entry(2, None, "app.py", &["github-pat", "github-pat-classic"], 1),
                entry(3, Some(c), "old.env", &["aws-access-key-id"], 2),
                entry(4, None, "none.py", &["jwt"], 9),
                entry(5, Some(c), "dir.py", &["jwt"], 9),
            ],
        );
        let ignored = |line| {
            Some(Suppression::IgnoreFile {
                file: ".gitleaksignore".into(),
                line,
            })
        };
        assert_eq!(
            list.check(&finding("github-pat-classic", "app.py", 1, None)),
            ignored(2)
        );
        assert_eq!(
            list.check(&finding("github-pat-classic", "app.py", 2, None)),
            None
        );
        assert_eq!(list.check(&finding("gitlab-pat", "app.py", 1, None)), None);
        assert_eq!(
            list.check(&finding("github-pat-classic", "app.py", 1, Some(c))),
            ignored(2)
        );
        assert_eq!(
            list.check(&finding("aws-access-key-id", "old.env", 2, None)),
            None
        );
        assert_eq!(
            list.check(&finding("aws-access-key-id", "old.env", 2, Some(c))),
            ignored(3)
        );
        let scope = |history| Scope {
            targets: vec![String::new()],
            rules: ["jwt".to_string()].into(),
            history,
        };
        let unused: Vec<String> = list
            .unused(&scope(false))
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(unused, ["none.py:jwt:9"]);
        let unused: Vec<String> = list
            .unused(&scope(true))
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            unused,
            ["none.py:jwt:9", format!("{c}:dir.py:jwt:9").as_str()]
        );
    }
}
