"""--jobs: the same output, in the same order, whatever the number of processes."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from markcheck.lint import Settings, discover, lint_files


@pytest.fixture(scope="module")
def cables(corpus, tmp_path_factory):
    """A folder of about 50 real cables, in subfolders, spread over the corpus."""
    names = sorted(os.listdir(corpus / "cables"))
    step = max(1, len(names) // 50)
    work = tmp_path_factory.mktemp("jobs")
    for i, name in enumerate(names[::step][:50]):
        sub = work / f"batch{i % 3}"
        sub.mkdir(exist_ok=True)
        shutil.copy(corpus / "cables" / name, sub / name)
    return work


def _run(exe, *args, cwd):
    r = subprocess.run([exe, "check", "--isolated", *args], capture_output=True, text=True,
                       cwd=cwd, timeout=600)
    assert "Traceback" not in r.stderr
    return r.returncode, r.stdout, r.stderr


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_jobs_output_identical(markcheck_exe, cables, fmt):
    one = _run(markcheck_exe, "--jobs", "1", "--format", fmt, ".", cwd=cables)
    assert one[1].strip(), "the corpus sample should have findings"
    for jobs in ("4", "0"):
        assert _run(markcheck_exe, "--jobs", jobs, "--format", fmt, ".", cwd=cables) == one
    # the default (all cores)
    assert _run(markcheck_exe, "--format", fmt, ".", cwd=cables) == one


def test_lint_files_api_same_result(cables):
    files = list(discover([str(cables)], gitignore=False))
    assert len(files) == 50
    items = [(p, Settings()) for p in files]
    seq, par = lint_files(items, jobs=1), lint_files(items, jobs=3)
    assert seq.diagnostics == par.diagnostics
    assert seq.paths == par.paths == files
    assert seq.sources == par.sources and seq.errors == par.errors == []
    # the diagnostics come file by file, in discovery order, sorted within each file
    order = {p: i for i, p in enumerate(files)}
    keys = [(order[d.path], d.sort_key) for d in par.diagnostics]
    assert keys == sorted(keys)


def test_jobs_with_unreadable_files(markcheck_exe, cables, tmp_path):
    work = tmp_path / "mixed"
    shutil.copytree(cables, work)
    (work / "batch0" / "zz-binary.txt").write_bytes(b"\x00\x01")
    (work / "batch1" / "aa-latin.txt").write_bytes("SECRET caf\xe9\n".encode("latin-1"))
    one = _run(markcheck_exe, "-j", "1", ".", cwd=work)
    assert one[0] == 2 and len(one[2].strip().splitlines()) == 2
    assert _run(markcheck_exe, "-j", "3", ".", cwd=work) == one


def test_bad_jobs_value(markcheck_exe):
    r = subprocess.run([markcheck_exe, "check", "--jobs", "-2", "."], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 2 and "invalid job count" in r.stderr and "Traceback" not in r.stderr
