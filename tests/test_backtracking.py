"""No grammar terminal, and no stage of linting, backtracks catastrophically.

Every terminal of the grammar (``grammar.parser().terminals``) is matched, as Lark's
lexer matches it (anchored at a position), against adversarial inputs of size n and
8n: long runs of blanks, letters, digits, "(", "1.", "SECTION 1 OF", "E.O. 1",
quotes and tabs, behind the prefixes that lead into each element. Whole documents
built from such lines are linted the same way. The time may grow about linearly
(8x the input, 8x the time); the bound is generous (``RATIO``) so that a slow CI
machine passes, while a quadratic pattern (64x) or worse fails. These are checks of
how cost grows, not timing targets (those live in benchmarks/).
"""

from __future__ import annotations

import itertools
import re
import time

import pytest

import markcheck
from markcheck.grammar import parser

#: allowed growth of the time for an 8x larger input (linear: 8, quadratic: 64)
RATIO = 28.0
#: below this (seconds) at the larger size a match is too fast to be super-linear
FLOOR = 0.004

PREFIXES = [
    "", "DE RUEHC #", "VZCZC", "id: ", "SUBJECT: ", "Classified by ", "CLASSIFIED BY: X ", "E.O. 12958: ",
    "E.O. 12958: DECL: ", "TAGS ", "REF: ", "REF: A. ", "SECRET ", "1. ", "(C) ", "(S//",
    "PAGE 1 ", "PARIS 1 ", "SECRET SECTION 1 OF ", '"', "\t", "FOR ", "( ",
]
UNITS = [
    " ", "a", "A", "1", "(", "1.", "1.4", "SECTION 1 OF ", "E.O. 1", "x ", "A ", "A.",
    "A 1 ", "(C) ", "(b) ", "b and ", ", ", "for ", '"SECRET A', '",', "\t", "S E C R E T ",
    "( C", "//", "-", "PREL ", "1 ", ". ", "e.o. ", "reasons ", ": ",
]
#: "" is how an element's text ends (no line break), "\n" a document line
SUFFIXES = ["", "\n", '",\n', "1.4\n"]


def _compile(term) -> re.Pattern[str]:
    flags = 0
    for f in term.pattern.flags:
        flags |= getattr(re, f.upper())
    return re.compile(term.pattern.to_regexp(), flags)


def _best(fn, reps: int = 3) -> float:
    """The least CPU time of ``reps`` runs (not wall time: waiting for a core on a busy
    machine is not counted)."""
    best = float("inf")
    for _ in range(reps):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return best


def _interleaved(small, big, reps: int = 7) -> tuple[float, float, float]:
    """(ratio, best small time, best big time), the two timed in turn (a neighbour's
    load then falls on both alike)."""
    t_small = t_big = float("inf")
    for _ in range(reps):
        t_small = min(t_small, _best(small, 1))
        t_big = min(t_big, _best(big, 1))
    return t_big / max(t_small, 1e-5), t_small, t_big


def _adversarial(n: int):
    """(label, text of about n characters) for every prefix, unit and suffix."""
    for pre, unit, suf in itertools.product(PREFIXES, UNITS, SUFFIXES):
        yield (pre, unit, suf), pre + unit * max(1, n // len(unit)) + suf


TERMINALS = {t.name: t for t in parser().terminals}


@pytest.mark.parametrize("name", sorted(TERMINALS))
def test_terminal_matches_in_linear_time(name):
    rx = _compile(TERMINALS[name])
    small = dict(_adversarial(1000))
    slow = []
    for label, text in _adversarial(8000):
        t_big = _best(lambda: rx.match(text), 1)
        if t_big < FLOOR:
            continue
        t_big = _best(lambda: rx.match(text))
        t_small = _best(lambda: rx.match(small[label]))
        if t_big > FLOOR and t_big / max(t_small, 1e-5) > RATIO:
            # confirm at twice the sizes: cache effects can make one pair look steep
            small2 = label[0] + label[1] * (2000 // len(label[1])) + label[2]
            big2 = label[0] + label[1] * (16000 // len(label[1])) + label[2]
            # a loaded machine can slow one timing: a quadratic terminal (64x) stays
            # steep on two more looks, each timing the two sizes in turn, noise does not
            ratios = [_interleaved(lambda: rx.match(small2), lambda: rx.match(big2)) for _ in range(2)]
            if min(r for r, _, _ in ratios) > RATIO:
                _, t_small2, t_big2 = ratios[0]
                slow.append((label, round(t_small2 * 1000, 2), round(t_big2 * 1000, 2)))
    assert not slow, f"{name} grows super-linearly (prefix, unit, suffix, ms at n, ms at 8n): {slow[:5]}"


# ---------------------------------------------------------------- whole documents

HEAD = "CONFIDENTIAL\n\nE.O. 12958: DECL: 01/01/2015\nTAGS: PREL PGOV\n"
TAIL = "\n\nClassified By: Ambassador X for reasons 1.4 (b) and (d).\n\n1. (C) Text.\n"


def _doc(kind: str, n: int) -> str:
    sp = " " * n
    return {
        "subject-spaces": HEAD + "SUBJECT: (C) TALKS" + sp + "ON TRADE" + TAIL,
        "subject-letters": HEAD + "SUBJECT: " + "a" * n + TAIL,
        "classified-by-spaces": HEAD + "SUBJECT: X\n\nClassified By:" + sp + "Ambassador" + sp + "X\n",
        "classified-by-x": HEAD + "SUBJECT: X\n\nClassified by " + "x " * (n // 2) + "\n",
        "classified-by-reasons": HEAD + "SUBJECT: X\n\nClassified by X for reasons 1.4 " + "(b) and " * (n // 8) + "\n",
        "classified-by-tabs": HEAD + "SUBJECT: X\n\nClassified by X" + "\t " * (n // 2) + "1.4 (b)\n",
        "eo-repeated": HEAD.replace("E.O. 12958: DECL: 01/01/2015", "E.O. 1" * (n // 6)) + "SUBJECT: X\n",
        "eo-decl-spaces": HEAD.replace("DECL: ", "DECL:" + sp) + "SUBJECT: X\n",
        "section-of": "SECRET SECTION 1 OF " * (n // 20) + "\n" + HEAD,
        "banner-spaces": "SECRET" + sp + "X\n" + HEAD,
        "banner-quotes": '"SECRET A' * (n // 9) + '",\n' + HEAD,
        "banner-tabs": "\t".join(["x"] * (n // 2)) + "\n" + HEAD,
        "quotes": '"' * n + "\n" + HEAD,
        "parens": HEAD + "SUBJECT: X\n\n1. " + "(" * n + "\n",
        "numbers": HEAD + "SUBJECT: X\n\n" + "1." * (n // 2) + "\n",
        "digits": HEAD + "SUBJECT: X\n\n1. (C) " + "1" * n + "\n",
        "mark-long": HEAD + "SUBJECT: X\n\n1. (S/" + "NF/" * (n // 3) + ") x\n",
        "tags-long": HEAD.replace("TAGS: PREL PGOV", "TAGS: " + "PREL " * (n // 5)) + "SUBJECT: X\n",
        "caption-spaces": HEAD + "SIPDIS" + sp + ",\n" + "SUBJECT: X\n",
        "many-paragraphs": HEAD + "SUBJECT: X\n\n" + "1. (C) Text line.\n" * (n // 18),
        "many-wrapped": HEAD + "SUBJECT: X\n" + "CONTINUED LINE\n" * (n // 15),
        "ref-letters": HEAD + "SUBJECT: X\nREF: " + "A " * (n // 2) + "\n",
        "ref-telegrams": HEAD + "SUBJECT: X\nREF: " + "A. 05 PARIS 1234 " * (n // 17) + "\n",
    }[kind]


DOCS = ["subject-spaces", "subject-letters", "classified-by-spaces", "classified-by-x",
        "classified-by-reasons", "classified-by-tabs", "eo-repeated", "eo-decl-spaces",
        "section-of", "banner-spaces", "banner-quotes", "banner-tabs", "quotes", "parens",
        "numbers", "digits", "mark-long", "tags-long", "caption-spaces", "many-paragraphs",
        "many-wrapped",
        "ref-letters", "ref-telegrams"]
#: no case needs a smaller size
SIZE: dict[str, int] = {}


@pytest.mark.parametrize("kind", DOCS)
def test_document_lints_in_linear_time(kind):
    n = SIZE.get(kind, 4000)
    small, big = _doc(kind, n), _doc(kind, 8 * n)
    markcheck.lint_text(small)  # warm caches (grammar, reference data)
    t_small = _best(lambda: markcheck.lint_text(small), 2)
    t_big = _best(lambda: markcheck.lint_text(big), 2)
    assert t_big / max(t_small, 1e-3) < RATIO, (
        f"{kind}: {t_small * 1000:.1f} ms for {len(small)} chars, "
        f"{t_big * 1000:.1f} ms for {len(big)} chars")


def test_long_lines_keep_positions():
    """A 200 KB run of blanks inside a SUBJECT and a Classified By line with 100k
    blanks lint quickly, and what is reported points into the file."""
    text = (HEAD + "SUBJECT: (C) TALKS" + " " * 200_000 + "ON TRADE\n\nClassified By:"
            + " " * 100_000 + "Ambassador X" + " " * 100_000 + "for reasons 1.4 (b)\n\n1. (C) Text.\n")
    t0 = time.perf_counter()
    diags = markcheck.lint_text(text, "long.txt")
    assert time.perf_counter() - t0 < 30
    lines = text.split("\n")
    for d in diags:
        assert 1 <= d.line <= len(lines)
        assert 1 <= d.column <= len(lines[d.line - 1]) + 1
    cable = markcheck.parse(text)
    assert cable.classified_by is not None
