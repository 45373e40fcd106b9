"""S: the structure of the telegram."""

from __future__ import annotations

import bisect
import operator
import os
import re
from collections.abc import Iterable, Iterator

from .. import kept
from ..diagnostics import Severity
from ..markings import Level, level_from_word
from ..model import Cable, Span
from . import Context, Issue, matches_at, per_cable, rule

_REFID = kept.compile(r"^(\d{2})([A-Z]+?)(\d+)(?:\.[A-Za-z]+)?$")


def _first_line(cable: Cable, start: int = 0) -> Span:
    text = cable.source.text
    start = start or len(text) - len(text.lstrip())
    end = text.find("\n", start)
    return Span(start, max(start, len(text) if end < 0 else end))


def _not_a_cable(cable: Cable) -> bool:
    """Nothing in the text is a cable's: no classification line, no header element."""
    return cable.banner is None and not cable.header_order


@rule("S100", "unparsable-cable", Severity.ERROR)
def unparsable_cable(cable: Cable, ctx: Context) -> Iterable[Issue]:
    """The text cannot be parsed as a cable at all.

    Why: every other check reads the cable's parts; when nothing in the text reads as
    a telegram (no classification line, no E.O./TAGS/SUBJECT/Classified By line, no
    caption) no marking can be judged, so markcheck says so once, at the first line,
    instead of guessing (one diagnostic per file, never a cascade).
    Bad:   an empty file, or a letter, a memo, a web page with no cable in it
    Good:  a telegram: classification line, captions, E.O., TAGS, SUBJECT, paragraphs
    """
    if cable.parse_error is not None:
        message, offset = cable.parse_error
        return [Issue(Span(offset, offset + 1),
                      f"cannot parse the text as a cable ({message}); check the file is a telegram")]
    if _not_a_cable(cable):
        what = "the file is empty" if not cable.source.text.strip() else (
            "no classification line, header line or caption found")
        return [Issue(_first_line(cable), f"not a cable ({what}); markcheck reads State "
                      "Department telegrams: classification line, captions, E.O., TAGS, SUBJECT")]
    return ()


@rule("S101", "missing-classification-line", Severity.ERROR)
def missing_classification_line(cable: Cable, ctx: Context) -> Iterable[Issue]:
    """No classification line opens the telegram.

    Why: the first line of a telegram (after any routing header, partial-extract
    notice or metadata prefix) carries its overall classification; without it a
    reader cannot tell how to handle the cable (32 CFR 2001.21(a), 5 FAH-2 H-440).
    Bad:   a telegram that starts with "SIPDIS" or "E.O. 12958: ..."
    Good:  "C O N F I D E N T I A L SECTION 01 OF 02 PARIS 007961" as the first line
    """
    if cable.parse_error is not None or cable.banner is not None or _not_a_cable(cable):
        return ()
    return [Issue(_first_line(cable, cable.header_order[0][1].start),
                  "no classification line opens the telegram; add UNCLASSIFIED, CONFIDENTIAL, "
                  "SECRET or TOP SECRET as its first line")]


# ---------------------------------------------------------------------- header order
_ORDER = {"caption": 1, "passing": 1, "eo": 3, "tags": 4, "subject": 5, "ref": 6,
          "classified_by": 7}
_LABEL = {"caption": "a caption", "passing": "a passing line", "eo": "the E.O. line",
          "tags": "TAGS", "subject": "SUBJECT", "ref": "REF", "classified_by": "Classified By"}


@rule("S102", "header-out-of-order", Severity.WARNING)
def header_out_of_order(cable: Cable, ctx: Context) -> Iterator[Issue]:
    """Header elements stand out of order.

    Why: the telegram format fixes the order of the header (5 FAH-2 H-440): the
    classification line, captions and passing lines, the E.O. line, TAGS, SUBJECT,
    REF, the Classified By line, then the text; readers and message handlers rely on
    finding each element in its place.
    Bad:   "SUBJECT: ..." before "TAGS: ..."
    Good:  E.O., TAGS, SUBJECT, REF, Classified By, in that order
    """
    highest = 0
    highest_kind = ""
    for kind, span in cable.header_order:
        rank = _ORDER.get(kind)
        if rank is None:
            continue
        if rank < highest:
            yield Issue(span, f"{_LABEL[kind]} stands after {_LABEL[highest_kind]}; the header "
                              "order is captions, E.O., TAGS, SUBJECT, REF, Classified By")
        elif rank > highest:
            highest, highest_kind = rank, kind


# ---------------------------------------------------------------------- sections
@rule("S103", "section-numbering", Severity.ERROR)
def section_numbering(cable: Cable, ctx: Context) -> Iterator[Issue]:
    """``SECTION nn OF mm`` is malformed, or sections disagree or repeat.

    Why: a long telegram is sent in sections, each opening with the classification
    line and ``SECTION nn OF mm``; a section number above the count, a zero, or a
    section that names another post or serial breaks the reassembly of the message.
    Duplicated or out-of-order sections are a warning.
    Bad:   "SECRET SECTION 03 OF 02 PARIS 001234"
    Good:  "SECRET SECTION 01 OF 02 PARIS 001234", then "SECRET SECTION 02 OF 02 PARIS 001234"
    """
    first = cable.banner
    if first is None:
        return
    for b in (first, *cable.banner_repeats):
        if b.section is not None and b.section_span is not None and (
                b.section == 0 or b.of == 0 or b.section > b.of):
            yield Issue(b.section_span, f"SECTION {b.section:02d} OF {b.of:02d} is impossible; "
                                        "number sections from 01 up to the count")
    seen: dict[int, object] = {}
    last = first.section or 0
    text = cable.source.text
    for b in cable.banner_repeats:
        if b.post and first.post and b.serial and first.serial and (
                b.post.replace(" ", "") != first.post.replace(" ", "")
                or b.serial.lstrip("0") != first.serial.lstrip("0")):
            if _QUOTED.search(text, max(0, b.span.start - 200), b.span.start):
                continue  # a repeated telegram: the cable it repeats, quoted whole
            yield Issue(b.origin_span or b.span,
                        f"this classification line names {b.post} {b.serial}, the cable is "
                        f"{first.post} {first.serial}; another cable's text follows, or the "
                        "post/serial is wrong")
            return
        if b.section is None or first.section is None:
            continue
        if b.of is not None and first.of is not None and b.of != first.of:
            yield Issue(b.section_span, f"SECTION {b.section:02d} OF {b.of:02d} disagrees with "
                                        f"the count {first.of:02d} of section 01")
        elif b.section == last or b.section in seen:
            yield Issue(b.section_span, f"section {b.section:02d} appears twice",
                        Severity.WARNING)
        elif b.section < last:
            yield Issue(b.section_span, f"section {b.section:02d} comes after section {last:02d}",
                        Severity.WARNING)
        seen[b.section] = b
        last = max(last, b.section)


#: the line before a repeated telegram's quoted text ("QUOTE:", then the cable it repeats)
_QUOTED = kept.compile(r"(?:^|\n)[ \t]*(?:BEGIN +)?QUOTE[ \t]*:?[ \t]*\n[ \t\n]*\Z", re.I)


# ---------------------------------------------------------------------- classification line
_CANONICAL_LEVELS = frozenset({
    "UNCLAS", "UNCLASSIFIED", "LIMITED OFFICIAL USE", "CONFIDENTIAL", "C O N F I D E N T I A L",
    "SECRET", "S E C R E T", "TOP SECRET", "T O P S E C R E T"})


@rule("S104", "garbled-classification-line", Severity.WARNING)
def garbled_classification_line(cable: Cable, ctx: Context) -> Iterable[Issue]:
    """The classification line is garbled or mis-cased.

    Why: the classification must be unmistakable at a glance (32 CFR 2001.20); a
    doubled or lost letter or lower case (``CC O N F I D E N T I A L``,
    ``C o n f i d e n t i a l``) is a transmission or export error that a reader may
    misread and that automatic handling may not recognise.
    Bad:   "CC O N F I D E N T I A L SECTION 01 OF 02 MADRID 000779"
    Good:  "C O N F I D E N T I A L SECTION 01 OF 02 MADRID 000779"
    """
    b = cable.banner
    if b is None:
        return ()
    if b.level_text not in _CANONICAL_LEVELS:
        word = b.level.word if b.level is not None else "the level"
        return [Issue(b.level_span, f"classification written {b.level_text!r}; write {word} in "
                                    "capitals, spaced or not")]
    if b.post and b.post != b.post.upper():
        return [Issue(b.origin_span or b.span, f"post {b.post!r} on the classification line is "
                                               "not in capitals")]
    return ()


@rule("S105", "section-classification-differs", Severity.ERROR)
def section_classification_differs(cable: Cable, ctx: Context) -> Iterator[Issue]:
    """A later section repeats a different classification than section 01.

    Why: every section of a telegram carries the classification of the whole message
    (5 FAH-2 H-440); a section that says otherwise leaves its reader with a wrong
    level for that part of the message.
    Bad:   section 01 "CONFIDENTIAL", section 02 "SECRET"
    Good:  every section "CONFIDENTIAL"
    """
    first = cable.banner
    if first is None or first.level is None:
        return
    for b in cable.banner_repeats:
        same_cable = not (b.serial and first.serial and b.serial.lstrip("0") != first.serial.lstrip("0"))
        if same_cable and b.level is not None and b.level != first.level:
            yield Issue(b.level_span, f"this section is marked {b.level.word}, section 01 "
                                      f"{first.level.word}; mark every section alike")


_SLASH_ONLY = os.path.sep == "/" and os.path.altsep is None


@rule("S106", "malformed-origin", Severity.WARNING)
def malformed_origin(cable: Cable, ctx: Context) -> Iterable[Issue]:
    """Post/serial on the classification line malformed, or not the reference id's.

    Why: the post and serial on the classification line identify the telegram; its
    reference id is ``YY<POST><serial>`` (``05PARIS7961`` for ``PARIS 007961``). Text
    glued to the serial, or a file named for one cable that holds another, breaks
    that identification.
    Bad:   "S E C R E T ANKARA 008305S/CT FOR REAP" in 02ANKARA8305.txt; PARIS 005539 in
           05SOFIA1280.txt
    Good:  "S E C R E T SECTION 01 OF 05 ANKARA 008305" in 02ANKARA8305.txt
    """
    b = cable.banner
    if b is None or b.origin_span is None or b.serial is None:
        return ()
    if b.tail_span is not None and b.tail_span.start == b.origin_span.end:
        return [Issue(b.tail_span, f"text glued to the serial {b.serial}; the serial ends the "
                                   "classification line")]
    path = cable.source.path
    # os.path.basename, without its calls, where paths are str split at "/" only
    m = _REFID.match(path[path.rfind("/") + 1:] if _SLASH_ONLY and type(path) is str
                     else os.path.basename(path))
    if m and b.post:
        post = b.post.replace(" ", "").upper()
        # the reference id's post may carry a caption prefix: 09EFTOLONDON2521
        if not m[2].endswith(post) or int(m[3]) != int(b.serial):
            refid = m[1] + m[2] + m[3]
            return [Issue(b.origin_span, f"{b.post} {b.serial} does not match the reference id "
                                         f"{refid} of the file name; check the file holds that cable")]
    return ()


# ---------------------------------------------------------------------- paragraphs
_NUMBER = operator.attrgetter("number")
#: the printable ASCII characters but the blank (none of them is stripped by rstrip())
_PRINTABLE = frozenset(map(chr, range(33, 127)))


@rule("S107", "paragraph-numbering", Severity.ERROR)
def paragraph_numbering(cable: Cable, ctx: Context) -> Iterator[Issue]:
    """Paragraph numbers do not run 1, 2, 3, ... across sections.

    Why: paragraphs of a telegram are numbered consecutively through all its sections
    (5 FAH-1 H-200 drafting rules); a gap, a duplicate or a restart means text was
    lost, repeated or misnumbered, and references to "para 4" point wrong.
    Bad:   paragraphs 1, 2, 4 (gap), or 1, 2, 2 (duplicate), or 1, 2, 1 (restart)
    Good:  paragraphs 1, 2, 3
    """
    paras = cable.paragraphs
    if not paras:
        return
    # Numbered lists inside paragraphs ("1) ...", or unmarked "1." items in a marked
    # cable) are not paragraphs: follow the cable's own numbering style and, where most
    # paragraphs are marked, let an unmarked number that does not fit pass.
    text = cable.source.text
    # one loop for the style, the marking and the number of each paragraph (cheaper
    # here than a map(attrgetter) per attribute)
    styles = []
    unmarked = 0
    in_order = True  # numbered 1, 2, 3, ... in one copy
    copy = paras[0].copy
    for i, p in enumerate(paras, 1):
        span = p.number_span
        # the last character of the number that is not blank: mostly its very last
        end = span.end
        style = text[end - 1] if end > span.start else ""
        if style not in _PRINTABLE:
            style = text[span.start:end].rstrip()[-1:]
        styles.append(style)
        if p.marking is None:
            unmarked += 1
        if in_order and (p.number != i or p.copy != copy):
            in_order = False
    style = styles[0]
    n = len(paras)
    uniform = styles.count(style) == n
    if not uniform:
        style = max(sorted(set(styles)), key=styles.count)  # sorted: a tie breaks the same way every run
    marked = (n - unmarked) * 2 >= n
    if uniform and (not marked or not unmarked) and in_order:
        return  # one copy, numbered 1, 2, 3, ...: nothing below finds fault with it
    expected = None
    copy = None
    items = [(p, st) for p, st in zip(paras, styles) if st == style]
    for i, (p, st) in enumerate(items):
        if marked and p.marking is None and expected is not None:
            following = next((q for q, _ in items[i + 1:] if q.marking is not None), None)
            if following is not None and following.copy == p.copy and following.number != p.number + 1 \
                    and not (p.number == expected and following.number > p.number):
                # a numbered list item between marked paragraphs (not the paragraph due
                # next, before a later one: a paragraph whose mark and text were cut,
                # "3. XXXXXXXXXXXX.", between paragraphs 2 and 5)
                continue
        if p.copy != copy:  # a file holding the cable twice: each copy is numbered anew
            copy, expected = p.copy, None
        if expected is None:
            if p.number != 1 and not (marked and p.marking is None):
                run_on = _run_on_first(text, p.number_span.start) if p.number == 2 else None
                if run_on is not None:
                    yield Issue(run_on, "paragraph 1 runs on from the text before it (its number is not "
                                        "at the start of a line); start it on a line of its own")
                else:
                    yield Issue(p.number_span, f"the first paragraph is numbered {p.number}; number "
                                               "paragraphs from 1")
            expected = p.number + 1
            continue
        if p.number == expected:
            expected += 1
            continue
        if marked and p.marking is None:
            continue  # an item of a numbered list, not a paragraph
        if not marked and p.number == 1:
            expected = 2  # unmarked text restarting at 1: a list or a form's sub-numbering
            continue
        if p.number == expected - 1:
            what = f"paragraph {p.number} is numbered twice"
        elif p.number == 1:
            what = f"numbering restarts at 1 after paragraph {expected - 1}"
        elif p.number > expected:
            missing = (f"{expected}" if p.number == expected + 1 else f"{expected}-{p.number - 1}")
            what = f"paragraph {p.number} follows {expected - 1}; {missing} missing"
        else:
            what = f"paragraph {p.number} follows {expected - 1}"
        yield Issue(p.number_span, what + "; number paragraphs 1, 2, 3, ... across sections")
        expected = p.number + 1


#: a marked paragraph 1 ("1. (C)", "1.(SBU)"), as a flattened export runs it on at the end
#: of the SUBJECT or Classified By line before it
_FIRST_HEAD = kept.compile(r"(?<![\w.(/-])1 ?[.)] ?\((?:TS|S|C|U|SBU|LOU)(?:[/-][^)\n]{0,40})?\)")


def _run_on_first(text: str, before: int) -> Span | None:
    """Where paragraph 1 stands inside a line before offset ``before`` (the first paragraph
    read, numbered 2), run on from the text before it on that line; else None. Only the
    last 4,000 characters before are read: the end of the header zone."""
    start = max(0, before - 4000)
    last = None
    for m in _FIRST_HEAD.finditer(text, start, before):
        last = m
    if last is None:
        return None
    line_start = text.rfind("\n", 0, last.start()) + 1
    if not text[line_start:last.start()].strip():
        return None  # at the start of its line: a paragraph of its own, not run on
    return Span(last.start(), last.end())


# ---------------------------------------------------------------------- partial cables
@rule("S108", "partial-cable", Severity.INFO)
def partial_cable(cable: Cable, ctx: Context) -> Iterable[Issue]:
    """The file holds only part of the cable.

    Why: a partial extract (the notice "This record is a partial extract of the
    original cable") or a cable whose first section is missing cannot be judged
    whole: checks that need all paragraphs (roll-ups, numbering) see only a part.
    Bad:   "This record is a partial extract of the original cable. ..."
    Good:  the full telegram, every section present
    """
    pre = cable.preamble
    if pre is not None and pre.notice is not None:
        return [Issue(pre.notice, "partial extract of the cable; markings are judged on the part present")]
    b = cable.banner
    if b is not None and b.section is not None and b.section > 1 and b.section_span is not None:
        return [Issue(b.section_span, f"the file starts at section {b.section:02d}; sections "
                                      f"01-{b.section - 1:02d} are missing")]
    return ()


# ---------------------------------------------------------------------- markers
class _Facts:
    """What several rules of this module read of one cable, worked out once (lazily)."""

    __slots__ = ("_found", "_index", "_units", "cable", "text")

    def __init__(self, cable: Cable) -> None:
        self.cable = cable
        self.text = cable.source.text
        self._units: list[tuple[int, int, int | None]] | None = None
        self._index: tuple[list[int], list[int]] | None = None
        self._found: dict[str, list[int]] = {}

    def keyed(self) -> str:
        """The text as :func:`_fold` gives it (lower-cased, for ASCII text)."""
        return _keyed(self.cable)

    def units(self) -> list[tuple[int, int, int | None]]:
        """(start, end, paragraph number or None) of every body unit, in document order."""
        units = self._units
        if units is None:
            cable = self.cable
            units = [(p.span.start, p.span.end, p.number) for p in cable.paragraphs]
            units += [(t.span.start, t.span.end, None) for t in cable.text_blocks]
            units += [(t.span.start, t.span.end, None) for t in cable.header_text]
            units.sort(key=_start)  # stable: ties keep paragraphs, text blocks, header text
            self._units = units
        return units

    def units_holding(self, found: list[int], size: int, into: set[int]) -> None:
        """Add to ``into`` the index (in :meth:`units`) of every unit that holds one of the
        offsets ``found`` with the ``size`` characters from there."""
        units = self.units()
        index = self._index
        if index is None:
            # the starts of the units, and the farthest end of a unit up to each (one
            # loop costs less here than map(itemgetter) and itertools.accumulate)
            starts: list[int] = []
            reach: list[int] = []
            top = -1  # (offsets are never negative)
            for start, end, _ in units:
                starts.append(start)
                if end > top:
                    top = end
                reach.append(top)
            index = self._index = (starts, reach)
        starts, reach = index
        for at in found:
            end = at + size
            j = bisect.bisect_right(starts, at) - 1  # the last unit starting by ``at``
            while j >= 0 and reach[j] >= end:  # else no unit up to j reaches so far
                if units[j][1] >= end:
                    into.add(j)
                j -= 1

    def kinds(self) -> list[int]:
        """The offsets of "summary" and "comment" in the keyed text, in order."""
        found = self._found
        at = found.get("kinds")
        if at is None:
            # two str.find scans cost less than one regex scan led by "mm"; the words
            # cannot overlap (each other or themselves), so the merged list is the same
            keyed = self.keyed()
            summary, comment = _occurrences(keyed, "summary"), _occurrences(keyed, "comment")
            found["summary"] = summary  # (as occurrences("summary") finds them)
            at = found["kinds"] = (sorted(summary + comment) if summary and comment
                                   else summary or comment)
        return at

    def summaries(self) -> list[int]:
        """The offsets of "summary" in the keyed text, in order."""
        found = self._found
        at = found.get("summary")
        if at is None:
            self.kinds()  # finds them
            at = found["summary"]
        return at

    def occurrences(self, word: str) -> list[int]:
        """Every offset where ``word`` (lower-case) stands in the keyed text, in order."""
        found = self._found
        at = found.get(word)
        if at is None:
            at = found[word] = _occurrences(self.keyed(), word)
        return at


@per_cable(lasting=True)
def _keyed(cable: Cable) -> str:
    """The cable's text lower-cased at the same offsets (:func:`_fold`): where a
    case-blind regex matches SIPDIS, the keyed text holds "sipdis". Read by the H rules
    and then by the S rules (other families between), so kept from one family to the
    next."""
    text = cable.source.text
    return text.lower() if text.isascii() else _fold(text)


_start = operator.itemgetter(0)
#: the facts of the last cable seen (the rules of a cable run one after the other)
_facts = per_cable(_Facts)


#: the non-ASCII characters a case-blind (re.I) regex takes for an ASCII letter
_LOOKALIKES = (("\u0130", "i"), ("\u0131", "i"), ("\u017f", "s"), ("\u212a", "k"))


def _fold(text: str) -> str:
    """``text`` lower-cased, one character for one (the offsets stay): a letter that a
    case-blind regex takes for an ASCII letter becomes that letter, any other non-ASCII
    character "?". Where a keyword (lower-case) matches case-blind in ``text``, the
    folded text holds the keyword itself, at the same offset."""
    for char, letter in _LOOKALIKES:
        if char in text:
            text = text.replace(char, letter)
    return text.encode("ascii", "replace").decode("ascii").lower()


def _occurrences(keyed: str, word: str) -> list[int]:
    """Every offset where ``word`` stands in ``keyed``, in order (overlaps too)."""
    out = []
    find = keyed.find
    at = find(word)
    while at >= 0:
        out.append(at)
        at = find(word, at + 1)
    return out


def body_units(cable: Cable) -> Iterator[tuple[str, int, int | None]]:
    """(text, offset, paragraph number or None) of every body unit, in document order."""
    text = cable.source.text
    for start, end, number in _facts(cable).units():
        yield text[start:end], start, number


_WHO = r"(?:(?:EMBASSY|POST|MISSION|CONSULATE|USEU|USUN|DRAFTER'?S|DRAFTERS)\s+)?"
_AT_START = kept.compile(r"(?:BEGIN\s+)?" + _WHO + r"(?P<kind>SUMMARY|COMMENT)\b"
                       r"(?:\s+AND\s+(?P<also>SUMMARY|COMMENT|\w+(?:\s+\w+)?))?"
                       r"\s*(?P<colon>[:.-]|$)", re.I | re.M)
_MID = kept.compile(r"(?:(?<=[.;)]\s)|(?<=[.;)]\s\s)|(?<=[(\[])|(?<=--\s))" + _WHO +
                  r"(?P<kind>SUMMARY|COMMENT)(?:\s+AND\s+(?P<also>SUMMARY|COMMENT|\w+(?:\s+\w+)?))?"
                  r"\s*(?P<colon>:|(?<=COMMENT)\.|(?<=comment)\.)", re.I)
#: the characters a match of _AT_START can start with (case-blind: "\u017f" is an "s")
_AT_START_FIRST = frozenset("BEPMCUDS" "bepmcuds" "\u017f")
# a heading line: "Summary", "------- SUMMARY -------", "I. Summary", "Comment:"
_AFTER_HEADING = r"S?(?:[ \t]+AND[ \t]+\w+(?:[ \t]+\w+)?)?[ \t]*[:.]?[-=/ \t]*$"
_HEADING = kept.compile(r"^[-=/ \t]*(?:[IVX]{1,4}\.|[A-H]\.)?[ \t]*(?:\w+[ \t]+AND[ \t]+)?"
                      r"(?P<kind>SUMMARY|COMMENT)" + _AFTER_HEADING, re.I | re.M)
#: what follows the SUMMARY/COMMENT of a _HEADING match (where it fails after each
#: SUMMARY/COMMENT of a line, _HEADING cannot match at the start of that line)
_HEADING_TAIL = kept.compile(_AFTER_HEADING, re.I | re.M)
_BEGIN = kept.compile(r"\bBEGIN\s+(?P<kind>SUMMARY|COMMENT|TEXT)\b", re.I)
_END = kept.compile(r"\bEND\s+(?:OF\s+)?(?:\w+\s*/\s*)?(?P<kind>SUMMARY|COMMENTS?|TEXT)\b"
                  r"(?:\s+AND\s+(?P<also>SUMMARY|COMMENT)\b)?", re.I)
_SUMMARY_WORD = kept.compile(r"\bSUMMARY\b", re.I)
_PARA_HEAD = kept.compile(r"^\s*\d{1,3}\s?[.)]\s*(?:\([^()\n]{1,40}\)\s*)?")


class _Marker:
    __slots__ = ("what", "kind", "start", "end", "number", "inline")

    def __init__(self, what: str, kind: str, start: int, end: int, number: int | None,
                 inline: bool) -> None:
        self.what, self.kind, self.start, self.end = what, kind, start, end
        self.number, self.inline = number, inline

    @property
    def span(self) -> Span:
        return Span(self.start, self.end)


def _kinds(m: re.Match) -> list[str]:
    kinds = [m["kind"].upper()]
    also = (m["also"] or "").upper()
    if also in ("SUMMARY", "COMMENT"):
        kinds.append(also)
    return kinds


#: where _END and _BEGIN can start in keyed text: at the word, after no word character
#: and before a blank (a character folded to "?" is no word character but may have been
#: one, and may have been a blank: more places, never fewer); _markers looks for the
#: places of _END_AT with str.find
_END_AT = kept.compile(r"end(?<!\wend)[\s?]")
#: the ASCII characters of \w, and the ASCII blanks (\s) with "?"
_WORD = frozenset(c for c in map(chr, range(128)) if c.isalnum() or c == "_")
_BLANK_OR_FOLDED = frozenset(c for c in map(chr, range(128)) if c.isspace() or c == "?")
_BEGIN_AT = kept.compile(r"begin(?<!\wbegin)[\s?]")
#: the words of _WHO (lower-case), by length
_WHO_WORDS = tuple((n, frozenset(w for w in ("embassy", "post", "mission", "consulate", "useu",
                                             "usun", "drafters", "drafter's") if len(w) == n))
                   for n in (4, 7, 8, 9))
_WHO_ENDS = tuple(w for _, words in _WHO_WORDS for w in words)
_WHO_LAST = frozenset(w[-1] for w in _WHO_ENDS)


def _markers(cable: Cable) -> list[_Marker]:
    """Summary, comment and quoted-text markers (opens and ends) in document order."""
    # Each regex is tried only where a match of it can start. Every match holds a
    # keyword (END/BEGIN, SUMMARY/COMMENT, TEXT) that stands (lower-case) in the keyed
    # text at the same offset (see _fold). A match of _END/_BEGIN starts at its END/BEGIN; of
    # _HEADING at the start of the line of its SUMMARY/COMMENT; of _MID at its
    # SUMMARY/COMMENT or at a _WHO word before it; and finditer's scan (leftmost
    # match, then on from its end) is followed over those offsets in order.
    found: list[_Marker] = []
    facts = _facts(cable)
    whole, wkeyed = facts.text, facts.keyed()
    # every marker holds SUMMARY, COMMENT or TEXT: units without are skipped. Every
    # BEGIN marker holds "begin": where the text holds none, no TEXT is ever opened, and
    # an END TEXT, closing nothing, is no fault (see unbalanced_markers); the units with
    # TEXT but no SUMMARY or COMMENT are then skipped (and "text" is not looked for).
    kinds = facts.kinds()
    begins = facts.occurrences("begin")
    texts = facts.occurrences("text") if begins else None
    if not kinds and not texts:
        return found
    relevant: set[int] = set()
    facts.units_holding(kinds, 7, relevant)
    if texts:
        facts.units_holding(texts, 4, relevant)
    units = facts.units()
    left, right = bisect.bisect_left, bisect.bisect_right
    add = found.append
    find = wkeyed.find
    tail = _HEADING_TAIL.match
    end_at, heading, mid = _END.match, _HEADING.match, _MID.match
    for u in sorted(relevant):
        base, end, number = units[u]
        i, j = left(kinds, base), right(kinds, end - 7)  # SUMMARY/COMMENT inside the unit
        text = whole[base:end]
        taken: list[tuple[int, int]] = []  # spans of markers found: no other one starts inside
        # where _END_AT matches in the unit's keyed text: "end" (a str.find scan costs
        # less than the regex's), after no word character, before a blank or "?"
        starts = []
        # An END stands before its SUMMARY/COMMENT/TEXT. Where the text holds no "begin"
        # (no TEXT opens), an END past the unit's last SUMMARY/COMMENT is an END TEXT that
        # closes nothing and covers no other marker's start (they start at or before that
        # word, which holds no "end"): "end" is then looked for only up to that word.
        stop = end - 1 if begins or i >= j else kinds[j - 1]
        # (the keyed text is ASCII: set lookups stand for str.isalnum and str.isspace)
        at = find("end", base, stop)
        while at >= 0:
            if wkeyed[at + 3] in _BLANK_OR_FOLDED and (at == base or wkeyed[at - 1] not in _WORD):
                starts.append(at - base)
            at = find("end", at + 1, stop)
        # matches_at(_END, text, starts), inlined (as _MID's below)
        pos = 0
        for at in starts:
            if at < pos or (m := end_at(text, at)) is None:
                continue
            pos = m.end()
            add(_Marker("end", m["kind"].upper().rstrip("S"), base + at, base + pos, number, False))
            if also := m["also"]:
                add(_Marker("end", also.upper().rstrip("S"), base + at, base + pos, number, False))
            taken.append((at, pos))
        # find("begin", base, end) >= 0, from the offsets of "begin"
        if begins and (b := left(begins, base)) < len(begins) and begins[b] <= end - 5:
            keyed = wkeyed[base:end]
            for m in matches_at(_BEGIN, text, [b.start() for b in _BEGIN_AT.finditer(keyed)]):
                at, pos = m.span()
                add(_Marker("open", m["kind"].upper(), base + at, base + pos, number, False))
                taken.append((at, at + 1))
                kpos = m.start("kind")
                taken.append((kpos, kpos + 1))
        if i >= j:
            continue  # the other markers hold SUMMARY or COMMENT
        rfind = text.rfind
        heads: list[int] = []
        cands: set[int] = set()  # where _MID may match: each SUMMARY/COMMENT, a _WHO word before it
        for k in kinds[i:j]:
            k -= base
            cands.add(k)
            if tail(text, k + 7):  # a heading's line may start before this word
                line = rfind("\n", 0, k) + 1
                if not heads or heads[-1] != line:  # kinds ascend, so do their lines
                    heads.append(line)
            w = k
            while w > 0 and text[w - 1].isspace():
                w -= 1
            if 0 < w < k and wkeyed[base + w - 1] in _WHO_LAST \
                    and wkeyed.endswith(_WHO_ENDS, base, base + w):
                for n, words in _WHO_WORDS:
                    if w >= n and wkeyed[base + w - n:base + w] in words:
                        cands.add(w - n)
        pos = 0  # matches_at(_HEADING, text, heads), inlined
        for at in heads:
            if at < pos or (m := heading(text, at)) is None:
                continue
            pos = m.end()
            kpos = m.start("kind")
            if not (taken and _within(kpos, taken)):
                add(_Marker("open", m["kind"].upper(), base + kpos, base + m.end("kind"),
                            number, False))
                taken.append((at, pos))
        head = _PARA_HEAD.match(text) if number is not None else None
        start = head.end() if head else 0
        # (a match starts with a letter of _AT_START_FIRST: tried only there)
        m = _AT_START.match(text, start) if text[start:start + 1] in _AT_START_FIRST else None
        if m and not (taken and _within(m.start(), taken)):
            for kind in _kinds(m):
                add(_Marker("open", kind, base + m.start("kind"), base + m.end("kind"), number,
                            False))
            taken.append(m.span())
        # matches_at(_MID, text, sorted(cands), start), inlined (no generator per unit)
        pos = start
        for at in sorted(cands):
            if at < pos or (m := mid(text, at)) is None:
                continue
            pos = m.end()
            if not (taken and _within(at, taken)):
                for kind in _kinds(m):
                    add(_Marker("open", kind, base + m.start("kind"), base + m.end("kind"), number,
                                True))
    found.sort(key=_START)
    return found


_START = operator.attrgetter("start")


def _within(at: int, spans: list[tuple[int, int]]) -> bool:
    """Whether ``at`` stands inside one of the (start, end) ``spans`` (a few: a loop
    costs less than a set of every offset they cover)."""
    for start, end in spans:
        if start <= at < end:
            return True
    return False


@rule("S109", "unbalanced-markers", Severity.WARNING)
def unbalanced_markers(cable: Cable, ctx: Context) -> Iterator[Issue]:
    """A ``SUMMARY:``/``COMMENT:``/``BEGIN TEXT`` has no end, or an end has no start.

    Why: drafting convention closes a summary with ``END SUMMARY``, an embassy comment
    with ``END COMMENT`` and quoted text with ``END TEXT`` (5 FAH-1 H-200); a reader
    must know where the post's own comment or the summary stops, above all when the
    text is excerpted or released. A comment that runs to the end of the cable, or one
    inside a single paragraph, needs no end mark.
    Bad:   "1. (C) Summary: ..." and no "End summary." before paragraph 2
    Good:  "1. (C) Summary: ... End summary."
    """
    markers = _markers(cable)
    if not markers:
        return
    open_: dict[str, _Marker] = {}
    seen: set[str] = set()
    for mk in markers:
        if mk.what == "open":
            prev = open_.get(mk.kind)
            if prev is not None and mk.kind == "SUMMARY" and prev.number is not None \
                    and prev.number != mk.number:
                yield Issue(prev.span, "SUMMARY is not closed before the next summary; add END SUMMARY")
            open_[mk.kind] = mk
            seen.add(mk.kind)
        elif mk.kind in open_:
            del open_[mk.kind]
        elif mk.kind not in seen and mk.kind != "TEXT":
            start = {"SUMMARY": "SUMMARY:", "COMMENT": "COMMENT:"}[mk.kind]
            yield Issue(mk.span, f"END {mk.kind} without a start; open it with {start}")
    for kind, mk in open_.items():
        if kind == "COMMENT":
            continue  # comments often run to the end of the cable, closed by its signature
        # (the number of the last paragraph is looked up only here, where it is needed)
        if kind == "SUMMARY" and mk.number is not None \
                and mk.number == max(map(_NUMBER, cable.paragraphs), default=None):
            continue  # a one-paragraph cable that is its own summary
        yield Issue(mk.span, f"{kind} is not closed; add END {kind} where it ends")


def _has_summary_word(cable: Cable) -> bool:
    """Whether _SUMMARY_WORD matches in some body unit; it is tried only where the keyed
    text (see :func:`_fold`) holds "summary", since a match stands there."""
    facts = _facts(cable)
    found = facts.summaries()
    if not found:
        return False
    whole, units = facts.text, facts.units()
    holding: set[int] = set()
    facts.units_holding(found, 7, holding)
    n = len(found)
    for u in holding:
        start, end, _ = units[u]
        last = end - 7
        i = bisect.bisect_left(found, start)
        while i < n and found[i] <= last:
            # _SUMMARY_WORD.match(whole[start:end], k - start), without the slice: its
            # letters stand at k (see _fold), so it matches where the unit starts or ends
            # at the word or no word character (the regex's \w: str.isalnum or "_")
            # stands beside it
            k = found[i]
            if (k == start or not ((c := whole[k - 1]).isalnum() or c == "_")) and (
                    k == last or not ((c := whole[k + 7]).isalnum() or c == "_")):
                return True
            i += 1
    return False


@rule("S110", "long-cable-without-summary", Severity.INFO)
def long_cable_without_summary(cable: Cable, ctx: Context) -> Iterable[Issue]:
    """A long cable (several sections or about 150 lines) has no summary.

    Why: State's drafting guidance asks for a summary at the top of any cable longer
    than a page or two, so busy readers get the point without reading it all.
    Bad:   a cable of three sections whose paragraph 1 is not a summary
    Good:  "1. (C) Summary: ... End summary." at the top
    """
    b = cable.banner
    if b is None or not cable.paragraphs:
        return ()
    if _has_summary_word(cable):  # (its SUMMARY offsets are S109's, already found)
        return ()  # a summary, opened or closed, however it is written
    long_ = (b.of is not None and b.of > 1) or cable.source.text.count("\n") > 150
    if not long_:
        return ()
    return [Issue(b.span, "long cable without a summary; open it with a summary paragraph")]


_SIPDIS = kept.compile(r"(?<![A-Za-z])SIPDIS(?![A-Za-z])")


@rule("S112", "stray-sipdis", Severity.WARNING)
def stray_sipdis(cable: Cable, ctx: Context) -> Iterator[Issue]:
    """``SIPDIS`` stands inside paragraph text.

    Why: SIPDIS is a distribution caption of the caption zone; inside a sentence it is
    an artefact of the SIPRNet export that inserted it, and it corrupts the text a
    reader or a release sees ("the SIPDIS Ambassador said").
    Bad:   "2. (C) The SIPDIS Ambassador met the minister."
    Good:  "SIPDIS" on its own line under the classification line
    """
    paras = cable.paragraphs
    if not paras:
        return
    whole = cable.source.text
    # the paragraphs stand in document order: a SIPDIS in one stands at or after the
    # first one's start (the caption zone above is not searched)
    first = whole.find("SIPDIS", paras[0].span.start)
    if first < 0:
        return
    first += 6  # a paragraph ending before this holds no SIPDIS
    find = whole.find
    for p in paras:
        start, end = p.span.start, p.span.end
        if end < first:
            continue
        at = find("SIPDIS", start, end)
        if at < 0:
            continue  # no match can be made without the word
        # _SIPDIS.finditer(whole[start:end]), tried only where the word stands
        starts = []
        while at >= 0:
            starts.append(at - start)
            at = find("SIPDIS", at + 1, end)
        for m in matches_at(_SIPDIS, whole[start:end], starts):
            yield Issue(Span(start + m.start(), start + m.end()),
                        "SIPDIS inside paragraph text; remove it (it belongs in the caption zone)")


_INDICATOR = {"CCCCC": Level.C, "SSSSS": Level.S, "UUUUU": Level.U, "EEEEE": Level.U,
              "TTTTT": Level.TS}


@rule("S113", "routing-indicator-mismatch", Severity.ERROR)
def routing_indicator_mismatch(cable: Cable, ctx: Context) -> Iterable[Issue]:
    """The routing header's classification indicator disagrees with the classification line.

    Why: the ``ZNY CCCCC``/``ZNY SSSSS``/``ZNR UUUUU`` indicator tells the
    communications system how to handle the message; if it says another level than
    the classification line, the message travels under the wrong protection.
    Bad:   "ZNR UUUUU ZZH" over "S E C R E T STATE 000001"
    Good:  "ZNY SSSSS ZZH" over "S E C R E T STATE 000001"
    """
    b = cable.banner
    routing = cable.preamble.routing if cable.preamble else None
    if b is None or b.level is None or routing is None or routing.indicator is None:
        return ()
    level = _INDICATOR.get(routing.indicator)
    if level is not None and level != b.level:
        return [Issue(routing.indicator_span, f"routing indicator {routing.indicator} means "
                      f"{level.word}, the classification line says {b.level.word}; make them agree")]
    return ()


@rule("S114", "metadata-classification-mismatch", Severity.ERROR)
def metadata_classification_mismatch(cable: Cable, ctx: Context) -> Iterable[Issue]:
    """Document metadata states another classification than the classification line.

    Why: the metadata published with a cable (an archive's table, a media partner's
    prefix) is what search and release tools read; if its level, or its NOFORN, differs
    from the classification line, one of the two is wrong and the cable may be
    mishandled.
    Bad:   "classification: SECRET//NOFORN" over "C O N F I D E N T I A L ..."
    Good:  "classification: CONFIDENTIAL" over "C O N F I D E N T I A L ..."
    """
    b = cable.banner
    if b is None or b.level is None:
        return ()
    stated = cable.source.facts.get("classification")
    where = b.level_span
    if stated is None and cable.preamble is not None:
        for key, value in cable.preamble.metadata:
            if key in ("classification", "class"):
                stated = value
                where = b.level_span
                break
    if not stated:
        return ()
    head, _, controls = stated.upper().partition("//")
    level = level_from_word(head.replace("NOFORN", "").strip())
    if level is None:
        return ()
    if level != b.level:
        return [Issue(where, f"the metadata says {stated.strip()}, the classification line "
                             f"{b.level.word}; correct whichever is wrong")]
    meta_nf = "NOFORN" in stated.upper()
    body_nf = b.noforn or "NOFORN" in cable.caption_words
    if meta_nf != body_nf:
        return [Issue(where, f"the metadata says {stated.strip()}, but the cable "
                             f"{'carries no' if meta_nf else 'carries a'} NOFORN caption; "
                             "correct whichever is wrong")]
    return ()
