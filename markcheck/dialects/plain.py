"""Plain telegram text, as published in the Cablegate bodies.

Each line is stripped of leading and trailing blanks and of the `` \\`` that some
CSV exports leave at line ends; line breaks may be LF, CRLF or a lone CR.
"""

from __future__ import annotations

import re
from typing import Callable, Mapping

from ..source import TextBuilder

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
_BLANKS = " \t\f\v\u00a0\u2028\u2029\ufeff\u200b"
# a backslash at a line's end (possibly an export artefact: add_line decides)
_BACKSLASH_END = re.compile(f"\\\\[{_BLANKS}]*$", re.M)


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


def normalize(raw: str) -> tuple[TextBuilder, Mapping[str, str]]:
    builder = TextBuilder()
    if not raw or "\r" in raw or ("\\" in raw and _BACKSLASH_END.search(raw)):
        for start, line in split_lines(raw):
            add_line(builder, line, start)
        return builder, {}
    # LF line ends and no backslash artefact: only blanks at line ends go. Lines that
    # keep their text are copied in verbatim runs; a stripped line cuts a run. (Most
    # cables have blanks at the end of most lines: the pieces are gathered here, not
    # added one call at a time.)
    blanks = _BLANKS
    parts: list[str] = []
    segments: list[tuple[int, int, bool]] = []  # (text offset, file offset, verbatim)
    length = 0
    joined = -1  # file offset where the last piece ended: a piece starting there joins it
    pos = run = 0  # where the current line starts; where the verbatim run started
    for line in raw.split("\n"):
        n = len(line)
        if n and (line[0] in blanks or line[-1] in blanks):
            body = line.lstrip(blanks)
            left = n - len(body)
            body = body.rstrip(blanks)
            if pos > run:
                if joined != run:
                    segments.append((length, run, True))
                parts.append(raw[run:pos])
                length += pos - run
                joined = pos
            if body:
                at = pos + left
                if joined != at:
                    segments.append((length, at, True))
                parts.append(body)
                length += len(body)
                joined = at + len(body)
            run = pos + n  # the line break opens the next run
        pos += n + 1
    if len(raw) > run:
        if joined != run:
            segments.append((length, run, True))
        parts.append(raw[run:])
        length += len(raw) - run
    if not raw.endswith("\n"):  # the last line gets its line break
        segments.append((length, len(raw), False))
        parts.append("\n")
    return TextBuilder.of(parts, segments), {}
