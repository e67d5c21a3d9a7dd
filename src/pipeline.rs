//! The scan stage shared by every source: detect, filter, and turn the
//! surviving candidates into findings. Each worker thread keeps its own
//! [`Outcome`]; outcomes are merged and sorted at the end, so the output is
//! deterministic whatever the thread timing.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde::Serialize;

use foldhash::{HashMap, HashSet};

use crate::detect::location::LineIndex;
use crate::detect::{Candidate, Engine, Memo};
use crate::filter::LineMemo;
use crate::filter::allowlist::Subject;
use crate::filter::{self, Acceptance};
use crate::finding::{self, Context, Finding};
use crate::source::{Blob, Notice, NoticeKind, NoticeLevel, Origin, Sink};

/// How findings are rendered.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    /// Print secrets in clear instead of redacting them.
    pub show_secrets: bool,
    /// Include the commit in git findings' fingerprints.
    pub fingerprint_commit: bool,
    /// Keep the line of each finding ([`Finding::context`]).
    pub context: bool,
}

/// How much the workers have scanned so far, for a progress display.
#[derive(Debug, Default)]
pub struct Counters {
    /// Blobs scanned.
    pub blobs: AtomicU64,
    /// Bytes scanned.
    pub bytes: AtomicU64,
}

/// A candidate that was found and then dropped, with the reason.
#[derive(Debug, Clone, Serialize)]
pub struct Suppressed {
    /// Rule id.
    pub rule_id: String,
    /// Path of the blob.
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// Which mechanism dropped it.
    pub mechanism: &'static str,
    /// Why, in words.
    pub reason: String,
    /// The encodings the candidate was found under, as in
    /// [`Finding::decoding`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decoding: Option<String>,
    /// The file that holds the entry that dropped it (pack, config, ignore
    /// file or baseline); empty for entropy, validators and inline markers.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub source: String,
    /// The candidate's fingerprint, for de-duplicating a history.
    #[serde(skip)]
    pub fingerprint: String,
    /// 1-based line of the entry in `source` that dropped it, when an
    /// ignore file or baseline entry did.
    #[serde(skip)]
    pub entry: Option<usize>,
}

/// Everything one or more workers produced.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Reported findings.
    pub findings: Vec<Finding>,
    /// Candidates dropped by a filter, entropy or a validator.
    pub suppressed: Vec<Suppressed>,
    /// Files not scanned.
    pub notices: Vec<Notice>,
    /// Blobs scanned.
    pub blobs: u64,
    /// Bytes scanned.
    pub bytes: u64,
}

/// Moves the items of `from` into `into`, copying the shorter of the two
/// (the order does not matter: outcomes are sorted once merged), so that
/// merging a worker's many findings neither copies them nor holds them
/// twice.
fn absorb<T>(into: &mut Vec<T>, mut from: Vec<T>) {
    if from.len() > into.len() {
        std::mem::swap(into, &mut from);
    }
    into.append(&mut from);
}

impl Outcome {
    /// Adds another worker's outcome to this one.
    pub fn merge(&mut self, other: Outcome) {
        absorb(&mut self.findings, other.findings);
        absorb(&mut self.suppressed, other.suppressed);
        absorb(&mut self.notices, other.notices);
        self.blobs += other.blobs;
        self.bytes += other.bytes;
    }

    /// Sorts everything by path and position.
    pub fn sort(&mut self) {
        self.findings.sort_by(|a, b| {
            (&a.path, a.line, a.column, &a.rule_id).cmp(&(&b.path, b.line, b.column, &b.rule_id))
        });
        self.suppressed.sort_by(|a, b| {
            (&a.path, a.line, a.column, &a.rule_id).cmp(&(&b.path, b.line, b.column, &b.rule_id))
        });
        self.notices
            .sort_by(|a, b| (&a.path, a.kind).cmp(&(&b.path, b.kind)));
    }

    /// How many candidates each mechanism dropped.
    pub fn suppressed_counts(&self) -> BTreeMap<&'static str, usize> {
        let mut counts = BTreeMap::new();
        for s in &self.suppressed {
            *counts.entry(s.mechanism).or_insert(0) += 1;
        }
        counts
    }

    /// True when a file or object could not be read.
    pub fn has_errors(&self) -> bool {
        self.notices.iter().any(|n| n.level == NoticeLevel::Error)
    }

    /// How many notices of `kind` there are.
    pub fn count_notices(&self, kind: NoticeKind) -> usize {
        self.notices.iter().filter(|n| n.kind == kind).count()
    }
}

/// The engine, the user's acceptance mechanisms and the rendering options:
/// everything a worker needs.
#[derive(Debug)]
pub struct Scanner {
    engine: Engine,
    acceptance: Acceptance,
    opts: ScanOptions,
    counters: Arc<Counters>,
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

impl Scanner {
    /// A scanner over `engine`.
    pub fn new(engine: Engine, acceptance: Acceptance, opts: ScanOptions) -> Scanner {
        Scanner {
            engine,
            acceptance,
            opts,
            counters: Arc::default(),
        }
    }

    /// What the workers have scanned so far.
    pub fn counters(&self) -> Arc<Counters> {
        Arc::clone(&self.counters)
    }

    /// The ignore file and baseline in use.
    pub fn acceptance(&self) -> &Acceptance {
        &self.acceptance
    }

    /// Replaces the entries that name findings by place.
    pub fn set_places(&mut self, places: Vec<crate::filter::place::PlaceList>) {
        self.acceptance.places = places;
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Moves the findings that an entry naming their place accepts
    /// (`.gitleaksignore`, a gitleaks report as baseline) into the
    /// suppressions. Runs once findings are attributed: in a history, to
    /// the commit that introduced them.
    pub fn accept_by_place(&self, outcome: &mut Outcome) {
        if self.acceptance.places.is_empty() {
            return;
        }
        let findings = std::mem::take(&mut outcome.findings);
        for f in findings {
            match self.acceptance.check_place(&f) {
                Some(reason) => outcome.suppressed.push(Suppressed {
                    rule_id: f.rule_id,
                    path: f.path,
                    line: f.line,
                    column: f.column,
                    mechanism: reason.mechanism(),
                    source: reason.source().to_string(),
                    reason: reason.to_string(),
                    decoding: f.decoding,
                    entry: reason.entry(),
                    fingerprint: f.fingerprint,
                }),
                None => outcome.findings.push(f),
            }
        }
    }

    /// Counts one scanned blob of `len` bytes in `out` and in the
    /// progress counters.
    fn count(&self, len: usize, out: &mut Outcome) {
        out.blobs += 1;
        out.bytes += len as u64;
        self.counters.blobs.fetch_add(1, Ordering::Relaxed);
        self.counters.bytes.fetch_add(len as u64, Ordering::Relaxed);
    }

    /// Scans one blob into `out`, at its origin.
    pub fn scan_blob(&self, blob: &Blob<'_>, out: &mut Outcome) {
        self.count(blob.data.len(), out);
        let candidates = self.engine.scan(blob.data);
        self.report(blob.data, &blob.origin, blob.only_lines, &candidates, out);
    }

    /// Turns the `candidates` found in `data` at `origin` into findings
    /// and suppressions: every filter that depends on the path or the
    /// lines runs here, once per path that holds the bytes.
    pub fn report(
        &self,
        data: &[u8],
        origin: &Origin,
        only_lines: Option<&[usize]>,
        candidates: &[Candidate],
        out: &mut Outcome,
    ) {
        if candidates.is_empty() {
            return;
        }
        let rules = self.engine.rules();
        let index = LineIndex::new(data);
        let path = origin.display();
        let commit = origin.commit();
        // A path condition holds when it holds for any of these: an
        // archive entry is also known by its archive and its inner path.
        let paths = origin.paths();
        let fingerprint_commit = commit
            .filter(|_| self.opts.fingerprint_commit)
            .map(|c| c.commit.as_str());
        // Every candidate's secret, so that a context line never shows
        // another secret of the same line in clear.
        let mut secrets: Vec<(usize, usize)> = if self.opts.context && !self.opts.show_secrets {
            candidates
                .iter()
                .map(|c| (c.secret_start, c.secret_end))
                .collect()
        } else {
            Vec::new()
        };
        secrets.sort_unstable();
        // Candidates come in order, so those of one line are consecutive:
        // the line's inline marker and line-target allowlist verdicts are
        // computed once for all of them (a long line with many matches
        // stays linear).
        let line_memo = LineMemo::default();
        for cand in candidates {
            let (line, column) = index.position(cand.secret_start);
            let (end_line, end_column) = index.position(cand.secret_end);
            if let Some(lines) = only_lines {
                let first = lines.partition_point(|&l| l < line);
                if lines.get(first).is_none_or(|&l| l > end_line) {
                    continue;
                }
            }
            let rule = &rules.rules()[cand.rule];
            // A rule restricted to some paths does not apply elsewhere.
            if rule
                .path
                .as_ref()
                .is_some_and(|p| !paths.iter().any(|path| p.is_match(path)))
            {
                continue;
            }
            let secret = cand.secret(data);
            let matched_bytes = cand
                .decoded
                .as_ref()
                .map_or(&data[cand.start..cand.end], |d| &d.matched[..]);
            let (line_start, line_end) = index.line_span(cand.start, cand.end);
            let fingerprint =
                finding::fingerprint(&rule.id, origin.relative(), secret, fingerprint_commit);
            let suppression = cand.suppressed.clone().or_else(|| {
                let subject = Subject {
                    commit: commit.map(|c| c.commit.as_str()),
                    paths: &paths,
                    secret,
                    matched: matched_bytes,
                    line: &data[line_start..line_end],
                    line_memo: &line_memo,
                };
                filter::allowlisted(rules, rule, &subject).or_else(|| {
                    let line = &data[line_start..line_end];
                    let marker = line_memo.marker(line, || {
                        let previous = match line_start.checked_sub(1) {
                            Some(nl) => {
                                let (s, e) = index.line_span(nl, nl);
                                &data[s..e]
                            }
                            None => &[],
                        };
                        self.acceptance.marker(line, previous)
                    });
                    self.acceptance.check(marker, &fingerprint)
                })
            });
            let decoding = cand.decoded.as_ref().map(|d| d.chain.join(" > "));
            if let Some(reason) = suppression {
                out.suppressed.push(Suppressed {
                    rule_id: rule.id.clone(),
                    path: path.to_string(),
                    line,
                    column,
                    mechanism: reason.mechanism(),
                    source: reason.source().to_string(),
                    reason: reason.to_string(),
                    decoding,
                    entry: reason.entry(),
                    fingerprint,
                });
                continue;
            }
            let secret = lossy(secret);
            let shown = if self.opts.show_secrets {
                secret.clone()
            } else {
                finding::redact(&secret)
            };
            let (before, after) = match &cand.decoded {
                Some(d) => (
                    &d.matched[..d.secret_in_match.start],
                    &d.matched[d.secret_in_match.end..],
                ),
                None => (
                    &data[cand.start..cand.secret_start],
                    &data[cand.secret_end..cand.end],
                ),
            };
            let matched = format!("{}{}{}", lossy(before), shown, lossy(after));
            let context = self.opts.context.then(|| {
                let (start, end) = index.line_span(cand.secret_start, cand.secret_start);
                context(
                    data,
                    (start, end),
                    (cand.secret_start, cand.secret_end),
                    &shown,
                    &secrets,
                )
            });
            out.findings.push(Finding {
                rule_id: rule.id.clone(),
                rule_name: rule.name.clone(),
                severity: rule.severity,
                confidence: cand.confidence,
                path: path.to_string(),
                line,
                column,
                end_line,
                end_column,
                fingerprint,
                fingerprint_path: origin.relative().to_string(),
                archive: origin.outermost().map(|o| o.relative().to_string()),
                secret: shown,
                matched,
                entropy: (cand.entropy * 1000.0).round() / 1000.0,
                decoding,
                commit: commit.cloned().map(Box::new),
                context: context.map(Box::new),
            });
        }
    }
}

/// At most this many bytes of a line are kept on each side of a secret
/// in a context line (minified files have lines of megabytes).
const CONTEXT_SIDE: usize = 80;

/// The line `line` of `data` around the secret at `secret`, cut to
/// [`CONTEXT_SIDE`] bytes on each side, with `shown` in place of the secret
/// and every other secret in `others` (sorted) redacted.
fn context(
    data: &[u8],
    line: (usize, usize),
    secret: (usize, usize),
    shown: &str,
    others: &[(usize, usize)],
) -> Context {
    let boundary = |mut i: usize| {
        while i < data.len() && (data[i] & 0xC0) == 0x80 {
            i += 1;
        }
        i
    };
    let first = boundary(secret.0.saturating_sub(CONTEXT_SIDE).max(line.0));
    // A secret that runs past its first line (a private key) ends there.
    let after = secret.1.min(line.1);
    let last = boundary(after.saturating_add(CONTEXT_SIDE).min(line.1)).min(line.1);
    let text = |from: usize, to: usize| {
        let mut out = String::new();
        let mut at = from;
        for &(s, e) in others {
            if e <= at || s >= to {
                continue;
            }
            if s > at {
                out.push_str(&lossy(&data[at..s]));
            }
            // Redacted whole, as its own finding shows it; a secret cut by
            // the window shows no prefix at all.
            if s >= from && e <= to {
                out.push_str(&finding::redact(&lossy(&data[s..e])));
            } else {
                out.push_str(&finding::redact(""));
            }
            at = e.min(to);
        }
        if at < to {
            out.push_str(&lossy(&data[at..to]));
        }
        out
    };
    Context {
        before: text(first, secret.0),
        secret: shown.to_string(),
        after: text(after, last),
        cut_before: first > line.0,
        cut_after: last < line.1,
    }
}

/// A per-thread [`Sink`] that scans each blob and merges its outcome into
/// `shared` when the thread is done.
///
/// The blobs of a history are scanned with a [`Memo`] per file lineage
/// (unless every commit is fingerprinted apart, which scans every version
/// on its own), reported at every path that holds them, and each finding
/// is kept once per fingerprint, at the earliest commit in ancestry order.
pub struct CollectSink<'a> {
    scanner: &'a Scanner,
    local: Outcome,
    shared: &'a Mutex<Outcome>,
    memo: Option<(usize, Memo)>,
    /// History: fingerprint -> (ancestry position, index in `local.findings`).
    first: HashMap<String, (u64, usize)>,
    /// History: (fingerprint, mechanism) of the suppressions kept.
    suppressed: HashSet<(String, &'static str)>,
}

impl<'a> CollectSink<'a> {
    /// A sink scanning with `scanner` into `shared`.
    pub fn new(scanner: &'a Scanner, shared: &'a Mutex<Outcome>) -> Self {
        CollectSink {
            scanner,
            local: Outcome::default(),
            shared,
            memo: None,
            first: HashMap::default(),
            suppressed: HashSet::default(),
        }
    }

    /// Keeps what `found` (at ancestry position `order`) adds: a finding
    /// whose fingerprint was seen at an earlier or equal position is
    /// dropped, one seen later is replaced.
    fn keep_first(&mut self, found: Outcome, order: u64) {
        for finding in found.findings {
            match self.first.get_mut(&finding.fingerprint) {
                Some((seen, at)) => {
                    if order < *seen {
                        *seen = order;
                        self.local.findings[*at] = finding;
                    }
                }
                None => {
                    self.first.insert(
                        finding.fingerprint.clone(),
                        (order, self.local.findings.len()),
                    );
                    self.local.findings.push(finding);
                }
            }
        }
        for s in found.suppressed {
            if self.suppressed.insert((s.fingerprint.clone(), s.mechanism)) {
                self.local.suppressed.push(s);
            }
        }
    }
}

impl Sink for CollectSink<'_> {
    fn blob(&mut self, blob: Blob<'_>) {
        let Some(history) = blob.history else {
            return self.scanner.scan_blob(&blob, &mut self.local);
        };
        self.scanner.count(blob.data.len(), &mut self.local);
        let memo = if self.scanner.opts.fingerprint_commit {
            None
        } else {
            if self.memo.as_ref().map(|(lineage, _)| *lineage) != Some(history.lineage) {
                self.memo = Some((history.lineage, Memo::default()));
            }
            self.memo.as_mut().map(|(_, memo)| memo)
        };
        let candidates = self.scanner.engine.scan_memo(blob.data, memo);
        if candidates.is_empty() {
            return;
        }
        let also = history.also.iter().map(|(origin, order)| (origin, *order));
        for (origin, order) in std::iter::once((&blob.origin, history.order)).chain(also) {
            let mut found = Outcome::default();
            self.scanner
                .report(blob.data, origin, blob.only_lines, &candidates, &mut found);
            self.keep_first(found, order);
        }
    }

    fn notice(&mut self, notice: Notice) {
        self.local.notices.push(notice);
    }
}

impl Drop for CollectSink<'_> {
    fn drop(&mut self) {
        let local = std::mem::take(&mut self.local);
        match self.shared.lock() {
            Ok(mut shared) => shared.merge(local),
            Err(poisoned) => poisoned.into_inner().merge(local),
        }
    }
}
