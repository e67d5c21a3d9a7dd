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

use crate::finding::{Confidence, Suppression};
use crate::rules::RuleSet;
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
    /// the most lines any rule's match can span, capped.
    context_lines: u32,
}

/// `changed` widened by `context` lines on each side, merged where they
/// touch; every window starts at a line start and ends after a newline or
/// at the end of `data`.
fn windows(data: &[u8], changed: &[Range<usize>], context: u32) -> Vec<Range<usize>> {
    let line_start = |at: usize| memchr::memrchr(b'\n', &data[..at]).map_or(0, |nl| nl + 1);
    let line_end =
        |at: usize| memchr::memchr(b'\n', &data[at..]).map_or(data.len(), |nl| at + nl + 1);
    let mut out: Vec<Range<usize>> = Vec::new();
    for range in changed {
        // The start of the range's first line, then `context` lines up.
        let mut start = line_start(range.start.min(data.len()));
        for _ in 0..context {
            if start == 0 {
                break;
            }
            start = line_start(start - 1);
        }
        // The end of the range's last line, then `context` lines down.
        let last = range.end.max(start + 1).min(data.len()).saturating_sub(1);
        let mut end = line_end(last);
        for _ in 0..context {
            if end >= data.len() {
                break;
            }
            end = line_end(end);
        }
        match out.last_mut() {
            Some(last) if start <= last.end => last.end = last.end.max(end),
            _ => out.push(start..end),
        }
    }
    out
}

impl Engine {
    /// Builds the prefilter over `rules`; regexes compile on first use.
    pub fn new(rules: RuleSet) -> Engine {
        let prefilter = Prefilter::new(&rules);
        let context_lines = rules
            .rules()
            .iter()
            .filter_map(|r| r.line_span)
            .max()
            .unwrap_or(0)
            .min(MAX_CONTEXT_LINES);
        Engine {
            rules,
            prefilter,
            context_lines,
        }
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
        let mut hits = Vec::new();
        self.prefilter.hits(data, &mut hits);
        hits.sort_unstable();
        let mut rest = hits.as_slice();
        while let Some(&(idx, _)) = rest.first() {
            let n = rest.partition_point(|&(rule, _)| rule == idx);
            let (group, tail) = rest.split_at(n);
            rest = tail;
            let Some(span) = self.rules.rules()[idx].window_lines() else {
                self.run_rule(idx, data, 0, &mut out);
                continue;
            };
            let at: Vec<Range<usize>> = group.iter().map(|&(_, pos)| pos..pos + 1).collect();
            for window in windows(data, &at, span.min(MAX_CONTEXT_LINES)) {
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
            if rules[idx].line_span.is_none() {
                self.run_rule(idx, data, 0, &mut out);
            }
        }
        let mut triggered = Vec::new();
        let mut whole = vec![false; rules.len()];
        for window in windows(data, changed, self.context_lines) {
            let bytes = &data[window.clone()];
            self.prefilter.triggered(bytes, &mut triggered);
            for (idx, rule) in rules.iter().enumerate() {
                if rule.line_span.is_none() || whole[idx] {
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
            let Some(secret) = caps.get(rule.secret_group) else {
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
    /// first one in load order wins.
    fn supersede_generic(&self, cands: &mut [Candidate]) {
        let rules = self.rules.rules();
        for i in 0..cands.len() {
            if !rules[cands[i].rule].generic || cands[i].suppressed.is_some() {
                continue;
            }
            let (s, e) = (cands[i].secret_start, cands[i].secret_end);
            let winner = cands.iter().enumerate().find(|(j, o)| {
                *j != i
                    && o.secret_start < e
                    && s < o.secret_end
                    && (!rules[o.rule].generic
                        || (o.suppressed.is_none() && o.rule < cands[i].rule))
            });
            if let Some((_, o)) = winner {
                cands[i].suppressed = Some(Suppression::Superseded(rules[o.rule].id.clone()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_widen_by_whole_lines_and_merge() {
        let data = b"l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\n";
        let text = |r: &Range<usize>| std::str::from_utf8(&data[r.clone()]).unwrap();
        // Line 4 with one line of context on each side.
        let w = windows(data, &[Range { start: 9, end: 12 }], 1);
        assert_eq!(w.iter().map(text).collect::<Vec<_>>(), ["l3\nl4\nl5\n"]);
        // Lines 2 and 6 with two lines of context touch and merge.
        let w = windows(data, &[3..6, 15..18], 2);
        assert_eq!(
            w.iter().map(text).collect::<Vec<_>>(),
            ["l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\n"]
        );
        // No context at the edges of the data.
        let whole = Range { start: 0, end: 4 };
        assert_eq!(
            windows(b"only", std::slice::from_ref(&whole), 3),
            vec![whole]
        );
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
