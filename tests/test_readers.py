"""The element readers of markcheck.model against the parser they stand in for.

banner_reader, ref_reader and classified_by_reader read an element from the parser's
own tables and terminals (model._element_automaton) instead of parsing it: the model
objects they give must be those the parser path gives, on every element text of the
corpus and on mutated texts; a reader answers None only where the parser fails.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import markcheck.model as model
from markcheck.grammar import ParseFailure, Token, parse_element
from markcheck.model import Span, _CableBuilder
from markcheck.source import read_source


class _Text:
    """Stands in for a Source: _CableBuilder reads only its text."""

    def __init__(self, text: str) -> None:
        self.text = text


def _parses(text: str, start: str) -> bool:
    try:
        parse_element(text, start, 0)
    except ParseFailure:
        return False
    return True


def _both(text: str, start: str, base: int = 3):
    """(the reader's model object, the parser's) for the element ``text`` at offset ``base``,
    each as _CableBuilder (or classified_by_from) builds it; the reader's is None where
    it answers None."""
    doc = " " * base + text + "\n"
    tok = Token({"banner": "BANNER_LINE", "ref": "REF_BLOCK"}.get(start, "CLASSIFIED_BLOCK"),
                text + "\n", start_pos=base, end_pos=base + len(text) + 1)
    span = Span(base, base + len(text))
    if start == "banner":
        fast = model.banner_reader()(text, base)
        slow = _CableBuilder(_Text(doc))
        slow.read_banner = lambda text, base: None
        got = _CableBuilder(_Text(doc)).banner(tok) if fast is not None else None
        return got, slow.banner(tok)
    if start == "ref":
        fast = model.ref_reader()(text, base)
        builders = []
        for reader in (model.ref_reader(), lambda text, base: None):
            builder = _CableBuilder(_Text(doc))
            builder.read_ref = reader
            builder.h_ref(tok, span)
            builders.append(builder.fields["references"])
        return (builders[0] if fast is not None else None), builders[1]
    fast = model.classified_by_reader()(text)
    got = model.classified_by_from(text, span) if fast is not None else None
    saved = model.classified_by_reader
    model.classified_by_reader = lambda: (lambda text: None)
    try:
        want = model.classified_by_from(text, span)
    finally:
        model.classified_by_reader = saved
    return got, want


def _check(text: str, start: str) -> bool:
    """The reader's object is the parser's, or None where the parser fails; True if read."""
    got, want = _both(text, start)
    if got is None:
        assert not _parses(text, start), (start, text)
        return False
    assert got == want, (start, text)
    assert repr(got) == repr(want), (start, text)
    return True


def test_readers_are_in_use():
    """Each reader reads (the grammar and Lark are as the readers read them)."""
    assert model.banner_reader()("CONFIDENTIAL SECTION 01 OF 02 PARIS 007961", 0) is not None
    assert model.ref_reader()("REF: A. STATE 1234", 0) is not None
    assert model.classified_by_reader()("Classified By: X for reasons 1.4 (b)") is not None


@pytest.fixture(scope="module")
def element_texts(corpus):
    """Every banner, REF and Classified By text that building the corpus cables reads
    (the readers are asked for each: a recording reader answers None, so the parser
    path reads them as before)."""
    texts: dict = {"banner": set(), "ref": set(), "classified_by": set()}

    def recorder(start):
        def read(text, base=0):
            texts[start].add(text)
            return None
        return read

    saved = model.banner_reader, model.ref_reader, model.classified_by_reader
    model.banner_reader = lambda: recorder("banner")
    model.ref_reader = lambda: recorder("ref")
    model.classified_by_reader = lambda: recorder("classified_by")
    try:
        for path in sorted(Path(corpus / "cables").glob("*.txt")):
            model.build(read_source(str(path)))
    finally:
        model.banner_reader, model.ref_reader, model.classified_by_reader = saved
    return {start: sorted(found) for start, found in texts.items()}


@pytest.mark.parametrize("start", ["banner", "ref", "classified_by"])
def test_corpus_elements(element_texts, start):
    texts = element_texts[start]
    assert len(texts) > 100
    read = sum(_check(text, start) for text in texts)
    assert read > len(texts) * 0.8


_INSERTS = ["//", "/", "-", "0", "1", "12", "1.4", "(", ")", ",", ".", ";", ":", " ", "  ", "\t", "\n", "é",
            "'", '"', "]", "*", "A", "x", "REL TO USA", "SECTION 1 OF 2 ", " AND ", "(b)", "NOFORN", "E F T O"]


def _mutants(text: str, rng: random.Random, count: int):
    """``count`` variants of ``text``: a character dropped, doubled or its case changed,
    a piece inserted, a cut."""
    for _ in range(count):
        i = rng.randrange(len(text) + 1)
        kind = rng.randrange(5)
        if kind == 0 and i < len(text):
            yield text[:i] + text[i + 1:]
        elif kind == 1 and i < len(text):
            yield text[:i] + text[i] + text[i:]
        elif kind == 2 and i < len(text):
            yield text[:i] + text[i].swapcase() + text[i + 1:]
        elif kind == 3:
            yield text[:i]
        else:
            yield text[:i] + rng.choice(_INSERTS) + text[i:]


@pytest.mark.parametrize("start", ["banner", "ref", "classified_by"])
def test_mutated_elements(element_texts, start):
    rng = random.Random(5)
    texts = element_texts[start]
    for text in rng.sample(texts, min(300, len(texts))):
        for mutant in _mutants(text, rng, 12):
            if mutant:
                _check(mutant, start)


_PIECES = {
    "banner": st.sampled_from(["C O N F I D E N T I A L", "CONFIDENTIAL", "SECRET", "S E C R E T", "UNCLAS",
                               "unclassified", "TOP SECRET", "LIMITED OFFICIAL USE", ".", "]", " ", "  ", "//",
                               "/", "-", "SECTION", "01", "OF", "02", "PARIS", "SAN JOSE", "007961", "NOFORN",
                               "SIPDIS", "E F T O", "REL TO", "REL", "USA", ",", "AND", ")", "X", "sensitive",
                               "\t", "\n", "Section"]),
    "ref": st.sampled_from(["REF:", "REFS", "REFTEL", "Ref.", "REF(S)", " ", "  ", "A.", "(B)", "C)", "05",
                            "2005", "STATE", "SAN JOSE", "Paris", "1234", "00123", "/", ".", "-", ":", "\n",
                            "AND", "EMAIL", "OF", "12/06/07", "REFERENCE"]),
    "classified_by": st.sampled_from(["Classified By:", "CLASSIFIED BY", "(C) Classified by", " ", "  ",
                                      "Ambassador", "X.", "for", "reasons", "Reason", "E.O.", "12958", "1.4",
                                      "1.5", "1.6", "(b)", "(d)", "b", "and", "&", ",", ";", ":", ".", "\n",
                                      "sec", "section", "per", "E", "(", ")", "x"]),
}


@pytest.mark.parametrize("start", ["banner", "ref", "classified_by"])
@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_generated_elements(start, data):
    pieces = data.draw(st.lists(_PIECES[start], min_size=1, max_size=12))
    glue = data.draw(st.lists(st.sampled_from(["", " ", "  "]), min_size=len(pieces), max_size=len(pieces)))
    text = "".join(p + g for p, g in zip(pieces, glue))
    if text:
        _check(text, start)
