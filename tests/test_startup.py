"""A one-file check imports only what it uses: start-up is most of a pre-commit run
(see README, Performance). Each module named here cost 2 to 15 ms of a 70 ms run in a
fresh venv when it was imported by every run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from conftest import SEED

#: one check in a fresh process: the modules it imported that were not loaded at start
_PROGRAM = """
import sys
before = set(sys.modules)
from markcheck.cli import main
code = main(["check", sys.argv[1]])
print(code, " ".join(sorted(set(sys.modules) - before)), file=sys.stderr)
"""

#: never imported by a check of a plain cable outside a git work tree, with no configuration
NOT_IMPORTED = ("lark", "typing", "tomllib", "json", "hashlib", "tempfile", "secrets", "difflib", "shutil",
                "subprocess", "pathlib", "importlib.resources", "threading", "multiprocessing",
                "markcheck.protect", "markcheck.dialects.html")


def _imported(tmp_path, folder) -> set[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("GIT_DIR", None)
    env.pop("GIT_WORK_TREE", None)
    for _ in range(2):  # the first run makes the kept files (and imports Lark to do so)
        r = subprocess.run([sys.executable, "-c", _PROGRAM, str(folder)], capture_output=True, text=True,
                           env=env, cwd=str(folder), timeout=120)
    code, _, names = r.stderr.strip().splitlines()[-1].partition(" ")
    assert code == "0", r.stderr
    return set(names.split())


def test_a_one_file_check_imports_only_what_it_uses(tmp_path):
    folder = tmp_path / "cables"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    if any((p / ".git").exists() for p in folder.parents):
        import pytest

        pytest.skip("the temporary folder is inside a git work tree")
    imported = _imported(tmp_path, folder)
    assert "markcheck.rules.redaction" in imported  # (it did run the rules)
    assert not imported & set(NOT_IMPORTED), sorted(imported & set(NOT_IMPORTED))
