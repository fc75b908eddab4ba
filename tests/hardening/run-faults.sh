#!/usr/bin/env bash
# Allocation-failure walk (the `faults` step of make test).
# Usage: tests/hardening/run-faults.sh BUILD
# Builds BUILD/hard/faults/ (library with -DLM_FAULT_INJECTION, ASan/UBSan/LSan)
# and runs tests/hardening/faults.c, which fails every allocation of every
# public operation in turn (see its header). Log: BUILD/hard/faults/faults.log;
# FAULTS_VERBOSE=1 lists the call sites per operation.
set -euo pipefail
if [ $# -ne 1 ]; then echo "usage: $0 BUILD" >&2; exit 2; fi
BUILD=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
case $BUILD in /*) ;; *) [ "$PWD" = "$root" ] || BUILD=$PWD/$BUILD ;; esac
cd "$root"
dir=$BUILD/hard/faults
mkdir -p "$dir"
if ! make --no-print-directory BUILD="$BUILD" hard-faults-build >"$dir/build.log" 2>&1; then
    tail -n 30 "$dir/build.log"
    echo "faults: build FAILED (log: $dir/build.log)" >&2
    [ -n "${LM_TEST_LOGS:-}" ] && echo "faults 0 1" >>"$LM_TEST_LOGS/totals"
    exit 1
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
rc=0
timeout --kill-after=10 900 "$dir/faults" 2>&1 | tee "$dir/faults.log" || rc=$?
if [ "$rc" -ne 0 ]; then
    echo "faults: FAILED (exit status $rc; log: $dir/faults.log)" >&2
    # a crash before the report line still counts as a failure
    grep -q '^faults: .* operations, ' "$dir/faults.log" || { [ -n "${LM_TEST_LOGS:-}" ] && echo "faults 0 1" >>"$LM_TEST_LOGS/totals"; }
    exit 1
fi
