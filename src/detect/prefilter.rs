//! The keyword prefilter: one ASCII-case-insensitive Aho-Corasick automaton
//! over every rule's keywords, mapping each hit to the rules that own it.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use crate::rules::{Rule, RuleSet};

/// Picks the rules worth running on a blob.
#[derive(Debug)]
pub struct Prefilter {
    automaton: AhoCorasick,
    /// For each automaton pattern, the indexes of the rules that own it.
    owners: Vec<Vec<usize>>,
    num_rules: usize,
    /// How many rules own at least one keyword.
    selected: usize,
}

impl Prefilter {
    /// Builds the automaton over the keywords of the rules that `select`
    /// accepts; the others are never triggered.
    pub fn new(rules: &RuleSet, select: impl Fn(&Rule) -> bool) -> Prefilter {
        let mut keywords: Vec<String> = Vec::new();
        let mut owners: Vec<Vec<usize>> = Vec::new();
        for (idx, rule) in rules.rules().iter().enumerate() {
            if !select(rule) {
                continue;
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
        let selected = rules.rules().iter().filter(|r| select(r)).count();
        Prefilter {
            automaton,
            owners,
            num_rules: rules.len(),
            selected,
        }
    }

    /// Marks in `triggered` (one flag per rule, all cleared first) every
    /// rule whose keyword occurs in `data`; returns how many were marked.
    pub fn triggered(&self, data: &[u8], triggered: &mut Vec<bool>) -> usize {
        triggered.clear();
        triggered.resize(self.num_rules, false);
        self.mark(data, triggered)
    }

    /// Like [`Prefilter::triggered`], but adds to the flags already set;
    /// returns how many new ones were marked.
    pub fn mark(&self, data: &[u8], triggered: &mut [bool]) -> usize {
        let mut count = 0;
        if self.selected == 0 {
            return 0;
        }
        for m in self.automaton.find_overlapping_iter(data) {
            for &rule in &self.owners[m.pattern().as_usize()] {
                if !triggered[rule] {
                    triggered[rule] = true;
                    count += 1;
                }
            }
            if count == self.selected {
                break;
            }
        }
        count
    }

    /// Appends `(rule, offset)` for every occurrence of a keyword in
    /// `data`, once per rule that owns the keyword.
    pub fn hits(&self, data: &[u8], out: &mut Vec<(usize, usize)>) {
        if self.selected == 0 {
            return;
        }
        for m in self.automaton.find_overlapping_iter(data) {
            for &rule in &self.owners[m.pattern().as_usize()] {
                out.push((rule, m.start()));
            }
        }
    }
}
