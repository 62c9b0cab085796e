#!/usr/bin/env bash
# Checks the Sluice dashboard in a real browser, as a person would see it.
#
#   scripts/dashboard-check.sh URL OUT.png
#
# URL is the server's root (e.g. http://127.0.0.1:7480). Installs Debian's chromium if missing, loads the page
# headless, and fails (exit 1) unless the DOM after the page's script ran names every workflow that
# URL/api/v1/workflows lists and shows no error banner. Then saves a 1280×900 screenshot to OUT.png.
set -euo pipefail

if [[ $# -ne 2 ]]; then
    echo "usage: $0 URL OUT.png" >&2
    exit 2
fi
url=${1%/}
out=$2

if ! command -v chromium >/dev/null 2>&1; then
    sudo=""
    if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
    echo "dashboard-check: installing chromium" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
command -v curl >/dev/null 2>&1 || { echo "dashboard-check: curl is needed" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A profile of our own, so that an open chromium session or a stale lock never gets in the way.
browser=(chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --user-data-dir="$work/profile")

if ! curl -fsS "$url/api/v1/workflows" -o "$work/workflows.json"; then
    echo "dashboard-check: cannot read $url/api/v1/workflows" >&2
    exit 1
fi
mapfile -t names < <(python3 -c 'import json, sys; [print(w["name"]) for w in json.load(open(sys.argv[1]))]' "$work/workflows.json")

"${browser[@]}" --virtual-time-budget=5000 --dump-dom "$url/" >"$work/dom.html" 2>"$work/chromium.log" || {
    echo "dashboard-check: chromium failed; its log:" >&2
    cat "$work/chromium.log" >&2
    exit 1
}

status=0
if ! grep -q '<main id="workflows"' "$work/dom.html"; then
    echo "dashboard-check: $url/ is not the Sluice dashboard" >&2
    status=1
fi
# The attribute as the DOM serializes it (`=""`): the page's script, which also names it, does not match.
if grep -q 'data-sluice-error=""' "$work/dom.html"; then
    banner=$(python3 -c 'import html, re, sys
m = re.search(r"data-sluice-error=\"\"[^>]*>(.*?)</div>", open(sys.argv[1]).read(), re.S)
print(html.unescape(re.sub(r"<[^>]+>", " ", m.group(1))).strip() if m else "")' "$work/dom.html")
    echo "dashboard-check: the page shows an error banner: $banner" >&2
    status=1
fi
for name in "${names[@]}"; do
    if ! grep -qF ">$name</h2>" "$work/dom.html"; then
        echo "dashboard-check: workflow '$name' is not on the page" >&2
        status=1
    fi
done
if [[ ${#names[@]} -eq 0 ]] && ! grep -q 'class="empty"' "$work/dom.html"; then
    echo "dashboard-check: no workflows, and the page does not say so" >&2
    status=1
fi

"${browser[@]}" --virtual-time-budget=5000 --window-size=1280,900 --screenshot="$out" "$url/" >>"$work/chromium.log" 2>&1 || {
    echo "dashboard-check: the screenshot failed; chromium's log:" >&2
    cat "$work/chromium.log" >&2
    exit 1
}
[[ -s $out ]] || { echo "dashboard-check: no screenshot at $out" >&2; exit 1; }

if [[ $status -eq 0 ]]; then
    echo "dashboard-check: ok: ${#names[@]} workflow(s) rendered (${names[*]:-none}); screenshot $out"
fi
exit $status
