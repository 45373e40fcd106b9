"""The seed cable parses to what a reader sees in it."""

from __future__ import annotations

import markcheck
from markcheck.dump import cable_to_dict
from markcheck.markings import Level

from conftest import SEED


def test_seed_model():
    cable = markcheck.parse_file(str(SEED))
    b = cable.banner
    assert b is not None
    assert b.level is Level.C
    assert (b.section, b.of, b.post, b.serial) == (1, 2, "PARIS", "007961")
    assert cable.caption_words == ("SIPDIS",)
    assert cable.eo.order == "12958"
    assert cable.eo.decl.text == "10 YEARS"
    assert [t.text for t in cable.tags.items] == [
        "ETTC", "FR", "KS", "KSCA", "MNUC", "PARM", "PREL", "TSPA", "MTCRE"]
    assert cable.subject.text == ("MISSILE TECHNOLOGY CONTROL REGIME: 20 OCTOBER "
                                  "MEETING OF MTCR POINTS OF CONTACT IN PARIS")
    refs = cable.references.items
    assert [(r.post, r.serial) for r in refs] == [("STATE", "192533")]
    cb = cable.classified_by
    assert cb.reason_section == "1.5"
    assert cb.reason_letters == ("b", "d")
    assert "Robert W. Dry" in cb.classifier
    assert [p.number for p in cable.paragraphs] == [1, 2, 3, 4, 5]
    assert all(p.marking.level is Level.C and p.marking.text == "(C)" for p in cable.paragraphs)
    assert cable.partial
    assert cable.date is None  # nothing in the seed dates it


def test_seed_positions_point_into_the_markdown_file():
    cable = markcheck.parse_file(str(SEED))
    src = cable.source
    lines = SEED.read_text(encoding="utf-8").splitlines()
    # the tag KSCA sits inside "[KSCA](#)" on line 13 of the file
    tag = next(t for t in cable.tags.items if t.text == "KSCA")
    line, col, end_line, end_col = src.span(tag.span.start, tag.span.end)
    assert lines[line - 1][col - 1:end_col - 1] == "KSCA"
    # paragraph 3's mark
    p3 = cable.paragraphs[2]
    line, col, _, end_col = src.span(p3.marking_span.start, p3.marking_span.end)
    assert lines[line - 1][col - 1:end_col - 1] == "(C)"
    assert lines[line - 1].startswith("3. (C)")


def test_seed_json_dump_fields():
    data = cable_to_dict(markcheck.parse_file(str(SEED)))
    assert data["classification"]["level"] == "C"
    assert data["eo"] == {**data["eo"], "order": "12958", "decl": "10 YEARS"}
    assert len(data["tags"]) == 9
    assert data["classified_by"]["reason_letters"] == ["b", "d"]
    assert [p["marking"]["level"] for p in data["paragraphs"]] == ["C"] * 5
    assert data["date"] is None
