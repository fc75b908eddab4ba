#!/usr/bin/env bash
# PostgreSQL integration tests (the `pg` step of make test).
# Usage: tests/pg/run.sh BUILD
#
# Builds what it needs, starts a throwaway cluster (scripts/pg-test-cluster.sh:
# unix socket only, removed on exit, also on failure), then runs
#   1. the Criterion suites tests/pg/test_*.c (scripts/run-criterion.sh, label pg);
#   2. tests/pg/conn_check under valgrind --leak-check=full (label pg-valgrind);
#   3. the lmatch CLI end to end: db init, db seed-demo, batch, query, db import of CSV files (label pg-cli);
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
step "query with policy options" sh -c "'$lmatch' query --vacancy '$vac' --viewer 400001 --k 5 --max-travel 30 --min-score 0.2 --weights competence=1,travel=0 >'$logs/pg-cli-query-policy.txt'"
step "query policy: limits held" sh -c "grep -q 'score' '$logs/pg-cli-query-policy.txt' && ! grep -E 'score 0\.[01][0-9]*\$|(3[1-9]|[4-9][0-9]|[0-9]{3}) min' '$logs/pg-cli-query-policy.txt'"
step "query unknown id fails" sh -c "! '$lmatch' query --vacancy 12345 --viewer 1 2>/dev/null"
step "no server: clear error" sh -c "'$lmatch' batch --db 'host=/nonexistent-libmatch' 2>&1 | grep -q 'lmatch: batch: connect: database error'"
step "wrong password: clear error" sh -c "'$lmatch' db init --db 'user=lm_pw password=wrong' 2>&1 | grep -q 'password authentication failed'"
step "bad option" sh -c "! '$lmatch' batch --k 0 2>/dev/null"
# own data: lmatch db import of the example CSV files (docs/own-data.md), own schema
imp=(--db "dbname=$PGDATABASE" --schema own_csv)
counts() { psql_q "SELECT (SELECT count(*) FROM own_csv.candidates) || ',' || (SELECT count(*) FROM own_csv.vacancies)"; }
step "db import: init" "$lmatch" db init "${imp[@]}"
step "db import" "$lmatch" db import "${imp[@]}" --candidates examples/data/candidates.csv --vacancies examples/data/vacancies.csv
step "db import: every row" test "$(counts)" = "28,9"
step "db import: same vectors" test "$(psql_q "SELECT count(*) FROM own_csv.candidates WHERE id = 1001 AND owner_org = 200201 AND municipality = 453")" = 1
step "db import again (upsert by id)" "$lmatch" db import "${imp[@]}" --candidates examples/data/candidates.csv --vacancies examples/data/vacancies.csv
step "db import again: same rows" test "$(counts)" = "28,9"
ibad=$logs/pg-import-bad.csv
{ head -n 7 examples/data/candidates.csv; sed -n 8p examples/data/candidates.csv | sed 's/^1001,200201,/1001,777,/'
  echo "9999,1,392,2,52.4,4.6,bijstand,A,100,24,38,walk,0,region,-,0.0,1;2"; } >"$ibad"
step "db import: a bad row writes nothing" sh -c "! '$lmatch' db import --db 'dbname=$PGDATABASE' --schema own_csv --candidates '$ibad' 2>'$logs/pg-import-bad.txt' && grep -q 'pg-import-bad.csv:9: column vectors: 2 numbers, expected 8' '$logs/pg-import-bad.txt' && test \"\$(psql -qAtX -c 'SELECT owner_org FROM own_csv.candidates WHERE id = 1001')\" = 200201"
step "db import: no schema is refused" sh -c "'$lmatch' db import --db 'dbname=$PGDATABASE' --schema no_such --candidates examples/data/candidates.csv >'$logs/pg-import-noschema.txt' 2>&1; test \$? -eq 1 && grep -q \"run 'lmatch db init' first\" '$logs/pg-import-noschema.txt'"
step "db import: batch over the imported pools" sh -c "'$lmatch' batch --db 'dbname=$PGDATABASE' --schema own_csv >'$logs/pg-import-batch.txt'"
step "db import: CSV batch of the same files" "$lmatch" batch --candidates examples/data/candidates.csv --vacancies examples/data/vacancies.csv --out "$logs/pg-import-csv"
step "db import: same proposals in PostgreSQL and from the CSV files" test \
    "$(psql_q "SELECT string_agg(vacancy_id || ':' || candidate_id, ' ' ORDER BY vacancy_id, candidate_id) FROM own_csv.proposals")" = \
    "$(tail -n +2 "$logs/pg-import-csv/proposals.csv" | awk -F, '{print $2 ":" $4}' | sort -t: -k1,1n -k2,2n | tr '\n' ' ' | sed 's/ $//')"
printf '%-5s %-24s %4d passed, %d failed\n' pg-cli lmatch "$cp" "$cf"
echo "pg-cli $cp $cf" >>"$logs/totals"
if [ "$cf" -ne 0 ]; then rc=1; echo "----- $clog -----"; tail -n 60 "$clog"; fi

# 4. the proposal lifecycle through the CLI (its own schema)
if ! tests/pg/lifecycle_cli.sh "$BUILD"; then rc=1; echo "----- $logs/pg-lifecycle-cli.log -----"; tail -n 60 "$logs/pg-lifecycle-cli.log"; fi
exit $rc
