//! Detection: bytes in, candidate matches out. Pure: it never touches the
//! file system and never knows a path.
//!
//! The keyword prefilter picks the rules worth running; only those run their
//! regex. Each match's secret capture is then checked for entropy and, when
//! the rule names one, by an offline validator. Rejected candidates are kept
//! with the reason, so the summary and `--show-suppressed` can explain them.

pub mod entropy;
pub mod location;
pub mod prefilter;
pub mod validate;

use std::ops::Range;
use std::sync::OnceLock;

use crate::finding::{Confidence, Suppression};
use crate::rules::{Rule, RuleSet};
use location::LineIndex;
use prefilter::Prefilter;

/// Most lines of context put around a changed line or a keyword for rules
/// whose matches span a bounded number of lines: a regex may allow more
/// (`key\s*{[^}]{0,300}default = ...`), but a key and its value further
/// apart than this are not a layout seen in practice.
const MAX_CONTEXT_LINES: u32 = 12;

/// Blobs at least this large run each rule only in windows around its
/// keyword hits; below it, over the whole blob.
const WINDOWED_MIN_LEN: usize = 64 << 10;

/// One regex match of one rule, as byte offsets into the blob.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Index of the rule in the [`RuleSet`].
    pub rule: usize,
    /// The whole match.
    pub start: usize,
    /// End of the whole match (exclusive).
    pub end: usize,
    /// Start of the secret capture.
    pub secret_start: usize,
    /// End of the secret capture (exclusive).
    pub secret_end: usize,
    /// Shannon entropy of the secret.
    pub entropy: f64,
    /// High when an offline validator confirmed the structure.
    pub confidence: Confidence,
    /// Why the candidate is not reported, if it is not.
    pub suppressed: Option<Suppression>,
}

/// The compiled detection engine, built once and shared read-only.
#[derive(Debug)]
pub struct Engine {
    rules: RuleSet,
    prefilter: Prefilter,
    /// Lines of context around a changed line in [`Engine::scan_changed`]:
    /// the most lines any rule's match can span, capped; worked out on
    /// first use (it parses every rule's regex).
    context_lines: OnceLock<u32>,
}

/// The byte ranges of windows of `context` lines on each side of
/// `lines` (0-based line numbers, ascending), merged where they overlap or
/// touch: each starts at a line start and ends after a newline or at the
/// end of the blob. Linear in the number of lines given.
fn windows(
    index: &LineIndex<'_>,
    lines: impl IntoIterator<Item = usize>,
    context: u32,
) -> Vec<Range<usize>> {
    let context = context as usize;
    let last_line = index.lines() - 1;
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for line in lines {
        let (first, last) = (
            line.saturating_sub(context),
            line.saturating_add(context).min(last_line),
        );
        match spans.last_mut() {
            Some(span) if first <= span.1 + 1 => span.1 = span.1.max(last),
            _ => spans.push((first, last)),
        }
    }
    spans
        .into_iter()
        .map(|(first, last)| index.range(first, last))
        .collect()
}

impl Engine {
    /// Builds the prefilter over `rules`; regexes compile on first use.
    pub fn new(rules: RuleSet) -> Engine {
        let prefilter = Prefilter::new(&rules);
        Engine {
            rules,
            prefilter,
            context_lines: OnceLock::new(),
        }
    }

    fn context_lines(&self) -> u32 {
        *self.context_lines.get_or_init(|| {
            self.rules
                .rules()
                .iter()
                .filter_map(Rule::line_span)
                .max()
                .unwrap_or(0)
                .min(MAX_CONTEXT_LINES)
        })
    }

    /// The rules this engine runs.
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// Finds every candidate in `data`, rejected ones included (with their
    /// reason), ordered by position.
    ///
    /// In a large blob, a rule whose matches hold a keyword and span a
    /// bounded number of lines runs only over the lines around its keyword
    /// hits ([`crate::rules::Rule::window_lines`]).
    pub fn scan(&self, data: &[u8]) -> Vec<Candidate> {
        let mut out = Vec::new();
        if data.len() < WINDOWED_MIN_LEN {
            let mut triggered = Vec::new();
            if self.prefilter.triggered(data, &mut triggered) > 0 {
                self.run(data, 0, &triggered, &mut out);
            }
            return self.finish(out);
        }
        let index = LineIndex::new(data);
        let mut hits = Vec::new();
        self.prefilter.hits(data, &mut hits);
        for hit in &mut hits {
            hit.1 = index.line_of(hit.1);
        }
        hits.sort_unstable();
        hits.dedup();
        let mut rest = hits.as_slice();
        while let Some(&(idx, _)) = rest.first() {
            let n = rest.partition_point(|&(rule, _)| rule == idx);
            let (group, tail) = rest.split_at(n);
            rest = tail;
            let Some(span) = self.rules.rules()[idx].window_lines() else {
                self.run_rule(idx, data, 0, &mut out);
                continue;
            };
            let lines = group.iter().map(|&(_, line)| line);
            for window in windows(&index, lines, span.min(MAX_CONTEXT_LINES)) {
                self.run_rule(idx, &data[window.clone()], window.start, &mut out);
            }
        }
        self.finish(out)
    }

    /// Sets in `flags` (one per rule) the rules whose keyword occurs in
    /// `data`, keeping those already set: what a history source records
    /// about a file's new lines for [`Engine::scan_changed`].
    pub fn mark_keywords(&self, data: &[u8], flags: &mut Vec<bool>) {
        self.prefilter.mark(data, flags);
    }

    fn triggered_rules<'a>(&'a self, triggered: &'a [bool]) -> impl Iterator<Item = usize> + 'a {
        triggered
            .iter()
            .enumerate()
            .filter(|(_, t)| **t)
            .map(|(idx, _)| idx)
    }

    /// Like [`Engine::scan`], for a blob of which only the `changed` byte
    /// ranges (whole lines) are new: the rest was scanned in an earlier
    /// version, so a match that touches no changed line was reported
    /// there. `history` flags the rules whose keywords occurred in the new
    /// lines of this or an earlier version of the file
    /// ([`Engine::mark_keywords`]), so a keyword that stands on an old line
    /// still counts.
    ///
    /// Rules run over the changed lines plus as many lines of context as a
    /// match can span: those whose keyword occurs there, and those whose
    /// keyword need not be in the match
    /// ([`crate::rules::Rule::keyword_in_match`]) and
    /// occurs anywhere in the file's history. Such a rule whose keyword is
    /// new runs over the whole blob, since old lines may match now; so do
    /// rules whose matches span any number of lines (private keys) when
    /// their keyword is in the file's history.
    pub fn scan_changed(
        &self,
        data: &[u8],
        changed: &[Range<usize>],
        history: &[bool],
    ) -> Vec<Candidate> {
        if changed.is_empty() {
            return Vec::new();
        }
        let rules = self.rules.rules();
        let mut out = Vec::new();
        for idx in self.triggered_rules(history) {
            if rules[idx].line_span().is_none() {
                self.run_rule(idx, data, 0, &mut out);
            }
        }
        let mut triggered = Vec::new();
        let mut whole = vec![false; rules.len()];
        let index = LineIndex::new(data);
        let changed_lines = changed.iter().flat_map(|r| {
            let first = index.line_of(r.start.min(data.len()));
            let last = index.line_of(r.end.saturating_sub(1).max(r.start).min(data.len()));
            first..=last
        });
        for window in windows(&index, changed_lines, self.context_lines()) {
            let bytes = &data[window.clone()];
            self.prefilter.triggered(bytes, &mut triggered);
            for (idx, rule) in rules.iter().enumerate() {
                if rule.line_span().is_none() || whole[idx] {
                    continue;
                }
                let in_window = triggered[idx];
                let in_history = history.get(idx).copied().unwrap_or(false);
                if !(in_window || in_history) {
                    continue;
                }
                if rule.keyword_in_match() {
                    if in_window {
                        self.run_rule(idx, bytes, window.start, &mut out);
                    }
                } else if in_window {
                    // A new keyword of a rule that wants it anywhere in the
                    // file: old lines may match now.
                    whole[idx] = true;
                    self.run_rule(idx, data, 0, &mut out);
                } else {
                    self.run_rule(idx, bytes, window.start, &mut out);
                }
            }
        }
        self.finish(out)
    }

    /// Runs the `triggered` rules over `data`, which starts at `offset` in
    /// the blob.
    fn run(&self, data: &[u8], offset: usize, triggered: &[bool], out: &mut Vec<Candidate>) {
        for idx in self.triggered_rules(triggered) {
            self.run_rule(idx, data, offset, out);
        }
    }

    /// Runs rule `idx` over `data`, which starts at `offset` in the blob.
    fn run_rule(&self, idx: usize, data: &[u8], offset: usize, out: &mut Vec<Candidate>) {
        let rule = &self.rules.rules()[idx];
        for caps in rule.regex().captures_iter(data) {
            let Some(whole) = caps.get(0) else { continue };
            let Some(secret) = caps.get(rule.secret_group()) else {
                continue;
            };
            if secret.is_empty() {
                continue;
            }
            let bytes = secret.as_bytes();
            let entropy = entropy::shannon(bytes);
            let mut confidence = Confidence::Medium;
            let mut suppressed = None;
            if entropy < rule.min_entropy {
                suppressed = Some(Suppression::Entropy {
                    value: entropy,
                    min: rule.min_entropy,
                });
            } else if let Some(v) = rule.validator {
                if v.check(bytes) {
                    confidence = Confidence::High;
                } else {
                    suppressed = Some(Suppression::Validator(v.name()));
                }
            }
            out.push(Candidate {
                rule: idx,
                start: offset + whole.start(),
                end: offset + whole.end(),
                secret_start: offset + secret.start(),
                secret_end: offset + secret.end(),
                entropy,
                confidence,
                suppressed,
            });
        }
    }

    /// Orders the candidates, drops those found twice (a rule that ran over
    /// a window and then over the whole blob) and lets generic rules yield.
    fn finish(&self, mut out: Vec<Candidate>) -> Vec<Candidate> {
        out.sort_by_key(|c| (c.start, c.rule, c.end));
        out.dedup_by_key(|c| (c.start, c.rule, c.end));
        self.supersede_generic(&mut out);
        out
    }

    /// A generic rule yields to any specific rule that matched an overlapping
    /// secret, even one the specific rule rejected (a token with a failed
    /// checksum is not a generic secret either); among generic rules, the
    /// first one in load order wins over those it overlaps, unless entropy
    /// or a validator rejected it. The winner named is the one whose secret
    /// starts first. O(c log c) in the number of candidates.
    fn supersede_generic(&self, cands: &mut [Candidate]) {
        let rules = self.rules.rules();
        // Who can win: specific candidates, and generic ones per rule.
        let mut specific = Intervals::default();
        let mut generic: Vec<(usize, Intervals)> = Vec::new();
        for (i, c) in cands.iter().enumerate() {
            if !rules[c.rule].generic {
                specific.push(c, i);
            } else if c.suppressed.is_none() {
                match generic.iter_mut().find(|(rule, _)| *rule == c.rule) {
                    Some((_, set)) => set.push(c, i),
                    None => {
                        let mut set = Intervals::default();
                        set.push(c, i);
                        generic.push((c.rule, set));
                    }
                }
            }
        }
        specific.seal();
        for (_, set) in &mut generic {
            set.seal();
        }
        let mut verdicts = Vec::new();
        for (i, c) in cands.iter().enumerate() {
            if !rules[c.rule].generic || c.suppressed.is_some() {
                continue;
            }
            let (s, e) = (c.secret_start, c.secret_end);
            let winner = std::iter::once(&specific)
                .chain(
                    generic
                        .iter()
                        .filter(|(rule, _)| *rule < c.rule)
                        .map(|(_, set)| set),
                )
                .filter_map(|set| set.first_overlapping(s, e))
                .min_by_key(|&j| (cands[j].secret_start, cands[j].rule));
            if let Some(j) = winner {
                verdicts.push((i, cands[j].rule));
            }
        }
        for (i, rule) in verdicts {
            cands[i].suppressed = Some(Suppression::Superseded(rules[rule].id.clone()));
        }
    }
}

/// Secret spans of some candidates, for "which of them overlaps this
/// span first" in O(log n).
#[derive(Default)]
struct Intervals {
    /// `(secret_start, secret_end, candidate index)`, sorted by start
    /// once sealed.
    spans: Vec<(usize, usize, usize)>,
    /// `prefix_end[k]`: the largest end among `spans[..=k]`.
    prefix_end: Vec<usize>,
}

impl Intervals {
    fn push(&mut self, c: &Candidate, index: usize) {
        self.spans.push((c.secret_start, c.secret_end, index));
    }

    fn seal(&mut self) {
        self.spans.sort_unstable();
        let mut max = 0;
        self.prefix_end = self
            .spans
            .iter()
            .map(|&(_, end, _)| {
                max = max.max(end);
                max
            })
            .collect();
    }

    /// The candidate with the first-starting span that overlaps `s..e`.
    fn first_overlapping(&self, s: usize, e: usize) -> Option<usize> {
        // Spans starting before `e`; the first of them ending after `s`
        // is where the running maximum of ends first exceeds `s`.
        let before = self.spans.partition_point(|&(start, _, _)| start < e);
        let k = self.prefix_end[..before].partition_point(|&end| end <= s);
        (k < before).then(|| self.spans[k].2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_widen_by_whole_lines_and_merge() {
        let data = b"l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\n";
        let index = LineIndex::new(data);
        let text = |r: &Range<usize>| std::str::from_utf8(&data[r.clone()]).unwrap();
        // Line 4 with one line of context on each side.
        let w = windows(&index, [3], 1);
        assert_eq!(w.iter().map(text).collect::<Vec<_>>(), ["l3\nl4\nl5\n"]);
        // Lines 2 and 6 with two lines of context touch and merge.
        let w = windows(&index, [1, 5], 2);
        assert_eq!(
            w.iter().map(text).collect::<Vec<_>>(),
            ["l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\n"]
        );
        // Lines 1 and 8 with one line of context stay apart.
        let w = windows(&index, [0, 7], 1);
        assert_eq!(
            w.iter().map(text).collect::<Vec<_>>(),
            ["l1\nl2\n", "l7\nl8\n"]
        );
        // No context at the edges of the data.
        let only = LineIndex::new(b"only");
        assert_eq!(windows(&only, [0], 3), vec![0..4]);
    }

    /// Generous bound for inputs that took minutes when a stage was
    /// quadratic and take well under a second in a release build (a few in
    /// a debug build): the shape, not the speed, is what is checked.
    const QUADRATIC_BOUND: std::time::Duration = std::time::Duration::from_secs(30);

    #[test]
    fn a_long_line_of_keywords_is_scanned_in_linear_time() {
        // 2 MB on one line, a keyword hit every 6 bytes: walking back to
        // the line start for every hit was ~1e11 byte steps.
        let engine = Engine::new(RuleSet::builtin().unwrap());
        let data = b"token ".repeat(350_000);
        let started = std::time::Instant::now();
        let found = engine.scan(&data);
        assert!(found.is_empty());
        assert!(
            started.elapsed() < QUADRATIC_BOUND,
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn many_generic_candidates_are_resolved_in_n_log_n() {
        // 60,000 generic candidates: comparing each with every other was
        // 3.6e9 comparisons.
        let engine = Engine::new(RuleSet::builtin().unwrap());
        let alphabet = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut data = Vec::new();
        for _ in 0..60_000 {
            data.extend(b"password = \"");
            for _ in 0..24 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                data.push(alphabet[(state % alphabet.len() as u64) as usize]);
            }
            data.extend(b"\"\n");
        }
        let started = std::time::Instant::now();
        let found = engine.scan(&data);
        assert!(
            started.elapsed() < QUADRATIC_BOUND,
            "{:?}",
            started.elapsed()
        );
        let rules = engine.rules().rules();
        let reported: Vec<&str> = found
            .iter()
            .filter(|c| c.suppressed.is_none())
            .map(|c| rules[c.rule].id.as_str())
            .collect();
        assert_eq!(reported.len(), 60_000);
        assert!(reported.iter().all(|id| *id == "generic-password"));
    }

    #[test]
    fn a_generic_match_yields_to_an_overlapping_specific_one() {
        let engine = demo_engine_with_generic();
        let data = b"secret = demo_k3j4h5g6f7d8\nsecret = Zx8kQ2mN4pR7tV1w\n";
        let found: Vec<(&str, Option<String>)> = engine
            .scan(data)
            .iter()
            .map(|c| {
                (
                    engine.rules().rules()[c.rule].id.as_str(),
                    c.suppressed.as_ref().map(|s| s.to_string()),
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                (
                    "demo-secret",
                    Some("superseded by rule `demo-token`".to_string())
                ),
                ("demo-token", None),
                ("demo-secret", None),
            ]
        );
    }

    fn demo_engine_with_generic() -> Engine {
        let mut rules = RuleSet::default();
        let pack = r#"
            [[rule]]
            id = "demo-secret"
            name = "Demo generic secret"
            severity = "medium"
            keywords = ["secret"]
            regex = '''secret\s*=\s*(\S{12,})'''
            generic = true
            remediation = "Rotate it."
            examples = ["secret = Zx8kQ2mN4pR7tV1w"]

            [[rule]]
            id = "demo-token"
            name = "Demo token"
            severity = "high"
            keywords = ["demo_"]
            regex = '''\b(demo_[a-z0-9]{12})\b'''
            remediation = "Rotate it."
            examples = ["t = demo_k3j4h5g6f7d8"]
        "#;
        rules.add_pack("demo.toml", pack, true).unwrap();
        Engine::new(rules)
    }

    fn demo_engine() -> Engine {
        let mut rules = RuleSet::default();
        let pack = r#"
            [[rule]]
            id = "demo-token"
            name = "Demo token"
            severity = "high"
            keywords = ["demo_"]
            regex = '''\b(demo_[a-z0-9]{12})\b'''
            remediation = "Rotate it."
            examples = ["t = demo_k3j4h5g6f7d8"]

            [[rule]]
            id = "far-token"
            name = "Token whose keyword may be anywhere in the file"
            severity = "high"
            keywords = ["farco"]
            regex = '''\b(FC[a-f0-9]{16})\b'''
            remediation = "Rotate it."
            examples = ["FARCO_KEY=FC0123456789abcdef"]
        "#;
        rules.add_pack("demo.toml", pack, true).unwrap();
        Engine::new(rules)
    }

    #[test]
    fn large_blobs_are_scanned_around_keyword_hits() {
        let engine = demo_engine();
        let mut data = b"farco settings\n".to_vec();
        data.extend(b"filler line of text\n".repeat(WINDOWED_MIN_LEN / 20 + 10));
        data.extend(b"x = demo_q1w2e3r4t5y6\nid: FCa1b2c3d4e5f60718\n");
        let found: Vec<&[u8]> = engine
            .scan(&data)
            .iter()
            .map(|c| &data[c.secret_start..c.secret_end])
            .collect();
        // The demo token is found in the window around its keyword; the
        // far token, whose keyword is 3,000 lines up, by a whole-blob run.
        assert_eq!(found, [&b"demo_q1w2e3r4t5y6"[..], b"FCa1b2c3d4e5f60718"]);
    }

    #[test]
    fn scan_changed_reports_at_blob_offsets() {
        let engine = demo_engine();
        let data = b"a\ndemo_k3j4h5g6f7d8\nb\nc\nd\ndemo_q1w2e3r4t5y6\n";
        let full = engine.scan(data);
        assert_eq!(full.len(), 2);
        // Only the last line changed: the first token is not reported again.
        let last = data.len() - 18..data.len();
        let changed = engine.scan_changed(data, std::slice::from_ref(&last), &[]);
        assert_eq!(changed.len(), 1);
        assert_eq!(
            &data[changed[0].secret_start..changed[0].secret_end],
            b"demo_q1w2e3r4t5y6"
        );
        assert!(engine.scan_changed(data, &[], &[true, true]).is_empty());
    }

    #[test]
    fn scan_changed_uses_keywords_from_the_file_history() {
        let engine = demo_engine();
        let mut data = b"farco settings\n".to_vec();
        data.extend(b"filler\n".repeat(100));
        let at = data.len();
        data.extend(b"id: FCa1b2c3d4e5f60718\n");
        let changed = [Range {
            start: at,
            end: data.len(),
        }];
        // The keyword stands on an old line, 100 lines up: only the file's
        // history says it is there.
        assert!(engine.scan_changed(&data, &changed, &[]).is_empty());
        let mut history = Vec::new();
        engine.mark_keywords(b"farco settings\n", &mut history);
        assert_eq!(history, [false, true]);
        let found = engine.scan_changed(&data, &changed, &history);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].secret_start, at + 4);
        // The token's window runs the rule, then a new keyword further down
        // runs it over the whole blob: still one candidate.
        data.extend(b"filler\n".repeat(40));
        let keyword_at = data.len();
        data.extend(b"farco again\n");
        let both = [
            changed[0].clone(),
            Range {
                start: keyword_at,
                end: data.len(),
            },
        ];
        assert_eq!(engine.scan_changed(&data, &both, &history).len(), 1);
    }
}
