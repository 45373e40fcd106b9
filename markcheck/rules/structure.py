"""S: the structure of the telegram."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Severity
from ..model import Cable, Span
from . import Context, Issue, rule


def _first_line(cable: Cable, start: int = 0) -> Span:
    text = cable.source.text
    start = start or len(text) - len(text.lstrip())
    end = text.find("\n", start)
    return Span(start, max(start, len(text) if end < 0 else end))


def _not_a_cable(cable: Cable) -> bool:
    """Nothing in the text is a cable's: no classification line, no header element."""
    return cable.banner is None and not cable.header_order


@rule("S100", "unparsable-cable", Severity.ERROR)
def unparsable_cable(cable: Cable, ctx: Context) -> Iterator[Issue]:
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
        yield Issue(Span(offset, offset + 1),
                    f"cannot parse the text as a cable ({message}); check the file is a telegram")
    elif _not_a_cable(cable):
        what = "the file is empty" if not cable.source.text.strip() else (
            "no classification line, header line or caption found")
        yield Issue(_first_line(cable), f"not a cable ({what}); markcheck reads State "
                    "Department telegrams: classification line, captions, E.O., TAGS, SUBJECT")


@rule("S101", "missing-classification-line", Severity.ERROR)
def missing_classification_line(cable: Cable, ctx: Context) -> Iterator[Issue]:
    """No classification line opens the telegram.

    Why: the first line of a telegram (after any routing header, partial-extract
    notice or metadata prefix) carries its overall classification; without it a
    reader cannot tell how to handle the cable (32 CFR 2001.21(a), 5 FAH-2 H-440).
    Bad:   a telegram that starts with "SIPDIS" or "E.O. 12958: ..."
    Good:  "C O N F I D E N T I A L SECTION 01 OF 02 PARIS 007961" as the first line
    """
    if cable.parse_error is not None or cable.banner is not None or _not_a_cable(cable):
        return
    yield Issue(_first_line(cable, cable.header_order[0][1].start),
                "no classification line opens the telegram; add UNCLASSIFIED, CONFIDENTIAL, "
                "SECRET or TOP SECRET as its first line")
