//! The keyword prefilter: one ASCII-case-insensitive Aho-Corasick automaton
//! over every rule's keywords, mapping each hit to the rules that own it.
//!
//! The automaton searches fastest as a DFA, which takes several times
//! longer to build than the NFA form: a scan of one small file would spend
//! a quarter of its start-up building it. So the NFA is built first and
//! used until the DFA, built on a thread of its own, is ready; both give
//! the same hits.

use std::sync::{Arc, OnceLock};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use foldhash::HashMap;

use crate::rules::RuleSet;

/// Picks the rules worth running on a blob.
#[derive(Debug)]
pub struct Prefilter {
    nfa: AhoCorasick,
    dfa: Arc<OnceLock<AhoCorasick>>,
    /// For each automaton pattern, the indexes of the rules that own it.
    owners: Vec<Vec<usize>>,
    /// Rules without keywords (`every-file`): always worth running.
    always: Vec<usize>,
    num_rules: usize,
}

/// The keyword automaton of the given kind.
fn automaton<K: AsRef<[u8]>>(keywords: &[K], kind: AhoCorasickKind) -> AhoCorasick {
    match AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .kind(Some(kind))
        .build(keywords)
    {
        Ok(ac) => ac,
        Err(e) => unreachable!("keyword automaton over {} literals: {e}", keywords.len()),
    }
}

impl Prefilter {
    /// The DFA once built, the NFA until then.
    fn automaton(&self) -> &AhoCorasick {
        self.dfa.get().unwrap_or(&self.nfa)
    }

    /// Builds the automaton over all keywords of `rules`.
    pub fn new(rules: &RuleSet) -> Prefilter {
        let mut keywords: Vec<&str> = Vec::new();
        let mut owners: Vec<Vec<usize>> = Vec::new();
        let mut position: HashMap<&str, usize> = HashMap::default();
        let mut always = Vec::new();
        for (idx, rule) in rules.rules().iter().enumerate() {
            if rule.keywords.is_empty() {
                always.push(idx);
            }
            for kw in &rule.keywords {
                let p = *position.entry(kw.as_str()).or_insert_with(|| {
                    keywords.push(kw.as_str());
                    owners.push(Vec::new());
                    keywords.len() - 1
                });
                owners[p].push(idx);
            }
        }
        let nfa = automaton(&keywords, AhoCorasickKind::ContiguousNFA);
        let dfa = Arc::new(OnceLock::new());
        let keywords: Vec<String> = keywords.iter().map(|k| k.to_string()).collect();
        let cell = Arc::clone(&dfa);
        let spawned = std::thread::Builder::new()
            .name("keyword-dfa".to_string())
            .spawn(move || {
                let _ = cell.set(automaton(&keywords, AhoCorasickKind::DFA));
            });
        // Without a thread, the NFA serves alone.
        drop(spawned);
        Prefilter {
            nfa,
            dfa,
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
        for m in self.automaton().find_overlapping_iter(data) {
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

    /// Appends `(rule, offset)` for the first occurrence on each line of
    /// `data` of a keyword of each rule, and `(rule, 0)` for every rule
    /// without keywords. Once per line, not per occurrence: a line of
    /// keywords repeated (4 MB of base64, say) held millions of pairs.
    pub fn hits(&self, data: &[u8], out: &mut Vec<(usize, usize)>) {
        out.extend(self.always.iter().map(|&rule| (rule, 0)));
        // Rules already reported on the current line, as a bit set, and
        // the words of it to clear at the next line.
        let mut seen = vec![0u64; self.num_rules.div_ceil(64)];
        let mut dirty: Vec<usize> = Vec::new();
        // Where the current line's search has reached; no keyword holds a
        // line break, and matches come in order of their ends, so a match
        // starting before `cursor` is on the current line.
        let mut cursor = 0;
        for m in self.automaton().find_overlapping_iter(data) {
            if m.start() > cursor {
                if memchr::memchr(b'\n', &data[cursor..m.start()]).is_some() {
                    for w in dirty.drain(..) {
                        seen[w] = 0;
                    }
                }
                cursor = m.start();
            }
            for &rule in &self.owners[m.pattern().as_usize()] {
                let (word, bit) = (rule / 64, 1u64 << (rule % 64));
                if seen[word] & bit == 0 {
                    if seen[word] == 0 {
                        dirty.push(word);
                    }
                    seen[word] |= bit;
                    out.push((rule, m.start()));
                }
            }
        }
    }
}
