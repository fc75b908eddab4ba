#!/usr/bin/env bash
# Check, before compiling, that the headers libmatch needs are there, and say
# which Debian packages are missing (a plain compiler error such as
# "xxhash.h: No such file or directory" does not).
#
# Usage: scripts/check-deps.sh [build|test]   (default: build)
# Environment: CC (default cc), DEPS_CPPFLAGS (the preprocessor flags to look
# with; the Makefile passes its own, tests point it at a fake include path).
# Exit status: 0 all there, 1 something missing (named on stderr), 2 usage.
set -uo pipefail
what=${1:-build}
CC=${CC:-cc}
read -r -a flags <<<"${DEPS_CPPFLAGS:-}"
# header | Debian package
build=("xxhash.h|libxxhash-dev" "uthash.h|uthash-dev" "libpq-fe.h|libpq-dev")
test=("criterion/criterion.h|libcriterion-dev")
case "$what" in
  build) want=("${build[@]}") ;;
  test)  want=("${build[@]}" "${test[@]}") ;;
  *) echo "check-deps: unknown set '$what' (build|test)" >&2; exit 2 ;;
esac
if ! command -v "$CC" >/dev/null 2>&1; then
  echo "missing: a C compiler ($CC) — run scripts/install-deps.sh $what or: sudo apt-get install build-essential pkg-config" >&2
  exit 1
fi
pkgs=()
names=()
for pair in "${want[@]}"; do
  h=${pair%%|*} p=${pair##*|}
  if ! printf '#include <%s>\n' "$h" | "$CC" "${flags[@]}" -E -x c - -o /dev/null >/dev/null 2>&1; then
    pkgs+=("$p")
    names+=("$p ($h)")
  fi
done
[ ${#pkgs[@]} -eq 0 ] && exit 0
{
  printf 'missing: %s\n' "$(IFS=,; echo "${names[*]}" | sed 's/,/, /g')"
  printf '  — run scripts/install-deps.sh %s or: sudo apt-get install %s\n' "$what" "${pkgs[*]}"
} >&2
exit 1
