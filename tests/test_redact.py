"""markcheck redact: the release copy passes the release gate (on real cables too)."""

from __future__ import annotations

import subprocess


from markcheck.lint import Settings, lint_text
from markcheck.markings import Level
from markcheck.model import build
from markcheck.protect import Store
from markcheck.redact import redact_text
from markcheck.source import read_source

from conftest import corpus_dir

GATE = Settings(select=("R",), options={c: {"release-level": "U"} for c in ("R604", "R609", "R610")})
CABLE = """C O N F I D E N T I A L MOSCOW 000001

E.O. 12958: DECL: 01/01/2015
TAGS: PREL, PHUM, OLGA VETROVA
SUBJECT: (C) MEETING WITH OLGA-VETROVA

Classified By: DCM John Smith for reasons 1.4 (b) and (d).

1. (U) Olga Vetrova's office called; contact kmiller@state.gov.
2. (C) The minister said so.
-- and more of it.
3. (U) Open text by XXXXX.
"""


def _store():
    store = Store()
    store.add("Olga Vetrova")
    return store


def test_redact_withholds_and_passes_the_gate():
    r = redact_text(CABLE, Level.U, _store())
    out = r.text
    assert "2. (C) [REDACTED (b)(1) 1.4(b) 1.4(d)]" in out
    assert "SUBJECT: (C) [REDACTED (b)(1) 1.4(b) 1.4(d)]" in out
    assert "minister" not in out and "more of it" not in out
    assert "vetrova" not in out.lower() and "kmiller" not in out
    assert "by XXXXXXXXXXXX." in out and "1. (U) XXXXXXXXXXXX office" in out
    assert "RELEASED IN PART - RELEASE LEVEL UNCLASSIFIED" in out
    store = _store()
    gate = Settings(select=("R",), options={**GATE.options, "R606": {"store": store.to_dict()}})
    assert [d.code for d in lint_text(out, "r.txt", gate)] == []
    before = [d.code for d in lint_text(CABLE, "c.txt", gate)]
    assert before.count("R604") == 2 and before.count("R606") == 3
    assert list(store.matches(out)) == []


def test_cli_never_overwrites_input(tmp_path, markcheck_exe):
    src = tmp_path / "c.txt"
    src.write_text(CABLE)
    run = lambda *a: subprocess.run([markcheck_exe, *a], capture_output=True, text=True, cwd=tmp_path)
    r = run("redact", "c.txt", "--release-level", "U", "-o", "c.txt")
    assert r.returncode == 2 and src.read_text() == CABLE
    r = run("redact", "c.txt", "--release-level", "U")
    assert r.returncode == 0, r.stderr
    assert src.read_text() == CABLE and (tmp_path / "c.release.txt").exists()
    r = run("check", "--isolated", "--release-level", "U", "--select", "R", "c.release.txt")
    assert r.returncode == 0, r.stdout
    r = run("redact", "c.txt", "--release-level", "U", "--in-place")
    assert r.returncode == 0 and "[REDACTED" in src.read_text()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def _classified_sample(n: int = 40):
    cables = sorted((corpus_dir() / "cables").glob("*.txt"))
    picked = []
    for path in cables[::7]:
        cable = build(read_source(str(path)))
        if any(p.marking and p.marking.level and p.marking.level > Level.U for p in cable.paragraphs):
            picked.append(path)
            if len(picked) == n:
                break
    return picked


def test_corpus_sample_gate_and_redact():
    sample = _classified_sample()
    assert len(sample) == 40
    for path in sample:
        text = read_source(str(path)).text
        before = lint_text(text, str(path), GATE)
        assert any(d.code == "R604" for d in before), path.name
        out = redact_text(text, Level.U, None, str(path)).text
        after = lint_text(out, str(path), GATE)
        assert after == [], (path.name, [(d.line, d.code) for d in after])
