#!/usr/bin/env bash
# README command 2: installs what is missing, builds, and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
ctest --test-dir "${ASKIO_BUILD_DIR:-build}" --output-on-failure -j "$(nproc)"
# The server end to end from outside: the official OpenAI SDK and the web UI
# in headless Chromium (tests/e2e; installs its npm packages and chromium).
bash scripts/e2e.sh
# A short fuzz run of every loader (seeds replayed under ASan+UBSan, then a
# few seconds of AFL++ each); ASKIO_FUZZ_SECONDS=0 skips it.
if [[ ${ASKIO_FUZZ_SECONDS:-5} != 0 ]]; then
  bash scripts/fuzz.sh "${ASKIO_FUZZ_SECONDS:-5}"
fi
