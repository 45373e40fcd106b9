"""Bad input never crashes and never loses data.

Each case runs the installed ``markcheck`` command as a user does and expects either
diagnostics (exit 1, or 0 when clean) or one line on stderr (exit 2), never a
traceback; the input file is left byte for byte as it was. How cost grows with the
size of the big inputs is checked in-process (``markcheck.lint_text``) with generous
bounds: these are complexity checks, the speed targets live in benchmarks/.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

import markcheck
from markcheck.source import InputError

GOOD = """C O N F I D E N T I A L PARIS 000001

SIPDIS

E.O. 12958: DECL: 01/01/2015
TAGS: PREL FR
SUBJECT: (U) TALKS ON TRADE

Classified By: DCM John Smith for reasons 1.4 (b) and (d).

1. (C) Text.
2. (S) Higher than the banner.
"""


def run(exe, *args, cwd=None, timeout=300):
    return subprocess.run([exe, *args], capture_output=True, cwd=cwd, timeout=timeout)


def snapshot(path: Path):
    st = os.lstat(path)
    data = path.read_bytes() if path.is_file() and not path.is_symlink() else None
    return data, st.st_mtime_ns, st.st_size, st.st_mode


def assert_no_traceback(r):
    err = r.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err and "Traceback" not in r.stdout.decode("utf-8", "replace"), err


def assert_one_line_error(r, *needles):
    """Exit 2, one line on stderr naming the problem, nothing on stdout."""
    assert_no_traceback(r)
    err = r.stderr.decode("utf-8", "replace")
    assert r.returncode == 2, (r.returncode, err, r.stdout[:300])
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("markcheck: "), err
    for n in needles:
        assert n in err, err


def assert_diagnostics(r, *codes):
    """Exit 1 with diagnostics (and the given codes among them), nothing on stderr."""
    assert_no_traceback(r)
    out = r.stdout.decode("utf-8")
    assert r.returncode == 1, (r.returncode, r.stderr, out[:300])
    assert not r.stderr.strip(), r.stderr
    for code in codes:
        assert f" {code} " in out, out[:500]
    return out


def lint_unchanged(exe, path: Path, *args):
    """Run ``markcheck check path`` and check the file did not change."""
    before = snapshot(path)
    r = run(exe, "check", *args, str(path))
    assert snapshot(path) == before, "markcheck changed its input"
    return r


def positions(out: str) -> list[tuple[str, str, str]]:
    """(line, column, code) of each text-format diagnostic."""
    rows = []
    for line in out.splitlines():
        parts = line.split(":", 3)
        if len(parts) == 4 and parts[1].isdigit():
            rows.append((parts[1], parts[2], parts[3].split()[0]))
    return rows


# ---------------------------------------------------------------- text that is not a cable

def test_empty_file(markcheck_exe, tmp_path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    assert_diagnostics(lint_unchanged(markcheck_exe, p), "S100")


def test_only_blank_lines(markcheck_exe, tmp_path):
    p = tmp_path / "blank.txt"
    p.write_bytes(b"\n \n\t\n\r\n\n")
    out = assert_diagnostics(lint_unchanged(markcheck_exe, p), "S100")
    for line, _col, _code in positions(out):
        assert 1 <= int(line) <= 5


def test_binary_nul_bytes(markcheck_exe, tmp_path):
    p = tmp_path / "binary.txt"
    p.write_bytes(b"CONFIDENTIAL\n\x00\x01\x02\xff\xfe" * 100)
    assert_one_line_error(lint_unchanged(markcheck_exe, p), "binary.txt", "binary")


@pytest.mark.parametrize("data", [
    GOOD.replace("Text.", "Caf\xe9 talks.").encode("latin-1"),   # Latin-1 text
    b"CONFIDENTIAL\n\xc3\x28 invalid \xa0\xa1\n",                    # invalid UTF-8
    b"CONFIDENTIAL\n\xed\xa0\x80 surrogate\n",                       # UTF-8 of a surrogate
], ids=["latin-1", "invalid-utf-8", "surrogate"])
def test_not_utf8(markcheck_exe, tmp_path, data):
    p = tmp_path / "latin.txt"
    p.write_bytes(data)
    assert_one_line_error(lint_unchanged(markcheck_exe, p), "latin.txt", "UTF-8")


def test_other_files_still_linted_after_an_unreadable_one(markcheck_exe, tmp_path):
    (tmp_path / "a_binary.txt").write_bytes(b"\x00\x00")
    (tmp_path / "b_cable.txt").write_text(GOOD)
    r = run(markcheck_exe, "check", str(tmp_path))
    assert_no_traceback(r)
    assert r.returncode == 2
    assert len(r.stderr.decode().strip().splitlines()) == 1
    assert "b_cable.txt:" in r.stdout.decode()   # the readable file was linted


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
def test_bom_encodings_read_like_utf8(markcheck_exe, tmp_path, codec):
    plain, other = tmp_path / "plain.txt", tmp_path / "bom.txt"
    plain.write_bytes(GOOD.encode("utf-8"))
    data = GOOD.encode(codec)
    if codec == "utf-16-be":
        data = b"\xfe\xff" + data
    other.write_bytes(data)
    expected = positions(assert_diagnostics(lint_unchanged(markcheck_exe, plain), "C203"))
    got = positions(assert_diagnostics(lint_unchanged(markcheck_exe, other), "C203"))
    assert got == expected


def test_bad_utf16_is_one_line(markcheck_exe, tmp_path):
    p = tmp_path / "odd.txt"
    p.write_bytes(b"\xff\xfeC\x00O\x00\x00\xd8")   # a lone high surrogate at the end
    assert_one_line_error(lint_unchanged(markcheck_exe, p), "odd.txt")


@pytest.mark.parametrize("eol", ["\r\n", "\r"], ids=["crlf", "cr"])
def test_line_ends_give_the_same_positions(markcheck_exe, tmp_path, eol):
    lf, other = tmp_path / "lf.txt", tmp_path / "other.txt"
    lf.write_bytes(GOOD.encode())
    other.write_bytes(GOOD.replace("\n", eol).encode())
    expected = positions(assert_diagnostics(lint_unchanged(markcheck_exe, lf), "C203"))
    assert positions(assert_diagnostics(lint_unchanged(markcheck_exe, other), "C203")) == expected


def test_mixed_line_ends(markcheck_exe, tmp_path):
    p = tmp_path / "mixed.txt"
    lines = GOOD.split("\n")
    p.write_bytes("".join(l + ("\r\n", "\r", "\n")[i % 3] for i, l in enumerate(lines)).encode())
    out = assert_diagnostics(lint_unchanged(markcheck_exe, p), "C203")
    assert ("12", "4", "C203") in positions(out)


# ---------------------------------------------------------------- big inputs

def test_one_megabyte_line(markcheck_exe, tmp_path):
    p = tmp_path / "long.txt"
    p.write_text("CONFIDENTIAL\n\nSUBJECT: " + "TALKS ON TRADE " * 70_000 + "\n\n1. (S) x\n")
    assert p.stat().st_size > 1_000_000
    out = assert_diagnostics(lint_unchanged(markcheck_exe, p))
    for line, col, _ in positions(out):
        assert 1 <= int(line) <= 5 and int(col) >= 1


def test_a_million_blank_lines(markcheck_exe, tmp_path):
    p = tmp_path / "blanks.txt"
    p.write_bytes(b"\n" * 1_000_000)
    out = assert_diagnostics(lint_unchanged(markcheck_exe, p), "S100")
    for line, _col, _ in positions(out):
        assert 1 <= int(line) <= 1_000_000


def _time(fn, reps=3):
    """The least CPU time of ``reps`` runs (CPU time, not wall time: a process
    waiting for a core on a busy machine is not counted)."""
    best = float("inf")
    for _ in range(reps):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return best


#: 10x the input may take at most this many times as long (linear: 10x)
GROWTH = 25


@pytest.mark.parametrize("kind", ["long-line", "blank-lines", "paragraphs", "text-lines"])
def test_big_inputs_lint_in_linear_time(kind):
    def make(n):
        if kind == "long-line":
            return "CONFIDENTIAL\n\nSUBJECT: " + "TALKS ON TRADE " * n + "\n"
        if kind == "blank-lines":
            return "\n" * (n * 2)
        if kind == "paragraphs":
            return GOOD + "".join(f"{i % 900 + 3}. (C) Text of a paragraph.\n\n" for i in range(n // 4))
        return GOOD + "A LINE OF TEXT WITHOUT A BREAK IN IT\n" * (n // 4)

    small, big = make(2_000), make(20_000)
    markcheck.lint_text(small)   # warm up: grammar, reference data
    t_small, t_big = _time(lambda: markcheck.lint_text(small)), _time(lambda: markcheck.lint_text(big))
    assert t_big / max(t_small, 1e-3) < GROWTH, (
        f"{kind}: {t_small:.3f}s for {len(small)} chars, {t_big:.3f}s for {len(big)} chars")


# ---------------------------------------------------------------- paths that are not files

def test_directory_given_as_file(tmp_path):
    with pytest.raises(InputError, match="is a directory"):
        markcheck.read_source(tmp_path)


def test_directory_with_a_cable_name(markcheck_exe, tmp_path):
    (tmp_path / "folder.txt").mkdir()
    r = run(markcheck_exe, "check", str(tmp_path / "folder.txt"))
    assert_no_traceback(r)
    assert r.returncode == 0 and len(r.stderr.strip().splitlines()) <= 1
    r = run(markcheck_exe, "parse", str(tmp_path / "folder.txt"))
    assert_one_line_error(r, "folder.txt", "directory")


def test_missing_path(markcheck_exe, tmp_path):
    r = run(markcheck_exe, "check", str(tmp_path / "nowhere.txt"))
    assert_one_line_error(r, "nowhere.txt")
    r = run(markcheck_exe, "parse", str(tmp_path / "nowhere.txt"))
    assert_one_line_error(r, "nowhere.txt")


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="running as root: file permissions do not stop reads")
def test_unreadable_file(markcheck_exe, tmp_path):
    p = tmp_path / "secret.txt"
    p.write_text(GOOD)
    p.chmod(0)
    try:
        before = snapshot(p)
        r = run(markcheck_exe, "check", str(p))
        assert snapshot(p) == before
        assert_one_line_error(r, "secret.txt", "permission denied")
    finally:
        p.chmod(0o644)


def test_unreadable_file_in_process(tmp_path, monkeypatch):
    """The same error path without relying on permissions (which root ignores)."""
    import builtins

    p = tmp_path / "secret.txt"
    p.write_text(GOOD)
    real_open = builtins.open

    def deny(file, *a, **k):
        if os.fspath(file) == os.fspath(p):
            raise PermissionError(13, "Permission denied", os.fspath(file))
        return real_open(file, *a, **k)

    monkeypatch.setattr(builtins, "open", deny)
    with pytest.raises(InputError, match="permission denied"):
        markcheck.read_source(p)
    result = markcheck.lint_paths([str(p)])
    assert len(result.errors) == 1 and "\n" not in result.errors[0]


def test_broken_symlink(markcheck_exe, tmp_path):
    link = tmp_path / "broken.txt"
    link.symlink_to(tmp_path / "target-that-is-not-there.txt")
    r = lint_unchanged(markcheck_exe, link)
    assert_one_line_error(r, "broken.txt")
    assert os.path.islink(link) and not (tmp_path / "target-that-is-not-there.txt").exists()


def test_broken_symlink_inside_a_folder(markcheck_exe, tmp_path):
    (tmp_path / "broken.txt").symlink_to(tmp_path / "gone.txt")
    (tmp_path / "cable.txt").write_text(GOOD)
    r = run(markcheck_exe, "check", str(tmp_path))
    assert_no_traceback(r)
    assert r.returncode in (1, 2)
    assert len(r.stderr.strip().splitlines()) <= 1
    assert "cable.txt:" in r.stdout.decode()


def test_symlink_loop(markcheck_exe, tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.symlink_to(b)
    b.symlink_to(a)
    assert_one_line_error(lint_unchanged(markcheck_exe, a), "a.txt")


def test_folder_symlink_loop(markcheck_exe, tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "up").symlink_to(tmp_path)
    (tmp_path / "sub" / "cable.txt").write_text(GOOD)
    r = run(markcheck_exe, "check", str(tmp_path), timeout=120)
    assert_no_traceback(r)
    assert r.returncode == 1
    assert r.stdout.decode().count("cable.txt:") >= 1


# ---------------------------------------------------------------- configuration

@pytest.mark.parametrize("content", [
    b"select = [\n",                         # bad TOML
    b"select = 5\n",                         # wrong type
    b"\xff\xfe\x00garbage",                  # not text
], ids=["bad-toml", "wrong-type", "binary"])
def test_broken_config_file(markcheck_exe, tmp_path, content):
    cfg = tmp_path / ".markcheck.toml"
    cfg.write_bytes(content)
    cable = tmp_path / "cable.txt"
    cable.write_text(GOOD)
    before = snapshot(cfg)
    r = lint_unchanged(markcheck_exe, cable)
    assert snapshot(cfg) == before
    assert_one_line_error(r, ".markcheck.toml")
