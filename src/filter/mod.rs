//! Filters: what a user has accepted. Each filter names the entry that
//! dropped a candidate, so the summary can count and `--show-suppressed`
//! can explain every suppression.

pub mod allowlist;

use allowlist::Subject;

use crate::finding::Suppression;
use crate::rules::{Rule, RuleSet};

/// Checks a candidate against its rule's allowlist, then the global ones.
pub fn allowlisted(rules: &RuleSet, rule: &Rule, subject: &Subject<'_>) -> Option<Suppression> {
    if let Some(reason) = rule.allowlist.as_ref().and_then(|a| a.check(subject)) {
        return Some(Suppression::Allowlist {
            scope: rule.id.clone(),
            reason,
        });
    }
    rules
        .global_allowlists()
        .iter()
        .find_map(|a| a.check(subject))
        .map(|reason| Suppression::Allowlist {
            scope: "global".to_string(),
            reason,
        })
}
