#!/usr/bin/env bash
# The test command: installs what is missing, builds, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
swift build --build-tests
# The delivery tests order their own events on Swift's cooperative thread pool, which the CLI tests hold while they wait
# for the processes they run: on 2 cores, in one run, those starve them. So they run first, on their own.
swift test --skip-build --filter SluiceFeedbackTests
swift test --skip-build --skip SluiceFeedbackTests
