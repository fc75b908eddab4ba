#!/usr/bin/env bash
# Test of the ABI guard itself: build modified copies of the library and
# assert that abi/check.sh (the very check `make abi-check` runs, against the
# committed baselines) rejects every incompatible change and accepts pure
# additions.
#
# Usage: abi/test-guard.sh WORKDIR CC "CFLAGS" "LIBS" SOVERSION VERSION
#   (mk/abi.mk passes the normal build's compiler and flags, so the copies
#   are compiled exactly like the library that produced the baseline).
#
# Variants (each a copy of libmatch/ with one edit):
#   control      unchanged                               -> must pass
#   added        new function in a new version node
#                LIBMATCH_1.1, new enumerator appended   -> must pass
#   removed      lm_pool_dim no longer exported          -> must fail (abidiff)
#   struct       field inserted in lm_viewer             -> must fail (abidiff)
#   signature    lm_pool_count's side int32_t -> int64_t -> must fail (abidiff)
#   grown        field appended to lm_batch_options      -> must fail, and pass
#                only with a reviewed suppression in the abignore file
#   constant     LM_ERR_NOMEM -8 -> -80                  -> must fail (constants;
#                the constants check reads the headers, so the objects are
#                the control's)
#   leak         non-lm_ symbol exported                 -> must fail (symbols)
#   version      lm_strerror moved to node LIBMATCH_1.1  -> must fail (symbols)
# Appends "abi-guard PASSED FAILED" to $LM_TEST_LOGS/totals when set.
set -euo pipefail

if [ $# -ne 6 ]; then
    echo "usage: $0 WORKDIR CC CFLAGS LIBS SOVERSION VERSION" >&2
    exit 2
fi
work=$1 cc=$2 cflags=$3 libs=$4 soversion=$5 version=$6
root=$(cd "$(dirname "$0")/.." && pwd)
case $work in /*) ;; *) work=$PWD/$work ;; esac
cd "$root"
# The copies must not see the tree's own headers.
# -O0: debug info describes the same types and signatures at any level (the
# control variant proves it against the -O2 baseline), and it compiles faster.
cflags=$(printf '%s' "$cflags" | sed -e 's#-Ilibmatch/include##g' -e 's#-Ilibmatch/src##g' -e 's#-O[0-9sgz]\b#-O0#g')

rm -rf "$work"
mkdir -p "$work/base"
# One snapshot of the sources for every variant (others edit the tree meanwhile).
cp -r libmatch/include libmatch/src libmatch/libmatch.map "$work/base/"
passed=0 failed=0
t0=$SECONDS

# Apply a perl substitution to files; fail loudly if it changed nothing, so
# a refactoring of the sources cannot make a variant silently test nothing.
edit() { # dir perl-expr file...
    local dir=$1 expr=$2
    shift 2
    local changed=0 f
    for f in "$@"; do
        local before
        before=$(cksum <"$dir/$f")
        perl -0777 -pi -e "$expr" "$dir/$f"
        [ "$(cksum <"$dir/$f")" != "$before" ] && changed=1
    done
    if [ "$changed" -eq 0 ]; then
        echo "abi-guard: edit '$expr' changed nothing in $* (sources refactored? update abi/test-guard.sh)" >&2
        return 1
    fi
}

# Build the copy in dir. Sources listed in $rebuild ("all" or file names
# under src/, "" = none) are compiled; the other objects are taken from the
# control copy, so variants that only touch the version script or one file
# cost a link, not a build.
build() { # dir
    local d=$1 f objs=() todo=()
    mkdir -p "$d/obj"
    for f in "$d"/src/*.c; do
        local o
        o="$d/obj/$(basename "${f%.c}").o"
        objs+=("$o")
        if [ "$rebuild" = all ] || [[ " $rebuild " == *" $(basename "$f") "* ]]; then
            todo+=("$f")
        else
            cp "$work/control/obj/$(basename "$o")" "$o"
        fi
    done
    # two parallel compiles at most (shared machine)
    # shellcheck disable=SC2086
    [ ${#todo[@]} -eq 0 ] || printf '%s\n' "${todo[@]}" | xargs -P 2 -I{} sh -c \
        'f={}; o='"$d"'/obj/$(basename "${f%.c}").o; exec '"$cc"' -I'"$d"'/include -I'"$d"'/src '"$cflags"' -c "$f" -o "$o"'
    # shellcheck disable=SC2086
    "$cc" -shared -o "$d/libmatch.so.$version" "${objs[@]}" -Wl,-soname,libmatch.so."$soversion" \
        -Wl,--version-script="$d/libmatch.map" -Wl,-z,defs -Wl,--as-needed $libs -pthread
}

# variant NAME EXPECT(pass|fail) EXPECT_TEXT SETUP_FUNCTION REBUILD [SUPPRESSIONS]
variant() {
    local name=$1 expect=$2 text=$3 setup=$4 rebuild=$5 suppr=${6:-$root/abi/libmatch.abignore}
    local d=$work/$name
    if [ ! -d "$d/src" ]; then
        mkdir -p "$d"
        cp -r "$work/base/include" "$work/base/src" "$work/base/libmatch.map" "$d/"
        if ! "$setup" "$d"; then
            echo "abi-guard: $name: FAILED (could not apply the change)"
            failed=$((failed + 1))
            return
        fi
        if ! build "$d" >"$d/build.log" 2>&1; then
            echo "abi-guard: $name: FAILED (the modified copy does not build; see $d/build.log)"
            tail -n 20 "$d/build.log" | sed 's/^/    /'
            failed=$((failed + 1))
            return
        fi
    fi
    local rc=0
    ABI_HEADERS=$d/include/libmatch ABI_MAP=$d/libmatch.map ABI_SUPPRESSIONS=$suppr ABI_QUIET=1 \
        "$root/abi/check.sh" check "$d/libmatch.so.$version" "$d/out" "$soversion" "$version" \
        >"$d/check.log" 2>&1 || rc=$?
    local ok=1 why=
    if [ "$expect" = pass ]; then
        [ "$rc" -eq 0 ] || { ok=0; why="the check rejected a compatible change (status $rc)"; }
    else
        if [ "$rc" -eq 0 ]; then
            ok=0; why="the check accepted an incompatible change"
        elif ! grep -q -- "$text" "$d/check.log"; then
            ok=0; why="the check failed, but its report does not mention '$text'"
        fi
    fi
    if [ "$ok" -eq 1 ]; then
        passed=$((passed + 1))
        if [ "$expect" = pass ]; then
            echo "abi-guard: $name: ok (accepted)"
        else
            echo "abi-guard: $name: ok (rejected: $(grep -m1 'FAILED' "$d/check.log" | sed 's/^abi-check: FAILED: //' | cut -c1-90))"
        fi
    else
        failed=$((failed + 1))
        echo "abi-guard: $name: FAILED: $why; report:"
        sed 's/^/    /' "$d/check.log" | head -n 40
    fi
}

setup_control() { :; }
setup_added() {
    edit "$1" 's/(\n#ifdef __cplusplus\n\}\n#endif\n#endif[^\n]*\n?)$/\nLM_API int lm_abi_guard_probe(void);\n$1/' include/libmatch/core.h &&
    edit "$1" 's/(\n(\s*)LM_OK = 0,)/$1\n$2LM_ERR_GUARD_PROBE = -999,/' include/libmatch/core.h &&
    printf '\nint lm_abi_guard_probe(void) { return 42; }\n' >>"$1/src/error.c" &&
    printf '\nLIBMATCH_%s.99 {\n  global:\n    lm_abi_guard_probe;\n} LIBMATCH_%s.0;\n' "$soversion" "$soversion" >>"$1/libmatch.map"
}
setup_removed() {
    edit "$1" 's/(global:\s*lm_\*;\s*local:)/$1\n    lm_pool_dim;/' libmatch.map
}
setup_struct() {
    edit "$1" 's/(typedef struct lm_viewer \{\s*size_t struct_size;)/$1\n    int32_t inserted;/' include/libmatch/core.h
}
setup_signature() {
    local f
    f=$(grep -l 'lm_pool_count(size_t \*out' "$1"/src/*.c)
    edit "$1" 's/(lm_pool_count\(size_t \*out, lm_pool \*\w+, )int32_t side/${1}int64_t side/' include/libmatch/core.h &&
    edit "$1" 's/(lm_pool_count\(size_t \*out, lm_pool \*\w+, )int32_t side/${1}int64_t side/' "src/$(basename "$f")"
}
setup_grown() {
    edit "$1" 's/(\n\} lm_batch_options;)/\n    uint32_t appended;$1/' include/libmatch/core.h
}
setup_constant() {
    edit "$1" 's/LM_ERR_NOMEM = -8,/LM_ERR_NOMEM = -80,/' include/libmatch/core.h
}
setup_leak() {
    printf '\nLM_API int leaked_helper(void);\nint leaked_helper(void) { return 1; }\n' >>"$1/src/error.c" &&
    edit "$1" 's/(global:\s*lm_\*;)/$1\n    leaked_helper;/' libmatch.map
}
setup_version() {
    printf '\nLIBMATCH_%s.99 {\n  global:\n    lm_strerror;\n} LIBMATCH_%s.0;\n' "$soversion" "$soversion" >>"$1/libmatch.map"
}

reviewed=$work/reviewed.abignore
cat "$root/abi/libmatch.abignore" >"$reviewed"
cat >>"$reviewed" <<'EOF'
[suppress_type]
  # guard test: a reviewed append at the end of a struct_size-versioned struct
  name = lm_batch_options
  has_data_member_inserted_at = end
EOF

# Header changes rebuild everything (every object's debug info describes the
# public types); version-script changes only relink.
variant control   pass ''                 setup_control   all
variant added     pass ''                 setup_added     all
variant removed   fail 'lm_pool_dim'      setup_removed   ''
variant struct    fail 'lm_viewer'        setup_struct    all
variant signature fail 'lm_pool_count'    setup_signature all
variant grown     fail 'lm_batch_options' setup_grown     all
variant grown     pass ''                 setup_grown     all "$reviewed"
variant constant  fail 'LM_ERR_NOMEM'     setup_constant  ''
variant leak      fail 'leaked_helper'    setup_leak      error.c
variant version   fail 'lm_strerror'      setup_version   ''

echo "abi-guard: $passed passed, $failed failed ($((SECONDS - t0)) s; copies in $work)"
if [ -n "${LM_TEST_LOGS:-}" ]; then echo "abi-guard $passed $failed" >>"$LM_TEST_LOGS/totals"; fi
[ "$failed" -eq 0 ]
