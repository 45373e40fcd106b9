"""Grammar cases as data (tests/data/grammar_cases.toml): snippet -> model fields."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


HEADS = ["1. (C) text", "12.  (S/NF) text", "3) text", "4.(U)text", "5. (S//REL TO USA, GBR) x",
         "6. (SBU-NF) x", "7. (c) x", "8. (CN) x", "9 . x", "10. ( C ) x", "11.(S-NF)x", "2) (U)"]


def _agree(head: str) -> None:
    """The model's regex split of a paragraph head agrees with the grammar's para_head."""
    from markcheck.grammar import parse_element
    from markcheck.model import paragraph_parts

    m = paragraph_parts().match(head)
    assert m is not None, head
    # the grammar reads the head the regex found: number, then the mark if any
    tree = parse_element(head[:m.end()].rstrip(), "para_head")
    toks = [str(t) for t in tree.children]
    assert toks[0] == m[1], head
    assert (toks[1] if len(toks) > 1 else None) == m[2], head


@pytest.mark.parametrize("head", HEADS)
def test_paragraph_head_split_matches_grammar(head):
    _agree(head)


def test_paragraph_head_split_matches_grammar_on_corpus(corpus):
    """Every paragraph head of the real cables splits as the grammar reads it."""
    from markcheck.model import build
    from markcheck.source import read_source

    n = 0
    for path in sorted((corpus / "cables").iterdir())[::10]:
        cable = build(read_source(path))
        for p in cable.paragraphs:
            _agree(cable.source.text[p.span.start:p.span.end].split("\n")[0])
            n += 1
    assert n > 3000


def _same_split(head: str) -> bool:
    """Where the model's quick head regex reads a head, it reads it as paragraph_parts:
    the same groups at the same offsets. Returns whether the quick regex read it."""
    from markcheck.model import _SIMPLE_HEAD, paragraph_parts

    quick = _SIMPLE_HEAD(head)
    if quick is None:
        return False
    full = paragraph_parts().match(head)
    assert full is not None and quick.regs == full.regs, head
    return True


@given(st.text(alphabet="0123456789. \t()/-CSTUNFLOBRcsu\nAx", min_size=1, max_size=24))
@settings(max_examples=2000, deadline=None)
def test_quick_paragraph_head_reads_as_the_full_one(head):
    _same_split(head)


def test_quick_paragraph_head_reads_real_heads_as_the_full_one(corpus):
    from markcheck.model import build, simple_head, _SIMPLE_HEAD
    from markcheck.source import read_source

    assert simple_head() is _SIMPLE_HEAD  # the guard finds the two agree
    read = 0
    for path in sorted((corpus / "cables").iterdir())[::10]:
        cable = build(read_source(path))
        for p in cable.paragraphs:
            read += _same_split(cable.source.text[p.span.start:p.span.end])
    assert read > 3000  # most heads take the quick way


def _tags_alike(text: str) -> bool:
    """Where the model's quick TAGS reader reads a line, it reads it as the "tags" rule:
    the same keyword and Tag items (text, span, person). Returns whether it read it."""
    from markcheck.grammar import ParseFailure, parse_element
    from markcheck.model import Tag, tags_reader

    got = tags_reader()(text, 11)
    if got is None:
        return False
    try:
        parts = parse_element(text, "tags", 11)
    except ParseFailure:
        raise AssertionError(f"the reader read a line the grammar refuses: {text!r}") from None
    assert got == (str(parts[0]), tuple([p for p in parts if isinstance(p, Tag)])), text
    assert [t.person for t in got[1]] == [p.person for p in parts if isinstance(p, Tag)]
    return True


@given(st.text(alphabet="TAGSags:;., \t\n()PRELIZ-\r\x0b\u00e9", min_size=1, max_size=30))
@settings(max_examples=1000, deadline=None)
def test_quick_tags_read_as_the_grammar(text):
    _tags_alike(text)


@given(st.lists(st.sampled_from(["PREL", "KDEM", ",", ";", " ", "\t", "(RICE, C)", "(OPEN", ")", "\n",
                                 "--", "\r", "TAGS"]), max_size=8),
       st.sampled_from(["TAGS:", "TAGS", "tags;", "TAG.", "Tags: ", " TAGS:", "TAGSX"]))
@settings(max_examples=500, deadline=None)
def test_quick_tags_read_as_the_grammar_items(items, keyword):
    _tags_alike(keyword + "".join(items))


def _subject_alike(text: str) -> bool:
    """Where the model's quick SUBJECT reader reads a line, it reads it as the "subject"
    rule: the same keyword, mark and text at the same offsets. Returns whether it read it."""
    from markcheck.grammar import ParseFailure, parse_element
    from markcheck.model import subject_reader

    got = subject_reader()(text)
    if got is None:
        return False
    try:
        tokens = parse_element(text, "subject")
    except ParseFailure:
        raise AssertionError(f"the reader read a line the grammar refuses: {text!r}") from None
    want = [str(tokens[0]), None, None]
    for tok in tokens[1:]:
        want[1 if tok.type == "MARK" else 2] = (str(tok), tok.start_pos, tok.end_pos)
    assert got == tuple(want), text
    return True


@given(st.lists(st.sampled_from(["SUBJECT", "SUBJ", "subject", ":", " ", "\t", "\n", "(C)", "(S//NF)",
                                 "(X)", "(", ")", "TEXT", "\r", "/", "-", "SBU", "(U", "NF"]), max_size=9))
@settings(max_examples=1500, deadline=None)
def test_quick_subject_read_as_the_grammar(parts):
    _subject_alike("".join(parts))


def _eo_alike(text: str) -> bool:
    """Where the model's quick E.O. reader reads a line, it reads it as the "eo" rule (in
    the parts the model reads of it). Returns whether it read it."""
    from markcheck.grammar import ParseFailure, parse_element
    from markcheck.model import _eo_parts, eo_reader

    got = eo_reader()(text)
    if got is None:
        return False
    try:
        parsed = parse_element(text, "eo")
    except ParseFailure:
        raise AssertionError(f"the reader read a line the grammar refuses: {text!r}") from None
    assert got == _eo_parts(parsed), text
    return True


@given(st.lists(st.sampled_from(["E.O.", "EO", "e.0.", " ", "\t", "\n", ":", "12958", "1234", "123456",
                                 "DECL", "DECL:", "decl ", "DNG", "N/A", "n.a.", "TAGS", "TAGS:", "TAG",
                                 "tags", "PREL", "1.6X6", "10/29/2014", "X", "OADR", ".", ";", "\r"]),
                max_size=10))
@settings(max_examples=2000, deadline=None)
def test_quick_eo_read_as_the_grammar(parts):
    _eo_alike("".join(parts))


@given(st.lists(st.sampled_from([" ", ":", "DECL", "DECL:", "N/A", "TAGS", "TAGS:", "TAGSX", "X", "1.4",
                                 "\n", "  ", "DNG:", "TAG."]), max_size=8))
@settings(max_examples=1000, deadline=None)
def test_quick_eo_read_as_the_grammar_after_the_order(parts):
    _eo_alike("E.O. 12958" + "".join(parts))


@pytest.fixture(scope="module")
def fifth_of_corpus(corpus):
    """Every fifth corpus cable, built once for the reader tests below."""
    from markcheck.model import build
    from markcheck.source import read_source

    return [build(read_source(path)) for path in sorted((corpus / "cables").iterdir())[::5]]


@pytest.mark.parametrize("reader, spans, alike", [
    ("tags_reader", lambda c: [c.tags.span] if c.tags is not None else [], _tags_alike),
    ("subject_reader", lambda c: [c.subject.span] if c.subject is not None else [], _subject_alike),
    ("eo_reader", lambda c: [eo.span for eo in c.eo_lines], _eo_alike),
])
def test_quick_readers_read_real_lines_as_the_grammar(fifth_of_corpus, reader, spans, alike):
    import markcheck.model

    # the guard finds the grammar as the reader reads it
    assert getattr(markcheck.model, reader)().__name__ == "read"
    read = lines = 0
    for cable in fifth_of_corpus:
        for span in spans(cable):
            lines += 1
            read += alike(cable.text_of(span))
    assert read > 0.9 * lines > 100  # most lines take the quick way


def test_reader_samples_are_read_so_by_the_parser():
    """The readings the element readers check themselves against at first use (with no
    parse, to spare a run the parser's scanners) are the parser's readings."""
    from markcheck.grammar import parse_element
    from markcheck.model import _EO_SAMPLES, _SUBJECT_SAMPLES, _TAGS_SAMPLES, Tag, _eo_parts

    for text, want in _TAGS_SAMPLES.items():
        parts = parse_element(text, "tags", 7)
        tags = [p for p in parts if isinstance(p, Tag)]
        assert (str(parts[0]), tuple((t.text, t.span.start, t.span.end, t.person) for t in tags)) == want
        assert _tags_alike(text)
    for text, want in _SUBJECT_SAMPLES.items():
        tokens = parse_element(text, "subject")
        got = [str(tokens[0]), None, None]
        for tok in tokens[1:]:
            got[1 if tok.type == "MARK" else 2] = (str(tok), tok.start_pos, tok.end_pos)
        assert tuple(got) == want and _subject_alike(text)
    for text, want in _EO_SAMPLES.items():
        assert _eo_parts(parse_element(text, "eo")) == want and _eo_alike(text)


@pytest.mark.parametrize("text", ["E.O. 12958DNG:TAGS1.4", "E.O. 12958 DECL:TAGS X", "E.O. 12958 DECL: TAGSX",
                                  "E.O. 12958 DECL:  TAGS", "E.O. 12958 N/ATAGS", "E.O. 12958 DECL TAG. X"])
def test_quick_eo_reads_decl_then_tags_as_the_grammar(text):
    assert _eo_alike(text)


def test_classifier_shortcut_matches_as_the_plain_lookahead():
    """CLASSIFIER takes a character no reason can start with without trying its
    lookahead there; it must match exactly as the plain form (every character tried)."""
    import random
    import re

    from markcheck.grammar import terminal_regex

    reason = (r",? *+(?:(?:for +|per +)?(?:reasons?|e\.o\.?|eo)\b *+[:.]? *+)?"
              r"(?:E\.O\. *\d+ *,? *)?(?:(?:per +)?sec(?:tion|\.)? *)?1\.[45](?!\d)")
    plain = re.compile(r"(?:(?!" + reason + r")(?: ++|[^\n ]))+", re.I)
    fast = re.compile(terminal_regex("CLASSIFIER"))
    assert reason in fast.pattern, "the plain form above no longer names CLASSIFIER's reason"
    pieces = list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,.:;()/'\"-\n\t") + [
        "\u017f", "\u212a", "\u0130", "\u0131", "1.4", "1.5", "for ", "per ", "reasons ", "E.O. ",
        "sec ", "section ", "e.o.", "eo ", " (b)", ", 1.4"]
    rnd = random.Random(7)
    texts = ["".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 25))) for _ in range(20000)]
    texts += [chr(c) + tail for c in range(0x3000) for tail in (" 1.4 (b)", "or reasons 1.5")]
    for text in texts:
        a, b = plain.match(text), fast.match(text)
        assert (a and a.span()) == (b and b.span()), repr(text)
