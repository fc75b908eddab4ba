#!/usr/bin/env bash
# The proposal lifecycle through the lmatch CLI, end to end (run by
# tests/pg/run.sh inside its throwaway cluster; needs the PG* variables).
# Usage: tests/pg/lifecycle_cli.sh BUILD
#
# db init, db seed-demo, batch; then ten proposals rejected, five placed (via
# introduced: proposed -> placed is refused) with their placement's start,
# five in interview, three vacancies closed; batch again with the history,
# news, proposals, query; placements ended, bad placement options named, and
# the effect figures of the database.
# Steps marked "engine" check that the second batch honours the history
# (lm_engine_set_history, docs/lifecycle.md).
# Appends "pg-lifecycle-cli PASSED FAILED" to $LM_TEST_LOGS/totals.
set -uo pipefail
BUILD=${1:?usage: $0 BUILD}
lmatch=$BUILD/lmatch
logs=${LM_TEST_LOGS:-$BUILD/test-logs}
mkdir -p "$logs"
log=$logs/pg-lifecycle-cli.log
: >"$log"
S=lc_cli
db=(--db "dbname=$PGDATABASE" --schema "$S")
p=0 f=0
step() { # NAME CMD...
    local name=$1
    shift
    if "$@" >>"$log" 2>&1; then p=$((p + 1)); else f=$((f + 1)); echo "pg-lifecycle-cli: FAILED: $name" | tee -a "$log"; fi
}
q() { psql -qAtX -v ON_ERROR_STOP=1 -c "$1" 2>>"$log"; }
eq() { [ "$1" = "$2" ] || { echo "expected '$2', got '$1'" >&2; return 1; }; }

psql -qAtX -c "DROP SCHEMA IF EXISTS $S CASCADE" >/dev/null 2>&1
step "db init" "$lmatch" db init "${db[@]}"
step "db seed-demo" "$lmatch" db seed-demo "${db[@]}"
step "batch 1" sh -c "'$lmatch' batch --db 'dbname=$PGDATABASE' --schema $S >'$logs/lc-batch1.txt'"
cat "$logs/lc-batch1.txt" >>"$log"
nprop=$(q "SELECT count(*) FROM $S.proposals WHERE run_id = 1")
step "run 1 has proposals with ids" eq "$(q "SELECT count(*) > 100 AND count(*) = count(proposal_id) FROM $S.proposals WHERE run_id = 1")" t
step "one proposal_state row per proposal" eq "$(q "SELECT count(*) FROM $S.proposal_state")" "$nprop"
step "csv header" sh -c "'$lmatch' proposals --db 'dbname=$PGDATABASE' --schema $S --run 1 --format csv | head -n 1 | grep -q '^proposal_id,run_id,vacancy_id,candidate_id,owner_org,status,lead_org'"
step "csv rows" eq "$("$lmatch" proposals "${db[@]}" --run 1 --format csv | tail -n +2 | wc -l)" "$nprop"
for c in proposals proposal news placement; do step "$c --help" "$lmatch" $c --help; done
step "placement end --help" sh -c "'$lmatch' placement end --help | grep -q 'usage: lmatch placement end PROPOSAL_ID'"
today=$(q "SELECT current_date::text")
start=$(q "SELECT (current_date + 3)::text")

# 20 proposals of single-slot vacancies, distinct people
mapfile -t pick < <(q "SELECT proposal_id FROM (SELECT DISTINCT ON (p.candidate_id) p.proposal_id FROM $S.proposals p
    JOIN $S.vacancies v ON v.id = p.vacancy_id WHERE p.run_id = 1 AND v.slots = 1 ORDER BY p.candidate_id, p.proposal_id) s
    ORDER BY proposal_id LIMIT 20")
step "20 proposals picked" eq "${#pick[@]}" 20
rej=("${pick[@]:0:10}") plc=("${pick[@]:10:5}") itv=("${pick[@]:15:5}")
set_ok() { "$lmatch" proposal set "$@" "${db[@]}"; }
step "proposed -> placed refused" sh -c "! '$lmatch' proposal set ${plc[0]} placed --by 300001 --start $start --db 'dbname=$PGDATABASE' --schema $S 2>'$logs/lc-err.txt' && grep -q 'not allowed' '$logs/lc-err.txt'"
step "unknown id refused" sh -c "! '$lmatch' proposal set 987654321 introduced --by 300001 --db 'dbname=$PGDATABASE' --schema $S 2>'$logs/lc-err.txt' && grep -q 'no proposal 987654321' '$logs/lc-err.txt'"
step "unknown status refused" sh -c "! '$lmatch' proposal set ${rej[0]} hired --by 1 --db 'dbname=$PGDATABASE' --schema $S 2>/dev/null"
for id in "${rej[@]}"; do step "reject $id" set_ok "$id" rejected --by 300001 --reason skills; done
k=0
for id in "${plc[@]}"; do
    step "introduce $id" set_ok "$id" introduced --by 300002
    if [ $k -eq 0 ]; then
        step "placed without --start: usage" sh -c "'$lmatch' proposal set $id placed --by 300002 --db 'dbname=$PGDATABASE' --schema $S 2>'$logs/lc-err.txt'; [ \$? -eq 2 ] && grep -q 'placed needs the start' '$logs/lc-err.txt'"
        for bad in "--hours abc|--hours: 'abc' is not a number" "--hours 90|--hours: 90 is out of range" \
                   "--contract freelance|unknown contract kind 'freelance'" "--lks maybe|--lks: 'maybe'" \
                   "--start 2026-13-01|--start: '2026-13-01' is not a date"; do
            opt=${bad%%|*} msg=${bad#*|}
            step "placed $opt: named, exit 2" sh -c "'$lmatch' proposal set $id placed --by 300002 --start $start $opt --db 'dbname=$PGDATABASE' --schema $S 2>'$logs/lc-err.txt'; [ \$? -eq 2 ] && grep -qF -e \"$msg\" '$logs/lc-err.txt'"
        done
        step "start before the proposal: runtime error, exit 1" sh -c "'$lmatch' proposal set $id placed --by 300002 --start 2000-01-01 --db 'dbname=$PGDATABASE' --schema $S 2>'$logs/lc-err.txt'; [ \$? -eq 1 ] && grep -q 'before the proposal' '$logs/lc-err.txt'"
        step "nothing placed by the refused calls" eq "$(q "SELECT status || ' ' || (SELECT count(*) FROM $S.placements) FROM $S.proposal_state WHERE proposal_id = $id")" "introduced 0"
    fi
    case $k in
    0) step "place $id" set_ok "$id" placed --by 300002 --start "$start" --hours 24 --contract garantiebaan --lks yes ;;
    1) step "place $id" set_ok "$id" placed --by 300002 --start "$start" --hours 32.5 --contract beschut --lks no ;;
    *) step "place $id" set_ok "$id" placed --by 300002 --start "$start" ;;
    esac
    k=$((k + 1))
done
step "placements stored" eq "$(q "SELECT string_agg(contract || ':' || hours || ':' || lks || ':' || (start_date = DATE '$start'), ' ' ORDER BY proposal_id) FROM $S.placements")" \
    "garantiebaan:24:true:true beschut:32.5:false:true regular:0:false:true regular:0:false:true regular:0:false:true"
step "--start only with placed" sh -c "'$lmatch' proposal set ${itv[0]} introduced --by 300003 --start $start --db 'dbname=$PGDATABASE' --schema $S 2>/dev/null; [ \$? -eq 2 ]"
for id in "${itv[@]}"; do
    step "introduce $id" set_ok "$id" introduced --by 300003
    step "interview $id" set_ok "$id" interview --by 300003
done
step "stale version: conflict" sh -c "! '$lmatch' proposal set ${itv[0]} placed --by 300003 --start $start --version 1 --db 'dbname=$PGDATABASE' --schema $S 2>'$logs/lc-err.txt' && grep -q 'conflict' '$logs/lc-err.txt'"
ids() { local IFS=,; echo "$*"; }
step "statuses stored" eq "$(q "SELECT string_agg(status || ':' || n, ' ' ORDER BY status) FROM (SELECT status, count(*) n FROM $S.proposal_state WHERE status <> 'proposed' GROUP BY status) s")" "interview:5 placed:5 rejected:10"
step "lead organisations" eq "$(q "SELECT count(*) FROM $S.proposal_state WHERE proposal_id IN ($(ids "${plc[@]}" "${itv[@]}")) AND lead_org IN (300002, 300003)")" 10
step "an access_log row per status change" eq "$(q "SELECT count(*) FROM $S.access_log WHERE action = 'status'")" 30
step "an event per status change" eq "$(q "SELECT count(*) FROM $S.proposal_events WHERE run_id IS NULL")" 30
step "proposals --status" eq "$("$lmatch" proposals "${db[@]}" --status placed --format csv | tail -n +2 | wc -l)" 5
step "proposals --org" eq "$("$lmatch" proposals "${db[@]}" --org 300003 --format csv | tail -n +2 | wc -l)" 5

# three other vacancies with proposals close
closed=$(q "SELECT string_agg(vacancy_id::text, ',') FROM (SELECT DISTINCT vacancy_id FROM $S.proposals WHERE run_id = 1 AND
    proposal_id NOT IN ($(ids "${pick[@]}")) AND vacancy_id NOT IN (SELECT vacancy_id FROM $S.proposals WHERE proposal_id IN
    ($(ids "${pick[@]}"))) ORDER BY vacancy_id LIMIT 3) s")
step "close three vacancies" q "UPDATE $S.vacancies SET deleted = true WHERE id IN ($closed)"

step "batch 2" sh -c "'$lmatch' batch --db 'dbname=$PGDATABASE' --schema $S >'$logs/lc-batch2.txt'"
cat "$logs/lc-batch2.txt" >>"$log"
step "batch 2 reports the history" grep -q "^history: $nprop proposals, $((nprop - 15)) open$" "$logs/lc-batch2.txt"
run2=$(q "SELECT max(run_id) FROM $S.match_runs WHERE status = 'complete'")
step "run 2 written" eq "$run2" 2
step "open pairs kept keep their ids" eq "$(q "SELECT count(*) FILTER (WHERE a.proposal_id <> b.proposal_id) || ' ' || (count(*) > 0)::text
    FROM $S.proposals a JOIN $S.proposals b USING (vacancy_id, candidate_id) JOIN $S.proposal_state s ON s.proposal_id = a.proposal_id
    WHERE a.run_id = 1 AND b.run_id = 2 AND s.status IN ('proposed', 'introduced', 'interview')")" "0 true"
step "no proposed row left from run 1" eq "$(q "SELECT count(*) FROM $S.proposal_state WHERE status = 'proposed' AND last_run_id = 1")" 0
step "superseded ones withdrawn" eq "$(q "SELECT count(*) = count(*) FILTER (WHERE s.status = 'withdrawn' AND s.reason = 'superseded')
    FROM $S.proposals a JOIN $S.proposal_state s ON s.proposal_id = a.proposal_id WHERE a.run_id = 1 AND s.status NOT IN
    ('rejected', 'placed', 'introduced', 'interview') AND NOT EXISTS (SELECT 1 FROM $S.proposals b WHERE b.run_id = 2 AND
    b.vacancy_id = a.vacancy_id AND b.candidate_id = a.candidate_id)")" t
step "closed vacancies: gone with their reason" eq "$(q "SELECT count(DISTINCT vacancy_id) FROM $S.run_changes WHERE run_id = 2 AND kind = 'proposal_gone' AND reason = 'vacancy closed' AND vacancy_id IN ($closed)")" 3
step "news" sh -c "'$lmatch' news --db 'dbname=$PGDATABASE' --schema $S >'$logs/lc-news.txt'"
cat "$logs/lc-news.txt" >>"$log"
step "news: run 2 against run 1" grep -q '^run 2 against run 1:' "$logs/lc-news.txt"
step "news: proposals gone" grep -q '^Proposals gone: ' "$logs/lc-news.txt"
step "news: vacancy closed" grep -q 'vacancy closed' "$logs/lc-news.txt"
step "news --run 1: nothing to compare" sh -c "'$lmatch' news --db 'dbname=$PGDATABASE' --schema $S --run 1 | grep -q 'nothing to compare with (no earlier complete run'"
step "news --run 99 fails" sh -c "! '$lmatch' news --db 'dbname=$PGDATABASE' --schema $S --run 99 2>/dev/null"

# engine: the history is honoured by the second batch
excluded=$(sed -n 's/^history excluded \([0-9]*\) list entries$/\1/p' "$logs/lc-batch2.txt")
estep() { step "$@"; }
step "engine: batch 2 reports the list entries the history excluded" test "${excluded:-0}" -gt 0
estep "engine: no rejected pair proposed again" eq "$(q "SELECT count(*) FROM $S.proposals b JOIN $S.proposal_state s USING (vacancy_id, candidate_id)
    WHERE b.run_id = 2 AND s.proposal_id IN ($(ids "${rej[@]}"))")" 0
estep "engine: no placed person proposed" eq "$(q "SELECT count(*) FROM $S.proposals b WHERE b.run_id = 2 AND b.candidate_id IN
    (SELECT candidate_id FROM $S.proposal_state WHERE proposal_id IN ($(ids "${plc[@]}")))")" 0
estep "engine: people in interview not proposed elsewhere" eq "$(q "SELECT count(*) FROM $S.proposals b JOIN $S.proposal_state s
    ON s.candidate_id = b.candidate_id AND s.vacancy_id <> b.vacancy_id WHERE b.run_id = 2 AND s.proposal_id IN ($(ids "${itv[@]}"))")" 0
estep "engine: news names the rejected pairs" eq "$(q "SELECT count(*) FROM $S.run_changes c JOIN $S.proposal_state s USING (vacancy_id, candidate_id)
    WHERE c.run_id = 2 AND c.kind = 'proposal_gone' AND c.reason = 'rejected' AND s.proposal_id IN ($(ids "${rej[@]}"))")" 10

# the access log of queries: one row per match shown
vac=$(q "SELECT vacancy_id FROM $S.match_results WHERE run_id = 2 AND direction = 0 AND region = 1 AND rank = 5 ORDER BY vacancy_id LIMIT 1")
before=$(q "SELECT count(*) FROM $S.access_log WHERE action = 'query'")
step "query" sh -c "'$lmatch' query --db 'dbname=$PGDATABASE' --schema $S --vacancy '$vac' --viewer 400001 --k 5 >'$logs/lc-query.txt'"
shown=$(grep -cE '^ +[0-9]+\. candidate' "$logs/lc-query.txt")
step "query shows matches" test "$shown" -gt 0
step "query: an access_log row per match shown" eq "$(q "SELECT count(*) FROM $S.access_log WHERE action = 'query' AND viewer_org = 400001 AND vacancy_id = $vac")" "$((before + shown))"
step "batch --no-history" sh -c "'$lmatch' batch --db 'dbname=$PGDATABASE' --schema $S --no-history | grep -q '^history: not used'"

# placements end
pe() { "$lmatch" placement end "$@" "${db[@]}"; }
end=$(q "SELECT (current_date + 100)::text")
step "placement end" sh -c "'$lmatch' placement end ${plc[0]} --date $end --reason dismissed --db 'dbname=$PGDATABASE' --schema $S | grep -q 'ended on $end: dismissed'"
step "placement end stored" eq "$(q "SELECT end_date::text || ' ' || end_reason FROM $S.placements WHERE proposal_id = ${plc[0]}")" "$end dismissed"
step "placement end again: exit 1" sh -c "'$lmatch' placement end ${plc[0]} --date $end --reason moved --db 'dbname=$PGDATABASE' --schema $S 2>'$logs/lc-err.txt'; [ \$? -eq 1 ] && grep -q 'already ended' '$logs/lc-err.txt'"
step "placement end before the start: exit 1" sh -c "'$lmatch' placement end ${plc[1]} --date $today --reason moved --db 'dbname=$PGDATABASE' --schema $S 2>/dev/null; [ \$? -eq 1 ]"
step "placement end of a rejected proposal: exit 1" sh -c "'$lmatch' placement end ${rej[0]} --date $end --reason moved --db 'dbname=$PGDATABASE' --schema $S 2>'$logs/lc-err.txt'; [ \$? -eq 1 ] && grep -q 'not placed' '$logs/lc-err.txt'"
step "placement end unknown id: exit 1" sh -c "'$lmatch' placement end 987654321 --date $end --reason moved --db 'dbname=$PGDATABASE' --schema $S 2>/dev/null; [ \$? -eq 1 ]"
for bad in "--date $end --reason bored|--reason: unknown reason 'bored'" "--date $end --reason none|--reason: unknown reason 'none'" \
           "--date 2026-02-30x --reason moved|--date: '2026-02-30x' is not a date" "--reason moved|give --date" \
           "--date $end|give --date" "--date|--date: '--db' is not a date"; do
    opt=${bad%%|*} msg=${bad#*|}
    step "placement end $opt: named, exit 2" sh -c "'$lmatch' placement end ${plc[1]} $opt --db 'dbname=$PGDATABASE' --schema $S 2>'$logs/lc-err.txt'; [ \$? -eq 2 ] && grep -qF -e \"$msg\" '$logs/lc-err.txt'"
done
step "placement end abc: exit 2" sh -c "'$lmatch' placement end abc --date $end --reason moved 2>/dev/null; [ \$? -eq 2 ]"
step "placement start: exit 2" sh -c "'$lmatch' placement start ${plc[1]} 2>/dev/null; [ \$? -eq 2 ]"
step "one placement ended" eq "$(q "SELECT count(*) FILTER (WHERE end_date IS NOT NULL) || ' ' || count(*) FROM $S.placements")" "1 5"
step "access_log: placement_end" eq "$(q "SELECT count(*) FROM $S.access_log WHERE action = 'placement_end'")" 1
# the effect figures of the database (threshold 1: nothing suppressed; 5: small cells hidden)
fig() { q "SELECT $1 FROM $S.effect_figures(current_date, current_date, current_date + 400, $2) WHERE dim = 0"; }
step "figures: 5 placed" eq "$(fig placed::int 1)" 5
step "figures: 10 introduced" eq "$(fig introduced::int 1)" 10
step "figures: 1 with lks" eq "$(fig lks::int 1)" 1
step "figures: lks 1 hidden at threshold 5" eq "$(fig "coalesce(lks::text, 'hidden') || ' ' || (suppressed & 1024 <> 0)" 5)" "hidden true"
step "figures: 6-month retention 4 of 5" eq "$(fig "observed_6m::int || ' ' || retained_6m" 1)" "5 0.8"
step "figures: the BI view" test "$(q "SELECT count(*) FROM $S.effects WHERE dim = 1")" -gt 0

printf '%-5s %-24s %4d passed, %d failed\n' pg lifecycle_cli "$p" "$f"
echo "pg-lifecycle-cli $p $f" >>"$logs/totals"
[ "$f" -eq 0 ]
