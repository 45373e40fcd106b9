"""The protected-terms store: salted hashes only; normalised matching; the CLI."""

from __future__ import annotations

import json
import subprocess

from markcheck.protect import Store, mask, normalise

NAME = "Anna Smirnova"
CABLE = """C O N F I D E N T I A L MOSCOW 000001

TAGS: PREL, PHUM, ANNA SMIRNOVA
SUBJECT: MEETING WITH ANNA-SMIRNOVA

1. (U) Anna Smirnova's office called; anna
smirnova agreed. Anna Petrova and Ivan Smirnova did not.
"""


def test_normalise_folds_case_spacing_hyphens_possessive():
    forms = ["Anna Smirnova", "ANNA  SMIRNOVA", "anna-smirnova", "Anna Smirnova's", "Anna\nSmirnova\u2019s"]
    assert {normalise(f) for f in forms} == {"anna smirnova"}


def test_store_never_holds_clear_text(tmp_path):
    store = Store()
    assert store.add(NAME) is not None
    assert store.add("anna-SMIRNOVA") is None        # the same term
    path = tmp_path / ".markcheck-protected.json"
    store.save(str(path))
    data = path.read_text()
    assert "anna" not in data.lower() and "smirnova" not in data.lower()
    assert len(json.loads(data)["entries"]) == 1
    other = Store()
    other.add(NAME)
    assert other.entries[0].sha256 != store.entries[0].sha256   # a salt per file


def test_matches_each_place():
    store = Store()
    store.add(NAME)
    hits = [CABLE[s:e] for s, e, _ in store.matches(CABLE)]
    assert hits == ["ANNA SMIRNOVA", "ANNA-SMIRNOVA", "Anna Smirnova's", "anna\nsmirnova"]


def test_mask_is_fixed_length():
    assert mask("Anna Smirnova") == "A**** S****"
    assert mask("Al Bo") == "A**** B****"


def test_cli_add_list_and_check(tmp_path, markcheck_exe):
    run = lambda *a, **kw: subprocess.run([markcheck_exe, *a], capture_output=True, text=True,
                                          cwd=tmp_path, timeout=120, **kw)
    r = run("protect", "add", NAME)
    assert r.returncode == 0, r.stderr
    r = run("protect", "add", input="Ivan Petrov\n")
    assert r.returncode == 0, r.stderr
    r = run("protect", "list")
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 2
    store_text = (tmp_path / ".markcheck-protected.json").read_text()
    for out in (r.stdout, r.stderr, store_text):
        assert "smirnova" not in out.lower() and "petrov" not in out.lower()
    (tmp_path / "c.txt").write_text(CABLE)
    r = run("check", "--select", "R606", "c.txt")
    assert r.returncode == 1
    assert [l.split(": ")[1].split()[0] for l in r.stdout.splitlines()[:-1]] == ["R606"] * 4
    assert "smirnova" not in r.stdout.lower()


def test_the_rule_looks_for_the_stores_name():
    """R606 looks for stores by name without importing this module (see redaction)."""
    from markcheck.protect import STORE_NAME
    from markcheck.rules import redaction

    assert redaction._STORE_NAME == STORE_NAME
