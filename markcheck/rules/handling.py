"""H: captions and handling.

Captions are read where the telegram puts them: the caption lines of the header
zone (``cable.captions``) and the controls written on the classification line
itself (``cable.banner.controls``). Each is one :class:`_Item` with its exact span,
in the order they appear, so a rule can point at the offending word.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from collections import namedtuple
from collections.abc import Iterable, Iterator, Sequence

from .. import kept
from ..diagnostics import Severity
from ..markings import DISTRIBUTION_CAPTIONS, KNOWN_CAPTIONS, Level
from ..model import Cable, Span
from . import Context, Issue, rule
from .authority import _on_or_after
from .structure import _fold, _keyed

# ------------------------------------------------------------------ caption items

_MULTI_WORD = sorted((c for c in KNOWN_CAPTIONS if " " in c), key=lambda c: (-len(c), c))
#: a known multi-word caption (any case, blanks or hyphens between its words), else one word
_TOKEN = kept.compile(
    r"(?i)(?<![A-Za-z])(?:"
    + "|".join(r"[\s-]+".join(re.escape(w) for w in c.split()) for c in _MULTI_WORD)
    + r")(?![A-Za-z])|[A-Za-z]+")

_FOUO = ("FOUO", "FOR OFFICIAL USE ONLY")
_SENSITIVE = ("SENSITIVE", "SENSITIVE BUT UNCLASSIFIED")


class _Item(namedtuple("_Item", "word span on_banner raw", defaults=(False, ""))):
    """One caption word or phrase, upper-cased (``word``), where it stands (``span``), and
    on which line (``on_banner``; ``raw``, as written). (collections' named tuple, not
    typing's: importing typing is some 3 ms of a one-file run.)"""

    __slots__ = ()


#: ``_new_item(_Item, (word, span, on_banner, raw))`` is ``_Item(word, span, on_banner, raw)``
#: without the Python-level __new__ of the named tuple (items are made for every cable)
_new_item = tuple.__new__


@functools.lru_cache(maxsize=4096)
def _norm(text: str) -> str:
    return " ".join(text.upper().replace("-", " ").split())


#: "UNCLASSIFIED//FOR OFFICIAL USE ONLY,08STATE145633,...": the classification field of
#: an export's metadata record, read as the classification line; its controls are the
#: archive's, not captions of the telegram
_RECORD_FIELD = kept.compile(r"[^\s,\t\"]*//[A-Z /]*[,\t\"]")


def _record_field(cable: Cable) -> bool:
    return cable.banner is not None and bool(_RECORD_FIELD.match(cable.banner.text))


def _find(items: list[_Item], *words: str) -> list[_Item]:
    return [i for i in items if i.word in words]


_AFTER_CAPTIONS = ("eo", "tags", "subject", "ref", "classified_by")


def _zone_end(cable: Cable) -> int:
    """Where the caption zone ends: at the first E.O./TAGS/SUBJECT/REF/Classified By line."""
    ends = [span.start for kind, span in cable.header_order if kind in _AFTER_CAPTIONS]
    return min(ends) if ends else len(cable.source.text)


def _first_zone(cable: Cable, items: list[_Item]) -> list[_Item]:
    """The items of the caption zone: exports that print the header twice repeat the
    captions below it."""
    end = _zone_end(cable)
    return [i for i in items if i.span.start < end]


# ------------------------------------------------------------------ misspelt captions

def _osa(a: str, b: str) -> int:
    """Edit distance with adjacent transpositions (optimal string alignment)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


#: single-word captions long enough to recognise misspelt; ROGER is also a name, and
#: four-letter EFTO/FOUO sit one letter away from ordinary words (FOUR, LEFT)
_FUZZY_TARGETS = tuple(sorted(c for c in KNOWN_CAPTIONS if " " not in c and len(c) >= 5
                              and c != "ROGER"))
#: real words and acronyms one edit from a caption, seen standing alone in cable text
_NOT_CAPTIONS = frozenset({
    "NODES", "CODIS", "ECDIS", "NOVIS", "OPCON", "ORION", "ARCON", "STASIS", "TERRES",
    "SENSITIZE", "SENSITIZED", "INSENSITIVE", "SENSITIVELY", "SENSITIVITY", "CONTRACT",
    "CONTRACTS", "CHEROKEES",
})
_CAPTION_SPLIT = kept.compile("(" + "|".join(sorted(_FUZZY_TARGETS + ("EFTO", "FOUO"), key=len,
                                                  reverse=True)) + ")")


@functools.lru_cache(maxsize=4096)
def _meant_caption(word: str) -> str | None:
    """The known caption an unknown caption word was plausibly meant as, or None."""
    if word in _NOT_CAPTIONS or not word.isalpha() or len(word) < 5:
        return None
    best: tuple[int, str] | None = None
    for known in _FUZZY_TARGETS:
        if abs(len(known) - len(word)) > 2:
            continue
        limit = 2 if len(known) >= 8 and len(word) >= 7 else 1
        d = _osa(word, known)
        if d <= limit and (best is None or d < best[0]):
            best = (d, known)
    return best[1] if best else None


def _run_together(word: str) -> list[str] | None:
    """Two or more known captions written as one word: NOFORNSIPDIS."""
    parts = [p for p in _CAPTION_SPLIT.split(word) if p]
    if len(parts) >= 2 and all(p in KNOWN_CAPTIONS for p in parts):
        return parts
    return None


_LEVEL_WORDS = frozenset({"UNCLAS", "UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "TOP", "LIMITED"})


@functools.lru_cache(maxsize=4096)
def _plausible(word: str) -> bool:
    """A caption, a classification word, or a caption misspelt or run together."""
    return (word in KNOWN_CAPTIONS or word in _LEVEL_WORDS or _meant_caption(word) is not None
            or _run_together(word) is not None)


@functools.lru_cache(maxsize=4096)
def _caption_tokens(text: str) -> tuple[tuple[tuple[int, int, str, str], ...], int]:
    """The words of a caption line (offsets in it, as written, normalised) and how many
    of them are not plausible captions; caption lines repeat from cable to cable."""
    tokens = tuple((m.start(), m.end(), m.group(), _norm(m.group())) for m in _TOKEN.finditer(text))
    return tokens, sum(not _plausible(word) for _, _, _, word in tokens)


def _items(cable: Cable) -> list[_Item]:
    """Banner controls, then the caption lines' words, in text order.

    The grammar reads any short capitalised line of the header as a caption line; a
    line with two ordinary words ("SENSITIVE SITE EXPLOITATION"), or with one below
    the E.O./TAGS/SUBJECT lines, is a heading, and is left out.
    """
    out: list[_Item] = []
    banner = cable.banner
    if banner is not None and banner.controls and not _record_field(cable):
        text = cable.source.text
        for word, span in zip(banner.controls, banner.control_spans):
            if word != "REL TO":
                out.append(_new_item(_Item, (_norm(word), span, True, text[span.start:span.end])))
    zone_end = None  # worked out only for a line with one implausible word
    ordered = True   # out is in the order of the Spans: (start, end)
    last = None
    for item in out:
        key = (item.span.start, item.span.end)
        if last is not None and key < last:
            ordered = False
        last = key
    for cap in cable.captions:
        tokens, other = _caption_tokens(cap.text)
        if other >= 2:
            continue
        span = cap.span
        base = span.start
        if other == 1:
            if zone_end is None:
                zone_end = _zone_end(cable)
            if base > zone_end:
                continue
        for start, end, raw, word in tokens:
            key = (base + start, base + end)
            if last is not None and key < last:
                ordered = False
            last = key
            # a one-word line: the word's span is the line's
            out.append(_new_item(_Item, (word, span if start == 0 and span.end == key[1]
                                         else Span(*key), False, raw)))
    if not ordered:
        out.sort(key=_span_key)  # the order of the Spans: (start, end)
    return out


def _span_key(item: _Item) -> tuple[int, int]:
    return item.span.start, item.span.end


#: the last cable's items, and its items by word: every H rule reads them, so they are
#: worked out once per cable (the cable itself is kept and compared with ``is``: ids
#: are reused)
_last: list = [None, None, None]


def _cable_items(cable: Cable) -> list[_Item]:
    """:func:`_items` of ``cable``, shared by the rules (which must not change the list)."""
    if _last[0] is cable:
        return _last[1]
    items = _items(cable)
    by_word: dict[str, list[_Item]] = {}
    for item in items:
        by_word.setdefault(item.word, []).append(item)
    _last[0], _last[1], _last[2] = cable, items, by_word
    return items


def _words(cable: Cable) -> dict[str, list[_Item]]:
    """The items of ``cable`` by word (no word with no item), shared (callers must not
    change it): ``word in _words(cable)`` is ``bool(_found(cable, word))``."""
    if _last[0] is not cable:
        _cable_items(cable)
    return _last[2]


def _found(cable: Cable, *words: str) -> Sequence[_Item]:
    """``_find(_cable_items(cable), *words)``, shared (callers must not change it)."""
    if _last[0] is not cable:
        _cable_items(cable)
    by_word = _last[2]
    if len(words) == 1:
        return by_word.get(words[0], ())
    found = None   # the one word's items, while only one of the words has some
    for w in words:
        items = by_word.get(w)   # a list there is never empty
        if items:
            if found is not None:
                return [i for i in _last[1] if i.word in words]
            found = items
    return found if found is not None else ()


@rule("H401", "unknown-caption", Severity.ERROR)
def unknown_caption(cable: Cable, ctx: Context) -> Iterable[Issue]:
    """A caption is misspelt (NOFORNN, EXDIST), or EFTO is used other than as UNCLAS EFTO.

    Why: captions route and restrict a telegram (5 FAH-2 H-440); the messaging center
    acts only on the captions it knows, so a misspelt NOFORN or EXDIS is silently
    lost and the cable travels without its restriction. EFTO (encrypt for
    transmission only) is a designation of unclassified traffic alone, written on the
    classification line as UNCLAS EFTO (5 FAH-2 H-222). Only words within one or two
    letters of a known caption are judged: other short capitalised lines in the
    header are headings or names, not captions.
    Bad:   "NOFORNN" or "EXDIST" on a caption line; "CONFIDENTIAL EFTO"
    Good:  "NOFORN", "EXDIS"; "UNCLAS EFTO LONDON 002187"
    """
    words = _words(cable)
    if "EFTO" not in words and words.keys() <= KNOWN_CAPTIONS:
        return ()  # every caption known, and no EFTO (most cables)
    return _unknown(cable, _cable_items(cable))


def _unknown(cable: Cable, items: list[_Item]) -> Iterator[Issue]:
    """H401's findings, where an item is no known caption or is EFTO."""
    banner = cable.banner   # cable.level, without its property
    level = banner.level if banner is not None else None
    for item in items:
        if item.word in KNOWN_CAPTIONS:
            if item.word != "EFTO" or level is None:
                continue
            if level > Level.U:
                yield Issue(item.span, f"EFTO on a {level.word} telegram: EFTO marks "
                            "unclassified traffic only; remove it (the classification already "
                            "protects the text)")
            elif not item.on_banner:
                yield Issue(item.span, "EFTO on a caption line: write it on the classification "
                            "line, as UNCLAS EFTO", severity=Severity.WARNING)
            continue
        if item.on_banner:
            continue
        parts = _run_together(item.word)
        if parts:
            yield Issue(item.span, f"captions run together as {item.raw}: write "
                        f"{' and '.join(parts)} apart, each on its own caption line")
            continue
        meant = _meant_caption(item.word)
        if meant:
            yield Issue(item.span, f"unknown caption {item.raw}: the messaging center will not act "
                        f"on it; did you mean {meant}?")


@rule("H402", "sipdis-with-nodis-exdis", Severity.ERROR)
def sipdis_with_nodis_exdis(cable: Cable, ctx: Context) -> Iterable[Issue]:
    """SIPDIS is given together with NODIS or EXDIS.

    Why: SIPDIS posts a telegram to every SIPRNet reader, while NODIS and EXDIS
    restrict it to named principals; a SIPDIS message may not carry captions that
    limit distribution within the USG (5 FAH-2 H-440; Department guidance on the
    SIPDIS caption, 05 STATE 226504). The conflicting captions leave the cable's
    reach to chance.
    Bad:   "NODIS" and "SIPDIS" on the caption lines of one telegram
    Good:  "NODIS" alone, or "SIPDIS" alone for a telegram fit for wide sharing
    """
    words = _words(cable)
    sipdis = words.get("SIPDIS")
    if not sipdis or "NODIS" not in words and "EXDIS" not in words:
        return ()  # (most cables)
    restricted = _found(cable, "NODIS", "EXDIS")
    if restricted:
        word = restricted[0].word
        return [Issue(sipdis[0].span, f"SIPDIS together with {word}: the {word} telegram must "
                      f"not go to SIPRNet distribution; remove SIPDIS (or {word} if the cable "
                      "may be shared)")]
    return ()


@rule("H404", "nodis-with-exdis", Severity.ERROR)
def nodis_with_exdis(cable: Cable, ctx: Context) -> Iterable[Issue]:
    """NODIS and EXDIS are both given.

    Why: NODIS (no distribution beyond the addressee principals) and EXDIS
    (exclusive distribution to officers with an essential need) are alternative
    distribution captions, NODIS the stricter (5 FAH-2 H-440); giving both leaves
    the messaging center and the reader unsure which distribution applies.
    Bad:   "NODIS" and "EXDIS" on the caption lines of one telegram
    Good:  "NODIS" alone (or "EXDIS" alone)
    """
    words = _words(cable)
    nodis = words.get("NODIS")
    if not nodis:
        return ()
    exdis = words.get("EXDIS")
    if exdis:
        second = max(nodis[0], exdis[0], key=lambda i: i.span)
        return [Issue(second.span, "NODIS and EXDIS given together: keep one distribution "
                      "caption (NODIS is the stricter)")]
    return ()


@rule("H405", "restricted-without-noforn", Severity.WARNING)
def restricted_without_noforn(cable: Cable, ctx: Context) -> Iterable[Issue]:
    """A classified NODIS or EXDIS telegram carries no NOFORN.

    Why: NODIS and EXDIS restrict a telegram to a few named US officials; a cable
    not fit for sharing within the USG is not fit for foreign nationals either, and
    telegrams not releasable to foreign nationals must say NOFORN (5 FAH-2 H-440,
    12 FAM 500). An unclassified cable is not judged (NOFORN needs a classified or
    SBU portion), nor one without a classification line.
    Bad:   "S E C R E T STATE 012345" with the caption "NODIS" and no NOFORN
    Good:  "S E C R E T STATE 012345" with the captions "NODIS" and "NOFORN"
    """
    banner = cable.banner   # cable.level, without its property
    level = banner.level if banner is not None else None
    if level is None or level == Level.U:
        return ()
    words = _words(cable)
    if "NODIS" not in words and "EXDIS" not in words:   # the usual cable: neither
        return ()
    items = _found(cable, "NODIS", "EXDIS", "NOFORN")
    restricted = [i for i in items if i.word != "NOFORN"]
    if restricted and len(restricted) == len(items):
        word = restricted[0].word
        return [Issue(restricted[0].span, f"{word} telegram without NOFORN: add the NOFORN "
                      "caption, or reconsider the distribution caption")]
    return ()


_RANK = {w: n for n, w in enumerate(DISTRIBUTION_CAPTIONS)}
_DISTRIBUTION = frozenset(DISTRIBUTION_CAPTIONS)


@rule("H406", "distribution-caption-order", Severity.WARNING)
def distribution_caption_order(cable: Cable, ctx: Context) -> Iterable[Issue]:
    """With several distribution captions, the most restrictive is not first.

    Why: STADIS may be combined with NODIS or EXDIS, and the most restrictive
    caption must appear first (5 FAH-2 H-252.1-1, 5 FAH-2 H-440): the messaging
    center routes on the first distribution caption it reads. NODIS with EXDIS is
    rule H404's, not this one's.
    Bad:   "STADIS" on the caption line above "EXDIS"
    Good:  "EXDIS" above "STADIS"
    """
    rank = _RANK
    if len(_words(cable).keys() & _DISTRIBUTION) < 2:
        return ()  # the usual cable: one distribution caption at most (if twice, nothing mixed)
    items = [i for i in _cable_items(cable) if i.word in rank]
    words = {i.word for i in items}
    if "NODIS" in words and "EXDIS" in words:  # H404: one of the two must go
        items = [i for i in items if i.word != "EXDIS"]
        words.discard("EXDIS")   # the words of the items left
    if len(words) < 2:
        return ()
    strictest = min(items, key=lambda i: (rank[i.word], i.span))
    if items[0].word != strictest.word:
        return [Issue(strictest.span, f"{strictest.word} is the most restrictive caption but "
                      f"{items[0].word} comes first: put {strictest.word} first")]
    return ()


@rule("H407", "sensitive-on-classified", Severity.ERROR)
def sensitive_on_classified(cable: Cable, ctx: Context) -> Iterable[Issue]:
    """A SENSITIVE (Sensitive But Unclassified) caption is on a classified telegram.

    Why: the SENSITIVE caption marks an unclassified telegram that holds Sensitive
    But Unclassified information (5 FAH-2 H-440, 12 FAM 540); on a CONFIDENTIAL or
    SECRET telegram it contradicts the classification line. A compound term on the
    classification line itself (SECRET SENSITIVE) is rule C212's.
    Bad:   "C O N F I D E N T I A L PARIS 001234" with the caption "SENSITIVE"
    Good:  "UNCLAS PARIS 001234" with the caption "SENSITIVE"
    """
    banner = cable.banner   # cable.level, without its property
    level = banner.level if banner is not None else None
    if level is None or level == Level.U:
        return ()
    words = _words(cable)
    if _SENSITIVE[0] not in words and _SENSITIVE[1] not in words:
        return ()  # (most cables)
    found = _found(cable, *_SENSITIVE)
    found = [i for i in found if not i.on_banner]
    if found:
        return [Issue(found[0].span, f"{found[0].word} caption on a {level.word} telegram: the "
                      "caption is for unclassified (SBU) traffic; remove it, or correct the "
                      "classification line")]
    return ()


_NF_PORTION = kept.compile(r"\((?:TS|S|C|U|SBU)? *(?:/{1,2}|-| ) *(?:[^()\n]{0,40}?[/ ,-])?"
                         r"(?:NF|NOFORN)(?![A-Za-z])[^()\n]{0,40}\)")


def _has_nf_portion(cable: Cable) -> bool:
    marks = [p.marking for p in cable.paragraphs] + [t.marking for t in cable.text_blocks] + \
        [t.marking for t in cable.header_text] + [cable.subject.marking if cable.subject else None]
    if any(m is not None and m.noforn for m in marks):
        return True
    text = cable.source.text
    body = [p.span for p in cable.paragraphs] + [t.span for t in cable.text_blocks]
    return any(_NF_PORTION.search(text, s.start, s.end) for s in body)


#: the section marker printed at each later section: "ANKARA 00001654  002 OF 002"
#: (also read from the text, since exports vary the blanks the grammar expects)
_SECTION_MARK = kept.compile(r"(?m)^[A-Z][A-Z .'-]* \d{5,9} +(\d{3})(?:\.\d)? +OF +\d{3} *$")


def _section_marks(text: str) -> set[int]:
    """``{int(m[1]) for m in _SECTION_MARK.finditer(text)}``: a match is a whole line
    holding " OF ", so the regex is tried only at the start of such lines."""
    out: set[int] = set()
    at = text.find(" OF ")
    tried = -1
    while at >= 0:
        line = text.rfind("\n", 0, at) + 1
        if line != tried:
            m = _SECTION_MARK.match(text, line)
            if m is not None:
                out.add(int(m[1]))
            tried = line
        at = text.find(" OF ", at + 1)
    return out


def _complete(cable: Cable) -> bool:
    """The whole text is there: no partial-extract notice, no section missing."""
    if cable.partial:
        return False
    banner = cable.banner
    if banner is not None and banner.of:
        seen = {b.section for b in cable.sections} | {1}
        seen |= _section_marks(cable.source.text)
        return seen >= set(range(1, banner.of + 1))
    return True


@rule("H408", "noforn-over-marking", Severity.WARNING)
def noforn_over_marking(cable: Cable, ctx: Context) -> Iterable[Issue]:
    """NOFORN is given although no portion is NF (over-marking), or NOFORN is given twice.

    Why: the banner and captions carry the controls of the portions they sum up
    (32 CFR 2001.21(a), (c)); a NOFORN caption over portions none of which is
    NOFORN withholds from allies what the drafter marked releasable. Judged only
    when every numbered paragraph carries a portion mark and the whole cable is
    there. A second NOFORN (on the classification line and again as a caption, or
    on two caption lines) is noise that hides the caption layout.
    Bad:   caption "NOFORN" over paragraphs "1. (C) ..." and "2. (S) ..." only
    Good:  caption "NOFORN" with "2. (S//NF) ..." among the paragraphs
    """
    found = _words(cable).get("NOFORN")
    if not found:
        return ()
    twice = _first_zone(cable, found)
    if len(twice) > 1:
        return [Issue(twice[1].span, "NOFORN given twice in the caption zone; keep one")]
    paras = cable.paragraphs
    if not paras or any(p.marking is None for p in paras) or not _complete(cable):
        return ()
    if not _has_nf_portion(cable):
        return [Issue(found[0].span, "NOFORN caption but no portion is marked NF: mark the "
                      "NOFORN portions (S//NF), or drop NOFORN if all may be released")]
    return ()


@rule("H410", "official-informal-subject", Severity.ERROR)
def official_informal_subject(cable: Cable, ctx: Context) -> Iterable[Issue]:
    """The OFFICIAL INFORMAL caption is not repeated on the SUBJECT line.

    Why: an Official-Informal telegram is a personal letter between officers sent
    by cable; OFFICIAL INFORMAL must appear both on the caption line and on the
    SUBJECT line (5 FAH-2 H-252.1-2), so the addressee's office files it as such.
    A missing SUBJECT line is rule T507's.
    Bad:   caption "OFFICIAL INFORMAL", "SUBJECT: VISIT OF THE MINISTER"
    Good:  caption "OFFICIAL INFORMAL", "SUBJECT: OFFICIAL INFORMAL: VISIT OF THE MINISTER"
    """
    found = _words(cable).get("OFFICIAL INFORMAL")
    subject = cable.subject
    if not found or subject is None:
        return ()
    if "OFFICIAL INFORMAL" in _norm(cable.text_of(subject.span)):
        return ()
    return [Issue(found[0].span, "OFFICIAL INFORMAL caption not repeated on the SUBJECT line: "
                  "begin the subject with \"OFFICIAL INFORMAL:\"")]


@rule("H411", "fouo-banner", Severity.WARNING)
def fouo_banner(cable: Cable, ctx: Context) -> Iterable[Issue]:
    """FOR OFFICIAL USE ONLY (FOUO) is the banner or a caption of an unclassified State telegram.

    Why: FOUO is another agency's control marking; a State telegram marks
    unclassified sensitive information as Sensitive But Unclassified, with the
    SENSITIVE caption under UNCLAS (12 FAM 540, 5 FAH-2 H-440), and that is the
    caption the messaging center acts on. FOUO on a classified telegram is rule
    C210's.
    Bad:   "UNCLASSIFIED//FOR OFFICIAL USE ONLY" as the classification line
    Good:  "UNCLAS STATE 012345" with the caption "SENSITIVE"
    """
    banner = cable.banner
    level = banner.level if banner is not None else None   # cable.level
    if banner is None or level is None or level > Level.U:
        return ()
    words = _words(cable)
    if _FOUO[0] not in words and _FOUO[1] not in words:
        return ()  # (most cables)
    if banner.post is None and any(b.post for b in cable.banner_repeats):
        return ()  # an archive's classification field above the telegram's own line
    found = _found(cable, *_FOUO)
    if found:
        where = "on the classification line" if found[0].on_banner else "as a caption"
        return [Issue(found[0].span, f"{found[0].raw} {where} of a State telegram: State marks "
                      "such traffic UNCLAS with the SENSITIVE caption (SBU); replace it")]
    return ()


_SIPDIS_CUTOFF = _dt.date(2006, 1, 1)
#: SIPDIS anywhere in the header zone: exports run caption lines together with the
#: classification line or the E.O. line ("MOSCOW 005585 SIPDIS SIPDIS DEPT FOR ...",
#: "ISLAMABAD 002903SIPDISE.O. 12958")
_SIPDIS_ANY = kept.compile(r"(?<![A-Za-z])SIPDIS", re.IGNORECASE)
#: (longest first; ties in text order, so the pattern is the same in every process and
#: its compiled code can be kept: see markcheck.kept)
_CAPTION_WORDS = "|".join(sorted((re.escape(c) for c in KNOWN_CAPTIONS), key=lambda c: (-len(c), c)))
#: a line of the body that holds captions only, SIPDIS among them
_SIPDIS_LINE = kept.compile(
    r"(?im)^[ \t,.;/-]*(?:(?:%s)[ \t,.;/-]+)*(SIPDIS)(?:[ \t,.;/-]+(?:%s))*[ \t,.;/-]*$"
    % (_CAPTION_WORDS, _CAPTION_WORDS))


def _header_fields(cable: Cable) -> list[Span]:
    """The spans of SUBJECT, TAGS and REF: a SIPDIS inside them is no caption."""
    return [e.span for e in (cable.subject, cable.tags, cable.references) if e is not None]


def _inside(at: int, spans: list[Span]) -> bool:
    return any(s.start <= at < s.end for s in spans)


def _in_field(cable: Cable, at: int) -> bool:
    """``_inside(at, _header_fields(cable))``, without the list and the generator."""
    for element in (cable.subject, cable.tags, cable.references):
        if element is not None:
            span = element.span
            if span.start <= at < span.end:
                return True
    return False


def _sipdis_in_header(cable: Cable) -> bool:
    """SIPDIS stands somewhere between the top and the first numbered paragraph."""
    text = cable.source.text
    end = cable.paragraphs[0].span.start if cable.paragraphs else len(text)
    # the usual caption first, as written: "SIPDIS" on a caption line (the answer is True
    # if any match stands outside the SUBJECT, TAGS and REF fields, whichever is tried first)
    at = text.find("SIPDIS", 0, end)
    if at >= 0 and _SIPDIS_ANY.match(text, at, end) is not None and not _in_field(cable, at):
        return True
    # _SIPDIS_ANY.finditer(text, 0, end), tried only where the keyed text holds "sipdis";
    # only the header is keyed (_fold keeps one character for one, so the keyed header
    # is the keyed text's first ``end`` characters): the body's is rarely needed
    head = text[:end]
    keyed = head.lower() if head.isascii() else _fold(head)
    at = keyed.find("sipdis", 0, end)
    while at >= 0:
        m = _SIPDIS_ANY.match(text, at, end)
        if m is None:
            at = keyed.find("sipdis", at + 1, end)
            continue
        if not _in_field(cable, at):
            return True
        at = keyed.find("sipdis", m.end(), end)
    return False


def _sipdis_line(cable: Cable, span: Span) -> re.Match | None:
    """``_SIPDIS_LINE.search(text, span.start, span.end)``, tried only at the start of a
    line (inside the span) whose keyed text holds "sipdis": a match is such a line."""
    text = cable.source.text
    keyed = _keyed(cable)
    start, end = span.start, span.end
    at = keyed.find("sipdis", start, end)
    tried = -1
    while at >= 0:
        line = text.rfind("\n", 0, at) + 1
        if line >= start and line != tried:
            m = _SIPDIS_LINE.match(text, line, end)
            if m is not None:
                return m
            tried = line
        at = keyed.find("sipdis", at + 1, end)
    return None


@rule("H412", "sipdis-missing", Severity.WARNING)
def sipdis_missing(cable: Cable, ctx: Context) -> Iterable[Issue]:
    """SIPDIS is missing from the caption zone of a 2006 or later telegram, or stands in the body.

    Why: from December 2005 the Department asked that every telegram fit for
    sharing with SIPRNet users carry the SIPDIS distribution caption (5 FAH-2 H-440,
    05 STATE 226504); only the caption zone under the classification line is read
    for it, so a SIPDIS caption line lower down in the body does not distribute the
    cable. NODIS and EXDIS telegrams may not carry it (rule H402), and a cable
    without a classification line, a date, or its first section is not judged.
    SIPDIS in older cables is common and never an error; SIPDIS mentioned in a
    sentence ("please include SIPDIS in replies") is no caption.
    Bad:   a 2008 telegram whose caption lines hold only "SENSITIVE"
    Good:  a 2008 telegram with "SIPDIS" on a caption line under the classification line
    """
    banner = cable.banner
    if banner is None:
        return ()
    if _on_or_after(ctx, _SIPDIS_CUTOFF) is not True:
        return ()
    if banner.section not in (None, 1) or cable.partial:
        return ()
    words = _words(cable)
    if "NODIS" in words or "EXDIS" in words or _sipdis_in_header(cable):
        return ()
    for span in sorted([p.span for p in cable.paragraphs] + [t.span for t in cable.text_blocks]):
        m = _sipdis_line(cable, span)
        if m:
            return [Issue(Span(m.start(1), m.end(1)), "the SIPDIS caption stands in the body: "
                          "move it to a caption line under the classification line")]
    return [Issue(banner.span, "no SIPDIS caption: add SIPDIS on a caption line under the "
                  "classification line (or a restrictive caption if the cable may not be "
                  "shared)")]
