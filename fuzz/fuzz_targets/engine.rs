//! The detection engine with every built-in rule, on any bytes.
#![no_main]

use std::sync::LazyLock;

use leakproof::detect::Engine;
use leakproof::rules::RuleSet;
use libfuzzer_sys::fuzz_target;

static ENGINE: LazyLock<Engine> = LazyLock::new(|| {
    Engine::new(RuleSet::builtin().unwrap_or_else(|e| panic!("built-in packs: {e}")))
});

fuzz_target!(|data: &[u8]| {
    for c in ENGINE.scan(data) {
        assert!(c.start <= c.secret_start && c.secret_end <= c.end && c.end <= data.len());
    }
});
