//! Per-thread search caches of the rule regexes, under a memory budget.
//!
//! A rule regex needs a mutable cache (lazy DFA states, sparse sets sized
//! by its NFA) on each thread that runs it. Kept for every rule that ever
//! ran, as the regex crate's own pool keeps them, these caches held most of
//! a directory scan's memory: a rule whose keyword shows up in one file
//! keeps its cache on every worker until the scan ends. Here each thread
//! keeps its caches with the time of their last use and, once their total
//! passes [`BUDGET`], drops the least recently used until a quarter of the
//! budget is free. Rules that run on most files stay warm; a cold rule pays
//! for a fresh cache the next time its keyword occurs.

use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};

use regex_automata::Input;
use regex_automata::meta::{Cache, Regex};
use regex_automata::util::captures::Captures;
use regex_automata::util::iter::Searcher;

/// Bytes of rule regex caches one thread keeps.
const BUDGET: usize = 6 << 20;

/// Identifies the rule set a thread's caches were made for, so that an
/// engine never uses a cache made for another engine's regexes.
static NEXT_OWNER: AtomicUsize = AtomicUsize::new(1);

/// A fresh owner id for a new engine.
pub(super) fn new_owner() -> usize {
    NEXT_OWNER.fetch_add(1, Ordering::Relaxed)
}

struct Slot {
    cache: Cache,
    /// `memory_usage` when last measured.
    bytes: usize,
    last_used: u64,
}

struct Caches {
    owner: usize,
    slots: Vec<Option<Slot>>,
    total: usize,
    clock: u64,
    budget: usize,
}

impl Default for Caches {
    fn default() -> Caches {
        Caches {
            owner: 0,
            slots: Vec::new(),
            total: 0,
            clock: 0,
            budget: BUDGET,
        }
    }
}

impl Caches {
    /// The cache for rule `idx` of `owner`, made from `re` if there is none.
    fn take(&mut self, owner: usize, idx: usize, re: &Regex) -> Cache {
        if self.owner != owner {
            *self = Caches {
                owner,
                budget: self.budget,
                ..Caches::default()
            };
        }
        match self.slots.get_mut(idx).and_then(Option::take) {
            Some(slot) => {
                self.total -= slot.bytes;
                slot.cache
            }
            None => re.create_cache(),
        }
    }

    /// Puts back the cache of rule `idx` after a search, then keeps the
    /// total under the budget.
    fn put(&mut self, idx: usize, cache: Cache) {
        if self.slots.len() <= idx {
            self.slots.resize_with(idx + 1, || None);
        }
        self.clock += 1;
        let bytes = cache.memory_usage();
        self.total += bytes;
        self.slots[idx] = Some(Slot {
            cache,
            bytes,
            last_used: self.clock,
        });
        while self.total > self.budget - self.budget / 4 && self.total > bytes {
            let oldest = self
                .slots
                .iter()
                .enumerate()
                .filter(|&(i, s)| i != idx && s.is_some())
                .min_by_key(|(_, s)| s.as_ref().map_or(u64::MAX, |s| s.last_used))
                .map(|(i, _)| i);
            let Some(slot) = oldest.and_then(|i| self.slots[i].take()) else {
                break;
            };
            self.total -= slot.bytes;
        }
    }
}

thread_local! {
    static CACHES: RefCell<Caches> = RefCell::default();
}

/// Calls `each` with the groups of every successive non-overlapping match
/// of `re` (rule `idx` of engine `owner`) in `data`, leftmost-first, as
/// `Regex::captures_iter` would, with this thread's cache for the rule.
pub(super) fn captures_each(
    owner: usize,
    idx: usize,
    re: &Regex,
    data: &[u8],
    mut each: impl FnMut(&Captures),
) {
    let mut cache = CACHES
        .try_with(|c| c.borrow_mut().take(owner, idx, re))
        .unwrap_or_else(|_| re.create_cache());
    let mut caps = re.create_captures();
    let mut it = Searcher::new(Input::new(data));
    loop {
        let found = it.advance(|input| {
            re.search_captures_with(&mut cache, input, &mut caps);
            Ok(caps.get_match())
        });
        if found.is_none() {
            break;
        }
        each(&caps);
    }
    let _ = CACHES.try_with(|c| c.borrow_mut().put(idx, cache));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn least_recently_used_caches_go_once_over_budget() {
        let regexes: Vec<Regex> = (0..40)
            .map(|i| Regex::new(&format!("k{i}[a-z]{{4,40}}x")).unwrap())
            .collect();
        let mut caches = Caches {
            budget: 64 << 10,
            ..Caches::default()
        };
        let hay = b"k1abcdefghx k7zzzzzzzzzzzzzzzx".repeat(50);
        for round in 0..3 {
            for (i, re) in regexes.iter().enumerate() {
                let mut cache = caches.take(7, i, re);
                assert!(
                    re.search_with(&mut cache, &Input::new(&hay)).is_some() == (i == 1 || i == 7)
                );
                caches.put(i, cache);
                // The rule just used is always kept, and rule 0 (used
                // first in each round) is gone by the end of the round.
                assert!(caches.slots[i].is_some(), "round {round} rule {i}");
                assert!(caches.total <= caches.budget.max(caches.slots[i].as_ref().unwrap().bytes));
            }
            assert!(caches.slots[0].is_none());
            assert!(caches.slots.iter().flatten().count() < regexes.len());
        }
        // Another engine's caches never serve this one.
        let cache = caches.take(8, 39, &regexes[39]);
        assert_eq!(caches.total, 0);
        caches.put(39, cache);
        assert_eq!(caches.slots.iter().flatten().count(), 1);
    }

    #[test]
    fn matches_are_those_of_captures_iter() {
        let re = Regex::new(r"(?:a|)(b*)").unwrap();
        let data = b"xabbyabbb b";
        let mut got = Vec::new();
        captures_each(new_owner(), 3, &re, data, |caps| {
            got.push((
                caps.get_match().unwrap().range(),
                caps.get_group(1).unwrap().range(),
            ));
        });
        let want: Vec<_> = re
            .captures_iter(data)
            .map(|caps| {
                (
                    caps.get_match().unwrap().range(),
                    caps.get_group(1).unwrap().range(),
                )
            })
            .collect();
        assert_eq!(got, want);
        let whole: Vec<_> = got.iter().map(|(m, _)| m.clone()).collect();
        assert_eq!(whole, [0..0, 1..4, 5..9, 10..11]);
    }
}
