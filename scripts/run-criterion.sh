#!/usr/bin/env bash
# Run Criterion test binaries quietly, one summary line each.
#
# Usage: scripts/run-criterion.sh LABEL BIN...
#
#   LABEL  short name of the suite ("unit", "asan"); prefixes log names and
#          the totals line.
#   BIN    Criterion test executables, run one after the other with --jobs=2.
#
# Each binary's stdout+stderr goes to LOGDIR/LABEL-NAME.log (NAME = basename of
# BIN), where LOGDIR is $LM_TEST_LOGS if set (scripts/run-tests.sh sets it to
# $BUILD/test-logs so unit and asan totals land in one file), else
# $(dirname BIN)/../test-logs. We print one line per binary and, on any
# failure, crash, non-zero exit or missing Criterion summary, the last 60 lines
# of its log.
#
# Counting: passed/failed come from Criterion's line
#   [====] Synthesis: Tested: N | Passing: N | Failing: N | Crashing: N
# (Criterion 2.4: Failing already includes crashes and timeouts; skipped and
# disabled tests are not in Tested.) A binary that exits non-zero although its
# summary shows no failure, or that prints no summary at all (runner crashed,
# not executable, ...), adds 1 to "failed" so the problem cannot vanish from
# the totals.
#
# At the end: prints the label's totals, appends "LABEL PASSED FAILED" to
# LOGDIR/totals (LOGDIR of the last binary), exits 1 if anything failed.
#
# Environment: LM_TEST_LOGS (see above); LM_TEST_TIMEOUT seconds per binary (default 900, 0 = none)
# (default 900, 0 = no limit; uses timeout(1) so a hung suite cannot block CI).
set -euo pipefail

TAIL_LINES=60

if [ $# -lt 1 ]; then
    echo "usage: $0 LABEL BIN..." >&2
    exit 2
fi
label=$1
shift
if [ $# -eq 0 ]; then
    # An empty suite must not look green: the Makefile's wildcard found nothing.
    echo "run-criterion: $label: no test binaries given (no tests/unit/test_*.c?)" >&2
    exit 1
fi

timeout_s=${LM_TEST_TIMEOUT:-900} # a hung test fails instead of eating the CI budget
total_pass=0
total_fail=0
total_crash=0
any_bad=0
logdir=

# Criterion colours its output only on a tty, but strip ANSI escapes and CRs
# anyway so parsing does not depend on that.
strip_ansi() { sed -e 's/\x1b\[[0-9;]*[A-Za-z]//g' -e 's/\r$//' "$1"; }

# Extract the number after "KEY:" from the summary line ($1 = line, $2 = key).
field() { printf '%s\n' "$1" | sed -n "s/.*$2: *\([0-9][0-9]*\).*/\1/p"; }

for bin in "$@"; do
    name=$(basename -- "$bin")
    logdir=${LM_TEST_LOGS:-}
    if [ -z "$logdir" ]; then
        # $(dirname BIN)/../test-logs, spelled without ".." where possible.
        d=$(dirname -- "$bin")
        case $(basename -- "$d") in
            . | ..) logdir=$d/../test-logs ;;
            *) logdir=$(dirname -- "$d")/test-logs ;;
        esac
    fi
    mkdir -p -- "$logdir"
    log=$logdir/$label-$name.log

    rc=0
    if [ ! -x "$bin" ]; then
        echo "run-criterion: $bin: missing or not executable" >"$log"
        rc=127
    elif [ "$timeout_s" != 0 ] && command -v timeout >/dev/null 2>&1; then
        timeout --kill-after=10 "$timeout_s" "$bin" --jobs=2 >"$log" 2>&1 </dev/null || rc=$?
    else
        "$bin" --jobs=2 >"$log" 2>&1 </dev/null || rc=$?
    fi

    synth=$(strip_ansi "$log" | grep -E '^\[=+\] Synthesis: Tested:' | tail -n 1 || true)
    note=
    if [ -n "$synth" ]; then
        pass=$(field "$synth" Passing)
        fail=$(field "$synth" Failing)
        crash=$(field "$synth" Crashing)
        pass=${pass:-0} fail=${fail:-0} crash=${crash:-0}
        # Older Criterion versions may not count crashes in Failing.
        [ "$crash" -gt "$fail" ] && fail=$crash
        if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
            fail=1
            note=" (exit status $rc despite no failing test)"
        fi
        [ "$crash" -gt 0 ] && note=" ($crash crashed)$note"
    else
        pass=0 fail=1 crash=0
        note=" (no Criterion Synthesis line, exit status $rc)"
        [ "$rc" -eq 124 ] && note=" (timed out after ${timeout_s}s, no Synthesis line)"
    fi

    printf '%-5s %-24s %4d passed, %d failed%s\n' "$label" "$name" "$pass" "$fail" "$note"

    total_pass=$((total_pass + pass))
    total_fail=$((total_fail + fail))
    total_crash=$((total_crash + crash))
    if [ "$fail" -ne 0 ] || [ "$rc" -ne 0 ]; then
        any_bad=1
        echo "----- last $TAIL_LINES lines of $log -----"
        tail -n "$TAIL_LINES" -- "$log"
        echo "----- end of $log -----"
    fi
done

crash_note=
[ "$total_crash" -gt 0 ] && crash_note=" ($total_crash crashed)"
printf '%-5s %-24s %4d passed, %d failed%s\n' "$label" "TOTAL" "$total_pass" "$total_fail" "$crash_note"
echo "$label $total_pass $total_fail" >>"$logdir/totals"

if [ "$any_bad" -ne 0 ]; then
    echo "run-criterion: $label: FAILED (logs in $logdir)" >&2
    exit 1
fi
exit 0
