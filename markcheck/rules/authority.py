"""D: classification authority and declassification.

The rules read the E.O. line (``cable.eo``) and the ``Classified By`` line
(``cable.classified_by``). Real exports glue these lines onto others (``DEPT FOR
NEA/MAG E.O. 12958: DECL: 3/13/2018``), push ``Classified By`` below a page
marker, or wrap its reason onto the next line; the helpers below find them there
too (with the model's own element parsers), so that no rule calls a line missing
that a reader can see.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from .. import kept
from ..diagnostics import Severity
from ..lalr import Token
from ..markings import Level
from ..model import Cable, ClassifiedBy, EOLine, Span, classified_by_from
from . import Context, Issue, per_cable, rule

# ------------------------------------------------------------------ the orders
E12356 = _dt.date(1982, 8, 1)
E12958 = _dt.date(1995, 10, 14)
E13292 = _dt.date(2003, 3, 25)  # E.O. 13292 amends 12958: categories move to sec. 1.4
X_END = _dt.date(2003, 9, 22)  # ISOO: the X1-X8 exemptions end with the 13292 directive
E13526 = _dt.date(2010, 6, 27)

#: executive order -> (in force from, superseded on)
ORDERS: dict[str, tuple[_dt.date, _dt.date | None]] = {
    "11652": (_dt.date(1972, 6, 1), _dt.date(1978, 12, 1)),
    "12065": (_dt.date(1978, 12, 1), E12356),
    "12356": (E12356, E12958),
    "12958": (E12958, E13526),
    "13526": (E13526, None),
}

# ------------------------------------------------------------------ small helpers


#: Level.C and Level.U, read once: an attribute of an Enum class is looked up through
#: the metaclass's __getattr__ hook, about a thousand instructions each time
_LEVEL_C = Level.C
_LEVEL_U = Level.U


def _classified(cable: Cable) -> bool:
    # cable.level read without its property (every D rule asks, some twice)
    banner = cable.banner
    if banner is None:
        return False
    level = banner.level
    return level is not None and level >= _LEVEL_C


def _unclassified(cable: Cable) -> bool:
    banner = cable.banner
    return banner is not None and banner.level is _LEVEL_U


def _on_or_after(ctx: Context, day: _dt.date) -> bool | None:
    """``ctx.on_or_after(day)``: a precise date answered here, without the three calls
    of the properties behind it (every D rule with a date asks)."""
    date = ctx.date
    if date is None:
        return None
    value = date.value
    if date.precise:   # earliest and latest are the date itself
        return value >= day
    # a year only (the usual date): from its 1 January (earliest) to its 31 December
    year, day_year = value.year, day.year
    if year != day_year:
        return year > day_year
    return True if day.month == 1 and day.day == 1 else None


def _line_span(cable: Cable, start: int) -> Span:
    text = cable.source.text
    end = text.find("\n", start)
    return Span(start, len(text) if end < 0 else end)


def _anchor(cable: Cable) -> Span:
    """Where a missing header element is reported: the classification that needs it."""
    if cable.banner is not None:
        return cable.banner.level_span
    return _line_span(cable, len(cable.source.text) - len(cable.source.text.lstrip()))


def _header_end(cable: Cable) -> int:
    """End of the header zone: the first numbered paragraph (or the whole text)."""
    return cable.paragraphs[0].span.start if cable.paragraphs else len(cable.source.text)


def _elided(text: str) -> bool:
    """The export cut text here (``Classified By: ...``, ``DOC FOR ENERGY, ...``)."""
    return "..." in text or "\u2026" in text  # two literal tests: faster than a regex


_SECTION_WORD = kept.compile(r"\bS\w{0,3}CTION\s+0*(\d{1,2})\s+[O0]F\b", re.I)


def _may_lack(cable: Cable) -> bool:
    """A missing element may only be missing from our copy: partial extract, elided header,
    or a copy that starts after section 01 (the header was in the missing section)."""
    first = cable.banner.section if cable.banner is not None else None
    if first is None and cable.banner is not None:  # "SCTION 02 OF 02": garbled, still a section
        m = _SECTION_WORD.search(cable.banner.text)
        first = int(m[1]) if m else None
    if cable.partial or (first is not None and first > 1):
        return True
    text, end = cable.source.text, _header_end(cable)  # _elided(text[:end]), not sliced
    return text.find("...", 0, end) >= 0 or text.find("\u2026", 0, end) >= 0


# What several rules read is kept for the last cable (rules.per_cable).


# ------------------------------------------------------------------ the E.O. line
#: an E.O. line glued onto another line by the export: "DEPT FOR DRL E.O. 12958: DECL: 3/13/2018"
_EO_GLUED = kept.compile(
    r"(?:E\.\s?[O0]\.|(?<![A-Za-z])E\.?\s?[O0](?![A-Za-z]))\s*:?\s*\d{4,5}(?!\d)[ :.,;]*"
    r"(?:DECL|DNG|N/?A(?![A-Za-z])|N\.A\.)", re.I)
#: anything that reads as an E.O. citation (also garbled: "E.M. 12958: N'A"), never the
#: end of a word ("THE HAGUE 002843")
_EO_ANY = kept.compile(r"(?:E\.\s?[O0]\.|(?<![A-Za-z])E\.?\s?[O0](?![A-Za-z]))[ :.]*(?:\d{4,5}|N/A)"
                     r"|(?<![A-Za-z])[A-Z]\.[A-Z]\. ?1[1-3]\d{3}(?!\d)", re.I)


def _parse_eo_at(cable: Cable, start: int, end: int) -> EOLine | None:
    """Read ``text[start:end]`` with the model's E.O. element parser."""
    from ..model import (
        _CableBuilder,  # the model's own element reading, not a second parser
    )

    builder = _CableBuilder(cable.source)
    builder.h_eo(Token("EO_BLOCK", cable.source.text[start:end]), Span(start, end))
    line = builder.eo_lines[0] if builder.eo_lines else None
    return line if line is not None and line.valid else None


def _find_eo(cable: Cable) -> EOLine | None:
    if cable.eo is not None:
        return cable.eo
    text = cable.source.text
    m = _EO_GLUED.search(text, 0, _header_end(cable))
    if m is None:
        return None
    return _parse_eo_at(cable, m.start(), _line_span(cable, m.start()).end)


@per_cable
def eo_line(cable: Cable) -> EOLine | None:
    """The cable's E.O. line: the model's, or one glued onto another header line."""
    return _find_eo(cable)


def _eo_present(cable: Cable) -> bool:
    return eo_line(cable) is not None or bool(
        _EO_ANY.search(cable.source.text, 0, _header_end(cable)))


def _old_order(cable: Cable) -> bool:
    """Cited under an order before E.O. 12958, whose markings (GDS 8/12/85, OADR) differ."""
    eo = eo_line(cable)
    return eo is not None and eo.order in ("11652", "12065", "12356")


def _eo_declassified(eo: EOLine) -> bool:
    """``E.O. 12958: AS AMENDED; DECLASSIFIED JUNE 21, 2006``: a release note, not a marking."""
    return "DECLASSIFIED" in eo.text.upper()


def _tail_span(eo: EOLine) -> Span | None:
    if not eo.tail:
        return None
    at = eo.text.rfind(eo.tail)
    return Span(eo.span.start + at, eo.span.start + at + len(eo.tail.rstrip()))


_NA_AT = kept.compile(r"N/A|N\.A\.|(?<![A-Za-z])NA(?![A-Za-z])", re.I)


def _na_span(eo: EOLine) -> Span:
    start = eo.order_span.end - eo.span.start if eo.order_span else 0
    m = _NA_AT.search(eo.text, start)
    return Span(eo.span.start + m.start(), eo.span.start + m.end()) if m else eo.span


# ------------------------------------------------------------------ DECL values
_NUM_WORDS = (r"ONE|TWO|THREE|FOUR|FIVE|SIX|SEVEN|EIGHT|NINE|TEN|ELEVEN|TWELVE|FIFTEEN|"
              r"TWENTY(?:[- ]FIVE)?|THIRTY|FORTY|FIFTY|SEVENTY(?:[- ]FIVE)?")
_RELATIVE = kept.compile(
    rf"^(?:\d{{1,3}}|{_NUM_WORDS})(?:\s*\(\d{{1,3}}\))?[\s-]*(?:YEARS?|YRS?\.?|MONTHS?)\b", re.I)
_EVENT = kept.compile(r"\b(?:AFTER|UPON|UNTIL|WHEN|FOLLOWING|COMPLETION|CLOSURE|CONCLUSION|"
                    r"END OF|TERMINATION|EVENT)\b", re.I)
#: exemption tokens, valid and not: X1-X8, 1.6X6, 25X1, 25X1-HUMAN, 50X1-HUM, 50X2-WMD
_EXEMPTION = kept.compile(
    r"(?<![A-Za-z0-9])(?:(?:1\.6\s?)?X\s?(?P<x>\d{1,2})"
    r"|25\s?X\s?(?P<x25>\d{1,2})(?P<human>\s?-\s?HUM(?:AN)?)?"
    r"|50\s?X\s?(?P<x50>\d{1,2})(?:\s?-\s?(?P<x50s>[A-Z]+))?)(?![0-9])", re.I)
_FROM_ORIGIN = kept.compile(r"\b(?:DATE|ORIGIN\w*|CABLE|MESSAGE|TELEGRAM|ISSUE|TODAY|NOW)\b", re.I)
_OADR = kept.compile(r"(?<![A-Za-z])OADR(?![A-Za-z])", re.I)
#: tokens of earlier orders: E.O. 11652 (GDS, XGDS-n, NGDS), E.O. 12065 (RDS-n, XDS-n, REVW)
_ERA = kept.compile(r"^(?:X?GDS|NGDS|RDS|XDS|REVW)\b", re.I)
_REDACTED = kept.compile(r"X{4,}", re.I)
_NA_VALUE = kept.compile(r"^(?:N/A|N\.A\.|NA)\W*$", re.I)
#: words that may stand before a date: "ON 8/31/2034", "DECL: 06/09/2016", "CO 04/08/2026" (DNG)
_PREFIX = kept.compile(r"^(?:(?:ON|DECL|DECLASSIFY|DNG|DOWNGRADE|TO|CO|C|S|SE|CONF|"
                     r"CONFIDENTIAL|SECRET)\b\W*)+", re.I)

_DATE_FORMS = (
    # (regex, (year, month, day) group order, short year)
    (kept.compile(r"(?<![\d/.-])(\d{4})[/-](\d{1,2})[/-](\d{1,2})(?![\d/])"), (1, 2, 3), False),
    (kept.compile(r"(?<![\d/.-])(\d{1,2})/(\d{1,2})/(\d{4})(?![\d/])"), (3, 1, 2), False),
    (kept.compile(r"(?<![\d/.-])(\d{4})(\d{2})(\d{2})(?![\d/])"), (1, 2, 3), False),
    (kept.compile(r"(?<![\d/.-])(\d{1,2})[/-](\d{1,2})[/-](\d{2})(?![\d/])"), (3, 1, 2), True),
    (kept.compile(r"(?<![\d/.-])(\d{1,2})-(\d{1,2})-(\d{4})(?![\d/])"), (3, 1, 2), False),
    (kept.compile(r"(?<![\d/.-])(\d{1,2})\.(\d{1,2})\.(\d{4})(?![\d.])"), (3, 1, 2), False),
)


@dataclass
class DeclValue:
    """What a DECL value (or an E.O. line's unlabelled tail) says."""

    kind: str  # date, relative, event, exemption, era, oadr, na, redacted, elided, invalid
    text: str
    span: Span
    date: _dt.date | None = None
    date_span: Span | None = None
    short_year: bool = False
    swapped: bool = False
    exemptions: list[tuple[str, Span]] = field(default_factory=list)


_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_MONTH = r"(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)[A-Z]*\.?"
_WORD_DATES = (  # "08 OCTOBER 2019", "October 8, 2019": unambiguous, if not the handbook's form
    (kept.compile(rf"(?<![\d/])(\d{{1,2}})\s+{_MONTH},?\s+(\d{{4}})(?!\d)", re.I), (3, 2, 1)),
    (kept.compile(rf"(?<![A-Za-z]){_MONTH}\s+(\d{{1,2}}),?\s+(\d{{4}})(?!\d)", re.I), (3, 1, 2)),
)


#: the usual form, mm/dd/yyyy (the second of _DATE_FORMS)
_MDY = _DATE_FORMS[1][0]


def _dated(m: re.Match, yi: int, mi: int, di: int, short: bool):
    """What :func:`_read_date` makes of a match of one of _DATE_FORMS."""
    year = int(m[yi])
    if short:
        year += 2000 if year < 70 else 1900
    day, swapped = _safe_date(year, int(m[mi]), int(m[di])), False
    if day is None and (yi, mi, di) == (3, 1, 2):
        day = _safe_date(year, int(m[di]), int(m[mi]))
        swapped = day is not None
    return day, m, short, swapped


def _read_date(text: str, start: int = 0):
    """The first date in one of the accepted forms: (date or None, match, short_year, swapped).

    ``swapped`` is True for a day-first date (25/12/2015) that is no month-first one."""
    m = _MDY.search(text, start)
    if m is not None and m.start() == start:
        # the usual "10/29/2014" right at the start: the one form before it (yyyy/mm/dd)
        # cannot start there too (4 digits, where this has a "/" within 3 characters)
        return _dated(m, 3, 1, 2, False)
    best = None
    for regex, (yi, mi, di), short in _DATE_FORMS:
        if best is not None and best[1].start() == start:
            return best  # no later form can start before the first offset searched
        m = regex.search(text, start)
        if m and (best is None or m.start() < best[1].start()):
            best = _dated(m, yi, mi, di, short)
    for regex, (yi, mi, di) in _WORD_DATES:
        if best is not None and best[1].start() == start:
            return best
        m = regex.search(text, start)
        if m and (best is None or m.start() < best[1].start()):
            best = (_safe_date(int(m[yi]), _MONTHS.index(m[mi].upper()) + 1, int(m[di])), m,
                    False, False)
    return best


def _safe_date(year: int, month: int, day: int) -> _dt.date | None:
    try:
        return _dt.date(year, month, day)
    except ValueError:
        return None


def _exemption_name(m: re.Match) -> str:
    if m["x"] is not None:
        return f"X{int(m['x'])}"
    if m["x25"] is not None:
        return f"25X{int(m['x25'])}" + ("-HUMAN" if m["human"] else "")
    return f"50X{int(m['x50'])}" + (f"-{m['x50s'].upper()}" if m["x50s"] else "")


def read_decl(raw: str, span: Span, lenient: bool = False) -> DeclValue:
    """Classify a DECL value (``raw`` is the source text of ``span``); ``lenient`` for an
    unlabelled tail of the E.O. line, where a date anywhere will do."""
    stripped = raw.strip()
    elided = _elided(stripped)   # rstrip below takes no dot from an ellipsis: still the answer
    if not elided:
        stripped = stripped.rstrip(" .,;")
    start = span.start + len(raw) - len(raw.lstrip())
    span = Span(start, start + len(stripped))
    value = DeclValue("invalid", stripped, span)
    upper = stripped.upper()
    if not stripped:
        value.kind = "elided" if lenient else "invalid"
        return value
    if elided:
        value.kind = "elided"
        return value
    # each regex below only where the upper-cased value holds what a match must (under
    # re.I, X and N match only their two ASCII cases): the usual date holds neither
    if "XXXX" in upper and _REDACTED.search(stripped):
        value.kind = "redacted"
        return value
    if upper[0] == "N" and _NA_VALUE.match(stripped):
        value.kind = "na"
        return value
    if "X" in upper:
        for m in _EXEMPTION.finditer(stripped):
            at = Span(span.start + m.start(), span.start + m.end())
            value.exemptions.append((_exemption_name(m), at))
    found = _read_date(stripped)
    if found is not None:
        day, m, short, swapped = found
        before = stripped[:m.start()]
        # nothing before the date (the usual "DECL: 10/29/2014"): the subs find nothing
        if lenient or not before \
                or _EXEMPTION.sub("", _PREFIX.sub("", before.strip())).strip(" ,;:()-") == "":
            value.date = day
            value.date_span = Span(span.start + m.start(), span.start + m.end())
            value.short_year = short
            value.swapped = swapped
            value.kind = "date" if day is not None else "invalid"
            if value.exemptions and day is not None:
                value.kind = "exemption"
            return value
    if value.exemptions:
        value.kind = "exemption"
    elif _OADR.search(stripped):
        value.kind = "oadr"
    elif _ERA.match(stripped):
        value.kind = "era"
    elif _RELATIVE.match(_PREFIX.sub("", stripped)) and (
            not _EVENT.search(stripped) or _FROM_ORIGIN.search(stripped)):
        value.kind = "relative"  # "10 YEARS", "10 YEARS AFTER DATE OF ORIGIN"
    elif _EVENT.search(stripped) and len(stripped.split()) >= 2:
        value.kind = "event"
    elif lenient and not any(c.isdigit() for c in upper):
        value.kind = "elided"  # free words after the order: not ours to judge
    return value


def _find_decl(cable: Cable) -> DeclValue | None:
    eo = eo_line(cable)
    if eo is None or _eo_declassified(eo):
        return None
    text = cable.source.text
    if eo.decl is not None:
        end = eo.decl.span.end
        while end < eo.span.end and text[end] in " .,;":
            end += 1  # the model strips trailing dots; an ellipsis means the value was cut
        return read_decl(text[eo.decl.span.start:end], Span(eo.decl.span.start, end))
    if eo.decl_keyword:
        return DeclValue("invalid", "", eo.span)  # "DECL:" with nothing after it
    tail = _tail_span(eo)
    if tail is not None and not eo.na:
        return read_decl(text[tail.start:tail.end], tail, lenient=True)
    return None


@per_cable
def decl_value(cable: Cable) -> DeclValue | None:
    """The declassification instruction on the E.O. line, read."""
    return _find_decl(cable)


# ------------------------------------------------------------------ Classified By
_CB_START = kept.compile(  # not the notice 'CORRECTED COPY (ADD "CLASSIFIED BY" LINE)'
    r"(?<!\")(?<!ADD )(?<!ADDED )(?:\((?:U|C|S|SBU)\)\s*)?"
    r"(?:Classified By|CLASSIFIED BY|Classified by(?=\s*:))\b")
_BLANK_LINE = kept.compile(r"\n[ \t]*\n")
#: every match of _CB_START holds one of these
_CB_WORDS = ("Classified By", "CLASSIFIED BY", "Classified by")


def _cb_start(text: str, end: int) -> re.Match | None:
    """``_CB_START.search(text, 0, end)``, begun where a match can first start.

    A match holds one of _CB_WORDS, after at most "(SBU)" and white space (str.isspace
    is re's \\s); its lookbehinds still see the text before the start."""
    # the first of the words: after a find, the next word is looked for only before it
    find = text.find
    pos = -1
    for w in _CB_WORDS:
        i = find(w, 0, end if pos < 0 else pos + len(w) - 1)
        if i >= 0:
            pos = i
    if pos < 0:
        return None
    while pos > 0 and text[pos - 1].isspace():
        pos -= 1
    return _CB_START.search(text, max(0, pos - 5), end)


def _find_classified_by(cable: Cable) -> ClassifiedBy | None:
    if cable.classified_by is not None:
        return cable.classified_by
    text = cable.source.text
    end = _header_end(cable)
    m = _cb_start(text, end)
    if m is None:
        return None
    stop = _BLANK_LINE.search(text, m.start(), end)
    stop_at = stop.start() if stop else end
    stop_at = len(text[:stop_at].rstrip())
    return classified_by_from(text[m.start():stop_at], Span(m.start(), stop_at))


@per_cable
def authority_line(cable: Cable) -> ClassifiedBy | None:
    """The ``Classified By`` line: the model's, or one the export pushed into the body."""
    return _find_classified_by(cable)


_DERIVED = kept.compile(r"\bderived\b|\bmultiple\s+sources\b", re.I)


def _derived(text: str) -> bool:
    """``_DERIVED.search(text)``, the regex only where the text can hold a match.

    The regex tries its two branches at every offset (no literal to skip ahead to): some
    thousands of instructions for a classifier's few words. In ASCII text re.I matches
    only the two ASCII cases of each letter, so a match holds "derived" or "multiple"
    in the lower-cased text (beyond ASCII, U+0131 stands for i, U+017F for s)."""
    if text.isascii():
        low = text.lower()
        if "derived" not in low and "multiple" not in low:
            return False
    return _DERIVED.search(text) is not None


_AUTHORITY_HINT = kept.compile(
    r"\bclas+\w{0,6}\s*by\b|\bderived\s+from\b|\breasons?\s*:?\s*1\s?\.\s?[45]", re.I)
#: a match of _AUTHORITY_HINT in ASCII text starts with one of these, in any case
_HINT_WORDS = ("CLAS", "DERIVED", "REASON")


def _authority_hint(text: str) -> bool:
    """``_AUTHORITY_HINT.search(text)``, tried only where one of its words starts.

    Only for ASCII text: re.I lets letters such as U+0131 stand for I, and U+017F for S."""
    if not text.isascii():
        return bool(_AUTHORITY_HINT.search(text))
    upper = text.upper()
    for word in _HINT_WORDS:
        at = upper.find(word)
        while at >= 0:
            if _AUTHORITY_HINT.match(text, at):
                return True
            at = upper.find(word, at + 1)
    return False


# "1" first, its lookbehind after it (same matches as r"(?<![\d./])1\s?\.\s?([45])(?!\d)"):
# a literal first character is searched fast
_SECTION = kept.compile(r"1(?<![\d./]1)\s?\.\s?([45])(?!\d)")
_BAD_SECTION = kept.compile(r"(?<![\d./])1\s?/\s?[45](?!\d)"  # "1/4", "REASONS 1 (B)"
                          r"|(?<=[Rr][Ee][Aa][Ss][Oo][Nn][Ss] )1(?=\s?\()"
                          r"|(?<=[Rr][Ee][Aa][Ss][Oo][Nn] )1(?=\s?\()")
_REASON_KW = kept.compile(r"\breason(?:\(s\)|s)?(?![A-Za-z])", re.I)
_NEXT_ELEMENT = kept.compile(r"\s*(?:SUBJ|TAGS|REF|E\.\s?O\.|-{3,}|\d{1,3}\s?[.)]\s)", re.I)


@dataclass
class Reason:
    """The reason as a reader sees it, tolerant of export artefacts (``a nd``, ``1.|4``)."""

    section: str | None = None
    section_span: Span | None = None
    bad_section: Span | None = None
    letters: list[tuple[str, Span]] = field(default_factory=list)
    runs: list[Span] = field(default_factory=list)
    elided: bool = False
    derived: bool = False
    keyword_span: Span | None = None


_LETTER_TOKENS = kept.compile(r"""
    (?P<ws>\s+)
  | (?P<ell>\.\.\.|\u2026)
  | (?P<and>(?<![A-Za-z])(?:a\s?n\s?d|or)(?![A-Za-z])|[&+])
  | (?P<sep>[,;:/])
  | (?P<sec>1\s?\.\s?[45](?!\d)\.?)
  | (?P<run>\(\s*[A-Ha-h]{2,3}\s*\))
  | (?P<mark>(?-i:\((?:TS|SBU|S|C|U)(?:\s?/{1,2}\s?[A-Z][A-Z ,/-]*)?\)))
  | (?P<open>\()
  | (?P<close>\))
  | (?P<dot>\.)
  | (?P<letter>(?<![A-Za-z])[A-Za-z](?![A-Za-z0-9]))
""", re.I | re.X)
_WORD_AHEAD = kept.compile(r"\s+(?![Aa]\s?[Nn]\s?[Dd]\b|[Oo][Rr]\b)[A-Za-z]{2,}")
_LIST_AHEAD = kept.compile(r"\s*(?:(?<![A-Za-z])[A-Za-z](?![A-Za-z0-9])|\(|\)|,|&|/|"
                         r"[Aa]\s?[Nn]\s?[Dd]\b|[Oo][Rr]\b)")


#: ASCII letters that, alone in parentheses, are a letter token: not C, S or U ("(C)" is
#: the mark token, read apart)
_LONE_LETTERS = frozenset("ABDEFGHIJKLMNOPQRTVWXYZabcdefghijklmnopqrstuvwxyz")


def _read_letters(text: str, start: int, end: int, base: int, reason: Reason) -> None:
    """Read the category letters after the section, until the text stops being a list."""
    pos = start
    end = min(end, len(text))  # as re reads an endpos past the text
    prev = "sec"
    match = _LETTER_TOKENS.match
    while pos < end:
        c = text[pos]
        if c in " )":  # a lone space or ")": a ws or close token, nothing to note
            pos += 1
            if c == ")" or pos >= end or not text[pos].isspace():
                continue
            pos -= 1  # a run of white space: one ws token, read below
        elif c == "(" and pos + 2 < end and text[pos + 2] == ")" \
                and text[pos + 1] in _LONE_LETTERS:
            # "(b)": the tokens open, letter, close (a run needs two letters, and the
            # letter is no portion mark); a ")" follows the letter, so no word
            reason.letters.append((text[pos + 1].lower(), Span(base + pos + 1, base + pos + 2)))
            prev = "letter"
            pos += 3
            continue
        elif c == "a" and pos > 0 and text[pos - 1] == " " and pos + 3 < end \
                and text.startswith("and ", pos):
            # " and ": the and token (blanks around it: its lookarounds hold)
            prev = "sep"
            pos += 3
            continue
        m = match(text, pos, end)
        if m is None:
            return
        kind = m.lastgroup
        if kind == "ws" or kind == "open" or kind == "close":
            pos = m.end()  # nothing to note: go on (the most frequent tokens)
            continue
        if kind == "ell":
            reason.elided = True
            return
        if kind == "dot" and not _LIST_AHEAD.match(text, m.end(), end):
            return
        if kind == "mark":
            # "(C)" in a list is the letter c; right after a letter it is the next portion's mark
            if m.group() != "(C)" or prev == "letter":
                return
            reason.letters.append(("c", Span(base + m.start() + 1, base + m.end() - 1)))
            prev = "letter"
        elif kind == "run":
            reason.runs.append(Span(base + m.start(), base + m.end()))
            prev = "letter"
        elif kind == "letter":
            if prev == "letter" and _WORD_AHEAD.match(text, m.end(), end):
                return  # "1.4 (d) I met ...": prose after the list
            reason.letters.append((m.group().lower(), Span(base + m.start(), base + m.end())))
            prev = "letter"
        elif kind in ("and", "sep", "sec"):
            prev = "sep"
        pos = m.end()


def _reason_from(text: str, base: int, start: int, end: int, reason: Reason) -> bool:
    """Look for the reason in text[start:end]; True when a section or letters were found."""
    m = _SECTION.search(text, start, end)
    if m is not None:
        reason.section = "1." + m[1]
        reason.section_span = Span(base + m.start(), base + m.end())
        _read_letters(text, m.end(), end, base, reason)
        return True
    bad = _BAD_SECTION.search(text, start, end)
    if bad is not None:
        reason.bad_section = Span(base + bad.start(), base + bad.end())
        _read_letters(text, bad.end(), end, base, reason)
        return True
    kw = _REASON_KW.search(text, start, end)
    if kw is not None:
        reason.keyword_span = Span(base + kw.start(), base + kw.end())
        _read_letters(text, kw.end(), end, base, reason)
        return bool(reason.letters)
    return False


def _find_reason(cable: Cable) -> Reason | None:
    cb = authority_line(cable)
    if cb is None or not cb.valid:
        return None
    text = cable.source.text
    reason = Reason()
    start = cb.span.start
    if cb.classifier and _derived(cb.classifier):
        reason.derived = True
    if _reason_from(text, 0, start, cb.span.end, reason):
        return reason
    if _elided(cb.text):
        reason.elided = True
        return reason
    # the reason wrapped onto the next line(s): "... for reasons\n1.4 (b) and (d)"
    pos, lines = cb.span.end, 0
    limit = _header_end(cable)
    while pos < limit and lines < 2:
        nl = text.find("\n", pos + 1)
        line_end = limit if nl < 0 else min(nl, limit)
        line = text[pos:line_end]
        if line.strip():
            if _NEXT_ELEMENT.match(line) and not _SECTION.search(line):
                break
            lines += 1
            if _reason_from(text, 0, pos, line_end, reason):
                return reason
            if _elided(line):
                reason.elided = True
                return reason
        pos = line_end
    return reason


@per_cable
def reason_of(cable: Cable) -> Reason | None:
    """The reason cited on the ``Classified By`` line, read tolerantly."""
    return _find_reason(cable)


# ====================================================================== rules


@rule("D301", "missing-classified-by", Severity.ERROR)
def missing_classified_by(cable: Cable, ctx: Context) -> Iterator[Issue]:
    """A classified cable has no ``Classified By`` line naming its classifier.

    Why: every classified document must identify the original classification
    authority by name or position (E.O. 12958 sec. 1.6(a)(2), E.O. 13526 sec. 1.6(a)(2),
    32 CFR 2001.21(a)(2)); State telegrams carry it as the "Classified By:" line
    under the SUBJECT and REF lines (5 FAH-3 H-700). Derivative classification
    ("Derived From:", "Classified By: Derived from Multiple Sources") also
    satisfies it. Telegrams before E.O. 12958 (1995-10-14) carried no such line.
    Bad:   "C O N F I D E N T I A L ..." with E.O., TAGS and SUBJECT but no "Classified By:"
    Good:  "Classified By: Ambassador John Doe for reasons 1.4 (b) and (d)."
    """
    if not _classified(cable) or _on_or_after(ctx, E12958) is False:
        return
    eo = eo_line(cable)
    if ctx.date is None and eo is not None and eo.order in ("11652", "12065", "12356"):
        return
    cb = authority_line(cable)
    if cb is not None:
        if cb.valid and not cb.classifier and not _elided(cb.text):
            span = cb.span if cb.classifier_span is None else cb.classifier_span
            yield Issue(_line_span(cable, span.start),
                        "Classified By line names no classifier; add the name and title of "
                        "the classifying official")
        return
    if _may_lack(cable) or _authority_hint(cable.source.text):
        return
    yield Issue(_anchor(cable),
                f"{cable.level.word} cable has no Classified By line; add 'Classified By: "
                "<name, title> for reasons 1.4 (x)' after the SUBJECT/REF lines")


@rule("D302", "authority-on-unclassified", Severity.ERROR)
def authority_on_unclassified(cable: Cable, ctx: Context) -> Iterator[Issue]:
    """An unclassified cable carries a ``Classified By`` line, a reason or a DECL date.

    Why: classification authority, reason and declassification instructions mark
    classified information only (32 CFR 2001.21); on an UNCLASSIFIED telegram they
    contradict the classification line, and the E.O. line reads "E.O. 12958: N/A"
    (5 FAH-3 H-700). A declassification note ("DECLASSIFIED BY NARA") is not a marking.
    Bad:   "UNCLAS ..." with "E.O. 12958: DECL: 09/28/2019"
    Good:  "UNCLAS ..." with "E.O. 12958: N/A"
    """
    if not _unclassified(cable):
        return
    eo = eo_line(cable)
    if eo is not None and _eo_declassified(eo):
        return  # a declassified release keeps its old authority lines as history
    decl = decl_value(cable)
    if decl is not None and decl.kind in ("date", "exemption", "relative", "oadr", "event"):
        yield Issue(decl.span, f"UNCLASSIFIED cable has a declassification instruction "
                    f"'{decl.text}'; write 'N/A' or classify the cable")
    cb = authority_line(cable)
    if cb is not None:
        yield Issue(_line_span(cable, cb.span.start),
                    "UNCLASSIFIED cable has a Classified By line; remove it or classify the cable")


@rule("D303", "malformed-reason", Severity.ERROR)
def malformed_reason(cable: Cable, ctx: Context) -> Iterator[Issue]:
    """``Classified By`` gives no reason, or a malformed reason list.

    Why: the classifier must cite the classification category that justifies
    classification, as section and letters (E.O. 13526 sec. 1.4 (a)-(h), E.O. 12958
    sec. 1.5 (a)-(g); 32 CFR 2001.21(a)(3)). Run-together or repeated letters
    ("1.4 (bd)", "1.4 (b) and (b)") and letters without their section leave the
    category in doubt. Accepted: "1.4 (b) and (d)", "1.4 b and d", "1.4(b,d)",
    "1.4(B), (D)", "REASON: 1.4(B), (D)".
    Bad:   "Classified By: Ambassador John Doe for reasons 1.4 (bd)."
    Good:  "Classified By: Ambassador John Doe for reasons 1.4 (b) and (d)."
    """
    if _unclassified(cable):
        return  # D302 reports the line itself
    cb = authority_line(cable)
    reason = reason_of(cable)
    if cb is None or reason is None or reason.derived:
        return
    if reason.bad_section is not None:
        yield Issue(reason.bad_section, f"reason section '{cable.text_of(reason.bad_section)}' is "
                    "malformed; write 1.4 (or 1.5 before 2003-03-25) followed by the letters")
        return
    if reason.section is None:
        if reason.elided or (not cb.classifier and not reason.letters):
            return  # an empty "Classified By:" is one fault, D301's
        if reason.letters:
            yield Issue(reason.letters[0][1], "reason letters without a section; write "
                        "'1.4 (b) and (d)' (1.5 before 2003-03-25)")
        else:
            yield Issue(_line_span(cable, cb.span.start), "Classified By line gives no reason; "
                        "add 'for reasons 1.4 (x)' with the classification categories")
        return
    for span in reason.runs:
        yield Issue(span, f"reason letters run together in '{cable.text_of(span)}'; "
                    "write each letter on its own: (b) and (d)")
    if not reason.letters and not reason.runs and not reason.elided:
        yield Issue(reason.section_span, f"reason {reason.section} names no category letter; "
                    f"add the letters, e.g. {reason.section} (b) and (d)")
    seen: set[str] = set()
    for letter, span in reason.letters:
        if letter in seen:
            yield Issue(span, f"reason letter ({letter}) appears twice; cite each category once")
        seen.add(letter)


@rule("D304", "reason-letter-invalid", Severity.ERROR)
def reason_letter_invalid(cable: Cable, ctx: Context) -> Iterator[Issue]:
    """A reason letter does not exist in the cited section.

    Why: E.O. 12958 sec. 1.5 lists categories (a) to (g); E.O. 12958 as amended by
    E.O. 13292 and E.O. 13526 list them in sec. 1.4 as (a) to (h) (1.4(h) on weapons
    of mass destruction was added in 2003). A letter outside the list cites no
    category at all (32 CFR 2001.21(a)(3)).
    Bad:   "Classified By: Ambassador John Doe for reasons 1.5 (h)."
    Good:  "Classified By: Ambassador John Doe for reasons 1.4 (h)."
    """
    if _unclassified(cable):
        return
    reason = reason_of(cable)
    if reason is None or reason.section is None:
        return
    last = "g" if reason.section == "1.5" else "h"
    outdated = reason.section == "1.5" and _on_or_after(ctx, E13292) is True
    for letter, span in reason.letters:
        if letter == "h" and outdated:
            continue  # "1.5 (h)" after 2003 means 1.4 (h): D305 reports the section
        if not "a" <= letter <= last:
            yield Issue(span, f"reason {reason.section} has no category ({letter}); it lists "
                        f"(a) to ({last})")


@rule("D305", "reason-section-era", Severity.WARNING)
def reason_section_era(cable: Cable, ctx: Context) -> Iterator[Issue]:
    """The reason cites the section that did not hold the categories on the cable's date.

    Why: E.O. 12958 listed the classification categories in sec. 1.5; E.O. 13292
    moved them to sec. 1.4 from 2003-03-25 (kept by E.O. 13526). "Reason 1.5" after
    that date is an outdated template (warning); "1.4" before it cites the section
    on classification levels, not categories (error).
    Bad:   cable dated 2005-10-21 with "for Reasons 1.5 (b) and (d)"
    Good:  cable dated 2005-10-21 with "for Reasons 1.4 (b) and (d)"
    """
    if _unclassified(cable):
        return
    reason = reason_of(cable)
    if reason is None or reason.section is None:
        return
    after = _on_or_after(ctx, E13292)
    if reason.section == "1.5" and after is True:
        yield Issue(reason.section_span, "reason cites 1.5, but since 2003-03-25 (E.O. 13292) "
                    "the categories are in 1.4; write 1.4 with the same letters")
    elif reason.section == "1.4" and after is False and _on_or_after(ctx, E12958) is True:
        yield Issue(reason.section_span, "reason cites 1.4, but before 2003-03-25 the "
                    "categories were in E.O. 12958 sec. 1.5; write 1.5 with the same letters",
                    severity=Severity.ERROR)


def _near_order(order: str) -> str | None:
    for known in ORDERS:
        if len(known) == len(order) and sorted(known) == sorted(order):
            return known
        if len(order) == 4 and all(c in known for c in order) and known.startswith(order[:3]):
            return known
    return None


def _order_for(ctx: Context) -> str | None:
    for order, (start, end) in ORDERS.items():
        if _on_or_after(ctx, start) is True and (end is None or _on_or_after(ctx, end) is False):
            return order
    return None


@rule("D306", "eo-line-invalid", Severity.ERROR)
def eo_line_invalid(cable: Cable, ctx: Context) -> Iterator[Issue]:
    """The E.O. line is missing, malformed, or cites an order not in force on the cable's date.

    Why: every telegram cites the executive order under which it is classified (or
    "N/A") on its E.O. line (5 FAH-3 H-700; 32 CFR 2001.21). The orders were
    E.O. 11652 (from 1972-06-01), 12065 (1978-12-01), 12356 (1982-08-01), 12958
    (1995-10-14, amended by 13292) and 13526 (2010-06-27). "E.0." (a zero) and
    transposed numbers such as 12598 cite no order. A missing E.O. line on an
    UNCLASSIFIED cable is a warning (it carries no authority, only "N/A").
    Bad:   "E.0. 12598: DECL: 02/15/2020"
    Good:  "E.O. 12958: DECL: 02/15/2020" on a cable of 2010-02-15
    """
    eo = eo_line(cable)
    if eo is None:
        if cable.banner is None or _eo_present(cable) or _may_lack(cable):
            return
        if _classified(cable):
            yield Issue(_anchor(cable), "no E.O. line; add 'E.O. 12958: DECL: <date>' (E.O. 13526 "
                        "from 2010-06-27) before the TAGS line")
        elif _unclassified(cable):
            yield Issue(_anchor(cable), "no E.O. line; unclassified telegrams carry "
                        "'E.O. 12958: N/A' (E.O. 13526 from 2010-06-27) before the TAGS line",
                        severity=Severity.WARNING)
        return
    if not eo.valid:
        yield Issue(eo.span, f"E.O. line cannot be read ({eo.error}); write "
                    "'E.O. 12958: DECL: <date>'")
        return
    if eo.keyword and "0" in eo.keyword and eo.keyword_span is not None:
        yield Issue(eo.keyword_span, f"'{eo.keyword}' is written with a zero; write 'E.O.'")
    if eo.order is None:
        yield Issue(eo.span, "E.O. line names no executive order; write 'E.O. 12958' "
                    "(E.O. 13526 from 2010-06-27)")
        return
    span = eo.order_span or eo.span
    if eo.order not in ORDERS:
        near = _near_order(eo.order) or _order_for(ctx) or "12958"
        yield Issue(span, f"E.O. {eo.order} is not a classification order; did you mean "
                    f"E.O. {near}?")
        return
    if _eo_declassified(eo):
        return  # the line records a later declassification, under the order then in force
    start, end = ORDERS[eo.order]
    if _on_or_after(ctx, start) is False or (end is not None and _on_or_after(ctx, end) is True):
        should = _order_for(ctx)
        hint = f"; on this date cite E.O. {should}" if should else ""
        yield Issue(span, f"E.O. {eo.order} was not in force on the cable's date "
                    f"({start.isoformat()} to {end.isoformat() if end else 'now'}){hint}")
        return
    if _classified(cable) and not eo.na and eo.decl is None and not eo.decl_keyword \
            and not eo.tail.strip():
        yield Issue(eo.span, "E.O. line of a classified cable has no declassification "
                    "instruction; add 'DECL: <date>'")


@rule("D307", "eo-na-on-classified", Severity.ERROR)
def eo_na_on_classified(cable: Cable, ctx: Context) -> Iterator[Issue]:
    """A classified cable's E.O. line reads ``N/A``.

    Why: "N/A" says no executive order applies, which is true only of unclassified
    telegrams; a classified cable must cite the order and its declassification
    instruction (32 CFR 2001.21(a)(4), 5 FAH-3 H-700).
    Bad:   "C O N F I D E N T I A L ..." with "E.O. 12958: N/A"
    Good:  "C O N F I D E N T I A L ..." with "E.O. 12958: DECL: 10/29/2014"
    """
    if not _classified(cable):
        return
    eo = eo_line(cable)
    if eo is None:
        return
    if eo.na:
        yield Issue(_na_span(eo), f"{cable.level.word} cable has 'N/A' on its E.O. line; "
                    "cite the declassification date: 'DECL: <mm/dd/yyyy>'")
        return
    decl = decl_value(cable)
    if decl is not None and decl.kind == "na" and eo.decl is not None:
        yield Issue(decl.span, f"{cable.level.word} cable has 'DECL: N/A'; cite the "
                    "declassification date: 'DECL: <mm/dd/yyyy>'")


@rule("D308", "decl-value-invalid", Severity.ERROR)
def decl_value_invalid(cable: Cable, ctx: Context) -> Iterator[Issue]:
    """The DECL value is no date, event, exemption or token of the era.

    Why: the "Declassify On" line must give a date, an event, or an exemption
    (E.O. 13526 sec. 1.5, 1.6(a)(4); 32 CFR 2001.21(a)(4)); a reason, a downgrade
    level alone or a placeholder declassifies nothing. Accepted dates: mm/dd/yyyy,
    m/d/yyyy, yyyy/mm/dd, YYYYMMDD; mm/dd/yy is a warning (the century is a guess).
    Bad:   "E.O. 12958: DECL: 1.4 (B), (D)"
    Good:  "E.O. 12958: DECL: 10/29/2014"
    """
    if not _classified(cable):
        return
    decl = decl_value(cable)
    if decl is None:
        return
    if decl.kind == "invalid":
        if decl.text:
            yield Issue(decl.span, f"DECL value '{decl.text}' is no date, event or exemption; "
                        "write the declassification date as mm/dd/yyyy")
        else:
            yield Issue(decl.span, "DECL has no value; write the declassification date as "
                        "mm/dd/yyyy")
    elif decl.kind in ("date", "exemption") and decl.date_span is not None \
            and not _old_order(cable):
        shown = cable.text_of(decl.date_span)
        if decl.swapped:
            yield Issue(decl.date_span, f"DECL date '{shown}' is written day first; write "
                        "mm/dd/yyyy", severity=Severity.WARNING)
        elif decl.short_year:
            yield Issue(decl.date_span, f"DECL date '{shown}' has a two-digit year; write "
                        "mm/dd/yyyy", severity=Severity.WARNING)


@rule("D309", "decl-relative-duration", Severity.WARNING)
def decl_relative_duration(cable: Cable, ctx: Context) -> Iterator[Issue]:
    """The DECL value is a duration (``10 YEARS``) instead of a date.

    Why: the declassification instruction must be a date or event a reader can act
    on without the origination date (E.O. 13526 sec. 1.5(a), 32 CFR 2001.21(a)(4));
    "10 YEARS" or "TWENTY YEARS" leaves the date to be computed from the cable's.
    Bad:   "E.O. 12958: DECL: 10 YEARS"
    Good:  "E.O. 12958: DECL: 10/21/2015"
    """
    if _unclassified(cable):
        return
    decl = decl_value(cable)
    if decl is not None and decl.kind == "relative":
        yield Issue(decl.span, f"DECL '{decl.text}' is a duration; write the date it ends as "
                    "mm/dd/yyyy")


def _add_years(day: _dt.date, years: int) -> _dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@rule("D310", "decl-date-out-of-range", Severity.ERROR)
def decl_date_out_of_range(cable: Cable, ctx: Context) -> Iterator[Issue]:
    """The DECL date is before the cable's date or too far after it.

    Why: a declassification date in the past declassifies the cable as it is sent;
    one more than 25 years ahead exceeds the limit of E.O. 13526 sec. 1.5(b)
    (E.O. 12958 as amended sec. 1.5), unless an exemption allows more: 50 years with
    a 25Xn exemption, 75 with 50X1-HUM or 50X2-WMD (sec. 3.3).
    Bad:   cable of 2009-03-16 with "DECL: 03/16/2008"
    Good:  cable of 2009-03-16 with "DECL: 03/16/2019"
    """
    if not _classified(cable) or ctx.date is None:
        return
    decl = decl_value(cable)
    if decl is None or decl.date is None or decl.date_span is None:
        return
    date = ctx.date
    value = date.value
    precise = date.precise
    # date.earliest and date.latest, without their property calls
    if decl.date < (value if precise else _dt.date(value.year, 1, 1)):
        shown = cable.text_of(decl.date_span)
        yield Issue(decl.date_span, f"DECL date {shown} is before the cable's date "
                    f"({date.value.year if not date.precise else date.value}); "
                    "the cable would be declassified as sent")
        return
    # the limit only where the date is past the shortest one: the usual date is within it
    latest = value if precise else _dt.date(value.year, 12, 31)
    if decl.date <= _add_years(latest, 25):
        return
    names = [name for name, _ in decl.exemptions]
    limit = 75 if any(n.startswith("50X") for n in names) else 50 if any(
        n.startswith("25X") for n in names) else 25
    if decl.date > _add_years(latest, limit):
        shown = cable.text_of(decl.date_span)
        yield Issue(decl.date_span, f"DECL date {shown} is more than {limit} years after the "
                    "cable's date; shorten it or cite the exemption that allows it")


def _exemptions(cable: Cable) -> list[tuple[str, Span]]:
    if not _classified(cable):
        return []
    decl = decl_value(cable)
    return decl.exemptions if decl is not None else []


@rule("D312", "x-exemption-after-2003", Severity.ERROR)
def x_exemption_after_2003(cable: Cable, ctx: Context) -> Iterator[Issue]:
    """An ``X1``-``X8`` exemption on a cable dated after 2003-09-22.

    Why: the X1-X8 ten-year exemptions of E.O. 12958 sec. 1.6(d) were abolished by
    E.O. 13292 and its implementing directive (32 CFR 2001, effective 2003-09-22);
    later documents give a date or event within 25 years, or a 25Xn exemption.
    Bad:   cable of 2006 with "E.O. 12958: DECL: X1"
    Good:  cable of 2006 with "E.O. 12958: DECL: 04/08/2016"
    """
    if _on_or_after(ctx, X_END) is not True:
        return
    for name, span in _exemptions(cable):
        if name.startswith("X") and 1 <= int(name[1:]) <= 8:
            yield Issue(span, f"exemption {name} was abolished on 2003-09-22; give a "
                        "declassification date within 25 years instead")


@rule("D313", "oadr-outside-12356", Severity.ERROR)
def oadr_outside_12356(cable: Cable, ctx: Context) -> Iterator[Issue]:
    """``OADR`` on a cable outside the era of E.O. 12356 (1982-08-01 to 1995-10-13).

    Why: "Originating Agency's Determination Required" was the indefinite duration of
    E.O. 12356 sec. 1.4; E.O. 12958 abolished indefinite classification from
    1995-10-14 (sec. 1.6), so later cables must give a date, event or exemption.
    Bad:   cable of 2005 with "E.O. 12958: DECL: OADR"
    Good:  cable of 1989 with "E.O. 12356: DECL: OADR"
    """
    if not _classified(cable):
        return
    decl = decl_value(cable)
    if decl is None:
        return
    # a match holds "oadr" in any case (no other letter folds to these four): the usual
    # DECL date holds none
    if "oadr" not in decl.text.lower():
        return
    m = _OADR.search(decl.text)
    if m is None:
        return
    if _on_or_after(ctx, E12958) is True or _on_or_after(ctx, E12356) is False:
        span = Span(decl.span.start + m.start(), decl.span.start + m.end())
        yield Issue(span, "OADR was valid only under E.O. 12356 (1982-08-01 to 1995-10-13); "
                    "give a declassification date")


@rule("D314", "unknown-exemption", Severity.ERROR)
def unknown_exemption(cable: Cable, ctx: Context) -> Iterator[Issue]:
    """A declassification exemption that no order defines (``25X10``, ``X9``).

    Why: the exemptions are a closed list: X1-X8 (E.O. 12958 sec. 1.6(d)), 25X1-25X9
    (E.O. 12958 and 13526 sec. 3.3(b)), 50X1-HUM and 50X2-WMD (E.O. 13526
    sec. 3.3(h)); any other token exempts nothing.
    Bad:   "E.O. 12958: DECL: 25X10"
    Good:  "E.O. 12958: DECL: 25X1, 12/31/2035"
    """
    for name, span in _exemptions(cable):
        ok = kept.compile(r"X[1-8]|25X[1-9](?:-HUMAN)?|50X1-HUM|50X2-WMD").fullmatch(name) is not None
        if not ok:
            yield Issue(span, f"'{cable.text_of(span)}' is not a declassification exemption; use "
                        "25X1-25X9, 50X1-HUM or 50X2-WMD")


@rule("D315", "exemption-date-mismatch", Severity.ERROR)
def exemption_date_mismatch(cable: Cable, ctx: Context) -> Iterator[Issue]:
    """``50X1-HUM``/``50X2-WMD`` with a date, or ``25Xn`` without one.

    Why: 50X1-HUM and 50X2-WMD exempt information for 75 years and take no date
    (E.O. 13526 sec. 3.3(h)); a 25Xn exemption must state the date or event that
    ends it (32 CFR 2001.21(a)(4), 2001.26). 25X1-HUMAN (E.O. 12958 as amended)
    needs no date.
    Bad:   "E.O. 13526: DECL: 25X1"
    Good:  "E.O. 13526: DECL: 25X1, 12/31/2060"
    """
    decl_exemptions = _exemptions(cable)
    if not decl_exemptions:
        return
    decl = decl_value(cable)
    dated = decl is not None and decl.date is not None
    for name, span in decl_exemptions:
        if name in ("50X1-HUM", "50X2-WMD") and dated:
            yield Issue(span, f"{name} takes no date (75-year exemption); remove the date")
        elif kept.compile(r"25X[1-9]").fullmatch(name) and not dated:
            yield Issue(span, f"{name} needs a declassification date or event; write "
                        f"'{name}, <mm/dd/yyyy>'")
