//! Generic rules on real file layouts: the exact secret each one reports.

use crate::util::*;

/// `(rule_id, path, line, secret)` of every finding of a scan of `tree`.
fn findings(dir: &Dir) -> Vec<(String, String, u64, String)> {
    let out = dir
        .cmd()
        .args(["scan", "tree", "--format", "json", "--show-secrets"])
        .run();
    assert!(out.code <= 1, "{}", out.stderr);
    let json = out.json();
    let secrets = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["secret"].as_str().unwrap().to_string());
    locations(&json)
        .into_iter()
        .zip(secrets)
        .map(|((rule, path, line, _), secret)| (rule, path, line, secret))
        .collect()
}

fn finding(rule: &str, path: &str, line: u64, secret: &str) -> (String, String, u64, String) {
    (rule.to_string(), path.to_string(), line, secret.to_string())
}

/// Issue #11 item 13: a value that starts with `b`, `r`, `u`, `f` or `@` is
/// reported whole; the letter is only a string prefix when a quote follows.
#[test]
fn a_leading_string_prefix_letter_is_part_of_an_unquoted_value() {
    let dir = Dir::new();
    dir.create(
        "tree/app.env",
        "api_token=bZq8Lm2Vx9Tr4Kp7Wn3Yc6Hd\n\
         AUTH_TOKEN=Rq8Lm2Vx9Tr4Kp7Wn3Yc6Hd1\n\
         db_password=uT7vQ2mLx9Rk\n\
         SECRET=@Zq8Lm2Vx9Tr4Kp7Wn3Yc6Hd\n\
         session_secret=fW3nPq8Zt2Lm5Vx7Rk4\n",
    );
    dir.create(
        "tree/app.py",
        "API_TOKEN = b\"Kq8Lm2Vx9Tr4Kp7Wn3Yc6Hd\"\nSIGNING_SECRET = rb'Tq8Lm2Vx9Tr4Kp7Wn3Yc6Hd'\n",
    );
    assert_eq!(
        findings(&dir),
        vec![
            finding(
                "generic-secret",
                "tree/app.env",
                1,
                "bZq8Lm2Vx9Tr4Kp7Wn3Yc6Hd"
            ),
            finding(
                "generic-secret",
                "tree/app.env",
                2,
                "Rq8Lm2Vx9Tr4Kp7Wn3Yc6Hd1"
            ),
            finding("generic-password", "tree/app.env", 3, "uT7vQ2mLx9Rk"),
            finding(
                "generic-secret",
                "tree/app.env",
                4,
                "@Zq8Lm2Vx9Tr4Kp7Wn3Yc6Hd"
            ),
            finding("generic-secret", "tree/app.env", 5, "fW3nPq8Zt2Lm5Vx7Rk4"),
            finding(
                "generic-secret",
                "tree/app.py",
                1,
                "Kq8Lm2Vx9Tr4Kp7Wn3Yc6Hd"
            ),
            finding(
                "generic-secret",
                "tree/app.py",
                2,
                "Tq8Lm2Vx9Tr4Kp7Wn3Yc6Hd"
            ),
        ]
    );
}

/// Issue #16: a high-entropy literal under a `<provider>_key` or
/// `<provider>_auth` name is found whatever the provider, in every
/// configuration syntax; record, cache and public keys are not.
#[test]
fn provider_key_assignments_are_found_in_every_syntax() {
    let dir = Dir::new();
    dir.create(
        "tree/app.py",
        "posthog_key = \"u8jzPde0IgxLd6GncfBAepfJ\"\ncache_key = \"Bd0Kh8oOOL8dKLzdocJ2isAj\"\n",
    );
    dir.create(
        "tree/config.yaml",
        "analytics:\n  acme_key: IBXuDL7DxtpYlSXpfKtHF4vUCsMe\n  public_key: IhKtJ0RlgLKOmxgJTeKdNnFR\n",
    );
    dir.create(
        "tree/settings.json",
        "{\n  \"shippoKey\": \"hGAkWvj7FAc9QeWJKY40uvSwMFLZDe\",\n  \"sortKey\": \"zzgEOzdmenCkhvMdgaKjIg\"\n}\n",
    );
    dir.create(
        "tree/.env",
        "VENDOR_AUTH=1f8rESQedUStPKR0CsTy4Qwb8DwkNhFd\n",
    );
    dir.create(
        "tree/config.xml",
        "<config>\n  <partnerKey>nXsiVpzz63FfkCzJr4i0B3JrTA</partnerKey>\n</config>\n",
    );
    dir.create(
        "tree/main.tf",
        "variable \"vendor_key\" {\n  type    = string\n  default = \"wR4y9ojfljoQoaF1LlqsajAI\"\n}\n",
    );
    dir.create(
        "tree/Main.java",
        "static final String MAPS_KEY = \"xNKu8iS2G8NPRVdD53X83RZJzz\";\nString idempotencyKey = \"8xNbe3nNyjOq9wMxEhh2FDEE\";\n",
    );
    assert_eq!(
        findings(&dir),
        vec![
            finding(
                "generic-key-assignment",
                "tree/.env",
                1,
                "1f8rESQedUStPKR0CsTy4Qwb8DwkNhFd"
            ),
            finding(
                "generic-key-assignment",
                "tree/Main.java",
                1,
                "xNKu8iS2G8NPRVdD53X83RZJzz"
            ),
            finding(
                "generic-key-assignment",
                "tree/app.py",
                1,
                "u8jzPde0IgxLd6GncfBAepfJ"
            ),
            finding(
                "generic-key-assignment",
                "tree/config.xml",
                2,
                "nXsiVpzz63FfkCzJr4i0B3JrTA"
            ),
            finding(
                "generic-key-assignment",
                "tree/config.yaml",
                2,
                "IBXuDL7DxtpYlSXpfKtHF4vUCsMe"
            ),
            finding(
                "generic-key-assignment",
                "tree/main.tf",
                3,
                "wR4y9ojfljoQoaF1LlqsajAI"
            ),
            finding(
                "generic-key-assignment",
                "tree/settings.json",
                2,
                "hGAkWvj7FAc9QeWJKY40uvSwMFLZDe"
            ),
        ]
    );
}

/// Issue #16: a PEM key split over string literals joined by each
/// language's concatenation operator is one finding.
#[test]
fn a_pem_key_split_over_concatenated_literals_is_found_in_every_language() {
    let pem = rsa_pem(7);
    let lines: Vec<&str> = pem.lines().collect();
    let (first, body, last) = (lines[0], &lines[1..lines.len() - 1], lines[lines.len() - 1]);
    // (file, opening, each line but the last as written, last line)
    type Layout = (
        &'static str,
        &'static str,
        fn(&str) -> String,
        fn(&str) -> String,
    );
    let layouts: [Layout; 8] = [
        (
            "key.js",
            "const KEY = ",
            |l| format!("\"{l}\\n\" +"),
            |l| format!("\"{l}\\n\";"),
        ),
        (
            "key.ex",
            "@key ",
            |l| format!("\"{l}\\n\" <>"),
            |l| format!("\"{l}\\n\""),
        ),
        (
            "key.php",
            "$key = ",
            |l| format!("\"{l}\\n\" ."),
            |l| format!("\"{l}\\n\";"),
        ),
        (
            "key.lua",
            "local key = ",
            |l| format!("\"{l}\\n\" .."),
            |l| format!("\"{l}\\n\""),
        ),
        (
            "key.vb",
            "Dim key = ",
            |l| format!("\"{l}\" & vbLf &"),
            |l| format!("\"{l}\""),
        ),
        (
            "key.c",
            "const char *key = \"",
            |l| format!("{l}\\n\\"),
            |l| format!("{l}\\n\";"),
        ),
        (
            "key.rb",
            "KEY = ",
            |l| format!("\"{l}\\n\" \\"),
            |l| format!("\"{l}\\n\""),
        ),
        (
            "key.py",
            "KEY = (",
            |l| format!("    \"{l}\\n\""),
            |l| format!("    \"{l}\\n\")"),
        ),
    ];
    let dir = Dir::new();
    for (file, opening, join, close) in layouts {
        let mut text = format!("{opening}{}\n", join(first));
        for line in body {
            text.push_str(&join(line));
            text.push('\n');
        }
        text.push_str(&close(last));
        text.push('\n');
        dir.create(&format!("tree/{file}"), text);
    }
    let found: Vec<(String, String, u64)> = findings(&dir)
        .into_iter()
        .map(|(rule, path, line, _)| (rule, path, line))
        .collect();
    let expected: Vec<(String, String, u64)> = [
        "key.c", "key.ex", "key.js", "key.lua", "key.php", "key.py", "key.rb", "key.vb",
    ]
    .iter()
    .map(|f| ("private-key-rsa".to_string(), format!("tree/{f}"), 1))
    .collect();
    assert_eq!(found, expected);
}
