//! The rule-pack loader on any text; a pack that loads also runs on its
//! own text.
#![no_main]

use leakproof::detect::Engine;
use leakproof::rules::RuleSet;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let mut rules = RuleSet::default();
    if rules.add_pack("fuzz.toml", text, true).is_ok() {
        let _ = Engine::new(rules).scan(text.as_bytes());
    }
});
