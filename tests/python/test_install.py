"""`pip install bindings/python` works offline into a fresh virtual
environment made with Debian's python (--system-site-packages, for numpy),
and the installed package imports and prints the library version."""
import os
import shutil
import subprocess
import sys

import pytest

import libmatch as lm
from conftest import PKG, build_dir

PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=180, **kw)
    assert r.returncode == 0, f"{cmd}\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}"
    return r.stdout


def test_pip_install_into_fresh_venv(tmp_path):
    if subprocess.run([PYTHON, "-c", "import venv, ensurepip"], capture_output=True).returncode:
        pytest.skip("python3-venv is not installed")
    # Install from a copy: pip builds in the source tree (build/, *.egg-info),
    # and the shared tree must stay clean.
    src = tmp_path / "src"
    shutil.copytree(PKG, src, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    venv = tmp_path / "venv"
    # --without-pip saves the slow ensurepip step (seconds on a loaded machine):
    # `venv/bin/python -m pip` then runs Debian's pip (the same 23.x that
    # ensurepip would copy in) from the system site-packages, installing into
    # the venv. Set LIBMATCH_TEST_VENV_PIP=1 to test with the venv's own pip.
    with_pip = os.environ.get("LIBMATCH_TEST_VENV_PIP") == "1"
    run([PYTHON, "-m", "venv", "--system-site-packages"] + ([] if with_pip else ["--without-pip"]) + [str(venv)])
    vpy = str(venv / "bin" / "python")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "LIBMATCH_LIBRARY", "PIP_INDEX_URL")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    # Record this build directory in the installed package (see setup.py).
    env["LIBMATCH_BUILD_DIR"] = str(build_dir().resolve())
    run([vpy, "-m", "pip", "install", "--no-index", "--no-build-isolation", "-q", str(src)], env=env, cwd=tmp_path)
    env.pop("LIBMATCH_BUILD_DIR")
    code = "import libmatch; print(libmatch.version()); print(libmatch.__file__); print(libmatch.library_path())"
    out = run([vpy, "-c", code], env=env, cwd=tmp_path).split("\n")
    assert out[0] == lm.version()
    assert out[1].startswith(str(venv)), "imported the installed copy, not the source tree"
    assert out[2] == str(build_dir().resolve() / "libmatch.so.1")
    # LIBMATCH_LIBRARY still wins
    env["LIBMATCH_LIBRARY"] = os.environ["LIBMATCH_LIBRARY"]
    assert run([vpy, "-c", "import libmatch; print(libmatch.version())"], env=env, cwd=tmp_path).strip() == lm.version()
    # and a wrong one gives a clear ImportError
    env["LIBMATCH_LIBRARY"] = str(tmp_path / "nowhere" / "libmatch.so.1")
    r = subprocess.run([vpy, "-c", "import libmatch"], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode != 0 and "LibraryLoadError" in r.stderr and "LIBMATCH_LIBRARY" in r.stderr
    # the package data made it: type information
    assert (venv / "lib").exists()
    assert list(venv.glob("lib/python3*/site-packages/libmatch/py.typed"))
