"""The code of docs/python.md really runs: every ```python block, in order, as
one script (blocks preceded by an <!-- not run: ... --> comment are skipped)."""
import os
import re
import subprocess
import sys

from conftest import PKG, ROOT, build_dir

DOC = ROOT / "docs" / "python.md"


def python_blocks(text):
    blocks = []
    for m in re.finditer(r"^```python\n(.*?)^```", text, re.S | re.M):
        before = text[:m.start()].rstrip().splitlines()
        if before and before[-1].strip().startswith("<!-- not run"):
            continue
        blocks.append(m.group(1))
    return blocks


def test_docs_python_md_code_runs(tmp_path):
    blocks = python_blocks(DOC.read_text(encoding="utf-8"))
    assert len(blocks) >= 4
    script = tmp_path / "doc.py"
    script.write_text("\n".join(blocks))
    env = dict(os.environ, PYTHONPATH=str(PKG), PYTHONDONTWRITEBYTECODE="1")
    r = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr[-3000:]
    out = r.stdout
    assert "vacancy 500 / candidate 1: score" in out
    assert "feasible pairs" in out
    assert "-4 candidates: dim 17, pool has 16" in out
    assert "no vacancy with id 42" in out
    assert "closed:" in out


def test_skipped_blocks_still_compile():
    text = DOC.read_text(encoding="utf-8")
    for m in re.finditer(r"^```python\n(.*?)^```", text, re.S | re.M):
        compile(m.group(1), "docs/python.md", "exec")


# ---- README.md: the commands a new user copies ----
README = ROOT / "README.md"


def readme_block(kind, lang):
    text = README.read_text(encoding="utf-8")
    m = re.findall(r"<!-- " + kind + ": " + lang + r" -->\s*```\w*\n(.*?)^```", text, re.S | re.M)
    assert len(m) == 1, f"README.md: expected one block after <!-- {kind}: {lang} -->"
    return m[0]


def test_readme_python_is_debians():
    """A bare `python3` may be another interpreter without numpy: every command
    of the README names /usr/bin/python3."""
    bare = [line for line in README.read_text(encoding="utf-8").splitlines()
            if re.search(r"(^|[\s`;(])python3(\s|$)", line)]
    assert not bare, "bare python3 in README.md:\n" + "\n".join(bare)


def test_readme_examples_build_lines():
    """Each C example has a build line in the README; nightly_batch.c needs -lm."""
    text = README.read_text(encoding="utf-8")
    for src in sorted((ROOT / "examples").glob("*.c")):
        lines = [ln for ln in text.splitlines() if ln.startswith("cc ") and f"examples/{src.name}" in ln]
        assert lines, f"no build line for examples/{src.name}"
        if src.name == "nightly_batch.c":
            assert all(" -lm" in ln for ln in lines), lines


def test_readme_install_then_run(tmp_path):
    """The README's `make install PREFIX=$HOME/.local` block, run as written
    (HOME is a temporary directory) on the README's first.c: the program runs
    without LD_LIBRARY_PATH and prints the README's output."""
    block = readme_block("example", "install")
    assert "-Wl,-rpath," in block
    build = build_dir()
    script = block.replace("make install", f"make -C '{ROOT}' --no-print-directory BUILD='{build}' install")
    (tmp_path / "first.c").write_text(readme_block("example", "c"))
    env = {k: v for k, v in os.environ.items() if k not in ("LD_LIBRARY_PATH", "PKG_CONFIG_PATH")}
    env["HOME"] = str(tmp_path)
    r = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, env=env, capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    want = readme_block("example-output", "c")
    assert r.stdout.endswith(want), r.stdout[-2000:]
    assert (tmp_path / ".local" / "lib" / "libmatch.so.1").exists()
