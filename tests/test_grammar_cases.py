"""Grammar cases as data (tests/data/grammar_cases.toml): snippet -> model fields."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

import markcheck
from markcheck.dump import cable_to_dict

CASES = tomllib.loads((Path(__file__).parent / "data" / "grammar_cases.toml").read_text("utf-8"))["case"]
MISSING = object()


def lookup(data, dotted: str):
    for key in dotted.split("."):
        if isinstance(data, list):
            idx = int(key)
            data = data[idx] if idx < len(data) else MISSING
        elif isinstance(data, dict):
            data = data.get(key, MISSING)
        else:
            return MISSING
        if data is MISSING:
            return MISSING
    return data


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_grammar_case(case):
    cable = markcheck.parse(case["text"].lstrip("\n"), case.get("path", "case.txt"))
    assert cable.parse_error is None
    data = cable_to_dict(cable)
    for key, want in case["expect"].items():
        got = lookup(data, key)
        if want == "__none__":
            assert got is None, f"{key}: expected nothing, got {got!r}"
        else:
            assert got == want, f"{key}: expected {want!r}, got {got!r}"
