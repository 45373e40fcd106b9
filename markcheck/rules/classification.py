"""C: classification and portion marking.

The rules read every portion mark a cable carries: the mark after a paragraph
number (``Paragraph.marking``, or, where the grammar found none, a mark-like group
read here from the paragraph's first characters: ``(CONFIDENTIAL)``, ``C)``,
``(C NF)``), the SUBJECT mark, and marks opening unnumbered text. A mark is read
once by :func:`_read_mark` into a :class:`_Mark` (level, controls, REL TO list and
what is malformed in it), so each rule judges one fault of it and no two rules
report the same one: C202 the form of a mark, C208 its REL TO list, C203/C205 its
level against the banner, C206/C213 its NOFORN, C210 FOUO, C211 SBU.

A letter of a lettered list ("(A) ... (B) ... (C) ...") looks like a mark; a
single-letter mark with its neighbour letter opening a nearby line is taken for
one, and is not judged.
"""

from __future__ import annotations

import datetime as _dt
import re
from bisect import bisect_left
from collections import Counter, namedtuple
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import pairwise
from operator import attrgetter

from .. import kept
from ..diagnostics import Severity
from ..markings import Level
from ..model import Banner, Cable, Paragraph, Span
from . import Context, Issue, per_cable, rule
from .authority import _on_or_after  # ctx.on_or_after, without its property calls

# ====================================================================== reading marks

#: ISO 3166-1 alpha-3 codes, and XKS (Kosovo) as the marking register writes it
_TRIGRAPHS = frozenset("""
ABW AFG AGO AIA ALA ALB AND ARE ARG ARM ASM ATA ATF ATG AUS AUT AZE BDI BEL BEN BES BFA BGD
BGR BHR BHS BIH BLM BLR BLZ BMU BOL BRA BRB BRN BTN BVT BWA CAF CAN CCK CHE CHL CHN CIV CMR
COD COG COK COL COM CPV CRI CUB CUW CXR CYM CYP CZE DEU DJI DMA DNK DOM DZA ECU EGY ERI ESH
ESP EST ETH FIN FJI FLK FRA FRO FSM GAB GBR GEO GGY GHA GIB GIN GLP GMB GNB GNQ GRC GRD GRL
GTM GUF GUM GUY HKG HMD HND HRV HTI HUN IDN IMN IND IOT IRL IRN IRQ ISL ISR ITA JAM JEY JOR
JPN KAZ KEN KGZ KHM KIR KNA KOR KWT LAO LBN LBR LBY LCA LIE LKA LSO LTU LUX LVA MAC MAF MAR
MCO MDA MDG MDV MEX MHL MKD MLI MLT MMR MNE MNG MNP MOZ MRT MSR MTQ MUS MWI MYS MYT NAM NCL
NER NFK NGA NIC NIU NLD NOR NPL NRU NZL OMN PAK PAN PCN PER PHL PLW PNG POL PRI PRK PRT PRY
PSE PYF QAT REU ROU RUS RWA SAU SDN SEN SGP SGS SHN SJM SLB SLE SLV SMR SOM SPM SRB SSD STP
SUR SVK SVN SWE SWZ SXM SYC SYR TCA TCD TGO THA TJK TKL TKM TLS TON TTO TUN TUR TUV TWN TZA
UGA UKR UMI URY USA UZB VAT VCT VEN VGB VIR VNM VUT WLF WSM YEM ZAF ZMB ZWE XKS
""".split())

#: registered tetragraphs (coalitions and organisations) a REL TO list may name
_TETRAGRAPHS = frozenset("""
ACGU FVEY TEYE NATO ISAF KFOR SFOR CFCK CMFC CMFP CPMT GCTF GMIF IESC MCFI MIFH MLEC NACT UNCK
""".split())

#: what writers put in REL lists instead of a code, and the code they meant
_CODE_HINTS = {
    "UK": "GBR", "US": "USA", "AS": "AUS", "CA": "CAN", "FR": "FRA", "GM": "DEU", "IS": "ISR",
    "IT": "ITA", "JP": "JPN", "ROK": "KOR", "NZ": "NZL", "GER": "DEU", "AUSTRALIA": "AUS",
    "CANADA": "CAN", "CHINA": "CHN", "GERMANY": "DEU", "ITALY": "ITA", "SPAIN": "ESP",
    "FRANCE": "FRA", "ISRAEL": "ISR", "JAPAN": "JPN", "RUSSIA": "RUS", "TURKEY": "TUR",
    "KENYA": "KEN", "PAKISTAN": "PAK", "UKRAINE": "UKR", "LIBYA": "LBY", "SYRIA": "SYR",
    "ARMENIA": "ARM", "LATVIA": "LVA", "BELIZE": "BLZ", "AFGHANISTAN": "AFG", "YEMEN": "YEM",
    "KAZAKHSTAN": "KAZ", "TAJIKISTAN": "TJK", "UZBEKISTAN": "UZB", "KYRGYZSTAN": "KGZ",
    "TURKMENISTAN": "TKM", "SOUTH KOREA": "KOR", "KOREA": "KOR", "BULGARIA": "BGR",
    "POLAND": "POL", "ROMANIA": "ROU", "IRAQ": "IRQ", "EGYPT": "EGY", "JORDAN": "JOR",
    "MEXICO": "MEX", "INDIA": "IND", "GEORGIA": "GEO", "UNITED KINGDOM": "GBR",
}

_LEVEL_ABBR = {"TS": Level.TS, "S": Level.S, "C": Level.C, "U": Level.U,
               "SBU": Level.U, "SBU-NF": Level.U, "LOU": Level.U}
_LEVEL_WORDS = {"TOP SECRET": "TS", "SECRET": "S", "CONFIDENTIAL": "C", "UNCLASSIFIED": "U",
                "UNCLAS": "U", "SENSITIVE BUT UNCLASSIFIED": "SBU"}
_CONTROLS = {"NF": "NF", "NOFORN": "NF", "FOUO": "FOUO", "SBU": "SBU", "ORCON": "ORCON",
             "OC": "ORCON", "PROPIN": "PROPIN", "PR": "PROPIN", "NOCONTRACT": "NOCONTRACT",
             "IMCON": "IMCON", "FGI": "FGI"}

_HEAD = kept.compile(r"\s*(SENSITIVE\s+BUT\s+UNCLASSIFIED|TOP\s+SECRET|SECRET|CONFIDENTIAL|"
                   r"UNCLASSIFIED|UNCLAS|SBU-NF|SBU|LOU|TS|S|C|U)(?![A-Za-z])", re.I)
_ENTIRE = kept.compile(r"\s*(?:-+|,|;)?\s*ENTIRE\s+(?:TEXT|PARAGRAPH|CABLE|MESSAGE)\s*\.?\s*$", re.I)
_SEP = kept.compile(r"\s*(//|/|-)\s*")
_REL = kept.compile(r"(REL(?:EASABLE)?)(\s+TO)?(?![A-Za-z])", re.I)
_WORD = kept.compile(r"[A-Za-z][A-Za-z-]*")


@dataclass(frozen=True)
class _Reading:
    """What one mark's text says, and what is wrong with its form."""

    level: Level | None
    level_word: str                  # the level as written: "C", "SBU", "CONFIDENTIAL"
    controls: tuple[str, ...]        # canonical: NF, FOUO, SBU, FGI, ...
    seps: tuple[str, ...]            # the separators between level and controls
    rel: tuple[str, ...] | None      # REL TO codes as written, None without REL
    rel_range: tuple[int, int] | None  # offsets of the REL part in the text
    rel_problems: tuple[str, ...]    # what C208 reports
    problems: tuple[str, ...]        # what C202 reports

    # cached: a reading is shared (see _read_mark) and asked by several rules per cable
    @cached_property
    def noforn(self) -> bool:
        return "NF" in self.controls or self.level_word.upper() == "SBU-NF"

    @cached_property
    def sbu(self) -> bool:
        return self.level_word.upper() in ("SBU", "SBU-NF", "SENSITIVE BUT UNCLASSIFIED") \
            or "SBU" in self.controls

    @cached_property
    def sbu_level(self) -> bool:
        return self.level_word.upper() in ("SBU", "SBU-NF", "SENSITIVE BUT UNCLASSIFIED")

    @cached_property
    def single(self) -> str:
        """The level written as one letter, upper-cased ("C" for "(c)"), else ""."""
        return self.level_word.upper() if self.level is not None and len(self.level_word) == 1 \
            else ""

    @cached_property
    def flags(self) -> int:
        """What the rules that look at every mark of a cable look for (_F_*): their union
        over a cable's marks (_Facts.flags) tells most rules there is nothing to report."""
        f = 0
        if self.problems:
            f |= _F_PROBLEMS
        if "/" in self.seps:
            f |= _F_SLASH
        if "//" in self.seps:
            f |= _F_DSLASH
        if self.rel is not None and self.noforn:
            f |= _F_NF_REL
        if self.rel_problems:
            f |= _F_REL_PROBLEMS
        if self.noforn:
            f |= _F_NOFORN
        if self.sbu:
            f |= _F_SBU
        if self.level is None:
            f |= _F_NO_LEVEL
            return f
        f |= _F_LEVEL << self.level
        if self.level > Level.U:
            if "FOUO" in self.controls:
                f |= _F_FOUO_CLASSIFIED
            if "SBU" in self.controls:
                f |= _F_SBU_CLASSIFIED
        return f


# what a reading holds (_Reading.flags): C202 form, C202 separators, C207, C208, C210, C211,
# C206, no level (_Facts.levelled), C213
_F_PROBLEMS, _F_SLASH, _F_DSLASH, _F_NF_REL, _F_REL_PROBLEMS = 1, 2, 4, 8, 16
_F_FOUO_CLASSIFIED, _F_SBU_CLASSIFIED, _F_NOFORN, _F_NO_LEVEL, _F_SBU = 32, 64, 128, 256, 512
# and, in the highest bits, its level: _F_LEVEL << level (bits 10 to 13), so that
# ``flags >> (_LEVEL_BIT + n)`` is not 0 when a mark of the cable is at level n or above
_LEVEL_BIT = 10
_F_LEVEL = 1 << _LEVEL_BIT


def _rel_codes(body: str) -> tuple[tuple[str, ...], bool]:
    """The codes of a REL list body ("USA, GBR", "NATO/AUS", "NATO and AUS"); and
    whether they are separated by anything but commas."""
    odd = bool(re.search(r"/|\band\b|\bAND\b", body))
    items = [i.strip() for i in re.split(r",|/|\s+(?:and|AND)\s+", body)]
    return tuple(" ".join(i.split()) for i in items if i), odd


def _rel_fix(codes: tuple[str, ...]) -> str:
    """The list written right, as far as it can be told: "REL TO USA, GBR"."""
    out = ["USA"]
    for c in codes:
        code = _CODE_HINTS.get(c.upper(), c.upper())
        if code not in out:
            out.append(code)
    return "REL TO " + ", ".join(out)


def _judge_rel(keyword: str, to: str | None, codes: tuple[str, ...], odd: bool) -> list[str]:
    out: list[str] = []
    if not to or keyword.upper() != "REL":
        out.append(f"write REL TO, not {keyword}{to or ''}")
    elif keyword != keyword.upper() or to != to.upper():
        out.append("write REL TO in capitals")
    if not codes:
        return out + ["it names no country"]
    if codes[0].upper() != "USA":
        out.append("USA must come first")
    if len({c.upper() for c in codes} - {"USA"}) < 1:
        out.append("it must name at least one country besides USA")
    bad = [c for c in codes if c not in _TRIGRAPHS and c not in _TETRAGRAPHS]
    if bad:
        hints = [f"{c} ({_CODE_HINTS[c.upper()]})" if c.upper() in _CODE_HINTS else c for c in bad]
        out.append("not a country trigraph or registered tetragraph: " + ", ".join(hints))
    dups = sorted({c for c in codes if codes.count(c) > 1})
    if dups:
        out.append("repeated: " + ", ".join(dups))
    if odd:
        out.append("separate the codes with commas")
    return out


@lru_cache(maxsize=4096)
def _read_mark(text: str) -> _Reading:
    """Read a portion mark such as ``(S//NF)``, ``(C/REL UK)``, ``(c)``, ``C)``."""
    problems: list[str] = []
    if text.startswith("(") and text.endswith(")"):
        start, inner = 1, text[1:-1]
    elif text.endswith(")"):
        start, inner = 0, text[:-1]
        problems.append("the opening parenthesis is missing")
    else:
        start, inner = 1, text[1:]
        problems.append("the closing parenthesis is missing")
    m = _ENTIRE.search(inner)
    if m and m.start() > 0:  # "(C - ENTIRE TEXT)": the old whole-text form
        inner = inner[:m.start()]
    head = _HEAD.match(inner)
    if head is None and inner.lstrip().startswith("/"):
        return _Reading(None, "", (), (), None, None, (), ("the level is missing",))
    if head is None:
        word = inner.strip().split("/")[0].split("-")[0].strip()
        return _Reading(None, word, (), (), None, None, (),
                        (f"'{word}' is not a classification level (U, SBU, C, S, TS)",))
    level_word = " ".join(head.group(1).split())
    abbr = _LEVEL_WORDS.get(level_word.upper(), level_word.upper())
    level = _LEVEL_ABBR[abbr]
    if level_word.upper() in _LEVEL_WORDS:
        problems.append(f"write the level as ({abbr}), not {level_word}")
    elif level_word != level_word.upper():
        problems.append(f"write the level in capitals ({abbr.upper()})")
    controls: list[str] = []
    seps: list[str] = []
    rel: tuple[str, ...] | None = None
    rel_range = None
    rel_problems: tuple[str, ...] = ()
    pos = head.end()
    while inner[pos:].strip():
        sep = _SEP.match(inner, pos)
        if sep is not None:
            if sep.group(1) == "-":
                problems.append("'-' is no separator (write //)")
            else:
                seps.append(sep.group(1))
            pos = sep.end()
            if not inner[pos:].strip():
                problems.append("a separator ends the mark")
                break
        else:
            rest = inner[pos:]
            pos += len(rest) - len(rest.lstrip())
            word = _WORD.match(inner, pos)
            if word is None or pos == head.end() and not rest[:1].isspace():
                problems.append(f"unexpected '{rest.strip()}'")
                break
            problems.append(f"no separator before {word.group()} (write //)")
        relm = _REL.match(inner, pos)
        if relm:
            end = inner.find("//", pos)
            end = len(inner) if end < 0 else end
            part = inner[relm.end():end]
            tail = re.search(r"\s*/\s*(NF|NOFORN)\s*$", part)
            if tail:
                part = part[:tail.start()]
            codes, odd = _rel_codes(part)
            rel = codes
            rel_range = (start + pos, start + relm.end() + len(part.rstrip()))
            rel_problems = tuple(_judge_rel(relm.group(1), relm.group(2), codes, odd))
            if tail:
                controls.append("NF")
            pos = end
            continue
        word = _WORD.match(inner, pos)
        if word is None:
            problems.append(f"unexpected '{inner[pos:].strip()}'")
            break
        w = word.group()
        canon = _CONTROLS.get(w.upper())
        if canon is None:
            problems.append(f"'{w}' is not a known control (NF, REL TO, FOUO)")
        else:
            if w != w.upper():
                problems.append(f"write {w} in capitals")
            controls.append(canon)
        pos = word.end()
    return _Reading(level, level_word, tuple(controls), tuple(seps), rel, rel_range,
                    rel_problems, tuple(problems))


class _Mark(namedtuple("_Mark", "text span kind reading paragraph", defaults=(None,))):
    """A portion mark in the cable: where it stands and what it says.

    ``text`` (str), ``span`` (Span), ``kind`` ("paragraph", "subject", "text"),
    ``reading`` (_Reading) and ``paragraph`` (Paragraph or None). (A named tuple made
    by collections, not typing: importing typing is some 3 ms of a one-file run.)"""

    __slots__ = ()

    @property
    def where(self) -> str:
        """For messages: "paragraph 3", "the SUBJECT line", "unnumbered text"."""
        if self.kind == "paragraph":
            return f"paragraph {self.paragraph.number}"  # type: ignore[union-attr]
        return "the SUBJECT line" if self.kind == "subject" else "unnumbered text"

    @property
    def level(self) -> Level | None:
        return self.reading.level

    @property
    def rel_span(self) -> Span:
        if self.reading.rel_range is None:
            return self.span
        a, b = self.reading.rel_range
        return Span(self.span.start + a, self.span.start + b)


#: ``_new_mark(_Mark, (text, span, kind, reading, paragraph))`` is ``_Mark(...)`` without
#: the Python-level __new__ of the named tuple (a mark is made for every marked paragraph)
_new_mark = tuple.__new__


# a mark-like group opening a paragraph the grammar did not take as a mark
_HEAD_PAREN = kept.compile(r"\(([^()]{1,160})\)")
_HEAD_NOPAREN = kept.compile(r"(?:TS|S|C|U|SBU)(?://?(?:NF|NOFORN|FOUO))?\)")
# "(C XXXXXXXXXXXX said ...": the closing parenthesis lost
_HEAD_UNCLOSED = kept.compile(r"\((?:TS|S|C|U|SBU)(?://?NF)?(?= +[A-Z])(?![^()\n]{0,40}\))")
# "(/Rel UK)": the level lost
_HEAD_NOLEVEL = kept.compile(r"\( *//?[^()\n]{1,60}\)")
_MARKLIKE_INNER = kept.compile(
    r"\s*(?:SENSITIVE\s+BUT\s+UNCLASSIFIED|TOP\s+SECRET|SECRET|CONFIDENTIAL|UNCLASSIFIED|UNCLAS|"
    r"SBU-NF|SBU|LOU|TS|S|C|U)"
    r"(?:\s*$|\s*(?://?|-)\s*[A-Za-z][A-Za-z\s,/.-]*$"
    r"|\s+(?:NF|NOFORN|FOUO|REL\b.*|ENTIRE\b.*)$|\s*--.*$)",
    re.I | re.S)
#: what a match of _HEAD_PAREN, _HEAD_NOPAREN, _HEAD_UNCLOSED or _HEAD_NOLEVEL starts
#: with ("SBU" with "S"): _read_head_mark tries them only on such a head
_HEAD_FIRSTS = ("(", "TS", "S", "C", "U")
# a two-letter garble of a level: "(SE)", "(CN)", "(SB)"; not a topic such as "(UN)"
_GARBLED = kept.compile(r"\(((?:TS|S|C|U)NF|[CSTU][A-Z])\)")
_NOT_GARBLED = {"UN", "US", "UK", "CT", "SA", "SC", "SG", "TV", "UA", "UE"}


# One-entry caches per cable: [(cable, value)], the cable kept and compared with 'is'
# (never hashed: a Cable is a large frozen dataclass); the pair is replaced whole.
_head_memo: list = [(None, {})]


def _head_mark(cable: Cable, p: Paragraph) -> tuple[str, Span] | None:
    """A mark-like group right after a paragraph number that the grammar did not read."""
    # read once per paragraph of the cable: C201, C202 and C204 all ask
    memo = _head_memo[0]
    if memo[0] is not cable:
        memo = _head_memo[0] = (cable, {})
    hit = memo[1].get(id(p))
    if hit is not None and hit[0] is p:  # the paragraph itself is kept: its id stays its own
        return hit[1]
    found = _read_head_mark(cable, p)
    memo[1][id(p)] = (p, found)
    return found


def _read_head_mark(cable: Cable, p: Paragraph) -> tuple[str, Span] | None:
    text = cable.source.text
    pos = p.number_span.end
    end = p.span.end
    while pos < end and text[pos] in " \t":
        pos += 1
    head = text[pos:min(end, pos + 170)]
    if not head.startswith(_HEAD_FIRSTS):
        return None  # (most paragraphs without a mark: their text starts at once)
    m = _HEAD_PAREN.match(head)
    if m and _MARKLIKE_INNER.match(m.group(1)):
        return m.group(), Span(pos, pos + m.end())
    if m and _GARBLED.fullmatch(m.group()):
        return m.group(), Span(pos, pos + m.end())
    for pat in (_HEAD_NOPAREN, _HEAD_UNCLOSED, _HEAD_NOLEVEL):
        m = pat.match(head)
        if m:
            return m.group(), Span(pos, pos + m.end())
    return None


#: the neighbour letters of the single-letter levels (C, S, U)
_NEAR = {"C": "BD", "S": "RT", "U": "TV"}
_NEAR_LETTERS = frozenset("BDRTVbdrtv")
#: what may stand before a list letter at a line start (see the patterns of _list_letter)
_LINE_HEAD = kept.compile(r"[ \t]*(?:\d{1,3} ?[.)][ \t]*)?\(?")
#: what a non-empty match of _LINE_HEAD starts with
_HEAD_FIRST = frozenset(" \t(0123456789")
_PAREN_LETTER = kept.compile(r"\(([BDRTVbdrtv])\)")


def _line_letters(text: str, start: int = 0) -> list[tuple[int, int, str]]:
    """(line start, offset, letter) of each neighbour letter that opens a line, as the
    pattern of _list_letter finds them: after _LINE_HEAD, followed by ")"; of the lines
    from ``start`` on (a line start: each line is read on its own).

    Found from the ")" after the letter: a line's head holds no letter, so only the
    first letter-and-")" of a line can be one, and each line is read once."""
    hits: list[tuple[int, int, str]] = []
    find, rfind = text.find, text.rfind
    near = _NEAR_LETTERS
    q = find(")", start + 1)  # (a ")" at a line start follows no letter)
    while q >= 0:
        if text[q - 1] in near:
            at = q - 1
            # the line's start: past the line of the last letter read, a newline stands
            # between it and this one (or this is the first line read)
            line_start = rfind("\n", 0, at) + 1
            # a head opens with a blank, "(" or a digit (\d: isdecimal), or is empty: the
            # regex is not tried on a line of prose ("Classified By: ... 1.4 (b) and (d)")
            if (line_start == at or text[line_start] in _HEAD_FIRST
                    or text[line_start].isdecimal()) \
                    and _LINE_HEAD.fullmatch(text, line_start, at):
                hits.append((line_start, at, text[at].upper()))
            q = find("\n", q)  # no later letter of this line opens it
            if q < 0:
                break
        q = find(")", q + 1)
    return hits


#: what _line_letters_of finds in a text with no neighbour letter opening a line (most
#: cables): shared, never changed
_NO_LINE_LETTERS: dict[str, tuple[list[int], list[int]]] = {up: ([], []) for up in _NEAR}


def _skip(cable: Cable) -> Span:
    """Where no list letter counts: the Classified By line ("1.4 (b) and (d)")."""
    return cable.classified_by.span if cable.classified_by is not None else Span(0, 0)


@per_cable
def _line_letters_of(cable: Cable) -> dict[str, tuple[list[int], list[int]]]:
    """Per single-letter level (C, S, U): (line starts, offsets) of the neighbour letters
    opening a line, in text order, outside the Classified By line; once per cable."""
    return _letters_by_level(cable, 0)


@per_cable
def _body_line_letters_of(cable: Cable) -> dict[str, tuple[list[int], list[int]]]:
    """:func:`_line_letters_of` of the lines from the first paragraph's on: all that a
    paragraph's mark looks at (its window starts at the first paragraph), without the
    header's "REF: (A) ... (B)" lists read."""
    text = cable.source.text
    paras = cable.paragraphs
    start = text.rfind("\n", 0, paras[0].span.start) + 1 if paras else 0
    return _letters_by_level(cable, start)


def _letters_by_level(cable: Cable, start: int) -> dict[str, tuple[list[int], list[int]]]:
    hits = _line_letters(cable.source.text, start)
    if hits:
        skip = _skip(cable)
        hits = [h for h in hits if not skip.start <= h[1] < skip.end]
    if not hits:
        return _NO_LINE_LETTERS
    found = {}
    for up, near in _NEAR.items():
        mine = [h for h in hits if h[2] in near]
        found[up] = ([h[0] for h in mine], [h[1] for h in mine])
    return found


@per_cable
def _paren_letters_of(cable: Cable) -> dict[str, list[int]]:
    """Per single-letter level: offsets of the neighbour letters written "(B)" anywhere,
    in text order, outside the Classified By line; once per cable."""
    skip = _skip(cable)
    hits = [(m.start(1), m.group(1).upper()) for m in _PAREN_LETTER.finditer(cable.source.text)
            if not skip.start <= m.start(1) < skip.end]
    found = {up: [at for at, ch in hits if ch in near] for up, near in _NEAR.items()}
    return found


def _list_letter(cable: Cable, span: Span, letter: str, anywhere: bool = False) -> bool:
    """A single-letter "mark" that is a letter of a lettered list: (B) or (D) near it.

    A neighbour letter counts at a line start (after a paragraph number or not), in
    the body for a paragraph's mark; ``anywhere`` (unnumbered text, REF lists) also
    counts one written inside a line close by. Letters of the Classified By reason
    ("1.4 (b) and (d)") never count.
    """
    if len(letter) != 1 or not letter.isalpha():
        return False
    up = letter.upper()
    if up in _NEAR:
        # the letters of the whole text, found once per cable; in text order, so the
        # first one at or after a window's start is the only one to check (a paragraph's
        # window starts at the first paragraph: the letters from its line on will do)
        body = not anywhere and cable.paragraphs
        starts, offsets = (_body_line_letters_of if body else _line_letters_of)(cable)[up]
        text = cable.source.text
        if starts:
            lo, hi = max(0, span.start - 4000), min(len(text), span.end + 4000)
            if body:
                lo = max(lo, cable.paragraphs[0].span.start)
            i = bisect_left(starts, lo)  # a match starts at its line start, ends after ")"
            if i < len(offsets) and offsets[i] + 2 <= hi:
                return True
        if anywhere:
            paren = _paren_letters_of(cable)[up]
            if paren:
                a, b = max(0, span.start - 400), min(len(text), span.end + 400)
                i = bisect_left(paren, a + 1)  # "(" before the letter, ")" after it
                if i < len(paren) and paren[i] + 2 <= b:
                    return True
        return False
    text = cable.source.text
    skip = _skip(cable)
    lo, hi = max(0, span.start - 4000), min(len(text), span.end + 4000)
    if not anywhere and cable.paragraphs:
        lo = max(lo, cable.paragraphs[0].span.start)
    near = "|".join({chr(ord(up) - 1), chr(ord(up) + 1)})
    pats = [(kept.compile(r"(?m)^[ \t]*(?:\d{1,3} ?[.)][ \t]*)?\(?(" + near + r")\)", re.I), lo, hi)]
    if anywhere:
        pats.append((kept.compile(r"\((" + near + r")\)", re.I),
                     max(0, span.start - 400), min(len(text), span.end + 400)))
    for pat, a, b in pats:
        for m in pat.finditer(text, a, b):
            if not skip.start <= m.start(1) < skip.end:
                return True
    return False




@lru_cache(maxsize=4096)
def _squeezed(text: str) -> str:
    """``text`` with each run of blanks one space, ends stripped; once per mark text."""
    return " ".join(text.split())


_SPAN_START = attrgetter("span.start")
_MARKING = attrgetter("marking")
#: a mark's level (_Mark.level), without the property
_READING_LEVEL = attrgetter("reading.level")

#: what _read_marks asks of a paragraph's mark text, by the text: (its reading, the text
#: squeezed, the single-letter level, the level, the reading's flags); one dict look-up
#: per paragraph in place of four cached calls. Cleared when full (as the lru caches
#: behind it evict).
_PARA_INFO: dict[str, tuple[_Reading, str, str, Level | None, int]] = {}


def _para_info(text: str) -> tuple[_Reading, str, str, Level | None, int]:
    if len(_PARA_INFO) >= 4096:
        _PARA_INFO.clear()
    reading = _read_mark(text)
    info = _PARA_INFO[text] = (reading, _squeezed(text), reading.single, reading.level,
                               reading.flags)
    return info


def _read_marks(cable: Cable) -> tuple[tuple[_Mark, ...], int, bool]:
    """Every portion mark in the cable, in text order, lettered-list letters left out;
    the union of their readings' flags (_F_*); and whether every paragraph has a
    marking (``Paragraph.marking``)."""
    out: list[_Mark] = []
    all_marked = True
    source = cable.source.text
    letters = None  # the cable's list letters (see _list_letter), found at the first "(C)"
    garbled = False  # a mark without a level was taken
    flags = 0
    para_info = _PARA_INFO.get
    new_mark = _new_mark
    for p in cable.paragraphs:
        span = p.marking_span
        if p.marking is not None and span is not None:
            text = source[span.start:span.end]
        else:
            if p.marking is None:
                all_marked = False
            found = _head_mark(cable, p)
            if found is None:
                continue
            text, span = found
        info = para_info(text)
        if info is None:
            info = _para_info(text)
        reading, squeezed, single, level, mark_flags = info
        # (_list_letter is False for a level word of more than one letter, and for one
        # with no neighbour letter opening a line: most cables; then it is not called)
        if single:
            if letters is None:
                letters = _body_line_letters_of(cable)
            if letters is not _NO_LINE_LETTERS:  # (else no letter opens a line: most cables)
                near = letters.get(single)
                if (near is None or near[0]) and _list_letter(cable, span, reading.level_word):
                    continue
        if level is None:
            if not (_GARBLED.fullmatch(text.strip()) or _HEAD_NOLEVEL.fullmatch(text.strip())):
                continue
            garbled = True
        out.append(new_mark(_Mark, (squeezed, span, "paragraph", reading, p)))
        flags |= mark_flags
    s = cable.subject
    if s is not None and s.marking is not None and s.marking_span is not None:
        text = cable.text_of(s.marking_span)
        reading = _read_mark(text)
        if reading.level is not None:
            out.append(new_mark(_Mark, (text, s.marking_span, "subject", reading, None)))
            flags |= reading.flags
        elif _GARBLED.fullmatch(text.strip()):
            out.append(new_mark(_Mark, (text, s.marking_span, "subject", reading, None)))
            garbled = True
    # a garbled head ("(SE)") only counts as a mark where the cable marks its paragraphs,
    # and never when it reads as a topic ("(UN)", "(US)")
    if garbled:
        body_marks = any(m.kind == "paragraph" and m.reading.level is not None for m in out)
        out = [m for m in out if m.reading.level is not None or
               (body_marks and m.text.strip("() ").upper() not in _NOT_GARBLED)]
        flags = 0
        for m in out:
            flags |= m.reading.flags
    for blocks in (cable.header_text, cable.text_blocks):
        if not any(map(_MARKING, blocks)):
            continue  # no block opens with a mark (most cables): (a Marking is never false)
        for block in blocks:
            if block.marking is None or block.marking_span is None:
                continue
            text = cable.text_of(block.marking_span)
            reading = _read_mark(text)
            # unnumbered text opens with many parenthesised things ("(S/CT)", an office;
            # "(C-AL9-01786)", a case number): only a well-formed mark is taken for one
            if reading.level is None or not _MARKLIKE_INNER.fullmatch(text[1:-1]) \
                    or any(not p.startswith("write ") for p in reading.problems) \
                    or _list_letter(cable, block.marking_span, reading.level_word,
                                    anywhere=True):
                continue
            out.append(new_mark(_Mark, (text, block.marking_span, "text", reading, None)))
            flags |= reading.flags
    out.sort(key=_SPAN_START)
    return tuple(out), flags, all_marked


class _Facts(namedtuple("_Facts", "marks flags levelled all_marked")):
    """The marks of a cable, read once for all the C rules: ``marks``, every portion
    mark in text order (_read_marks); ``flags``, the union of their readings' flags
    (_F_*); ``levelled``, the marks with a level; ``all_marked``, whether every
    paragraph has a marking (_read_marks)."""

    __slots__ = ()


@per_cable
def _mark_facts(cable: Cable) -> _Facts:
    marks, flags, all_marked = _read_marks(cable)
    if flags & _F_NO_LEVEL:
        levelled = tuple([m for m in marks if m.reading.level is not None])
    else:
        levelled = marks  # every mark has a level (most cables)
    # _Facts(...), without the named tuple's Python-level __new__
    return tuple.__new__(_Facts, (marks, flags, levelled, all_marked))


def _marks(cable: Cable) -> tuple[_Mark, ...]:
    return _mark_facts(cable).marks


def _levelled(cable: Cable) -> tuple[_Mark, ...]:
    return _mark_facts(cable).levelled


def _para_marks(cable: Cable) -> dict[int, _Mark]:
    return {id(m.paragraph): m for m in _marks(cable) if m.paragraph is not None}


# ====================================================================== shared facts

def _banner_word(cable: Cable) -> str:
    b = cable.banner
    assert b is not None and b.level is not None
    return " ".join(b.level_text.split()) if not b.spaced else b.level.word


def _header_zone(cable: Cable) -> str:
    """The telegram text before the first numbered paragraph (banner, captions, header)."""
    text = cable.source.text
    end = cable.paragraphs[0].span.start if cable.paragraphs else len(text)
    return text[:end]


_NOFORN_WORDS = kept.compile(r"NOFORN|NOT\s+RELEASABLE\s+TO\s+FOREIGN", re.I)
_SENSITIVE_WORDS = kept.compile(r"SENSI?T|SITI?VE", re.I)


def _has_noforn(cable: Cable) -> bool:
    if cable.banner is not None and cable.banner.noforn:
        return True
    if any(b.noforn for b in cable.banner_repeats):
        return True
    if "NOFORN" in cable.caption_words:
        return True
    return bool(_NOFORN_WORDS.search(_header_zone(cable)))


def _has_sensitive(cable: Cable) -> bool:
    b = cable.banner
    if b is not None and ("SENSITIVE" in b.controls or "SENSITIVE" in b.tail.upper()):
        return True
    if any("SENSITIVE" in w for w in cable.caption_words):
        return True
    # misspelt or garbled ("SENSITVE", "...00040QSITIVE") still shows the writer's intent
    return bool(_SENSITIVE_WORDS.search(_header_zone(cable)))


_ENTIRE_TEXT = kept.compile(r"ENTIRE\s+(?:TEXT|CABLE|MESSAGE)|ALL\s+PARAGRAPHS", re.I)


@per_cable
def _entire_text(cable: Cable) -> bool:
    """A statement that the whole text carries one level ("SECRET - ENTIRE TEXT")."""
    end = cable.paragraphs[1].span.start if len(cable.paragraphs) > 1 else len(cable.source.text)
    zone = cable.source.text[:end]
    # either word must be there, in any case, before the regex can match. Upper-cased,
    # every letter that matches one of theirs regardless of case is that letter ("ſ" is
    # S, "ı" is I), but for "İ" (U+0130), which matches I and stays "İ"; so the slow
    # case-insensitive search of a whole non-ASCII zone is mostly skipped too
    up = zone.upper()
    if zone.isascii():
        found = ("ENTIRE" in up or "PARAGRAPHS" in up) and bool(_ENTIRE_TEXT.search(zone))
    else:
        found = ("ENTIRE" in up or "PARAGRAPHS" in up or "ENT\u0130RE" in up) \
            and bool(_ENTIRE_TEXT.search(zone))
    return found


_INLINE_MARK = kept.compile(r"\((?:TS|S|C|U|SBU)(?:\s*(?://?|-)\s*[^()\n]{1,60})?\)")
_ANY_MARK = kept.compile(r"\(\s*(?:TS|S|C|U|SBU|SBU-NF|TOP SECRET|SECRET|CONFIDENTIAL|UNCLASSIFIED)"
                       r"(?:\s*(?://?|-)\s*[^()\n]{1,60})?\s*\)", re.I)


def _has_mark(cable: Cable, p: Paragraph) -> bool:
    return p.marking is not None or _head_mark(cable, p) is not None


_RULE_RUN = kept.compile(r"[-=*_]{4,}")
_LOWER = kept.compile(r"[a-z]")
_SELF_MARKED = kept.compile(r"X{6}|\(\w{1,3}\)", re.I)


def _is_heading(cable: Cable, p: Paragraph) -> bool:
    """A numbered heading ("6. ---- OBJECTIVES ----", "5. TABLE OF CONTENTS")."""
    text = cable.source.text
    end = text.find("\n", p.number_span.end, p.span.end)
    first = text[p.number_span.end:p.span.end if end < 0 else end]  # the first line
    if _RULE_RUN.search(first) and len(_RULE_RUN.sub("", first).strip()) < 60:
        return True
    t = p.text.strip()
    return len(t) < 60 and not _LOWER.search(t) and not t.endswith(".")


def _unmarked(cable: Cable) -> list[Paragraph]:
    """Numbered paragraphs that are real portions and carry no mark after the number.

    Left out: paragraphs with a mark-like head (C202 judges it), numbers that break
    the running order (a number wrapped to a line start, a sub-list that restarts),
    a number another, marked, paragraph also has, a number written unlike the
    cable's own ("1)" among "1."), empty or "..." text, headings, the Classified By
    line written as paragraph 1, and text that marks its own sub-portions.
    """
    paras = cable.paragraphs
    if _mark_facts(cable).all_marked:
        return []  # every paragraph marked, or none there (most cables)
    marks = _para_marks(cable)
    text = cable.source.text
    # has a mark (the grammar's, or a mark-like head); how the number is written
    has = [p.marking is not None or id(p) in marks or _head_mark(cable, p) is not None
           for p in paras]
    style = [text[p.number_span.end - 1] for p in paras]
    marked = [p for p, h in zip(paras, has) if h]
    styles = Counter([st for st, h in zip(style, has) if h] if marked else style)
    dominant = styles.most_common(1)[0][0]
    marked_numbers = {p.number for p in marked}
    starts = [p.span.start for p in paras]
    ordered = all(a < b for a, b in pairwise(starts))
    out: list[Paragraph] = []
    last: int | None = None  # the running paragraph number
    sub: int | None = None   # the running number of a list that broke the order
    for i, p in enumerate(paras):
        if has[i]:
            last, sub = p.number, None
            continue
        if sub is not None and p.number == sub + 1:
            sub = p.number
            continue
        first = last is None and (p.number <= 2 or cable.partial or p.section > 1)
        if not first and (last is None or not (last < p.number <= last + 2)):
            sub = p.number
            continue
        last, sub = p.number, None
        body = p.text.strip()
        if ordered:  # paragraphs in text order: the next one starts the next portion
            nxt = starts[i + 1] if i + 1 < len(starts) else len(text)
        else:
            nxt = next((q.span.start for q in paras if q.span.start > p.span.start), len(text))
        if (p.number in marked_numbers or style[i] != dominant or p.classified_by is not None
                or not body.strip(" .-_*") or _is_heading(cable, p)
                or _SELF_MARKED.match(body)
                or _ANY_MARK.search(text, p.span.start, nxt)):
            continue
        out.append(p)
    return out


# ====================================================================== the rules

#: E.O. 12065 (in force 1978-12-01) made portion marking the rule; older cables lack it
_PORTION_MARKING_SINCE = _dt.date(1978, 12, 1)

@rule("C201", "portion-mark-missing", Severity.ERROR)
def portion_mark_missing(cable: Cable, ctx: Context) -> Iterable[Issue]:
    """A numbered paragraph of a classified cable has no portion mark after its number.

    Why: every portion of a classified document must show its own level, so a reader
    can quote or release one paragraph without re-reviewing the rest (32 CFR
    2001.21(c); E.O. 13526 sec. 1.6(c); in telegrams the mark follows the paragraph
    number, 5 FAH-3 H-700). A cable that marks no paragraph at all gets one diagnostic,
    at its first paragraph, not one per paragraph; a statement such as "SECRET -
    ENTIRE TEXT" marks the whole text.
    Bad:   banner CONFIDENTIAL, paragraph "2. The minister said ..."
    Good:  banner CONFIDENTIAL, paragraph "2. (C) The minister said ..."
    """
    # (a list, not a generator, as most C rules: most cables have nothing to report)
    b = cable.banner   # cable.level, without its property
    level = b.level if b is not None else None
    if level is None or level == Level.U:
        return ()
    # most cables mark every paragraph: _unmarked says so at once, and the date is then
    # not read, nor the text searched for an ENTIRE TEXT statement
    missing = _unmarked(cable)
    if not missing or _on_or_after(ctx, _PORTION_MARKING_SINCE) is False \
            or _entire_text(cable):
        return ()
    word = _banner_word(cable)
    any_mark = any(p.marking is not None or _head_mark(cable, p) for p in cable.paragraphs)
    if not any_mark:
        return [Issue(missing[0].number_span,
                      f"no paragraph of this {word} cable carries a portion mark; put the level "
                      f"of each paragraph after its number ((U), (C), (S), (TS))")]
    return [Issue(p.number_span,
                  f"paragraph {p.number} has no portion mark after its number; mark it "
                  f"(U), (C), (S) or (TS) (the banner is {word})") for p in missing]


@rule("C202", "malformed-portion-mark", Severity.ERROR)
def malformed_portion_mark(cable: Cable, ctx: Context) -> Iterable[Issue]:
    """A portion mark is malformed or unknown, or the cable mixes "/" and "//".

    Why: a portion mark is the level's abbreviation (U, SBU, C, S, TS) in capitals,
    in parentheses, with controls after "//" (NF, REL TO, FOUO; SBU-NF is the one
    hyphenated form) (32 CFR 2001.21(c), 5 FAH-3 H-700); a reader or a release tool
    that cannot read a mark cannot trust the portion. One cable writing both "/" and
    "//" between level and control is a warning. REL TO lists are C208's.
    Bad:   "3. (S-NF) The source said ...", "4. (c) ...", "5. (CN) ..."
    Good:  "3. (S//NF) The source said ...", "4. (C) ..."
    """
    facts = _mark_facts(cable)
    flags = facts.flags
    if not flags & (_F_PROBLEMS | _F_SLASH | _F_DSLASH):
        return ()  # every mark well formed, no separator (most cables)
    return _malformed(facts.marks, flags)


def _malformed(marks: tuple[_Mark, ...], flags: int) -> Iterator[Issue]:
    """C202's findings, where a mark has problems or separators (``flags``)."""
    if flags & _F_PROBLEMS:
        for m in marks:
            if m.reading.problems:
                yield Issue(m.span, f"portion mark {m.text} in {m.where} is malformed: "
                            f"{'; '.join(m.reading.problems)}")
    if flags & (_F_SLASH | _F_DSLASH) != _F_SLASH | _F_DSLASH:
        return  # one kind of separator: nothing mixed
    first: dict[str, _Mark] = {}
    for m in marks:
        for s in m.reading.seps:
            first.setdefault(s, m)
    if len(first) == 2:
        a, b = sorted(first.values(), key=lambda m: m.span.start)
        sa, sb = ("/", "//") if first["/"] is a else ("//", "/")
        yield Issue(b.span, f"portion marks mix '{sa}' ({a.text} in {a.where}) and '{sb}' "
                    f"({b.text} in {b.where}); use one separator, '//', throughout",
                    severity=Severity.WARNING)


@rule("C203", "portion-above-banner", Severity.ERROR)
def portion_above_banner(cable: Cable, ctx: Context) -> Iterable[Issue]:
    """A portion is marked above the banner.

    Why: the banner carries the highest level of any portion (32 CFR 2001.21(a);
    E.O. 13526 sec. 1.6(a)); a reader trusts it to decide how to store, send and
    release the cable, so a portion above it is under-protected. An UNCLAS banner
    over classified portions is C205's.
    Bad:   banner CONFIDENTIAL, paragraph "3. (S) ..."
    Good:  banner SECRET over "3. (S) ...", or the paragraph re-marked (C) after review
    """
    b = cable.banner   # cable.level, without its property
    level = b.level if b is not None else None
    if level is None or level == Level.U:
        return ()
    facts = _mark_facts(cable)
    if not facts.flags >> (_LEVEL_BIT + level + 1):
        return ()  # no mark above the banner's level (most cables)
    word = _banner_word(cable)
    return [Issue(m.span, f"{m.where} is marked {m.text}, above the banner {word}; raise "
                  f"the banner to {m.level.word} or re-mark the portion")
            for m in facts.levelled if m.reading.level > level]


# what r"(?m)\S\.\.\.[ \t]*$|^[ \t]*X{6,}[ \t]*$" finds, searched from its literal parts
_DOTS_AT_EOL = kept.compile(r"\.\.\.[ \t]*$", re.M)
_NON_SPACE = kept.compile(r"\S")
_X_LINE = kept.compile(r"[ \t]*X{6,}[ \t]*")


def _cut_short(text: str) -> bool:
    """A line ending in "..." after a non-blank, or a line of only X{6,} (a part withheld)."""
    if "..." in text:
        for m in _DOTS_AT_EOL.finditer(text):
            if m.start() > 0 and _NON_SPACE.match(text, m.start() - 1):
                return True
    at = text.find("XXXXXX")
    while at >= 0:
        start = text.rfind("\n", 0, at) + 1
        end = text.find("\n", at)
        end = len(text) if end < 0 else end
        if _X_LINE.fullmatch(text, start, end):
            return True
        at = text.find("XXXXXX", end)
    return False


@rule("C204", "banner-above-portions", Severity.WARNING)
def banner_above_portions(cable: Cable, ctx: Context) -> Iterable[Issue]:
    """The banner is above every portion of the cable.

    Why: the overall classification is the highest level of any portion (32 CFR
    2001.21(a)); a banner above all of them over-classifies the cable, where the order
    asks for the lower level in doubt (E.O. 13526 sec. 1.2(c)), or a portion lost its
    real mark. Judged only on complete cables
    whose paragraphs are all marked (once per cable).
    Bad:   banner SECRET, every paragraph (C) or (U)
    Good:  banner CONFIDENTIAL over (C) and (U) paragraphs
    """
    b = cable.banner
    level = b.level if b is not None else None   # cable.level
    if b is None or level is None or level == Level.U or cable.partial:
        return ()
    facts = _mark_facts(cable)
    marks = facts.levelled
    if not marks or facts.flags >> (_LEVEL_BIT + level):
        return ()  # a portion at the banner's level (most cables): nothing to check further
    if b.of is not None and len({s.section for s in cable.sections}) < b.of:
        return ()  # sections missing: the higher portion may be in one of them
    top = max(marks, key=_READING_LEVEL)
    if _entire_text(cable) or any(not _has_mark(cable, p) for p in cable.paragraphs):
        return ()  # an unmarked paragraph may be the one at the banner's level
    if _cut_short(cable.source.text):
        return ()  # cut short ("... U...") or a part withheld: the rest is not here
    numbers = [p.number for p in cable.paragraphs]
    if numbers and numbers != list(range(1, len(numbers) + 1)):
        return ()  # paragraphs missing (or a numbering S107 reports)
    # a mark written inside a paragraph ("... (S//REL TO USA, GBR) The network ...") counts;
    # the Classified By reason letters ("1.4 (b), (c)") do not
    text = cable.source.text
    cb = cable.classified_by.span if cable.classified_by is not None else Span(0, 0)
    for m in _ANY_MARK.finditer(text, b.span.end):
        if cb.start <= m.start() < cb.end and not re.search(r"\d{1,3} ?[.)]\s*$",
                                                             text[cb.start:m.start()]):
            continue
        r = _read_mark(m.group())
        if r.level is not None and r.level >= level:
            return ()
    return [Issue(b.level_span, f"banner {_banner_word(cable)} is above every portion (the "
                  f"highest is {top.text} in {top.where}); lower the banner to "
                  f"{top.level.word} or check the portion marks")]


@rule("C205", "unclassified-banner-classified-portion", Severity.ERROR)
def unclassified_banner_classified_portion(cable: Cable, ctx: Context) -> Iterable[Issue]:
    """An UNCLAS cable carries classified portions.

    Why: the banner must be at least the highest portion's level (32 CFR 2001.21(a));
    a classified portion under an UNCLAS banner travels and is released as
    unclassified, which is a spill (E.O. 13526 sec. 1.6(a)). Reported once, at the
    banner.
    Bad:   "UNCLAS SECTION 01 OF 02 TRIPOLI 000868" over "1. (S/NF) ..."
    Good:  "S E C R E T SECTION 01 OF 02 TRIPOLI 000868" over "1. (S/NF) ..."
    """
    b = cable.banner
    if b is None or b.level != Level.U:   # cable.level
        return ()
    facts = _mark_facts(cable)
    if not facts.flags >> (_LEVEL_BIT + Level.C):
        return ()  # no classified portion
    high = [m for m in facts.levelled if m.level > Level.U]
    top = max(high, key=_READING_LEVEL)
    n = len(high)
    return [Issue(b.level_span, f"banner {' '.join(b.level_text.split())} but {n} portion"
                  f"{'s are' if n > 1 else ' is'} classified (the highest {top.text} in "
                  f"{top.where}); "
                  f"classify the cable {top.level.word} or re-mark the portions")]


@rule("C206", "noforn-portion-without-banner", Severity.ERROR)
def noforn_portion_without_banner(cable: Cable, ctx: Context) -> Iterable[Issue]:
    """A NOFORN portion, but no NOFORN on the banner or the caption lines.

    Why: dissemination controls roll up: a cable holding a NOFORN portion is NOFORN as
    a whole, and the banner or captions must say so, or the whole cable may be shared
    with foreign partners (32 CFR 2001.21(a), ISOO marking booklet; NOFORN caption,
    5 FAH-2 H-440). Reported once, at the first NF portion. SBU-NF under an UNCLAS
    banner is C213's.
    Bad:   banner "S E C R E T", no NOFORN caption, paragraph "2. (S/NF) ..."
    Good:  banner "S E C R E T", caption "NOFORN", paragraph "2. (S/NF) ..."
    """
    b = cable.banner
    level = b.level if b is not None else None   # cable.level
    if b is None or level is None:
        return ()
    facts = _mark_facts(cable)
    if not facts.flags & _F_NOFORN or "NOFORN" in b.controls:
        return ()  # no NF portion, or the banner says NOFORN (b.noforn: see _has_noforn)
    nf = [m for m in facts.levelled if m.reading.noforn
          and not (level == Level.U and m.reading.sbu_level)]
    if not nf or _has_noforn(cable):
        return ()
    m = nf[0]
    return [Issue(m.span, f"{m.where} is marked {m.text} but neither the banner nor a caption "
                  f"says NOFORN; add the NOFORN caption (or mark the banner //NOFORN)")]


@rule("C207", "noforn-with-rel-to", Severity.ERROR)
def noforn_with_rel_to(cable: Cable, ctx: Context) -> Iterable[Issue]:
    """NOFORN and REL TO on one portion or on the banner.

    Why: NOFORN forbids release to any foreign national and REL TO permits release to
    named countries; one marking cannot say both (ISOO marking booklet; the CAPCO
    register lists them as exclusive).
    Bad:   "(S//REL TO USA, GBR//NF)"
    Good:  "(S//NF)", or "(S//REL TO USA, GBR)" where release is intended
    """
    b = cable.banner
    facts = _mark_facts(cable)
    banner = b is not None and "NOFORN" in b.controls and "REL TO" in b.controls  # b.noforn
    if not banner and not facts.flags & _F_NF_REL:
        return ()  # (most cables)
    out = []
    if banner:
        out.append(Issue(b.span, "the banner says both NOFORN and REL TO; keep one of them"))
    if facts.flags & _F_NF_REL:
        out += [Issue(m.span, f"portion mark {m.text} in {m.where} says both NOFORN and REL TO; "
                      f"keep one of them")
                for m in facts.marks if m.reading.noforn and m.reading.rel is not None]
    return out


@rule("C208", "malformed-rel-to", Severity.ERROR)
def malformed_rel_to(cable: Cable, ctx: Context) -> Iterable[Issue]:
    """A REL TO list is malformed.

    Why: a REL TO list names who may receive the text: "REL TO" then USA first, then
    at least one more country as an ISO 3166 trigraph or a registered tetragraph
    (NATO, FVEY), comma-separated, no repeats (ISOO marking booklet, CAPCO register);
    a list a release officer cannot read is not a release decision.
    Bad:   "(C/REL UK)", "(S//REL TO NATO/AUS)", "(S/Rel China)"
    Good:  "(C//REL TO USA, GBR)", "(S//REL TO USA, NATO, AUS)"
    """
    b = cable.banner
    facts = _mark_facts(cable)
    banner = b is not None and "REL TO" in b.controls
    if not banner and not facts.flags & _F_REL_PROBLEMS:
        return ()  # (most cables)
    out = []
    if banner:
        i = b.controls.index("REL TO")
        codes = b.rel_to
        problems = _judge_rel("REL", "TO", codes, False)
        if problems:
            out.append(Issue(b.control_spans[i], f"the banner's REL TO list is malformed: "
                             f"{'; '.join(problems)}; write {_rel_fix(codes)}"))
    if facts.flags & _F_REL_PROBLEMS:
        out += [Issue(m.rel_span, f"REL TO list of {' '.join(m.text.split())} in {m.where} is "
                      f"malformed: {'; '.join(m.reading.rel_problems)}; write "
                      f"{_rel_fix(m.reading.rel or ())}")
                for m in facts.marks if m.reading.rel_problems]
    return out


@rule("C209", "rel-to-roll-up", Severity.ERROR)
def rel_to_roll_up(cable: Cable, ctx: Context) -> Iterable[Issue]:
    """The banner's REL TO does not roll up from the portions.

    Why: the banner may say REL TO only if every classified portion is releasable, and
    only to the countries every such portion names (the intersection of their lists)
    (ISOO marking booklet, CAPCO register; roll-up as 32 CFR 2001.21(a) does for the
    level). Reported once, at the banner's REL TO.
    Bad:   banner "SECRET//REL TO USA, GBR, AUS", portions (S//REL TO USA, GBR) and (S)
    Good:  banner "SECRET//REL TO USA, GBR" over (S//REL TO USA, GBR) and (C//REL TO USA, GBR, AUS)
    """
    b = cable.banner
    if b is None or "REL TO" not in b.controls:
        return ()  # (most cables)
    return _roll_up(cable, b)


def _roll_up(cable: Cable, b: Banner) -> Iterator[Issue]:
    """C209's findings, for a banner with REL TO."""
    span = b.control_spans[b.controls.index("REL TO")]
    classified = [m for m in _levelled(cable) if m.level > Level.U]
    if not classified:
        return
    plain = [m for m in classified if m.reading.rel is None]
    if plain:
        m = plain[0]
        yield Issue(span, f"the banner says REL TO but {m.where} ({m.text}) is not releasable; "
                    f"drop REL TO from the banner or mark that portion REL TO")
        return
    common = set.intersection(*({c.upper() for c in m.reading.rel} for m in classified))
    banner = {c.upper() for c in b.rel_to}
    if banner != common:
        want = ", ".join(["USA"] + sorted(common - {"USA"})) if common else "(none)"
        yield Issue(span, f"the banner's REL TO list {', '.join(b.rel_to)} is not the "
                    f"intersection of the portions' lists ({want}); write REL TO {want}")


@rule("C210", "fouo-on-classified", Severity.ERROR)
def fouo_on_classified(cable: Cable, ctx: Context) -> Iterable[Issue]:
    """FOUO on a classified portion or banner.

    Why: FOR OFFICIAL USE ONLY marks unclassified information only; on classified
    text it is meaningless and confuses the handling rules (ISOO marking booklet;
    32 CFR 2001.21: classified text carries its level, not FOUO).
    Bad:   "(C//FOUO)", banner "SECRET//FOUO"
    Good:  "(U//FOUO)", "(C)"
    """
    b = cable.banner
    level = b.level if b is not None else None   # cable.level
    facts = _mark_facts(cable)
    banner = level is not None and level > Level.U and b.controls
    if not banner and not facts.flags & _F_FOUO_CLASSIFIED:
        return ()  # (most cables)
    out = []
    if banner:
        for word, span in zip(b.controls, b.control_spans):
            if word in ("FOUO", "FOR OFFICIAL USE ONLY"):
                out.append(Issue(span, f"the {_banner_word(cable)} banner carries {word}, which "
                                 f"only unclassified text may carry; remove it"))
    if facts.flags & _F_FOUO_CLASSIFIED:
        out += [Issue(m.span, f"portion mark {m.text} in {m.where} puts FOUO on a classified "
                      f"portion; remove FOUO")
                for m in facts.levelled
                if "FOUO" in m.reading.controls and m.reading.level > Level.U]
    return out


@rule("C211", "sbu-on-classified", Severity.ERROR)
def sbu_on_classified(cable: Cable, ctx: Context) -> Iterable[Issue]:
    """SBU attached to a classified portion.

    Why: SENSITIVE BUT UNCLASSIFIED is a level of unclassified information (12 FAM
    540); a classified portion is already protected by its level, and "(C/SBU)" says
    two contradicting things (32 CFR 2001.21(c)).
    Bad:   "(C/SBU)"
    Good:  "(C)", or "(SBU)" for unclassified sensitive text
    """
    facts = _mark_facts(cable)
    if not facts.flags & _F_SBU_CLASSIFIED:
        return ()  # (most cables)
    return [Issue(m.span, f"portion mark {m.text} in {m.where} attaches SBU to a classified "
                  f"level; mark it ({m.level.name}) alone")
            for m in facts.levelled if "SBU" in m.reading.controls and m.reading.level > Level.U]


_BANNER_GAP = kept.compile(r"[ \t/-]*")
_INVENTED = kept.compile(
    r"(?:RESTRICTED|PRIVATE|CODEWORD|HIGHLY|STRICTLY|CLASSIFIED|"
    r"ADMINISTRATIVELY|AGENCY|INTERNAL|COMPANY|SENSITIVE|SPECIAL|VERY)(?![A-Za-z])")


@rule("C212", "invented-banner-term", Severity.ERROR)
def invented_banner_term(cable: Cable, ctx: Context) -> Iterable[Issue]:
    """The banner joins a level with a compound or invented term.

    Why: the classification line carries one of the three levels of E.O. 13526
    sec. 1.2 (or UNCLASSIFIED, LIMITED OFFICIAL USE) and registered controls; terms
    such as "SECRET SENSITIVE" or "TOP SECRET EYES ONLY" are no marking, and
    SENSITIVE belongs to unclassified text only (32 CFR 2001.21(a), 5 FAH-2 H-440).
    Bad:   "SECRET SENSITIVE STATE 012345"
    Good:  "SECRET STATE 012345", "UNCLAS SENSITIVE STATE 012345"
    """
    b = cable.banner
    if b is None or b.level is None:
        return ()
    if b.level > Level.U and "SENSITIVE" in b.controls:
        word = " ".join(b.level_text.split())
        span = b.control_spans[b.controls.index("SENSITIVE")]
        return [Issue(Span(b.level_span.start, span.end),
                      f"banner joins {word} with SENSITIVE, which marks unclassified text only; "
                      f"write {word} alone")]
    # an invented word right after the level: read into the post ("SECRET EYES ONLY
    # PARIS 001234") or left as the tail ("TOP SECRET CODEWORD")
    text = cable.source.text
    after = b.level_span.end
    if b.control_spans:
        after = b.control_spans[-1].end
    m = _BANNER_GAP.match(text, after, b.span.end)  # (no match only past the banner's end)
    pos = after if m is None else m.end()
    inv = _INVENTED.match(text, pos, b.span.end)
    if inv and not (b.level == Level.U and inv.group().startswith("SENSITIVE")) \
            and not text.startswith("SPECIAL HANDLING", pos):
        word = " ".join(b.level_text.split())
        return [Issue(Span(b.level_span.start, inv.end()),
                      f"banner joins {word} with {' '.join(inv.group().split())}, which is no "
                      f"classification marking; write {word} alone and use a registered "
                      f"caption")]
    return ()


@rule("C213", "sbu-without-sensitive", Severity.WARNING)
def sbu_without_sensitive(cable: Cable, ctx: Context) -> Iterable[Issue]:
    """UNCLAS cable with SBU portions but no SENSITIVE caption, or SBU-NF without NOFORN.

    Why: a telegram holding Sensitive But Unclassified text is captioned SENSITIVE so
    that it is not posted or sent outside the Department's systems (12 FAM 540,
    5 FAH-2 H-440); SBU-NF text also needs the NOFORN caption. Each is reported once,
    at the first portion concerned.
    Bad:   "UNCLAS STATE 012345" over "1. (SBU) ..." with no SENSITIVE caption
    Good:  "UNCLAS SENSITIVE STATE 012345", or a "SENSITIVE" caption line, over "1. (SBU) ..."
    """
    b = cable.banner
    if b is None or b.level != Level.U or "OFFICIAL" in b.level_text.upper():   # cable.level
        return ()
    facts = _mark_facts(cable)
    if not facts.flags & _F_SBU:
        return ()  # no SBU portion (most UNCLAS cables)
    return _sbu_captions(cable, facts.levelled)


def _sbu_captions(cable: Cable, marks: tuple[_Mark, ...]) -> Iterator[Issue]:
    """C213's findings, for a cable with SBU portions."""
    sbu = [m for m in marks if m.reading.sbu]
    if sbu and not _has_sensitive(cable):
        m = sbu[0]
        yield Issue(m.span, f"{m.where} is marked {m.text} but the cable has no SENSITIVE caption; "
                    f"write UNCLAS SENSITIVE or add a SENSITIVE caption line")
    nf = [m for m in sbu if m.reading.noforn]
    if nf and not _has_noforn(cable):
        m = nf[0]
        yield Issue(m.span, f"{m.where} is marked {m.text} but no caption says NOFORN; add the "
                    f"NOFORN caption")


_TRAILING_MARK = kept.compile(r"\(\s*(?:TS|S|C|U|SBU)(?:\s*//?\s*[^()\n]{1,40})?\s*\)\s*\.?\s*$",
                            re.I)


@rule("C215", "subject-not-marked", Severity.INFO)
def subject_not_marked(cable: Cable, ctx: Context) -> Iterable[Issue]:
    """The SUBJECT line of a classified cable carries no portion mark.

    Why: the subject is a portion and is quoted on its own in indexes and replies;
    marking it lets it be handled, and released, apart from the body (E.O. 13526
    sec. 1.6(c) and 32 CFR 2001.21(c): subjects and titles are portions; 5 FAH-3 H-700).
    Bad:   banner CONFIDENTIAL, "SUBJECT: ELECTIONS IN PARIS"
    Good:  banner CONFIDENTIAL, "SUBJECT: (U) ELECTIONS IN PARIS"
    """
    s = cable.subject
    b = cable.banner
    level = b.level if b is not None else None   # cable.level
    if s is None or level is None or level == Level.U or s.marking is not None:
        return ()
    if _on_or_after(ctx, _PORTION_MARKING_SINCE) is False:
        return ()
    subject = s.text
    # (both marks open with "(": most subjects hold none)
    if "(" in subject and (_TRAILING_MARK.search(subject) or _ANY_MARK.match(subject)):
        return ()
    text = cable.source.text
    end = text.find("\n", s.span.start)
    end = s.span.end if end < 0 or end > s.span.end else end
    return [Issue(Span(s.span.start, end), "the SUBJECT line carries no portion mark; put one "
                  "after SUBJECT: ((U) for an unclassified subject)")]


_LOU_RETIRED = _dt.date(1995, 10, 1)


@rule("C218", "limited-official-use-after-1995", Severity.ERROR)
def limited_official_use_after_1995(cable: Cable, ctx: Context) -> Iterable[Issue]:
    """LIMITED OFFICIAL USE classification line on a cable of 1995-10-01 or later.

    Why: the Department retired LIMITED OFFICIAL USE as a telegram classification
    when E.O. 12958 took effect in October 1995; sensitive unclassified text has
    been marked SBU (UNCLAS SENSITIVE) since (12 FAM 540, 5 FAH-2 H-440). Needs
    the cable's date; silent when it is unknown.
    Bad:   a cable of 2005 headed "LIMITED OFFICIAL USE PARIS 001234"
    Good:  "UNCLAS SENSITIVE PARIS 001234", or LIMITED OFFICIAL USE on a cable of 1990
    """
    b = cable.banner
    if b is None or "".join(b.level_text.split()).upper() != "LIMITEDOFFICIALUSE":
        return ()
    if _on_or_after(ctx, _LOU_RETIRED) is True:
        return [Issue(b.level_span, "LIMITED OFFICIAL USE is no classification after October "
                      "1995; write UNCLAS SENSITIVE and mark the portions (SBU)")]
    return ()
