#!/usr/bin/env bash
# Check the exported ABI surface of the shared library (DESIGN.md section 6,
# items 1, 2, 11 and 13).
#
# Usage: scripts/check-symbols.sh SO      (e.g. build/libmatch.so.1)
#
# Checks:
#   1. nm -D --defined-only SO lists only lm_* symbols (the version node's own
#      absolute symbol, e.g. "A LIBMATCH_1.0", is ignored), and at least one.
#   2. readelf -d SO has SONAME libmatch.so.1.
#   3. Every function declared LM_API in libmatch/include/libmatch/*.h is
#      exported, and every exported lm_* symbol is declared LM_API there
#      (the headers are the whole API: nothing else may leak out).
#   4. objdump -T: every exported symbol carries version node LIBMATCH_1.0 or
#      a later LIBMATCH_1.x (version script libmatch/libmatch.map).
# Exits 1 listing every offending symbol.
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 SO" >&2
    exit 2
fi
so=$1
case $so in /*) ;; *) so=$PWD/$so ;; esac
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if [ ! -f "$so" ]; then
    echo "check-symbols: $so: no such file (build the library first)" >&2
    exit 1
fi
for tool in nm readelf objdump perl; do
    command -v "$tool" >/dev/null 2>&1 || { echo "check-symbols: $tool not found" >&2; exit 1; }
done

errors=0
fail() { echo "check-symbols: FAILED: $*" >&2; errors=$((errors + 1)); }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ---- 1. only lm_* is exported ---------------------------------------------
# nm >= 2.35 prints "name@@VERSION"; strip the version. Skip "A" symbols that
# are version nodes (LIBMATCH_1.0 etc.): they are not code or data.
nm -D --defined-only "$so" >"$tmp/nm.raw"
awk '
    NF < 2 { next }
    { type = $(NF - 1); name = $NF; sub(/@.*/, "", name) }
    type == "A" && name ~ /^LIBMATCH_/ { next }
    { print name }
' "$tmp/nm.raw" | sort -u >"$tmp/exported"

grep -v '^lm_' "$tmp/exported" >"$tmp/foreign" || true
if [ -s "$tmp/foreign" ]; then
    fail "symbols exported without the lm_ prefix (make them static or hidden; or a version node not named LIBMATCH_*):"
    sed 's/^/    /' "$tmp/foreign" >&2
fi
n_exported=$(grep -c '^lm_' "$tmp/exported" || true)
if [ "$n_exported" -eq 0 ]; then
    fail "no lm_ symbol is exported at all (missing LM_API / version script?)"
fi

# ---- 2. SONAME -------------------------------------------------------------
soname=$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
if [ "$soname" != "libmatch.so.1" ]; then
    fail "SONAME is '${soname:-<none>}', expected 'libmatch.so.1'"
fi

# ---- 3. exported set == LM_API declarations in the public headers ----------
# Strip comments and preprocessor lines (LM_API's own #define), then take the
# identifier right before the first "(" of each LM_API declaration. The regex
# spans newlines, so declarations broken over several lines are found, and
# return types such as "const char *" or "lm_status" are skipped because they
# are not followed by "(".
shopt -s nullglob
headers=(libmatch/include/libmatch/*.h)
shopt -u nullglob
if [ ${#headers[@]} -eq 0 ]; then
    echo "check-symbols: no public headers in libmatch/include/libmatch/" >&2
    exit 1
fi
perl -0777 -ne '
    s{/\*.*?\*/}{ }gs;                       # block comments
    s{//[^\n]*}{}g;                          # line comments
    s{^[ \t]*#(?:[^\n]*\\\n)*[^\n]*}{}mg;    # directives, with continuations
    while (/\bLM_API\b[^;{}]*?\b(lm_\w+)\s*\(/g) { print "$1\n" }
' "${headers[@]}" | sort -u >"$tmp/declared"

if [ ! -s "$tmp/declared" ]; then
    fail "found no LM_API declarations in ${headers[*]} (parser or header broken)"
fi
comm -23 "$tmp/declared" "$tmp/exported" >"$tmp/missing"
comm -13 "$tmp/declared" <(grep '^lm_' "$tmp/exported" || true) >"$tmp/undeclared"
if [ -s "$tmp/missing" ]; then
    fail "declared LM_API in a public header but not exported by $so (not implemented, or hidden?):"
    sed 's/^/    /' "$tmp/missing" >&2
fi
if [ -s "$tmp/undeclared" ]; then
    fail "exported by $so but not declared LM_API in a public header (make them static or hidden, or declare them):"
    sed 's/^/    /' "$tmp/undeclared" >&2
fi

# ---- 4. symbol versions ------------------------------------------------------
# objdump -T lines: ADDR FLAGS SECTION<TAB>SIZE [VERSION] NAME. Undefined
# (imported) symbols are skipped; a missing version column means the library
# was linked without the version script. "(V)" marks a hidden (non-default)
# version, still acceptable if it is a LIBMATCH_1.x node.
objdump -T "$so" | awk -F'\t' '
    NF < 2 || $1 ~ /\*UND\*/ { next }
    {
        n = split($2, f, /[ \t]+/)
        # f[1] = size, then optional version, then name
        if (f[n] == "") n--
        name = f[n]; ver = (n >= 3) ? f[n - 1] : "<none>"
        gsub(/[()]/, "", ver)
        if (name == ver && name ~ /^LIBMATCH_/) next     # the version node itself
        print name, ver
    }
' >"$tmp/versions"
bad_ver=$(awk '$2 !~ /^LIBMATCH_1\.[0-9]+$/ { print "    " $1 " (version " $2 ")" }' "$tmp/versions" | sort)
if [ -s "$tmp/versions" ] && ! awk '$2 != "<none>" { found = 1 } END { exit !found }' "$tmp/versions"; then
    fail "no exported symbol has a version at all (link with -Wl,--version-script=libmatch/libmatch.map)"
elif [ -n "$bad_ver" ]; then
    fail "exported symbols without a LIBMATCH_1.x version node (link with --version-script=libmatch/libmatch.map):"
    printf '%s\n' "$bad_ver" >&2
fi
n_versioned=$(wc -l <"$tmp/versions")
if [ "$n_versioned" -ne "$(wc -l <"$tmp/exported")" ]; then
    fail "objdump -T lists $n_versioned defined symbols but nm -D lists $(wc -l <"$tmp/exported")"
fi

n_declared=$(wc -l <"$tmp/declared")
if [ "$errors" -ne 0 ]; then
    echo "check-symbols: $so: $errors check(s) FAILED ($n_exported lm_ symbols exported, $n_declared declared LM_API)" >&2
    exit 1
fi
echo "check-symbols: $so: ok: $n_exported symbols checked (all lm_*, all declared LM_API," \
     "all versioned LIBMATCH_1.x, SONAME $soname)"
