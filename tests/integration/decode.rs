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
/// A docker config.json with [`DOCKER_AUTH`], base64 again.
const DOCKERCONFIGJSON: &str = "eyJhdXRocyI6eyJyZWdpc3RyeS5leGFtcGxlLmNvbSI6eyJhdXRoIjoiWTJrdFltOTBPbWRvY0Y5YWNUTjJPRXhyVURCaFdIY3lVblJaTjNWQ2JqUk5aVGxLWXpGSVpEWXljbXQ2VEZvPSJ9fX0=";

fn carriers() -> Dir {
    let dir = Dir::new();
    dir.create(
        "tree/secret.yaml",
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: aws\ntype: Opaque\ndata:\n  \
             AWS_ACCESS_KEY_ID: {AWS_ID_B64}\n---\napiVersion: v1\nkind: Secret\n\
             type: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {DOCKERCONFIGJSON}\n"
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
    assert_eq!(chains, ["base64", "base64 > base64"]);
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
