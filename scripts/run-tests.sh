#!/usr/bin/env bash
# The body of `make test`: run every test step, keep going after failures so
# one run shows all of them, then print a summary.
#
# Usage: scripts/run-tests.sh BUILD
#
# Steps are listed in STEPS below, in order; to add one, append a line
#     "NAME | NEEDS | COMMAND"
#   NAME     short label for the summary;
#   NEEDS    a file or directory (trailing /) that must exist for the step to
#            run, else it is reported as skipped; "-" means always run;
#   COMMAND  eval'ed from the repository root; `mk TARGET` is
#            `make --no-print-directory BUILD=$BUILD TARGET`. Step scripts get
#            BUILD as their first argument.
# Each step's output streams to the terminal; stdin is /dev/null.
#
# Environment given to the steps: BUILD (as passed, relative to the root) and
# LM_TEST_LOGS (absolute $BUILD/test-logs), where scripts/run-criterion.sh
# writes its logs and its totals, so unit and asan land in one totals file.
#
# Counting tests (the last line of output is exactly "N passed, N failed"):
#   $BUILD/test-logs/totals is truncated at the start. Any step may append
#   lines "LABEL PASSED FAILED" to it (run-criterion.sh does; other step
#   scripts may, e.g. pytest counts).
#   - A step that appended at least one such line counts as the sum of its
#     lines; if the step nevertheless failed and its lines report 0 failed,
#     it adds 1 failed (e.g. a build error after the tests ran).
#   - A step that appended no line counts as one test: 1 passed if it exited
#     0, else 1 failed (e.g. check-header, or unit tests that did not compile).
#   - Skipped steps count nothing. Malformed lines are reported and ignored.
# Exit status: 1 if any step failed, else 0.
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 BUILD" >&2
    exit 2
fi
BUILD=$1
root=$(cd "$(dirname "$0")/.." && pwd)
# Keep a relative BUILD meaningful when called from elsewhere than the root.
case $BUILD in /*) ;; *) [ "$PWD" = "$root" ] || BUILD=$PWD/$BUILD ;; esac
cd "$root"

# NAME | NEEDS | COMMAND   (single quotes: $BUILD is expanded when run)
# shellcheck disable=SC2016  # expanded later, by eval
STEPS=(
    'deps     | tests/deps/run.sh     | tests/deps/run.sh "$BUILD"'
    'unit     | -                     | mk test-unit'
    'asan     | -                     | mk test-asan'
    'header   | -                     | mk test-header'
    'symbols  | -                     | mk test-symbols'
    'install  | -                     | mk test-install'
    'abi10    | -                     | mk test-abi10'
    'cli      | tests/cli/run.sh      | tests/cli/run.sh "$BUILD"'
    'pg       | tests/pg/run.sh       | tests/pg/run.sh "$BUILD"'
    'assign   | tests/assign/run.sh   | tests/assign/run.sh "$BUILD"'
    'python   | tests/python/run.sh   | tests/python/run.sh "$BUILD"'
    'examples | tests/examples/run.sh | tests/examples/run.sh "$BUILD"'
    'report   | tests/report/run.sh   | tests/report/run.sh "$BUILD"'
    'docs     | scripts/check-docs.sh | scripts/check-docs.sh "$BUILD"'
    'abi      | abi/                  | mk abi-check'
    'fuzz     | tests/fuzz/run.sh     | tests/fuzz/run.sh "$BUILD"'
    'tsan     | tests/hardening/run-tsan.sh   | tests/hardening/run-tsan.sh "$BUILD"'
    'faults   | tests/hardening/run-faults.sh | tests/hardening/run-faults.sh "$BUILD"'
    'hardening | tests/hardening/run-props.sh | tests/hardening/run-props.sh "$BUILD"'
)

# shellcheck disable=SC2317  # called from eval'ed step commands
mk() { make --no-print-directory BUILD="$BUILD" "$@"; }

logs=$BUILD/test-logs
mkdir -p "$logs"
LM_TEST_LOGS=$(cd "$logs" && pwd)
totals=$LM_TEST_LOGS/totals
: >"$totals"
export BUILD LM_TEST_LOGS

now() { if [ -n "${EPOCHREALTIME:-}" ]; then echo "${EPOCHREALTIME/,/.}"; else date +%s.%N; fi; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
trim() { local s=$1; s=${s#"${s%%[![:space:]]*}"}; s=${s%"${s##*[![:space:]]}"}; printf '%s' "$s"; }
count_lines() { if [ -f "$totals" ]; then wc -l <"$totals"; else echo 0; fi; }

trap 'echo; echo "run-tests: interrupted" >&2; exit 130' INT TERM

sum_pass=0
sum_fail=0
steps_failed=0
rows=()             # summary rows: "name|result|seconds|tests"
t_start=$(now)
n=${#STEPS[@]}
i=0
for entry in "${STEPS[@]}"; do
    i=$((i + 1))
    IFS='|' read -r name needs cmd <<<"$entry"
    name=$(trim "$name"); needs=$(trim "$needs"); cmd=$(trim "$cmd")

    if [ "$needs" != "-" ] && [ ! -e "$needs" ]; then
        rows+=("$name|skipped|-|(no $needs)")
        continue
    fi

    echo
    echo "==> [$i/$n] $name: $cmd"
    before=$(count_lines)
    t0=$(now)
    rc=0
    ( eval "$cmd" ) </dev/null || rc=$?
    secs=$(elapsed "$t0" "$(now)")

    # Lines this step appended to the totals file.
    p=0 f=0 nl=0
    if [ -f "$totals" ]; then
        while read -r label lp lf extra; do
            if [[ -n $label && $lp =~ ^[0-9]+$ && $lf =~ ^[0-9]+$ && -z ${extra:-} ]]; then
                p=$((p + lp)); f=$((f + lf)); nl=$((nl + 1))
            elif [ -n "$label" ]; then
                echo "run-tests: ignoring malformed line in $totals: $label $lp $lf $extra" >&2
            fi
        done < <(tail -n +"$((before + 1))" "$totals")
    fi
    if [ "$nl" -eq 0 ]; then
        if [ "$rc" -eq 0 ]; then p=1 f=0; else p=0 f=1; fi
        what="$p passed, $f failed (whole step)"
    else
        [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
        what="$p passed, $f failed"
    fi
    sum_pass=$((sum_pass + p))
    sum_fail=$((sum_fail + f))

    if [ "$rc" -eq 0 ]; then
        result=ok
        echo "<== $name: ok (${secs}s)"
    else
        result=FAILED
        steps_failed=$((steps_failed + 1))
        echo "<== $name: FAILED, exit status $rc (${secs}s)" >&2
    fi
    rows+=("$name|$result|$secs|$what")
done

total_secs=$(elapsed "$t_start" "$(now)")
echo
echo "==== test summary ($BUILD) ===="
printf '%-10s %-8s %8s  %s\n' step result seconds tests
for row in "${rows[@]}"; do
    IFS='|' read -r name result secs what <<<"$row"
    printf '%-10s %-8s %8s  %s\n' "$name" "$result" "$secs" "$what"
done
printf '%-10s %-8s %8s\n' total "" "$total_secs"
if [ "$steps_failed" -ne 0 ]; then
    echo "run-tests: $steps_failed step(s) FAILED; logs of Criterion suites in $logs/"
fi
echo "$sum_pass passed, $sum_fail failed"
if [ "$steps_failed" -ne 0 ]; then exit 1; fi
exit 0
