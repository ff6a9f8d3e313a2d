#!/usr/bin/env bash
# Configures and builds askio into build/ (binary: build/askio). Idempotent.
# Extra CMake options can be passed as arguments, e.g. -DASKIO_SANITIZE=ON.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-deps.sh
build_dir=${ASKIO_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=${ASKIO_BUILD_TYPE:-RelWithDebInfo} "$@" >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
