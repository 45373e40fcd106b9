"""Every rule, judged on data-driven cases (tests/data/rules/*.toml).

A case names the rule under test (only it runs), a snippet of cable text, and
where the rule must fire: ``expect = [[line, column], ...]`` in order, ``[]`` for a
snippet it must accept. Optional: ``date`` (as --date), ``path`` (a file name, for
the date of a reference id), ``doc = "bad"|"good"`` for the docstring's examples.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pytest

from markcheck.lint import Settings, lint_text
from markcheck.rules import all_rules

DATA = Path(__file__).parent / "data" / "rules"


def load_cases() -> list[dict]:
    cases = []
    for path in sorted(DATA.glob("*.toml")):
        for case in tomllib.loads(path.read_text("utf-8")).get("case", []):
            case["_file"] = path.stem
            cases.append(case)
    return cases


CASES = load_cases()


def case_id(case: dict) -> str:
    return f"{case['_file']}-{case['code']}-{case['name']}"


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_rule_case(case):
    settings = Settings(select=(case["code"],),
                        date=dt.date.fromisoformat(case["date"]) if "date" in case else None,
                        options=case.get("options", {}))
    diags = lint_text(case["text"].lstrip("\n"), case.get("path", "case.txt"), settings)
    got = [[d.line, d.column] for d in diags]
    assert all(d.code == case["code"] for d in diags)
    assert got == case["expect"], "\n".join(f"{d.line}:{d.column} {d.code} {d.message}" for d in diags)
    for d in diags:
        assert d.message and "\n" not in d.message


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_every_rule_has_cases_and_docs(rule):
    mine = [c for c in CASES if c["code"] == rule.code]
    assert any(c["expect"] for c in mine), f"{rule.code}: no case where it fires"
    assert any(not c["expect"] for c in mine), f"{rule.code}: no case it accepts"
    assert any(c.get("doc") == "bad" for c in mine), f"{rule.code}: docstring Bad example untested"
    assert any(c.get("doc") == "good" for c in mine), f"{rule.code}: docstring Good example untested"
    doc = rule.doc
    for part in ("Why:", "Bad:", "Good:"):
        assert part in doc, f"{rule.code}: docstring lacks {part}"
    assert rule.name == rule.name.lower() and " " not in rule.name


def test_docs_rules_md_is_current():
    from markcheck.docgen import rules_markdown

    path = Path(__file__).resolve().parent.parent / "docs" / "rules.md"
    assert path.read_text("utf-8") == rules_markdown(), (
        "docs/rules.md is stale; regenerate it: markcheck rules --format markdown > docs/rules.md")
