//! gitleaks rule ids: which built-in rules cover each rule of gitleaks'
//! default configuration (`ids.toml`), so that a rule named the gitleaks
//! way (`disabledRules`, `targetRules`, `.gitleaksignore`, a gitleaks report
//! used as a baseline, `--disable-rule`) reaches the rules that report
//! those secrets here.

use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The mapping, as shipped.
const TABLE: &str = include_str!("ids.toml");

fn table() -> &'static BTreeMap<String, Vec<String>> {
    static MAP: OnceLock<BTreeMap<String, Vec<String>>> = OnceLock::new();
    MAP.get_or_init(|| toml::from_str(TABLE).unwrap_or_default())
}

/// The built-in rules that cover gitleaks' default rule `id`, or `None`
/// when `id` is not one of gitleaks' default rule ids.
pub fn builtin_rules(id: &str) -> Option<&'static [String]> {
    table().get(id).map(Vec::as_slice)
}

/// Every gitleaks default rule id the table knows, sorted.
pub fn gitleaks_ids() -> impl Iterator<Item = &'static str> {
    table().keys().map(String::as_str)
}

/// True when rule `rule` (a leakproof id) reports what gitleaks' rule
/// `named` (a gitleaks default id or a leakproof id) would.
pub fn names(named: &str, rule: &str) -> bool {
    named == rule || builtin_rules(named).is_some_and(|ids| ids.iter().any(|i| i == rule))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_parses_and_names_only_builtin_rules() {
        let parsed: BTreeMap<String, Vec<String>> = toml::from_str(TABLE).unwrap();
        assert_eq!(parsed.len(), 222);
        let rules = crate::rules::RuleSet::builtin().unwrap();
        for (id, targets) in &parsed {
            assert!(!targets.is_empty(), "{id} maps to nothing");
            for t in targets {
                assert!(rules.get(t).is_some(), "{id} maps to unknown rule {t}");
            }
        }
        assert!(names("github-pat", "github-pat-classic"));
        assert!(names("github-pat-classic", "github-pat-classic"));
        assert!(!names("github-pat", "gitlab-pat"));
        assert_eq!(
            builtin_rules("aws-access-token").unwrap(),
            ["aws-access-key-id"]
        );
    }
}
