#!/usr/bin/env bash
# Installs missing dependencies, configures build/ (Release) and builds the given targets (all by default).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release ${ACNE_CMAKE_ARGS:-} >/dev/null
if (($#)); then
  for t in "$@"; do cmake --build build --target "$t" -j"$(nproc)"; done
else
  cmake --build build -j"$(nproc)"
fi
