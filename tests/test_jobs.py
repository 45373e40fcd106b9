"""--jobs: the same output, in the same order, whatever the number of processes."""

from __future__ import annotations

import os
import shutil
import sys
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


@pytest.mark.parametrize("fmt", ["text", "json", "full", "sarif", "gitlab", "github", "junit"])
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
    assert seq.errors == par.errors == []
    # a worker sends back only the lines under the diagnostics, and the line count
    assert seq.sources.keys() == par.sources.keys()
    for d in par.diagnostics:
        whole, held = seq.sources[d.path], par.sources[d.path]
        assert len(held) == len(whole)
        for n in range(d.line, min(max(d.line, d.end_line), len(whole)) + 1):
            assert held[n - 1] == whole[n - 1]
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


def test_jobs_baseline_identical(markcheck_exe, cables, tmp_path):
    """A baseline written from a --jobs run (its keys hash the text under each finding)
    is the one a single process writes, and each run accepts it."""
    one, four = tmp_path / "one.json", tmp_path / "four.json"
    _run(markcheck_exe, "-j", "1", "--write-baseline", str(one), ".", cwd=cables)
    _run(markcheck_exe, "-j", "4", "--write-baseline", str(four), ".", cwd=cables)
    assert one.read_text() == four.read_text() and len(one.read_text()) > 1000
    for jobs in ("1", "4"):
        r = _run(markcheck_exe, "-j", jobs, "--baseline", str(four), ".", cwd=cables)
        assert r[0] == 0 and r[1].strip() == "All checks passed (50 files).", r


def test_held_lines():
    from markcheck.diagnostics import Diagnostic, Severity
    from markcheck.lint import HeldLines, Lines

    lines = Lines("one\ntwo\r\nthree\nfour\nfive\n")
    diags = [Diagnostic("f", 2, 1, 3, 2, "S101", Severity.ERROR, "m"),
             Diagnostic("f", 5, 1, 5, 1, "S101", Severity.ERROR, "m"),
             Diagnostic("f", 9, 1, 9, 1, "S101", Severity.ERROR, "past the end")]
    held = HeldLines.of(lines, diags)
    assert len(held) == len(lines) == 5
    assert [held[1], held[2], held[-1], held[1:3]] == ["two", "three", "five", ["two", "three"]]
    with pytest.raises(LookupError) as exc:   # a line no diagnostic covers
        held[0]
    assert not isinstance(exc.value, IndexError)
    with pytest.raises(IndexError):
        held[5]
    with pytest.raises(LookupError):   # iterating the whole file is a caller's mistake
        list(held)


def test_masking_over_held_lines():
    """The reporters star out a protected name on the lines a worker sent back."""
    from markcheck.diagnostics import Diagnostic, Severity
    from markcheck.lint import HeldLines, Lines
    from markcheck.report import Report
    from markcheck.report.common import masked, offending_text

    raw = "HEADER\n1. (S) We met SMITH and JONES today.\nFOOTER\n"
    d = Diagnostic("f", 2, 15, 2, 20, "R603", Severity.ERROR, "protected name in clear")
    other = Diagnostic("f", 2, 25, 2, 30, "R603", Severity.ERROR, "protected name in clear")
    for lines in (Lines(raw), HeldLines.of(Lines(raw), [d, other])):
        report = masked(Report(diagnostics=[d, other], sources={"f": lines}))
        starred = report.sources["f"]
        assert starred[1] == "1. (S) We met ***** and ***** today."
        assert offending_text(report, d) == "*****"
        assert len(starred) == 3


@pytest.mark.parametrize("n,jobs", [(1, 2), (5, 2), (50, 4), (4709, 2), (1000, 16)])
def test_chunks_cover_every_file_in_order(n, jobs):
    from markcheck.lint import _chunks

    chunks = _chunks(list(range(n)), jobs)
    assert [i for c in chunks for i in c] == list(range(n))
    sizes = [len(c) for c in chunks]
    assert max(sizes) <= 32 and sizes == sorted(sizes, reverse=True)
    # the tasks shrink towards the end: the last few are one file each
    assert sizes[-1] == 1 and sum(sizes[-jobs:]) <= jobs * 2


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")
def test_workers_are_forked_from_the_loaded_parent(cables, monkeypatch):
    """On Linux the workers inherit what the parent has loaded (the parser, the rules):
    a rule registered in the parent at run time reports from every worker, which a
    spawned or forkserver worker (Python 3.14's default) would not know."""
    from markcheck.diagnostics import Severity
    from markcheck.model import Span
    from markcheck.rules import REGISTRY, Issue, Rule

    def func(cable, ctx):
        yield Issue(Span(0, 1), "seen by this process")

    monkeypatch.setitem(REGISTRY, "Z991", Rule("Z991", "inherited-rule", Severity.INFO, func, {}))
    files = list(discover([str(cables)], gitignore=False))[:8]
    result = lint_files([(p, Settings(select=("Z991",))) for p in files], jobs=2)
    assert [d.code for d in result.diagnostics] == ["Z991"] * len(files)


def _failing_lint_file(fails, action):
    """lint_file, but running ``action`` first wherever ``fails(path)`` is true."""
    from markcheck import lint

    real = lint.lint_file

    def lint_file(path, settings):
        if fails(path):
            action()
        return real(path, settings)

    return lint_file


def _raise():
    raise ValueError("a rule broke")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")
@pytest.mark.parametrize("action,expected", [
    (_raise, r"in a --jobs worker: ValueError: a rule broke"),
    (lambda: os._exit(3), r"ended without finishing its files \(exit code 3\)"),
])
def test_a_failing_worker_stops_the_run(cables, monkeypatch, action, expected):
    """An exception in a worker reaches the parent (its traceback as the cause), and a
    worker that dies mid-run is an error, never a silently shorter result; no worker
    is left behind."""
    from markcheck import lint

    files = list(discover([str(cables)], gitignore=False))
    parent = os.getpid()
    # (this process lints tasks too: the failure is in the forked worker, at its first file)
    monkeypatch.setattr(lint, "lint_file", _failing_lint_file(lambda p: os.getpid() != parent, action))
    with pytest.raises(lint.WorkerError, match=expected) as info:
        lint_files([(p, Settings()) for p in files], jobs=2)
    if action is _raise:
        assert "ValueError: a rule broke" in str(info.value.__cause__)
        assert "Traceback" in str(info.value.__cause__)
    assert _no_children()


def _no_children() -> bool:
    """Whether this process has no child process left, running or unreaped."""
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")
def test_an_error_in_the_parent_stops_the_workers(cables, monkeypatch):
    """The parent lints tasks beside its workers: an exception in its share is raised
    as it is, and the workers are stopped."""
    from markcheck import lint

    files = list(discover([str(cables)], gitignore=False))
    parent = os.getpid()
    monkeypatch.setattr(lint, "lint_file", _failing_lint_file(lambda p: os.getpid() == parent, _raise))
    with pytest.raises(ValueError, match="a rule broke"):
        lint_files([(p, Settings()) for p in files], jobs=2)
    assert _no_children()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")
def test_parent_and_workers_share_the_tasks(cables, monkeypatch):
    """With --jobs 3 the parent and two forked workers each lint some of the files,
    and the result is in the order given."""
    from markcheck import lint
    from markcheck.diagnostics import Diagnostic, Severity

    files = list(discover([str(cables)], gitignore=False))[:600]
    real = lint.lint_file

    def lint_file(path, settings):  # each file says which process linted it
        fr = real(path, settings)
        mark = Diagnostic(path, 1, 1, 1, 2, "Z999", Severity.INFO, str(os.getpid()), "pid")
        return lint.FileResult(path, fr.diagnostics + [mark], raw=fr.raw or "x\n")

    monkeypatch.setattr(lint, "lint_file", lint_file)
    result = lint_files([(p, Settings()) for p in files], jobs=3)
    assert result.paths == files
    pids = {d.message for d in result.diagnostics if d.code == "Z999"}
    assert str(os.getpid()) in pids and len(pids) == 3


def test_without_fork_the_pool_gives_the_same_result(cables, monkeypatch):
    """Where fork is not used (macOS, Windows) a ProcessPoolExecutor runs the tasks."""
    from markcheck import lint

    files = list(discover([str(cables)], gitignore=False))[:12]
    items = [(p, Settings()) for p in files]
    seq = lint_files(items, jobs=1)
    monkeypatch.setattr(lint, "_can_fork", lambda: False)
    par = lint_files(items, jobs=2)
    assert par.diagnostics == seq.diagnostics and par.paths == seq.paths
    assert par.sources.keys() == seq.sources.keys()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")
def test_no_process_to_spare_lints_in_this_one(cables, monkeypatch):
    """If no worker process can be started, the files are linted in this process."""
    from markcheck import lint

    def no_process():
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(lint, "_fork", no_process)
    files = list(discover([str(cables)], gitignore=False))[:6]
    items = [(p, Settings()) for p in files]
    assert lint_files(items, jobs=2).diagnostics == lint_files(items, jobs=1).diagnostics


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")
def test_task_numbers_wait_in_one_pipe():
    """Every task number is in the pipe once, in order, and the pipe then ends; the
    tasks of any input fit in it (_chunks makes no more than _MAX_TASKS)."""
    from markcheck import lint

    fd = lint._task_pipe(lint._MAX_TASKS)
    assert fd is not None
    try:
        got = []
        while (i := lint._next_task(fd)) is not None:
            got.append(i)
    finally:
        os.close(fd)
    assert got == list(range(lint._MAX_TASKS))
    chunks = lint._chunks(range(2_000_000), 2)
    assert len(chunks) <= lint._MAX_TASKS
    assert [x for c in chunks for x in c] == list(range(2_000_000))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")
def test_jobs_need_no_multiprocessing(cables):
    """Workers are forked with os.fork: the multiprocessing package (about 18 ms of
    imports before the first file) is not loaded for --jobs."""
    import subprocess

    code = ("import sys; from markcheck.lint import discover, lint_files, Settings\n"
            f"files = list(discover([{str(cables)!r}], gitignore=False))[:40]\n"
            "r = lint_files([(p, Settings()) for p in files], jobs=2)\n"
            "print(len(r.paths), 'multiprocessing' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["40", "False"]
