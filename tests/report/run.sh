#!/usr/bin/env bash
# The effect report (issue 13): `lmatch demo --nights 5` is deterministic per
# seed (byte-identical CSVs, also on 1 and 2 threads), the CSVs keep the
# small-numbers rule, the page is self-contained and every plot is there, and
# it renders in a real browser (Debian's headless chromium): no console
# errors, no network request, a non-blank screenshot. With PostgreSQL,
# `lmatch report` writes the same kind of report from a database.
#
# Usage: tests/report/run.sh [BUILD]     (LM_REPORT_KEEP=DIR keeps the output there)
# The browser checks are skipped (reported as such) when chromium is missing;
# scripts/install-deps.sh installs it.
set -euo pipefail
BUILD=${1:-build}
cd "$(dirname "$0")/../.."
root=$PWD
make --no-print-directory BUILD="$BUILD" cli >/dev/null
lm="$root/$BUILD/lmatch"
case $BUILD in /*) lm="$BUILD/lmatch" ;; esac
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
check() { # name, command...
    local name=$1; shift
    if "$@" >"$tmp/out" 2>"$tmp/err"; then pass=$((pass + 1)); echo "ok    $name"
    else fail=$((fail + 1)); echo "FAIL  $name"; sed 's/^/  | /' "$tmp/out" "$tmp/err" | tail -20; fi
}
csvs="funnel.csv by_group.csv by_municipality.csv by_work_municipality.csv by_readiness.csv by_kind.csv flows.csv retention.csv figures.csv"
plots="plot-funnel plot-groups plot-retention plot-flows plot-counterfactual"

nights_run() { # dir threads
    "$lm" demo --nights 5 --seed 99 --threads "$2" --out "$tmp/$1" >"$tmp/$1.txt" 2>"$tmp/$1.err"
}
runs_ok() {
    nights_run a 1 && nights_run b 1 && nights_run c 2 || { cat "$tmp"/*.err; return 1; }
    grep -q "^Funnel and retention per target group" "$tmp/a.txt" && grep -q "^  all " "$tmp/a.txt" &&
        grep -q "^  bijstand " "$tmp/a.txt" && grep -q "regional matching made" "$tmp/a.txt"
}
same_bytes() { # dirs x y
    for f in $csvs index.html; do cmp "$tmp/$1/report/$f" "$tmp/$2/report/$f" || return 1; done
    cmp "$tmp/$1/nights.csv" "$tmp/$2/nights.csv"
}
files_ok() {
    for f in $csvs index.html; do [ -s "$tmp/a/report/$f" ] || { echo "missing $f"; return 1; }; done
    ! ls "$tmp/a/report"/*.tmp 2>/dev/null
}
header_ok() {
    local h
    h=$(head -1 "$tmp/a/report/by_group.csv")
    for col in group proposed placed placement_rate retained_6m retained_12m suppressed; do
        echo ",$h," | grep -q ",$col," || { echo "by_group.csv lacks $col: $h"; return 1; }
    done
    [ "$(wc -l <"$tmp/a/report/by_group.csv")" -ge 4 ]
}
# No count of persons from 1 to threshold-1 (5) in any CSV; suppressed cells empty and named.
small_numbers() {
    "$py" - "$tmp/a/report" <<'EOF'
import csv, os, sys
d = sys.argv[1]
counts = {"people", "proposed", "introduced", "placed", "observed_6m", "observed_12m", "lks", "persons",
          "observed", "still_placed"}
named = 0
for name in sorted(os.listdir(d)):
    if not name.endswith(".csv"):
        continue
    with open(os.path.join(d, name), newline="") as f:
        for row in csv.DictReader(f):
            sup = set(filter(None, (row.get("suppressed") or "").split(";")))
            for col, v in row.items():
                if col in counts and v not in ("", None) and 0 < float(v) < 5:
                    sys.exit("%s: %s = %s is under the threshold" % (name, col, v))
                if col in sup:
                    named += 1
                    if v != "":
                        sys.exit("%s: %s is marked suppressed but holds %r" % (name, col, v))
if named == 0:
    sys.exit("no suppressed cell at all: the rule was not exercised")
EOF
}
# Every plot is an <svg id=...> with drawn elements; nothing is fetched from anywhere.
page_ok() {
    "$py" - "$tmp/a/report/index.html" $plots <<'EOF'
import re, sys
html = open(sys.argv[1], encoding="utf-8").read()
for pid in sys.argv[2:]:
    m = re.search(r'<svg id="%s"[^>]*>(.*?)</svg>' % pid, html, re.S)
    if not m:
        sys.exit("plot %s missing" % pid)
    if len(re.findall(r"<(rect|polyline|line|path|circle)\b", m.group(1))) < 3:
        sys.exit("plot %s is empty" % pid)
if re.search(r'(src|href)\s*=\s*["\']?\s*(https?:)?//', html, re.I) or re.search(r"url\(\s*['\"]?(https?:)?//", html, re.I):
    sys.exit("the page refers to the network")
if re.search(r"<(script|link|iframe|object|embed)\b", html, re.I):
    sys.exit("the page loads something (script/link/iframe/object/embed)")
for s in ("Small numbers are hidden", "Per target group", "How long placements last",
          "flows between municipalities", "Regional matching against matching within each municipality"):
    if s not in html:
        sys.exit("section missing: " + s)
EOF
}
check "demo --nights 5 runs twice on 1 thread and once on 2, and prints the funnel" runs_ok
check "the same seed gives byte-identical report files" same_bytes a b
check "1 and 2 threads give byte-identical report files" same_bytes a c
check "the report's files are all written (no temporary left)" files_ok
check "by_group.csv has the agreed columns" header_ok
check "no count under the threshold in any CSV; suppressed cells are empty and named" small_numbers
check "every plot is in the page and drawn; no network reference, no script" page_ok

# ---- the browser ----
browser=$(command -v chromium || command -v chromium-browser || true)
render() { # html png netlog errlog
    timeout 120 "$browser" --headless --disable-gpu --no-sandbox --no-first-run --disable-background-networking \
        --disable-component-update --disable-sync --host-resolver-rules="MAP * ~NOTFOUND" \
        --user-data-dir="$tmp/profile" --enable-logging=stderr --v=0 --log-net-log="$3" \
        --window-size=1280,2400 --screenshot="$2" "file://$1" 2>"$4" >/dev/null
}
console_errors() { grep -E "CONSOLE|Uncaught|SyntaxError" "$1"; }
# Requests the page made: URL_REQUEST_START_JOB events of the net log with a
# page initiator (the browser's own update and account checks have initiator
# "not an origin" and are refused by the resolver rules anyway).
network_requests() {
    "$py" - "$1" <<'EOF2'
import json, sys
d = json.load(open(sys.argv[1]))
start = d["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
for e in d["events"]:
    p = e.get("params") or {}
    if e["type"] == start and "url" in p and not p["url"].startswith("file:") and p.get("initiator") != "not an origin":
        print(p["url"], "initiator", p.get("initiator"))
EOF2
}
browser_ok() {
    render "$tmp/a/report/index.html" "$tmp/shot.png" "$tmp/net.json" "$tmp/chrome.err" || { tail -5 "$tmp/chrome.err"; return 1; }
    [ -s "$tmp/shot.png" ] || { echo "no screenshot"; return 1; }
    if console_errors "$tmp/chrome.err"; then echo "console messages above"; return 1; fi
    network_requests "$tmp/net.json" >"$tmp/req.txt" || return 1
    if [ -s "$tmp/req.txt" ]; then cat "$tmp/req.txt"; echo "network requests above"; return 1; fi
    # non-blank: enough non-white pixels and colours (a blank or error page has neither)
    read -r w h frac colours < <("$py" tests/report/png.py stats "$tmp/shot.png")
    echo "screenshot ${w}x${h}, non-white $frac, colours $colours"
    [ "$w" -eq 1280 ] && "$py" -c "import sys; sys.exit(0 if $frac > 0.03 and $colours > 30 else 1)"
}
# The checks above must be able to fail: a page with a console error and an http image.
browser_detects() {
    mkdir -p "$tmp/neg"
    printf '<!DOCTYPE html><html><body><p>x</p><img src="http://example.invalid/x.png">%s</body></html>\n' \
        '<script>console.error("planted error")</script>' >"$tmp/neg/bad.html"
    render "$tmp/neg/bad.html" "$tmp/neg/s.png" "$tmp/neg/net.json" "$tmp/neg/chrome.err" || true
    console_errors "$tmp/neg/chrome.err" | grep -q "planted error" || { echo "console error not seen"; return 1; }
    network_requests "$tmp/neg/net.json" | grep -q "example.invalid" || { echo "request not seen"; return 1; }
    read -r _ _ frac _ < <("$py" tests/report/png.py stats "$tmp/neg/s.png")
    "$py" -c "import sys; sys.exit(0 if $frac < 0.03 else 1)" || { echo "near-blank page counted as non-blank"; return 1; }
}
if [ -n "$browser" ]; then
    check "chromium renders the report: no console error, no network request, non-blank screenshot" browser_ok
    check "the browser checks catch a console error, a request and a blank page" browser_detects
else
    echo "skip  browser checks: chromium not installed (scripts/install-deps.sh test)"
fi

# ---- lmatch report from PostgreSQL ----
report_usage() {
    "$lm" report --help | grep -q "^usage: lmatch report" || return 1
    ! "$lm" report --out "$tmp/x" --threshold 0 2>"$tmp/u.err" && grep -q "bad value '0' for --threshold" "$tmp/u.err" || return 1
    ! "$lm" report --out "$tmp/x" --from 2026-13-01 2>"$tmp/u.err" && grep -q "for --from" "$tmp/u.err" || return 1
    ! "$lm" report --out "$tmp/x" --from 2026-12-01 --to 2026-11-01 --as-of 2026-12-31 2>"$tmp/u.err" &&
        grep -q "is after" "$tmp/u.err" || return 1
    "$lm" report 2>/dev/null; [ $? -eq 2 ] || return 1
}
db_report() {
    "$lm" db init >/dev/null && "$lm" db seed-demo >/dev/null && "$lm" batch --as-of 2026-11-23 >"$tmp/batch.txt" || return 1
    "$lm" proposals --format csv >"$tmp/props.csv" || return 1
    # the first 12 proposals: introduced; 8 of them placed (their WSP acts)
    local n=0 id org
    while IFS=, read -r id org; do
        n=$((n + 1))
        "$lm" proposal set "$id" introduced --by "$org" >/dev/null || return 1
        [ $n -le 8 ] && { "$lm" proposal set "$id" placed --by "$org" --start today >/dev/null || return 1; }
        [ $n -ge 12 ] && break
    done < <("$py" -c "
import csv, sys
seen = set()
for r in csv.DictReader(open(sys.argv[1])):
    if r['candidate_id'] in seen or r['status'] != 'proposed':
        continue
    seen.add(r['candidate_id'])
    print('%s,%s' % (r['proposal_id'], r['owner_org']))
" "$tmp/props.csv")
    "$lm" report --out "$tmp/db" --as-of today --threshold 1 >"$tmp/rep.txt" || return 1
    cat "$tmp/rep.txt"
    for f in $csvs index.html; do [ -s "$tmp/db/$f" ] || { echo "missing $f"; return 1; }; done
    grep -q "^placed,placed (started work),8," "$tmp/db/funnel.csv" || { cat "$tmp/db/funnel.csv"; return 1; }
    grep -q "^introduced,introduced to an employer,12," "$tmp/db/funnel.csv"
}
nights_bad() {
    "$lm" demo --nights 0 --out "$tmp/x" 2>"$tmp/n.err"; [ $? -eq 2 ] && grep -q -- "--nights" "$tmp/n.err" || return 1
    "$lm" demo --nights 366 --out "$tmp/x" 2>/dev/null; [ $? -eq 2 ] && [ ! -e "$tmp/x/report" ]
}
check "lmatch report: --help, bad values named, exit status 2" report_usage
check "demo --nights outside 1..365 is refused with status 2" nights_bad
if [ -x "$(command -v pg_ctl || ls /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | tail -1)" ] && [ -x scripts/pg-test-cluster.sh ]; then
    export -f db_report
    export lm tmp csvs py
    check "lmatch report writes the report from a database after a batch and status changes" \
        scripts/pg-test-cluster.sh run -- bash -c db_report
else
    echo "skip  database report: PostgreSQL not installed"
fi

if [ -n "${LM_REPORT_KEEP:-}" ]; then mkdir -p "$LM_REPORT_KEEP" && cp -r "$tmp/a" "$LM_REPORT_KEEP/" && cp "$tmp"/shot.png "$LM_REPORT_KEEP/" 2>/dev/null || true; fi
echo "report: $pass passed, $fail failed"
[ -n "${LM_TEST_LOGS:-}" ] && echo "report $pass $fail" >>"$LM_TEST_LOGS/totals"
[ "$fail" -eq 0 ]
