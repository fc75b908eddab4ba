#!/usr/bin/env bash
# The assignment's objective against SciPy (issue 5): loads BUILD/libmatch.so.1
# with ctypes from Debian's python3 (python3-numpy, python3-scipy).
# Appends "assign PASSED FAILED" to $LM_TEST_LOGS/totals when set.
# Usage: tests/assign/run.sh BUILD
set -euo pipefail
BUILD=${1:?usage: tests/assign/run.sh BUILD}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
py=/usr/bin/python3
if ! "$py" -c 'import numpy, scipy' 2>/dev/null; then
    scripts/install-deps.sh test
fi
[ -e "$BUILD/libmatch.so.1" ] || make --no-print-directory BUILD="$BUILD" lib
totals=
if [ -n "${LM_TEST_LOGS:-}" ]; then totals=$LM_TEST_LOGS/totals; fi
exec "$py" tests/assign/check_scipy.py "$BUILD/libmatch.so.1" $totals
