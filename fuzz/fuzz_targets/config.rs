//! The configuration parser on any text, applied to an empty rule set.
#![no_main]

use std::path::Path;

use leakproof::config::Config;
use leakproof::rules::RuleSet;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(config) = Config::parse(Path::new("fuzz.toml"), text.to_string()) {
        let _ = config.apply(&mut RuleSet::default());
    }
});
