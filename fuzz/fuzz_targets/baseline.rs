//! The baseline and ignore-file parsers on any text.
#![no_main]

use leakproof::filter::baseline::Baseline;
use leakproof::filter::ignore::IgnoreList;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = Baseline::parse("fuzz.jsonl", text, "2026-01-01");
    let _ = IgnoreList::parse("fuzz.ignore", text);
});
