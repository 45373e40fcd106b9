"""The grammar and model on the real cables of ../shared/corpus."""

from __future__ import annotations

import csv
import re

import pytest

from markcheck.lint import Settings, check_cable
from markcheck.model import build
from markcheck.source import read_source

LEVELS = {"UNCLASSIFIED": "U", "CONFIDENTIAL": "C", "SECRET": "S", "TOP SECRET": "TS"}
STANDARD_FIRST_LINE = re.compile(
    r"^(?:UNCLAS(?:SIFIED)?|LIMITED OFFICIAL USE|CONFIDENTIAL|SECRET|TOP SECRET|"
    r"C O N F I D E N T I A L|S E C R E T|T O P S E C R E T)\b")


@pytest.fixture(scope="module")
def parsed(corpus):
    """Every corpus cable, parsed once: (manifest row, cable)."""
    rows = list(csv.DictReader((corpus / "MANIFEST.tsv").open(encoding="utf-8"), delimiter="\t"))
    assert len(rows) > 4000
    return [(row, build(read_source(str(corpus / "cables" / f"{row['reference_id']}.txt"))))
            for row in rows]


def test_every_cable_parses(parsed):
    errors = [(row["reference_id"], c.parse_error) for row, c in parsed if c.parse_error]
    assert errors == []


def test_no_s100_and_a_banner_where_the_first_line_is_standard(parsed):
    bad = []
    for row, cable in parsed:
        first = next((l for l in cable.source.text.splitlines() if l.strip()), "")
        if STANDARD_FIRST_LINE.match(first):
            diags = check_cable(cable, Settings(select=("S100", "S101")))
            if diags or cable.banner is None:
                bad.append((row["reference_id"], [d.code for d in diags]))
    assert bad == []


def test_level_agrees_with_published_metadata(parsed):
    misses = []
    for row, cable in parsed:
        want = LEVELS[row["classification"].split("//")[0]]
        got = cable.level.name if cable.level is not None else None
        if got != want:
            misses.append((row["reference_id"], want, got))
    rate = 1 - len(misses) / len(parsed)
    assert rate >= 0.995, f"level agreement {rate:.4f}; misses: {misses[:20]}"


def test_full_telegram_header_plus_body(corpus):
    """A full telegram (routing header, blank line, body) parses to the same level and
    takes its date from the DTG line."""
    rows = list(csv.DictReader((corpus / "MANIFEST.tsv").open(encoding="utf-8"), delimiter="\t"))
    checked = dated = 0
    for row in rows[::25]:
        ref = row["reference_id"]
        header = (corpus / "headers" / f"{ref}.txt")
        if not header.is_file():
            continue
        from markcheck.source import source_from_text

        body = (corpus / "cables" / f"{ref}.txt").read_text("utf-8")
        full = header.read_text("utf-8").rstrip("\n") + "\n\n" + body
        alone = build(source_from_text(body, f"{ref}.txt"))
        both = build(source_from_text(full, f"{ref}.txt"))
        assert both.parse_error is None
        assert both.level == alone.level, ref
        checked += 1
        if both.preamble and both.preamble.routing and both.preamble.routing.dtg:
            assert both.date is not None and both.date.source == "routing header DTG", ref
            dated += 1
    assert checked > 100 and dated > 50
