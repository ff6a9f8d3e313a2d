#!/usr/bin/env bash
# End-to-end tests of `askio serve`: the OpenAI-compatible API through the
# official SDK and the web UI in Chromium (tests/e2e, Node's test runner).
# Installs what is missing (npm packages from the lockfile; Debian's chromium),
# then runs the suites against ${ASKIO_BINARY:-${ASKIO_BUILD_DIR:-build}/askio}.
set -euo pipefail
cd "$(dirname "$0")/.."

export ASKIO_BINARY="${ASKIO_BINARY:-${ASKIO_BUILD_DIR:-build}/askio}"
export ASKIO_E2E_ARTIFACTS="${ASKIO_E2E_ARTIFACTS:-${ASKIO_BUILD_DIR:-build}/e2e-artifacts}"
if [[ ! -x $ASKIO_BINARY ]]; then
  echo "e2e: $ASKIO_BINARY not found: build askio first (bash scripts/build.sh)" >&2
  exit 1
fi

sudo_if_needed() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  sudo_if_needed apt-get update
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y nodejs npm
fi
if [[ ! -x /usr/bin/chromium ]]; then
  sudo_if_needed apt-get update
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
fi

# npm ci when node_modules is missing or older than the lockfile (npm writes
# node_modules/.package-lock.json on every install).
if [[ ! -f tests/e2e/node_modules/.package-lock.json || tests/e2e/package-lock.json -nt tests/e2e/node_modules/.package-lock.json ]]; then
  (cd tests/e2e && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

mkdir -p "$ASKIO_E2E_ARTIFACTS"
echo "e2e: $ASKIO_BINARY; screenshots and server logs in $ASKIO_E2E_ARTIFACTS"
# One suite at a time: both start servers and the UI suite runs a browser.
node --test --test-concurrency=1 tests/e2e/
