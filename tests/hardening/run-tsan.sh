#!/usr/bin/env bash
# ThreadSanitizer run of the concurrency tests (the `tsan` step of make test).
# Usage: tests/hardening/run-tsan.sh BUILD
# Builds BUILD/hard/tsan/ (library and tests/hardening/tsan_*.c with clang
# -fsanitize=thread), runs each program; a TSan report (exit status 66), a
# failed check or a crash fails the step. Appends "tsan PASSED FAILED" (one per
# program) to $LM_TEST_LOGS/totals. Logs: BUILD/hard/tsan/*.log.
set -euo pipefail
if [ $# -ne 1 ]; then echo "usage: $0 BUILD" >&2; exit 2; fi
BUILD=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
case $BUILD in /*) ;; *) [ "$PWD" = "$root" ] || BUILD=$PWD/$BUILD ;; esac
cd "$root"
dir=$BUILD/hard/tsan
mkdir -p "$dir"
if ! make --no-print-directory BUILD="$BUILD" hard-tsan-build >"$dir/build.log" 2>&1; then
    tail -n 30 "$dir/build.log"
    echo "tsan: build FAILED (log: $dir/build.log)" >&2
    [ -n "${LM_TEST_LOGS:-}" ] && echo "tsan 0 1" >>"$LM_TEST_LOGS/totals"
    exit 1
fi
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=0:exitcode=66:second_deadlock_stack=1:history_size=4}
pass=0 fail=0
for bin in "$dir"/tsan_*; do
    [ -x "$bin" ] || continue
    name=$(basename "$bin")
    log=$dir/$name.log
    rc=0
    timeout --kill-after=10 600 "$bin" >"$log" 2>&1 </dev/null || rc=$?
    # Kernels with more mmap randomisation than this TSan runtime supports:
    # retry once without address-space randomisation.
    if [ "$rc" -ne 0 ] && grep -q 'unexpected memory mapping' "$log" && command -v setarch >/dev/null; then
        rc=0
        timeout --kill-after=10 600 setarch "$(uname -m)" -R "$bin" >"$log" 2>&1 </dev/null || rc=$?
    fi
    if [ "$rc" -eq 0 ] && ! grep -q 'WARNING: ThreadSanitizer' "$log"; then
        pass=$((pass + 1))
        echo "tsan: $name: ok: $(tail -n 1 "$log")"
    else
        fail=$((fail + 1))
        reports=$(grep -c 'WARNING: ThreadSanitizer' "$log" || true)
        echo "tsan: $name: FAILED (exit status $rc, $reports TSan report(s)); log: $log"
        grep -E 'WARNING: ThreadSanitizer|CHECK FAILED|SUMMARY' -A12 "$log" | head -n 80 | sed 's/^/    /' || true
    fi
done
[ -n "${LM_TEST_LOGS:-}" ] && echo "tsan $pass $fail" >>"$LM_TEST_LOGS/totals"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
