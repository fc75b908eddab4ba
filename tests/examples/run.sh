#!/usr/bin/env bash
# shellcheck disable=SC2317,SC2054,SC2207,SC2016,SC2012  # functions run through check(); -Wl,a,b; awk
# Smoke tests of the example programs and of the README's examples (the
# `examples` step of make test).
#
# Usage: tests/examples/run.sh BUILD
#
# 1. builds examples/accountmanager.c and examples/nightly_batch.c as a host
#    application would, against the installed-style API only
#    (-I libmatch/include -L BUILD -lmatch, with an rpath; nightly_batch also
#    against BUILD/libmatch.a), with -Wall -Wextra -pedantic -Werror;
# 2. runs each and asserts on what it prints, not only on its exit status;
# 3. runs examples/python/nightly.py and explore.py with Debian's
#    /usr/bin/python3 (PYTHONPATH=bindings/python,
#    LIBMATCH_LIBRARY=BUILD/libmatch.so.1) and checks the plots (installs
#    Debian's python3-matplotlib when it is missing); a missing
#    bindings/python fails this part, saying so;
# 4. extracts the C and Python examples of README.md (the code blocks after
#    <!-- example: c --> and <!-- example: python -->), compiles and runs them
#    and compares their output with the blocks after
#    <!-- example-output: c --> and <!-- example-output: python -->;
# 5. with a throwaway PostgreSQL cluster (scripts/pg-test-cluster.sh; skipped,
#    saying so, when PostgreSQL is not installed or LIBMATCH_TEST_PG=0), the
#    --db paths: seed the demo pools, run both C examples and both Python
#    examples against the database, check the runs written.
#
# Each check counts as one test; the counts go to $LM_TEST_LOGS/totals as
# "examples PASSED FAILED". Logs and outputs: BUILD/examples/. Exit status 1
# if any check failed.
set -uo pipefail
if [ $# -ne 1 ]; then
    echo "usage: $0 BUILD" >&2
    exit 2
fi
BUILD=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
cd "$root" || exit 1
build_rel=$BUILD
case $BUILD in "$root"/*) build_rel=${BUILD#"$root"/} ;; esac
logs=${LM_TEST_LOGS:-$BUILD/test-logs}
mkdir -p "$logs"
out=$BUILD/examples
rm -rf "$out"
mkdir -p "$out"
PY=${LM_PYTHON:-/usr/bin/python3}
T=${LM_EXAMPLE_TIMEOUT:-300}   # seconds per command

pass=0
fail=0
# check NAME COMMAND...: one test; the command's output goes to the log.
check() {
    local name=$1
    shift
    if "$@" >>"$out/checks.log" 2>&1; then
        pass=$((pass + 1))
        printf '  ok    %s\n' "$name"
    else
        fail=$((fail + 1))
        printf '  FAIL  %s\n' "$name"
        echo "---- FAILED: $name" >>"$out/checks.log"
    fi
}
# runs EXPECTED_STATUS STDOUT STDERR CMD...: run with a timeout, check the status.
runs() {
    local want=$1 so=$2 se=$3 rc=0
    shift 3
    timeout "$T" "$@" >"$so" 2>"$se" || rc=$?
    if [ "$rc" -ne "$want" ]; then
        echo "exit status $rc, expected $want: $*"
        tail -n 20 "$so" "$se"
        return 1
    fi
}
# adds_up SUMMARY: the assignment is at least as good as greedy, and the
# per-municipality proposals add up to the total (nightly_batch, nightly.py).
adds_up() {
    awk '
        /^proposals:/ { p = $2 }
        /^objective:/ { obj = $2; greedy = $4 }
        /^  GM[0-9][0-9][0-9][0-9] / { sum += $(NF - 1) }
        END { if (p > 0 && obj + 1e-9 >= greedy && sum == p) exit 0;
              printf "proposals %s, objective %s, greedy %s, per-municipality sum %s\n", p, obj, greedy, sum; exit 1 }' "$1"
}
finish() {
    echo "examples: $pass passed, $fail failed (log: $out/checks.log)"
    echo "examples $pass $fail" >>"$logs/totals"
    if [ "$fail" -ne 0 ]; then
        echo "----- last lines of $out/checks.log -----"
        tail -n 60 "$out/checks.log"
        exit 1
    fi
    exit 0
}

echo "examples: building the library ($build_rel)"
if ! make --no-print-directory BUILD="$build_rel" lib cli >"$out/make.log" 2>&1; then
    cat "$out/make.log"
    fail=$((fail + 1))
    finish
fi

CC=${CC:-cc}
CFLAGS_EX=(-std=c11 -O2 -Wall -Wextra -pedantic -Werror -Ilibmatch/include)
LINK_SO=(-L"$BUILD" -lmatch -Wl,-rpath,"$BUILD")
LINK_A=("$BUILD/libmatch.a" $(pkg-config --libs libpq 2>/dev/null || echo -lpq) -lpthread -lm)

# ---- 1. build -----------------------------------------------------------------
echo "examples: C programs"
check "build accountmanager (shared library)" \
    "$CC" "${CFLAGS_EX[@]}" examples/accountmanager.c -o "$out/accountmanager" "${LINK_SO[@]}"
check "build nightly_batch (shared library)" \
    "$CC" "${CFLAGS_EX[@]}" examples/nightly_batch.c -o "$out/nightly_batch" "${LINK_SO[@]}" -lm
check "build nightly_batch (static library)" \
    "$CC" "${CFLAGS_EX[@]}" examples/nightly_batch.c -o "$out/nightly_batch_static" "${LINK_A[@]}"
check "examples include only the public header" \
    sh -c '! grep -n "#include \"" examples/*.c && grep -q "#include <libmatch/libmatch.h>" examples/accountmanager.c'

# ---- 2. run the C programs ------------------------------------------------------
am=$out/accountmanager
o=$out/am
if [ -x "$am" ]; then
    check "accountmanager: runs" runs 0 "$o.out" "$o.err" "$am" --vacancy 5001 --org 400002 --region 2
    check "accountmanager: ranked list with components" sh -c "
        grep -q '^Vacancy 5001 \"Orderpicker distributiecentrum\" in Velsen, as seen by organisation 400002 (region 2)$' '$o.out' &&
        grep -q 'rank  candidate  lives in       score  competence  travel  hours  readiness  priority' '$o.out' &&
        grep -Eq '^ +1 +1003  Haarlem +0\.[0-9]{3} ' '$o.out' &&
        test \$(grep -Ec '^ +[1-5] +10[0-9][0-9] ' '$o.out') -eq 5"
    check "accountmanager: binding constraints of rejected pairs" sh -c "
        grep -q '^Not proposed, with the binding constraint:' '$o.out' &&
        grep -Eq 'candidate 1006 \(Alkmaar\): too far: at best [0-9]+ min one way \(pt\), over the person.s own limit of 45 min \(policy 90\)$' '$o.out' &&
        grep -Eq 'candidate 1007 \(Amersfoort\): too far: at best [0-9]+ min one way \(pt\), over the policy limit of 90 min$' '$o.out' &&
        grep -q 'candidate 1004 (Heemskerk): loonwaarde below' '$o.out' &&
        grep -Eq '^Organisation 400002 sees 26 of the 28 candidates in the pool: 5 listed' '$o.out'"
    check "accountmanager: consent scope hides candidates 1009 and 1011" sh -c "
        '$am' --vacancy 5001 --org 400002 --region 2 --k 30 --why 100 >'$o.all' &&
        test \$(grep -Ec '^ +[0-9]+ +10[0-9][0-9]  |^  candidate 10[0-9][0-9] ' '$o.all') -eq 26 &&
        ! grep -Eq '^ +[0-9]+ +10(09|11)  |^  candidate 10(09|11) ' '$o.all'"
    check "accountmanager: explain a feasible pair" sh -c "
        '$am' --vacancy 5001 --org 400002 --region 2 --explain 1003 >'$o.x1' &&
        grep -Eq '^Candidate 1003 \(lives in Haarlem\) for vacancy 5001 \(in Velsen\): score 0\.[0-9]{3}$' '$o.x1' &&
        grep -Eq '^  travel +0\.[0-9]{3} +0\.13  [0-9]+ min one way by ' '$o.x1' &&
        test \$(grep -Ec '^  (competence|travel|hours|readiness|priority) ' '$o.x1') -eq 5"
    check "accountmanager: explain an excluded pair" sh -c "
        '$am' --vacancy 5005 --org 400002 --region 2 --explain 1001 >'$o.x2' &&
        grep -q 'excluded, target group not accepted by the vacancy' '$o.x2'"
    check "accountmanager: explain names the binding travel limit" sh -c "
        '$am' --vacancy 5001 --org 400002 --region 2 --explain 1006 >'$o.x6' &&
        grep -Eq '^Candidate 1006 .*: excluded, too far: at best [0-9]+ min one way \(pt\), over the person.s own limit of 45 min \(policy 90\)$' '$o.x6'"
    check "accountmanager: invisible candidate looks unknown, exit 1" sh -c "
        '$am' --vacancy 5001 --org 400002 --region 2 --explain 1009 >/dev/null 2>'$o.x3'; test \$? -eq 1 &&
        grep -q 'unknown id, or not visible to organisation 400002' '$o.x3' &&
        '$am' --vacancy 5001 --org 200201 --region 2 --explain 1009 >'$o.x4' &&
        grep -q '^Candidate 1009 (lives in Velsen)' '$o.x4'"
    check "accountmanager: unknown vacancy fails clearly" sh -c "
        '$am' --vacancy 9999 --org 1 >/dev/null 2>'$o.x5'; test \$? -eq 1 && grep -q 'unknown id' '$o.x5'"
    check "accountmanager: unknown ids exit 1 for --explain and --vacancy alike" sh -c "
        '$am' --vacancy 5001 --org 400002 --region 2 --explain 999999 >/dev/null 2>&1; a=\$?;
        '$am' --vacancy 9999 --org 400002 --region 2 --explain 1003 >/dev/null 2>&1; b=\$?;
        '$am' --vacancy 9999 --org 400002 --region 2 >/dev/null 2>&1; c=\$?;
        test \$a -eq 1 && test \$b -eq 1 && test \$c -eq 1"
    check "accountmanager: bad usage exits 2" sh -c "'$am' --vacancy x 2>/dev/null; test \$? -eq 2"
fi

nb=$out/nightly_batch
o=$out/nb
if [ -x "$nb" ]; then
    check "nightly_batch: runs" runs 0 "$o.out" "$o.err" "$nb" --threads 2
    check "nightly_batch: summary" sh -c "
        grep -q '^libmatch [0-9.]* nightly batch: region 2 as seen by organisation 400002 (generated pool)' '$o.out' &&
        grep -Eq '^pool: +4000 candidates \([0-9]+ visible to the viewer\), 600 vacancies \([0-9]+ in region 2\)' '$o.out' &&
        grep -Eq '^batch: +top-10 both ways: [0-9]+ pairs scored, [0-9]+ feasible' '$o.out' &&
        grep -Eq '^proposals: +[1-9][0-9]* \(at most 1 per person\)' '$o.out' &&
        grep -q '^written:     nothing (no --db)' '$o.out'"
    check "nightly_batch: progress on stderr" sh -c "grep -q 'batch    100%' '$o.err' && grep -q 'assign   100%' '$o.err'"
    check "nightly_batch: assignment beats greedy, report adds up" adds_up "$o.out"
    if [ -x "$out/nightly_batch_static" ]; then
        check "nightly_batch: static build gives the same proposals" sh -c "
            '$out/nightly_batch_static' --threads 1 2>/dev/null | grep -E '^(pool|proposals|  GM)' >'$o.static' &&
            grep -E '^(pool|proposals|  GM)' '$o.out' | diff - '$o.static'"
    fi
    check "nightly_batch: bad usage exits 2" sh -c "'$nb' --k 0 2>/dev/null; test \$? -eq 2"
fi

# ---- 3. Python ------------------------------------------------------------------
echo "examples: Python programs ($PY)"
export PYTHONPATH=$root/bindings/python${PYTHONPATH:+:$PYTHONPATH}
export LIBMATCH_LIBRARY=$BUILD/libmatch.so.1
export MPLBACKEND=Agg
py_ok=1
if [ ! -f bindings/python/libmatch/__init__.py ]; then
    echo "examples: bindings/python (the Python package) does not exist yet: the Python examples cannot run" \
        | tee -a "$out/checks.log"
    fail=$((fail + 1))
    py_ok=0
fi
if [ "$py_ok" = 1 ] && ! "$PY" -c 'import matplotlib' >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    # explore.py plots with Debian's python3-matplotlib (not in install-deps.sh's test set yet)
    echo "examples: installing python3-matplotlib for explore.py"
    sudo_=
    if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo_=sudo; fi
    $sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-matplotlib \
        >>"$out/checks.log" 2>&1 ||
        { $sudo_ apt-get update -qq >>"$out/checks.log" 2>&1 &&
          $sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-matplotlib \
            >>"$out/checks.log" 2>&1; } || true
fi
if [ "$py_ok" = 0 ]; then
    :
elif ! "$PY" -c 'import numpy, matplotlib' >>"$out/checks.log" 2>&1; then
    echo "examples: $PY lacks numpy or matplotlib (Debian packages python3-numpy, python3-matplotlib)" \
        | tee -a "$out/checks.log"
    fail=$((fail + 1))
    py_ok=0
fi
if [ "$py_ok" = 1 ]; then
    o=$out/py_nightly
    check "nightly.py: runs" runs 0 "$o.out" "$o.err" "$PY" examples/python/nightly.py --threads 2
    check "nightly.py: summary" sh -c "
        grep -q '^libmatch [0-9.]* nightly batch (Python): region 2 as seen by organisation 400002 (generated pool)' '$o.out' &&
        grep -Eq '^pool: +4000 candidates \([0-9]+ visible to the viewer\), 600 vacancies' '$o.out' &&
        grep -Eq '^proposals: +[1-9][0-9]* \(at most 1 per person\)' '$o.out' &&
        grep -q 'batch    100%' '$o.err' && grep -q 'assign   100%' '$o.err'"
    check "nightly.py: assignment beats greedy, report adds up" adds_up "$o.out"
    o=$out/py_explore
    check "explore.py: runs" runs 0 "$o.out" "$o.err" "$PY" examples/python/explore.py "$out/explore"
    check "explore.py: PNG plots written" "$PY" -c '
import sys
for name in ("scores.png", "flow_matrix.png"):
    data = open(sys.argv[1] + "/" + name, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", name + ": not a PNG"
    assert len(data) > 10000, name + ": suspiciously small"
' "$out/explore"
    check "explore.py: flow matrix counts the proposals" "$PY" -c '
import re, sys
text = open(sys.argv[1]).read()
n = int(re.search(r"(\d+) proposals$", text.splitlines()[0]).group(1))
rows = open(sys.argv[2] + "/flow_matrix.csv").read().split("\n")[1:]
total = sum(int(x) for r in rows if r for x in r.split(",")[1:])
assert n > 0 and total == n, (n, total)
assert "wrote " + sys.argv[2] + "/flow_matrix.png" in text
' "$o.out" "$out/explore"
fi

# ---- 4. README.md -----------------------------------------------------------------
echo "examples: README.md"
# extract KIND LANG FILE: the fenced block after <!-- KIND: LANG -->.
extract() {
    "$PY" - "$1" "$2" "$3" <<'EOF'
import re, sys
kind, lang, dest = sys.argv[1:]
text = open("README.md", encoding="utf-8").read()
m = re.findall(r"<!-- %s: %s -->\s*\n```[a-z]*\n(.*?)\n```" % (re.escape(kind), re.escape(lang)), text, re.S)
if len(m) != 1:
    sys.exit(f"README.md: expected one block after <!-- {kind}: {lang} -->, found {len(m)}")
open(dest, "w", encoding="utf-8").write(m[0] + "\n")
EOF
}
r=$out/readme
readme_blocks() { extract example "$1" "$2" && extract example-output "$1" "$2.expected"; }
check "README: C example and its output are marked" readme_blocks c "$r.c"
if [ -f "$r.c" ]; then
    check "README: C example compiles (-Wall -Wextra -pedantic -Werror)" \
        "$CC" "${CFLAGS_EX[@]}" "$r.c" -o "$r.c.bin" "${LINK_SO[@]}"
    check "README: C example prints what README.md shows" sh -c "
        '$r.c.bin' >'$r.c.actual' && diff -u '$r.c.expected' '$r.c.actual'"
fi
if [ "$py_ok" = 1 ]; then
    check "README: Python example and its output are marked" readme_blocks python "$r.py"
    if [ -f "$r.py" ]; then
        check "README: Python example prints what README.md shows" sh -c "
            cd '$out' && '$PY' '$r.py' >'$r.py.actual' && diff -u '$r.py.expected' '$r.py.actual'"
    fi
fi

# ---- 5. PostgreSQL ------------------------------------------------------------------
pg_reason=
if [ "${LIBMATCH_TEST_PG:-1}" = 0 ]; then
    pg_reason="LIBMATCH_TEST_PG=0"
elif [ ! -x scripts/pg-test-cluster.sh ]; then
    pg_reason="scripts/pg-test-cluster.sh is missing"
elif ! command -v initdb >/dev/null 2>&1 && ! ls -d /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    pg_reason="PostgreSQL is not installed (Debian package postgresql)"
fi
if [ -n "$pg_reason" ]; then
    echo "examples: SKIPPED the --db variants: $pg_reason"
    finish
fi
echo "examples: --db variants, on a throwaway PostgreSQL cluster"
if ! env_lines=$(scripts/pg-test-cluster.sh start 2>"$out/pg-start.log"); then
    cat "$out/pg-start.log"
    echo "examples: could not start a PostgreSQL cluster"
    fail=$((fail + 1))
    finish
fi
eval "$env_lines"
export PGOPTIONS="-c client_min_messages=warning"
trap 'scripts/pg-test-cluster.sh stop "$LM_PG_DIR"' EXIT
PSQL=$(command -v psql || ls /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -n 1)
psql_q() { "$PSQL" -qAtX -v ON_ERROR_STOP=1 -c "$1"; }
lmatch=$BUILD/lmatch
check "pg: seed the demo pools (lmatch db init, db seed-demo)" sh -c "'$lmatch' db init && '$lmatch' db seed-demo"
o=$out/pg_nb
if [ -x "$nb" ]; then
    check "pg: nightly_batch --db runs" runs 0 "$o.out" "$o.err" "$nb" --db "" --region 1 --threads 2 --label "example run"
    check "pg: nightly_batch loaded, matched and wrote" sh -c "
        grep -q 'as seen by organisation 400001 (pool from PostgreSQL)' '$o.out' &&
        grep -Eq '^pool: +21570 candidates .*3000 vacancies' '$o.out' &&
        grep -q '^written:     run [0-9]* (label \"example run\")' '$o.out' &&
        grep -q 'load     100%' '$o.err' && grep -q 'write    100%' '$o.err'"
    run_id=$(sed -n 's/^written:     run \([0-9]*\) .*/\1/p' "$o.out")
    props=$(awk '/^proposals:/ { print $2 }' "$o.out")
    check "pg: the run is complete in the database, with its proposals" sh -c "
        test \"\$('$PSQL' -qAtX -c \"SELECT status || ' ' || region || ' ' || label || ' ' || proposal_rows FROM libmatch.match_runs WHERE run_id = ${run_id:-0}\")\" = 'complete 1 example run ${props:-x}'"
fi
if [ -x "$am" ]; then
    vac=$(psql_q "SELECT id FROM libmatch.vacancies WHERE region = 2 AND NOT deleted ORDER BY id LIMIT 1" 2>/dev/null || true)
    o=$out/pg_am
    check "pg: accountmanager --db" sh -c "
        '$am' --db '' --vacancy '${vac:-0}' --org 400002 --region 2 >'$o.out' 2>'$o.err' &&
        grep -Eq '^Vacancy ${vac:-x} in [A-Za-z]+, as seen by organisation 400002' '$o.out' &&
        grep -Eq '^ +1 +[0-9]+ ' '$o.out' && grep -q '^Organisation 400002 sees' '$o.out'"
fi
if [ "$py_ok" = 1 ]; then
    o=$out/pg_py
    check "pg: nightly.py --db runs and writes a run" sh -c "
        '$PY' examples/python/nightly.py --db '' --region 3 >'$o.out' 2>'$o.err' &&
        grep -q '(pool from PostgreSQL)' '$o.out' &&
        grep -q '^written:     run [0-9]* (label \"nightly.py example\")' '$o.out' &&
        test \"\$('$PSQL' -qAtX -c \"SELECT count(*) FROM libmatch.match_runs WHERE status = 'complete' AND label = 'nightly.py example'\")\" = 1"
    check "pg: explore.py --db" sh -c "
        '$PY' examples/python/explore.py '$out/explore_db' --db '' --region 1 >'$o.explore' 2>&1 &&
        grep -q 'wrote .*/flow_matrix.png' '$o.explore' && test -s '$out/explore_db/scores.png'"
fi
finish
