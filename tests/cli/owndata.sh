# Sourced by tests/cli/run.sh (uses $lm, $tmp, check): lmatch batch over CSV
# files (docs/own-data.md): the shipped examples, bad rows of every kind with
# the exact message and nothing written, and the policy options.
C=examples/data/candidates.csv V=examples/data/vacancies.csv
examples_run() {
    "$lm" batch --candidates "$C" --vacancies "$V" --out "$tmp/ex" >"$tmp/ex.txt" || return 1
    for f in vacancy_topk candidate_topk proposals; do
        [ "$(wc -l <"$tmp/ex/$f.csv")" -gt 5 ] || return 1
    done
    head -1 "$tmp/ex/proposals.csv" | grep -q "^region,vacancy_id,vacancy_municipality,candidate_id,candidate_municipality,slot,score" &&
        ! ls "$tmp/ex"/*.tmp 2>/dev/null
}
check "batch over examples/data writes the three result CSVs" examples_run
same_twice_csv() {
    "$lm" batch --candidates "$C" --vacancies "$V" --out "$tmp/ex2" --threads 1 >/dev/null &&
        for f in vacancy_topk candidate_topk proposals; do cmp -s "$tmp/ex/$f.csv" "$tmp/ex2/$f.csv" || return 1; done
}
check "CSV batch: same results on 1 thread and all" same_twice_csv

H='id,owner_org,municipality,lat,lon,groups,vectors'
OK='1001,1,392,52.38,4.64,bijstand,0.1;0.2;0.3;0.4;0.5;0.6;0.7;0.8'
# bad_row NAME EXPECTED CSV-TEXT: a candidates file with that text is refused with
# exit 2 and exactly EXPECTED; an existing out dir keeps its files, a new one is not made
bad_row() {
    local msg=$1 rc=0; shift
    printf '%s\n' "$@" >"$tmp/bad.csv"
    rm -rf "$tmp/none"; mkdir -p "$tmp/keep"; echo old >"$tmp/keep/proposals.csv"
    "$lm" batch --candidates "$tmp/bad.csv" --vacancies "$V" --out "$tmp/none" >/dev/null 2>"$tmp/br.txt" || rc=$?
    [ "$rc" -eq 2 ] || { echo "exit $rc"; cat "$tmp/br.txt"; return 1; }
    [ "$(cat "$tmp/br.txt")" = "lmatch: $tmp/bad.csv:$msg" ] || { echo "expected: $msg"; echo "got: $(cat "$tmp/br.txt")"; return 1; }
    [ ! -e "$tmp/none" ] || return 1
    "$lm" batch --candidates "$tmp/bad.csv" --vacancies "$V" --out "$tmp/keep" >/dev/null 2>&1
    [ "$(ls "$tmp/keep")" = proposals.csv ] && [ "$(cat "$tmp/keep/proposals.csv")" = old ]
}
check "bad row: not a number" bad_row "3: column vectors: 'x;0.2;0.3;0.4;0.5;0.6;0.7;0.8' is not a number (numbers separated by ';')" \
    "$H" "$OK" '1002,1,392,52.38,4.64,bijstand,x;0.2;0.3;0.4;0.5;0.6;0.7;0.8'
check "bad row: vector length" bad_row "3: column vectors: 3 numbers, expected 8 (as in $tmp/bad.csv:2)" \
    "$H" "$OK" '1002,1,392,52.38,4.64,bijstand,1;2;3'
check "bad row: integer" bad_row "2: column id: '10x' is not an integer" "$H" '10x,1,392,52.38,4.64,bijstand,1;2;3;4;5;6;7;8'
check "bad row: range" bad_row "2: column municipality: 0 is out of range (at least 1)" "$H" '1,1,0,52.38,4.64,bijstand,1;2;3;4;5;6;7;8'
check "bad row: coordinate range" bad_row "2: column lat: 95 is out of range -90..90" "$H" '1,1,392,95,4.64,bijstand,1;2;3;4;5;6;7;8'
check "bad row: unknown name" bad_row "2: column groups: unknown name 'bijstnd' (names: bijstand nieuw_beschut banenafspraak wsw nug statushouder ww wajong jongere all; join with '+')" \
    "$H" '1,1,392,52.38,4.64,bijstnd,1;2;3;4;5;6;7;8'
check "bad row: empty required" bad_row "2: column groups: empty (a required column)" "$H" '1,1,392,52.38,4.64,,1;2;3;4;5;6;7;8'
check "bad row: field count" bad_row "2: 6 fields, expected 7 (as in the header)" "$H" '1,1,392,52.38,4.64,bijstand'
check "bad row: duplicate id" bad_row "3: column id: 1001 appears twice (also line 2)" "$H" "$OK" "$OK"
check "bad row: unclosed quote" bad_row "2: a quoted field is not closed (a missing '\"')" "$H" '1,1,392,52.38,4.64,"bijstand,1;2;3;4;5;6;7;8'
check "bad row: bad quoting" bad_row "2: bad quoting (a field with a quote or comma must be quoted whole, inner quotes doubled)" \
    "$H" '1,1,392,52.38,4.64,bij"st"and,1;2;3;4;5;6;7;8'
check "bad header: unknown column" bad_row "1: column hours: unknown column (columns: id owner_org municipality region zone lat lon groups readiness loonwaarde vectors flags hours_min hours_max modes max_minutes available_from scope priority needs)" \
    "$H,hours"
check "bad header: missing column" bad_row "1: column vectors: missing (a required column)" 'id,owner_org,municipality,lat,lon,groups'
check "bad header: twice" bad_row "1: column lat: appears twice in the header" "$H,lat"
check "bad row: lat without lon" bad_row "2: column lon: empty (give both lat and lon, or neither)" "$H" '1,1,392,52.38,,bijstand,1;2;3;4;5;6;7;8'
check "bad row: no place" bad_row "2: column lat: empty and no zone (give lat and lon, or a zone)" "$H" '1,1,392,,,bijstand,1;2;3;4;5;6;7;8'
check "bad row: hours" bad_row "2: column hours_max: 10 is below hours_min 20" "$H,hours_min,hours_max" "$OK,20,10"
check "bad row: readiness" bad_row "2: column readiness: 'F' is not a readiness category (A..E or 1..5)" "$H,readiness" "$OK,F"
check "bad row: scope" bad_row "2: column scope: unknown name 'world' (names: org municipality region national)" "$H,scope" "$OK,world"
check "bad row: date" bad_row "2: column available_from: '2026-13-01' is not a date (YYYY-MM-DD or a day number >= 0)" "$H,available_from" "$OK,2026-13-01"
check "bad row: needs" bad_row "2: column needs: unknown name 'coach' (names: job_coach supervision accessible daytime_only no_weekends part_time bit0..bit63; join with '+')" "$H,needs" "$OK,coach"
check "bad row: not finite" bad_row "2: column priority: 'nan' is not a finite number" "$H,priority" "$OK,nan"
check "no header" bad_row "1: no header row" '# only a comment'
bad_vacancy() {
    printf '%s\n' 'id,employer_id,municipality,lat,lon,vectors,weights,kind' \
        '5,9,392,52.4,4.6,1;2;3;4;5;6;7;8,1;1;1;1;1;1;1;-1,regular' >"$tmp/bv.csv"
    ! "$lm" batch --candidates "$C" --vacancies "$tmp/bv.csv" --out "$tmp/none" 2>"$tmp/bv.txt" &&
        [ "$(cat "$tmp/bv.txt")" = "lmatch: $tmp/bv.csv:2: column weights: number 8 is negative (weights are >= 0)" ] || return 1
    sed -i 's/-1,regular/1,job/' "$tmp/bv.csv"
    ! "$lm" batch --candidates "$C" --vacancies "$tmp/bv.csv" --out "$tmp/none" 2>"$tmp/bv.txt" &&
        grep -qF "bv.csv:2: column kind: unknown name 'job' (names: regular garantiebaan beschut werkervaringsplek participatieplek detachering)" "$tmp/bv.txt"
}
check "bad vacancy rows: weights, kind" bad_vacancy
missing_file() { expect_usage "lmatch: cannot read /nonexistent.csv: No such file or directory" "$lm" batch --candidates /nonexistent.csv --vacancies "$V" --out "$tmp/none"; }
check "missing file is named" missing_file
csv_mode_usage() { expect_usage "lmatch batch: CSV mode needs --candidates FILE, --vacancies FILE and --out DIR" "$lm" batch --candidates "$C" --vacancies "$V"; }
check "CSV mode without --out is a usage error" csv_mode_usage

# policy options change what runs, and a policy file equals the same options
rows() { tail -n +2 "$1" | wc -l; }
policy_opts() {
    "$lm" batch --candidates "$C" --vacancies "$V" --out "$tmp/p1" --max-travel 15 >/dev/null &&
        [ "$(rows "$tmp/p1/vacancy_topk.csv")" -lt "$(rows "$tmp/ex/vacancy_topk.csv")" ] || return 1
    awk -F, 'NR > 1 && $13 > 15 { bad = 1 } END { exit bad }' "$tmp/p1/vacancy_topk.csv" || return 1
    "$lm" batch --candidates "$C" --vacancies "$V" --out "$tmp/p2" --min-score 0.6 >/dev/null &&
        awk -F, 'NR > 1 && $7 < 0.6 { bad = 1 } END { exit bad }' "$tmp/p2/vacancy_topk.csv" || return 1
    "$lm" batch --candidates "$C" --vacancies "$V" --out "$tmp/p3" --weights competence=1,travel=0,hours=0,readiness=0 >/dev/null &&
        awk -F, 'NR > 1 && $7 != $8 { bad = 1 } END { exit bad }' "$tmp/p3/vacancy_topk.csv" || return 1
    printf '# the same as the options\nmax_travel_min = 15\nmin_score = 0.6\n\nw_travel=0\n' >"$tmp/pol.txt"
    "$lm" batch --candidates "$C" --vacancies "$V" --out "$tmp/p4" --policy "$tmp/pol.txt" >/dev/null &&
        "$lm" batch --candidates "$C" --vacancies "$V" --out "$tmp/p5" --max-travel 15 --min-score 0.6 --weights travel=0 >/dev/null &&
        cmp -s "$tmp/p4/vacancy_topk.csv" "$tmp/p5/vacancy_topk.csv" || return 1
    # the single options override the file whatever the order
    "$lm" batch --candidates "$C" --vacancies "$V" --out "$tmp/p6" --min-score 0 --max-travel 90 --weights travel=0.1 --policy "$tmp/pol.txt" >/dev/null &&
        cmp -s "$tmp/ex/vacancy_topk.csv" "$tmp/p6/vacancy_topk.csv"
}
check "--max-travel, --min-score, --weights and --policy change the run" policy_opts
policy_errors() {
    printf 'min_score = 0.5\nw_travl = 1\n' >"$tmp/pe1"
    expect_usage "lmatch batch: --policy: $tmp/pe1:2: unknown key 'w_travl' (keys: version w_competence" "$lm" batch --policy "$tmp/pe1" || return 1
    printf '\n# x\nmin_score = high\n' >"$tmp/pe2"
    expect_usage "lmatch query: --policy: $tmp/pe2:3: min_score: 'high' is not a number" "$lm" query --policy "$tmp/pe2" || return 1
    printf 'max_travel_min 30\n' >"$tmp/pe3"
    expect_usage "lmatch demo: --policy: $tmp/pe3:1: expected key = value" "$lm" demo --policy "$tmp/pe3" || return 1
    printf 'competence_model = dot\n' >"$tmp/pe4"
    expect_usage "$tmp/pe4:1: competence_model: 'dot' is not a number" "$lm" demo --policy "$tmp/pe4" || return 1
    expect_usage "lmatch batch: --weights: unknown weight 'skill'" "$lm" batch --weights skill=1 || return 1
    expect_usage "lmatch batch: --max-travel: 0 is out of range 0.001..1440" "$lm" batch --max-travel 0
}
check "policy file and option errors name FILE:LINE and the value" policy_errors
demo_policy() {
    "$lm" demo --k 3 --out "$tmp/dp" --max-travel 20 --weights competence=1,travel=0 --min-score 0.3 >"$tmp/dp.txt" || return 1
    grep -q "score = 0.93 x competence + 0.00 x travel" "$tmp/dp.txt" &&
        awk -F, 'NR > 1 && ($7 < 0.3 || $13 > 20) { bad = 1 } END { exit bad }' "$tmp/dp/vacancy_topk.csv"
}
check "demo takes --max-travel, --weights and --min-score" demo_policy
travel_file() { # zones only, travel times from a --travel file (docs/travel.md, text format)
    printf 'id,owner_org,municipality,region,zone,groups,modes,scope,vectors\n1,1,392,2,2011,bijstand,pt,region,1;0\n2,1,392,2,2011,bijstand,bike,region,1;0\n' >"$tmp/tc.csv"
    printf 'id,employer_id,municipality,region,zone,vectors,title\n5,9,363,2,1012,1;0.1,"Job ""A"", Haarlem"\n' >"$tmp/tv.csv"
    printf 'origin\tdestination\tmode\tminutes\n2011\t1012\tpt\t25\n' >"$tmp/tr.txt"
    "$lm" batch --candidates "$tmp/tc.csv" --vacancies "$tmp/tv.csv" --travel "$tmp/tr.txt" --out "$tmp/tro" >/dev/null || return 1
    [ "$(tail -n +2 "$tmp/tro/vacancy_topk.csv" | cut -d, -f2,4,13,14)" = "5,1,25.00,pt" ] || return 1
    printf 'x\n' >"$tmp/tbad.txt"
    expect_usage "lmatch: $tmp/tbad.txt: malformed input ($tmp/tbad.txt: line 1: expected 4 tab-separated fields, found 1)" \
        "$lm" batch --candidates "$tmp/tc.csv" --vacancies "$tmp/tv.csv" --travel "$tmp/tbad.txt" --out "$tmp/none" && [ ! -e "$tmp/none" ]
}
check "CSV batch with a --travel file (zones only, a quoted title)" travel_file
