"""Fuzzing with real cables: mutated copies never crash the linter.

Hypothesis takes cables from ../shared/corpus (read-only) and mutates them: drops,
duplicates, swaps and corrupts lines, splices two cables, changes markings. Every
mutant is linted with ``markcheck.lint_text``; no exception may escape and every
diagnostic must point inside the file. The budget is fixed and the search
derandomized, so CI runs the same examples every time.

A second test lints a batch of files in several orders (and in two processes): each
file's diagnostics are the same whatever comes before or after it.
"""

from __future__ import annotations

import random
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import markcheck
from markcheck.lint import split_lines
from conftest import corpus_dir

#: how many corpus cables the mutations draw from (spread over the sorted list)
SAMPLE = 60
FUZZ = settings(max_examples=400, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])


@lru_cache(maxsize=1)
def _cables() -> tuple[str, ...]:
    files = sorted((corpus_dir() / "cables").glob("*.txt"))
    step = max(1, len(files) // SAMPLE)
    texts = []
    for f in files[::step][:SAMPLE]:
        try:
            texts.append(f.read_bytes().decode("utf-8"))
        except UnicodeDecodeError:
            continue
    if not texts:
        pytest.skip("no readable cables in the corpus")
    return tuple(texts)


@pytest.fixture(scope="module", autouse=True)
def _need_corpus():
    _cables()   # skip (or fail under CI=true) before hypothesis starts


LEVELS = ["UNCLASSIFIED", "UNCLAS", "CONFIDENTIAL", "C O N F I D E N T I A L", "SECRET",
          "S E C R E T", "TOP SECRET", "LIMITED OFFICIAL USE", "SECRET//NOFORN", "CONFIDENTIEL",
          "SECRETSECRET", ""]
MARKS = ["(U)", "(C)", "(S)", "(TS)", "(S/NF)", "(C//REL TO USA, GBR)", "(SBU)", "(SBU-NF)",
         "(U//FOUO)", "(X)", "(", ")", "(C", "()", "((S))", "(S//", ""]
NOISE = ["(", ")", "/", "//", ".", ":", ";", ",", '"', "'", "\t", " ", "  ", "\\", "#", "-",
         "1.", "1.4", "12958", "E.O.", "TAGS", "SUBJECT:", "REF:", "Classified By:",
         "SECTION 1 OF 2", "\u00a0", "\ufeff", "\u2028", "\u00e9", "\u0000", "\r", "\x0c",
         "<pre>", "</pre>", "[X](#)", "&amp;", "\U0001f600"]

_MARKING_RE = r"\((?:TS|S|C|U|SBU|LOU)(?:[/-][^)\n]{0,30})?\)"
_LEVEL_RE = r"\b(?:TOP SECRET|SECRET|CONFIDENTIAL|UNCLASSIFIED|UNCLAS|C O N F I D E N T I A L|S E C R E T)\b"


@st.composite
def mutants(draw) -> str:
    import re

    cables = _cables()
    lines = draw(st.sampled_from(cables)).split("\n")
    for _ in range(draw(st.integers(1, 5))):
        op = draw(st.sampled_from(["drop", "dup", "swap", "corrupt", "splice", "marking", "level",
                                   "join", "split"]))
        n = len(lines)
        i = draw(st.integers(0, max(0, n - 1)))
        if op == "drop" and n > 1:
            k = draw(st.integers(1, 8))
            del lines[i:i + k]
        elif op == "dup":
            lines[i:i] = lines[i:i + draw(st.integers(1, 6))] * draw(st.integers(1, 3))
        elif op == "swap":
            j = draw(st.integers(0, max(0, n - 1)))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "corrupt" and lines:
            line = lines[i]
            p = draw(st.integers(0, len(line)))
            q = draw(st.integers(p, min(len(line), p + 10)))
            lines[i] = line[:p] + draw(st.sampled_from(NOISE)) * draw(st.integers(1, 4)) + line[q:]
        elif op == "splice":
            other = draw(st.sampled_from(cables)).split("\n")
            cut_a = draw(st.integers(0, n))
            cut_b = draw(st.integers(0, len(other)))
            lines = lines[:cut_a] + other[cut_b:]
        elif op == "marking":
            new = draw(st.sampled_from(MARKS))
            text = "\n".join(lines)
            hits = list(re.finditer(_MARKING_RE, text))
            if hits:
                m = hits[draw(st.integers(0, len(hits) - 1))]
                lines = (text[:m.start()] + new + text[m.end():]).split("\n")
            else:
                lines.insert(i, f"{i % 9 + 1}. {new} Text.")
        elif op == "level":
            new = draw(st.sampled_from(LEVELS))
            text = "\n".join(lines)
            hits = list(re.finditer(_LEVEL_RE, text))
            if hits:
                m = hits[draw(st.integers(0, len(hits) - 1))]
                lines = (text[:m.start()] + new + text[m.end():]).split("\n")
            else:
                lines.insert(0, new)
        elif op == "join" and i + 1 < n:
            lines[i:i + 2] = [lines[i] + draw(st.sampled_from([" ", "", "\t"])) + lines[i + 1]]
        elif op == "split" and lines:
            p = draw(st.integers(0, len(lines[i])))
            lines[i:i + 1] = [lines[i][:p], lines[i][p:]]
    eol = draw(st.sampled_from(["\n", "\n", "\r\n", "\r"]))
    return eol.join(lines)


def _check_positions(text: str, diags) -> None:
    lines = split_lines(text) or [""]
    for d in diags:
        where = f"{d.code} at {d.line}:{d.column}-{d.end_line}:{d.end_column}"
        assert 1 <= d.line <= len(lines), where
        assert 1 <= d.column <= len(lines[d.line - 1]) + 1, where
        assert d.line <= d.end_line <= len(lines), where
        assert 1 <= d.end_column <= len(lines[d.end_line - 1]) + 1, where
        if d.end_line == d.line:
            assert d.end_column >= d.column, where
        assert d.message and "\n" not in d.message, where


@FUZZ
@given(mutants())
def test_mutated_cables_never_crash(text):
    diags = markcheck.lint_text(text, "mutant.txt")
    _check_positions(text, diags)
    assert diags == sorted(diags)


@FUZZ
@given(mutants(), st.sampled_from(["plain", "markdown", "html"]))
def test_mutants_in_every_dialect(text, dialect):
    settings_ = markcheck.Settings(dialect=dialect)
    diags = markcheck.lint_text(text, "mutant.txt", settings_)
    _check_positions(text, diags)
    markcheck.parse(text, dialect=dialect)


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(NOISE + MARKS + LEVELS + ["\n", "\n\n", "1. (C) x\n"]),
                max_size=60).map("".join))
def test_fragments_never_crash(text):
    _check_positions(text, markcheck.lint_text(text, "fragment.txt"))


# ---------------------------------------------------------------- batches

def _batch(tmp_path: Path) -> list[str]:
    """Clean and faulty real cables, and a few mutants, as files."""
    cables = _cables()
    clean = [c for c in cables[:30] if not markcheck.lint_text(c)][:4]
    assert clean, "no clean cable in the sample"
    rng = random.Random(6)
    files = []
    for k, text in enumerate(clean + list(cables[30:34])):
        p = tmp_path / f"c{k:02d}.txt"
        p.write_text(text, encoding="utf-8", newline="")
        files.append(str(p))
    for k in range(4):   # garbage to follow or precede the clean ones
        lines = rng.choice(cables).split("\n")
        rng.shuffle(lines)
        p = tmp_path / f"m{k:02d}.txt"
        p.write_text("\n".join(lines[: rng.randint(0, len(lines))]), encoding="utf-8")
        files.append(str(p))
    (tmp_path / "m99.txt").write_bytes(b"(S) " * 1000 + b"SECRET\n" * 50)
    files.append(str(tmp_path / "m99.txt"))
    return files


def _by_file(result) -> dict[str, list]:
    out: dict[str, list] = {p: [] for p in result.paths}
    for d in result.diagnostics:
        out[d.path].append(d)
    return out


def test_diagnostics_do_not_depend_on_batch_order(tmp_path):
    files = _batch(tmp_path)
    alone = {f: markcheck.lint_text(Path(f).read_text(encoding="utf-8"), f) for f in files}
    assert any(not v for v in alone.values())   # some clean cables are in the batch
    rng = random.Random(42)
    orders = [files, files[::-1]] + [rng.sample(files, len(files)) for _ in range(3)]
    for order in orders:
        got = _by_file(markcheck.lint_paths(order))
        assert set(got) == set(files)
        for f in files:
            assert got[f] == alone[f], f"{f} differs when linted after {order[:order.index(f)]}"
    # a folder (sorted order) and two processes give the same again
    for jobs in (1, 2):
        got = _by_file(markcheck.lint_paths([str(tmp_path)], jobs=jobs))
        assert {f: got[f] for f in files} == alone


@pytest.mark.parametrize("eol", ["\r\n", "\r", "\n"], ids=["crlf", "cr", "lf"])
def test_html_dialect_positions_with_crlf(eol):
    """Found by the fuzzer: the html dialect counted a CRLF as one character, so
    positions drifted right by one per line (past the end of short lines)."""
    text = eol.join(["TAGS: PREL PTER RU AF UZ", "SUBJECT: X ", "", "CONFIDENTIAL", "1. (c) text", ""])
    for dialect in ("plain", "html"):
        diags = markcheck.lint_text(text, "x.txt", markcheck.Settings(dialect=dialect))
        _check_positions(text, diags)
        assert ("C202", 5, 4) in [(d.code, d.line, d.column) for d in diags]
