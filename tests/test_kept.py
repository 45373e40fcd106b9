"""markcheck.kept: re.compile with the engine code kept between processes."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from markcheck import kept


def test_every_kept_pattern_is_what_re_compiles():
    """Pattern equality compares the pattern, the flags and the engine code."""
    from markcheck.rules import all_rules

    all_rules()
    assert len(kept._compiled) > 100
    for (pattern, flags), compiled in kept._compiled.items():
        expected = re.compile(pattern, flags)
        assert compiled == expected, pattern
        assert compiled.groupindex == expected.groupindex and compiled.groups == expected.groups


@pytest.mark.parametrize("pattern,flags", [
    (r"(?P<year>\d{4})-(?P<month>\d\d)", 0),
    (r"(?i)classified\s+by", 0),
    (r"^\s*(\d+)\.", re.M),
    (rb"\x00+", 0),
    (r"[A-Z]{2,}(?=\s)", re.ASCII | re.IGNORECASE),
    (r"a|b|(c)", re.VERBOSE),
])
def test_compile_matches_re(pattern, flags):
    compiled = kept.compile(pattern, flags)
    assert compiled == re.compile(pattern, flags)
    assert kept.compile(pattern, flags) is compiled  # once per process


def test_what_kept_does_not_handle_is_re_s():
    with pytest.raises(re.error) as ours:
        kept.compile(r"(unclosed")
    with pytest.raises(re.error) as theirs:
        re.compile(r"(unclosed")
    assert str(ours.value) == str(theirs.value)
    already = re.compile("x")
    assert kept.compile(already) is already
    with pytest.raises(TypeError):
        kept.compile(["not", "a", "pattern"])


_PROGRAM = """
import re, sys
from markcheck import kept
from markcheck.rules import all_rules
all_rules()
bad = [k for k, p in kept._compiled.items() if p != re.compile(*k)]
print(len(kept._compiled), len(bad), kept._hits, len(kept._codes), kept._code_hits)
"""


def _fresh(cache: str, codes: bool = False) -> tuple[int, ...]:
    """(patterns, patterns unequal to re's, patterns from the file) of a new process,
    and with ``codes`` (code objects, code objects from the file)."""
    env = {**os.environ, "XDG_CACHE_HOME": cache}
    out = subprocess.run([sys.executable, "-c", _PROGRAM], env=env, capture_output=True, text=True,
                         check=True, timeout=300).stdout.split()
    return tuple(int(x) for x in out[:5 if codes else 3])


def _kept_file(cache) -> str:
    folder = os.path.join(cache, "markcheck")
    names = [n for n in os.listdir(folder) if n.startswith("kept-")]
    assert len(names) == 1
    return os.path.join(folder, names[0])


def test_a_later_process_reads_the_kept_code(tmp_path):
    cache = str(tmp_path / "cache")
    count, unequal, hits = _fresh(cache)
    assert unequal == 0 and hits == 0
    path = _kept_file(cache)
    before = os.stat(path).st_mtime_ns
    # the next process compiles nothing itself and writes nothing: neither the patterns
    # nor the records' __init__ source
    again = _fresh(cache, codes=True)
    assert again[:3] == (count, 0, count) and again[3] == again[4] >= 20
    assert os.stat(path).st_mtime_ns == before


@pytest.mark.parametrize("damage", ["random", "truncated", "bad code", "bad checksum", "other python"])
def test_a_damaged_file_is_compiled_anew(tmp_path, damage):
    import marshal

    cache = str(tmp_path / "cache")
    count, _, _, ncodes, _ = _fresh(cache, codes=True)
    path = _kept_file(cache)
    data = open(path, "rb").read()
    if damage == "random":
        data = os.urandom(len(data))
    elif damage == "truncated":
        data = data[: len(data) // 2]
    else:
        import zlib

        key, _checksum, payload = marshal.loads(data)
        patterns, codes = marshal.loads(payload)
        if damage == "bad code":  # every pattern's engine code made invalid
            patterns = {k: (a[0], [99999] * len(a[1]), a[2], a[3], a[4]) for k, a in patterns.items()}
        elif damage == "bad checksum":
            codes = {k: compile("raise SystemExit(99)", "<string>", "exec") for k in codes}
        else:
            key = ("2.7.18", key[1])
        payload = marshal.dumps((patterns, codes))
        checksum = zlib.crc32(payload) + (1 if damage == "bad checksum" else 0)
        data = marshal.dumps((key, checksum, payload))
    open(path, "wb").write(data)
    # compiled anew (the code objects are still good where only the patterns' code is bad)
    assert _fresh(cache, codes=True) == (count, 0, 0, ncodes, ncodes if damage == "bad code" else 0)
    assert _fresh(cache, codes=True) == (count, 0, count, ncodes, ncodes)  # and kept again, whole


def test_no_writable_cache_compiles_as_re(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    count, unequal, hits = _fresh(str(blocked))
    assert count > 100 and unequal == 0 and hits == 0


def test_the_patterns_are_the_same_in_every_process():
    """A pattern built from a set in hash order would differ between processes: its
    code could never be kept, and the file would be written by every run."""
    program = ("from markcheck.rules import all_rules; all_rules()\n"
               "from markcheck import kept\n"
               "print(sorted(repr(k) for k in kept._compiled))")
    outs = {subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}, timeout=300).stdout
            for seed in ("1", "2", "3")}
    assert len(outs) == 1


def test_patterns_first_met_while_linting_are_kept_too(tmp_path):
    """Patterns compiled on first use (element readers, dialects, dates) are kept at the
    end of a run, with one process or with forked workers."""
    seed = os.path.join(os.path.dirname(__file__), os.pardir, "seeds")
    program = ("import sys\nfrom markcheck import kept\nfrom markcheck.lint import Settings, discover, lint_files\n"
               f"files = list(discover([{seed!r}], gitignore=False)) * 4\n"
               "lint_files([(f, Settings()) for f in files], jobs=int(sys.argv[1]))\n"
               "print(len(kept._compiled), kept._hits)")

    def run(jobs):
        out = subprocess.run([sys.executable, "-c", program, str(jobs)], capture_output=True, text=True,
                             check=True, env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / f"c{jobs}")},
                             timeout=300).stdout.split()
        return int(out[0]), int(out[1])

    for jobs in (1, 2):
        first = run(jobs)
        if jobs == 1:
            assert first[1] == 0
            count = first[0]
        again = run(1)
        assert again == (count, count)
