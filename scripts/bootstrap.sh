#!/usr/bin/env bash
# Installs what this machine lacks to build and test Sluice: Debian's libgit2, SQLite and OpenSSL
# development packages, git, python3, and the Python packages the schema check uses.
# Does nothing when everything is already there.
set -euo pipefail

# libc6-dev and libstdc++-12-dev bring the static libraries that sluice-supervisor is linked with.
# openssh-client brings ssh-keygen, which checks commit signatures (--verify-signatures).
# chromium checks the dashboard as a browser shows it (scripts/dashboard-check.sh, run by the tests).
packages=(libgit2-dev libsqlite3-dev libssl-dev pkg-config git python3 curl libc6-dev libstdc++-12-dev openssh-client chromium)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "bootstrap: installing ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! python3 -c "import jsonschema, yaml" 2>/dev/null; then
    echo "bootstrap: installing the Python packages jsonschema and pyyaml"
    python3 -m pip install --quiet jsonschema pyyaml
fi

command -v swift >/dev/null || { echo "bootstrap: Swift 6 is not on PATH; install it from swift.org (this project uses 6.3)" >&2; exit 1; }
