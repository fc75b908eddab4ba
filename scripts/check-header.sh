#!/usr/bin/env bash
# Check that every public header stands alone (DESIGN.md section 6, item 13).
#
# Usage: scripts/check-header.sh BUILD
#
# For each libmatch/include/libmatch/*.h, compile a translation unit that
# includes only that header (once, and twice to test the include guard):
#   - as C11:        $CC  -std=c11                 (default cc)
#   - as C++11/17:   $CXX -x c++ -std=c++11 / c++17 (default c++)
# always with -Wall -Wextra -pedantic -Werror -fsyntax-only -Ilibmatch/include.
# If clang/clang++ are installed and differ from those compilers, the same
# checks run with them too: their -pedantic catches other things than gcc's.
# The generated sources go to BUILD/header-check/. Exits 1 on any failure,
# printing the compiler's output.
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 BUILD" >&2
    exit 2
fi
build=$1
root=$(cd "$(dirname "$0")/.." && pwd)
# Keep a relative BUILD meaningful when called from elsewhere than the root.
case $build in /*) ;; *) build=$PWD/$build ;; esac
cd "$root"

incdir=libmatch/include
shopt -s nullglob
headers=("$incdir"/libmatch/*.h)
shopt -u nullglob
if [ ${#headers[@]} -eq 0 ]; then
    echo "check-header: no headers found in $incdir/libmatch/" >&2
    exit 1
fi

work=$build/header-check
mkdir -p "$work"

cc_bin=${CC:-cc}
cxx_bin=${CXX:-c++}
flags=(-Wall -Wextra -pedantic -Werror -fsyntax-only "-I$incdir")

# Compiler configurations: "label|compiler|extra flags".
configs=(
    "C11|$cc_bin|-x c -std=c11"
    "C++11|$cxx_bin|-x c++ -std=c++11"
    "C++17|$cxx_bin|-x c++ -std=c++17"
)
if command -v clang >/dev/null 2>&1 && [ "$(command -v clang)" != "$(command -v "$cc_bin")" ]; then
    configs+=("C11 clang|clang|-x c -std=c11")
fi
if command -v clang++ >/dev/null 2>&1 && [ "$(command -v clang++)" != "$(command -v "$cxx_bin")" ]; then
    configs+=("C++17 clang|clang++|-x c++ -std=c++17")
fi

failed=0
checks=0
for h in "${headers[@]}"; do
    rel=${h#"$incdir"/}              # libmatch/foo.h
    base=$(basename "$h" .h)
    once=$work/$base.once.c
    twice=$work/$base.twice.c
    # The trailing declaration keeps the TU non-empty (ISO C requires one)
    # even for a header that only defines macros.
    printf '#include <%s>\ntypedef int lm_header_check_dummy;\n' "$rel" >"$once"
    printf '#include <%s>\n#include <%s>\ntypedef int lm_header_check_dummy;\n' "$rel" "$rel" >"$twice"
    for cfg in "${configs[@]}"; do
        IFS='|' read -r label comp extra <<<"$cfg"
        # shellcheck disable=SC2206  # extra is a fixed list of flags
        extra_a=($extra)
        for src in "$once" "$twice"; do
            what="$rel as $label"
            [ "$src" = "$twice" ] && what="$what, included twice"
            checks=$((checks + 1))
            if out=$("$comp" "${extra_a[@]}" "${flags[@]}" "$src" 2>&1); then
                echo "check-header: ok      $what"
            else
                failed=$((failed + 1))
                echo "check-header: FAILED  $what" >&2
                echo "  command: $comp ${extra_a[*]} ${flags[*]} $src" >&2
                printf '%s\n' "$out" | sed 's/^/  | /' >&2
            fi
        done
    done
done

if [ "$failed" -ne 0 ]; then
    echo "check-header: $failed of $checks checks FAILED" >&2
    exit 1
fi
echo "check-header: all $checks checks passed (${#headers[@]} header(s))"
