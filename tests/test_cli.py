"""The installed `markcheck` command, run as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import SEED, SEEDS

BAD = "SIPDIS\n\nE.O. 12958: DECL: 12/15/2027\nTAGS: PREL\nSUBJECT: X\n\n1. (S) Text.\n"
GOOD = """C O N F I D E N T I A L PARIS 000001

SIPDIS

E.O. 12958: DECL: 01/01/2015
TAGS: PREL FR
SUBJECT: (U) TALKS ON TRADE

Classified By: DCM John Smith for reasons 1.4 (b) and (d).

1. (C) Text.
"""


def run(exe, *args, stdin=None, cwd=None):
    return subprocess.run([exe, *args], input=stdin, capture_output=True, text=True, cwd=cwd,
                          timeout=120)


def test_check_seeds_exit_0(markcheck_exe):
    r = run(markcheck_exe, "check", str(SEEDS))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Traceback" not in r.stderr


def test_python_dash_m(tmp_path):
    r = subprocess.run([sys.executable, "-m", "markcheck", "check", str(SEED)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr


def test_quick_exit_flushes_and_runs_exit_handlers(tmp_path):
    """The console script ends with os._exit (no object-by-object shutdown): what
    was printed is all there, in order, exit handlers still run, and the exit code
    is main()'s."""
    bad = tmp_path / "bad.txt"
    bad.write_text(BAD)
    code = ("import atexit, sys\n"
            "from markcheck.cli import run\n"
            "atexit.register(lambda: print('handler ran'))\n"
            f"sys.argv = ['markcheck', 'check', {str(bad)!r}]\n"
            "run()\n"
            "print('not reached')\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1, r.stderr
    lines = r.stdout.splitlines()
    assert lines[-1] == "handler ran" and "not reached" not in r.stdout
    assert " S101 " in r.stdout.split("handler ran")[0], r.stdout


def test_text_output_and_exit_1(markcheck_exe, tmp_path):
    (tmp_path / "bad.txt").write_text(BAD)
    (tmp_path / "good.txt").write_text(GOOD)
    r = run(markcheck_exe, "check", str(tmp_path))
    assert r.returncode == 1
    first = r.stdout.splitlines()[0]
    assert first.startswith(f"{tmp_path / 'bad.txt'}:1:1: S101 ")
    assert "good.txt" not in r.stdout


def test_json_output_keys(markcheck_exe, tmp_path):
    (tmp_path / "bad.txt").write_text(BAD)
    r = run(markcheck_exe, "check", "--format", "json", str(tmp_path / "bad.txt"))
    assert r.returncode == 1
    data = json.loads(r.stdout)
    assert set(data[0]) == {"path", "line", "column", "end_line", "end_column", "code", "name",
                            "severity", "message"}
    assert data[0]["code"] == "S101" and data[0]["severity"] == "error"


def test_stdin(markcheck_exe):
    r = run(markcheck_exe, "check", "-", "--stdin-filename", "x/cable.txt", stdin=BAD)
    assert r.returncode == 1
    assert r.stdout.startswith("x/cable.txt:1:1: S101")
    r = run(markcheck_exe, "check", "-", stdin=GOOD)
    assert r.returncode == 0


def test_select_ignore_and_fail_on(markcheck_exe, tmp_path):
    (tmp_path / "bad.txt").write_text(BAD)
    assert run(markcheck_exe, "check", "--ignore", "S101", str(tmp_path)).returncode == 0
    assert run(markcheck_exe, "check", "--select", "S", str(tmp_path)).returncode == 1
    r = run(markcheck_exe, "check", "--select", "Q9", str(tmp_path))
    assert r.returncode == 2 and "unknown rule code" in r.stderr


@pytest.mark.parametrize("setup,needle", [
    (lambda p: p / "missing.txt", "no such file"),
    (lambda p: (p / "bin.txt").write_bytes(b"\x00\x01\x02") and p / "bin.txt", "binary"),
    (lambda p: (p / "latin.txt").write_bytes("SECRET caf\xe9\n".encode("latin-1")) and p / "latin.txt",
     "not valid UTF-8"),
])
def test_bad_input_one_line_error_exit_2(markcheck_exe, tmp_path, setup, needle):
    path = setup(tmp_path)
    r = run(markcheck_exe, "check", str(path))
    assert r.returncode == 2
    assert needle in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.stderr


def test_usage_error_exit_2(markcheck_exe):
    r = run(markcheck_exe, "check", "--fail-on", "sometimes")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    r = run(markcheck_exe, "check", "--date", "yesterday", str(SEED))
    assert r.returncode == 2 and "YYYY-MM-DD" in r.stderr


def test_parse_json(markcheck_exe):
    r = run(markcheck_exe, "parse", str(SEED), "--format", "json")
    assert r.returncode == 0
    data = json.loads(r.stdout)
    for key in ("classification", "captions", "eo", "tags", "subject", "references",
                "classified_by", "sections", "paragraphs", "date"):
        assert key in data
    assert data["classification"]["level"] == "C"
    assert data["paragraphs"][0] == {**data["paragraphs"][0], "number": 1, "line": 22}


def test_rules_and_rule(markcheck_exe):
    r = run(markcheck_exe, "rules")
    assert r.returncode == 0 and "S101" in r.stdout
    r = run(markcheck_exe, "rule", "s101")
    assert r.returncode == 0 and "Why:" in r.stdout and "Bad:" in r.stdout
    assert run(markcheck_exe, "rule", "X999").returncode == 2


@pytest.mark.parametrize("argv", [
    ["check"], ["check", "a", "b", "--select", "C2,D", "-j", "2", "--format", "json", "-q"],
    ["check", "--release-level", "s", "--date", "2009-01-02", "x"], ["protect", "add", "x", "--file", "f"],
    ["redact", "f", "--release-level", "U", "-o", "-"], ["config", ".", "--format", "json"],
    ["parse", "f", "--format", "text"], ["rule", "C203"], ["rules", "--format", "markdown"],
])
def test_parser_of_one_subcommand_reads_as_the_whole(argv):
    """The command line's parser is built with the invoked subcommand's arguments only:
    the same reading as the whole parser's."""
    from markcheck.cli import build_parser

    assert vars(build_parser(argv[0]).parse_args(argv)) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize("columns", [None, "120", "30", "x", "0"])
def test_help_width_is_argparse_own(columns, monkeypatch):
    """The help width, read once without shutil, is what argparse would read with it."""
    import shutil

    from markcheck import cli

    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    monkeypatch.setattr(cli, "_WIDTH", [])
    assert cli._help_width() == shutil.get_terminal_size().columns - 2


@pytest.mark.parametrize("search", [None, "", "/nonexistent", "/usr/bin:/bin", ":/bin"])
def test_program_on_path_as_shutil_which(search, monkeypatch, tmp_path):
    import shutil

    from markcheck.lint import _on_path

    (tmp_path / "folder-not-program").mkdir()
    if search is None:
        monkeypatch.delenv("PATH", raising=False)
    else:
        monkeypatch.setenv("PATH", search)
    monkeypatch.chdir(tmp_path)
    for name in ("git", "sh", "ls", "no-such-program-x", "folder-not-program"):
        assert _on_path(name) == (shutil.which(name) is not None), (name, search)
