//! The rule self-test: every example goes through the whole pipeline
//! (prefilter, regex, entropy, validator, allowlists) and must yield exactly
//! one finding of its rule; every negative example must yield nothing.
//! All failures are collected, not just the first.

use std::fmt;

use crate::pipeline::{Outcome, ScanOptions, Scanner};
use crate::source::{Blob, Origin};

/// One example that did not behave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelfTestFailure {
    /// Pack of the rule.
    pub pack: String,
    /// Rule id.
    pub rule: String,
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for SelfTestFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.pack, self.rule, self.message)
    }
}

/// The path examples are scanned under (allowlisted paths do not apply).
const EXAMPLE_PATH: &str = "example.txt";

fn scan(scanner: &Scanner, text: &str) -> Outcome {
    let mut out = Outcome::default();
    let blob = Blob {
        data: text.as_bytes(),
        origin: Origin::File {
            display: EXAMPLE_PATH.to_string(),
            relative: EXAMPLE_PATH.to_string(),
        },
        only_lines: None,
        history: None,
    };
    scanner.scan_blob(&blob, &mut out);
    out
}

fn describe(out: &Outcome) -> String {
    let ids: Vec<String> = out
        .findings
        .iter()
        .map(|f| format!("{} at {}:{}", f.rule_id, f.line, f.column))
        .collect();
    if ids.is_empty() {
        let why: Vec<String> = out
            .suppressed
            .iter()
            .map(|s| format!("{} {}: {}", s.rule_id, s.mechanism, s.reason))
            .collect();
        if why.is_empty() {
            "nothing matched".to_string()
        } else {
            format!("suppressed: {}", why.join("; "))
        }
    } else {
        ids.join(", ")
    }
}

/// Self-tests the rules of `scanner` whose pack `selected` accepts.
pub fn check(scanner: &Scanner, selected: impl Fn(&str) -> bool) -> Vec<SelfTestFailure> {
    let mut failures = Vec::new();
    for rule in scanner.engine().rules().rules() {
        if !selected(&rule.pack) {
            continue;
        }
        let mut fail = |message: String| {
            failures.push(SelfTestFailure {
                pack: rule.pack.clone(),
                rule: rule.id.clone(),
                message,
            });
        };
        if rule.examples.is_empty() {
            fail("no examples: every rule needs at least one".to_string());
        }
        for (i, example) in rule.examples.iter().enumerate() {
            let n = i + 1;
            let lower = example.to_ascii_lowercase();
            if !rule.keywords.iter().any(|k| lower.contains(k.as_str())) {
                fail(format!(
                    "example {n}: contains none of the rule's keywords, so the prefilter would hide it"
                ));
            }
            let out = scan(scanner, example);
            let ok = out.findings.len() == 1
                && out.findings[0].rule_id == rule.id
                && !out.findings[0].secret.is_empty();
            if !ok {
                fail(format!(
                    "example {n}: expected 1 finding of {}, got {} ({})",
                    rule.id,
                    out.findings.len(),
                    describe(&out)
                ));
            }
        }
        for (i, negative) in rule.negative_examples.iter().enumerate() {
            let out = scan(scanner, negative);
            if !out.findings.is_empty() {
                fail(format!(
                    "negative example {}: expected no finding, got {} ({})",
                    i + 1,
                    out.findings.len(),
                    describe(&out)
                ));
            }
        }
    }
    failures
}

/// A scanner that shows secrets, as the self-test needs. It does not
/// decode: an example tests its rule's own pattern, and an encoded example
/// (a `*-base64` rule's) would otherwise yield to the rule matching its
/// decoded text.
pub fn scanner(rules: crate::rules::RuleSet) -> Scanner {
    Scanner::new(
        crate::detect::Engine::new(rules).with_decode_depth(0),
        crate::filter::Acceptance::default(),
        ScanOptions {
            show_secrets: true,
            ..ScanOptions::default()
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSet;

    #[test]
    fn every_builtin_example_fires_exactly_its_rule() {
        let rules = RuleSet::builtin().unwrap();
        // Full compilation of every built-in regex is part of the test.
        // Built-in regexes are parsed on first use, not at load: full
        // compilation, the secret group and the line span are checked here.
        for rule in rules.rules() {
            // The scanner's own build, with its settings and size limit.
            super::super::compile::check_full_compile(rule)
                .unwrap_or_else(|e| panic!("{}: {e}", rule.id));
            assert!(
                rule.secret_group() < rule.regex().captures_len(),
                "{}: secret group {} does not exist",
                rule.id,
                rule.secret_group()
            );
            assert!(super::super::compile::parse(&rule.pattern).is_ok());
        }
        let failures = check(&scanner(rules), |_| true);
        let text: Vec<String> = failures.iter().map(ToString::to_string).collect();
        assert!(
            text.is_empty(),
            "{} self-test failure(s):\n{}",
            text.len(),
            text.join("\n")
        );
    }

    #[test]
    fn a_failing_example_is_reported_with_pack_rule_and_index() {
        let mut rules = RuleSet::default();
        rules
            .add_pack(
                "t.toml",
                r#"
[[rule]]
id = "demo-token"
name = "Demo token"
severity = "low"
keywords = ["demo_"]
regex = '''demo_([a-z]{8})'''
examples = ["demo_abcdefgh", "demo_short"]
negative-examples = ["demo_zyxwvuts"]
"#,
                true,
            )
            .unwrap();
        let failures: Vec<String> = check(&scanner(rules), |_| true)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            failures,
            vec![
                "t.toml: demo-token: example 2: expected 1 finding of demo-token, got 0 (nothing matched)",
                "t.toml: demo-token: negative example 1: expected no finding, got 1 (demo-token at 1:6)",
            ]
        );
    }
}
