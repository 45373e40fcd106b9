"""T: TAGS, SUBJECT, REF.

The TAGS line is read item by item (``cable.tags.items``) and each item is given one
role, so that a fault is reported once, by one rule: a known tag (subject, program,
geographic, organisation), a personal name (parenthesised, or the words right after
``OVIP``/``OEXC``/...), several tags run together (``ECONEFIN``), free text (``HUMAN
RIGHTS``) or an unknown code. Items after a header keyword that an export glued onto
the TAGS line (``UK SUBJECT: ...``) are not tags and are not judged here.

The REF list is read from its element's text: lettered items (``A.``, ``(A)``,
``A)``), each a telegram reference ``[YY] POST serial`` or free text (e-mails,
telcons, memos). The reference lists (subject, organisation, geographic tags and
posts) ship in :mod:`markcheck.refdata`; this module adds what the catalogue needs
beside them: the FIPS 10-4 country codes (State's geographic TAGS are FIPS codes, so
a valid code is not an error because no sample cable used it), regional ``X``/``Z``
codes, and the ISO codes writers put by mistake.
"""

from __future__ import annotations

import datetime as _dt
import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from .. import kept, refdata
from ..diagnostics import Severity
from ..model import Cable, Span, Tag
from . import Context, Issue, matches_at, per_cable, rule
from .structure import _keyed

# ====================================================================== reference data

#: FIPS 10-4 country codes (the geographic TAGS), with codes of the Cablegate era that
#: were later withdrawn: NT Netherlands Antilles, YI Serbia and Montenegro, RB Serbia,
#: MW Montenegro, UR USSR, YO Yugoslavia, TC United Arab Emirates (old), GE/GC Germany.
_FIPS = frozenset("""
AA AC AE AF AG AJ AL AM AN AO AQ AR AS AT AU AV AX AY BA BB BC BD BE BF BG BH BK BL BM
BN BO BP BQ BR BS BT BU BV BX BY CA CB CD CE CF CG CH CI CJ CK CM CN CO CQ CR CS CT CU
CV CW CY DA DJ DO DQ DR DX EC EG EI EK EN ER ES ET EU EZ FG FI FJ FK FM FO FP FQ FR FS
GA GB GG GH GI GJ GK GL GM GO GP GQ GR GT GV GY GZ HA HK HM HO HQ HR HU IC ID IM IN IO
IP IR IS IT IV IZ JA JE JM JN JO JQ JU KE KG KN KQ KR KS KT KU KV KZ LA LE LG LH LI LO
LQ LS LT LU LY MA MB MC MD MF MG MH MI MJ MK ML MN MO MP MQ MR MT MU MV MX MY MZ NC NE
NF NG NH NI NL NN NO NP NR NS NU NZ OD PA PC PE PF PG PJ PK PL PM PO PP PS PU QA RE RI
RM RN RO RP RQ RS RW SA SB SC SE SF SG SH SI SL SM SN SO SP ST SU SV SW SX SY SZ TB TD
TE TH TI TK TL TN TO TP TS TT TU TV TW TX TZ UC UG UK UP US UV UY UZ VC VE VI VM VQ VT
WA WE WF WI WQ WS WZ YM ZA ZI
NT YI RB MW UR YO TC GE GC
""".split())

#: ISO 3166 codes that are not FIPS codes, written by mistake for the FIPS one
_ISO_TO_FIPS = {
    "AD": ("AN", "Andorra"), "AI": ("AV", "Anguilla"), "AW": ("AA", "Aruba"),
    "AZ": ("AJ", "Azerbaijan"), "BI": ("BY", "Burundi"), "BJ": ("BN", "Benin"),
    "BW": ("BC", "Botswana"), "BZ": ("BH", "Belize"), "CL": ("CI", "Chile"),
    "CZ": ("EZ", "the Czech Republic"), "DE": ("GM", "Germany"), "DK": ("DA", "Denmark"),
    "DZ": ("AG", "Algeria"), "EE": ("EN", "Estonia"), "EH": ("WI", "Western Sahara"),
    "GN": ("GV", "Guinea"), "GU": ("GQ", "Guam"), "GW": ("PU", "Guinea-Bissau"),
    "HN": ("HO", "Honduras"), "HT": ("HA", "Haiti"), "IE": ("EI", "Ireland"),
    "IL": ("IS", "Israel"), "KH": ("CB", "Cambodia"), "KI": ("KR", "Kiribati"),
    "KM": ("CN", "Comoros"), "KP": ("KN", "North Korea"), "KW": ("KU", "Kuwait"),
    "KY": ("CJ", "the Cayman Islands"), "LB": ("LE", "Lebanon"), "LC": ("ST", "Saint Lucia"),
    "LK": ("CE", "Sri Lanka"), "LR": ("LI", "Liberia"), "LV": ("LG", "Latvia"),
    "ME": ("MJ", "Montenegro"), "MM": ("BM", "Burma"), "OM": ("MU", "Oman"),
    "PH": ("RP", "the Philippines"), "PR": ("RQ", "Puerto Rico"), "PT": ("PO", "Portugal"),
    "PW": ("PS", "Palau"), "PY": ("PA", "Paraguay"), "SD": ("SU", "Sudan"),
    "SK": ("LO", "Slovakia"), "SS": ("OD", "South Sudan"), "TG": ("TO", "Togo"),
    "TJ": ("TI", "Tajikistan"), "TM": ("TX", "Turkmenistan"), "TR": ("TU", "Turkey"),
    "UA": ("UP", "Ukraine"), "VG": ("VI", "the British Virgin Islands"),
    "VN": ("VM", "Vietnam"), "VU": ("NH", "Vanuatu"),
}

#: organisation TAGS of the 2000s missing from the older shipped list
_EXTRA_ORGS = frozenset("""
NPT OPCW CBW MTCR NSG LTTE FTAA APEC SADC HAMAS HIZBALLAH CTBTO MERCOSUR IGAD UNAMA
UNAMID UNMIS MINUSTAH UNMIL UNOCI UNODC UNHRC IWC G20 G-20 ISAF KFOR EU
""".split())

#: subject TAGS of the 2000s missing from the shipped list (ECIN: economic integration)
_EXTRA_SUBJECTS = frozenset({"ECIN"})

#: subject TAGS of the 1970s-80s, retired since (PFOR foreign relations, PINT internal
#: politics, SHUM human rights, ...): known in old cables only
_HISTORIC_SUBJECTS = frozenset("""
PFOR PINT PEPR PORG PDIP SHUM SOPN EGEN MILI MPOL OGEN CGEN TGEN AGEN
""".split())
_HISTORIC_UNTIL = _dt.date(1995, 1, 1)

#: words of free-text TAGS and the code that says it
_PHRASE_HINTS = (("HUMANRIGHTS", "PHUM"), ("TERRORISM", "PTER"), ("ELECTION", "KDEM"),
                 ("POLITICS", "PGOV"), ("TRAFFICKING", "KTIP"), ("NARCOTICS", "SNAR"),
                 ("MEDIAREACTION", "KMDR"), ("CLEARANCE", "OTRA"))

#: TAGS that name a person's activity; the person's name must follow
_PERSON_TAGS = ("OVIP", "OEXC", "OREP", "OTRA", "OCON")
_PERSON_TAG_SET = frozenset(_PERSON_TAGS)

#: program tags often written, for spelling suggestions (any K + 3 letters is accepted)
_COMMON_PROGRAM = frozenset("""
KDEM KNNP KCRM KPAO KJUS KISL KPAL KCOR KWMN KIPR KTFN KSCA KIRF KPKO KWBG KGHG KFRD
KTIP KTIA KOMC KSUM KMDR KGIC KAWC KUNR KHLS KSEP KFLU KFLO KDRG KCFE KRAD KMPI KMCA
""".split())

#: REF posts written otherwise than in the station list
_POST_ALIASES = {
    "SECSTATE": "STATE", "SECSTATEWASHDC": "STATE", "STATEDEPT": "STATE", "DEPT": "STATE",
    "DEPARTMENT": "STATE", "USUN": "USUNNEWYORK", "USUNNY": "USUNNEWYORK",
    "UNVIE": "UNVIEVIENNA", "USUNVIE": "UNVIEVIENNA", "USEU": "USEUBRUSSELS",
    "ADDIS": "ADDISABABA", "HAGUE": "THEHAGUE", "RIO": "RIODEJANEIRO",
    "HCMC": "HOCHIMINHCITY", "SAIGON": "HOCHIMINHCITY", "USOSCEVIENNA": "USOSCE",
    "USNATOBRUSSELS": "USNATO", "USMISSIONGENEVA": "GENEVA", "USMISSIONUSUN": "USUNNEWYORK",
    "ASTANAKAZAKHSTAN": "ASTANA", "TAIPEI": "AITTAIPEI", "MEXICOCITY": "MEXICO",
    "VAT": "VATICAN", "CASA": "CASABLANCA", "DELHI": "NEWDELHI", "IRPODUBAI": "RPODUBAI",
    "DUBAIRPO": "RPODUBAI", "USUSUN": "USUNNEWYORK", "KUALALUMPUR": "KUALALUMPUR",
}
#: originators of telegrams that are not posts: Washington agencies and commands
_NON_POST_ORIGINATORS = frozenset("""
SECDEF JCS CJCS CIA DIA NSA FBI DHS DOD DOE NSC TREASURY USDA USAID USTR USDOC USDOJ
WHITEHOUSE CENTCOM USCENTCOM EUCOM USEUCOM PACOM USPACOM SOUTHCOM USSOUTHCOM AFRICOM
USAFRICOM NORTHCOM USNORTHCOM CINCPAC USCINCCENT USCINCPAC USCINCEUR USCINCSO USDAO
SECTO TOSEC USDEL CIAWASH
""".split())
#: words before a post that are not part of its name ("AMEMBASSY PARIS 1234")
_POST_PREFIX = kept.compile(r"^(?:AMEMBASSY|AMCONSUL|AMCONGEN|EMBASSY|EMB|CONSULATE|USMISSION|"
                          r"MISSION|USDEL|USINT)\s+", re.I)
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_NOT_POSTS = frozenset("""
JAN JANUARY FEB FEBRUARY MAR MARCH APR APRIL MAY JUN JUNE JUL JULY AUG AUGUST SEP SEPT
SEPTEMBER OCT OCTOBER NOV NOVEMBER DEC DECEMBER PARA PARAS PARAGRAPH PAGE SECTION ITEM
NO NUMBER PART IN ON OF AT BY FOR THE TO FROM SEE PER SPRING SUMMER FALL AUTUMN WINTER
EMAIL E-MAIL DATED TELCON MEMO LETTER NOTE FAX UNSCR RES RESOLUTION INCSR REPORT LAW
IIR TD TDX FBIS CIR
""".split())


# ====================================================================== small helpers

def _norm(text: str) -> str:
    return text.upper().strip(".,;:")


def _line_of(cable: Cable, pos: int) -> Span:
    text = cable.source.text
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return Span(start, len(text) if end < 0 else end)


def _header_end(cable: Cable) -> int:
    """Where the header zone ends: the first numbered paragraph (or the end of the text)."""
    return cable.paragraphs[0].span.start if cable.paragraphs else len(cable.source.text)


def _has_header(cable: Cable) -> bool:
    return bool(cable.tags or cable.subject or cable.eo_lines or cable.classified_by)


def _word_offsets(text: str, words: tuple[str, ...]) -> list[int]:
    """Sorted offsets where one of ``words`` (lower-case ASCII) is written in any case,
    found with a fast literal search in a lower-cased copy of the text in which each
    non-ASCII character is one "?", so that the offsets are the text's."""
    lower = (text if text.isascii() else
             text.encode("ascii", "replace").decode("ascii")).lower()
    out: list[int] = []
    for word in words:
        if word not in lower:  # (mostly: the test costs less than a find())
            continue
        pos = lower.find(word)
        while pos >= 0:
            out.append(pos)
            pos = lower.find(word, pos + 1)
    if len(words) > 1:
        out.sort()
    return out


def _finditer_from(pattern: re.Pattern[str], text: str, words: tuple[str, ...],
                   ascii_only: bool) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)`` for a pattern whose every match starts with one of
    ``words`` (lower-case ASCII) in some case: tried at their offsets only. Some
    non-ASCII letters match i, k or s regardless of case (the long s matches S), so
    with such a letter in ``words`` (``ascii_only``) other text is scanned in full."""
    if ascii_only and not text.isascii():
        return pattern.finditer(text)
    return matches_at(pattern, text, _word_offsets(text, words))


_TRUNCATED = kept.compile(r"\.\.\.[ \t]*$", re.M)


def _incomplete(cable: Cable) -> bool:
    """Text is missing: the header cut short ("DOC FOR ENERGY, ...") by the publisher, or
    the numbered paragraphs start after 1; what is absent may be in the missing part."""
    if cable.paragraphs and cable.paragraphs[0].number > 1:
        return True
    return bool(_TRUNCATED.search(cable.source.text, 0, _header_end(cable)))


def _cable_year(ctx: Context) -> int | None:
    return ctx.date.value.year if ctx.date is not None else None


# ====================================================================== TAGS

@lru_cache(maxsize=None)
def _orgs() -> frozenset[str]:
    out = set(_EXTRA_ORGS)
    for org in refdata.organization_tags():
        org = org.upper()
        out.add(org)
        out.add(kept.compile(r"-\d+$").sub("", org))  # UNHRC-1, IWC-2: one code, several entries
        out.add(org.replace("-", ""))
    return frozenset(out)


def _is_geo(code: str) -> bool:
    return len(code) == 2 and code.isalpha() and (
        code in _FIPS or code in refdata.geo_tags() or code[0] in "XZ")


_PROGRAM_CODE = kept.compile(r"K[A-Z]{3}")


@lru_cache(maxsize=8192)  # the same few hundred codes recur from cable to cable
def _kind(code: str, historic: bool) -> str | None:
    """'subject', 'program', 'geo', 'org' or None for an upper-cased, stripped code."""
    if code in refdata.subject_tags() or code in _EXTRA_SUBJECTS or (
            historic and code in _HISTORIC_SUBJECTS):
        return "subject"
    if _PROGRAM_CODE.fullmatch(code):
        return "program"
    if _is_geo(code):
        return "geo"
    if code in _orgs() or code.replace("-", "") in _orgs():
        return "org"
    return None


def _split_run(word: str, historic: bool) -> list[str] | None:
    """``ECONEFIN`` -> [ECON, EFIN]: a word made of two or more known tags, with a subject
    or program tag among them and few two-letter codes (English words split into
    country codes by chance: PALESTINIAN is not PAL ES TI NI AN)."""
    if not word.isalpha() or len(word) < 5:
        return None

    @lru_cache(maxsize=None)
    def best(i: int) -> tuple[str, ...] | None:
        if i == len(word):
            return ()
        for n in (4, 5, 3, 2, 6):
            part = word[i:i + n]
            if len(part) == n and _kind(part, historic) is not None:
                rest = best(i + n)
                if rest is not None:
                    return (part,) + rest
        return None

    parts = best(0)
    if not parts or len(parts) < 2:
        return None
    anchors = sum(1 for p in parts if _kind(p, historic) in ("subject", "program"))
    short = sum(1 for p in parts if len(p) == 2)
    return list(parts) if anchors and short <= max(2, anchors) else None


_KEYWORD_ITEM = kept.compile(r"(?i)^(?:SUBJ(?:ECT)?|REFS?|REFTELS?|CLASSIFIED|E\.O\.?|DECL)[:.]?$")


@dataclass(slots=True)
class _Item:
    tag: Tag
    code: str                 # upper-cased, punctuation stripped
    role: str                 # tag, name, person, run, free, unknown
    kind: str | None = None   # for role 'tag'
    parts: tuple[str, ...] = ()


def _historic(ctx: Context) -> bool:
    """Retired subject TAGS are known unless the cable is known to be recent."""
    date = ctx.date  # (ctx.on_or_after, one call less)
    return date is None or date.on_or_after(_HISTORIC_UNTIL) is not True


#: (cable, ctx, historic, items) of the last cable, shared by T502-T505; replaced as a
#: whole, so a reader sees one cable's entry even if threads interleave
_items_last: tuple = (None, None, None, None)


def _items(cable: Cable, ctx: Context) -> _Items:
    """Every TAGS item with its role, in order, up to a header keyword glued onto the line."""
    # read once per cable (the last cable's items are kept); callers do not change them
    global _items_last
    if cable.tags is None:
        return _NO_ITEMS
    last = _items_last
    if last[0] is cable:
        if last[1] is ctx:  # frozen: the same context, the same date
            return last[3]
        historic = _historic(ctx)
        if last[2] == historic:
            _items_last = (cable, ctx, historic, last[3])
            return last[3]
    else:
        historic = _historic(ctx)
    out = _read_items(cable, historic)
    _items_last = (cable, ctx, historic, out)
    return out


_NAME_WORD = kept.compile(r"[A-Za-z][A-Za-z.'-]*")


def _classify(text: str, historic: bool) -> tuple[str, bool, str | None, bool]:
    """A TAGS item's code, whether it is a header keyword, its kind (:func:`_kind`) and
    whether the code is one of _PERSON_TAGS."""
    code = _norm(text)
    return (code, _KEYWORD_ITEM.match(text) is not None,
            _kind(code, historic) if code else None, code in _PERSON_TAG_SET)


#: _classify's answers by item text, for historic False and True: TAGS items recur from
#: cable to cable. A dict read inline costs less than a call of an lru_cache; each dict
#: is emptied when full, so that it stays bounded.
_classified: tuple[dict, dict] = ({}, {})
_CLASSIFIED_MAX = 4096


@lru_cache(maxsize=1024)
def _split_run_parts(code: str, historic: bool) -> tuple[str, ...] | None:
    """:func:`_split_run` as a tuple, memoised (it tries every split of the word)."""
    parts = _split_run(code, historic)
    return tuple(parts) if parts else None


class _Items:
    """The items of a TAGS line (a sequence of _Item), with what the rules ask of them all.

    The items are kept as rows (the fields of an _Item) and made _Item objects when first
    iterated, counted or indexed: most TAGS lines are known tags only, and no rule reads
    their items one by one (the summaries below tell the rules so)."""

    __slots__ = ("_rows", "_list", "roles", "tag_kinds", "person_tag", "repeated")
    roles: frozenset[str]   # the roles the items have
    tag_kinds: frozenset[str]  # the kinds of the items of role tag
    person_tag: bool        # an item is a tag of _PERSON_TAGS
    repeated: bool          # an item of role tag repeats the code of one before

    def __init__(self, rows: list[tuple] | None = None, items: list[_Item] | None = None):
        self._rows = rows
        self._list = items

    def _all(self) -> list[_Item]:
        out = self._list
        if out is None:
            out = self._list = [_Item(*row) for row in self._rows]
        return out

    def __iter__(self) -> Iterator[_Item]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def __getitem__(self, i: int) -> _Item:
        return self._all()[i]


_NO_ITEMS = _Items(items=[])
_NO_ITEMS.roles = _NO_ITEMS.tag_kinds = frozenset()
_NO_ITEMS.person_tag = _NO_ITEMS.repeated = False


_TAG_ROLES = frozenset(("tag",))


def _read_items(cable: Cable, historic: bool) -> _Items:
    rows: list[tuple] = []  # (tag, code, role, kind, parts): the fields of each _Item
    name_open = False  # words after OVIP/OEXC/... read as the person's name
    tag_codes: list[str] = []  # the codes of the items of role tag
    tag_kinds: list[str] = []  # and their kinds
    unknown = False
    stop = _tags_stop(cable, historic)
    classified = _classified[historic]
    for tag in cable.tags.items:
        if tag.span.start >= stop:
            break
        text = tag.text
        found = classified.get(text)
        if found is None:
            if len(classified) >= _CLASSIFIED_MAX:
                classified.clear()
            found = classified[text] = _classify(text, historic)
        code, keyword, kind, person_code = found
        if tag.person:
            rows.append((tag, code, "person", None, ()))
            name_open = False
            continue
        if keyword or not code:
            if code:
                break
            continue
        if kind is not None:
            rows.append((tag, code, "tag", kind, ()))
            name_open = person_code
            tag_codes.append(code)
            tag_kinds.append(kind)
            continue
        if name_open and _NAME_WORD.fullmatch(tag.text.rstrip(",")):
            rows.append((tag, code, "name", None, ()))
            continue
        name_open = False
        parts = _split_run_parts(code, historic)
        if parts:
            rows.append((tag, code, "run", None, parts))
            continue
        rows.append((tag, code, "unknown", None, ()))
        unknown = True
    if unknown:  # free text is told by the items' text: made _Item objects now
        items = [_Item(*row) for row in rows]
        _mark_free_text(cable, items)
        out = _Items(items=items)
        out.roles = frozenset([it.role for it in items])
    else:
        out = _Items(rows)
        if len(tag_codes) == len(rows):  # (mostly) every item is a tag, or there is none
            out.roles = _TAG_ROLES if rows else frozenset()
        else:
            out.roles = frozenset([row[2] for row in rows])
    out.tag_kinds = frozenset(tag_kinds)
    out.person_tag = not _PERSON_TAG_SET.isdisjoint(tag_codes)
    out.repeated = len(set(tag_codes)) < len(tag_codes)
    return out


_WORD_SEPS = kept.compile(r"[\s,;]+")
_PARENTHESISED = kept.compile(r"\([^()]*\)")
_CODE_WORD = kept.compile(r"[A-Za-z][A-Za-z0-9-]{1,9}\.?")


def _tags_stop(cable: Cable, historic: bool) -> int:
    """Where the TAGS items end: before a continuation line that is not a line of tags
    (a subject line without its keyword, run on under TAGS by an export)."""
    text = cable.source.text
    span = cable.tags.span
    pos = text.find("\n", span.start)
    while 0 <= pos < span.end:
        end = text.find("\n", pos + 1)
        end = span.end if end < 0 or end > span.end else end
        line = text[pos + 1:end]
        words = [w for w in _WORD_SEPS.split(_PARENTHESISED.sub(" ", line)) if w]
        codes = [w for w in words if _CODE_WORD.fullmatch(w)]
        known = [w for w in codes if _kind(_norm(w), historic) is not None]
        if words and (len(codes) < len(words) or 2 * len(known) < len(words)):
            return pos + 1
        pos = end
    return span.end


_FREE_WORD = kept.compile(r"[A-Za-z][A-Za-z'-]*")


def _mark_free_text(cable: Cable, items: list[_Item]) -> None:
    """Runs of unknown words written with blanks between them are free text, as are
    single long words and words in lower case (``HUMAN RIGHTS``, ``COUNTERTERRORISM``)."""
    text = cable.source.text
    i = 0
    while i < len(items):
        if items[i].role != "unknown":
            i += 1
            continue
        j = i
        while (j + 1 < len(items) and items[j + 1].role == "unknown"
               and text[items[j].tag.span.end:items[j + 1].tag.span.start].strip() == ""):
            j += 1
        run = items[i:j + 1]
        words = [it.tag.text for it in run]
        alpha = all(_FREE_WORD.fullmatch(w) for w in words)
        if alpha and (len(run) >= 4 or (len(run) >= 2 and any(len(w) >= 5 for w in words))
                      or any(len(w) >= 8 for w in words)
                      or any(w != w.upper() and w != w.lower() for w in words)):
            for it in run:
                it.role = "free"
        i = j + 1


@lru_cache(maxsize=1024)
def _suggest(code: str) -> str | None:
    """The one subject or common program tag one edit away from ``code``, if any."""
    pool = refdata.subject_tags() | _COMMON_PROGRAM
    found = {c for c in pool if _one_edit(code, c)}
    return found.pop() if len(found) == 1 else None


def _one_edit(a: str, b: str) -> bool:
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                   and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def _tags_keyword_issue(cable: Cable) -> tuple[Span, str] | None:
    tags = cable.tags
    kw = tags.keyword
    if kw.upper() == "TAGS:":
        return None
    span = Span(tags.span.start, tags.span.start + len(kw))
    return span, f"TAGS keyword written {kw!r}; write 'TAGS:' with its colon"


def _keyword_in_header(cable: Cable, pattern: re.Pattern[str]) -> re.Match[str] | None:
    return pattern.search(cable.source.text, 0, _header_end(cable))


_TAGS_ANYWHERE = kept.compile(r"(?<![A-Za-z])TAGS?(?![a-z])\s*[:;.]?\s+[A-Za-z]{2,}", re.I)


def _bare_tags_line(cable: Cable, historic: bool) -> Span | None:
    """A header line made of tags only ("EFIN, ECON, PGOV, CH"), or with a garbled
    keyword ("AGS: PREL, AR"): the TAGS line whose keyword was lost."""
    text = cable.source.text
    garbled = re.search(r"(?<![A-Za-z])AGS?[ \t]*:(?=[ \t]*[A-Z]{2,})", text[:_header_end(cable)])
    if garbled:
        return Span(garbled.start(), garbled.end())
    for m in re.finditer(r"^[ \t]*([A-Za-z][^\n]*)$", text[:_header_end(cable)], re.M):
        words = [w for w in _WORD_SEPS.split(m.group(1)) if w]
        if len(words) < 2:
            continue
        kinds = [_kind(_norm(w), historic) for w in words]
        if all(kinds) and any(k in ("subject", "program") for k in kinds):
            start = m.start() + len(m.group()) - len(m.group().lstrip())
            return Span(start, m.end())
    return None


def _anchor(cable: Cable) -> Span:
    """Where a missing header element is reported: E.O., then SUBJECT, then the banner."""
    for span in ((cable.eo.span if cable.eo else None),
                 (cable.subject.span if cable.subject else None),
                 (cable.banner.span if cable.banner else None)):
        if span is not None:
            return _line_of(cable, span.start)
    return _line_of(cable, 0)


@rule("T501", "missing-tags", Severity.ERROR)
def missing_tags(cable: Cable, ctx: Context) -> Iterator[Issue]:
    """The TAGS line is missing or empty, or its keyword lacks the colon.

    Why: every telegram carries TAGS (Traffic Analysis by Geography and Subject) after
    the E.O. line; they route it to the right offices and index it for retrieval
    (5 FAH-3 H-700, TAGS handbook; 5 FAH-2 H-440). The keyword is written "TAGS:".
    Bad:   E.O. 12958: DECL: 10/29/2014 followed directly by SUBJECT, or "TAGS PREL PGOV"
    Good:  "TAGS: PREL PGOV FR" on its own line after the E.O. line
    """
    if cable.parse_error is not None or (cable.banner is None and not cable.header_order):
        return
    tags = cable.tags
    if tags is None:
        if not _has_header(cable) or _incomplete(cable) or \
                _keyword_in_header(cable, _TAGS_ANYWHERE):
            return  # no header (S-rules' job), text cut short, or TAGS run into a line
        bare = _bare_tags_line(cable, _historic(ctx))
        if bare is not None and cable.text_of(bare).upper().startswith("AG"):
            yield Issue(bare, f"TAGS keyword garbled as {cable.text_of(bare)!r}; write 'TAGS:'")
        elif bare is not None:
            yield Issue(bare, "a line of tags without its 'TAGS:' keyword; write 'TAGS:' "
                        "before the tags")
        else:
            yield Issue(_anchor(cable), "no TAGS line; add 'TAGS:' with subject and "
                        "geographic tags after the E.O. line")
        return
    if not tags.items:
        yield Issue(tags.span, "the TAGS line is empty; list its subject and geographic tags")
        return
    found = _tags_keyword_issue(cable)
    if found:
        yield Issue(found[0], found[1], severity=Severity.WARNING)


@rule("T502", "unknown-tag", Severity.WARNING)
def unknown_tag(cable: Cable, ctx: Context) -> Iterator[Issue]:
    """A TAGS item is not a known tag.

    Why: TAGS come from the TAGS handbook (5 FAH-3 H-700): subject tags (PREL, ECON),
    program tags (K + 3 letters: KDEM), geographic tags (FIPS 10-4 codes: FR, IZ, KS),
    organisation tags (NATO, UNSC) and personal names in parentheses. Anything else
    (an office symbol, a misspelling, an ISO country code) misroutes or loses the cable.
    Bad:   "TAGS: PREL ENGR TR POL"
    Good:  "TAGS: PREL ENRG TU"
    """
    items = _items(cable, ctx)
    if "unknown" not in items.roles:
        return
    seen: set[str] = set()
    for it in items:
        if it.role != "unknown" or it.code in seen:
            continue
        seen.add(it.code)
        code = it.code
        if len(code) == 2 and code in _ISO_TO_FIPS:
            fips, name = _ISO_TO_FIPS[code]
            msg = (f"{it.tag.text!r} is not a TAGS geographic code; TAGS use FIPS 10-4 codes "
                   f"({name} is {fips})")
        elif len(code) == 2 and code.isalpha():
            msg = (f"{it.tag.text!r} is not a TAGS geographic code (FIPS 10-4); check the "
                   "country code")
        else:
            hint = _suggest(code)
            msg = (f"unknown tag {it.tag.text!r}: not a subject, program, geographic or "
                   "organisation tag; " + (f"did you mean {hint}?" if hint else
                                           "use a code from the TAGS handbook"))
        yield Issue(it.tag.span, msg)


@rule("T503", "person-tag-without-name", Severity.ERROR)
def person_tag_without_name(cable: Cable, ctx: Context) -> Iterator[Issue]:
    """OVIP, OEXC, OREP, OTRA or OCON without the person's name.

    Why: these TAGS index travel, visits and exchanges by the person concerned; the
    handbook requires the name, in parentheses, surname first, after the tag
    (5 FAH-3 H-700, TAGS handbook).
    Bad:   "TAGS: OVIP PREL FR"
    Good:  "TAGS: OVIP (RICE, CONDOLEEZZA) PREL FR"
    """
    items = _items(cable, ctx)
    if not items.person_tag or "person" in items.roles or "name" in items.roles:
        return
    seen: set[str] = set()
    for it in items:
        if it.role == "tag" and it.code in _PERSON_TAGS and it.code not in seen:
            seen.add(it.code)
            yield Issue(it.tag.span, f"{it.code} without the person's name; add it in "
                        f"parentheses after the tag, e.g. {it.code} (SURNAME, GIVEN NAME)")


@rule("T504", "malformed-tags", Severity.WARNING)
def malformed_tags(cable: Cable, ctx: Context) -> Iterator[Issue]:
    """A tag is repeated, several tags are run together, or a TAGS item is free text.

    Why: TAGS are codes separated by blanks or commas, each once (5 FAH-3 H-700, TAGS
    handbook); a run-together word (ECONEFIN) or a phrase (HUMAN RIGHTS) is read by no
    routing or retrieval system, and a repeated tag is noise.
    Bad:   "TAGS: PREL PREL ECONEFIN HUMAN RIGHTS"
    Good:  "TAGS: PREL ECON EFIN PHUM"
    """
    items = _items(cable, ctx)
    roles = items.roles
    if not items.repeated and "run" not in roles and "free" not in roles:
        return  # most TAGS lines
    issues: list[Issue] = []
    counts: dict[str, int] = {}
    first_repeat: _Item | None = None
    if items.repeated:
        for it in items:
            if it.role == "tag":
                counts[it.code] = counts.get(it.code, 0) + 1
                if counts[it.code] == 2 and first_repeat is None:
                    first_repeat = it
    if first_repeat is not None:  # one finding for the line: the repeats share a cause
        dups = [f"{c} ({n} times)" if n > 2 else c for c, n in counts.items() if n > 1]
        issues.append(Issue(first_repeat.tag.span, f"repeated tags: {', '.join(dups)}; list "
                            "each tag once"))
    reported: set[str] = set()
    for it in items:
        if it.role == "run" and it.code not in reported:
            reported.add(it.code)
            issues.append(Issue(it.tag.span, f"tags run together in {it.tag.text!r}; "
                                f"separate them: {' '.join(it.parts)}"))
    i = 0
    while i < len(items):
        if items[i].role != "free":
            i += 1
            continue
        j = i
        while j + 1 < len(items) and items[j + 1].role == "free":
            j += 1
        span = Span(items[i].tag.span.start, items[j].tag.span.end)
        phrase = cable.text_of(span)
        if " ".join(phrase.split()).upper() not in reported:
            reported.add(" ".join(phrase.split()).upper())
            hints = [f"{code} for {word.lower()}" for word, code in _PHRASE_HINTS
                     if word in phrase.upper().replace(" ", "")]
            issues.append(Issue(span, f"free text {' '.join(phrase.split())!r} in TAGS; "
                                "replace it with TAGS codes"
                                + (f" ({', '.join(hints)})" if hints else "")))
        i = j + 1
    issues.sort(key=lambda x: x.span)
    yield from issues


_SUBJECT_KINDS = frozenset(("subject", "program"))
_PLACE_KINDS = frozenset(("geo", "org"))


@rule("T505", "tags-incomplete", Severity.INFO)
def tags_incomplete(cable: Cable, ctx: Context) -> Iterator[Issue]:
    """The TAGS line has no subject tag, or no geographic tag.

    Why: a telegram is indexed by geography and by subject: the handbook asks for at
    least one subject (or program) tag and one geographic tag, or an organisation tag
    for a multilateral subject (5 FAH-3 H-700, TAGS handbook).
    Bad:   "TAGS: PREL PGOV" (no country), "TAGS: FR" (no subject)
    Good:  "TAGS: PREL PGOV FR"
    """
    tags = cable.tags
    if tags is None or not tags.items or cable.subject is None:
        return  # missing or empty TAGS is T501's; without SUBJECT the header is garbled
    items = _items(cable, ctx)
    kinds: frozenset[str] | set[str] = items.tag_kinds
    roles = items.roles
    if "run" in roles or "person" in roles or "name" in roles:
        kinds = set(kinds)
        for it in items:
            if it.role == "run":
                kinds.update(_kind(p, True) or "" for p in it.parts)
            elif it.role in ("person", "name"):
                kinds.add("person")
    missing = []
    if kinds.isdisjoint(_SUBJECT_KINDS):
        missing.append("a subject tag (PREL, ECON, ...)")
    if kinds.isdisjoint(_PLACE_KINDS):
        missing.append("a geographic tag (a FIPS country code) or an organisation tag")
    if missing:
        yield Issue(tags.span, "TAGS lack " + " and ".join(missing))


# ====================================================================== SUBJECT

_SUBJECT_ANYWHERE = kept.compile(r"(?<![A-Za-z])SUBJ(?:ECT)?\s*:", re.I)

#: header keywords that do not belong inside a subject line
_SWALLOWED = kept.compile(
    r"(?P<glued>(?-i:REFS?:))|(?<![A-Za-z/-])(?:"
    r"(?P<ref>(?:REFS?|REFTELS?|REFERENCES?|REF\(S\))\s*\.?:)"
    r"|(?P<cb>CLASSIFIED\s+BY\s*:|Classified\s+By\b)"
    r"|(?P<eo>E\.\s?O\.\s?1[23]\d{3}\s*:\s*(?:DECL|N/A))"
    r"|(?P<tags>TAGS\s*:)|(?P<tagsword>(?-i:TAGS)(?=\s))"
    r"|(?P<subj>SUBJ(?:ECT)?\s*:)"
    r")", re.I)
_SWALLOWED_NAMES = {"ref": "REF", "glued": "REF", "cb": "Classified By", "eo": "the E.O. line",
                    "tags": "TAGS", "tagsword": "TAGS", "subj": "a second SUBJECT"}
#: how every _SWALLOWED match starts, lower-cased
_SWALLOWED_STARTS = ("ref", "classified", "e.", "tags", "subj")


_SUBJECT_SEPS = kept.compile(r"[\s,]+")


def _tag_codes_follow(text: str) -> bool:
    """"TAGS PREL PGOV FR" in a subject: a TAGS line; "PRICE TAGS RISE" is prose."""
    words = _SUBJECT_SEPS.split(text.strip())[:3]
    return len(words) >= 2 and all(_kind(_norm(w), True) for w in words[:2])


_SUBJECT_KW = kept.compile(r"\s*SUBJ(?:ECT)?(?![A-Za-z])\s*:?", re.I)


@rule("T507", "subject-line", Severity.ERROR)
def subject_line(cable: Cable, ctx: Context) -> Iterator[Issue]:
    """The SUBJECT line is missing, empty, abbreviated, or has swallowed other header lines.

    Why: the subject line names the telegram for every reader and index (5 FAH-2 H-440,
    5 FAH-3 H-700); it is written "SUBJECT:" and holds the subject only: REF,
    Classified By and E.O. lines run into it are lost to readers and to the tools that
    look for them.
    Bad:   "SUBJ: VISIT" or "SUBJECT: VISIT OF THE MINISTER REF: STATE 1234"
    Good:  "SUBJECT: VISIT OF THE MINISTER", then "REF: STATE 1234" on its own line
    """
    if cable.parse_error is not None or (cable.banner is None and not cable.header_order):
        return
    subj = cable.subject
    if subj is None:
        if not _has_header(cable) or _incomplete(cable) or \
                _keyword_in_header(cable, _SUBJECT_ANYWHERE):
            return
        span = cable.tags.span if cable.tags is not None else _anchor(cable)
        yield Issue(_line_of(cable, span.start), "no SUBJECT line; add 'SUBJECT:' and the "
                    "subject after the TAGS line")
        return
    # the keyword's span is read only for an issue about the keyword (few cables)
    if not subj.text or subj.keyword.upper().replace(" ", "") != "SUBJECT:":
        kw_text = cable.text_of(subj.span)
        m = _SUBJECT_KW.match(kw_text)
        kw_span = Span(subj.span.start, subj.span.start + (m.end() if m else len(subj.keyword)))
        if not subj.text:
            yield Issue(kw_span, "SUBJECT: has no text; write the subject on the same line")
            return
        yield Issue(kw_span, f"subject keyword written {subj.keyword!r}; write 'SUBJECT:'",
                    severity=Severity.WARNING)
    if subj.text_span is not None:
        body = cable.text_of(subj.text_span)
        if body.isascii():  # (mostly) no match can start where no _SWALLOWED_STARTS is
            lower = body.lower()
            if "ref" not in lower and "classified" not in lower and "e." not in lower \
                    and "tags" not in lower and "subj" not in lower:
                return
        hits = [h for h in _finditer_from(_SWALLOWED, body, _SWALLOWED_STARTS, True)
                if h.lastgroup != "tagsword" or _tag_codes_follow(body[h.end():])]
        if hits:
            first = hits[0]
            names = []
            for h in hits:
                name = _SWALLOWED_NAMES[h.lastgroup]
                if name not in names:
                    names.append(name)
            start = subj.text_span.start + first.start()
            yield Issue(Span(start, start + len(first.group())),
                        f"the subject runs on into {', '.join(names)}; end the subject "
                        "there and put each header line on its own line")


# ====================================================================== REF

_REF_KW = kept.compile(r"\s*(?:REFS?|REFTELS?|REFERENCES?|REF\(S\))(?![A-Za-z])\s*[:.]?", re.I)
#: a letter marker: "A.", "(A)", "A)", "A:" before a blank
_MARKER = kept.compile(r"(?<![A-Za-z0-9/.'-])(?:\(([A-Za-z]) ?\)"
                     r"|([A-Za-z])(?:[.):](?=\s|$)|\)(?=\S)|\.(?=\d\d\s)))"
                     r"|(?<=\d)([A-Z])\.(?=\s)")
#: a page marker of a later section, swallowed by an export: "MADRID 00000392 001.2 OF 003"
# the post of a page mark is cut to 10 characters: bounded, so the scan stays linear
_PAGE_MARK = kept.compile(r"(?<![A-Z])[A-Z][A-Z .'-]{0,12} \d{5,9} {1,2}\d{3}(?:\.\d)? OF \d{3}")
#: a telegram reference: [YY or YYYY] POST serial, ending the item or followed by a
#: separator, "(NOTAL)", "AND PREVIOUS", ...
# (possessive: a word's letters, the blanks after it, the words and the serial's digits
# are never given back, as nothing that follows could match what they hold; at most one
# count of words has blanks and a digit after it. The same matches, less backtracking.)
_TELEGRAM = kept.compile(
    r"(?<![A-Za-z0-9/'-])(?:(?P<year>\d{4}|\d{2})\s+)?"
    r"(?P<post>[A-Za-z][A-Za-z.'-]*+(?:\s++[A-Za-z][A-Za-z.'-]*+){0,3}+)\s++"
    r"(?P<serial>\d++)"
    r"(?=\s*(?:$|[,;.)]|\(NOTAL\)|NOTAL\b|AND\b|and\b|\(?[A-Za-z][.)]\s|[A-Z]{3,}\b))")


def _blank(m: re.Match[str]) -> str:
    return " " * len(m.group())


#: from the start of a page mark to its " OF ": at most 1 + 12 + 1 + 9 + 2 + 3 + 2
#: characters; the mark ends 7 characters after the start of its " OF "
_PAGE_MARK_REACH = 30


def _mask_page_marks(text: str) -> str:
    """``text`` with its page marks blanked: ``_PAGE_MARK.sub(_blank, text)``, searched
    only near the marks' " OF ", which stand between two digits (``\\d``, that is a
    decimal character), unlike the " OF " of prose."""
    if " OF " not in text:  # (mostly; the test costs less than a find())
        return text
    ofs: list[int] = []
    pos = text.find(" OF ")
    while pos >= 0:
        if pos and text[pos - 1].isdecimal() and text[pos + 4:pos + 5].isdecimal():
            ofs.append(pos)
        pos = text.find(" OF ", pos + 1)
    if not ofs:
        return text
    # A match starting at s has its " OF " at q with s < q <= s + 30 and ends at q + 7.
    # The " OF "s are taken in runs whose gaps are at most 37: a match starting before
    # the run's last q + 7 then uses a q of the run, so searching up to that end (the
    # text cut there) finds the same matches as the full text, and none is missed.
    out: list[str] = []
    done = 0  # the text before it is in out
    i, n = 0, len(ofs)
    while i < n:
        j = i
        while j + 1 < n and ofs[j + 1] - ofs[j] <= 37:
            j += 1
        pos, endpos = max(done, ofs[i] - _PAGE_MARK_REACH), ofs[j] + 7
        while True:
            m = _PAGE_MARK.search(text, pos, endpos)
            if m is None:
                break
            out.append(text[done:m.start()])
            out.append(" " * (m.end() - m.start()))
            done = pos = m.end()
        i = j + 1
    if not out:
        return text
    out.append(text[done:])
    return "".join(out)


@dataclass(slots=True)  # (not frozen: its __init__ costs less; nothing changes one)
class _Ref:
    letter: str | None
    letter_span: Span | None
    text: str
    start: int               # offset of the item text in the telegram text


@dataclass(slots=True)
class _RefList:
    span: Span               # the whole REF element (keyword included)
    body: str                # text after the keyword, continuation after a blank included
    body_start: int
    items: tuple[_Ref, ...]
    fault: tuple[Span, str] | None  # the first lettering fault


def _ref_scope(cable: Cable) -> tuple[str, int] | None:
    """The REF element's text after its keyword, with items set off by blank lines."""
    refs = cable.references
    if refs is None:
        return None
    text = cable.source.text
    m = _REF_KW.match(text, refs.span.start)
    start = m.end() if m else refs.span.start
    return text[start:_ref_extent(text, refs.span.end, _header_end(cable))], start


_BLANK_LINE = kept.compile(r"\n[ \t]*\n")

#: a block after a blank line that continues a REF list: it opens with a letter marker
_REF_MORE = kept.compile(r"[ \t]*\n(?:[ \t]*\n)+(?=[ \t]*\(?[A-Z] ?[.):][ \t]*\S)")


def _ref_extent(text: str, end: int, limit: int) -> int:
    """Extend a REF list past blank lines while the next block opens with a letter."""
    while end < limit:
        m = _REF_MORE.match(text, end)
        if not m:
            break
        stop = _BLANK_LINE.search(text, m.end(), limit)
        end = stop.start() if stop else limit
    return end


#: what follows a letter marker that opens a telegram reference: "[YY] Post Name 1234"
_REF_START = kept.compile(r"\s*(?:\d{2,4}\s+)?[A-Z][A-Za-z.'-]*(?:\s+[A-Z][A-Za-z.'-]*){0,2}\s+\d")
#: header lines an export ran into the REF list; the list ends there
_REF_STOP = kept.compile(r"(?<![A-Za-z])(?:CLASSIFIED\s+BY\b|SUBJ(?:ECT)?\s*:"
                       r"|E\.\s?O\.\s?1[23]\d{3}\s*:)", re.I)
#: how every _REF_STOP match starts, lower-cased
_REF_STOP_STARTS = ("classified", "subj", "e.")


def _markers(text: str) -> list[re.Match[str]]:
    """``list(_MARKER.finditer(text))``, trying only where a marker can start: before
    a ".", ")" or ":" (1 character), or a ")" (2 or 3 characters, "(A)", "(A )")."""
    starts: list[int] = []
    find = text.find
    # (an ``in`` test costs less than a find(), which parses its arguments, where the
    # character is absent, and little where it is not: the texts are short)
    for ch in ".:":
        pos = find(ch) if ch in text else -1
        while pos >= 0:
            starts.append(pos - 1)
            pos = find(ch, pos + 1)
    pos = find(")") if ")" in text else -1
    while pos >= 0:
        starts.extend((pos - 3, pos - 2, pos - 1))
        pos = find(")", pos + 1)
    starts.sort()
    out: list[re.Match[str]] = []
    match = _MARKER.match
    end = 0  # a match may not start before the end of the previous one (nor before 0)
    for pos in starts:
        if pos >= end:
            m = match(text, pos)
            if m is not None:
                out.append(m)
                end = m.end()
    return out


def _letters(body: str, base: int) -> tuple[list[_Ref], tuple[Span, str] | None]:
    """Split a REF body at its letter markers, checking that they run A, B, C, ..."""
    # (_mask_page_marks returns a text without " OF " as it is: the call is saved)
    masked = _mask_page_marks(body) if " OF " in body else body
    # a match of _REF_STOP holds a ":" or the "Y" of CLASSIFIED BY (no other character
    # matches "y" case-blind): most REF bodies have no stop to look for
    if ":" in masked or "Y" in masked or "y" in masked:
        stop = next(_finditer_from(_REF_STOP, masked, _REF_STOP_STARTS, True), None)
    else:
        stop = None
    if stop:
        masked = masked[:stop.start()]
        body = body[:stop.start()]
    markers = _markers(masked)
    accepted: list[tuple[re.Match[str], str]] = []
    fault: tuple[Span, str] | None = None
    expected = "A"
    lead = masked[:markers[0].start()].strip() if markers else ""
    for m in markers:
        # (the one group of the three that took part is the last: m.group(m.lastindex))
        letter = m[m.lastindex].upper()
        if letter == expected:
            accepted.append((m, letter))
            expected = chr(ord(expected) + 1)
        elif accepted and letter == accepted[-1][1] and m.start() - accepted[-1][0].end() <= 2:
            pass  # "A. A) BAKU 1224": the letter written twice, harmless
        elif 0 < ord(letter) - ord(expected) <= 2 and (accepted or not lead) \
                and _REF_START.match(masked[m.end():m.end() + 40]):  # a reference follows
            span = Span(base + m.start(), base + m.end())
            fault = fault or (span, f"reference letters out of sequence: {letter} where "
                              f"{expected} is expected; letter the references A, B, C, ...")
            accepted.append((m, letter))
            expected = chr(ord(letter) + 1)
    items: list[_Ref] = []
    if not accepted:
        if body.strip():
            items.append(_Ref(None, None, body, base))
        return items, fault
    for i, (m, letter) in enumerate(accepted):
        end = accepted[i + 1][0].start() if i + 1 < len(accepted) else len(body)
        m_start, m_end = m.span()
        items.append(_Ref(letter, Span(base + m_start, base + m_end), body[m_end:end],
                          base + m_end))
    return items, fault




def _read_ref_list(cable: Cable) -> _RefList | None:
    scope = _ref_scope(cable)
    if scope is None:
        return None
    body, start = scope
    items, fault = _letters(body, start)
    return _RefList(cable.references.span, body, start, tuple(items), fault)


#: the REF list of the last cable, shared by T509, T510 and T511
_ref_list = per_cable(_read_ref_list)


@rule("T509", "malformed-ref", Severity.ERROR)
def malformed_ref(cable: Cable, ctx: Context) -> Iterator[Issue]:
    """The REF list is empty or its items are not lettered A, B, C, ... in order.

    Why: references are listed after SUBJECT as "REF: A. [YY] POST serial" or free
    text, each lettered in sequence so that the body can cite "REF B" without doubt
    (5 FAH-2 H-440 on telegram captions and references).
    Bad:   "REF: A. STATE 1234 B. PARIS 567 D. LONDON 89", or "REF:" with nothing after it
    Good:  "REF: A. STATE 1234 B. PARIS 567 C. LONDON 89"
    """
    refs = _ref_list(cable)
    if refs is None:
        return
    if not refs.body.strip():
        yield Issue(refs.span, "REF: lists no reference; give the references "
                    "(A. [YY] POST serial) or delete the REF line")
        return
    if refs.fault is not None:
        yield Issue(*refs.fault)


_POST_PUNCT = kept.compile(r"[\s.'-]")


def _norm_post(post: str) -> str:
    post = _POST_PREFIX.sub("", post.strip())
    return _POST_PUNCT.sub("", post).upper()


def _known_post(key: str) -> bool:
    st = refdata.stations()
    return key in st or _POST_ALIASES.get(key, "") in st or key in _NON_POST_ORIGINATORS


@lru_cache(maxsize=4096)  # the same posts are cited from cable to cable
def _post_is_known(post: str) -> bool:
    return _known_post(_norm_post(post))


#: a letter written again at the head of an item ("A. A) BAKU 1", "A. A 08 ROME 1",
#: "A. REF A STATE 1"), blanked before the item is read
_LEAD_MARKS = kept.compile(r"^\s*(?:REF(?:TEL)?S?\s+(?=[A-Z]))?"
                         r"(?:\(?[A-Za-z](?:[.):]|\s(?=\s*\d))\s*)*")


_MONTH_AFTER = kept.compile(r"\s*(?:%s)[A-Z]*\b" % "|".join(_MONTHS), re.I)
_SEPARATOR_END = kept.compile(r"(?:[,;:]|\bAND|\band|\(?[A-Za-z][.)]|\bREF[A-Z]*)$")


def _telegrams(ref: _Ref) -> list[re.Match[str]]:
    """Telegram references in one item: at its start, or after a separator."""
    out: list[re.Match[str]] = []  # (a list costs less than a generator's resumes)
    text = ref.text
    if " OF " in text:  # (as in _mask_page_marks: mostly absent, the call is saved)
        text = _mask_page_marks(text)
    lead = _LEAD_MARKS.match(text).end()  # (it matches everywhere, often nothing)
    if lead:
        text = " " * lead + text[lead:]
    first = len(text) - len(text.lstrip())
    for m in _TELEGRAM.finditer(text):
        if m.start() > first:  # something stands before it: it must be a separator
            before = text[max(first, m.start() - 40):m.start()].rstrip()
            if not _SEPARATOR_END.search(before):
                continue
        # (a loop, not any() over a generator: one strip per word, no generator)
        not_post = False
        for w in m.group("post").upper().split():
            bare = w.strip(".")
            if bare in _NOT_POSTS or len(bare) < 2 or "XX" in w:
                not_post = True
                break
        if not_post:
            continue
        if _MONTH_AFTER.match(text, m.end()):
            continue  # "PARIS POINTS 20 SEPTEMBER 2007": a date
        out.append(m)
    return out


@rule("T511", "ref-item", Severity.WARNING)
def ref_item(cable: Cable, ctx: Context) -> Iterator[Issue]:
    """A REF telegram has an unknown post, a serial not of 1-7 digits, or a later year.

    Why: a telegram is cited by its reference id, year, originating post and serial
    (05PARIS7961 is "05 PARIS 7961"); serials run to seven digits and a cable cannot
    cite a telegram from a later year (5 FAH-2 H-440). A wrong post, serial or year
    sends the reader to another telegram or to none.
    Bad:   "REF: 09 PARSI 12345678" in a 2008 cable
    Good:  "REF: 07 PARIS 1234"
    """
    refs = _ref_list(cable)
    if refs is None:
        return
    year = _cable_year(ctx)
    for item in refs.items:
        for m in _telegrams(item):
            serial, year_text, post = m.group("serial", "year", "post")  # (one call)
            if len(serial) > 7:
                yield Issue(Span(item.start + m.start(), item.start + m.end()),
                            f"REF serial {serial} has {len(serial)} digits; telegram "
                            "serials have 1 to 7")
                continue
            if year is not None and year_text:
                y = int(year_text)
                y = y if y >= 100 else (y + 1900 if y >= 66 else y + 2000)
                if y > year:
                    yield Issue(Span(item.start + m.start(), item.start + m.end()),
                                f"REF year {year_text} is after the cable's "
                                f"year {year}; check the reference")
                    continue
            post = " ".join(post.split())
            if post.isupper() or post.istitle():
                if not _post_is_known(post):
                    yield Issue(Span(item.start + m.start(), item.start + m.end()),
                                f"REF post {post!r} is not a known post; check the "
                                "originator of the referenced telegram")


_LETTER = r"(?:\([A-Za-z]\)|[A-Za-z](?![A-Za-z0-9/'])(?!-[A-Za-z]{2}))"
_CITE = kept.compile(
    r"(?<![A-Za-z/-])(?P<kw>REF(?:TEL)?S?|Ref(?:tel)?s?|ref(?:tel)?s?)\b\.?"
    r"(?P<letters>[ \t]*" + _LETTER + r"(?:[ \t]*(?:,|and|AND|&|-|through|THROUGH)[ \t]*"
    + _LETTER + r")*)?")
#: a REF list anywhere in the text: "REF:", "REFS:", "REF.:", glued "...PRIMEREF:"
_REF_ANYWHERE = kept.compile(
    r"(?:(?<![A-Za-z/])(?i:REFS?|REFTELS?|REFERENCES?|REF\(S\))|REFS?)[ \t]*\.?:")


_LOOSE_TELEGRAM = kept.compile(r"(?<![A-Za-z])[A-Za-z]{3,}(?: [A-Za-z]{2,}){0,2} +\d{1,8}(?!\d)")


_CUT_SHORT = kept.compile(r"\.\.\.[ \t]*(?:\n|$)")


_CITE_WORDS = frozenset(("REF", "Ref", "ref"))


def _cite_offsets(text: str, keyed: str) -> list[int]:
    """Offsets of "REF", "Ref" and "ref", ascending: every match of _CITE starts at one.
    Found as "ref" in ``keyed``, the text lower-cased at the same offsets (see
    structure._keyed, which the S rules have made before the T rules run): it holds
    "ref" exactly where the text holds those three letters in some case (no other
    character folds to r, e or f), and one search of it costs less than the two of
    the text it saves."""
    find = keyed.find
    out: list[int] = []
    pos = find("ref")
    while pos >= 0:
        if text[pos:pos + 3] in _CITE_WORDS:
            out.append(pos)
        pos = find("ref", pos + 3)  # "ref" cannot overlap itself
    return out


#: a keyword of _REF_ANYWHERE ending where the search ends
_REF_KW_AT_END = kept.compile(r"(?i:REF(?:S|TELS?|ERENCES?|\(S\))?)\Z")
#: the characters such a keyword can end with (the long s is an s, case-blind)
_REF_KW_LAST = frozenset("FfSsLlEe)\u017f")


def _ref_anywhere_starts(text: str) -> list[int]:
    """Ascending offsets where a match of _REF_ANYWHERE can start (a subset of the
    offsets of "ref" in any case, holding every start of a match). A match is a keyword,
    blanks, an optional "." and a ":": back from each ":" (a few per cable) over the "."
    and the blanks is where its keyword must end."""
    out: list[int] = []
    find = text.find
    search = _REF_KW_AT_END.search  # on the 10 characters before where a keyword ends
    colon = find(":")
    last = _REF_KW_LAST
    while colon >= 0:
        k = colon
        if k:
            c = text[k - 1]
            if c in " \t.":
                if c == ".":
                    k -= 1
                while k and text[k - 1] in " \t":
                    k -= 1
                c = text[k - 1] if k else ":"
            if c in last:  # most colons follow no keyword: SUBJECT:, TAGS:, DECL:
                w = text[k - 10 if k > 10 else 0:k]
                if "R" in w or "r" in w:
                    m = search(w)
                    if m is not None:
                        out.append(k - len(w) + m.start())
        colon = find(":", colon + 1)
    if len(out) > 1:
        out.sort()
    return out


def _ref_letters_anywhere(cable: Cable, ref_starts: list[int]
                          ) -> tuple[set[str], int] | None:
    """Letters of every REF list in the text (header, subject, quoted cables), and the
    number of unlettered references; None when the text holds no REF list at all."""
    text = cable.source.text
    found = False
    letters: set[str] = set()
    unlettered = 0
    refs = _ref_list(cable)
    bodies: list[tuple[str, int]] = [(refs.body, refs.body_start)] if refs else []
    for m in matches_at(_REF_ANYWHERE, text, ref_starts):
        stop = _BLANK_LINE.search(text, m.end())
        end = stop.start() if stop else len(text)
        bodies.append((text[m.end():_ref_extent(text, end, len(text))], m.end()))
    seen: set[str] = set()  # what a body adds depends on its text only: read each once
    for i, (body, base) in enumerate(bodies):
        found = True
        if body in seen:
            continue
        seen.add(body)
        if "..." in body and _CUT_SHORT.search(body):  # the list cut short: any letter
            return {chr(c) for c in range(ord("A"), ord("Z") + 1)}, 0
        items = refs.items if i == 0 and refs else _letters(body, base)[0]
        for it in items:
            if it.letter:
                letters.add(it.letter)
            else:  # counted leniently: "HANOI 60 (...) HANOI 330 (...)"
                unlettered = max(unlettered, len(_LOOSE_TELEGRAM.findall(it.text)) or 1)
    return (letters, unlettered) if found else None


@rule("T510", "ref-not-listed", Severity.WARNING)
def ref_not_listed(cable: Cable, ctx: Context) -> Iterator[Issue]:
    """The body cites a reference (REF C, REFTEL) that the REF list lacks.

    Why: "REF C" and "REFTEL" point the reader to a telegram listed on the REF line
    (5 FAH-2 H-440); a citation with no matching entry cannot be followed.
    Bad:   "REF: A. STATE 1234 B. PARIS 567" and the body says "as reported in REF C"
    Good:  the REF line lists C, or the body cites A or B
    """
    if not _has_header(cable) or cable.partial:
        return
    text = cable.source.text
    # where a citation (_CITE) can start: "REF", "Ref" or "ref"
    cands = _cite_offsets(text, _keyed(cable))
    if not cands:
        return  # no "REF", "Ref" or "ref" anywhere: nothing is cited
    missing_reported: set[str] = set()
    unset = object()
    has_refs = unset  # whether the text holds a REF list, read at the first citation
    listed = unset  # the REF lists' letters, read at the first citation naming a letter
    ref_starts: list[int] | None = None  # where a REF list can start (_REF_ANYWHERE)
    first, last = cands[0] + 3, cands[-1]
    cite_match = _CITE.match
    for blocks in (cable.paragraphs, cable.text_blocks):
        for b in blocks:
            span = b.span
            # a block that ends before the first keyword or starts after the last one
            # holds none; else it holds one if the first keyword from its start fits in it
            if span.end < first or span.start > last:
                continue
            lo = bisect_left(cands, span.start)
            if cands[lo] + 3 > span.end:
                continue  # no citation keyword in this block
            block = text[span.start:span.end]
            # _CITE.finditer(block), tried only at the candidates from cands[lo] on:
            # every citation starts with its keyword (a loop, not a generator)
            base = span.start
            limit = len(block) - 3
            end = 0  # a citation may not start before the end of the one before
            for i in range(lo, len(cands)):
                p = cands[i] - base
                if p > limit:
                    break
                if p < end:
                    continue
                m = cite_match(block, p)
                if m is None:
                    continue
                end = m.end()
                if has_refs is unset:  # as _ref_letters_anywhere(cable) is not None
                    if cable.references is not None:
                        has_refs = True
                    else:
                        ref_starts = _ref_anywhere_starts(text)
                        has_refs = next(matches_at(_REF_ANYWHERE, text, ref_starts),
                                        None) is not None
                if not has_refs:
                    if "" not in missing_reported and not _incomplete(cable):
                        missing_reported.add("")
                        yield Issue(Span(span.start + m.start(), span.start + m.end()),
                                    f"the body cites {' '.join(m.group().split())!r} but the "
                                    "cable has no REF line; add the REF line or drop the citation")
                    continue
                raw = m.group("letters")
                if not raw:
                    continue  # no letters cited: _cited_letters would find none
                one = raw.strip()
                if len(one) == 1 and one not in ("a", "i"):  # (mostly) as _cited_letters
                    letters = [one.upper()]
                else:
                    letters = _cited_letters(raw, m.group("kw"), block[m.end():m.end() + 12])
                    if not letters:
                        continue
                if listed is unset:
                    if ref_starts is None:
                        ref_starts = _ref_anywhere_starts(text)
                    listed = _ref_letters_anywhere(cable, ref_starts)
                have, unlettered = listed
                for letter in letters:
                    if letter in have or letter in missing_reported:
                        continue
                    if not have and ord(letter) - ord("A") < unlettered:
                        continue
                    missing_reported.add(letter)
                    pos = Span(span.start + m.start(), span.start + m.end())
                    yield Issue(pos, f"the body cites REF {letter} but the REF list has no "
                                f"{letter}; add it to the REF line or correct the citation")


_CITE_SEPS = kept.compile(r"[ \t]*(,|and|AND|&|-|through|THROUGH)[ \t]*")
_WORD_AFTER = kept.compile(r" +[A-Za-z]")
_AND_PARA_AFTER = kept.compile(r" +(?:and|para)\b")


def _cited_letters(raw: str, kw: str, after: str) -> list[str]:
    """The letters a citation names: "B", "(B)", "A AND B", "A-C"; a lone lower-case
    "a" or "i" followed by a word ("reftel a number of") is a word, not a letter."""
    raw = raw.strip()
    if len(raw) == 1:  # mostly: one letter, no separator (as below, made short)
        if raw in ("a", "i") and _WORD_AFTER.match(after) and not _AND_PARA_AFTER.match(after):
            return []
        return [raw.upper()]
    if not raw:
        return []
    tokens = _CITE_SEPS.split(raw)
    letters = [t.strip("()").upper() for t in tokens[0::2]]
    seps = tokens[1::2]
    if len(letters) == 1 and raw in ("a", "i") and _WORD_AFTER.match(after) \
            and not _AND_PARA_AFTER.match(after):
        return []
    out: list[str] = []
    for i, letter in enumerate(letters):
        if i and seps[i - 1].lower() in ("-", "through") and out and out[-1] <= letter:
            out.extend(chr(c) for c in range(ord(out[-1]) + 1, ord(letter) + 1))
        else:
            out.append(letter)
    return out
