#!/usr/bin/env bash
# Install the Debian packages libmatch needs, only those that are missing.
# Usage: scripts/install-deps.sh [build|test|bench|all]   (default: test)
set -euo pipefail
what=${1:-test}
# libcsv-dev: the CSV parser of lmatch batch --candidates and db import (RFC 4180 quoting done right)
build=(build-essential pkg-config libpq-dev uthash-dev libxxhash-dev libcsv-dev)
test=(libcriterion-dev postgresql valgrind clang libclang-rt-dev abigail-tools
      python3 python3-numpy python3-scipy python3-pytest python3-setuptools python3-venv python3-pip doxygen
      python3-matplotlib chromium)
bench=(libfaiss-dev libopenblas-dev gnuplot-nox python3-matplotlib)
case "$what" in
  build) want=("${build[@]}") ;;
  test)  want=("${build[@]}" "${test[@]}") ;;
  bench) want=("${build[@]}" "${test[@]}" "${bench[@]}") ;;
  all)   want=("${build[@]}" "${test[@]}" "${bench[@]}") ;;
  *) echo "install-deps: unknown set '$what' (build|test|bench|all)" >&2; exit 2 ;;
esac
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "install-deps: installing missing Debian packages: ${missing[*]}" >&2
SUDO=
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "install-deps: not root and no sudo; please install: ${missing[*]}" >&2; exit 1; fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2 || true
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
