"""Install the libmatch Python binding (pure Python: ctypes + numpy; no compiler).

Works offline with Debian's setuptools (python3-setuptools), for example:

    pip install bindings/python
    python3 -m venv --system-site-packages venv
    venv/bin/pip install --no-index --no-build-isolation bindings/python

There is deliberately no pyproject.toml: with one, pip would build in an
isolated environment and try to download setuptools from the package index.

The C library is not part of the package. At run time the binding looks for it
through LIBMATCH_LIBRARY, then the build directory of the repository the
package was installed from (recorded at build time in libmatch/_buildinfo.py;
override with LIBMATCH_BUILD_DIR=/abs/path/to/build when installing), then the
installed location (`make install`).
"""
import os

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))


class BuildPy(build_py):
    """Also write libmatch/_buildinfo.py (into the build tree only, never into
    the source tree) with the repository's build directory."""

    def run(self):
        super().run()
        build_dir = os.environ.get("LIBMATCH_BUILD_DIR") or os.path.join(
            os.path.dirname(os.path.dirname(HERE)), "build")
        target = os.path.join(self.build_lib, "libmatch", "_buildinfo.py")
        self.mkpath(os.path.dirname(target))
        with open(target, "w", encoding="utf-8") as f:
            f.write('"""Written by setup.py at build time."""\n')
            f.write(f"BUILD_DIR = {os.path.abspath(build_dir)!r}\n")
        # the O*NET skill profiles of libmatch.vectors (CC BY 4.0, attribution kept beside them)
        data = os.path.join(os.path.dirname(os.path.dirname(HERE)), "libmatch", "data")
        if os.path.isdir(data):
            for name in ("onet_skills.csv", "ATTRIBUTION.md"):
                self.copy_file(os.path.join(data, name), os.path.join(self.build_lib, "libmatch", "data", name))


setup(cmdclass={"build_py": BuildPy})
