#!/usr/bin/env bash
# Checks the Sluice dashboard in a real browser (headless Chromium), as a person would see it.
#
#   scripts/dashboard-check.sh URL OUT_DIR [TOKEN_FILE]
#   EXPECT_LOG=TEXT scripts/dashboard-check.sh --follow URL WORKFLOW TASK [TOKEN_FILE]
#
# URL is the server's root (e.g. http://127.0.0.1:7480, or a path prefix it is served under). TOKEN_FILE holds the
# API bearer token of a controller run with --api-token-file; the page gets it in its URL fragment (#token=…).
#
# The first form reads URL/api/v1/workflows, URL/api/v1/plans and each workflow's runs with curl, loads the page
# headless (--virtual-time-budget, then --dump-dom), parses the DOM with Python's html.parser and fails (exit 1, one
# line per problem on stderr) unless every workflow is on the page with its graph (one node per task, with its
# phase), its last run's gantt, its run history, its next scheduled run and its metrics; every branch plan is there;
# rerun buttons are there exactly when a token is given; and no error banner shows. API answers are read before and
# after the page loads, and a workflow passes if the page matches either (a running workflow changes meanwhile).
# It then saves OUT_DIR/dashboard.png (1280×900) and OUT_DIR/dashboard-full.png (1280×2400).
#
# The second form opens the page with #logs=WORKFLOW/TASK, which opens that task's live log, and succeeds once the
# log panel (pre.log) shows the text of EXPECT_LOG, within FOLLOW_TIMEOUT seconds (default 30). It drives Chromium
# over the DevTools protocol (--remote-debugging-pipe) and polls the DOM in real time: a virtual time budget does
# not wait for a server-sent-events stream, so --dump-dom would see only its first chunk.
#
# The checks are in Python beside this script: dashboard_check.py (the DOM) and dashboard_follow.py (--follow). This
# script reads its arguments, installs Debian's chromium when it is missing, reads the API with curl, runs Chromium
# and them. Exit status: 0 ok, 1 a problem, 2 usage.
set -euo pipefail

usage() {
    echo "usage: $0 URL OUT_DIR [TOKEN_FILE]" >&2
    echo "       EXPECT_LOG=TEXT $0 --follow URL WORKFLOW TASK [TOKEN_FILE]" >&2
    exit 2
}

mode=check
if [[ ${1:-} == --follow ]]; then
    mode=follow
    shift
    [[ $# -eq 3 || $# -eq 4 ]] || usage
    url=${1%/}
    follow_workflow=$2
    follow_task=$3
    token_file=${4:-}
    if [[ -z ${EXPECT_LOG:-} ]]; then
        echo "dashboard-check: --follow needs EXPECT_LOG, the text the task's log must show" >&2
        exit 2
    fi
else
    [[ $# -eq 2 || $# -eq 3 ]] || usage
    url=${1%/}
    out_dir=$2
    token_file=${3:-}
fi

if ! command -v chromium >/dev/null 2>&1; then
    sudo=""
    if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
    echo "dashboard-check: installing chromium" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
command -v curl >/dev/null 2>&1 || { echo "dashboard-check: curl is needed" >&2; exit 1; }
command -v python3 >/dev/null 2>&1 || { echo "dashboard-check: python3 is needed" >&2; exit 1; }

here=$(cd "$(dirname "$0")" && pwd)
# The DOM checks (dashboard_check.py) and the --follow mode (dashboard_follow.py), in Python; -B: no __pycache__ here.
checker=(python3 -B "$here/dashboard_check.py")
follower=(python3 -B "$here/dashboard_follow.py")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A profile of our own, so that an open chromium session or a stale lock never gets in the way.
browser=(chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --user-data-dir="$work/profile")

auth=()
fragment=""
token_given=0
if [[ -n $token_file ]]; then
    [[ -r $token_file ]] || { echo "dashboard-check: cannot read the token file $token_file" >&2; exit 2; }
    token=$("${checker[@]}" token "$token_file")
    [[ -n $token ]] || { echo "dashboard-check: the token file $token_file is empty" >&2; exit 2; }
    # The header goes to curl in a file, so that the token is not in the process list (chromium's URL still has it).
    (umask 077 && printf 'Authorization: Bearer %s\n' "$token" >"$work/auth")
    auth=(-H "@$work/auth")
    fragment="token=$("${checker[@]}" quote "$token")"
    token_given=1
fi

if [[ $mode == follow ]]; then
    logs="logs=$("${checker[@]}" quote "$follow_workflow")/$("${checker[@]}" quote "$follow_task")"
    page="$url/#${fragment:+$fragment&}$logs"
    status=0
    "${follower[@]}" "$page" "$follow_workflow" "$follow_task" "${FOLLOW_TIMEOUT:-30}" "$work/chromium.log" "${browser[@]}" || status=1
    exit $status
fi

mkdir -p "$out_dir"
page="$url/${fragment:+#$fragment}"

# GET an API path into a file; on failure, say why on stderr.
api() {
    if ! curl -fsS --max-time 20 ${auth[@]+"${auth[@]}"} "$url$1" -o "$2" 2>"$work/curl.err"; then
        echo "dashboard-check: cannot read $url$1: $(tr '\n' ' ' <"$work/curl.err")" >&2
        return 1
    fi
}
# What the API says, into a directory: the workflows, the plans and each workflow's runs.
snapshot() {
    local dir=$1 index encoded
    mkdir -p "$dir/runs"
    api /api/v1/workflows "$dir/workflows.json" || return 1
    api /api/v1/plans "$dir/plans.json" || rm -f "$dir/plans.json"
    "${checker[@]}" names "$dir/workflows.json" >"$dir/names" || return 1
    while IFS=$'\t' read -r index encoded; do
        api "/api/v1/workflows/$encoded/runs?limit=10" "$dir/runs/$index.json" || rm -f "$dir/runs/$index.json"
    done <"$dir/names"
}

snapshot "$work/before" || exit 1

timeout 120 "${browser[@]}" --virtual-time-budget=8000 --dump-dom "$page" >"$work/dom.html" 2>"$work/chromium.log" || {
    echo "dashboard-check: chromium failed; its log:" >&2
    cat "$work/chromium.log" >&2
    exit 1
}
snapshot "$work/after" 2>/dev/null || rm -rf "$work/after"

status=0
if ! "${checker[@]}" check "$work/dom.html" "$work/before" "$work/after" "$token_given"; then
    status=1
    cp "$work/dom.html" "$out_dir/dashboard-dom.html"
    echo "dashboard-check: the DOM the checks read is in $out_dir/dashboard-dom.html" >&2
fi

for shot in "dashboard.png 1280,900" "dashboard-full.png 1280,2400"; do
    file=${shot% *}
    size=${shot#* }
    rm -f "$out_dir/$file"
    timeout 120 "${browser[@]}" --virtual-time-budget=8000 --window-size="$size" --screenshot="$out_dir/$file" "$page" >>"$work/chromium.log" 2>&1 || {
        echo "dashboard-check: the screenshot $out_dir/$file failed; chromium's log:" >&2
        cat "$work/chromium.log" >&2
        exit 1
    }
    [[ -s $out_dir/$file ]] || { echo "dashboard-check: no screenshot at $out_dir/$file" >&2; exit 1; }
done
echo "dashboard-check: screenshots $out_dir/dashboard.png and $out_dir/dashboard-full.png"
exit $status
