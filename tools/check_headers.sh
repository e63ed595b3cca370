#!/usr/bin/env bash
# Compiles every header of include/acne on its own (-fsyntax-only), with the flags a build
# directory's programs use, so that each header includes what it uses; prints the slowest and
# every header that does not compile alone, and exits 1 if there is one.
#   tools/check_headers.sh [BUILD_DIR]        (default: build; run tools/build.sh first)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
flags_file=$build/apps/CMakeFiles/acne-stylegan2.dir/flags.make
[[ -f $flags_file ]] || { echo "check_headers: no $flags_file (build the project first)" >&2; exit 2; }
flags=$(sed -n 's/^CXX_\(DEFINES\|INCLUDES\|FLAGS\) = //p' "$flags_file" | tr '\n' ' ' | sed 's/-O[0-9s]//g')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export flags work
check_one() {
  local header=${1#include/} source
  source=$work/$(echo "$header" | tr / _).cpp
  echo "#include \"$header\"" >"$source"
  local start=$SECONDS status=ok
  # shellcheck disable=SC2086
  g++ $flags -fsyntax-only "$source" 2>"$source.err" || status=FAIL
  echo "$status $((SECONDS - start)) $header"
  [[ $status == ok ]] || head -n 5 "$source.err" | sed 's/^/    /'
}
export -f check_one
git ls-files 'include/*.hpp' | xargs -P "$(nproc)" -n 1 bash -c 'check_one "$0"' >"$work/results"
echo "slowest headers on their own (seconds):"
grep '^ok' "$work/results" | sort -k2 -n -r | head -n 8 | awk '{print "  " $2 " " $3}'
if grep -q '^FAIL' "$work/results"; then
  echo "headers that do not compile on their own:"
  grep -A5 '^FAIL' "$work/results" | grep -v '^--$'
  exit 1
fi
echo "all $(wc -l <"$work/results") headers compile on their own"
