#!/usr/bin/env bash
# CLI smoke tests: lmatch demo as a new user runs it (make demo), its output
# files, determinism, and clear failures for bad options.
set -euo pipefail
BUILD=${1:-build}
cd "$(dirname "$0")/../.."
make --no-print-directory BUILD="$BUILD" cli >/dev/null
lm="$BUILD/lmatch"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
check() { # name, command...
    local name=$1; shift
    if "$@" >"$tmp/out" 2>"$tmp/err"; then pass=$((pass + 1)); echo "ok    $name"
    else fail=$((fail + 1)); echo "FAIL  $name"; sed 's/^/  | /' "$tmp/out" "$tmp/err" | tail -20; fi
}
demo_ok() {
    "$lm" demo --out "$tmp/a" >"$tmp/a.txt" 2>"$tmp/a.err" || return 1
    grep -q "^The pools" "$tmp/a.txt" && grep -q "^Proposals: one proposal per person" "$tmp/a.txt" &&
        grep -q "^Sample vacancies" "$tmp/a.txt" && grep -q "^Next steps" "$tmp/a.txt" || return 1
    # three sample vacancies with three ranked people each, readiness as a letter
    [ "$(grep -c '^   [123]\. person .*, readiness [A-E]: score' "$tmp/a.txt")" -eq 9 ] || return 1
    # plain words: no engineer's terms left
    ! grep -Eq "greedy|top-10|total score|union of" "$tmp/a.txt" || return 1
    grep -q "^Per municipality, by place of residence" "$tmp/a.txt" || return 1
    for f in vacancy_topk.csv candidate_topk.csv; do
        [ -s "$tmp/a/$f" ] || return 1
        head -1 "$tmp/a/$f" | grep -q "^region,vacancy_id," || return 1
        [ "$(wc -l <"$tmp/a/$f")" -gt 1000 ] || return 1
    done
    ! ls "$tmp/a"/*.tmp 2>/dev/null
}
same_twice() {
    "$lm" demo --out "$tmp/b" >/dev/null 2>&1 && "$lm" demo --out "$tmp/c" >/dev/null 2>&1 || return 1
    cmp -s "$tmp/b/vacancy_topk.csv" "$tmp/c/vacancy_topk.csv" && cmp -s "$tmp/b/candidate_topk.csv" "$tmp/c/candidate_topk.csv"
}
threads_same() {
    "$lm" demo --out "$tmp/t1" --threads 1 >/dev/null 2>&1 && "$lm" demo --out "$tmp/t2" --threads 2 >/dev/null 2>&1 || return 1
    cmp -s "$tmp/t1/vacancy_topk.csv" "$tmp/t2/vacancy_topk.csv"
}
seed_differs() {
    "$lm" demo --out "$tmp/s" --seed 7 >/dev/null 2>&1 || return 1
    ! cmp -s "$tmp/b/vacancy_topk.csv" "$tmp/s/vacancy_topk.csv"
}
bad_option() { ! "$lm" demo --k 0 --out "$tmp/x" 2>"$tmp/bad.err" && grep -q "bad or incomplete option" "$tmp/bad.err"; }
bad_command() { ! "$lm" frobnicate 2>"$tmp/bc.err" && grep -q "unknown command" "$tmp/bc.err"; }
unwritable() { ! "$lm" demo --out /proc/libmatch-nope 2>"$tmp/uw.err" && grep -q "cannot" "$tmp/uw.err"; }
model_centre() {
    "$lm" demo --out "$tmp/m" --model symmetric --centre --k 3 >"$tmp/m.txt" 2>&1 || return 1
    grep -q "^Competence model symmetric; vectors centred on the pool mean" "$tmp/m.txt" &&
        grep -q "^How a score is made (policy version 1, generic exact batch: slower)" "$tmp/m.txt" &&
        grep -q "^Competence model cosine_coverage; vectors not centred" "$tmp/a.txt" || return 1
    ! "$lm" demo --model dot --out "$tmp/x" 2>"$tmp/md.err" && grep -q "cosine_coverage" "$tmp/md.err"
}
# The printed summary, timings masked, is the same on two runs and on 1 or 2
# threads (the feasible-pair count included).
mask_times() { sed -E 's/[0-9]+\.[0-9]+ s\b/#.## s/g' "$1"; }
stdout_same() {
    "$lm" demo --out "$tmp/o" --threads 1 >"$tmp/o1.txt" 2>/dev/null &&
        "$lm" demo --out "$tmp/o" --threads 1 >"$tmp/o1b.txt" 2>/dev/null &&
        "$lm" demo --out "$tmp/o" --threads 2 >"$tmp/o2.txt" 2>/dev/null || return 1
    grep -Eq "[0-9]+ pairs are feasible" "$tmp/o1.txt" || return 1
    diff <(mask_times "$tmp/o1.txt") <(mask_times "$tmp/o1b.txt") && diff <(mask_times "$tmp/o1.txt") <(mask_times "$tmp/o2.txt")
}
# No travel time between Texel and the mainland below the ferry's 45 minutes.
texel_ferry() {
    awk -F, 'NR > 1 && ($5 == 448) != ($3 == 448) && $13 < 45 { bad++ } END { exit bad > 0 }' \
        "$tmp/a/vacancy_topk.csv" "$tmp/a/candidate_topk.csv" "$tmp/a/proposals.csv"
}
version() { "$lm" --version | grep -q "^lmatch [0-9]"; }
check "demo prints the summary and writes the CSVs" demo_ok
check "demo is deterministic" same_twice
check "demo gives the same results on 1 and 2 threads" threads_same
check "another seed gives other data" seed_differs
check "bad option is refused clearly" bad_option
check "unknown command is refused" bad_command
check "unwritable output directory fails cleanly" unwritable
check "demo --model and --centre say what ran" model_centre
check "demo summary identical on two runs and on 1 and 2 threads (timings masked)" stdout_same
check "no Texel-mainland travel time below the ferry crossing" texel_ferry
check "--version" version
[ -n "${LM_TEST_LOGS:-}" ] && echo "cli $pass $fail" >>"$LM_TEST_LOGS/totals"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
