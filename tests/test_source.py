"""Reading files: encodings, line ends, dialects, and positions in the user's file."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import markcheck
from markcheck.source import InputError, decode, source_from_text


def pos_of(text: str, needle: str, dialect=None):
    src = source_from_text(text, "t", dialect)
    i = src.text.index(needle)
    return src.span(i, i + len(needle))


def test_plain_strips_blanks_and_export_backslashes():
    src = source_from_text("  C O N F I D E N T I A L PARIS 000001 \\\n \\\nSIPDIS \\\n", "t")
    assert src.text == "C O N F I D E N T I A L PARIS 000001\n\nSIPDIS\n"
    assert src.dialect == "plain"
    assert pos_of("  SECRET X 1\n", "SECRET") == (1, 3, 1, 9)


@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"])
def test_line_ends(eol):
    text = eol.join(["SECRET PARIS 000001", "", "1. (S) Text."]) + eol
    cable = markcheck.parse(text)
    assert cable.paragraphs[0].number == 1
    line, col, _, _ = cable.source.span(cable.paragraphs[0].span.start, cable.paragraphs[0].span.end)
    assert (line, col) == (3, 1)


def test_encodings():
    assert decode("\ufeffSECRET".encode("utf-8")) == "SECRET"
    assert decode("SECRET".encode("utf-16")) == "SECRET"
    with pytest.raises(InputError, match="binary"):
        decode(b"SECRET\x00")
    with pytest.raises(InputError, match="UTF-8"):
        decode(b"SECRET caf\xe9")


def test_markdown_links_map_back():
    text = "UNCLAS STATE 000001\n\nTAGS: [PREL](#) [FR](#)\n"
    src = source_from_text(text, "t")
    assert src.dialect == "markdown"
    line, col, _, end = pos_of(text, "FR")
    assert (line, col, end) == (3, 18, 20)
    assert text.splitlines()[2][col - 1:end - 1] == "FR"


def test_html_entities_map_back():
    page = "<html><pre>UNCLAS X 1&#x000A;SUBJECT: A &amp; B</pre></html>"
    src = source_from_text(page, "p.html")
    assert src.dialect == "html"
    assert src.text == "UNCLAS X 1\nSUBJECT: A & B\n"
    i = src.text.index("B\n")
    line, col = src.position(i)
    assert page.splitlines()[line - 1][col - 1] == "B"
    j = src.text.index("&")
    line, col = src.position(j)
    assert page[col - 1:col + 4] == "&amp;"


def test_dialect_override():
    text = "UNCLAS STATE 000001\nTAGS: [PREL](#)\n"
    assert markcheck.parse(text, dialect="plain").tags.items[0].text == "[PREL]"
    assert markcheck.parse(text).tags.items[0].text == "PREL"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=" \t\u00a0\\\nabAB.", max_size=120))
def test_plain_fast_path_matches_line_by_line(raw):
    """normalize's LF fast path gives the text and offset map of the line-by-line path."""
    from markcheck.dialects import plain
    from markcheck.source import Source, TextBuilder

    ref = TextBuilder()
    for start, line in plain.split_lines(raw):
        plain.add_line(ref, line, start)
    fast, _ = plain.normalize(raw)
    a, b = Source.build("x", raw, fast, "plain"), Source.build("x", raw, ref, "plain")
    assert a.text == b.text
    assert [a.original_offset(i) for i in range(len(a.text))] == \
        [b.original_offset(i) for i in range(len(b.text))]


def _line_by_line(raw: str):
    from markcheck.dialects import plain
    from markcheck.source import Source, TextBuilder

    ref = TextBuilder()
    for start, line in plain.split_lines(raw):
        plain.add_line(ref, line, start)
    return Source.build("x", raw, ref, "plain")


def test_plain_fast_path_maps_real_cables_back(corpus):
    """On real cables (and with blanks added at their edges), every offset of the fast
    path's text maps to the same place in the file as the line-by-line path's."""
    paths = sorted((corpus / "cables").iterdir())[::60]
    for path in paths:
        raw = decode(path.read_bytes())
        for variant in (raw, raw.rstrip("\n"), "  " + raw + " \t", raw.replace("\n", " \n\u00a0")):
            fast = source_from_text(variant, "x", "plain")
            assert fast._segments.__class__.__name__ == "_LineMap"
            ref = _line_by_line(variant)
            assert fast.text == ref.text
            offsets = range(-1, len(fast.text) + 2)
            assert [fast.original_offset(i) for i in offsets] == [ref.original_offset(i) for i in offsets]
            assert [fast.position(i) for i in offsets[::7]] == [ref.position(i) for i in offsets[::7]]
