"""The parser's tables kept between processes (markcheck.grammar.tables): a process that
finds them parses without importing Lark, and a file not kept for this grammar and this
Lark is not trusted."""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
import zlib

import pytest

import markcheck.grammar as grammar
from markcheck import lalr

from conftest import SEED

#: one check of the seed in a fresh process; prints whether Lark was imported
_PROGRAM = """
import sys
from markcheck.cli import main
try:
    main(["check", "--isolated", sys.argv[1]])
except SystemExit:
    pass
print("lark imported:", "lark" in sys.modules, file=sys.stderr)
"""


def _run(cache: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "XDG_CACHE_HOME": cache}
    return subprocess.run([sys.executable, "-c", _PROGRAM, str(SEED)], capture_output=True, text=True,
                          env=env, timeout=120)


def _tables_file(cache: str) -> str:
    folder = os.path.join(cache, "markcheck")
    (name,) = [n for n in os.listdir(folder) if "-tables-" in n]
    return os.path.join(folder, name)


def test_a_process_that_finds_the_tables_never_imports_lark(tmp_path):
    cache = str(tmp_path)
    first = _run(cache)
    assert "lark imported: True" in first.stderr  # made from Lark, and kept
    second = _run(cache)
    assert "lark imported: False" in second.stderr, second.stderr
    assert second.stdout == first.stdout and "S108" in second.stdout


@pytest.mark.parametrize("damage", ["garbage", "empty", "other grammar", "other lark", "not tables",
                                    "a flipped byte", "checksum"])
def test_a_tables_file_not_kept_for_this_grammar_is_made_anew(tmp_path, damage):
    cache = str(tmp_path)
    expected = _run(cache).stdout
    path = _tables_file(cache)
    with open(path, "rb") as file:
        key, checksum, blob = marshal.loads(file.read())
    if damage == "garbage":
        content = b"\x00not marshal"
    elif damage == "empty":
        content = b""
    elif damage == "other grammar":  # (as kept, by a bug or by hand: another key in the file of this one)
        version, texts, reader = key
        content = marshal.dumps(((version, ((texts[0][0], texts[0][1] + "\n"), *texts[1:]), reader),
                                 checksum, blob))
    elif damage == "other lark":
        content = marshal.dumps((("0.0.1", *key[1:]), checksum, blob))
    elif damage == "not tables":
        other = marshal.dumps(("not", "tables"))
        content = marshal.dumps((key, zlib.crc32(other), other))
    elif damage == "a flipped byte":  # (marshal may read it, as some other data)
        at = len(blob) // 2
        broken = blob[:at] + bytes([blob[at] ^ 1]) + blob[at + 1:]
        content = marshal.dumps((key, checksum, broken))
    else:
        content = marshal.dumps((key, checksum ^ 1, blob))
    with open(path, "wb") as file:
        file.write(content)
    again = _run(cache)
    assert again.stdout == expected
    assert "lark imported: True" in again.stderr  # read from Lark again
    with open(path, "rb") as file:
        assert marshal.loads(file.read())[0] == key
    assert "lark imported: False" in _run(cache).stderr  # and kept anew


def test_tables_key_is_the_grammar_and_lark_version():
    import lark

    version, texts, _reader = grammar._tables_key()
    assert version == lark.__version__
    names = [name for name, _text in texts]
    assert "cable.lark" in names and "marking.lark" in names
    folder = grammar.grammar_dir()
    assert all((folder / name).read_text(encoding="utf-8") == text for name, text in texts)


def test_tables_match_lark_parser():
    """The kept tables hold Lark's own: every state's actions and every rule."""
    from lark.parsers.lalr_analysis import Shift

    lark = grammar.parser()
    tables = grammar.tables()
    fresh = lalr.from_lark(lark)
    assert fresh.terminals == tables.terminals and fresh.ignore == tables.ignore
    assert {r[:3] for r in fresh.rules} == {(str(r.alias or r.origin.name), str(r.origin.name),
                                             tuple(str(s.name) for s in r.expansion)) for r in lark.rules}
    table = lark.parser.parser.parser.parse_table
    for state, row in table.states.items():
        for ty, (action, arg) in row.items():
            mine = fresh.actions[state][str(ty)]
            if action is Shift:
                assert mine == arg
            else:
                assert fresh.rules[mine[3]][1:3] == (str(arg.origin.name), tuple(str(s.name) for s in arg.expansion))
                assert mine[1] == len(arg.expansion)


def test_two_installs_keep_their_own_tables(tmp_path, monkeypatch):
    """Tables kept for another key (another install of this release, an edited grammar)
    are in a file of their own: neither makes the other's anew."""
    key = grammar._tables_key()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    other = (key[0], key[1], (key[2][0] + 1, key[2][1]))
    assert grammar._tables_path(key) != grammar._tables_path(other)
    assert grammar._tables_path(key) == grammar._tables_path(grammar._tables_key())
