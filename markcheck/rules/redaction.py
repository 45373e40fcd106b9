"""R: redaction and release, the release gate.

These rules check a copy meant for release (FOIA, publication, a declassified
archive): nothing above the release level left in clear, redactions well formed,
protected names gone everywhere. Their messages never print the text they find: a
name shows as a masked form (``A**** S****``, :func:`markcheck.protect.mask`), since
CI logs are less protected than the documents they check.

R604, R609 and R610 run only with a release level (``--release-level U|C|S``, the
``release-level`` option of each); R606 only with a protected-terms store.
"""

from __future__ import annotations

import functools
import os
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator

from .. import kept
from ..diagnostics import Severity
from ..markings import Level
from ..model import Cable, Span
from . import Context, Issue, matches_at, per_cable, rule

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing: some 3 ms)
if TYPE_CHECKING:
    from ..protect import Store

#: the redaction token: the same length whatever it replaces
TOKEN = "X" * 12
_LEVELS = {"U": Level.U, "C": Level.C, "S": Level.S, "TS": Level.TS,
           "UNCLASSIFIED": Level.U, "CONFIDENTIAL": Level.C, "SECRET": Level.S}

# an X-run standing for a redacted word: capitals (or small x's), 3 or more
_RUN = kept.compile(r"[Xx]{3,}")
#: the same matches as _RUN; opening with a character set lets the regex engine skip
#: ahead to the next X instead of trying the whole pattern at every position
_RUN_SCAN = kept.compile(r"[Xx][Xx]{2,}")
_WORDISH = kept.compile(r"[^\W_]+")
_ROMAN = kept.compile(r"M{0,4}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
_REDACTED_OPEN = kept.compile(r"\[\s*REDACTED\b", re.I)
_REDACTED_TOKEN = kept.compile(r"\[\s*REDACTED\b[^\[\]\n]{0,200}\]", re.I)
_REDACTED_ONLY = kept.compile(r"\s*(?:\[\s*REDACTED\b[^\[\]]{0,200}\]\s*)+", re.I)


#: what ctx.option() reads for a rule without options (never changed)
_NO_OPTIONS: dict = {}


def release_level(ctx: Context, code: str = "R604") -> Level | None:
    """The release level of the run (``--release-level``), or None."""
    value = ctx.options.get(code, _NO_OPTIONS).get("release-level", "")   # ctx.option()
    if not value:   # the usual run: no release level
        return None
    return _LEVELS.get(str(value).strip().upper())


def regions(cable: Cable) -> list[tuple[int, int]]:
    """The text of the cable's elements (header and body), as sorted, merged offsets."""
    # (start, end): sorts as Span does, without its __lt__; a list comprehension per group
    spans = [(el.span.start, el.span.end)
             for el in (cable.banner, cable.eo, cable.tags, cable.subject, cable.references,
                        cable.classified_by) if el is not None]
    for group in (cable.banner_repeats, cable.captions, cable.passing, cable.eo_lines,
                  cable.header_text, cable.paragraphs, cable.text_blocks):
        if group:
            spans += [(x.span.start, x.span.end) for x in group]
    if not spans:
        return [(0, len(cable.source.text))]
    spans.sort()
    out: list[tuple[int, int]] = []
    rest = iter(spans)
    a, b = next(rest)
    for s, e in rest:
        if s <= b:
            if e > b:
                b = e
        else:
            out.append((a, b))
            a, b = s, e
    out.append((a, b))
    return out


def _region_texts(cable: Cable) -> Iterator[tuple[int, str]]:
    text = cable.source.text
    for a, b in regions(cable):
        yield a, text[a:b]


def _body_spans(cable: Cable) -> list[Span]:
    return [p.span for p in cable.paragraphs] + [b.span for b in cable.text_blocks]


# ============================================================== per-cable facts
# The rules of this module run one after the other on the same cable; what they share
# (the regions, a folded copy of the text for cheap "can this be there at all" tests)
# is worked out once per cable and kept in a one-entry cache. The cache holds the cable
# itself and compares it with ``is``: a Cable is never hashed (hashing walks every
# field) and an id() alone could be reused.
#
# Each test is a necessary condition of a regex match: when it fails the regex cannot
# match, and when it passes the regex runs as before, on the same region text. The
# folded text has one byte per character, so its offsets are the text's. Word tests
# stand in for regexes with re.I: under re.I an ASCII letter other than i matches only
# its two ASCII cases and, beyond ASCII, only LONG S (s) and KELVIN SIGN (k); a text
# holding either skips the tests. Words tested never hold an i (dotless i, I WITH DOT
# ABOVE).

_ASCII = bytes(range(128))
#: digits to 0 and '.' to '-', so that "202.647-4000" reads b"000-000-0000"
_ZEROS = bytes.maketrans(b"0123456789.", b"0000000000-")
_DIGIT = kept.compile(r"\d")
_WORD_BYTES = frozenset(b"0123456789_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


class _Facts:
    __slots__ = ("_odd_digits", "_regions", "_xruns", "_zeros", "cable", "low", "odd_letters",
                 "text")

    def __init__(self, cable: Cable) -> None:
        text = cable.source.text
        self.cable = cable
        self.text = text
        #: the text in ASCII, lower case, one byte per character (anything else: "?")
        self.low = text.encode("ascii", "replace").lower()
        #: characters that re.I matches to an ASCII letter, beyond ASCII (LONG S, KELVIN SIGN)
        self.odd_letters = not text.isascii() and ("\u017f" in text or "\u212a" in text)
        self._odd_digits: bool | None = None
        self._zeros: bytes | None = None
        self._regions: list[tuple[int, int]] | None = None
        self._xruns: list[tuple[int, int]] | None = None

    def regions(self) -> list[tuple[int, int]]:
        """:func:`regions` of the cable (worked out when first needed: most cables need
        none, their rules stop at a cheaper test)."""
        if self._regions is None:
            self._regions = regions(self.cable)
        return self._regions

    def xruns(self) -> list[tuple[int, int]]:
        """The X-runs of the whole text, (start, end) in order: each longest run of 3 or
        more X's or x's (read off the folded text, where "x" is X or x and nothing else)."""
        runs = self._xruns
        if runs is None:
            runs = self._xruns = []
            low = self.low
            n = len(low)
            i = low.find(b"xxx")
            while i >= 0:   # i starts a run: the character before it is no x
                e = i + 3
                if low.startswith(_NINE_X, e):   # the usual 12-X token: one test, not nine
                    e += 9
                while e < n and low[e] == 120:   # "x"
                    e += 1
                runs.append((i, e))
                i = low.find(b"xxx", e)
        return runs

    def has_xxx(self) -> bool:
        """Whether the text holds an X-run (3 X's or x's) anywhere."""
        return bool(self.xruns())

    @property
    def odd_digits(self) -> bool:
        """Whether the text holds a digit (\\d) beyond ASCII 0-9."""
        if self._odd_digits is None:
            text = self.text
            self._odd_digits = not text.isascii() and _DIGIT.search(
                text.encode("utf-8", "surrogatepass").translate(None, _ASCII)
                .decode("utf-8", "surrogatepass")) is not None
        return self._odd_digits

    def may_hold(self, word: bytes, start: int = 0, end: int | None = None) -> bool:
        """Whether text[start:end] can hold ``word`` (lower-case ASCII letters, no i)
        in any case, as a regex with re.I reads it."""
        if self.odd_letters:
            return True
        return self.low.find(word, start, len(self.low) if end is None else end) >= 0

    def may_hold_phone(self, start: int = 0, end: int | None = None) -> bool:
        """Whether text[start:end] can hold a match of :data:`_PHONE`: it starts with
        "+" and a digit, "(" and three digits and ")", or is 3-3-4 digits."""
        if self.odd_digits:
            return True
        if end is None:
            end = len(self.text)
        if self.text.find("+", start, end) >= 0:
            return True
        zeros = self.zeros()
        return zeros.find(b"(000)", start, end) >= 0 or zeros.find(b"000-000-0000", start, end) >= 0

    def zeros(self) -> bytes:
        """The folded text with each digit 0 and each "." "-" (see _ZEROS)."""
        if self._zeros is None:
            self._zeros = self.low.translate(_ZEROS)
        return self._zeros


_facts = per_cable(_Facts)
#: the x's of a 12-X token past its first three
_NINE_X = b"x" * 9


# ============================================================== R601
def _runs(text: str) -> Iterator[tuple[int, int, str]]:
    """Each word holding an X-run: (start, end, kind) with kind ``token`` (only X's)
    or ``partial`` (X's glued to other letters or digits). Roman numerals are words."""
    return _words_of_runs(text, (m.span() for m in _RUN_SCAN.finditer(text)))


def _run_spans(low: bytes, start: int, end: int) -> Iterator[tuple[int, int]]:
    """The spans _RUN_SCAN.finditer finds in text[start:end] (offsets in it), read off
    the folded text: "x" there is X or x, and nothing else."""
    end = min(end, len(low))
    i = low.find(b"xxx", start, end)
    while i >= 0:
        e = i + 3
        if low.startswith(_NINE_X, e, end):   # the usual 12-X token: one test, not nine
            e += 9
        while e < end and low[e] == 120:   # "x"
            e += 1
        yield i - start, e - start
        i = low.find(b"xxx", e, end)


def _words_of_runs(text: str, hits: Iterable[tuple[int, int]]) -> Iterator[tuple[int, int, str]]:
    """:func:`_runs` of ``text``, given the spans of its X-runs in order."""
    pos = 0
    n = len(text)
    for hs, he in hits:  # only the words that hold a run of X's
        if hs < pos:
            continue
        if (hs == 0 or not text[hs - 1].isalnum()) and (he == n or not text[he].isalnum()) \
                and he - hs > 3 and "x" not in text[hs:he]:
            pos = he   # a whole word of 4 or more capital X's: a token (no numeral has 4 X's)
            yield hs, he, "token"
            continue
        start = hs
        while start > 0 and (text[start - 1].isalnum()):
            start -= 1
        m = _WORDISH.match(text, start)
        if m is None:
            continue
        pos = m.end()
        w = m.group()
        run = _RUN.search(w)
        if run is None or "XXX" not in w.upper():
            continue
        if _ROMAN.fullmatch(w) and w.isupper():
            continue
        if run.group() == w:
            yield m.start(), m.end(), "token"
        elif not (w[:run.start()] == "" and w[run.end():] in ("s", "S")
                  and m.end() - 1 > 0 and text[m.end() - 2] in "'\u2019"):
            yield m.start(), m.end(), "partial"


def _runs_by_region(regs: list[tuple[int, int]],
                    runs: list[tuple[int, int]]) -> dict[int, list[tuple[int, int]]]:
    """What :func:`_run_spans` finds in each region (by index in ``regs``, ascending; a
    region with none left out): a run of the whole text cut to the region, where 3 or
    more of its x's are left (offsets in the region)."""
    out: dict[int, list[tuple[int, int]]] = {}
    n = len(regs)
    for i, e in runs:
        k = bisect_right(regs, (i, i)) - 1   # the last region starting at or before i
        if k < 0 or regs[k][1] <= i:
            k += 1
        while k < n and regs[k][0] < e:      # a run may reach over several regions
            a, b = regs[k]
            s0 = i if i > a else a
            e0 = e if e < b else b
            if e0 - s0 >= 3:
                out.setdefault(k, []).append((s0 - a, e0 - a))
            k += 1
    return out


@rule("R601", "malformed-redaction", Severity.ERROR)
def malformed_redaction(cable: Cable, ctx: Context) -> Iterator[Issue]:
    """A redaction is malformed: a partial token, an unclosed ``[REDACTED``, or an X-run
    whose length follows the name's.

    Why: a redaction must remove the whole word and nothing of its shape. Letters left
    beside a token (``XXXXXXXovic``) give the name away, an unclosed ``[REDACTED`` marker
    means the tool or the hand stopped half way, and X-runs of varying length leak each
    name's length (a warning: the norm is a fixed 12-X token, ``XXXXXXXXXXXX``).
    Bad:   "met with XXXXXXXXXXXXovic (strictly protect)"
    Good:  "met with XXXXXXXXXXXX (strictly protect)"
    """
    f = _facts(cable)
    full = f.text
    low = f.low
    runs = f.xruns()            # no X-run anywhere: no region needs _runs
    # every [REDACTED marker opens with "[" and holds "redacted" in the folded text (under
    # re.I the word, with no i, s or k, matches only its ASCII cases)
    brackets = "[" in full and low.find(b"redacted") >= 0
    if not runs and not brackets:
        return
    regs = f.regions()
    by_region = _runs_by_region(regs, runs) if runs else {}
    lengths: dict[int, list[Span]] = {}  # odd-length runs, reported once per length
    for k in range(len(regs)) if brackets else by_region:
        base, end = regs[k]
        text = None
        hits = by_region.get(k)
        if hits:
            text = full[base:end]
            for s, e, kind in _words_of_runs(text, hits):
                if kind == "partial":
                    yield Issue(Span(base + s, base + e),
                                "partial redaction: letters are left beside an X-run; "
                                f"replace the whole word with {TOKEN}")
                elif e - s != len(TOKEN):
                    lengths.setdefault(e - s, []).append(Span(base + s, base + e))
        if not brackets or full.find("[", base, end) < 0:
            continue
        if text is None:
            text = full[base:end]
        for m in _REDACTED_OPEN.finditer(text):
            if not _REDACTED_TOKEN.match(text, m.start()):
                yield Issue(Span(base + m.start(), base + m.end()),
                            "unclosed [REDACTED marker; close it with ']' on the same line")
    for n, spans in sorted(lengths.items(), key=lambda kv: kv[1][0].start):
        more = f" (and {len(spans) - 1} more of that length)" if len(spans) > 1 else ""
        yield Issue(spans[0], f"redaction token of {n} X's leaks the length of what it hides{more}; "
                              f"use the fixed {len(TOKEN)}-X token {TOKEN}", severity=Severity.WARNING)


# ============================================================== R603
_PROTECT = kept.compile(r"\(\s*(?:strictly\s+|please\s+)?protect(?:\s+(?:source|throughout)[^)]{0,20})?\s*\)"
                      r"|,\s*strictly\s+protect\b", re.I)
_TRAILING_ACRONYM = kept.compile(r"\s*\([A-Z]{2,8}\)\s*$")
_NAME_WORD = kept.compile(r"[^\W\d_][\w'\u2019.-]*$")
#: words that are titles, roles or function words, never part of a personal name
_NOT_NAME = frozenset("""
a an the of and or for to in on at by with from per as his her their its our
mr mrs ms dr prof sir dame sen rep gen col maj capt lt adm amb hon sheikh
officer official officials minister ministry ambassador embassy leader chairman chair chief
director president vice deputy head secretary advisor adviser counselor counsellor
representative representatives spokesman spokeswoman member members manager expert
governor senator deputy mayor judge general colonel commander editor journalist source
contact businessman businesswoman lawyer professor team group unit staff committee
party office council department division section bureau agency commission
political economic military security policy foreign affairs international national
january february march april may june july august september october november december
monday tuesday wednesday thursday friday saturday sunday said told
""".split())


#: \s in ASCII, and "?" (in the folded text: any character beyond ASCII)
_BLANK_BYTES = frozenset(bytes(i for i in range(128) if chr(i).isspace()) + b"?")


def _protect_marks(f: _Facts) -> list[int] | None:
    """Offsets of the words "protect" that can be part of a _PROTECT match: after "(",
    "strictly" or "please" and blanks; None when the text is not tested (odd letters).
    Most cables that say "protect" say it otherwise ("protection", "to protect")."""
    if f.odd_letters:
        return None
    low = f.low
    out: list[int] = []
    i = low.find(b"protect")
    while i >= 0:
        j = i
        while j > 0 and low[j - 1] in _BLANK_BYTES:
            j -= 1
        if j > 0 and low[j - 1] == 40 or j >= 6 and low[j - 6:j] == b"please" \
                or j >= 8 and low[j - 8:j - 5] == b"str" and low[j - 5] in b"i?" \
                and low[j - 4:j] == b"ctly":   # the i of "strictly" may be dotless or dotted
            out.append(i)
        i = low.find(b"protect", i + 1)
    return out


def _name_before(text: str, end: int) -> tuple[int, int] | None:
    """The personal name ending just before ``end`` (offsets), or None."""
    start = max(0, end - 120)
    head = text[start:end]
    head = _TRAILING_ACRONYM.sub("", head.rstrip(" ,\t\n")).rstrip(" ,\t\n")
    words: list[tuple[int, int, str]] = []
    for m in kept.compile(r"\S+").finditer(head):
        words.append((start + m.start(), start + m.end(), m.group()))
    caps_text = sum(1 for c in head if c.isupper()) > 0.6 * max(1, sum(1 for c in head if c.isalpha()))
    picked: list[tuple[int, int, str]] = []
    for s, e, w in reversed(words):
        if w[0] in "([":
            break   # a portion mark or a parenthesis: "(C) Davidsdottir"
        core = w.strip("\"'\u201c\u201d()")
        if not core or not _NAME_WORD.match(core):
            break
        low = core.rstrip(".,").lower()
        if low in _NOT_NAME or _RUN.fullmatch(core.rstrip(".,")):
            break
        if not core[0].isupper():
            break
        if not caps_text and core.isupper() and len(core) > 1:
            break   # an acronym in mixed-case text: UKREP, ACM
        picked.append((s, e, core))
        if len(picked) == 3 or w.endswith((",", ";", ":")) and picked[:-1]:
            break
    if not picked:
        return None
    if caps_text and len(picked) == 1 and len(picked[0][2]) <= 2:
        return None
    return picked[-1][0], picked[0][1]


@rule("R603", "protected-source-in-clear", Severity.ERROR)
def protected_source_in_clear(cable: Cable, ctx: Context) -> Iterator[Issue]:
    """A source marked ``(PROTECT)`` or ``(STRICTLY PROTECT)`` is named in clear.

    Why: the drafter's protect marker says the person must not be identified outside
    the government; a release copy that keeps the marker beside a name in clear names
    exactly the person the marker was meant to shield (E.O. 13526 sec. 1.4(c) and (d),
    confidential foreign sources).
    Bad:   "FCO Team Leader Laura Hickey (strictly protect) said ..."
    Good:  "FCO Team Leader XXXXXXXXXXXX (strictly protect) said ..."
    """
    f = _facts(cable)
    marks = _protect_marks(f)
    if marks is not None and not marks:
        return
    for base, end in f.regions():
        if marks is None:
            if not f.may_hold(b"protect", base, end):
                continue
        else:
            k = bisect_left(marks, base)
            if k == len(marks) or marks[k] >= end:
                continue
        text = f.text[base:end]
        for m in _PROTECT.finditer(text):
            name = _name_before(text, m.start())
            if name is None:
                continue
            s, e = name
            from ..protect import mask

            yield Issue(Span(base + s, base + e),
                        f"the source '{mask(text[s:e])}' is marked protect but named in clear; "
                        f"redact the name with {TOKEN}")


# ============================================================== R604
def is_redacted(text: str) -> bool:
    """Whether a portion's text (after its mark) is nothing but redaction markers."""
    core = text.strip()
    if not core:
        return True
    if core[0] != "[":   # the regex reads \s* (what strip() strips), then "["
        return False
    return bool(_REDACTED_ONLY.fullmatch(text))


def portions_above(cable: Cable, level: Level) -> Iterator[tuple[str, Span, Span]]:
    """The marked portions above ``level``: (kind, mark span, text span)."""
    if cable.subject and cable.subject.marking and cable.subject.marking_span \
            and cable.subject.marking.level is not None and cable.subject.marking.level > level:
        yield "subject", cable.subject.marking_span, Span(cable.subject.marking_span.end,
                                                          cable.subject.span.end)
    paras = cable.paragraphs
    for i, p in enumerate(paras):
        if p.marking and p.marking_span and p.marking.level is not None and p.marking.level > level:
            end = p.span.end
            if "ENTIRE" in p.marking.text.upper():  # "(S-ENTIRE TEXT)": the whole text
                end = max([q.span.end for q in paras] + [b.span.end for b in cable.text_blocks])
            elif not cable.text_of(Span(p.marking_span.end, end)).strip():
                # "1. (S-ENTIRE TEXT)" and the text below it: the mark covers what follows
                # up to the next numbered paragraph
                stop = paras[i + 1].span.start if i + 1 < len(paras) else len(cable.source.text)
                end = max([b.span.end for b in cable.text_blocks if p.span.end <= b.span.start < stop],
                          default=end)
            yield "paragraph", p.marking_span, Span(p.marking_span.end, end)
    for b in cable.text_blocks:
        if b.marking and b.marking_span and b.marking.level is not None and b.marking.level > level:
            yield "block", b.marking_span, Span(b.marking_span.end, b.span.end)


def _blank(text: str, start: int, end: int) -> bool:
    """``not text[start:end].strip()``, told by its first characters where they can."""
    if start < end:
        c = text[start]
        if c == " " and start + 1 < end:   # "1. (C) The ...": a blank, then the text
            c = text[start + 1]
        if not c.isspace():
            return False
    return not text[start:end].strip()


def _portions_above(cable: Cable, level: Level) -> Iterator[tuple[str, Span, int, int]]:
    """:func:`portions_above` with the text as offsets (start, end), no Span made."""
    text = cable.source.text
    subject = cable.subject
    if subject and subject.marking and subject.marking_span \
            and subject.marking.level is not None and subject.marking.level > level:
        yield "subject", subject.marking_span, subject.marking_span.end, subject.span.end
    paras = cable.paragraphs
    for i, p in enumerate(paras):
        if p.marking and p.marking_span and p.marking.level is not None and p.marking.level > level:
            end = p.span.end
            if "ENTIRE" in p.marking.text.upper():
                end = max([q.span.end for q in paras] + [b.span.end for b in cable.text_blocks])
            elif _blank(text, p.marking_span.end, end):
                stop = paras[i + 1].span.start if i + 1 < len(paras) else len(text)
                end = max([b.span.end for b in cable.text_blocks if p.span.end <= b.span.start < stop],
                          default=end)
            yield "paragraph", p.marking_span, p.marking_span.end, end
    for b in cable.text_blocks:
        if b.marking and b.marking_span and b.marking.level is not None and b.marking.level > level:
            yield "block", b.marking_span, b.marking_span.end, b.span.end


@rule("R604", "portion-above-release-level", Severity.ERROR, **{"release-level": ""})
def portion_above_release_level(cable: Cable, ctx: Context) -> Iterator[Issue]:
    """A portion marked above the release level is still in clear.

    Why: a release at a level (``--release-level U`` for a public FOIA release) may
    carry no information classified above it (E.O. 13526 sec. 3.3 and 3.6, 32 CFR
    2001.35); each portion above the level must be withheld and marked as such, its
    portion mark kept to show why.
    Bad:   "3. (C) The minister said ..." in a release at UNCLASSIFIED
    Good:  "3. (C) [REDACTED (b)(1) 1.4(b) 1.4(d)]"
    """
    level = release_level(ctx, "R604")
    if level is None:
        return
    text = cable.source.text
    word = level.word
    for kind, mark, start, end in _portions_above(cable, level):
        # the text's first character after a blank is no "[" (the usual portion in
        # clear): not redacted, known without copying the text
        c = text[start] if start < end else "["
        if c == " " and start + 1 < end:
            c = text[start + 1]
        if (c == "[" or c.isspace()) and is_redacted(text[start:end]):
            continue
        where = "SUBJECT" if kind == "subject" else "portion"
        yield Issue(mark, f"{where} {text[mark.start:mark.end]} is above the release level "
                          f"{word} and in clear; withhold it (markcheck redact) or "
                          f"release at a higher level")


# ============================================================== R605
def _x_tokens(text: str) -> int:
    return sum(1 for _, _, k in _runs(text) if k == "token") + len(_REDACTED_TOKEN.findall(text))


def _has_x_token(f: _Facts, span: Span) -> bool:
    """Whether ``_x_tokens`` of the span's text is above 0."""
    text = f.text[span.start:span.end]
    if f.low.find(b"xxx", span.start, span.end) >= 0 and any(
            k == "token" for _, _, k in _words_of_runs(text, _run_spans(f.low, span.start, span.end))):
        return True
    return "[" in text and _REDACTED_TOKEN.search(text) is not None


@rule("R605", "inconsistent-redaction", Severity.ERROR)
def inconsistent_redaction(cable: Cable, ctx: Context) -> Iterator[Issue]:
    """A name is redacted in one place and left in clear in another.

    Why: a redaction protects nothing if the same name is in clear elsewhere in the
    cable; the header (SUBJECT, TAGS, FOR line) and the body must be redacted alike.
    A SUBJECT, TAGS or FOR line that redacts a name while the body redacts nothing
    leaves the name in clear in the body (or the header redaction is spurious).
    Bad:   SUBJECT "MEETING WITH XXXXXXXXXXXX", body "1. (C) Ivanov said ..."
    Good:  SUBJECT "MEETING WITH XXXXXXXXXXXX", body "1. (C) XXXXXXXXXXXX said ..."
    """
    f = _facts(cable)
    if not f.has_xxx():   # no X-run anywhere: no token in the header to report
        return
    low = f.low
    places = [("SUBJECT", cable.subject.span if cable.subject else None),
              ("TAGS", cable.tags.span if cable.tags else None)]
    places.extend(("FOR line", p.span) for p in cable.passing)
    places = [(label, span) for label, span in places
              if span is not None and low.find(b"xxx", span.start, span.end) >= 0]
    if not places:   # the usual cable with X-runs: none in the header (the body not listed)
        return
    body = _body_spans(cable)
    if not body:
        return
    if any(_has_x_token(f, s) for s in body):   # the body redacts something
        return
    for label, span in places:
        text = cable.text_of(span)
        for s, e, kind in _runs(text):
            if kind == "token":
                yield Issue(Span(span.start + s, span.start + e),
                            f"a name is redacted in the {label} but nowhere in the body; "
                            "redact it in the body too (or restore it here)")
                break


# ============================================================== R606
#: protect.STORE_NAME (a test holds them equal): the store is looked for in every run,
#: and the protect module (hashes, JSON, its records) imported only where one is found
_STORE_NAME = ".markcheck-protected.json"


@functools.lru_cache(maxsize=1024)
def _store_candidates(start: str) -> tuple[tuple[str, bytes | None], ...]:
    """The paths :func:`find_store` tries from the absolute folder ``start``, in order:
    a function of the string alone, worked out once per folder. Each comes with its
    file-system encoding (what access() would make of it on every call), or None where
    it has none (access() raises UnicodeEncodeError there, a ValueError)."""
    out = []
    d = os.path.abspath(start)
    while True:
        path = os.path.join(d, _STORE_NAME)
        try:
            raw: bytes | None = os.fsencode(path)
        except UnicodeEncodeError:
            raw = None
        out.append((path, raw))
        parent = os.path.dirname(d)
        if parent == d:
            return tuple(out)
        d = parent


def _find_store(start: str) -> str | None:
    """:func:`find_store`: the same files tested (each time: one may appear or go at
    any moment), without working out their paths again for every cable."""
    if not os.path.isabs(start):
        from ..protect import find_store

        return find_store(start)
    return _first_store(_store_candidates(start))


def _first_store(candidates: tuple[tuple[str, bytes | None], ...]) -> str | None:
    """The first of ``candidates`` that is a file (asked of the file system now), or None."""
    if not _EFFECTIVE_IDS:
        for candidate, _ in candidates:
            if os.path.isfile(candidate):
                return candidate
        return None
    access, exists = os.access, os.F_OK
    for candidate, raw in candidates:
        # access() with the effective ids fails exactly where stat() (isfile) fails,
        # without the cost of an exception for the usual missing file; given the path
        # already encoded, it does not encode it again
        if raw is None:   # no encoding: isfile says False
            continue
        try:
            if not access(raw, exists, effective_ids=True):
                continue
        except ValueError:   # a NUL in the path: isfile says False
            continue
        if os.path.isfile(candidate):
            return candidate
    return None


_EFFECTIVE_IDS = os.access in os.supports_effective_ids


def _folder_candidates(src: str) -> tuple[tuple[str, bytes | None], ...]:
    """:func:`_store_candidates` of the folder of the source file ``src`` (a path that is
    not "-" nor "<...>"), that is of ``os.path.dirname(os.path.abspath(src))``."""
    # an absolute path with no ".", ".." or empty part, no trailing "/": abspath keeps it
    # as it is and dirname cuts it at its last "/"; the folder's candidates are cached
    if src[:1] == "/" and "//" not in src and "/." not in src and src[-1] != "/" \
            and os.sep == "/" and os.altsep is None:
        i = src.rfind("/")
        return _store_candidates(src[:i] if i else "/")
    return _store_candidates(os.path.dirname(os.path.abspath(src)))


def _store_for(cable: Cable, ctx: Context) -> Store | None:
    options = ctx.options.get("R606", _NO_OPTIONS)   # ctx.option(), without its calls
    inline = options.get("store", {}) or {}
    if inline:
        from ..protect import Store

        return Store.from_dict(inline)
    path = options.get("protected", "") or ""
    if not path:
        src = cable.source.path
        if src and not src.startswith("<") and src != "-":
            path = _first_store(_folder_candidates(src)) or ""
        else:
            path = _find_store(os.getcwd()) or ""
    if not path:
        return None
    from ..protect import StoreError, load_store

    try:
        return load_store(path)
    except (OSError, StoreError):
        return None


@rule("R606", "protected-term-in-clear", Severity.ERROR, protected="", store={})
def protected_term_in_clear(cable: Cable, ctx: Context) -> Iterator[Issue]:
    """A term on the protected list appears in clear.

    Why: names that must never be released (sources, victims, staff under threat) are
    kept in a protected-terms store (``markcheck protect add``; salted hashes, never the
    terms); every place one appears, in any case, spacing or possessive form, in the
    body, SUBJECT or TAGS, must be redacted before release.
    Bad:   "1. (U) Anna Smirnova's office ..." with "Anna Smirnova" protected
    Good:  "1. (U) XXXXXXXXXXXX office ..."
    """
    store = _store_for(cable, ctx)
    if store is None or not store.entries:
        return
    from ..protect import mask

    text = cable.source.text
    for s, e, ident in store.matches(text, _facts(cable).regions()):
        yield Issue(Span(s, e), f"protected term {ident} '{mask(text[s:e])}' is in clear; "
                                f"redact it with {TOKEN}")


# ============================================================== R608
_EXEMPTION = kept.compile(r"\(\s*b\s*\)\s*\(\s*(\d+)\s*\)(?:\s*\(\s*([A-Za-z])\s*\))?")
_REASON = kept.compile(r"\b1\.([45])\s*\(\s*([a-z])\s*\)", re.I)
_ANNOTATION = kept.compile(r"\[\s*(?:REDACTED|WITHHELD|EXEMPT(?:ION)?|DELETED)\b[^\[\]\n]{0,200}\]", re.I)
_AMENDED = __import__("datetime").date(2003, 3, 25)


#: the words an _ANNOTATION match opens with, in the folded text: under re.I only the i
#: of "withheld" can stand for a letter beyond ASCII ("?" there)
_ANNOTATION_WORDS = (b"redacted", b"withheld", b"w?thheld", b"exempt", b"deleted")


def _may_annotate(f: _Facts) -> bool:
    """Whether the text can hold an _ANNOTATION match: a "[" followed, past white space
    (\\s: _BLANK_BYTES in the folded text), by one of its words. Most "[" in cables open
    no annotation ("[sic]", "[the minister]"): the regions then need not be worked out."""
    text, low = f.text, f.low
    n = len(low)
    i = text.find("[")
    while i >= 0:
        j = i + 1
        while j < n and low[j] in _BLANK_BYTES:
            j += 1
        if low.startswith(_ANNOTATION_WORDS, j):
            return True
        i = text.find("[", j)
    return False


@rule("R608", "invalid-exemption", Severity.ERROR)
def invalid_exemption(cable: Cable, ctx: Context) -> Iterator[Issue]:
    """A redaction cites an invalid FOIA exemption, or reasons invalid for the date.

    Why: FOIA exempts nine categories, 5 U.S.C. 552(b)(1) to (b)(9) ((b)(7) with
    subparagraphs (A) to (F)); a (b)(1) withholding rests on a classification reason of
    E.O. 13526 sec. 1.4 (a) to (h) (E.O. 12958 as amended by E.O. 13292 from
    2003-03-25; before it, E.O. 12958 sec. 1.5 (a) to (g)).
    Bad:   "[REDACTED (b)(10)]"
    Good:  "[REDACTED (b)(1) 1.4(b) 1.4(d)]"
    """
    f = _facts(cable)
    if "[" not in f.text or not _may_annotate(f):   # every annotation opens with "["
        return
    for base, end in f.regions():
        if f.text.find("[", base, end) < 0:
            continue
        text = f.text[base:end]
        for ann in _ANNOTATION.finditer(text):
            inner = ann.group()
            for m in _EXEMPTION.finditer(inner):
                n, sub = int(m.group(1)), m.group(2)
                span = Span(base + ann.start() + m.start(), base + ann.start() + m.end())
                if not 1 <= n <= 9:
                    yield Issue(span, f"(b)({n}) is not a FOIA exemption; use (b)(1) to (b)(9)")
                elif sub and (n != 7 or sub.upper() not in "ABCDEF"):
                    yield Issue(span, f"(b)({n})({sub}) is not a FOIA exemption; only (b)(7) has "
                                      "subparagraphs, (A) to (F)")
            for m in _REASON.finditer(inner):
                sec, letter = m.group(1), m.group(2).lower()
                span = Span(base + ann.start() + m.start(), base + ann.start() + m.end())
                top = "h" if sec == "4" else "g"
                if letter > top:
                    yield Issue(span, f"1.{sec}({letter}) is not a classification reason; "
                                      f"sec. 1.{sec} has (a) to ({top})")
                elif sec == "4" and letter == "h" and ctx.on_or_after(_AMENDED) is False:
                    yield Issue(span, "1.4(h) did not exist before E.O. 13292 (2003-03-25); "
                                      "cite the reason of E.O. 12958 sec. 1.5")
                elif sec == "5" and ctx.on_or_after(_AMENDED) is True:
                    yield Issue(span, "sec. 1.5 reasons moved to sec. 1.4 on 2003-03-25 "
                                      "(E.O. 13292); cite 1.4")


# ============================================================== R609
_EMAIL = kept.compile(r"(?<![\w.+-])[A-Za-z0-9][\w.+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
_PHONE = kept.compile(
    r"(?<![\w/.-])(?:"
    r"\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]\d{2,5}){1,4}"      # +381 11 306 4600
    r"|\(\d{3}\)[ ]?\d{3}[ .-]\d{4}"                                        # (202) 647-4000
    r"|\d{3}[.-]\d{3}[.-]\d{4}"                                             # 202-647-4000
    r")(?![\w/-])")
_PHONE_LED = kept.compile(
    r"\b(?:tel|telephone|phone|fax|cell|cellphone|mobile|mob)\b\.?(?:\s*(?:no\.?|number|#))?\s*[:.]?\s*"
    r"(\(?\+?\d[\d ().-]{5,}\d)", re.I)
_PASSPORT = kept.compile(r"\bpassport\s+(?:no\.?|number|#)\s*[:.]?\s*([A-Z]{0,2}\d{6,9})\b", re.I)


#: the keywords of _PHONE_LED (lower case), by the word each starts with; a match
#: starts with one of them, followed by a character that is not a word character
_LED_ALTS = ((b"tel", (b"tel", b"telephone")), (b"phone", (b"phone",)), (b"fax", (b"fax",)),
             (b"cell", (b"cell", b"cellphone")), (b"mob", (b"mobile", b"mob")))
#: what _PHONE_LED allows between its keyword and the first digit, as bytes of the folded
#: text: \s (in ASCII; "?" for the rest), ".", ":", "#", "(", "+" and the letters of
#: "no" and "number"
_LED_GAP = frozenset(bytes(i for i in range(128) if chr(i).isspace()) + b"?.:#(+numbero")
_GAP_LETTERS = frozenset(b"numbero")
_DIGIT_BYTES = frozenset(b"0123456789")


def pii(text: str) -> Iterator[tuple[int, int, str]]:
    """Personal data in ``text``: (start, end, kind), in text order, not overlapping."""
    yield from _pii(text)


def _pii(text: str, email: bool = True, phone: bool = True, led: bool | list[int] = True,
         passport: bool = True) -> list[tuple[int, int, str]]:
    """:func:`pii` as a list; a False flag skips a regex known to find nothing in
    ``text``, and a list for ``led`` gives the offsets where a _PHONE_LED match can start."""
    found: list[tuple[int, int, str]] = []
    if email:
        for m in _EMAIL.finditer(text):
            found.append((m.start(), m.end(), "e-mail address"))
    if phone:
        for m in _PHONE.finditer(text):
            digits = sum(c.isdigit() for c in m.group())
            if 7 <= digits <= 15:
                found.append((m.start(), m.end(), "phone number"))
    if led:
        for m in (_PHONE_LED.finditer(text) if led is True else matches_at(_PHONE_LED, text, led)):
            digits = sum(c.isdigit() for c in m.group(1))
            if 7 <= digits <= 15:
                found.append((m.start(1), m.end(1), "phone number"))
    if passport:
        for m in _PASSPORT.finditer(text):
            found.append((m.start(1), m.end(1), "passport number"))
    if not found:
        return found
    found.sort()
    out: list[tuple[int, int, str]] = []
    for f in found:
        if out and f[0] < out[-1][1]:
            if f[1] > out[-1][1]:
                out[-1] = (out[-1][0], f[1], out[-1][2])
            continue
        out.append(f)
    return out


def _offsets(text: str | bytes, needle, into: list[int]) -> None:
    """Add to ``into`` every offset where ``needle`` stands in ``text``."""
    i = text.find(needle)
    while i >= 0:
        into.append(i)
        i = text.find(needle, i + 1)


def _regions_at(regs: list[tuple[int, int]], offsets: list[int]) -> list[int]:
    """The index of each region (sorted, disjoint) that holds one of ``offsets``, in order."""
    out: set[int] = set()
    for p in offsets:
        k = bisect_right(regs, (p, _AFTER_ALL)) - 1   # the last region starting at or before p
        if k >= 0 and p < regs[k][1]:
            out.add(k)
    return sorted(out)


_AFTER_ALL = float("inf")


@rule("R609", "personal-data-in-release", Severity.WARNING, **{"release-level": ""})
def personal_data_in_release(cable: Cable, ctx: Context) -> Iterator[Issue]:
    """A release copy still holds personal data: an e-mail address, a phone or passport number.

    Why: FOIA exemption (b)(6) withholds personal information whose release would be an
    unwarranted invasion of privacy; contact details of staff and third parties are
    routinely withheld from released cables. A warning: some are public switchboards.
    Bad:   "contact jdoe@state.gov or +381 11 306 4600" in a release at UNCLASSIFIED
    Good:  "contact XXXXXXXXXXXX or XXXXXXXXXXXX"
    """
    if release_level(ctx, "R609") is None:
        return
    f = _facts(cable)
    full = f.text
    low = f.low
    email = "@" in full
    phone = f.may_hold_phone()
    passport = f.may_hold(b"passport")
    led_all = f.odd_letters   # no keyword test: scan each region for _PHONE_LED
    starts: list[int] = []    # where a _PHONE_LED keyword starts and ends a word, a digit next
    late: list[int] = []      # the same, a word character before it: only at a region start
    if not led_all:
        n = len(low)
        odd_digits = f.odd_digits
        for w, alts in _LED_ALTS:
            i = low.find(w)
            while i >= 0:
                for a in alts:
                    k = i + len(a)
                    if k < n and low[k] not in _WORD_BYTES and low.startswith(a, i):
                        # before its digit the match holds only _LED_GAP characters, 6
                        # letters at most ("number"; a bound that keeps the scans linear);
                        # "?" (beyond ASCII) right after the word may go on the word (mobİle)
                        j, letters = k, 0
                        while j < n and low[j] in _LED_GAP:
                            if low[j] in _GAP_LETTERS:
                                letters += 1
                                if letters > 6:
                                    break
                            j += 1
                        if odd_digits or low[k] == 63 or j < n and low[j] in _DIGIT_BYTES:
                            (starts if i == 0 or low[i - 1] not in _WORD_BYTES else late).append(i)
                        break
                i = low.find(w, i + 1)
    if not (email or phone or passport or led_all or starts):
        if not late:
            return
        heads = {a for a, _ in f.regions()}
        if not any(i in heads for i in late):
            return
    if late:
        starts = sorted(starts + late)
    else:
        starts.sort()
    regs = f.regions()
    if led_all or phone and f.odd_digits:   # every region can hold something
        todo: Iterable[int] = range(len(regs))
    else:
        # a region's tests below pass only where it holds the start of what they look
        # for: an "@", a "+", "(000)" or "000-000-0000" of the zeros, "passport" of the
        # folded text, a keyword start; the regions holding none are skipped
        at: list[int] = starts[:]
        if email:
            _offsets(full, "@", at)
        if phone:
            _offsets(full, "+", at)
            zeros = f.zeros()
            _offsets(zeros, b"(000)", at)
            _offsets(zeros, b"000-000-0000", at)
        if passport:
            _offsets(low, b"passport", at)
        todo = _regions_at(regs, at)
    for k in todo:
        base, end = regs[k]
        if led_all:
            led: bool | list[int] = True
        else:   # a keyword at the start of a word (of the region: \b)
            lo, hi = bisect_left(starts, base), bisect_left(starts, end)
            led = [p - base for p in starts[lo:hi]
                   if p == base or low[p - 1] not in _WORD_BYTES] if lo < hi else []
        e_r = email and full.find("@", base, end) >= 0
        phone_r = phone and f.may_hold_phone(base, end)
        passport_r = passport and f.may_hold(b"passport", base, end)
        if not (e_r or phone_r or passport_r or led):
            continue
        for s, e, kind in _pii(full[base:end], e_r, phone_r, led, passport_r):
            yield Issue(Span(base + s, base + e), f"{kind} in clear in a release; "
                                                  f"withhold it with {TOKEN} if it is personal")


# ============================================================== R610
RELEASE_BLOCK = kept.compile(r"\b(?:RELEASED IN (?:FULL|PART)|DECLASSIFIED/RELEASED|RELEASE BLOCK)\b", re.I)


def has_release_block(cable: Cable) -> bool:
    if cable.preamble and any(k.lower() == "released" for k, _ in cable.preamble.metadata):
        return True
    head_end = cable.paragraphs[0].span.start if cable.paragraphs else len(cable.source.text)
    return bool(RELEASE_BLOCK.search(cable.source.text, 0, head_end))


def _has_release_block(cable: Cable) -> bool:
    """:func:`has_release_block`, the regex only where the header holds "releas" (each
    form of the block does)."""
    if cable.preamble and any(k.lower() == "released" for k, _ in cable.preamble.metadata):
        return True
    head_end = cable.paragraphs[0].span.start if cable.paragraphs else len(cable.source.text)
    f = _facts(cable)
    if f.odd_letters:
        return bool(RELEASE_BLOCK.search(cable.source.text, 0, head_end))
    # a match holds "releas" at its start or, "DECLASSIFIED/RELEASED", 13 characters in:
    # try the regex only there (match() at an offset reads \b as search() does)
    low, text = f.low, f.text
    i = low.find(b"releas", 0, head_end)
    while i >= 0:
        if RELEASE_BLOCK.match(text, i, head_end) \
                or i >= 13 and RELEASE_BLOCK.match(text, i - 13, head_end):
            return True
        i = low.find(b"releas", i + 1, head_end)
    return False


@rule("R610", "missing-release-block", Severity.WARNING, **{"release-level": ""})
def missing_release_block(cable: Cable, ctx: Context) -> Iterator[Issue]:
    """A release copy has no declassification/release block in its header.

    Why: a released document must say that it was reviewed, when, at what level and on
    what authority (32 CFR 2001.25 and 2001.35: declassification markings; the State
    Department stamps "Declassified/Released US Department of State EO Systematic
    Review"); without it a reader cannot tell a release copy from a leaked original.
    Bad:   "C O N F I D E N T I A L PARIS 000001" then the E.O. line, released at U
    Good:  the classification line, then "RELEASED IN PART - RELEASE LEVEL UNCLASSIFIED ..."
    """
    if release_level(ctx, "R610") is None or cable.banner is None:
        return
    if not _has_release_block(cable):
        yield Issue(cable.banner.span, "release copy without a release block; add one under the "
                                       "classification line (markcheck redact writes it)")
