//! Detection: bytes in, candidate matches out. Pure: it never touches the
//! file system and never knows a path.
//!
//! The keyword prefilter finds the lines where each rule's keywords occur;
//! a rule whose every match holds a keyword and spans a bounded number of
//! lines runs its regex only in windows of that many lines around those
//! lines, any other rule over the whole blob when its keyword occurs. Each
//! match's secret capture is then checked for entropy and, when the rule
//! names one, by an offline validator. Rejected candidates are kept with
//! the reason, so the summary and `--show-suppressed` can explain them.
//!
//! Because a blob's candidates are a function of its windows' bytes, the
//! versions of one file in history can share work ([`Memo`]): a window
//! whose bytes were seen before gives the same candidates again, so
//! scanning every version whole costs a hash for what did not change.
//!
//! Encoded spans are decoded and their text scanned with every rule,
//! recursively up to a depth; a candidate found there points at the
//! encoded bytes in the blob and carries the decoded secret
//! ([`DecodedMatch`]).

mod cache;
pub mod decode;
pub mod entropy;
pub mod location;
pub mod prefilter;
pub mod validate;

use std::hash::BuildHasher;
use std::ops::Range;

use foldhash::HashMap;
use foldhash::fast::RandomState;

use crate::finding::{Confidence, Suppression};
use crate::rules::RuleSet;
use location::LineIndex;
use prefilter::Prefilter;

/// How many encodings deep decoding goes by default (`--max-decode-depth`).
pub const DEFAULT_DECODE_DEPTH: u32 = 3;

/// The deepest `--max-decode-depth`: decoding recurses once per level, and
/// a crafted input (`%2525...`) nests as deep as it is long, so an
/// unbounded depth would overflow the stack.
pub const MAX_DECODE_DEPTH: u32 = 16;

/// What a candidate found in decoded text carries: the candidate's offsets
/// point at the encoded bytes in the blob, so the secret and the match are
/// kept here as decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedMatch {
    /// The encodings undone, outermost first (`["base64", "percent"]`).
    pub chain: Vec<&'static str>,
    /// The decoded secret.
    pub secret: Vec<u8>,
    /// The decoded match.
    pub matched: Vec<u8>,
    /// Where the secret is in `matched`.
    pub secret_in_match: Range<usize>,
}

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
    /// Set when the candidate was found in decoded text.
    pub decoded: Option<Box<DecodedMatch>>,
}

impl Candidate {
    /// The secret: decoded, or the bytes of `data` (the blob scanned).
    pub fn secret<'a>(&'a self, data: &'a [u8]) -> &'a [u8] {
        match &self.decoded {
            Some(d) => &d.secret,
            None => &data[self.secret_start..self.secret_end],
        }
    }
}

/// The compiled detection engine, built once and shared read-only.
#[derive(Debug)]
pub struct Engine {
    rules: RuleSet,
    prefilter: Prefilter,
    /// How many encodings deep decoded text is scanned; 0 turns decoding
    /// off.
    decode_depth: usize,
    /// Tells this engine's regex caches from other engines' (see
    /// [`cache`]).
    owner: usize,
}

/// What the versions of one file have in common, so that scanning each
/// version whole costs little more than hashing what did not change:
/// the rules whose keywords occur on each line seen so far, and the
/// candidates of each rule in each window seen so far, both keyed by a
/// 128-bit hash of the bytes. [`Engine::scan_memo`] with a memo returns
/// exactly what [`Engine::scan`] returns (barring a 128-bit collision).
#[derive(Default)]
pub struct Memo {
    hashers: [RandomState; 2],
    /// Line hash -> rules whose keywords occur on the line.
    lines: HashMap<u128, Box<[u32]>>,
    /// (rule, window hash) -> candidates, offsets relative to the window.
    windows: HashMap<(u32, u128), Box<[Candidate]>>,
    /// The previous version, its line hashes and its `(line, rule)` hits:
    /// the lines it shares with the next version at the start and at the
    /// end (most of them, for a typical edit) are taken from here by a
    /// byte comparison instead of a hash and a lookup per line.
    previous: Vec<u8>,
    previous_hashes: Vec<u128>,
    previous_hits: Vec<(usize, usize)>,
    /// Where the lines this version shares with the previous one end at
    /// its start and begin at its end (byte offsets in this version), and
    /// how many bytes longer this version is.
    shared: (usize, usize, isize),
    /// The previous version's candidates from decoded text, when it was
    /// decoded. Encoded spans never cross a line break, so those on the
    /// shared lines are found again by moving them.
    previous_decoded: Option<Vec<Candidate>>,
}

/// The number of leading bytes `a` and `b` share.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + 64 <= n && a[i..i + 64] == b[i..i + 64] {
        i += 64;
    }
    while i < n && a[i] == b[i] {
        i += 1;
    }
    i
}

/// The number of trailing bytes `a` and `b` share, at most `limit`.
fn common_suffix(a: &[u8], b: &[u8], limit: usize) -> usize {
    let n = a.len().min(b.len()).min(limit);
    let (a, b) = (&a[a.len() - n..], &b[b.len() - n..]);
    let mut i = 0;
    while i + 64 <= n && a[n - i - 64..n - i] == b[n - i - 64..n - i] {
        i += 64;
    }
    while i < n && a[n - i - 1] == b[n - i - 1] {
        i += 1;
    }
    i
}

impl Memo {
    fn hash(&self, bytes: &[u8]) -> u128 {
        let [a, b] = &self.hashers;
        (u128::from(a.hash_one(bytes)) << 64) | u128::from(b.hash_one(bytes))
    }

    /// The hash of lines `first..=last` from their line hashes.
    fn hash_lines(&self, hashes: &[u128], first: usize, last: usize) -> u128 {
        let [a, b] = &self.hashers;
        let lines = &hashes[first..=last];
        (u128::from(a.hash_one(lines)) << 64) | u128::from(b.hash_one(lines))
    }
}

/// Line spans (0-based, inclusive) of windows of `context` lines on each
/// side of `lines` (ascending), merged where they overlap or touch.
/// Linear in the number of lines given.
fn window_lines(
    last_line: usize,
    lines: impl IntoIterator<Item = usize>,
    context: u32,
) -> Vec<(usize, usize)> {
    let context = context as usize;
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
}

/// Lines per chunk core, on average, for a rule whose matches hold at
/// most `span` line breaks: large enough that the overlap is a small part.
fn chunk_lines(span: u32) -> usize {
    (span as usize * 8).max(64)
}

/// Splits each line span (0-based, inclusive) longer than four chunks into
/// overlapping chunks, so that an edit in a long file changes the bytes of
/// few of them (and [`Memo`] keeps the others). Cores end after a line whose
/// fixed-seed hash picks it (content-defined, so inserting lines moves no
/// other boundary), or at four times the average; each chunk is its core
/// plus `span` lines on each side, so a match of at most `span` line breaks
/// lies whole in the chunk whose core holds its first line.
///
/// `hashes`, when given, are the lines' hashes (a [`Memo`]'s), used instead
/// of hashing each line again.
fn chunks(
    data: &[u8],
    index: &LineIndex<'_>,
    hashes: Option<&[u128]>,
    spans: Vec<(usize, usize)>,
    span: u32,
) -> Vec<(usize, usize)> {
    let average = chunk_lines(span);
    if spans
        .iter()
        .all(|&(first, last)| last - first < 4 * average)
    {
        return spans;
    }
    let overlap = span as usize;
    let picker = foldhash::fast::FixedState::with_seed(0x6c65_616b_7072_6f66);
    let mut out = Vec::new();
    for (first, last) in spans {
        if last - first < 4 * average {
            out.push((first, last));
            continue;
        }
        let mut core = first;
        for line in first..=last {
            let long = line + 1 - core >= 4 * average;
            let picked = line + 1 - core >= average / 4 && {
                let hash = match hashes {
                    Some(hashes) => hashes[line] as u64,
                    None => picker.hash_one(&data[index.range(line, line)]),
                };
                hash % average as u64 == 0
            };
            if line == last || long || picked {
                out.push((
                    core.saturating_sub(overlap).max(first),
                    (line + overlap).min(last),
                ));
                core = line + 1;
            }
        }
    }
    out
}

/// The byte ranges of [`window_lines`]: each starts at a line start and
/// ends after a newline or at the end of the blob.
#[cfg(test)]
fn windows(
    index: &LineIndex<'_>,
    lines: impl IntoIterator<Item = usize>,
    context: u32,
) -> Vec<std::ops::Range<usize>> {
    window_lines(index.lines() - 1, lines, context)
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
            decode_depth: DEFAULT_DECODE_DEPTH as usize,
            owner: cache::new_owner(),
        }
    }

    /// Scans decoded text up to `depth` encodings deep (0: not at all).
    pub fn with_decode_depth(mut self, depth: usize) -> Engine {
        self.decode_depth = depth;
        self
    }

    /// The rules this engine runs.
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// Finds every candidate in `data`, rejected ones included (with their
    /// reason), ordered by position.
    ///
    /// A rule whose every match holds a keyword and spans a bounded number
    /// of lines runs over the lines around its keyword hits
    /// ([`crate::rules::Rule::window_lines`]); any other rule whose keyword
    /// occurs runs over the whole blob.
    pub fn scan(&self, data: &[u8]) -> Vec<Candidate> {
        self.scan_memo(data, None)
    }

    /// [`Engine::scan`], reusing and extending `memo` when given: pass the
    /// same memo for every version of one file, oldest first, and what an
    /// earlier version already held costs a hash instead of a search.
    pub fn scan_memo(&self, data: &[u8], mut memo: Option<&mut Memo>) -> Vec<Candidate> {
        let mut out = self.scan_plain(data, memo.as_deref_mut());
        let plain = out.len();
        let decode = self.decode_depth > 0 && !decode::is_source_map(data);
        match memo {
            None => {
                if decode {
                    self.scan_decoded(data, 0..data.len(), self.decode_depth, true, &mut out);
                }
            }
            Some(memo) if decode => {
                let (head, tail, growth) = memo.shared;
                let region = match memo.previous_decoded.take() {
                    Some(previous) => {
                        let previous_tail = tail.wrapping_sub(growth as usize);
                        for c in previous {
                            if c.end <= head {
                                out.push(c);
                            } else if c.start >= previous_tail {
                                let at = |x: usize| x.wrapping_add(growth as usize);
                                out.push(Candidate {
                                    start: at(c.start),
                                    end: at(c.end),
                                    secret_start: at(c.secret_start),
                                    secret_end: at(c.secret_end),
                                    ..c
                                });
                            }
                        }
                        head..tail
                    }
                    None => 0..data.len(),
                };
                self.scan_decoded(data, region, self.decode_depth, true, &mut out);
                // Moved, then found: in the order a plain scan has them.
                out[plain..].sort_by_key(|c| (c.start, c.rule, c.end));
                memo.previous_decoded = Some(out[plain..].to_vec());
            }
            Some(memo) => memo.previous_decoded = None,
        }
        self.finish(data, out, plain)
    }

    /// [`Engine::scan`], decoding `depth` encodings deep.
    fn scan_to_depth(&self, data: &[u8], depth: usize, inflate: bool) -> Vec<Candidate> {
        let mut out = self.scan_plain(data, None);
        let plain = out.len();
        if depth > 0 && !decode::is_source_map(data) {
            self.scan_decoded(data, 0..data.len(), depth, inflate, &mut out);
        }
        self.finish(data, out, plain)
    }

    /// Scans the encoded spans of `data[region]` (whole lines) that decode
    /// to text, to `depth` (at least 1) encodings deep, adding what their
    /// text holds to `out` at the encoded bytes' offsets, in the order of
    /// their offsets.
    fn scan_decoded(
        &self,
        data: &[u8],
        region: Range<usize>,
        depth: usize,
        inflate: bool,
        out: &mut Vec<Candidate>,
    ) {
        let from = out.len();
        decode::find(&data[region.clone()], inflate, &mut |mut span| {
            span.span = span.span.start + region.start..span.span.end + region.start;
            // One inflation per chain: text inflated from gzip is decoded
            // further, but never inflated again.
            let inflate = inflate && !span.inflated();
            for mut c in self.scan_to_depth(&span.bytes, depth - 1, inflate) {
                let inner = &span.bytes;
                let decoded = match c.decoded.take() {
                    Some(mut d) => {
                        d.chain.insert(0, span.encoding);
                        d
                    }
                    None => Box::new(DecodedMatch {
                        chain: vec![span.encoding],
                        secret: inner[c.secret_start..c.secret_end].to_vec(),
                        matched: inner[c.start..c.end].to_vec(),
                        secret_in_match: c.secret_start - c.start..c.secret_end - c.start,
                    }),
                };
                let whole = span.source(c.start..c.end);
                let secret = span.source(c.secret_start..c.secret_end);
                out.push(Candidate {
                    start: whole.start,
                    end: whole.end,
                    secret_start: secret.start,
                    secret_end: secret.end,
                    decoded: Some(decoded),
                    ..c
                });
            }
        });
        out[from..].sort_by_key(|c| (c.start, c.rule, c.end));
    }

    /// Candidates in the plain bytes of `data`, unordered, found twice
    /// where a rule ran over overlapping windows.
    fn scan_plain(&self, data: &[u8], mut memo: Option<&mut Memo>) -> Vec<Candidate> {
        let index = LineIndex::new(data);
        // (rule, line) for every keyword hit, and the line hashes.
        let mut hits: Vec<(usize, usize)> = Vec::new();
        let mut hashes: Vec<u128> = Vec::new();
        match memo.as_deref_mut() {
            None => {
                self.prefilter.hits(data, &mut hits);
                for hit in &mut hits {
                    hit.1 = index.line_of(hit.1);
                }
            }
            Some(memo) => self.line_hits(data, &index, memo, &mut hashes, &mut hits),
        }
        if hits.is_empty() {
            return Vec::new();
        }
        hits.sort_unstable();
        hits.dedup();
        let last_line = index.lines() - 1;
        let mut out = Vec::new();
        let mut rest = hits.as_slice();
        while let Some(&(idx, _)) = rest.first() {
            let n = rest.partition_point(|&(rule, _)| rule == idx);
            let (group, tail) = rest.split_at(n);
            rest = tail;
            let rule = &self.rules.rules()[idx];
            let spans = match rule.window_lines() {
                Some(span) => window_lines(last_line, group.iter().map(|&(_, l)| l), span),
                None => vec![(0, last_line)],
            };
            let spans = match rule.line_span() {
                Some(span) => {
                    let hashes = memo.is_some().then_some(hashes.as_slice());
                    chunks(data, &index, hashes, spans, span)
                }
                None => spans,
            };
            for (first, last) in spans {
                let window = index.range(first, last);
                let bytes = &data[window.clone()];
                let Some(memo) = memo.as_deref_mut() else {
                    self.run_rule(idx, bytes, window.start, &mut out);
                    continue;
                };
                let key = (idx as u32, memo.hash_lines(&hashes, first, last));
                let cached = memo.windows.entry(key).or_insert_with(|| {
                    let mut found = Vec::new();
                    self.run_rule(idx, bytes, 0, &mut found);
                    found.into_boxed_slice()
                });
                out.extend(cached.iter().map(|c| Candidate {
                    start: c.start + window.start,
                    end: c.end + window.start,
                    secret_start: c.secret_start + window.start,
                    secret_end: c.secret_end + window.start,
                    ..c.clone()
                }));
            }
        }
        out
    }

    /// Fills `hashes` with the hash of every line of `data` and `hits` with
    /// `(rule, line)` for every rule whose keyword occurs on a line, from
    /// `memo` for lines seen before and from the prefilter for the others
    /// (run over each stretch of new lines at once). Keywords hold no line
    /// break (checked at load), so a line's hits depend on its bytes only.
    fn line_hits(
        &self,
        data: &[u8],
        index: &LineIndex<'_>,
        memo: &mut Memo,
        hashes: &mut Vec<u128>,
        hits: &mut Vec<(usize, usize)>,
    ) {
        let lines = index.lines();
        // Lines `..head` and `tail..` stand, byte for byte and with the
        // same neighbours up to the file's start or end, in the previous
        // version: at the same number from the start, or from the end.
        let previous = std::mem::take(&mut memo.previous);
        let previous_lines = memo.previous_hashes.len();
        let (head, tail) = if previous_lines == 0 {
            (0, lines)
        } else if previous == data {
            (lines, lines)
        } else {
            let prefix = common_prefix(data, &previous);
            let suffix = common_suffix(data, &previous, data.len().min(previous.len()) - prefix);
            let head = index.line_of(prefix);
            let tail = (index.line_of(data.len() - suffix) + 1).clamp(head, lines);
            // A line reaches the shared end only after a shared newline.
            let tail = if suffix == 0 { lines } else { tail };
            (head, tail)
        };
        memo.shared = (
            index.range(head, head).start,
            index.range(tail, tail).start,
            data.len() as isize - previous.len() as isize,
        );
        let shift = previous_lines.wrapping_sub(lines);
        let mut by_line: Vec<(usize, usize)> = Vec::new();
        hashes.reserve(lines);
        hashes.extend_from_slice(&memo.previous_hashes[..head]);
        let mut new_lines: Vec<usize> = Vec::new();
        for line in head..tail {
            let bytes = &data[index.range(line, line)];
            let hash = memo.hash(bytes);
            hashes.push(hash);
            match memo.lines.get(&hash) {
                Some(rules) => by_line.extend(rules.iter().map(|&r| (line, r as usize))),
                None => new_lines.push(line),
            }
        }
        if tail < lines {
            let from = tail.wrapping_add(shift);
            hashes.extend_from_slice(&memo.previous_hashes[from..]);
        }
        let old = &memo.previous_hits;
        let before = old.partition_point(|&(line, _)| line < head);
        by_line.extend_from_slice(&old[..before]);
        if tail < lines {
            let from = tail.wrapping_add(shift);
            let at = old.partition_point(|&(line, _)| line < from);
            by_line.extend(
                old[at..]
                    .iter()
                    .map(|&(line, rule)| (line.wrapping_sub(shift), rule)),
            );
        }
        let mut found: Vec<(usize, usize)> = Vec::new();
        let mut rest = new_lines.as_slice();
        while let Some(&first) = rest.first() {
            // A stretch of consecutive new lines.
            let n = rest
                .iter()
                .enumerate()
                .take_while(|&(i, &l)| l == first + i)
                .count();
            let last = rest[n - 1];
            rest = &rest[n..];
            let stretch = index.range(first, last);
            found.clear();
            self.prefilter.hits(&data[stretch.clone()], &mut found);
            for hit in &mut found {
                hit.1 = index.line_of(stretch.start + hit.1);
            }
            found.sort_unstable_by_key(|&(rule, line)| (line, rule));
            found.dedup();
            let mut at = 0;
            for (line, &hash) in hashes.iter().enumerate().take(last + 1).skip(first) {
                let k = found[at..].partition_point(|&(_, l)| l == line);
                let rules: Box<[u32]> = found[at..at + k].iter().map(|&(r, _)| r as u32).collect();
                at += k;
                by_line.extend(rules.iter().map(|&r| (line, r as usize)));
                memo.lines.insert(hash, rules);
            }
        }
        by_line.sort_unstable();
        hits.extend(by_line.iter().map(|&(line, rule)| (rule, line)));
        memo.previous_hits = by_line;
        memo.previous_hashes.clear();
        memo.previous_hashes.extend_from_slice(hashes);
        memo.previous = previous;
        memo.previous.clear();
        memo.previous.extend_from_slice(data);
    }

    /// Runs rule `idx` over `data`, which starts at `offset` in the blob.
    fn run_rule(&self, idx: usize, data: &[u8], offset: usize, out: &mut Vec<Candidate>) {
        let rule = &self.rules.rules()[idx];
        let group = rule.secret_group();
        cache::captures_each(self.owner, idx, rule.regex(), data, |caps| {
            let Some(whole) = caps.get_match().map(|m| m.range()) else {
                return;
            };
            let Some(secret) = caps.get_group(group).map(|s| s.range()) else {
                return;
            };
            if secret.is_empty() {
                return;
            }
            // A percent-encoded URL password is the decoded password.
            let decoded = (self.decode_depth > 0)
                .then(|| {
                    let text = &data[whole.clone()];
                    let at = secret.start - whole.start..secret.end - whole.start;
                    let plain = decode::url_password(text, at.clone())?;
                    let mut matched = text[..at.start].to_vec();
                    matched.extend_from_slice(&plain);
                    let secret_in_match = at.start..matched.len();
                    matched.extend_from_slice(&text[at.end..]);
                    Some(Box::new(DecodedMatch {
                        chain: vec!["percent"],
                        secret: plain,
                        matched,
                        secret_in_match,
                    }))
                })
                .flatten();
            let bytes = decoded
                .as_ref()
                .map_or(&data[secret.clone()], |d| &d.secret[..]);
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
                start: offset + whole.start,
                end: offset + whole.end,
                secret_start: offset + secret.start,
                secret_end: offset + secret.end,
                entropy,
                confidence,
                suppressed,
                decoded,
            });
        });
    }

    /// Orders the candidates, drops those found twice (a rule that ran over
    /// a window and then over the whole blob; a secret found in plain text
    /// and again in decoded text) and lets generic rules yield. The first
    /// `plain` candidates of `out` were found in `data` itself.
    fn finish(&self, data: &[u8], mut out: Vec<Candidate>, plain: usize) -> Vec<Candidate> {
        if out.len() > plain {
            drop_decoded_twice(data, &mut out, plain);
        }
        out.sort_by_key(|c| (c.start, c.rule, c.end));
        out.dedup_by_key(|c| (c.start, c.rule, c.end));
        self.supersede_generic(&mut out);
        self.supersede_encoded(&mut out);
        out
    }

    /// A candidate on encoded text (a `*-base64` rule, a Basic header)
    /// yields to a specific rule's candidate found in its decoded text,
    /// which names what the secret is. O(c log c).
    fn supersede_encoded(&self, cands: &mut [Candidate]) {
        let rules = self.rules.rules();
        let mut decoded = Intervals::default();
        for (i, c) in cands.iter().enumerate() {
            if c.decoded.is_some() && c.suppressed.is_none() && !rules[c.rule].generic {
                decoded.push(c, i);
            }
        }
        if decoded.spans.is_empty() {
            return;
        }
        decoded.seal();
        let mut verdicts = Vec::new();
        for (i, c) in cands.iter().enumerate() {
            if c.decoded.is_some() || c.suppressed.is_some() {
                continue;
            }
            if let Some(j) = decoded.first_overlapping(c.secret_start, c.secret_end) {
                verdicts.push((i, cands[j].rule));
            }
        }
        for (i, rule) in verdicts {
            cands[i].suppressed = Some(Suppression::Superseded(rules[rule].id.clone()));
        }
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

/// Drops each candidate found in decoded text that a rule found already:
/// the same rule in plain text with an overlapping secret (the plain
/// reading stands: an escaped literal, or a URL whose decoded form no
/// longer parses), or the same rule, place and secret under another
/// chain of encodings (the first found is kept). The first `plain`
/// candidates of `out` were found in the plain text.
fn drop_decoded_twice(data: &[u8], out: &mut Vec<Candidate>, plain: usize) {
    let mut found: HashMap<usize, Intervals> = HashMap::default();
    for (i, c) in out[..plain].iter().enumerate() {
        found.entry(c.rule).or_default().push(c, i);
    }
    for set in found.values_mut() {
        set.seal();
    }
    let hasher = RandomState::default();
    let mut seen = foldhash::HashSet::default();
    let mut index = 0;
    out.retain(|c| {
        index += 1;
        if index <= plain {
            return true;
        }
        let (s, e) = (c.secret_start, c.secret_end.max(c.secret_start + 1));
        if found
            .get(&c.rule)
            .is_some_and(|set| set.first_overlapping(s, e).is_some())
        {
            return false;
        }
        seen.insert((
            c.rule,
            c.secret_start,
            c.secret_end,
            hasher.hash_one(c.secret(data)),
        ))
    });
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
    use std::ops::Range;

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
        // 3.6e9 comparisons. Decoding is off: the values are base64
        // candidates, and the test is about resolving generic matches.
        let engine = Engine::new(RuleSet::builtin().unwrap()).with_decode_depth(0);
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
        let secret = r#"
            [[rule]]
            id = "demo-secret"
            name = "Demo generic secret"
            severity = "medium"
            keywords = ["secret"]
            regex = '''secret\s*=\s*(\S{12,})'''
            generic = true
            remediation = "Rotate it."
            examples = ["secret = Zx8kQ2mN4pR7tV1w"]
        "#;
        engine_from(&[secret, DEMO_TOKEN])
    }

    /// Test rules: a token with its keyword in the match, and one whose
    /// keyword may stand anywhere in the file.
    const DEMO_TOKEN: &str = r#"
            [[rule]]
            id = "demo-token"
            name = "Demo token"
            severity = "high"
            keywords = ["demo_"]
            regex = '''\b(demo_[a-z0-9]{12})\b'''
            remediation = "Rotate it."
            examples = ["t = demo_k3j4h5g6f7d8"]
"#;
    const FAR_TOKEN: &str = r#"
            [[rule]]
            id = "far-token"
            name = "Token whose keyword may be anywhere in the file"
            severity = "high"
            keywords = ["farco"]
            regex = '''\b(FC[a-f0-9]{16})\b'''
            remediation = "Rotate it."
            examples = ["FARCO_KEY=FC0123456789abcdef"]
"#;

    fn engine_from(packs: &[&str]) -> Engine {
        let mut rules = RuleSet::default();
        rules.add_pack("demo.toml", &packs.concat(), true).unwrap();
        Engine::new(rules)
    }

    fn demo_engine() -> Engine {
        engine_from(&[DEMO_TOKEN, FAR_TOKEN])
    }

    #[test]
    fn keyword_hits_are_one_per_rule_and_line() {
        let engine = demo_engine();
        let rule = engine
            .rules()
            .rules()
            .iter()
            .position(|r| r.id == "demo-token")
            .unwrap();
        let data = b"demo_ demo_ DEMO_\nx demo_\n\ndemo_demo_\n";
        let mut hits = Vec::new();
        engine.prefilter.hits(data, &mut hits);
        hits.retain(|&(r, _)| r == rule);
        assert_eq!(hits, [(rule, 0), (rule, 20), (rule, 27)]);
    }

    fn secrets<'a>(data: &'a [u8], found: &[Candidate]) -> Vec<&'a [u8]> {
        found
            .iter()
            .map(|c| &data[c.secret_start..c.secret_end])
            .collect()
    }

    #[test]
    fn rules_run_around_keyword_hits_or_over_the_whole_blob() {
        let engine = demo_engine();
        let mut data = b"farco settings\n".to_vec();
        data.extend(b"filler line of text\n".repeat(3000));
        data.extend(b"x = demo_q1w2e3r4t5y6\nid: FCa1b2c3d4e5f60718\n");
        // The demo token is found in the window around its keyword; the
        // far token, whose keyword is 3,000 lines up, by a whole-blob run.
        assert_eq!(
            secrets(&data, &engine.scan(&data)),
            [&b"demo_q1w2e3r4t5y6"[..], b"FCa1b2c3d4e5f60718"]
        );
        // No keyword, no run.
        assert!(engine.scan(b"id: FCa1b2c3d4e5f60718\n").is_empty());
    }

    #[test]
    fn a_memo_gives_what_a_plain_scan_gives_for_every_version() {
        let engine = demo_engine();
        let versions: [&[u8]; 9] = [
            b"a\nt = demo_k3j4h5g6f7d8\nb\n",
            // Shared starts and ends that cut lines in two.
            b"a\nt = demo_k3j4h5g6f7d8\nb",
            b"a\nt = demo_k3j4h5g6f7d8\nbt = demo_q1w2e3r4t5y6\n",
            b"xa\nt = demo_k3j4h5g6f7d8\nbt = demo_q1w2e3r4t5y6\n",
            b"a\nt = demo_k3j4h5g6f7d8\nb\n",
            // The keyword goes; a far token stays.
            b"a\nid: FCa1b2c3d4e5f60718\nb\n",
            // The keyword comes back far above: the old line matches now.
            b"farco\na\nid: FCa1b2c3d4e5f60718\nb\n",
            // Unchanged lines, a token moved down.
            b"farco\na\nb\nt = demo_k3j4h5g6f7d8\nid: FCa1b2c3d4e5f60718\n",
            b"",
        ];
        let mut memo = Memo::default();
        for version in versions {
            let plain = engine.scan(version);
            let memoised = engine.scan_memo(version, Some(&mut memo));
            assert_eq!(
                format!("{plain:?}"),
                format!("{memoised:?}"),
                "{}",
                String::from_utf8_lossy(version)
            );
        }
        assert_eq!(
            secrets(versions[7], &engine.scan(versions[7])),
            [&b"demo_k3j4h5g6f7d8"[..], b"FCa1b2c3d4e5f60718"]
        );
    }

    #[test]
    fn a_memo_gives_what_a_plain_scan_gives_with_decoding() {
        let engine = Engine::new(RuleSet::builtin().unwrap());
        // base64 and percent-encoded "token: ghp_..." (a synthetic token).
        let b64 = "dG9rZW46IGdocF9acTN2OExrUDBhWHcyUnRZN3VCbjRNZTlKYzFIZDYycmt6TFo=";
        let pct = "https%3A%2F%2Fci%3A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%40github.com";
        let versions = [
            format!("a\nx: {b64}\nb\n"),
            // A line inserted above, one edited below: moved, not rescanned.
            format!("new\na\nx: {b64}\nb\nurl={pct}\n"),
            format!("new\na\nx: {b64}\nb changed\nurl={pct}\n"),
            // The encoded line itself edited; then a source map; then back.
            format!("new\na\nx: {b64} y\nb changed\nurl={pct}\n"),
            format!("{{\"version\":3,\"x\":\"{b64}\"}}\n"),
            format!("new\na\nx: {b64} y\nb changed\nurl={pct}\n"),
            format!("new\na\nx: {b64} y\nb changed\nurl={pct}\n"),
        ];
        let mut memo = Memo::default();
        let mut decoded = 0;
        for version in &versions {
            let plain = engine.scan(version.as_bytes());
            let memoised = engine.scan_memo(version.as_bytes(), Some(&mut memo));
            assert_eq!(format!("{plain:?}"), format!("{memoised:?}"), "{version}");
            decoded += plain.iter().filter(|c| c.decoded.is_some()).count();
        }
        // Two per encoded line (the token, and the generic value that
        // yields to it), none in the source map.
        assert_eq!(decoded, 22);
    }

    #[test]
    fn a_match_longer_than_any_fixed_context_is_found() {
        let mut rules = RuleSet::default();
        let pack = r#"
            [[rule]]
            id = "block-default"
            name = "A value at the end of a long block"
            severity = "high"
            keywords = ["passkey"]
            regex = '''passkey\s*\{[^}]{0,400}default\s*=\s*"([A-Za-z0-9]{16,})"'''
            remediation = "Rotate it."
            examples = ["passkey { default = \"Zx8kQ2mN4pR7tV1wY3\" }"]
        "#;
        rules.add_pack("demo.toml", pack, true).unwrap();
        let engine = Engine::new(rules);
        let mut data = b"passkey {\n".to_vec();
        data.extend(b"  x = 1\n".repeat(30));
        data.extend(b"  default = \"Zx8kQ2mN4pR7tV1wY3\"\n}\n");
        assert_eq!(secrets(&data, &engine.scan(&data)), [b"Zx8kQ2mN4pR7tV1wY3"]);
    }

    #[test]
    fn long_files_are_scanned_in_overlapping_chunks_without_loss() {
        let spread = r#"
            [[rule]]
            id = "spread"
            name = "Value up to 20 lines below its key"
            severity = "high"
            keywords = ["vault_entry"]
            regex = '''vault_entry:\n(?:#[^\n]*\n){0,20}value: ([A-Za-z0-9]{16})'''
            remediation = "Rotate it."
            examples = ["vault_entry:\n# note\nvalue: Zx8kQ2mN4pR7tV1w"]
        "#;
        let engine = engine_from(&[FAR_TOKEN, spread]);
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        let mut lines: Vec<String> = vec!["farco".into()];
        for i in 0..5000 {
            match next(40) {
                0 => lines.push(format!("id FC{:016x}", next(u64::MAX))),
                1 => {
                    lines.push("vault_entry:".into());
                    for _ in 0..next(21) {
                        lines.push("# note".into());
                    }
                    lines.push(format!("value: Zx{:014}", next(10u64.pow(14))));
                }
                _ => lines.push(format!("line {i}")),
            }
        }
        let data = lines.join("\n").into_bytes();
        // Every match of a whole-file run, found in some chunk.
        let mut expected: Vec<&[u8]> = Vec::new();
        for rule in engine.rules().rules() {
            for caps in rule.regex().captures_iter(&data) {
                expected.push(&data[caps.get_group(1).unwrap().range()]);
            }
        }
        let mut found = secrets(&data, &engine.scan(&data));
        expected.sort();
        found.sort();
        assert_eq!(found, expected);
        assert!(expected.len() > 200);
        // An edit in the middle of the file: the memo gives what a plain
        // scan gives.
        let mut memo = Memo::default();
        assert_eq!(engine.scan_memo(&data, Some(&mut memo)).len(), found.len());
        lines.insert(2500, "id FC00112233445566ab".into());
        let edited = lines.join("\n").into_bytes();
        assert_eq!(
            format!("{:?}", engine.scan(&edited)),
            format!("{:?}", engine.scan_memo(&edited, Some(&mut memo)))
        );
    }
}
