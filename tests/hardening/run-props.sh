#!/usr/bin/env bash
# Limits and visibility property suites (the `hardening` step of make test).
# Usage: tests/hardening/run-props.sh BUILD
# Builds tests/hardening/test_*.c (Criterion) against the ASan+UBSan library
# BUILD/asan/libmatch.a into BUILD/hard/tests/ and runs them through
# scripts/run-criterion.sh (label "hard": counts go to $LM_TEST_LOGS/totals).
set -euo pipefail
if [ $# -ne 1 ]; then echo "usage: $0 BUILD" >&2; exit 2; fi
BUILD=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
case $BUILD in /*) ;; *) [ "$PWD" = "$root" ] || BUILD=$PWD/$BUILD ;; esac
cd "$root"
mkdir -p "$BUILD/hard/tests"
if ! make --no-print-directory BUILD="$BUILD" hard-props-build >"$BUILD/hard/tests/build.log" 2>&1; then
    tail -n 30 "$BUILD/hard/tests/build.log"
    echo "hardening: build FAILED (log: $BUILD/hard/tests/build.log)" >&2
    [ -n "${LM_TEST_LOGS:-}" ] && echo "hard 0 1" >>"$LM_TEST_LOGS/totals"
    exit 1
fi
shopt -s nullglob
bins=("$BUILD"/hard/tests/test_*)
shopt -u nullglob
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
    LM_TEST_TIMEOUT=${LM_TEST_TIMEOUT:-900} scripts/run-criterion.sh hard "${bins[@]}"
