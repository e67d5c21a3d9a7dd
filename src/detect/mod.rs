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

use crate::finding::{Confidence, Suppression};
use crate::rules::RuleSet;
use prefilter::Prefilter;

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
}

impl Engine {
    /// Builds the prefilter over `rules`; regexes compile on first use.
    pub fn new(rules: RuleSet) -> Engine {
        let prefilter = Prefilter::new(&rules);
        Engine { rules, prefilter }
    }

    /// The rules this engine runs.
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// Finds every candidate in `data`, rejected ones included (with their
    /// reason), ordered by position.
    pub fn scan(&self, data: &[u8]) -> Vec<Candidate> {
        let mut triggered = Vec::new();
        if self.prefilter.triggered(data, &mut triggered) == 0 {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (idx, rule) in self.rules.rules().iter().enumerate() {
            if !triggered[idx] {
                continue;
            }
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
                    start: whole.start(),
                    end: whole.end(),
                    secret_start: secret.start(),
                    secret_end: secret.end(),
                    entropy,
                    confidence,
                    suppressed,
                });
            }
        }
        self.supersede_generic(&mut out);
        out.sort_by_key(|c| (c.start, c.rule));
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
