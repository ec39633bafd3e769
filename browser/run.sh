#!/usr/bin/env bash
# Browser tests: headless Debian Chromium (/usr/bin/chromium) driven by playwright-core, against
# the real binary (GRIDWATCH_BIN, default ../target/debug/gridwatch; build it with `cargo build`).
# Each test file starts its own server on a fresh temporary database.
cd "$(dirname "$0")" || exit 1
npm ci --no-audit --no-fund || exit $?
node --test tests/
exit $?
