"""Baselines: write, match by (path, code, hash of the text) as a multiset, stale entries."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest

from markcheck import cli
from markcheck.baseline import Baseline, BaselineError, finding_text, key_of, write_text_atomic
from markcheck.diagnostics import Diagnostic, Severity

CABLE = ("CONFIDENTIAL PARIS 000001\n\nSIPDIS\n\nE.O. 12958: DECL: 12/15/2027\nTAGS: PREL FR\n"
         "SUBJECT: (C) X\n\nClassified By: Ambassador X for reasons 1.4 (b) and (d).\n\n"
         "1. (C) Text.\n\n2. (S) More text.\n\n3. (S) More text.\n")
BAD = "SIPDIS\n\nE.O. 12958: DECL: 12/15/2027\nTAGS: PREL\nSUBJECT: X\n\n1. (S) Text.\n"


def run(args, capsys):
    code = cli.main(args)
    out, err = capsys.readouterr()
    return code, out, err


def diags(out: str) -> list[dict]:
    return json.loads(out)


def d(line=1, col=1, end_line=1, end_col=1, code="S101", path="a.txt"):
    return Diagnostic(path, line, col, end_line, end_col, code, Severity.ERROR, "m")


# -- the key ---------------------------------------------------------------------------

def test_finding_text():
    lines = ["SECRET PARIS 1", "", "1. (S) Text.", "more"]
    assert finding_text(d(3, 4, 3, 7), lines) == "(S)"
    assert finding_text(d(3, 4, 3, 4), lines) == "1. (S) Text."          # empty span: the line
    assert finding_text(d(3, 8, 4, 3), lines) == "Text.\nmo"              # across lines
    assert finding_text(d(2, 1, 2, 1), lines) == ""
    assert finding_text(d(9, 1, 9, 2), lines) == ""                      # beyond the file
    assert finding_text(d(1, 7, 1, 8), lines) == "SECRET PARIS 1"        # blanks only: the line


def test_key_is_relative_to_the_baseline_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    k = key_of(d(path="cables/a.txt"), ["SIPDIS"], str(tmp_path / "meta"))
    assert k[:2] == ("../cables/a.txt", "S101")
    assert re.fullmatch("[0-9a-f]{64}", k[2])


def test_multiset_matching_and_stale(tmp_path):
    lines = {"a.txt": ["x (S) y", "(S)", "zzz"]}
    found = [d(1, 3, 1, 6, "C203"), d(2, 1, 2, 4, "C203")]
    b = Baseline.from_diagnostics(str(tmp_path / "b.json"), found, lines)
    assert list(b.counts.values()) == [2]                      # same code, same text: one entry
    more = [*found, d(3, 1, 3, 2, "C203"), d(3, 1, 3, 4, "C203")]
    lines["a.txt"][2] = "(S)x"
    m = b.apply(more, lines, ["a.txt"])
    assert m.new == more[2:] and m.matched == 2 and m.stale == []   # "(" differs; a 3rd "(S)"
    m = b.apply(found[:1], lines, ["a.txt"])
    assert m.new == [] and [n for _, n in m.stale] == [1]
    m = b.apply([], lines, ["other.txt"])                      # a.txt not linted: not stale
    assert m.stale == []


# -- the file --------------------------------------------------------------------------

def test_written_sorted_stable_atomic(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cables").mkdir()
    (tmp_path / "cables" / "b.txt").write_text(CABLE)
    (tmp_path / "cables" / "a.txt").write_text(BAD)
    (tmp_path / "meta").mkdir()
    code, out, err = run(["check", "--isolated", "--write-baseline", "meta/b.json", "cables"], capsys)
    assert code == 0 and out == "" and "wrote meta/b.json" in err
    text = (tmp_path / "meta" / "b.json").read_text()
    doc = json.loads(text)
    assert doc["tool"] == "markcheck" and doc["version"] == 1
    entries = doc["entries"]
    assert [(e["path"], e["code"], e["hash"]) for e in entries] == sorted(
        (e["path"], e["code"], e["hash"]) for e in entries)
    assert {e["path"] for e in entries} == {"../cables/a.txt", "../cables/b.txt"}
    c203 = [e for e in entries if e["code"] == "C203"]
    assert len(c203) == 1 and c203[0]["count"] == 2           # two "(S)" portions, one entry
    assert text == json.dumps(doc, indent=2, sort_keys=True) + "\n"
    # again, from elsewhere and in parallel: byte for byte the same
    monkeypatch.chdir(tmp_path / "meta")
    code, _, _ = run(["check", "--isolated", "-j", "2", "--write-baseline", "b.json", "../cables"], capsys)
    assert code == 0 and (tmp_path / "meta" / "b.json").read_text() == text
    assert os.listdir(tmp_path / "meta") == ["b.json"]           # no temporary file left


def test_write_text_atomic_keeps_mode_and_cleans_up(tmp_path):
    target = tmp_path / "r.txt"
    target.write_text("old")
    target.chmod(0o640)
    write_text_atomic(str(target), "new\n")
    assert target.read_text() == "new\n" and (target.stat().st_mode & 0o777) == 0o640
    with pytest.raises(OSError):
        write_text_atomic(str(tmp_path / "missing" / "r.txt"), "x")
    assert sorted(os.listdir(tmp_path)) == ["r.txt"]


# -- checking against it ---------------------------------------------------------------

def test_baseline_hides_known_reports_new_lists_stale(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cable = tmp_path / "c.txt"
    cable.write_text(CABLE)
    assert run(["check", "--isolated", "--write-baseline", "b.json", "."], capsys)[0] == 0
    code, out, err = run(["check", "--isolated", "--baseline", "b.json", "--format", "json", "."], capsys)
    assert code == 0 and diags(out) == [] and err == ""
    # lines added above the findings: still matched
    cable.write_text(CABLE.replace("1. (C) Text.\n", "1. (C) Text.\nMore of it.\nAnd more.\n"))
    code, out, _ = run(["check", "--isolated", "--format", "json", "."], capsys)
    assert sorted(x["line"] for x in diags(out) if x["code"] == "C203") == [15, 17]   # they moved
    code, out, err = run(["check", "--isolated", "--baseline", "b.json", "--format", "json", "."], capsys)
    assert code == 0 and diags(out) == []
    # one more of the same kind: exactly that one is new (multiset)
    cable.write_text(CABLE + "\n4. (S) Yet more.\n")
    code, out, err = run(["check", "--isolated", "--baseline", "b.json", "--format", "json", "."], capsys)
    assert code == 1 and [(x["line"], x["code"]) for x in diags(out)] == [(17, "C203")]
    # one fixed: a stale entry on stderr, no failure
    cable.write_text(CABLE.replace("3. (S)", "3. (C)"))
    code, out, err = run(["check", "--isolated", "--baseline", "b.json", "."], capsys)
    assert code == 0
    assert "baseline b.json: 1 stale entry" in err and "stale: c.txt: C203" in err
    code, out, err = run(["check", "--isolated", "-q", "--baseline", "b.json", "."], capsys)
    assert len(err.strip().splitlines()) == 1                     # -q: the summary line only
    # --no-baseline shows everything; --baseline with --write-baseline is a usage error
    code, out, _ = run(["check", "--isolated", "--no-baseline", "--format", "json", "."], capsys)
    assert len(diags(out)) >= 1
    assert run(["check", "--baseline", "b.json", "--write-baseline", "b.json", "."], capsys)[0] == 2


def test_baseline_from_config_relative_to_it(tmp_path, capsys, monkeypatch):
    (tmp_path / "cables").mkdir()
    (tmp_path / "cables" / "c.txt").write_text(BAD)
    (tmp_path / "pyproject.toml").write_text('[tool.markcheck]\nbaseline = "meta/known.json"\n')
    (tmp_path / "meta").mkdir()
    monkeypatch.chdir(tmp_path / "cables")
    code, _, err = run(["check", "."], capsys)
    assert code == 2 and "meta/known.json: baseline file not found" in err
    assert "--write-baseline" in err and len(err.strip().splitlines()) == 1
    assert run(["check", "--write-baseline", "../meta/known.json", "."], capsys)[0] == 0
    code, out, _ = run(["check", "--format", "json", "."], capsys)
    assert code == 0 and diags(out) == []
    code, out, _ = run(["check", "--format", "json", "--no-baseline", "."], capsys)
    assert code == 1 and diags(out)


@pytest.mark.parametrize("content,needle", [
    ("{not json", "invalid JSON at line 1"),
    ("[]", 'no "entries" list'),
    ('{"entries": [], "version": 99}', "version 99"),
    ('{"entries": [{"path": "a", "code": "S101"}], "version": 1}', "entry 1 needs path, code, hash"),
    ('{"entries": [{"path": "a", "code": "S101", "hash": "x", "count": 0}], "version": 1}',
     "count (a positive integer)"),
    (b"\xff\xfe\x00", "not UTF-8"),
])
def test_corrupt_baseline_is_one_line_exit_2(tmp_path, capsys, monkeypatch, content, needle):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.txt").write_text(BAD)
    if isinstance(content, bytes):
        (tmp_path / "b.json").write_bytes(content)
    else:
        (tmp_path / "b.json").write_text(content)
    code, out, err = run(["check", "--baseline", "b.json", "."], capsys)
    assert code == 2 and out == ""
    assert err.startswith("markcheck: error: b.json: not a markcheck baseline (")
    assert needle in err and len(err.strip().splitlines()) == 1
    with pytest.raises(BaselineError):
        Baseline.load(str(tmp_path / "b.json"))


def test_output_file(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.txt").write_text(BAD)
    code, out, _ = run(["check", "--isolated", "--format", "json", "c.txt"], capsys)
    code2, out2, _ = run(["check", "--isolated", "--format", "json", "-o", "r.json", "c.txt"], capsys)
    assert code == code2 == 1 and out2 == ""
    assert (tmp_path / "r.json").read_text() == out
    assert sorted(os.listdir(tmp_path)) == ["c.txt", "r.json"]
    code, out, err = run(["check", "--output-file", "no/such/dir/r.json", "c.txt"], capsys)
    assert code == 2 and "no/such/dir/r.json: cannot write" in err
    assert len(err.strip().splitlines()) == 1


# -- the corpus: the "must show" -----------------------------------------------

_PORTION_C = re.compile(r"^(\d+)\. \(C\)", re.M)


def test_corpus_baseline_then_one_injected_fault(corpus, tmp_path, markcheck_exe):
    """--write-baseline, then --baseline: exit 0; one fault injected: exit 1, exactly it."""
    work = tmp_path / "cables"
    work.mkdir()
    names = sorted(os.listdir(corpus / "cables"))[:40]
    for name in names:
        shutil.copy(corpus / "cables" / name, work / name)

    def check(*args):
        return subprocess.run([markcheck_exe, "check", "--isolated", *args], capture_output=True,
                              text=True, cwd=tmp_path, timeout=300)

    r = check("--write-baseline", "baseline.json", "cables")
    assert r.returncode == 0, r.stderr
    r = check("--baseline", "baseline.json", "cables")
    assert r.returncode == 0, r.stdout + r.stderr
    # a CONFIDENTIAL cable: mark its first (C) paragraph (S), above the banner
    for name in names:
        text = (work / name).read_text(encoding="utf-8")
        first = text.lstrip().splitlines()[0].replace(" ", "")
        m = _PORTION_C.search(text)
        if m and first.startswith("CONFIDENTIAL"):
            break
    else:
        pytest.skip("no CONFIDENTIAL cable with a (C) paragraph among the first 40")
    (work / name).write_text(text[:m.start()] + m.group(1) + ". (S)" + text[m.end():], encoding="utf-8")
    line = text[:m.start()].count("\n") + 1
    r = check("--baseline", "baseline.json", "--format", "json", "cables")
    assert r.returncode == 1, r.stderr
    found = json.loads(r.stdout)
    assert len(found) == 1, found
    assert found[0]["path"] == f"cables/{name}" and found[0]["line"] == line
