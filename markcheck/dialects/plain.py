"""Plain telegram text, as published in the Cablegate bodies.

Each line is stripped of leading and trailing blanks and of the `` \\`` that some
CSV exports leave at line ends; line breaks may be LF, CRLF or a lone CR.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from .. import kept
from ..source import StrippedLines, TextBuilder

_LINE = kept.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
_BLANKS = " \t\f\v\u00a0\u2028\u2029\ufeff\u200b"
# a backslash at a line's end (possibly an export artefact: add_line decides)
_BACKSLASH_END = kept.compile(f"\\\\[{_BLANKS}]*$", re.M)


def split_lines(raw: str):
    """Yield (start offset, line text without its break) for every line of ``raw``."""
    pos = 0
    n = len(raw)
    for m in _LINE.finditer(raw):
        if m.start() >= n and m.start() > 0:
            break
        line = m.group().rstrip("\r\n")
        yield m.start(), line
        pos = m.end()
        if pos >= n:
            break


def add_line(builder: TextBuilder, line: str, start: int,
             emit: Callable[[TextBuilder, str, int], None] | None = None) -> None:
    """Append one stripped line (and a line break) to ``builder``."""
    left = len(line) - len(line.lstrip(_BLANKS))
    body = line[left:].rstrip(_BLANKS)
    # a lone backslash at the end of a line is an export artefact (" \")
    while body.endswith("\\") and (len(body) == 1 or body[-2] in _BLANKS):
        body = body[:-1].rstrip(_BLANKS)
    if body:
        if emit is None:
            builder.copy(body, start + left)
        else:
            emit(builder, body, start + left)
    builder.replace("\n", start + len(line))


def normalize(raw: str) -> tuple[TextBuilder | StrippedLines, Mapping[str, str]]:
    if not raw or "\r" in raw or ("\\" in raw and _BACKSLASH_END.search(raw)):
        builder = TextBuilder()
        for start, line in split_lines(raw):
            add_line(builder, line, start)
        return builder, {}
    # LF line ends and no backslash artefact: only blanks at line ends go, every line
    # keeps its number (most cables have blanks at the end of most lines)
    return StrippedLines(raw, _BLANKS), {}
