#!/usr/bin/env bash
# PostgreSQL integration tests (the `pg` step of make test).
# Usage: tests/pg/run.sh BUILD
#
# Builds what it needs, starts a throwaway cluster (scripts/pg-test-cluster.sh:
# unix socket only, removed on exit, also on failure), then runs
#   1. the Criterion suites tests/pg/test_*.c (scripts/run-criterion.sh, label pg);
#   2. tests/pg/conn_check under valgrind --leak-check=full (label pg-valgrind);
#   3. the lmatch CLI end to end: db init, db seed-demo, batch, query (label pg-cli);
#   4. the proposal lifecycle through the CLI: tests/pg/lifecycle_cli.sh (label pg-lifecycle-cli).
# Each appends "LABEL PASSED FAILED" to $LM_TEST_LOGS/totals.
set -euo pipefail
if [ $# -ne 1 ]; then
    echo "usage: $0 BUILD" >&2
    exit 2
fi
BUILD=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
cd "$root"
build_rel=$BUILD
case $BUILD in "$root"/*) build_rel=${BUILD#"$root"/} ;; esac
make --no-print-directory BUILD="$build_rel" pg-tests
logs=${LM_TEST_LOGS:-$BUILD/test-logs}
mkdir -p "$logs"
export LM_TEST_LOGS=$logs

env_lines=$(scripts/pg-test-cluster.sh start)
eval "$env_lines"
export PGOPTIONS="-c client_min_messages=warning"
trap 'scripts/pg-test-cluster.sh stop "$LM_PG_DIR"' EXIT
trap 'exit 130' INT TERM

rc=0

# 1. Criterion suites
shopt -s nullglob
bins=("$BUILD"/tests/pg/test_*)
shopt -u nullglob
LM_TEST_TIMEOUT=${LM_TEST_TIMEOUT:-300} scripts/run-criterion.sh pg "${bins[@]}" || rc=1

# 2. connection problems under valgrind
vlog=$logs/pg-valgrind.log
vrc=0
if command -v valgrind >/dev/null 2>&1; then
    valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
        "$BUILD/tests/pg/conn_check" >"$vlog" 2>&1 || vrc=$?
else
    echo "(valgrind not installed: running conn_check without it)" >"$vlog"
    "$BUILD/tests/pg/conn_check" >>"$vlog" 2>&1 || vrc=$?
fi
line=$(grep -E '^conn_check: [0-9]+ [0-9]+$' "$vlog" | tail -n 1 || true)
vp=$(echo "$line" | awk '{print $2}'); vf=$(echo "$line" | awk '{print $3}')
vp=${vp:-0}; vf=${vf:-1}
if [ "$vrc" -ne 0 ] && [ "$vf" -eq 0 ]; then vf=1; fi
printf '%-5s %-24s %4d passed, %d failed%s\n' pg-valgrind conn_check "$vp" "$vf" \
    "$([ "$vrc" -eq 99 ] && echo ' (valgrind reported errors or leaks)')"
echo "pg-valgrind $vp $vf" >>"$logs/totals"
if [ "$vf" -ne 0 ]; then rc=1; echo "----- $vlog -----"; tail -n 60 "$vlog"; fi

# 3. the CLI end to end, as a new user would
cp=0 cf=0
clog=$logs/pg-cli.log
: >"$clog"
step() { # NAME CMD...: run, log, count
    local name=$1
    shift
    if "$@" >>"$clog" 2>&1; then cp=$((cp + 1)); else cf=$((cf + 1)); echo "pg-cli: FAILED: $name" | tee -a "$clog"; fi
}
psql_q() { psql -qAtX -v ON_ERROR_STOP=1 -c "$1"; }
lmatch=$BUILD/lmatch
step "db init" "$lmatch" db init --db "dbname=$PGDATABASE"
step "db init again" "$lmatch" db init
step "db seed-demo" "$lmatch" db seed-demo
step "batch" "$lmatch" batch
step "one complete run" test "$(psql_q "SELECT count(*) FROM libmatch.match_runs WHERE status = 'complete'")" = 1
step "no other runs" test "$(psql_q "SELECT count(*) FROM libmatch.match_runs")" = 1
step "results of the run" test "$(psql_q "SELECT count(*) > 1000 FROM libmatch.match_results r JOIN libmatch.match_runs m USING (run_id)")" = t
step "result count recorded" test "$(psql_q "SELECT (SELECT count(*) FROM libmatch.match_results) = result_rows FROM libmatch.match_runs")" = t
vac=$(psql_q "SELECT vacancy_id FROM libmatch.match_results WHERE direction = 0 AND region = 1 AND rank = 3 ORDER BY vacancy_id LIMIT 1" || true)
qout=$logs/pg-cli-query.txt
step "query" sh -c "'$lmatch' query --vacancy '$vac' --viewer 400001 --viewer-region 1 --k 5 >'$qout'"
cat "$qout" >>"$clog" || true
step "query ranks" grep -q '^   1\. candidate' "$qout"
step "query explains" grep -q 'competence .*travel .*hours .*readiness' "$qout"
step "query unknown id fails" sh -c "! '$lmatch' query --vacancy 12345 --viewer 1 2>/dev/null"
step "no server: clear error" sh -c "'$lmatch' batch --db 'host=/nonexistent-libmatch' 2>&1 | grep -q 'lmatch: batch: connect: database error'"
step "wrong password: clear error" sh -c "'$lmatch' db init --db 'user=lm_pw password=wrong' 2>&1 | grep -q 'password authentication failed'"
step "bad option" sh -c "! '$lmatch' batch --k 0 2>/dev/null"
printf '%-5s %-24s %4d passed, %d failed\n' pg-cli lmatch "$cp" "$cf"
echo "pg-cli $cp $cf" >>"$logs/totals"
if [ "$cf" -ne 0 ]; then rc=1; echo "----- $clog -----"; tail -n 60 "$clog"; fi

# 4. the proposal lifecycle through the CLI (its own schema)
if ! tests/pg/lifecycle_cli.sh "$BUILD"; then rc=1; echo "----- $logs/pg-lifecycle-cli.log -----"; tail -n 60 "$logs/pg-lifecycle-cli.log"; fi
exit $rc
