#!/usr/bin/env python3
"""Classify every finding of leakproof and gitleaks on a tree of third-party
source (issue #3, acceptance line 3) as a real test credential shipped by the
project or a false positive, with the same criteria for both tools.

    scripts/classify-noise.py --root /tmp/bench-data/src \
        --leakproof ours.json --gitleaks gl.json \
        --csv docs/noise-src-corpus.csv

Criteria (applied to the finding's value and the code around it):

real  "looks like a credential and the project meant it as one": private keys
      (PEM, OpenSSH, DER, hex DER, PKCS#12) whose body decodes to key
      structure; signed JWTs; session tokens, client secrets, passwords,
      SECRET_KEYs and API keys written in tests or documentation as examples;
      cipher/MAC keys of test vectors (the value is a key and is used as one).
fp    not a credential: file checksums, identifiers (type, constant, function,
      variable names), file names, resource names, time zones, hashes,
      request signatures, pagination cursors, code expressions, URL-parser
      vectors, PEM header strings without a key body, unsigned JWTs (no
      signature: nothing secret, anyone can mint one), substrings of another
      finding's key body.

Every finding gets exactly one verdict; a finding no criterion covers stops
the script (so a new shape is looked at by a person, never guessed). Some
criteria name a file or a value of this tree: they encode a decision taken
after reading that group's code, and are evaluation bookkeeping, not rules. The
secret column is redacted (first 4 characters and an ellipsis): every value
here is a public test value from a public package, but the file should not
become a source of copy-paste credentials.
"""
import argparse
import base64
import binascii
import csv
import json
import re
import sys

IDENT = re.compile(r"^[.\-]*[A-Za-z_][A-Za-z0-9_.\-]*$")
HEX = re.compile(r"^[0-9a-fA-F]+$")


def der_or_openssh(block):
    """True if the PEM-ish block (as found in code) has a key body."""
    text = block.replace("\\r", "").replace("\\n", "\n")
    body = []
    for line in text.splitlines():
        line = line.strip()
        for marker in ("//", "#", "*", ";", "--"):
            if line.startswith(marker) and (len(line) == len(marker) or line[len(marker)] in " \t"):
                line = line[len(marker):].strip()
                break
        stripped = line.rstrip("+,").rstrip()
        if stripped.endswith(('"', "'")):
            line = stripped
        line = line.strip("\"'")
        if line.startswith("-----") or ":" in line or line.startswith("="):
            continue
        body.append("".join(c for c in line if c.isalnum() or c in "+/="))
    raw = "".join(body)
    if len(raw) < 40:
        return False
    try:
        der = base64.b64decode(raw + "=" * (-len(raw) % 4))
    except (binascii.Error, ValueError):
        return False
    if "OPENSSH" in block[:80]:
        return der.startswith(b"openssh-key-v1\0")
    if "Proc-Type: 4,ENCRYPTED" in block:
        return len(der) >= 48  # the body is ciphertext
    return len(der) >= 32 and der[0] == 0x30 and (der[1] < 0x80 or 0x81 <= der[1] <= 0x84)


def redact(secret):
    s = secret.replace("\n", "\\n")
    return s[:4] + "…" if s else ""


def line_at(root_lines, path, line):
    lines = root_lines(path)
    if 1 <= line <= len(lines):
        return lines[line - 1]
    return ""


def classify(rule, path, secret, match, text_line):
    """(verdict, kind, reason) for one finding; raises on an unknown shape."""
    low = secret.lower()
    # --- private keys, keystores, JWTs (both tools) ---
    if rule == "pkcs12-file" or rule == "private-key-pkcs12":
        return ("real", "pkcs12-keystore", "PKCS#12 keystore with a private key (test fixture; opens with the password in the project's tests)")
    if rule == "private-key-der-hex":
        return ("real", "private-key-hex-der", "DER private key written as hex in a test")
    if rule.startswith("private-key") or rule == "private-key":
        if path.endswith((".der", ".p8", ".pk8")) and rule != "private-key":
            return ("real", "private-key-der-file", "binary DER private key file (test fixture)")
        if der_or_openssh(match):
            return ("real", "private-key-pem", "PEM/OpenSSH private key with a key body (test fixture or documented example)")
        return ("fp", "pem-header-text", "BEGIN ... PRIVATE KEY header text in code or docs; no key body follows")
    if rule == "jwt":
        parts = secret.split(".")
        if len(parts) == 3 and len(parts[2]) >= 16:
            return ("real", "jwt-signed", "signed JWT in tests or documentation")
        return ("fp", "jwt-unsigned", "unsigned JWT: no signature, nothing secret")
    if rule == "square-access-token":
        return ("fp", "substring-of-key-body", "a base64 line inside a PEM private key body (the key itself is a separate finding)")
    # --- generic assignments ---
    if path.endswith(".cargo-checksum.json"):
        return ("fp", "file-checksum", "SHA-256 of a vendored file in .cargo-checksum.json")
    if re.match(r"^eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*\.$", secret):
        return ("fp", "jwt-unsigned", "unsigned JWT (alg none / empty signature): nothing secret, anyone can mint it")
    if re.match(r"^30(?:[0-7][0-9a-f]|81[0-9a-f]{2}|82[0-9a-f]{4})0201", low) and HEX.match(secret):
        return ("real", "private-key-hex-der", "DER private key written as hex in a test")
    if secret.startswith("Signature="):
        return ("fp", "request-signature", "SigV4 request signature (an HMAC output sent in clear with the request)")
    if re.search(r"key\s*hash", match, re.I):
        return ("fp", "hash", "SHA-1 key hash printed by an OCSP test")
    if "x-amz-security-token" in match.lower() or '"token"' in match.lower() or "aws-signing-test-suite" in path:
        if HEX.match(secret):
            return ("real", "session-token", "session token of the AWS SigV4 signing test suite")
    if re.search(r"(?i)(?:^|[^a-z0-9_./\-])(?:[a-z0-9]+[_\-]?)?key[\"'`]?\s*(?:=|:)", match) and HEX.match(secret) and len(secret) % 2 == 0 and 32 <= len(secret) <= 128:
        if "session_key" in match:
            return ("real", "session-key", "example session key in documentation")
        if re.search(r"secret_key", match, re.I):
            return ("real", "app-secret-key", "documented example SECRET_KEY")
        return ("real", "symmetric-key-test-vector", "cipher/MAC key of a test vector or example (a key, used as one)")
    if re.search(r"SECRET_KEY", match) and HEX.match(secret):
        return ("real", "app-secret-key", "documented example SECRET_KEY")
    if rule == "django-secret-key" and path.endswith("/settings.py"):
        return ("real", "app-secret-key", "SECRET_KEY of a test project's settings.py")
    if "MASKED_TEST_SECRET" in text_line or "csrf" in path:
        return ("real", "csrf-secret", "CSRF secret test value")
    if "test_debug.py" in path and re.search(r"api_key|SECRET_KEY", text_line):
        return ("real", "api-key", "secret the settings-cleansing test expects to be hidden")
    if rule == "generic-secret" and "clientSecret" in text_line:
        return ("real", "client-secret", "documented example OIDC client secret")
    if rule == "generic-password":
        return ("real", "password", "example password in documentation")
    if rule == "generic-basic-auth-header":
        return ("real", "basic-auth", "Basic credentials in a test of header encoding")
    if rule in ("generic-secret", "generic-secret-xml-element") and "ContinuationToken" in text_line:
        return ("fp", "pagination-cursor", "S3 NextContinuationToken: a listing cursor")
    if rule == "generic-secret" and re.match(r"^[A-Za-z_]\w*\^[A-Za-z_]\w*$", secret):
        return ("fp", "code-expression", "an expression of two identifiers in a comment")
    if rule == "basic-auth-url":
        return ("fp", "url-parser-vector", "userinfo of a URL-parser conformance vector")
    if re.match(r"^(?:Asia|Europe|America|Africa|Australia|Pacific)/[A-Za-z_]+$", secret):
        return ("fp", "time-zone", "IANA time-zone name")
    if re.search(r"\.(?:pem|pub|pk8|der|key)$", secret):
        return ("fp", "file-name", "file name of a key (not its content)")
    if secret.endswith(".mrap") or "accesspoint:" in match:
        return ("fp", "resource-name", "S3 multi-region access point alias in an ARN")
    if secret == "from_section1":
        return ("fp", "config-value", "config-parser test value")
    if IDENT.match(secret) and not HEX.match(secret):
        return ("fp", "identifier", "type, constant, function or field name")
    raise SystemExit(f"unclassified: {rule} {path} {secret!r} {match!r}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--leakproof", required=True)
    ap.add_argument("--gitleaks", required=True)
    ap.add_argument("--csv", required=True)
    args = ap.parse_args()
    root = args.root.rstrip("/") + "/"
    cache = {}

    def lines(path):
        if path not in cache:
            try:
                with open(root + path, encoding="utf-8", errors="replace") as f:
                    cache[path] = f.read().splitlines()
            except OSError:
                cache[path] = []
        return cache[path]

    rows = []
    for f in json.load(open(args.leakproof))["findings"]:
        path = f["path"].replace(root, "")
        v = classify(f["rule_id"], path, f["secret"], f["match"], line_at(lines, path, f["line"]))
        rows.append(["leakproof", f["rule_id"], path, f["line"], redact(f["secret"]), *v])
    seen = set()
    for f in json.load(open(args.gitleaks)):
        path = f["File"].replace(root, "")
        v = list(classify(f["RuleID"], path, f["Secret"], f["Match"], line_at(lines, path, f["StartLine"])))
        key = (f["RuleID"], path, f["StartLine"], f["StartColumn"], f["EndLine"], f["EndColumn"])
        if key in seen:
            v[2] += " (duplicate: the same block reported a second time, after gitleaks base64-decoded part of it)"
        seen.add(key)
        rows.append(["gitleaks", f["RuleID"], path, f["StartLine"], redact(f["Secret"]), *v])
    rows.sort(key=lambda r: (r[0], r[5], r[6], r[2], r[3]))
    with open(args.csv, "w", newline="") as out:
        w = csv.writer(out)
        w.writerow(["tool", "rule", "path", "line", "secret", "verdict", "kind", "reason"])
        w.writerows(rows)
    for tool in ("leakproof", "gitleaks"):
        mine = [r for r in rows if r[0] == tool]
        real = sum(r[5] == "real" for r in mine)
        dup = sum("duplicate:" in r[7] for r in mine)
        print(f"{tool:10} findings {len(mine):4}  real {real:4}  fp {len(mine) - real:4}  (duplicates {dup})")
        kinds = {}
        for r in mine:
            kinds[(r[5], r[6])] = kinds.get((r[5], r[6]), 0) + 1
        for (verdict, kind), n in sorted(kinds.items()):
            print(f"    {verdict:4} {kind:28} {n}")


if __name__ == "__main__":
    sys.exit(main())
