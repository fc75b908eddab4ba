#!/usr/bin/env bash
# Check `make install` / `make uninstall` as a user of the installed library
# would see them: files in place, pkg-config flags sufficient to build and run
# a program, and nothing left behind after uninstall.
#
# Usage: scripts/check-install.sh BUILD
#
# Steps (into a mktemp -d staging root, removed on exit, also on failure):
#   1. make install DESTDIR=$tmp/root PREFIX=/usr/local BUILD=BUILD
#   2. header(s), libmatch.a, libmatch.so.VERSION, the relative symlinks
#      libmatch.so.1 and libmatch.so, libmatch.pc and bin/lmatch are in place;
#      VERSION in the Makefile, LM_VERSION_STRING and the .pc's Version agree.
#   3. a small C11 program (calls lm_version_string/number, lm_pool_create/
#      free, lm_strerror) is compiled with ONLY the flags from the installed
#      .pc (pkg-config --cflags --libs libmatch), run with LD_LIBRARY_PATH at
#      the installed lib dir, and ldd must resolve libmatch.so.1 from there.
#   4. the same program links statically against libmatch.a using
#      pkg-config --static --libs (tests Libs.private) and runs.
#   5. lmatch --version runs and prints the version.
#   6. make uninstall with the same variables leaves no file in the root.
#
# pkg-config: PKG_CONFIG_SYSROOT_DIR makes pkgconf prefix -I/-L with the
# staging root. If the pkg-config in use does not (checked), we fall back to a
# copy of the .pc whose absolute prefix/libdir/includedir point into the root.
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 BUILD" >&2
    exit 2
fi
build=$1
root=$(cd "$(dirname "$0")/.." && pwd)
# Keep a relative BUILD meaningful when called from elsewhere than the root.
case $build in /*) ;; *) [ "$PWD" = "$root" ] || build=$PWD/$build ;; esac
cd "$root"

errors=0
fail() { echo "check-install: FAILED: $*" >&2; errors=$((errors + 1)); }
die() { echo "check-install: FAILED: $*" >&2; exit 1; }
say() { echo "check-install: $*"; }

for tool in make pkg-config ldd "${CC:-cc}"; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found"
done
cc_bin=${CC:-cc}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/libmatch-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM      # run the EXIT trap on ^C as well
dest=$tmp/root
work=$tmp/work
mkdir -p "$dest" "$work"

prefix=/usr/local
libdir=$prefix/lib
includedir=$prefix/include
bindir=$prefix/bin
pcdir=$libdir/pkgconfig
# Pass every directory explicitly so LIBDIR etc. from the environment or a
# parent make's MAKEFLAGS cannot move the files away from where we look.
make_vars=(DESTDIR="$dest" PREFIX="$prefix" LIBDIR="$libdir" INCLUDEDIR="$includedir"
           BINDIR="$bindir" PKGCONFIGDIR="$pcdir" BUILD="$build")

version=$(sed -n 's/^VERSION[[:space:]]*:\{0,1\}=[[:space:]]*//p' Makefile | head -n 1)
soversion=$(sed -n 's/^SOVERSION[[:space:]]*:\{0,1\}=[[:space:]]*//p' Makefile | head -n 1)
hdr_version=$(cat libmatch/include/libmatch/*.h | sed -n 's/^#define LM_VERSION_STRING "\(.*\)"/\1/p')
if [ -z "$version" ] || [ -z "$soversion" ]; then die "cannot read VERSION/SOVERSION from the Makefile"; fi
[ "$version" = "$hdr_version" ] ||
    fail "Makefile VERSION $version != LM_VERSION_STRING \"$hdr_version\" in the public headers"

# ---- 1. install ------------------------------------------------------------
say "make install ${make_vars[*]}"
if ! make --no-print-directory install "${make_vars[@]}" >"$tmp/install.log" 2>&1; then
    cat "$tmp/install.log" >&2
    die "make install failed"
fi

# ---- 2. files in place -----------------------------------------------------
L=$dest$libdir
I=$dest$includedir/libmatch
B=$dest$bindir
PC=$dest$pcdir/libmatch.pc

for h in libmatch/include/libmatch/*.h; do
    inst=$I/$(basename "$h")
    if [ ! -f "$inst" ]; then fail "header $inst not installed"
    elif ! cmp -s "$h" "$inst"; then fail "installed $inst differs from $h"
    elif [ -x "$inst" ]; then fail "header $inst is executable (expected mode 0644)"
    fi
done
if [ ! -f "$L/libmatch.a" ] || [ -L "$L/libmatch.a" ]; then fail "$L/libmatch.a missing"; fi
if [ ! -f "$L/libmatch.so.$version" ] || [ -L "$L/libmatch.so.$version" ]; then
    fail "$L/libmatch.so.$version missing (or not a regular file)"
fi
# Relative symlinks, so the tree still works after DESTDIR staging is moved.
check_link() { # LINK EXPECTED-TARGET
    if [ ! -L "$1" ]; then fail "$1 is not a symlink"
    elif [ "$(readlink "$1")" != "$2" ]; then fail "$1 -> $(readlink "$1"), expected -> $2"
    elif [ ! -e "$1" ]; then fail "$1 is a dangling symlink"
    fi
}
check_link "$L/libmatch.so.$soversion" "libmatch.so.$version"
check_link "$L/libmatch.so" "libmatch.so.$soversion"
[ -f "$PC" ] || fail "$PC missing"
if [ ! -f "$B/lmatch" ] || [ ! -x "$B/lmatch" ]; then fail "$B/lmatch missing or not executable"; fi
[ "$errors" -eq 0 ] || die "installed tree incomplete:$(cd "$dest" && find . ! -type d | sed 's/^/ /' | tr '\n' ' ')"
say "files in place: headers, libmatch.a, libmatch.so.$version, symlinks, libmatch.pc, lmatch"

# The .pc must describe the real prefix (a stale BUILD/libmatch.pc generated
# for another PREFIX would not be rebuilt by make).
pc_prefix=$(PKG_CONFIG_PATH=$dest$pcdir pkg-config --variable=prefix libmatch)
pc_libdir=$(PKG_CONFIG_PATH=$dest$pcdir pkg-config --variable=libdir libmatch)
pc_incdir=$(PKG_CONFIG_PATH=$dest$pcdir pkg-config --variable=includedir libmatch)
pc_version=$(PKG_CONFIG_PATH=$dest$pcdir pkg-config --modversion libmatch)
if [ "$pc_prefix" != "$prefix" ] || [ "$pc_libdir" != "$libdir" ] || [ "$pc_incdir" != "$includedir" ]; then
    fail "libmatch.pc has prefix=$pc_prefix libdir=$pc_libdir includedir=$pc_incdir;" \
         "expected $prefix, $libdir, $includedir (stale $build/libmatch.pc from another PREFIX?)"
fi
[ "$pc_version" = "$version" ] || fail "libmatch.pc Version $pc_version != $version"

# ---- 3. build and run a program with the .pc's flags ------------------------
pc() { PKG_CONFIG_SYSROOT_DIR=$dest PKG_CONFIG_PATH=$dest$pcdir pkg-config "$@" libmatch; }
flags=$(pc --cflags --libs)
if [[ " $flags " != *" -I$dest$includedir "* && " $flags " != *" -I$dest$includedir/"* ]] ||
   [[ " $flags " != *" -L$dest$libdir "* ]]; then
    # This pkg-config does not apply the sysroot: use a relocated copy instead.
    say "pkg-config ignored PKG_CONFIG_SYSROOT_DIR ($flags); using a relocated copy of libmatch.pc"
    mkdir -p "$tmp/pc"
    sed -E "s#^(prefix|exec_prefix|libdir|includedir)=/#\1=$dest/#" "$PC" >"$tmp/pc/libmatch.pc"
    pc() { PKG_CONFIG_PATH=$tmp/pc pkg-config "$@" libmatch; }
    flags=$(pc --cflags --libs)
fi
static_flags=$(pc --cflags --static --libs)
say "pkg-config --cflags --libs libmatch: $flags"

cat >"$work/prog.c" <<'EOF'
/* Written by scripts/check-install.sh: uses the installed libmatch only. */
#include <libmatch/libmatch.h>
#include <stdio.h>
#include <string.h>

int main(void) {
    int bad = 0;
    const char *vs = lm_version_string();
    if (vs == NULL || strcmp(vs, LM_VERSION_STRING) != 0) {
        fprintf(stderr, "lm_version_string() = \"%s\", header says \"%s\"\n",
                vs ? vs : "(null)", LM_VERSION_STRING);
        bad = 1;
    }
    if (lm_version_number() != (unsigned)LM_VERSION_NUMBER) {
        fprintf(stderr, "lm_version_number() = %u, LM_VERSION_NUMBER = %u\n",
                lm_version_number(), (unsigned)LM_VERSION_NUMBER);
        bad = 1;
    }
    lm_pool *p = NULL;
    int rc = lm_pool_create(&p, 8);
    if (rc != LM_OK || p == NULL) {
        fprintf(stderr, "lm_pool_create(&p, 8) = %d (%s), p = %p\n", rc, lm_strerror(rc), (void *)p);
        bad = 1;
    }
    lm_pool_free(p);
    lm_pool_free(NULL); /* free functions accept NULL */
    const char *e = lm_strerror(LM_ERR_NULL);
    if (e == NULL || e[0] == '\0') {
        fprintf(stderr, "lm_strerror(LM_ERR_NULL) is %s\n", e ? "empty" : "NULL");
        bad = 1;
    }
    if (!bad)
        printf("libmatch %s: ok\n", vs);
    return bad;
}
EOF

# Word splitting of the pkg-config output is intended (flags, no spaces).
# shellcheck disable=SC2086
if ! "$cc_bin" -std=c11 -Wall -Wextra -Werror -o "$work/prog" "$work/prog.c" $flags \
        >"$tmp/cc.log" 2>&1; then
    sed 's/^/  | /' "$tmp/cc.log" >&2
    die "compiling a program with the flags of libmatch.pc failed"
fi
if out=$(LD_LIBRARY_PATH=$L "$work/prog" 2>&1); then
    say "program linked against libmatch.so: $out"
else
    printf '%s\n' "$out" | sed 's/^/  | /' >&2
    fail "program linked against the installed libmatch.so failed"
fi

# ldd must resolve libmatch.so.1 from the staging root, not from elsewhere.
resolved=$(LD_LIBRARY_PATH=$L ldd "$work/prog" | awk -v so="libmatch.so.$soversion" '$1 == so { print $3 }')
if [ -z "$resolved" ] || [ "$resolved" = "not" ]; then
    fail "ldd does not resolve libmatch.so.$soversion for the program:"
    LD_LIBRARY_PATH=$L ldd "$work/prog" | sed 's/^/  | /' >&2
elif [ "$(readlink -f "$(dirname "$resolved")")" != "$(readlink -f "$L")" ]; then
    fail "ldd resolves libmatch.so.$soversion to $resolved, not to $L"
else
    say "ldd: libmatch.so.$soversion => $resolved"
fi

# ---- 4. static linking with Libs.private -----------------------------------
# Replace -lmatch by -l:libmatch.a so the linker cannot pick the .so.
static_flags=$(printf '%s\n' "$static_flags" | sed -E 's/(^|[[:space:]])-lmatch([[:space:]]|$)/\1-l:libmatch.a\2/')
# shellcheck disable=SC2086
if ! "$cc_bin" -std=c11 -Wall -Wextra -Werror -o "$work/prog-static" "$work/prog.c" $static_flags \
        >"$tmp/cc-static.log" 2>&1; then
    sed 's/^/  | /' "$tmp/cc-static.log" >&2
    fail "static link with pkg-config --static --libs libmatch failed (Libs.private incomplete?)"
elif env -u LD_LIBRARY_PATH ldd "$work/prog-static" | grep -q 'libmatch\.so'; then
    fail "static link still depends on libmatch.so"
elif ! out=$("$work/prog-static" 2>&1); then
    printf '%s\n' "$out" | sed 's/^/  | /' >&2
    fail "statically linked program failed"
else
    say "program linked against libmatch.a: $out"
fi

# ---- 5. the CLI --------------------------------------------------------------
run_cli=("$B/lmatch" --version)
command -v timeout >/dev/null 2>&1 && run_cli=(timeout 30 "${run_cli[@]}")
if ! out=$(LD_LIBRARY_PATH=$L "${run_cli[@]}" 2>&1 </dev/null); then
    printf '%s\n' "$out" | sed 's/^/  | /' >&2
    fail "lmatch --version failed"
elif [[ $out != *"$version"* ]]; then
    printf '%s\n' "$out" | sed 's/^/  | /' >&2
    fail "lmatch --version does not print the version $version"
else
    say "lmatch --version: $(printf '%s' "$out" | head -n 1)"
fi

# ---- 6. uninstall leaves nothing behind --------------------------------------
if ! make --no-print-directory uninstall "${make_vars[@]}" >"$tmp/uninstall.log" 2>&1; then
    cat "$tmp/uninstall.log" >&2
    fail "make uninstall failed"
fi
# The root was empty before `make install`, so any remaining non-directory
# (file or symlink) was installed and not removed.
left=$(cd "$dest" && find . ! -type d | sort)
if [ -n "$left" ]; then
    fail "make uninstall left files behind:"
    printf '%s\n' "$left" | sed "s#^\.#  $dest#" >&2
else
    say "make uninstall removed every installed file"
fi

if [ "$errors" -ne 0 ]; then
    echo "check-install: $errors check(s) FAILED" >&2
    exit 1
fi
say "all install checks passed"
