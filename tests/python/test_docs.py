"""The code of docs/python.md really runs: every ```python block, in order, as
one script (blocks preceded by an <!-- not run: ... --> comment are skipped)."""
import os
import re
import subprocess
import sys

from conftest import PKG, ROOT

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
