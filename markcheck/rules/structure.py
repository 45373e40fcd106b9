"""S: the structure of the telegram."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Severity
from ..model import Cable, Span
from . import Context, Issue, rule


@rule("S100", "unparsable-cable", Severity.ERROR)
def unparsable_cable(cable: Cable, ctx: Context) -> Iterator[Issue]:
    """The text cannot be parsed as a cable at all.

    Why: every other check reads the cable's parts; when the grammar cannot read the
    text no marking can be judged, so markcheck says so once, at the first point of
    failure, instead of guessing (one diagnostic per file, never a cascade).
    Bad:   a file whose text stops fitting the telegram grammar
    Good:  a telegram: classification line, captions, E.O., TAGS, SUBJECT, paragraphs
    """
    if cable.parse_error is not None:
        message, offset = cable.parse_error
        yield Issue(Span(offset, offset + 1),
                    f"cannot parse the text as a cable ({message}); check the file is a telegram")


@rule("S101", "missing-classification-line", Severity.ERROR)
def missing_classification_line(cable: Cable, ctx: Context) -> Iterator[Issue]:
    """No classification line opens the telegram.

    Why: the first line of a telegram (after any routing header, partial-extract
    notice or metadata prefix) carries its overall classification; without it a
    reader cannot tell how to handle the cable (32 CFR 2001.21(a), 5 FAH-2 H-440).
    Bad:   a telegram that starts with "SIPDIS" or "E.O. 12958: ..."
    Good:  "C O N F I D E N T I A L SECTION 01 OF 02 PARIS 007961" as the first line
    """
    if cable.parse_error is not None or cable.banner is not None:
        return
    text = cable.source.text
    start = len(text) - len(text.lstrip())
    if cable.header_order:
        start = cable.header_order[0][1].start
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    where = "the file is empty" if not text.strip() else "no line gives the classification"
    yield Issue(Span(start, max(end, start)),
                f"no classification line ({where}); open the telegram with UNCLASSIFIED, "
                "CONFIDENTIAL, SECRET or TOP SECRET")
