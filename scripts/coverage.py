#!/usr/bin/env python3
"""Write docs/coverage.md: every rule of gitleaks, betterleaks, kingfisher and
Nosey Parker, the leakproof rule that covers it, or why none (issue #16).

    scripts/coverage.py --leakproof target/release/leakproof \
        --gitleaks /work/.mirror/gitleaks+gitleaks/repo \
        --betterleaks /work/.mirror/betterleaks+betterleaks/repo \
        --kingfisher /work/.mirror/mongodb+kingfisher/repo \
        --noseyparker /work/.mirror/praetorian-inc+noseyparker/repo \
        --out docs/coverage.md

Each peer source is a git directory (bare or not) of that project; the rule
files are read from its HEAD with `git show`, so no checkout is needed and
the version (tag and commit) is recorded in the output. Nothing of the peers
is copied into the output except their rule ids and names.

How a peer rule is matched, in this order:

1. not a secret: the rule reports an identifier or a public value (client or
   account ids, user names, host names and URLs without credentials, public
   or publishable keys, bucket names, ARNs, password hashes): leakproof
   reports credentials only.
2. measured: where the peer ships example inputs with its rule (kingfisher
   and Nosey Parker do), every example is scanned by leakproof; the rules
   that report something on them cover the peer rule.
3. by provider: a leakproof rule for the same provider and the same kind of
   credential (the provider named by the peer id, aliases below, and the
   credential words of both ids).
4. otherwise the row says why none: the peer rule recognises a bare value
   only by a provider's name nearby (no format of its own), or leakproof
   has no rule for that provider yet.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import tomllib
from collections import Counter

import yaml  # PyYAML: kingfisher and Nosey Parker rules are YAML

# Peer provider spellings -> the prefix leakproof ids use.
ALIASES = {
    "1password": "onepassword",
    "new-relic": "newrelic",
    "new_relic": "newrelic",
    "digitalocean": "digitalocean",
    "azurestorage": "azure-storage",
    "azuresearch": "azure-search",
    "azureopenai": "azure-openai",
    "gcp": "gcp",
    "google": "gcp",
    "github": "github",
    "gitlab": "gitlab",
    "hashicorp": "vault",
    "terraform": "terraform",
    "hashicorp-tf": "terraform",
    "huggingface": "huggingface",
    "frame.io": "frameio",
    "box.com": "box",
    "weights-and-biases": "wandb",
    "msteams": "microsoft-teams",
    "microsoftteamswebhook": "microsoft-teams",
    "microsoft-teams": "microsoft-teams",
    "sendinblue": "brevo",
    "cratesio": "crates-io",
    "crates-io": "crates-io",
    "dockerhub": "dockerhub",
    "langchain": "langsmith",
    "clojars": "clojars",
    "pem": "private-key",
    "privkey": "private-key",
    "private-key": "private-key",
    "pkcs12": "private-key-pkcs12",
    "age": "age",
    "jwt": "jwt",
    "postgres": "postgres",
    "mysql": "mysql",
    "mongodb": "mongodb",
    "rabbitmq": "amqp",
    "odbc": "mssql",
    "uri": "basic-auth-url",
    "ftp": "basic-auth-url",
    "curl": "generic-basic-auth-header",
    "http": "generic",
    "generic": "generic",
    "plaintext": "generic",
    "credentials": "generic",
    "kubernetes": "kubernetes",
    "docker": "docker",
    "aws": "aws",
    "s3": "aws",
    "alibabacloud": "alibaba",
    "wandb": "wandb",
    "travisci": "travis",
    "droneci": "drone",
    "circleci": "circleci",
    "codecov": "codecov",
    "sonar": "sonarqube",
    "sonarcloud": "sonarqube",
    "netlify": "netlify",
    "planetscale": "planetscale",
    "particleio": "particle",
    "tineswebhook": "tines",
    "zapierwebhook": "zapier",
    "mailjetsms": "mailjet",
    "notify.line": "line",
    "openweather": "openweather",
    "facebook": "facebook",
    "meta": "meta",
    "salesforce": "salesforce",
    "azure": "azure",
    "mapbox": "mapbox",
    "flyio": "flyio",
    "fly": "flyio",
    "harness": "harness",
    "cisco": "cisco",
    "datastax": "datastax",
    "cockroachlabs": "cockroachdb",
    "couchbase": "couchbase",
    "clickhouse": "clickhouse",
    "mongodb-atlas": "mongodb-atlas",
    "elastic": "elastic",
    "aws-amazon": "aws-bedrock",
    "vagrantcloud": "terraform",
    "teamcity": "teamcity",
    "jenkins": "jenkins",
    "wireguard": "wireguard",
    "truenas": "truenas",
    "thingsboard": "thingsboard",
    "dtrack": "dependency-track",
    "codeclimate": "codeclimate",
    "stackhawk": "stackhawk",
    "nvapi": "nvidia",
    "django": "django",
}

# What a peer rule reports when it is not a credential.
NOT_SECRET = re.compile(
    r"client[-_. ]?id\b|\bclient-id|cloud[-_. ]?name|account[-_. ]?(?:id|name|identifier|host)\b|"
    r"tenant[-_. ]?id|storage[-_. ]?account[-_. ]?name|\bdomain\b|\bhost\b|host\.|instance[-_. ]?url|"
    r"project[-_. ]?url|jfrog[-_. ]?url|-url\b|\burl\b(?!.*(?:password|secret|webhook|credential|token|sensitive))|"
    r"user[-_. ]?name|username|org(?:anization)?[-_. ]?name|\bpublic\b|public[-_. ]?(?:key|api|access)|"
    r"publish(?:able)?[-_. ]?key|\bpub[-_. ]?key|subscription key|recipient|\bbucket\b|\barn\b|resource name|"
    r"\bapp[-_. ]?id\b|user[-_. ]?api[-_. ]?id|planetscale-id|\bsdk[-_. ]?key|polymarket-address|"
    r"password hash|\bpwhash|krb5|react app username|\bsite[-_. ]?key",
    re.I,
)
HASH = re.compile(r"password hash|pwhash|krb5", re.I)

# Credential words used to pick among several rules of one provider.
WORDS = re.compile(r"[a-z0-9]+")


def git(repo, *args):
    out = subprocess.run(["git", "--git-dir", git_dir(repo), *args], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"git {' '.join(args)} in {repo}: {out.stderr.strip()}")
    return out.stdout


def git_dir(repo):
    dot = os.path.join(repo, ".git")
    return dot if os.path.isdir(dot) else repo


def version(repo):
    commit = git(repo, "rev-parse", "HEAD").strip()
    tag = subprocess.run(["git", "--git-dir", git_dir(repo), "describe", "--tags", "--always"],
                         capture_output=True, text=True).stdout.strip()
    date = git(repo, "log", "-1", "--format=%cs").strip()
    return f"{tag} ({commit[:12]}, {date})"


def toml_rules(repo, path):
    data = tomllib.loads(git(repo, "show", f"HEAD:{path}"))
    return [dict(id=r["id"], name=r.get("description", ""), examples=[]) for r in data.get("rules", [])]


def yaml_rules(repo, folder):
    rules = []
    for path in git(repo, "ls-tree", "-r", "--name-only", "HEAD", folder).split():
        if not path.endswith((".yml", ".yaml")):
            continue
        data = yaml.safe_load(git(repo, "show", f"HEAD:{path}")) or {}
        for r in data.get("rules") or []:
            ex = [e for e in (r.get("examples") or []) if isinstance(e, str)]
            rules.append(dict(id=r["id"], name=r.get("name", ""), examples=ex))
    return rules


def leakproof_ids(binary):
    out = subprocess.run([binary, "rules", "list"], capture_output=True, text=True, check=True).stdout
    return [line.split("\t")[0] for line in out.splitlines() if line.strip()]


def measure(binary, peers):
    """Scans every peer example once; returns {(peer, rule id): Counter of leakproof rule ids}."""
    found = {}
    with tempfile.TemporaryDirectory(prefix="coverage-") as tmp:
        index = {}
        n = 0
        for peer, rules in peers.items():
            for r in rules:
                for ex in r["examples"]:
                    n += 1
                    path = os.path.join(tmp, f"e{n}.txt")
                    with open(path, "w") as f:
                        f.write(ex + "\n")
                    index[path] = (peer, r["id"])
                    found.setdefault((peer, r["id"]), Counter())
        if not index:
            return found
        report = os.path.join(tmp, "report.json")
        subprocess.run([binary, "scan", tmp, "--format", "json", "--output", report, "-q",
                        "--no-ignore", "--exit-code", "0"], check=True)
        with open(report) as f:
            findings = json.load(f)["findings"]
        for fd in findings:
            key = index.get(os.path.join(tmp, os.path.basename(fd["path"])))
            if key:
                found[key][fd["rule_id"]] += 1
    return found


def provider(peer_id):
    """The provider part of a peer rule id: 'kingfisher.new-relic.2' -> 'new-relic'."""
    pid = re.sub(r"^(?:kingfisher|np)\.", "", peer_id)
    pid = re.sub(r"\.\d+$", "", pid)
    return pid


def candidates(peer_id, ours):
    pid = provider(peer_id).lower()
    heads = [pid.split(".")[0], pid.split("-")[0], "-".join(pid.split("-")[:2]), pid]
    names = []
    for h in heads:
        names.append(ALIASES.get(h, h))
    out = []
    for name in dict.fromkeys(names):
        if len(name) < 3:
            continue
        out += [o for o in ours if o == name or o.startswith(name + "-")]
    return list(dict.fromkeys(out))


def best(peer, cands):
    if not cands:
        return None
    words = set(WORDS.findall((peer["id"] + " " + peer["name"]).lower()))

    def score(o):
        ow = set(WORDS.findall(o))
        return (len(words & ow), -len(ow))

    return max(cands, key=score)


def classify(peer_name, peer, measured, ours):
    text = f"{peer['id']} {peer['name']}"
    if HASH.search(text):
        return "", "not a secret: a password hash, not a usable credential"
    if NOT_SECRET.search(text) and not re.search(r"secret|password|token|private|credential", peer["name"], re.I):
        return "", "not a secret: an identifier or a public value"
    hits = measured.get((peer_name, peer["id"]))
    if hits:
        rules = [r for r, _ in hits.most_common()]
        return ", ".join(f"`{r}`" for r in rules[:3]), "measured on the peer's examples"
    cand = best(peer, candidates(peer["id"], ours))
    if cand and other_credential(text, cand):
        return "", f"none: leakproof has `{cand}` for this provider, not this credential"
    if cand and peer["examples"]:
        return f"`{cand}`", "same provider and credential; nothing reported on the peer's examples"
    if cand:
        return f"`{cand}`", "same provider and credential"
    if peer["examples"]:
        return "", "none: no rule for this provider, nothing reported on the peer's examples"
    return "", "none: no leakproof rule for this provider"


def other_credential(peer_text, ours_id):
    """True when the peer rule is a client/app secret and ours is another kind."""
    wants_secret = re.search(r"(?:client|app|consumer|oauth)[-_. ]?secret", peer_text, re.I)
    return bool(wants_secret) and not re.search(r"secret|password", ours_id)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--leakproof", default="target/release/leakproof")
    ap.add_argument("--gitleaks", required=True)
    ap.add_argument("--betterleaks", required=True)
    ap.add_argument("--kingfisher", required=True)
    ap.add_argument("--noseyparker", required=True)
    ap.add_argument("--out", default="docs/coverage.md")
    args = ap.parse_args()

    peers = {
        "gitleaks": toml_rules(args.gitleaks, "config/gitleaks.toml"),
        "betterleaks": toml_rules(args.betterleaks, "config/betterleaks.toml"),
        "kingfisher": yaml_rules(args.kingfisher, "data/rules"),
        "Nosey Parker": yaml_rules(args.noseyparker, "crates/noseyparker/data/default/builtin/rules"),
    }
    versions = {
        "gitleaks": version(args.gitleaks),
        "betterleaks": version(args.betterleaks),
        "kingfisher": version(args.kingfisher),
        "Nosey Parker": version(args.noseyparker),
    }
    ours = leakproof_ids(args.leakproof)
    measured = measure(args.leakproof, peers)

    lines = []
    summary = []
    for peer_name, rules in peers.items():
        seen = set()
        rows = []
        counts = Counter()
        for r in rules:
            if r["id"] in seen:  # a peer id defined twice (variants of one rule)
                continue
            seen.add(r["id"])
            covered, why = classify(peer_name, r, measured, ours)
            kind = ("covered" if covered else "not a secret" if why.startswith("not a secret") else "not covered")
            counts[kind] += 1
            name = r["name"].replace("|", "\\|").replace("\n", " ")
            rows.append(f"| `{r['id']}` | {name} | {covered or '—'} | {why} |")
        summary.append(f"| {peer_name} | {versions[peer_name]} | {sum(counts.values())} | {counts['covered']} | "
                       f"{counts['not a secret']} | {counts['not covered']} |")
        lines.append(f"\n## {peer_name}\n")
        lines.append("| peer rule | what it finds | leakproof rule | basis or reason |")
        lines.append("|---|---|---|---|")
        lines += rows

    head = f"""# Coverage of the peers' rules

Generated by `scripts/coverage.py` (do not edit by hand) from the rule files
of each peer at the version below (gitleaks `config/gitleaks.toml`,
betterleaks `config/betterleaks.toml`, kingfisher `data/rules/*.yml`, Nosey
Parker `crates/noseyparker/data/default/builtin/rules/*.yml`), read with
`git show` from snapshots of their public repositories, and the
{len(ours)} rules of `leakproof rules list`:

```sh
scripts/coverage.py --leakproof target/release/leakproof \\
    --gitleaks <gitleaks git dir> --betterleaks <betterleaks git dir> \\
    --kingfisher <kingfisher git dir> --noseyparker <noseyparker git dir>
```

For each peer rule: the leakproof rule that covers it, and on what basis; or
why none.

- **measured on the peer's examples**: kingfisher and Nosey Parker ship
  example inputs with their rules; each was scanned with leakproof and the
  rules that reported it are listed (most frequent first).
- **same provider and credential**: gitleaks and betterleaks keep their
  examples in Go test code, not in the rule file; the row names the
  leakproof rule for the same provider and credential type. Where a peer's
  examples exist but leakproof reports nothing on them, the row says so:
  some such examples are placeholder values (`1234567890abcdef...`) that
  leakproof's global allowlist drops on purpose, others use a syntax the
  leakproof rule does not read.
- **not a secret**: the peer rule reports an identifier or a public value
  (client ids, account names, hosts, public keys, bucket names) or a
  password hash; leakproof reports credentials only.
- **none**: no leakproof rule for that provider yet, or the peer's examples
  yield nothing. Generic assignment rules may still find such a value when
  the name it is assigned to says it is a key, token or secret.

| peer | version | rules | covered | not a secret | not covered |
|---|---|---:|---:|---:|---:|
""" + "\n".join(summary) + "\n"
    with open(args.out, "w") as f:
        f.write(head + "\n".join(lines) + "\n")
    print("\n".join(summary))


if __name__ == "__main__":
    main()
