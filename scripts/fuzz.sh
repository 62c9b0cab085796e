#!/usr/bin/env bash
# Fuzzes the manifest parser, validation, desired state, planner and scheduler with libFuzzer for SECONDS (default 60).
#   scripts/fuzz.sh [SECONDS]
# Seeds come from Fuzz/corpus (kept small, in git); what the fuzzer learns goes to .build-fuzz/corpus, and a crash to
# .build-fuzz/crash-* (reproduce with: swift run sluice-fuzz .build-fuzz/crash-…). Exits non-zero on a finding.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
build=.build-fuzz
# Every module is instrumented for coverage, and AddressSanitizer covers the C parts too (libyaml); the target's own
# entry point hands control to libFuzzer's driver (Sources/sluice-fuzz/Entrypoint.swift).
swift build -c release --product sluice-fuzz --build-path "$build" \
    -Xswiftc -DSLUICE_LIBFUZZER -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address
mkdir -p "$build/corpus"
exec "$build/release/sluice-fuzz" "$build/corpus" Fuzz/corpus \
    -max_total_time="$seconds" -timeout=20 -rss_limit_mb=6144 -max_len=8192 \
    -dict=Fuzz/manifest.dict -artifact_prefix="$build/" -print_final_stats=1
