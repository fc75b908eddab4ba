#!/usr/bin/env bash
# Short fuzz runs (the `fuzz` step of make test, and `make fuzz`).
#
# Usage: tests/fuzz/run.sh BUILD
# Environment:
#   FUZZ_SECONDS   seconds per target (default 30; make test uses the default)
#   FUZZ_TARGETS   space-separated subset of: api travel pgcopy (default: all built)
#
# For each target T:
#   1. replay every file in tests/fuzz/regressions/T/ (inputs that crashed
#      once; each must now pass) and the committed seeds tests/fuzz/corpus/T/;
#   2. fuzz for FUZZ_SECONDS with the working corpus BUILD/fuzz/corpus/T
#      (seeded from tests/fuzz/corpus/T, kept between runs so coverage grows)
#      and the dictionary tests/fuzz/T.dict if present;
#   3. a crash, leak or timeout is saved under BUILD/fuzz/artifacts/T/ and
#      copied into tests/fuzz/regressions/T/, where step 1 replays it from
#      then on: fix the bug, keep the file.
# Reports per target: seconds, executions, exec/s, corpus size, new units.
# Appends "fuzz-T PASSED FAILED" lines to $LM_TEST_LOGS/totals (one passed
# per replayed regression file plus one for the fuzz run itself) and one line
# per run to BUILD/fuzz/history.log (date target seconds executions status).
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 BUILD" >&2
    exit 2
fi
BUILD=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
case $BUILD in /*) ;; *) [ "$PWD" = "$root" ] || BUILD=$PWD/$BUILD ;; esac
cd "$root"

seconds=${FUZZ_SECONDS:-30}
fdir=$BUILD/fuzz
mkdir -p "$fdir/logs"

if ! command -v clang >/dev/null 2>&1; then
    echo "fuzz: clang not found (Debian: clang, libclang-rt-dev; scripts/install-deps.sh test)" >&2
    exit 1
fi
echo "fuzz: building the targets (clang -fsanitize=fuzzer,address,undefined)"
if ! make --no-print-directory BUILD="$BUILD" fuzz-build >"$fdir/logs/build.log" 2>&1; then
    tail -n 40 "$fdir/logs/build.log"
    echo "fuzz: build FAILED (log: $fdir/logs/build.log)" >&2
    [ -n "${LM_TEST_LOGS:-}" ] && echo "fuzz-build 0 1" >>"$LM_TEST_LOGS/totals"
    exit 1
fi

targets=${FUZZ_TARGETS:-}
if [ -z "$targets" ]; then
    for b in "$fdir"/fuzz_*; do
        [ -x "$b" ] && targets="$targets ${b##*/fuzz_}"
    done
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

any_fail=0
rows=()
for t in $targets; do
    bin=$fdir/fuzz_$t
    if [ ! -x "$bin" ]; then
        echo "fuzz: $t: no binary $bin" >&2
        any_fail=1
        continue
    fi
    pass=0 fail=0

    # 1. regressions and seeds
    replayed=0
    for dir in tests/fuzz/regressions/$t tests/fuzz/corpus/$t; do
        [ -d "$dir" ] || continue
        for f in "$dir"/*; do
            [ -f "$f" ] || continue
            case $f in */README*) continue ;; esac
            replayed=$((replayed + 1))
            if "$bin" -runs=1 "$f" >"$fdir/logs/replay-$t.log" 2>&1; then
                [ "$dir" = "tests/fuzz/regressions/$t" ] && pass=$((pass + 1))
            else
                fail=$((fail + 1))
                echo "fuzz: $t: $f FAILS:"
                grep -E 'FUZZ PROPERTY FAILED|ERROR: |SUMMARY|runtime error' -A3 "$fdir/logs/replay-$t.log" | head -n 30 | sed 's/^/    /' || true
            fi
        done
    done

    # 2. fuzz
    work=$fdir/corpus/$t art=$fdir/artifacts/$t/
    mkdir -p "$work" "$art"
    rm -f "$art"* # earlier crashes are in tests/fuzz/regressions/ already
    [ -d tests/fuzz/corpus/$t ] && cp -n tests/fuzz/corpus/$t/* "$work/" 2>/dev/null || true
    dict=()
    [ -f tests/fuzz/$t.dict ] && dict=(-dict="tests/fuzz/$t.dict")
    maxlen=4096
    [ "$t" = api ] && maxlen=8192
    log=$fdir/logs/fuzz-$t.log
    t0=$SECONDS
    rc=0
    "$bin" -max_total_time="$seconds" -print_final_stats=1 -timeout=25 -rss_limit_mb=2560 \
        -max_len="$maxlen" -artifact_prefix="$art" "${dict[@]}" "$work" >"$log" 2>&1 </dev/null || rc=$?
    secs=$((SECONDS - t0))
    stat() { sed -n "s/^stat::$1: *\([0-9]*\).*/\1/p" "$log" | tail -n 1; }
    execs=$(stat number_of_executed_units)
    eps=$(stat average_exec_per_sec)
    newu=$(stat new_units_added)
    rss=$(stat peak_rss_mb)
    corpus=$(find "$work" -type f | wc -l)
    echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $t ${secs} ${execs:-0} rc=$rc" >>"$fdir/history.log"
    if [ "$rc" -eq 0 ]; then
        pass=$((pass + 1))
        status=ok
    else
        fail=$((fail + 1))
        status=FAILED
        echo "fuzz: $t: FAILED (status $rc); log: $log"
        grep -E 'FUZZ PROPERTY FAILED|ERROR: |SUMMARY|runtime error|==[0-9]+==' -A4 "$log" | head -n 40 | sed 's/^/    /' || true
        mkdir -p tests/fuzz/regressions/$t
        for a in "$art"*; do
            [ -f "$a" ] || continue
            cp "$a" tests/fuzz/regressions/$t/
            echo "fuzz: $t: saved $a as tests/fuzz/regressions/$t/$(basename "$a") (now a regression test)"
        done
    fi
    [ "$fail" -ne 0 ] && any_fail=1
    rows+=("$t|$status|$secs|${execs:-?}|${eps:-?}|$corpus|${newu:-?}|${rss:-?}|$replayed")
    [ -n "${LM_TEST_LOGS:-}" ] && echo "fuzz-$t $pass $fail" >>"$LM_TEST_LOGS/totals"
done

echo
printf '%-8s %-7s %6s %12s %8s %7s %6s %7s %9s\n' target result secs executions exec/s corpus new rss_mb replayed
for r in "${rows[@]}"; do
    IFS='|' read -r t st s e x c nu rss rp <<<"$r"
    printf '%-8s %-7s %6s %12s %8s %7s %6s %7s %9s\n' "$t" "$st" "$s" "$e" "$x" "$c" "$nu" "$rss" "$rp"
done
if [ -f "$fdir/history.log" ]; then
    echo "fuzz: totals over all runs in $fdir/history.log (target seconds executions):"
    awk '{ s[$2] += $3; e[$2] += $4 } END { for (t in s) printf "    %-8s %7d s %12d executions\n", t, s[t], e[t] }' \
        "$fdir/history.log" | sort
fi
exit "$any_fail"
