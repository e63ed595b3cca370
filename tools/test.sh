#!/usr/bin/env bash
# The whole test suite from a fresh machine: dependencies, build, CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build.sh
ctest --test-dir build --output-on-failure "$@"
