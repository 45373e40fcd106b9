"""The pre-commit hook, run by pre-commit itself with this checkout as the hook repo.

``pre-commit try-repo`` installs the hook the way a user's ``.pre-commit-config.yaml``
would (a virtualenv, ``pip install`` of the hook repo) and runs it on the files
given. try-repo only sees a repo's committed, modified and staged files, so the test
hands it a snapshot of this checkout's working tree (tracked and untracked files,
minus what .gitignore ignores) committed in a temporary git repo: the hook under test
is exactly the code in front of you. The two runs (a bad cable: the hook fails with
the diagnostic; a good one: it passes and the commit goes in) install in parallel to
keep the test short.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SEED

BAD = "SIPDIS\n\nE.O. 12958: DECL: 12/15/2027\nTAGS: PREL\nSUBJECT: X\n\n1. (S) Text.\n"

_SKIP_DIRS = {".git", ".venv", "build", "dist", ".hypothesis", ".pytest_cache", "__pycache__",
              ".benchmarks"}


def _pre_commit() -> list[str]:
    exe = shutil.which("pre-commit")
    if exe:
        return [exe]
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        reason = "pre-commit is not installed (pip install pre-commit; it is a test dependency)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason + "; CI must have it")
        pytest.skip(reason)
    return [sys.executable, "-m", "pre_commit"]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}  # e.g. run from a hook
    env.update(GIT_AUTHOR_NAME="markcheck test", GIT_AUTHOR_EMAIL="test@example.invalid",
               GIT_COMMITTER_NAME="markcheck test", GIT_COMMITTER_EMAIL="test@example.invalid",
               PRE_COMMIT_COLOR="never", NO_COLOR="1")
    env.pop("PRE_COMMIT_HOME", None)
    return env


def git(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, env=_env(), capture_output=True, text=True,
                          check=True, timeout=120)


def _init(repo: Path) -> None:
    repo.mkdir(parents=True, exist_ok=True)
    git("init", "-q", cwd=repo)
    git("config", "user.name", "markcheck test", cwd=repo)
    git("config", "user.email", "test@example.invalid", cwd=repo)
    git("config", "commit.gpgsign", "false", cwd=repo)


def _snapshot(dest: Path) -> Path:
    """This checkout's working tree as a one-commit git repo at ``dest``."""
    if (ROOT / ".git").exists():
        listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                                cwd=ROOT, env=_env(), capture_output=True, check=True, timeout=120)
        files = [f for f in listed.stdout.decode().split("\0") if f]
    else:  # an unpacked source tree
        files = [str(p.relative_to(ROOT)) for p in ROOT.rglob("*")
                 if p.is_file() and not _SKIP_DIRS & set(p.relative_to(ROOT).parts)]
    for rel in files:
        src = ROOT / rel
        if src.is_file() and not _SKIP_DIRS & set(Path(rel).parts):
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    assert (dest / ".pre-commit-hooks.yaml").is_file()
    _init(dest)
    git("add", "-A", cwd=dest)
    git("commit", "-q", "-m", "snapshot of the markcheck checkout", cwd=dest)
    return dest


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_pre_commit_hook_fails_on_a_bad_cable_and_passes_a_good_one(tmp_path):
    pre_commit = _pre_commit()
    hook_repo = _snapshot(tmp_path / "hook-repo")
    cases = {"bad": ("cables/bad.txt", BAD), "good": ("cables/good.txt", SEED.read_text())}
    runs = {}
    for case, (rel, text) in cases.items():
        repo = tmp_path / f"archive-{case}"
        _init(repo)
        (repo / "README.md").write_text("# An archive of cables\n")
        git("add", "README.md", cwd=repo)
        git("commit", "-q", "-m", "start", cwd=repo)
        (repo / rel).parent.mkdir(parents=True)
        (repo / rel).write_text(text)
        git("add", rel, cwd=repo)
        # what the hook does on `git commit`: run on the staged files
        runs[case] = (repo, rel, subprocess.Popen(
            [*pre_commit, "try-repo", str(hook_repo), "markcheck", "--files", rel],
            cwd=repo, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    outputs = {}
    for case, (repo, rel, proc) in runs.items():
        try:
            out, _ = proc.communicate(timeout=600)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
        outputs[case] = (proc.returncode, out)

    code, out = outputs["bad"]
    assert code == 1, out
    assert "markcheck" in out and "Failed" in out
    assert "cables/bad.txt:1:1: S101 " in out                    # the diagnostic, as the user sees it

    code, out = outputs["good"]
    assert code == 0, out
    assert "Passed" in out and "S101" not in out
    repo, rel, _ = runs["good"]
    git("commit", "-q", "-m", "add a good cable", cwd=repo)         # the hook passed: commit it
    assert rel in git("show", "--name-only", "--format=", "HEAD", cwd=repo).stdout


def test_hook_manifest():
    yaml = pytest.importorskip("yaml", reason="PyYAML comes with pre-commit")
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = {h["id"]: h for h in hooks}["markcheck"]
    assert hook["entry"] == "markcheck check --force-exclude"
    assert hook["language"] == "python" and hook["types"] == ["text"]
    assert hook["require_serial"] is True
    files = re.compile(hook["files"])
    assert all(files.search(n) for n in ("a.txt", "b/c.md", "d.html", "e.htm"))
    assert not any(files.search(n) for n in ("a.py", "b.pdf", "c.txt.bak"))
