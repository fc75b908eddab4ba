#!/usr/bin/env bash
# Python binding tests: build the library in BUILD, run the pytest suite in
# tests/python against BUILD/libmatch.so.1 with Debian's /usr/bin/python3
# (python3-numpy, python3-pytest), and report counts to scripts/run-tests.sh.
#
# Usage: tests/python/run.sh [BUILD]        (default: build)
#   Extra pytest arguments may follow BUILD, e.g. `tests/python/run.sh build -k pool`.
# Appends "python PASSED FAILED" to $LM_TEST_LOGS/totals when LM_TEST_LOGS is
# set (see scripts/run-tests.sh). Exits non-zero on any failure, including
# pytest's exit status 5 (no tests collected) and a run that exceeds
# LM_PYTHON_TIMEOUT seconds (default 600; the suite takes well under a minute).
#
# When the library has the PostgreSQL functions and a server is installed,
# one throwaway cluster (scripts/pg-test-cluster.sh) serves tests/python/test_db.py
# and is always removed at the end, even if pytest is killed by the timeout.
# LIBMATCH_TEST_PG=0 skips the PostgreSQL tests.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-build}
shift || true
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
cd "$root"
# Give make the same spelling of BUILD as `make test` uses when it is inside the tree.
mkbuild=${BUILD#"$root"/}

PY=${LM_PYTHON:-/usr/bin/python3}
if ! "$PY" -c 'import numpy, pytest' 2>/dev/null; then
    echo "tests/python: $PY lacks numpy or pytest (apt-get install python3-numpy python3-pytest)" >&2
    [ -n "${LM_TEST_LOGS:-}" ] && echo "python 0 1" >>"$LM_TEST_LOGS/totals"
    exit 1
fi

make --no-print-directory BUILD="$mkbuild" lib

logs=${LM_TEST_LOGS:-$BUILD/test-logs}
mkdir -p "$logs"
xml=$logs/python-junit.xml
rm -f "$xml"

pg_dir=
cleanup() { if [ -n "$pg_dir" ]; then scripts/pg-test-cluster.sh stop "$pg_dir" || true; fi; }
trap cleanup EXIT
trap 'exit 130' INT TERM
if [ "${LIBMATCH_TEST_PG:-1}" != 0 ] && [ -z "${LM_PG_DIR:-}" ] && [ -x scripts/pg-test-cluster.sh ] &&
   nm -D --defined-only "$BUILD/libmatch.so.1" 2>/dev/null | grep -q ' lm_db_open'; then
    if pg_env=$(scripts/pg-test-cluster.sh start 2>"$logs/python-pg.log"); then
        eval "$pg_env"
        pg_dir=$LM_PG_DIR
    else
        echo "tests/python: no PostgreSQL test cluster (see $logs/python-pg.log); test_db.py will skip" >&2
        export LIBMATCH_TEST_PG=0
    fi
fi

rc=0
LIBMATCH_LIBRARY=$BUILD/libmatch.so.1 LIBMATCH_TEST_BUILD=$BUILD PYTHONDONTWRITEBYTECODE=1 \
    timeout -k 30 "${LM_PYTHON_TIMEOUT:-600}" \
    "$PY" -m pytest -q -p no:cacheprovider --junitxml="$xml" tests/python "$@" || rc=$?
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    echo "tests/python: pytest timed out after ${LM_PYTHON_TIMEOUT:-600} s (a hung C call?)" >&2
fi

# Counts from the JUnit XML: passed = tests - failures - errors - skipped.
read -r passed failed < <("$PY" - "$xml" <<'PYEOF' || echo "0 0"
import sys, xml.etree.ElementTree as ET
try:
    root = ET.parse(sys.argv[1]).getroot()
except Exception:
    print("0 0"); sys.exit(0)
suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
t = f = e = s = 0
for su in suites:
    t += int(su.get("tests", 0)); f += int(su.get("failures", 0))
    e += int(su.get("errors", 0)); s += int(su.get("skipped", 0))
print(t - f - e - s, f + e)
PYEOF
)
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
    failed=1   # e.g. exit 5 (no tests collected), a usage error or an interrupted run
fi
if [ -n "${LM_TEST_LOGS:-}" ]; then
    echo "python $passed $failed" >>"$LM_TEST_LOGS/totals"
fi
echo "tests/python: $passed passed, $failed failed (pytest exit status $rc)"
[ "$rc" -eq 0 ] || exit 1
