//! Property-based tests (issue #12): whatever bytes or text the engine, the
//! rule loader, the config, baseline and ignore-file parsers, the DER
//! decoder, the archive reader and the escaping get, they return (a result or an error), never
//! panic, and take bounded time.
//!
//! Each property runs 64 cases by default so `cargo test` stays quick;
//! `PROPTEST_CASES=5000 cargo test --test properties` runs more.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use leakproof::config::Config;
use leakproof::detect::Engine;
use leakproof::filter::baseline::{self, Baseline, Entry};
use leakproof::filter::ignore::IgnoreList;
use leakproof::report::escape;
use leakproof::rules::RuleSet;
use leakproof::source::archive::{self, ArchiveOptions, Input};
use leakproof::source::{Blob, Notice, Origin, Sink};
use proptest::prelude::*;

/// Cases per property: `PROPTEST_CASES`, or 64.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(64);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

static ENGINE: LazyLock<Engine> =
    LazyLock::new(|| Engine::new(RuleSet::builtin().expect("built-in packs load")));

/// A generous bound for one scan of at most 64 KiB in a debug build on a
/// busy machine: it catches a hang or a blow-up, not a slowdown.
const SCAN_BOUND: Duration = Duration::from_secs(20);

/// Text made of the pieces rules look for (keywords, assignments, quotes,
/// PEM frames, line breaks) and random runs: it reaches the regexes,
/// windows and supersession, where uniform random bytes rarely go.
fn secretish() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"ghp_".to_vec()),
        Just(b"password = \"".to_vec()),
        Just(b"token ".to_vec()),
        Just(b"AKIA".to_vec()),
        Just(b"-----BEGIN PRIVATE KEY-----\n".to_vec()),
        Just(b"-----END PRIVATE KEY-----".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"=".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        "[A-Za-z0-9+/_-]{1,48}".prop_map(String::into_bytes),
        prop::collection::vec(any::<u8>(), 1..16),
    ];
    prop::collection::vec(piece, 0..400).prop_map(|pieces| pieces.concat())
}

/// Text made of the pieces of encodings (escapes, percent and character
/// references, base64 and hex runs, quotes, line breaks): it reaches the
/// decoders and the recursion into decoded text.
fn encodedish() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(br"\u00".to_vec()),
        Just(br"\u{1F".to_vec()),
        Just(br"\uD83D\uDE00".to_vec()),
        Just(br"\x4".to_vec()),
        Just(br#"\""#.to_vec()),
        Just(br"\n".to_vec()),
        Just(b"\\\n".to_vec()),
        Just(b"%3A%2".to_vec()),
        Just(b"&#x4".to_vec()),
        Just(b"&quot;".to_vec()),
        Just(b";".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"'".to_vec()),
        Just(b"=".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"data:image/png;base64,".to_vec()),
        Just(b"Z2hwX1pxM3Y4TGtQMGFYdzJSdFk3dUJuNE1lOUpjMUhkNjJya3pMWg".to_vec()),
        "[A-Za-z0-9+/_-]{1,48}".prop_map(String::into_bytes),
        "[0-9a-f]{2,64}".prop_map(String::into_bytes),
        prop::collection::vec(any::<u8>(), 1..8),
    ];
    prop::collection::vec(piece, 0..400).prop_map(|pieces| pieces.concat())
}

fn scan_is_bounded(data: &[u8]) -> Result<(), TestCaseError> {
    let started = Instant::now();
    let candidates = ENGINE.scan(data);
    let elapsed = started.elapsed();
    prop_assert!(
        elapsed < SCAN_BOUND,
        "{} bytes took {elapsed:?}",
        data.len()
    );
    for c in candidates {
        prop_assert!(c.start <= c.secret_start && c.secret_end <= c.end && c.end <= data.len());
    }
    Ok(())
}

/// One archive of each kind (and nested ones), each holding a token.
static ARCHIVES: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    use std::io::Write;
    let text = b"TOKEN=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\n".repeat(40);
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    for name in ["a.env", "b/c.env"] {
        w.start_file(name, opts).unwrap();
        w.write_all(&text).unwrap();
    }
    let zipped = w.finish().unwrap().into_inner();
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in [("a.env", &text), ("inner.zip", &zipped)] {
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, name, data.as_slice()).unwrap();
    }
    let tarred = b.into_inner().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tarred).unwrap();
    let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    bz.write_all(&tarred).unwrap();
    let mut xz =
        lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::with_preset(1)).unwrap();
    xz.write_all(&tarred).unwrap();
    let zst = ruzstd::encoding::compress_to_vec(
        tarred.as_slice(),
        ruzstd::encoding::CompressionLevel::Fastest,
    );
    vec![
        zipped,
        tarred,
        gz.finish().unwrap(),
        bz.finish().unwrap(),
        xz.finish().unwrap(),
        zst,
    ]
});

/// A sink that only counts.
#[derive(Default)]
struct Count {
    bytes: usize,
}

impl Sink for Count {
    fn blob(&mut self, blob: Blob<'_>) {
        self.bytes += blob.data.len();
    }
    fn notice(&mut self, _: Notice) {}
}

/// Expands `data` if it is an archive (three levels deep, entries of at
/// most 1 MiB): the bytes handed on and the time it took.
fn expand_counting(data: &[u8]) -> Option<(usize, Duration)> {
    let kind = archive::detect(data)?;
    let opts = ArchiveOptions {
        max_depth: 3,
        max_entry_size: 1 << 20,
    };
    let mut sink = Count::default();
    let started = Instant::now();
    archive::expand(
        Input::Bytes(data),
        kind,
        &Origin::Stdin,
        None,
        opts,
        &mut sink,
    );
    Some((sink.bytes, started.elapsed()))
}

/// Expands `data` if it is an archive: never a panic, bounded time, and
/// never more bytes handed on than the expansion limit.
fn expansion_is_bounded(data: &[u8]) -> Result<(), TestCaseError> {
    let Some((bytes, elapsed)) = expand_counting(data) else {
        return Ok(());
    };
    prop_assert!(
        elapsed < SCAN_BOUND,
        "{} bytes took {elapsed:?}",
        data.len()
    );
    prop_assert!(bytes as u64 <= archive::RATIO_FLOOR.max(data.len() as u64 * archive::MAX_RATIO));
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_archive_reader_takes_damaged_archives(
        which in 0usize..6,
        flips in prop::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 0..6),
        cut in prop::option::of(any::<prop::sample::Index>()),
    ) {
        let mut data = ARCHIVES[which].clone();
        // The magic stays, so the damage reaches the decoders.
        for (at, mask) in flips {
            let i = 8 + at.index(data.len() - 8);
            data[i] ^= mask;
        }
        if let Some(cut) = cut {
            data.truncate(8 + cut.index(data.len() - 7));
        }
        expansion_is_bounded(&data)?;
    }

    #[test]
    fn the_archive_reader_takes_any_bytes_after_a_magic(
        magic in prop::sample::select(vec![
            &b"PK\x03\x04"[..], b"\x1f\x8b\x08", b"\xfd7zXZ\x00", b"\x28\xb5\x2f\xfd",
            b"BZh91AY&SY\x00",
        ]),
        rest in prop::collection::vec(any::<u8>(), 0..4096),
    ) {
        expansion_is_bounded(&[magic, &rest].concat())?;
    }

    #[test]
    fn the_engine_takes_any_bytes(data in prop::collection::vec(any::<u8>(), 0..65536)) {
        scan_is_bounded(&data)?;
    }

    #[test]
    fn the_engine_takes_secret_shaped_text(data in secretish()) {
        scan_is_bounded(&data)?;
    }

    #[test]
    fn the_engine_takes_encoded_text(data in encodedish()) {
        scan_is_bounded(&data)?;
    }

    #[test]
    fn decoded_spans_lie_in_the_text(data in encodedish()) {
        let mut spans = Vec::new();
        leakproof::detect::decode::find(&data, true, &mut |d| spans.push(d));
        for d in spans {
            prop_assert!(d.span.start <= d.span.end && d.span.end <= data.len());
            prop_assert!(!d.span.is_empty() && !d.bytes.is_empty());
            // What base64, hex and percent-encoding decode to is text;
            // escapes and references keep the text's other bytes as
            // they are.
            if !matches!(d.encoding, "escape" | "html") {
                prop_assert!(std::str::from_utf8(&d.bytes).is_ok());
            }
            for at in 0..=d.bytes.len() {
                let r = d.source(at.min(d.bytes.len())..d.bytes.len());
                prop_assert!(d.span.start <= r.start && r.start <= r.end && r.end <= d.span.end);
            }
        }
    }

    #[test]
    fn the_rule_loader_takes_any_text(text in "\\PC{0,400}") {
        let _ = RuleSet::default().add_pack("p.toml", &text, true);
    }

    #[test]
    fn the_rule_loader_takes_any_rule_fields(
        id in "[a-z0-9_-]{0,12}",
        keyword in "\\PC{0,8}",
        regex in "\\PC{0,40}",
        group in 0usize..4,
        entropy in -1.0f64..10.0,
        glob in "\\PC{0,12}",
    ) {
        let text = format!(
            "[[rule]]\nid = {id:?}\nname = \"n\"\nseverity = \"high\"\nkeywords = [{keyword:?}]\nregex = {regex:?}\nsecret-group = {group}\nmin-entropy = {entropy}\nexamples = [{regex:?}]\n[rule.allowlist]\nglobs = [{glob:?}]\nregexes = [{regex:?}]\n"
        );
        let mut rules = RuleSet::default();
        if rules.add_pack("p.toml", &text, true).is_ok() {
            // A pack that loads also runs.
            let engine = Engine::new(rules);
            let _ = engine.scan(regex.as_bytes());
        }
    }

    #[test]
    fn the_config_parser_takes_any_text(text in "\\PC{0,400}") {
        if let Ok(config) = Config::parse(Path::new("c.toml"), text) {
            let mut rules = RuleSet::default();
            let _ = config.apply(&mut rules);
        }
    }

    #[test]
    fn the_baseline_parser_takes_any_text(text in "\\PC{0,400}") {
        let _ = Baseline::parse("b.jsonl", &text, "2026-01-01");
        let _ = IgnoreList::parse(".leakproofignore", &text);
    }

    #[test]
    fn written_baselines_parse_back(
        entries in prop::collection::vec(
            ("\\PC{0,12}", "\\PC{0,20}", "[0-9a-f]{32}", "\\PC{0,12}"),
            0..20,
        )
    ) {
        let entries: Vec<Entry> = entries
            .into_iter()
            .map(|(rule, path, fingerprint, reason)| Entry {
                rule,
                path,
                fingerprint,
                reason,
                expires: String::new(),
            })
            .collect();
        let mut out = Vec::new();
        baseline::write(entries.clone(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let parsed = Baseline::parse("b.jsonl", &text, "2026-01-01").unwrap();
        let mut want = entries;
        want.sort();
        want.dedup_by(|a, b| a.fingerprint == b.fingerprint);
        prop_assert_eq!(parsed.entries().cloned().collect::<Vec<_>>(), want);
    }

    #[test]
    fn the_der_decoder_takes_any_bytes(data in prop::collection::vec(any::<u8>(), 0..2048)) {
        let _ = leakproof::der::armor_key(&data);
        let _ = leakproof::der::is_private_key(&data);
        if let Some(size) = leakproof::der::declared_size(&data) {
            prop_assert!(size >= 2);
        }
    }

    #[test]
    fn escaped_text_is_inert(text in "\\PC{0,40}|[\\x00-\\x1f\\x7f\\u{80}-\\u{9f}\\u{2028}\\u{202e}:a ]{0,40}") {
        let line = escape::line(&text);
        prop_assert!(!line.chars().any(escape::is_unsafe), "{line:?}");
        prop_assert!(!line.trim_start().starts_with("::"), "{line:?}");
        for l in escape::lines(&text).split('\n') {
            prop_assert!(!l.trim_start().starts_with("::"), "{l:?}");
        }
    }
}

#[test]
fn the_intact_archives_hand_on_every_entry() {
    // Two entries of 40 lines in the zip; in the tar, one and the zip's two.
    let line = "TOKEN=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\n".len() * 40;
    for (i, data) in ARCHIVES.iter().enumerate() {
        let (bytes, _) = expand_counting(data).unwrap();
        assert_eq!(
            bytes,
            if i == 0 { 2 * line } else { 3 * line },
            "archive {i}"
        );
    }
}
