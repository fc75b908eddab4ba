#!/usr/bin/env bash
# Documentation checks (the `docs` step of make test).
#
# Usage: scripts/check-docs.sh BUILD
#
#   1. `make BUILD=BUILD docs`: Doxygen over libmatch/include/libmatch/*.h with
#      warnings as errors (docs/Doxyfile), so an undocumented public function,
#      parameter, return value, struct field, enumerator or macro fails;
#   2. per public header: every LM_API function declaration is preceded by a
#      Doxygen comment block (/** ... */ or ///), checked without Doxygen;
#   3. links: every relative link in README.md and docs/*.md points to a file
#      that exists (no dead links between our documents), and every docs/*.md
#      is listed in the index docs/README.md;
#   4. README.md starts with the two commands (make demo, make test).
# Doxygen is installed through scripts/install-deps.sh when missing.
# Counts go to $LM_TEST_LOGS/totals as "docs PASSED FAILED".
set -uo pipefail
if [ $# -ne 1 ]; then
    echo "usage: $0 BUILD" >&2
    exit 2
fi
BUILD=$1
root=$(cd "$(dirname "$0")/.." && pwd)
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
cd "$root" || exit 1
build_rel=$BUILD
case $BUILD in "$root"/*) build_rel=${BUILD#"$root"/} ;; esac
logs=${LM_TEST_LOGS:-$BUILD/test-logs}
mkdir -p "$logs" "$BUILD"
PY=${LM_PYTHON:-/usr/bin/python3}
command -v "$PY" >/dev/null 2>&1 || PY=python3

pass=0
fail=0
result() { # NAME STATUS
    if [ "$2" -eq 0 ]; then pass=$((pass + 1)); printf '  ok    %s\n' "$1"
    else fail=$((fail + 1)); printf '  FAIL  %s\n' "$1"; fi
}

# 1. Doxygen, warnings as errors
if ! command -v doxygen >/dev/null 2>&1; then
    scripts/install-deps.sh test || true
fi
dlog=$logs/doxygen.log
rc=0
make --no-print-directory BUILD="$build_rel" docs >"$dlog" 2>&1 || rc=$?
if [ "$rc" -ne 0 ]; then
    echo "docs: make docs failed (Doxygen warnings are errors); $dlog:"
    grep -E 'warning|error' "$dlog" | head -n 60
    [ -s "$dlog" ] && ! grep -qE 'warning|error' "$dlog" && tail -n 20 "$dlog"
elif [ ! -s "$BUILD/docs/html/index.html" ]; then
    echo "docs: no $BUILD/docs/html/index.html"
    rc=1
fi
result "make docs: Doxygen without warnings" "$rc"

# 2-4. the checks that need no Doxygen, one result per line "ok|FAIL NAME"
while IFS='|' read -r status name; do
    [ -n "$status" ] || continue
    if [ "$status" = ok ]; then result "$name" 0; else result "$name" 1; fi
done < <("$PY" - <<'PYEOF'
import glob, os, re, sys

out = []          # (ok, name)
notes = []

# 2. every LM_API function has a Doxygen block right before it
for path in sorted(glob.glob("libmatch/include/libmatch/*.h")):
    lines = open(path, encoding="utf-8").read().split("\n")
    missing = []
    n_fn = 0
    for i, line in enumerate(lines):
        if not re.match(r"\s*LM_API\b", line):
            continue
        m = re.search(r"\b(lm_\w+)\s*\(", " ".join(lines[i:i + 3]))
        if not m:
            continue
        n_fn += 1
        j = i - 1
        while j >= 0 and lines[j].strip() == "":
            j -= 1
        prev = lines[j].strip() if j >= 0 else ""
        ok = False
        if prev.startswith("///"):
            ok = True
        elif prev.endswith("*/"):
            k = j
            while k >= 0 and "/*" not in lines[k]:
                k -= 1
            start = lines[k].strip() if k >= 0 else ""
            ok = start.startswith("/**") and not start.startswith("/**<") or start.startswith("/*!")
            body = " ".join(l.strip(" */") for l in lines[k:j + 1]).strip()
            ok = ok and len(body) > 3
        if not ok:
            missing.append(f"{m.group(1)} (line {i + 1})")
    if n_fn:
        name = f"{path}: every LM_API function ({n_fn}) has a Doxygen comment"
        out.append((not missing, name))
        if missing:
            notes.append(f"{path}: no /** ... */ or /// block right before: " + ", ".join(missing))

# 3. links between our documents
docs = sorted(glob.glob("docs/*.md"))
dead = []
link_re = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
for path in ["README.md"] + docs:
    text = open(path, encoding="utf-8").read()
    text = re.sub(r"```.*?```", "", text, flags=re.S)       # not inside code blocks
    for target in link_re.findall(text):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue                                        # http:, mailto:, same-page anchors
        file = target.split("#")[0]
        resolved = os.path.normpath(os.path.join(os.path.dirname(path), file))
        if not os.path.exists(resolved):
            dead.append(f"{path}: ({target}) -> {resolved} does not exist")
    # docs/NAME.md mentioned in prose or in `code` also counts as a reference
    for mention in re.findall(r"\bdocs/([A-Za-z0-9_.-]+\.md)\b", text):
        if not os.path.exists(os.path.join("docs", mention)):
            dead.append(f"{path}: mentions docs/{mention}, which does not exist")
out.append((not dead, "README.md and docs/*.md: no dead relative links"))
notes += dead

index = open("docs/README.md", encoding="utf-8").read() if os.path.exists("docs/README.md") else ""
unlisted = [d for d in docs if os.path.basename(d) != "README.md"
            and f"({os.path.basename(d)})" not in index and f"({d})" not in index]
out.append((bool(index) and not unlisted, "docs/README.md lists every docs/*.md"))
if unlisted:
    notes.append("not in docs/README.md: " + ", ".join(unlisted))

# 4. the README starts with the two commands
head = open("README.md", encoding="utf-8").read().split("\n")[:8]
ok = head[0].startswith("# libmatch") and any(l.startswith("make demo") for l in head) \
    and any(l.startswith("make test") for l in head)
out.append((ok, "README.md starts with `make demo` and `make test`"))

for ok, name in out:
    print(("ok" if ok else "FAIL") + "|" + name)
for n in notes:
    print("docs: " + n, file=sys.stderr)
PYEOF
)

echo "docs: $pass passed, $fail failed"
echo "docs $pass $fail" >>"$logs/totals"
[ "$fail" -eq 0 ]
