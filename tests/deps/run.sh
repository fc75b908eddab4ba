#!/usr/bin/env bash
# `make` on a machine without the dev packages names what is missing
# (scripts/check-deps.sh, mk/deps.mk), tested by pointing the check at fake
# include paths. Usage: tests/deps/run.sh BUILD. Counts go to
# $LM_TEST_LOGS/totals as "deps PASSED FAILED"; exit 1 if a check failed.
set -uo pipefail
[ $# -eq 1 ] || { echo "usage: $0 BUILD" >&2; exit 2; }
BUILD=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
tmp=$(mktemp -d /tmp/lmdeps_XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
check() {
    local name=$1
    shift
    if "$@" >>"$tmp/log" 2>&1; then
        pass=$((pass + 1)); printf '  ok    %s\n' "$name"
    else
        fail=$((fail + 1)); printf '  FAIL  %s\n' "$name"; tail -n 20 "$tmp/log"
    fi
}
mkdir -p "$tmp/empty" "$tmp/most/criterion"
: >"$tmp/most/xxhash.h"
: >"$tmp/most/libpq-fe.h"
: >"$tmp/most/criterion/criterion.h" # everything but uthash.h

check "this machine has every package (make check-deps DEPS_SET=test)" \
    make --no-print-directory BUILD="$BUILD" check-deps DEPS_SET=test
check "an empty include path names all four packages and the install command" sh -c "
    make --no-print-directory BUILD='$BUILD' check-deps DEPS_SET=test DEPS_CPPFLAGS='-nostdinc -I$tmp/empty' 2>'$tmp/e1';
    test \$? -ne 0 &&
    grep -q '^missing: libxxhash-dev (xxhash.h), uthash-dev (uthash.h), libpq-dev (libpq-fe.h), libcriterion-dev (criterion/criterion.h)$' '$tmp/e1' &&
    grep -q 'run scripts/install-deps.sh test or: sudo apt-get install libxxhash-dev uthash-dev libpq-dev libcriterion-dev$' '$tmp/e1'"
check "only the missing header's package is named" sh -c "
    DEPS_CPPFLAGS='-nostdinc -I$tmp/most' scripts/check-deps.sh test 2>'$tmp/e2'; test \$? -eq 1 &&
    grep -q '^missing: uthash-dev (uthash.h)$' '$tmp/e2' && grep -q 'sudo apt-get install uthash-dev$' '$tmp/e2'"
check "the build set leaves criterion out" sh -c "
    DEPS_CPPFLAGS='-nostdinc -I$tmp/empty' scripts/check-deps.sh build 2>'$tmp/e3'; test \$? -eq 1 &&
    ! grep -q criterion '$tmp/e3' && grep -q 'install-deps.sh build' '$tmp/e3'"
check "make stops before compiling anything, naming the packages" sh -c "
    make --no-print-directory BUILD='$tmp/b' DEPS_CPPFLAGS='-nostdinc -I$tmp/empty' lib >'$tmp/o4' 2>'$tmp/e4';
    test \$? -ne 0 && grep -q '^missing: libxxhash-dev' '$tmp/e4' && ! grep -q 'No such file' '$tmp/e4' &&
    test ! -d '$tmp/b/obj'"
check "with the packages present the stamp is written once" sh -c "
    make --no-print-directory BUILD='$tmp/c' '$tmp/c/.deps-build' && test -f '$tmp/c/.deps-build'"

echo "deps: $pass passed, $fail failed"
if [ -n "${LM_TEST_LOGS:-}" ]; then echo "deps $pass $fail" >>"$LM_TEST_LOGS/totals"; fi
[ "$fail" -eq 0 ]
