//! The keyword prefilter: one ASCII-case-insensitive Aho-Corasick automaton
//! over every rule's keywords, mapping each hit to the rules that own it.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use crate::rules::RuleSet;

/// Picks the rules worth running on a blob.
#[derive(Debug)]
pub struct Prefilter {
    automaton: AhoCorasick,
    /// For each automaton pattern, the indexes of the rules that own it.
    owners: Vec<Vec<usize>>,
    /// Rules without keywords (`every-file`): always worth running.
    always: Vec<usize>,
    num_rules: usize,
}

impl Prefilter {
    /// Builds the automaton over all keywords of `rules`.
    pub fn new(rules: &RuleSet) -> Prefilter {
        let mut keywords: Vec<String> = Vec::new();
        let mut owners: Vec<Vec<usize>> = Vec::new();
        let mut always = Vec::new();
        for (idx, rule) in rules.rules().iter().enumerate() {
            if rule.keywords.is_empty() {
                always.push(idx);
            }
            for kw in &rule.keywords {
                match keywords.iter().position(|k| k == kw) {
                    Some(p) => owners[p].push(idx),
                    None => {
                        keywords.push(kw.clone());
                        owners.push(vec![idx]);
                    }
                }
            }
        }
        let automaton = match AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&keywords)
        {
            Ok(ac) => ac,
            Err(e) => unreachable!("keyword automaton over {} literals: {e}", keywords.len()),
        };
        Prefilter {
            automaton,
            owners,
            always,
            num_rules: rules.len(),
        }
    }

    /// Marks in `triggered` (one flag per rule, all cleared first) every
    /// rule whose keyword occurs in `data`; returns how many were marked.
    pub fn triggered(&self, data: &[u8], triggered: &mut Vec<bool>) -> usize {
        triggered.clear();
        self.mark(data, triggered)
    }

    /// Like [`Prefilter::triggered`], but keeps the flags already set (a
    /// shorter vector is first extended); returns how many it set.
    pub fn mark(&self, data: &[u8], triggered: &mut Vec<bool>) -> usize {
        triggered.resize(self.num_rules, false);
        let mut count = 0;
        for &rule in &self.always {
            if !triggered[rule] {
                triggered[rule] = true;
                count += 1;
            }
        }
        for m in self.automaton.find_overlapping_iter(data) {
            for &rule in &self.owners[m.pattern().as_usize()] {
                if !triggered[rule] {
                    triggered[rule] = true;
                    count += 1;
                }
            }
            if count == self.num_rules {
                break;
            }
        }
        count
    }

    /// Appends `(rule, offset)` for every occurrence of a keyword in
    /// `data`, once per rule that owns the keyword, and `(rule, 0)` for
    /// every rule without keywords.
    pub fn hits(&self, data: &[u8], out: &mut Vec<(usize, usize)>) {
        out.extend(self.always.iter().map(|&rule| (rule, 0)));
        for m in self.automaton.find_overlapping_iter(data) {
            for &rule in &self.owners[m.pattern().as_usize()] {
                out.push((rule, m.start()));
            }
        }
    }
}
