//! Secrets under encodings (issue #15): found in the decoded text, reported
//! at the encoded text with the decoding chain and the plain fingerprint.

use crate::util::*;

/// Synthetic tokens (valid checksums, never issued) and their base64
/// carriers.
const GHP: &str = "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";
const AWS_ID_B64: &str = "QUtJQVEzRUdSVDVOS1o3VldYMk0=";
/// `ci-bot:` + [`GHP`].
const DOCKER_AUTH: &str = "Y2ktYm90OmdocF9acTN2OExrUDBhWHcyUnRZN3VCbjRNZTlKYzFIZDYycmt6TFo=";
/// `deploy: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`.
const NPM_AUTH: &str = "ZGVwbG95Om5wbV9XZDRrOVB6UjJ0THg3UW1CM3ZOYzhZZTVIczFKdTYwWmFnQms=";
/// `x-access-token:` + [`GHP`].
const BASIC: &str = "eC1hY2Nlc3MtdG9rZW46Z2hwX1pxM3Y4TGtQMGFYdzJSdFk3dUJuNE1lOUpjMUhkNjJya3pMWg==";
/// A `.netrc` (`machine git.example.net`, `login ci`, `password
/// Tq8vN3xLm2Rk7pWz`).
const NETRC_B64: &str =
    "bWFjaGluZSBnaXQuZXhhbXBsZS5uZXQKbG9naW4gY2kKcGFzc3dvcmQgVHE4dk4zeExtMlJrN3BXego=";
/// A docker config.json with [`DOCKER_AUTH`], base64 again.
const DOCKERCONFIGJSON: &str = "eyJhdXRocyI6eyJyZWdpc3RyeS5leGFtcGxlLmNvbSI6eyJhdXRoIjoiWTJrdFltOTBPbWRvY0Y5YWNUTjJPRXhyVURCaFdIY3lVblJaTjNWQ2JqUk5aVGxLWXpGSVpEWXljbXQ2VEZvPSJ9fX0=";

fn carriers() -> Dir {
    let dir = Dir::new();
    dir.create(
        "tree/secret.yaml",
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: aws\ntype: Opaque\ndata:\n  \
             AWS_ACCESS_KEY_ID: {AWS_ID_B64}\n---\napiVersion: v1\nkind: Secret\n\
             type: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {DOCKERCONFIGJSON}\n  \
             .netrc: {NETRC_B64}\n"
        ),
    );
    dir.create(
        "tree/config.json",
        format!(
            "{{\n  \"auths\": {{\n    \"registry.example.com\": {{\n      \"auth\": \"{DOCKER_AUTH}\"\n    }}\n  }}\n}}\n"
        ),
    );
    dir.create(
        "tree/.npmrc",
        format!("registry=https://registry.example.com/\n_auth = {NPM_AUTH}\nalways-auth=true\n"),
    );
    dir.create(
        "tree/fetch.sh",
        format!("#!/bin/sh\ncurl -H \"Authorization: Basic {BASIC}\" https://api.example.com/\n"),
    );
    dir.create(
        "tree/urls.env",
        format!(
            "GIT_URL=https://deploy:Xk9%23mP2%40vLq7%21wR4@git.internal.net/app.git\n\
             LOGIN=https://sso.example.org/?next=https%3A%2F%2Fci%3A{GHP}%40github.com%2F\n"
        ),
    );
    dir
}

fn scan(dir: &Dir, extra: &[&str]) -> serde_json::Value {
    let out = dir
        .cmd()
        .args(["scan", "tree", "--format", "json", "--show-secrets"])
        .args(extra)
        .run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    out.json()
}

/// `(rule, path, line, column, secret, decoding)` of every finding.
fn decoded(json: &serde_json::Value) -> Vec<(String, String, u64, u64, String, String)> {
    let f = json["findings"].as_array().unwrap();
    locations(json)
        .into_iter()
        .zip(f)
        .map(|((rule, path, line, column), f)| {
            (
                rule,
                path,
                line,
                column,
                f["secret"].as_str().unwrap().to_string(),
                f["decoding"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn d(
    rule: &str,
    path: &str,
    line: u64,
    column: u64,
    secret: &str,
    chain: &str,
) -> (String, String, u64, u64, String, String) {
    (
        rule.to_string(),
        path.to_string(),
        line,
        column,
        secret.to_string(),
        chain.to_string(),
    )
}

#[test]
fn secrets_in_base64_carriers_are_found_at_the_encoded_text() {
    let dir = carriers();
    let json = scan(&dir, &[]);
    // Columns point at the encoded characters that carry the secret's
    // first bits; the plain-text rules on the encoded values (the Basic
    // header, the generic `auth`/`access_key` assignments) yield to them.
    assert_eq!(
        decoded(&json),
        [
            d(
                "npm-access-token",
                "tree/.npmrc",
                2,
                18,
                "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",
                "base64"
            ),
            d(
                "github-pat-classic",
                "tree/config.json",
                4,
                25,
                GHP,
                "base64"
            ),
            d("github-pat-classic", "tree/fetch.sh", 2, 51, GHP, "base64"),
            d(
                "aws-access-key-id",
                "tree/secret.yaml",
                7,
                22,
                "AKIAQ3EGRT5NKZ7VWX2M",
                "base64"
            ),
            d(
                "github-pat-classic",
                "tree/secret.yaml",
                13,
                90,
                GHP,
                "base64 > base64"
            ),
            d(
                "netrc-password",
                "tree/secret.yaml",
                14,
                67,
                "Tq8vN3xLm2Rk7pWz",
                "base64"
            ),
            // The password as written before percent-encoding, at the
            // encoded password; a URL inside a query parameter.
            d(
                "basic-auth-url",
                "tree/urls.env",
                1,
                24,
                "Xk9#mP2@vLq7!wR4",
                "percent"
            ),
            d("github-pat-classic", "tree/urls.env", 2, 56, GHP, "percent"),
        ]
    );
    // The encoded value starts at column 16; `ci-bot:` fills its first 9
    // characters and `ghp_` starts in the tenth.
    let config = std::fs::read_to_string(dir.path().join("tree/config.json")).unwrap();
    let line = config.lines().nth(3).unwrap();
    assert_eq!(&line[24..30], &DOCKER_AUTH[9..15]);
}

#[test]
fn a_decoded_secret_has_the_fingerprint_of_the_plain_secret() {
    let encoded = carriers();
    let plain = Dir::new();
    plain.create(
        "tree/config.json",
        format!("{{\"auths\": {{\"r\": {{\"password\": \"{GHP}\"}}}}}}\n"),
    );
    let fp = |json: &serde_json::Value| {
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == "tree/config.json")
            .map(|f| f["fingerprint"].as_str().unwrap().to_string())
            .unwrap()
    };
    assert_eq!(fp(&scan(&encoded, &[])), fp(&scan(&plain, &[])));
}

#[test]
fn the_decoding_chain_is_in_text_and_sarif() {
    let dir = carriers();
    let text = dir.cmd().args(["scan", "tree/fetch.sh", "-q"]).run();
    assert_eq!(text.code, 1, "{}", text.stderr);
    assert!(
        text.stdout.starts_with(
            "tree/fetch.sh:2:51  github-pat-classic  critical  ghp_*****  fingerprint="
        ) && text.stdout.ends_with("  decoded=base64\n"),
        "{}",
        text.stdout
    );
    let sarif = dir
        .cmd()
        .args(["scan", "tree/secret.yaml", "--format", "sarif", "-q"])
        .run();
    let json = sarif.json();
    let chains: Vec<&str> = json["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["properties"]["decoding"].as_str().unwrap())
        .collect();
    assert_eq!(chains, ["base64", "base64 > base64", "base64"]);
}

#[test]
fn max_decode_depth_bounds_the_decoding() {
    let dir = carriers();
    // One level: the docker config inside the Kubernetes secret is
    // decoded, its `auth` value is not: the rule for docker auth values
    // reports it.
    let one = scan(&dir, &["--max-decode-depth", "1"]);
    let at_13: Vec<String> = decoded(&one)
        .into_iter()
        .filter(|f| f.1 == "tree/secret.yaml" && f.2 == 13)
        .map(|f| format!("{} {}", f.0, f.5))
        .collect();
    assert_eq!(at_13, ["docker-registry-auth base64"]);
    // Off: only the rules on plain text.
    let off = scan(&dir, &["--max-decode-depth", "0"]);
    assert!(decoded(&off).iter().all(|f| f.5.is_empty()));
    assert!(
        !decoded(&off)
            .iter()
            .any(|f| f.0 == "aws-access-key-id" || f.0 == "npm-access-token")
    );
}

/// One line per encoding; [`GHP`] or an AWS key id behind each.
const ALONE: &str = r#"base64: dG9rZW49Z2hwX1pxM3Y4TGtQMGFYdzJSdFk3dUJuNE1lOUpjMUhkNjJya3pMWg==
base64url: R0g-Z2hwX1pxM3Y4TGtQMGFYdzJSdFk3dUJuNE1lOUpjMUhkNjJya3pMWg
hex: 746f6b656e3d6768705f5a713376384c6b5030615877325274593775426e344d65394a633148643632726b7a4c5a
percent: https://example.org/login?next=https%3A%2F%2Fci%3A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%40github.com%2F
unicode = "\u0067\u0068\u0070\u005fZq3v8LkP0aXw2RtY7uBn4Me9Jc1Hd62rkzLZ";
hexesc = '\x41\x4b\x49\x41Q3EGRT5NKZ7VWX2M'
"outputs": ["connecting\n", "secret: Xq7vB2mK9pLw4RzT8nYc\n"],
<code>&#65;&#x4B;&#73;&#65;Q3EGRT5NKZ7VWX2M</code>
"#;

/// Two encodings deep: the outer one read first.
const NESTED: &str = r#"b64pct: dG9rZW4lM0ElMjBnaHBfWnEzdjhMa1AwYVh3MlJ0WTd1Qm40TWU5SmMxSGQ2MnJrekxa
pctb64: https://example.org/?c=56eY5a%2BGOiBnaHBfWnEzdjhMa1AwYVh3MlJ0WTd1Qm40TWU5SmMxSGQ2MnJrekxa
hexb64: 644739725a5734395a326877583170784d335934544774514d474659647a4a5364466b3364554a754e45316c4f55706a4d55686b4e6a4a796133704d57673d3d
b64esc: eyJ0IjogIlx1MDA2N2hwX1pxM3Y4TGtQMGFYdzJSdFk3dUJuNE1lOUpjMUhkNjJya3pMWiJ9
escb64 = "56eY5a\u002BGOiBnaHBfWnEzdjhMa1AwYVh3MlJ0WTd1Qm40TWU5SmMxSGQ2MnJrekxa";
<p>56eY5a&#43;GOiBnaHBfWnEzdjhMa1AwYVh3MlJ0WTd1Qm40TWU5SmMxSGQ2MnJrekxa</p>
escesc = "{\"k\": \"\\u0067hp_Zq3v8LkP0aXw2RtY7uBn4Me9Jc1Hd62rkzLZ\"}";
pctpct: https://example.org/?next=https%253A%252F%252Fci%253A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%2540github.com%252F
b64html: PGI+JiM2NTsmI3g0QjsmIzczOyYjNjU7UTNFR1JUNU5LWjdWV1gyTTwvYj4=
"#;

const AWS_ID: &str = "AKIAQ3EGRT5NKZ7VWX2M";

fn encodings() -> Dir {
    let dir = Dir::new();
    dir.create("tree/alone.txt", ALONE);
    dir.create("tree/nested.txt", NESTED);
    dir
}

#[test]
fn each_encoding_alone_and_two_deep_is_seen_through() {
    let dir = encodings();
    let json = scan(&dir, &[]);
    let a = "tree/alone.txt";
    let n = "tree/nested.txt";
    let gh = "github-pat-classic";
    let aws = "aws-access-key-id";
    assert_eq!(
        decoded(&json),
        [
            d(gh, a, 1, 17, GHP, "base64"),
            d(gh, a, 2, 16, GHP, "base64url"),
            d(gh, a, 3, 18, GHP, "hex"),
            d(gh, a, 4, 60, GHP, "percent"),
            // `\u0067` is where the token starts.
            d(gh, a, 5, 12, GHP, "escape"),
            d(aws, a, 6, 11, AWS_ID, "escape"),
            // A notebook output line: `\n` is a line break, so the value
            // ends there.
            d("generic-secret", a, 7, 38, "Xq7vB2mK9pLw4RzT8nYc", "escape"),
            d(aws, a, 8, 7, AWS_ID, "html"),
            d(gh, n, 1, 23, GHP, "base64 > percent"),
            d(gh, n, 2, 44, GHP, "percent > base64"),
            d(gh, n, 3, 25, GHP, "hex > base64"),
            d(gh, n, 4, 18, GHP, "base64 > escape"),
            d(gh, n, 5, 26, GHP, "escape > base64"),
            d(gh, n, 6, 18, GHP, "html > base64"),
            d(gh, n, 7, 21, GHP, "escape > escape"),
            d(gh, n, 8, 62, GHP, "percent > percent"),
            d(aws, n, 9, 14, AWS_ID, "base64 > html"),
        ]
    );
    // Every one of them is the plain secret's finding.
    let plain = Dir::new();
    plain.create(
        "tree/alone.txt",
        format!("token={GHP}\naws_access_key_id={AWS_ID}\n"),
    );
    let fingerprints = |json: &serde_json::Value, path: &str| -> Vec<String> {
        let mut all: Vec<String> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["path"] == path && f["rule_id"] != "generic-secret")
            .map(|f| f["fingerprint"].as_str().unwrap().to_string())
            .collect();
        all.sort();
        all.dedup();
        all
    };
    assert_eq!(fingerprints(&json, a), fingerprints(&scan(&plain, &[]), a));
}

#[test]
fn depth_one_reads_one_encoding_and_depth_zero_none() {
    let dir = encodings();
    let chains = |depth: &str| -> Vec<String> {
        let out = dir
            .cmd()
            .args([
                "scan",
                "tree",
                "--format",
                "json",
                "--max-decode-depth",
                depth,
            ])
            .run();
        decoded(&out.json())
            .into_iter()
            .filter(|f| f.0 == "github-pat-classic" || f.0 == "aws-access-key-id")
            .map(|f| format!("{}:{} {}", f.1, f.2, f.5))
            .collect()
    };
    assert_eq!(
        chains("1"),
        [
            "tree/alone.txt:1 base64",
            "tree/alone.txt:2 base64url",
            "tree/alone.txt:3 hex",
            "tree/alone.txt:4 percent",
            "tree/alone.txt:5 escape",
            "tree/alone.txt:6 escape",
            "tree/alone.txt:8 html",
        ]
    );
    assert_eq!(chains("0"), Vec::<String>::new());
}

#[test]
fn every_format_carries_the_decoding_chain() {
    let dir = Dir::new();
    dir.create("tree/n.txt", NESTED.lines().next().unwrap());
    let run = |format: &str| {
        let out = dir.cmd().args(["scan", "tree", "--format", format]).run();
        assert_eq!(out.code, 1, "{format}: {}", out.stderr);
        out.stdout
    };
    let chain = "base64 &gt; percent";
    assert!(run("junit").contains(&format!("decoded: {chain}")), "junit");
    let chain = "base64 > percent";
    assert!(run("text").contains(&format!("  decoded={chain}")), "text");
    assert!(
        run("github").contains(&format!(". Decoded: {chain}")),
        "github"
    );
    assert!(
        run("markdown").contains(&format!("`tree/n.txt:1:23` (decoded: `{chain}`)")),
        "markdown"
    );
    let csv = run("csv");
    assert!(
        csv.lines().nth(1).unwrap().starts_with(
            "github-pat-classic,GitHub personal access token (classic),critical,tree/n.txt,1,23,1,"
        ),
        "{csv}"
    );
    assert!(csv.contains(&format!(",ghp_*****,{chain},")), "{csv}");
    let json: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    assert_eq!(json["findings"][0]["decoding"], chain);
    let sarif: serde_json::Value = serde_json::from_str(&run("sarif")).unwrap();
    assert_eq!(
        sarif["runs"][0]["results"][0]["properties"]["decoding"],
        chain
    );
    let gitlab: serde_json::Value = serde_json::from_str(&run("gitlab")).unwrap();
    let description = gitlab["vulnerabilities"][0]["description"]
        .as_str()
        .unwrap();
    assert!(
        description.contains(&format!("in decoded text ({chain})")),
        "{description}"
    );
}

#[test]
fn decoded_candidates_are_counted_and_shown_when_suppressed() {
    let dir = Dir::new();
    dir.create("tree/n.txt", NESTED.lines().next().unwrap());
    let out = dir
        .cmd()
        .args(["scan", "tree", "--format", "json", "--show-suppressed"])
        .run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    let json = out.json();
    // The generic rule matched the decoded `token: ...` too, and yielded.
    let suppressed: Vec<(String, u64, u64, String, String)> = json["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["rule_id"].as_str().unwrap().to_string(),
                s["line"].as_u64().unwrap(),
                s["column"].as_u64().unwrap(),
                s["mechanism"].as_str().unwrap().to_string(),
                s["decoding"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        suppressed,
        [(
            "generic-secret".to_string(),
            1,
            23,
            "superseded".to_string(),
            "base64 > percent".to_string()
        )]
    );
    assert_eq!(json["summary"]["suppressed"]["superseded"], 1);
    let text = dir
        .cmd()
        .args(["scan", "tree", "--show-suppressed", "-q"])
        .run();
    assert!(
        text.stdout.contains(
            "suppressed tree/n.txt:1:23  generic-secret  superseded: superseded by rule `github-pat-classic`  decoded=base64 > percent\n"
        ),
        "{}",
        text.stdout
    );
}

#[test]
fn escaped_text_is_read_as_the_characters_it_stands_for() {
    // A notebook output holding a JSON-escaped config; the same config
    // plain beside it.
    let dir = Dir::new();
    dir.create(
        "tree/analysis.ipynb",
        "{\n \"cells\": [\n  {\n   \"outputs\": [{\"text\": [\"loaded\\n\", \"db:\\n  password: Rk8vX2mQ7pLw3ZtN\\n\"]}],\n   \"source\": [\"print(cfg)\\n\"]\n  }\n ]\n}\n",
    );
    dir.create("tree/db.yaml", "db:\n  password: Rk8vX2mQ7pLw3ZtN\n");
    // Found in the plain text already: the decoded text adds nothing.
    dir.create(
        "tree/app.json",
        r#"{"env": "{\"password\": \"Wq5zT8kR2nVb7YxL\"}\n"}"#,
    );
    let gp = "generic-password";
    let plain = [
        d(gp, "tree/app.json", 1, 27, "Wq5zT8kR2nVb7YxL", ""),
        d(gp, "tree/db.yaml", 2, 13, "Rk8vX2mQ7pLw3ZtN", ""),
    ];
    let notebook = d(
        gp,
        "tree/analysis.ipynb",
        4,
        56,
        "Rk8vX2mQ7pLw3ZtN",
        "escape",
    );
    let mut all = vec![notebook];
    all.extend(plain.clone());
    assert_eq!(decoded(&scan(&dir, &[])), all);
    let off = scan(&dir, &["--max-decode-depth", "0"]);
    assert_eq!(decoded(&off), plain);
}

/// Standard base64 with padding.
fn b64(data: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    while out.len() % 4 != 0 {
        out.push('=');
    }
    out
}

fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(data).unwrap();
    gz.finish().unwrap()
}

#[test]
fn gzip_in_base64_is_inflated_as_helm_stores_releases() {
    let dir = Dir::new();
    // A Helm release: JSON, gzipped, base64 (Helm), base64 again (the
    // Kubernetes Secret's data).
    let release = format!(
        "{{\"name\":\"api\",\"config\":{{\"env\":{{\"GITHUB_TOKEN\":\"{GHP}\"}}}},\"version\":3,\
         \"notes\":\"{}\",\"hooks\":{{\"DEPLOY_TOKEN\":\"{ENV_TOKEN}\"}}}}",
        "release notes ".repeat(40)
    );
    let helm = b64(&gzip(release.as_bytes()));
    assert!(helm.starts_with("H4sI"));
    dir.create(
        "tree/release.yaml",
        format!(
            "apiVersion: v1\nkind: Secret\ntype: helm.sh/release.v1\ndata:\n  release: {}\n",
            b64(helm.as_bytes())
        ),
    );
    // Gzip in base64 straight in a file, and one that inflates to binary
    // bytes (never reported, never an error).
    dir.create("tree/config.txt", format!("payload = {helm}\n"));
    dir.create(
        "tree/blob.txt",
        format!(
            "blob = {}\n",
            b64(&gzip(&[0u8, 1, 2, 3, 255, 254].repeat(40)))
        ),
    );
    let json = scan(&dir, &[]);
    let gh = "github-pat-classic";
    // Compressed bytes have no place of their own: each secret is at a
    // column within its encoded run, in the order of the inflated text.
    let found = decoded(&json);
    let at = |path: &str, line: u64, secret: &str, chain: &str| {
        let f = found
            .iter()
            .find(|f| f.1 == path && f.4 == secret)
            .unwrap_or_else(|| panic!("{path} {secret}: {found:?}"));
        assert_eq!(
            (f.0.as_str(), f.2, f.5.as_str()),
            (gh, line, chain),
            "{f:?}"
        );
        f.3
    };
    assert_eq!(found.len(), 4, "{found:?}");
    let run = 11..11 + helm.len() as u64;
    let c = at("tree/config.txt", 1, GHP, "base64 > gzip");
    let e = at("tree/config.txt", 1, ENV_TOKEN, "base64 > gzip");
    assert!(run.contains(&c) && c < e && run.contains(&e), "{c} {e}");
    let run = 12..12 + b64(helm.as_bytes()).len() as u64;
    let c = at("tree/release.yaml", 5, GHP, "base64 > base64 > gzip");
    let e = at("tree/release.yaml", 5, ENV_TOKEN, "base64 > base64 > gzip");
    assert!(run.contains(&c) && c < e && run.contains(&e), "{c} {e}");
    assert_eq!(json["notices"], serde_json::json!([]));
}

#[test]
fn inflation_is_bounded_and_happens_once_per_chain() {
    let dir = Dir::new();
    // A bomb: 512 KiB of one byte between two tokens compress to about
    // 600 bytes; only 16 bytes per compressed byte are inflated, so the
    // first token is read and the second is not.
    let mut bomb = format!("token = {ENV_TOKEN}\n").into_bytes();
    bomb.extend(vec![b'a'; 512 << 10]);
    bomb.extend(format!("\ntoken = {EXTRA_TOKEN}\n").into_bytes());
    dir.create("tree/bomb.txt", format!("blob = {}\n", b64(&gzip(&bomb))));
    // Gzip in base64 inside inflated text is not inflated again: each
    // chain inflates once, so the text scanned stays within a multiple of
    // the file.
    let inner = b64(&gzip(format!("token = {DEPLOY_TOKEN}\n").as_bytes()));
    let outer = b64(&gzip(format!("payload = {inner}\n").as_bytes()));
    dir.create("tree/nested.txt", format!("blob = {outer}\n"));
    let json = scan(&dir, &[]);
    assert_eq!(
        decoded(&json),
        [d(
            "github-pat-classic",
            "tree/bomb.txt",
            1,
            8,
            ENV_TOKEN,
            "base64 > gzip"
        )]
    );
}
