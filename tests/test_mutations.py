"""Faults injected into real cables are caught with the matching code.

Each mutation takes a real cable from ../shared/corpus, injects one fault, and
checks that linting the copy yields a new diagnostic with the expected code (the
multiset of codes after, minus before, holds it).
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from markcheck.lint import Settings, lint_text
from markcheck.model import build
from markcheck.source import source_from_text

PER_MUTATION = 6


def _sub_line(pattern: str, repl, text: str, flags=re.M) -> str | None:
    new, n = re.subn(pattern, repl, text, count=1, flags=flags)
    return new if n else None


def raise_portion(text, cable):
    if cable.level is None or cable.level.name not in ("C", "U"):
        return None
    above = "(S)" if cable.level.name == "C" else "(C)"
    if cable.level.name == "U":
        return None
    return _sub_line(r"^(\d{1,2}\. ?)\(C\)", lambda m: m[1] + above, text)


def remove_mark(text, cable):
    marked = [p for p in cable.paragraphs if p.marking is not None]
    if cable.level is None or cable.level.name == "U" or len(marked) < 3:
        return None
    return _sub_line(r"^(2\. ?)\((?:C|S|S/NF|C/NF|U|SBU)\) ?", lambda m: m[1], text)


def remove_tags(text, cable):
    return _sub_line(r"^TAGS?:?[^\n]*\n", "", text) if cable.tags else None


def remove_subject(text, cable):
    if cable.subject is None or "\n" in cable.text_of(cable.subject.span):
        return None
    return _sub_line(r"^SUBJECT:[^\n]*\n", "", text)


def remove_eo(text, cable):
    return _sub_line(r"^E\.O\. 1\d{4}:[^\n]*\n", "", text) if cable.eo else None


def remove_classified_by(text, cable):
    cb = cable.classified_by
    if cb is None or cb.in_paragraph or cable.level is None or cable.level.name == "U":
        return None
    return text[:cb.span.start] + text[cb.span.end:]


def bad_decl(text, cable):
    return _sub_line(r"(DECL: *)\d{1,2}/\d{1,2}/\d{4}", lambda m: m[1] + "13/45/2015", text)


def break_numbering(text, cable):
    numbers = [p.number for p in cable.paragraphs]
    if numbers[:4] != [1, 2, 3, 4]:
        return None
    return _sub_line(r"^3\.( ?\()", lambda m: "7." + m[1], text)


def drop_noforn(text, cable):
    if not any(p.marking is not None and p.marking.noforn for p in cable.paragraphs):
        return None
    if cable.banner is None or cable.banner.noforn:
        return None
    return _sub_line(r"^NOFORN *\n", "", text)


def add_sensitive(text, cable):
    if cable.level is None or cable.level.name == "U":
        return None
    return _sub_line(r"^(SIPDIS *\n)", lambda m: m[1] + "SENSITIVE\n", text)


def sipdis_with_exdis(text, cable):
    if "SIPDIS" not in cable.caption_words:
        return None
    return _sub_line(r"^(SIPDIS *\n)", lambda m: m[1] + "EXDIS\n", text)


def ovip_without_name(text, cable):
    if cable.tags is None:
        return None
    return _sub_line(r"^(TAGS:[^\n]*)$", lambda m: m[1] + " OVIP", text)


def lower_banner(text, cable):
    if cable.level is None or cable.level.name != "C":
        return None
    if not any(p.marking is not None and p.marking.classified for p in cable.paragraphs):
        return None
    return _sub_line(r"^C O N F I D E N T I A L", "UNCLAS", text)


MUTATIONS = [
    (raise_portion, "C203"), (remove_mark, "C201"), (remove_tags, "T501"),
    (remove_subject, "T507"), (remove_eo, "D306"), (remove_classified_by, "D301"),
    (bad_decl, "D308"), (break_numbering, "S107"), (drop_noforn, "C206"),
    (add_sensitive, "H407"), (sipdis_with_exdis, "H402"), (ovip_without_name, "T503"),
    (lower_banner, "C205"),
]


@pytest.fixture(scope="module")
def sample(corpus):
    files = sorted((corpus / "cables").glob("*.txt"))
    return [f for f in files[::7]]


@pytest.mark.parametrize("mutate,code", MUTATIONS, ids=[m[1] + "-" + m[0].__name__ for m in MUTATIONS])
def test_injected_fault_is_caught(sample, mutate, code):
    caught, tried = 0, []
    for path in sample:
        text = path.read_text("utf-8")
        cable = build(source_from_text(text, path.name))
        if cable.banner is None or cable.copies > 1 or cable.parse_error:
            continue
        mutated = mutate(text, cable)
        if mutated is None or mutated == text:
            continue
        before = Counter(d.code for d in lint_text(text, path.name, Settings()))
        after = Counter(d.code for d in lint_text(mutated, path.name, Settings()))
        new = after - before
        tried.append((path.name, dict(new)))
        assert code in new, f"{path.name}: injected fault not caught as {code}; new codes {dict(new)}"
        caught += 1
        if caught >= PER_MUTATION:
            break
    assert caught >= 3, f"mutation {mutate.__name__} applied to too few cables: {tried}"
