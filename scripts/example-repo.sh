#!/usr/bin/env bash
# Copies Examples/customer-service into a new git repository in a temporary folder and prints its path.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
target="$(mktemp -d "${TMPDIR:-/tmp}/sluice-example.XXXXXX")"
cp -R "$root/Examples/customer-service/." "$target/"
git -C "$target" init -q -b main
git -C "$target" add -A
git -C "$target" -c user.name=Sluice -c user.email=sluice@localhost commit -q -m "Customer-service example"
echo "$target"
