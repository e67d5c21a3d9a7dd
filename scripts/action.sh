#!/usr/bin/env bash
# The steps of the leakproof GitHub Action: action.yml runs each one, and
# the integration tests run them with a simulated runner environment.
#
#   action.sh prepare  outputs cache-dir and cache-key (the build cache)
#   action.sh install  outputs binary: the `binary` input, the cached build,
#                      or a fresh `cargo build --release --locked`
#   action.sh scan     scans what the event adds, writes the log report,
#                      the annotations, the SARIF file and the job summary;
#                      outputs findings and sarif-file; exits 0 when clean,
#                      1 on findings (unless fail-on-findings is false) and
#                      2 when the scan cannot be trusted
#
# Inputs come in as INPUT_* variables, never spliced into the script.
# Event payloads are read with jq, which GitHub-hosted runners have.
set -euo pipefail

ZERO=0000000000000000000000000000000000000000

output() { printf '%s=%s\n' "$1" "$2" >>"${GITHUB_OUTPUT:?}"; }

# An error annotation, then exit 2: the result cannot be trusted. The
# message is escaped as the Actions toolkit escapes command data, so it
# stays one command; values from inputs are quoted with `quote` first.
fail() {
    local msg=${1//'%'/%25}
    msg=${msg//$'\r'/%0D}
    msg=${msg//$'\n'/%0A}
    printf '::error title=leakproof::%s\n' "$msg"
    exit 2
}

# An input's value as bash quotes it: control characters (newlines, ESC)
# become visible escapes such as $'x\n', so a value cannot start a line of
# its own in the log.
quote() { printf '%q' "$1"; }

sha256() {
    if command -v sha256sum >/dev/null 2>&1; then sha256sum; else shasum -a 256; fi | cut -d' ' -f1
}

prepare() {
    local hash
    hash=$(
        cd "${GITHUB_ACTION_PATH:?}"
        find Cargo.toml Cargo.lock src rules -type f | LC_ALL=C sort | while IFS= read -r f; do
            printf '%s\n' "$f"
            cat "$f"
        done | sha256
    )
    output cache-dir "${RUNNER_TEMP:?}/leakproof-bin"
    output cache-key "leakproof-${RUNNER_OS:-}-${RUNNER_ARCH:-}-$hash"
}

install() {
    local exe=leakproof bin dir target
    [ "${RUNNER_OS:-}" = Windows ] && exe=leakproof.exe
    if [ -n "${INPUT_BINARY:-}" ]; then
        bin=$INPUT_BINARY
        { [ -f "$bin" ] && [ -x "$bin" ]; } || fail "binary: $(quote "$bin") is not an executable file"
    else
        dir=${LEAKPROOF_CACHE_DIR:?}
        bin=$dir/$exe
        if [ -x "$bin" ]; then
            echo "leakproof: using the cached build $bin"
        else
            target=${CARGO_TARGET_DIR:-${RUNNER_TEMP:?}/leakproof-target}
            echo "leakproof: building $GITHUB_ACTION_PATH with cargo"
            CARGO_TARGET_DIR=$target cargo build --release --locked \
                --manifest-path "${GITHUB_ACTION_PATH:?}/Cargo.toml" || fail "cargo build failed"
            mkdir -p "$dir"
            cp "$target/release/$exe" "$bin"
        fi
    fi
    case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
    "$bin" --version
    output binary "$bin"
}

# The event payload's value at a jq path, or nothing.
event() { jq -r "($1) // empty" "${GITHUB_EVENT_PATH:?}"; }

shallow() { [ "$(git -C "$repo" rev-parse --is-shallow-repository)" = true ]; }

# Whether every revision resolves to a commit.
have() {
    local rev
    for rev; do
        git -C "$repo" rev-parse --quiet --verify "$rev^{commit}" >/dev/null || return 1
    done
}

# Fetches refspecs with their whole history (a shallow clone, as
# actions/checkout makes by default, is unshallowed). A failure is left to
# the scan, which fails closed on a revision it cannot resolve.
fetch() {
    if shallow; then
        echo "leakproof: shallow clone: fetching the history the scan needs (fetch-depth: 0 saves this)"
        git -C "$repo" fetch --quiet --no-tags --unshallow origin "$@" || true
    else
        echo "leakproof: fetching $*"
        git -C "$repo" fetch --quiet --no-tags origin "$@" || true
    fi
}

# Sets `target` to what the event adds: the pull request's commits, the
# pushed commits, or (any other event) the whole history.
resolve() {
    local base head default
    case ${GITHUB_EVENT_NAME:?} in
    pull_request | pull_request_target)
        base=$(event .pull_request.base.sha)
        head=$(event .pull_request.head.sha)
        ;;
    merge_group)
        base=$(event .merge_group.base_sha)
        head=$(event .merge_group.head_sha)
        ;;
    push)
        base=$(event .before)
        head=$(event .after)
        if [ "$head" = "$ZERO" ]; then
            echo "leakproof: the push deleted a branch: nothing to scan"
            output findings 0
            exit 0
        fi
        if [ "$base" = "$ZERO" ]; then
            # A new branch: what it adds to the default branch, or its
            # whole history when it is the default branch.
            default=$(event .repository.default_branch)
            if [ -z "$default" ] || [ "${GITHUB_REF:-}" = "refs/heads/$default" ]; then
                { have "$head" && ! shallow; } || fetch "$head"
                target=(--branch "$head")
                return
            fi
            { have "origin/$default" "$head" && ! shallow; } ||
                fetch "+refs/heads/$default:refs/remotes/origin/$default" "$head"
            target=(--range "origin/$default..$head")
            return
        fi
        ;;
    *)
        ! shallow || fetch
        target=()
        return
        ;;
    esac
    { [ -n "$base" ] && [ -n "$head" ]; } ||
        fail "the $GITHUB_EVENT_NAME event payload has no base and head commits"
    { have "$base" "$head" && ! shallow; } || fetch "$base" "$head"
    target=(--range "$base..$head")
}

scan() {
    local bin=${LEAKPROOF:?} format=${INPUT_FORMAT:-text} gate=${INPUT_FAIL_ON_FINDINGS:-true}
    local repo=${INPUT_PATH:-.} tmp sarif annotations count status
    local -a target=() flags=() extra=()
    case $format in text | json | sarif | github) ;; *) fail "format: expected text, json, sarif or github, not $(quote "$format")" ;; esac
    case $gate in true | false) ;; *) fail "fail-on-findings: expected true or false, not $(quote "$gate")" ;; esac
    command -v jq >/dev/null 2>&1 || fail "jq is needed to read the event payload"
    resolve
    [ -z "${INPUT_CONFIG:-}" ] || flags+=(--config "$INPUT_CONFIG")
    [ -z "${INPUT_BASELINE:-}" ] || flags+=(--baseline "$INPUT_BASELINE")
    # Split on any whitespace, newlines included (a YAML block scalar).
    read -r -d '' -a extra <<<"${INPUT_EXTRA_ARGS:-}" || true
    tmp=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/leakproof.XXXXXX")
    sarif=${RUNNER_TEMP:-$tmp}/leakproof.sarif

    run() {
        "$bin" git "$repo" ${target[@]+"${target[@]}"} ${flags[@]+"${flags[@]}"} \
            ${extra[@]+"${extra[@]}"} "$@"
    }
    # The same scan again, in another format, into FILE; its summary line
    # is not repeated in the log.
    again() {
        local file=$1 s=0
        shift
        run "$@" >"$file" 2>"$tmp/stderr" || s=$?
        [ "$s" -le 1 ] || { cat "$tmp/stderr" >&2; fail "the scan for $* failed (exit $s)"; }
    }

    status=0
    run --format "$format" >"$tmp/report" || status=$?
    cat "$tmp/report"
    if [ "$status" -gt 1 ]; then
        fail "the scan could not be trusted (exit $status): see the error above; a pull request or push range needs the history (actions/checkout with fetch-depth: 0)"
    fi
    annotations=$tmp/report
    if [ "$format" != github ]; then
        annotations=$tmp/annotations
        again "$annotations" --format github
        cat "$annotations"
    fi
    count=$(grep -c -E '^::(error|warning) ' "$annotations" || true)
    again /dev/null --format sarif --output "$sarif"
    if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
        again "$tmp/summary" --format markdown
        cat "$tmp/summary" >>"$GITHUB_STEP_SUMMARY"
    fi
    output findings "$count"
    output sarif-file "$sarif"
    if [ "$count" -gt 0 ] && [ "$gate" = true ]; then
        exit 1
    fi
}

case ${1:-} in
prepare | install | scan) "$1" ;;
*)
    echo "usage: action.sh prepare|install|scan" >&2
    exit 2
    ;;
esac
