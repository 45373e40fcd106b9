"""Read and decode a file, pick its input dialect, and map positions back.

A :class:`Source` holds the text the grammar parses (the *telegram*: one cable
line per line, without leading/trailing blanks or export artefacts) and a map
from every offset of that text to the offset in the file as the user has it, so
diagnostics always point into the user's file.
"""

from __future__ import annotations

import codecs
import os
import re
from array import array
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate, count, repeat
from operator import add, is_not

__all__ = ["Source", "TextBuilder", "StrippedLines", "InputError", "decode", "read_source", "source_from_text"]


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def line_starts(raw: str) -> Sequence[int]:
    """Offsets where the lines of ``raw`` start (LF, CRLF or CR ends), compactly."""
    if "\r" in raw:
        starts = array("q", [0])
        starts.extend(m.end() for m in _LINE_BREAK.finditer(raw))
        return starts
    return _starts(raw.split("\n"))


def _starts(lines: list[str]) -> Sequence[int]:
    """Where each of ``lines`` starts in the text they were split from at "\n"."""
    # each line starts one past the end of the one before: the running sum of the
    # lengths, plus one per line before it (summed in C, not in a loop; operator.add
    # is a plain C function, quicker to call than a bound int.__add__)
    sums = map(add, accumulate(map(len, lines), initial=0), count())
    # (through a list is quicker, but the list holds an int object a line: not for a long file)
    starts = array("q", list(sums) if len(lines) < 50_000 else sums)
    starts.pop()  # where a line after the last would start
    return starts


class InputError(Exception):
    """A file cannot be read as text; the message is one line for the user."""


class TextBuilder:
    """Builds normalised text piece by piece, remembering where each piece came from.

    ``copy`` appends text that stands verbatim at an offset of the original;
    ``replace`` appends text standing for a span of the original (an entity, a
    link): every character of it maps to the start of that span.
    """

    __slots__ = ("_parts", "_segments", "_length")

    def __init__(self) -> None:
        self._parts: list[str] = []
        # (normalised start, original start, verbatim?) sorted by normalised start
        self._segments: list[tuple[int, int, bool]] = []
        self._length = 0

    def copy(self, text: str, orig_offset: int) -> None:
        if text:
            self._add(text, orig_offset, True)

    def replace(self, text: str, orig_offset: int) -> None:
        if text:
            self._add(text, orig_offset, False)

    def _add(self, text: str, orig: int, verbatim: bool) -> None:
        segs = self._segments
        if segs and verbatim and segs[-1][2]:
            n0, o0, _ = segs[-1]
            if o0 + (self._length - n0) == orig:  # continues the last verbatim run
                self._parts.append(text)
                self._length += len(text)
                return
        segs.append((self._length, orig, verbatim))
        self._parts.append(text)
        self._length += len(text)

    def build(self) -> tuple[str, list[tuple[int, int, bool]]]:
        return "".join(self._parts), self._segments


class StrippedLines:
    """A builder, as :class:`TextBuilder`, of the text of ``raw`` (LF line ends only)
    with ``blanks`` cut at both ends of every line; a last line without a line break
    gets one. Made in a few calls, with no piece or segment per line: a text line
    stands for the file line of the same number, so an offset is mapped back by its
    line when it is asked for (:class:`_LineMap`)."""

    __slots__ = ("_raw", "_blanks")

    def __init__(self, raw: str, blanks: str) -> None:
        self._raw = raw
        self._blanks = blanks

    def build(self) -> tuple[str, "_LineMap"]:
        raw = self._raw
        lines = raw.split("\n")
        raw_starts = _starts(lines)  # as line_starts(raw)
        if len(lines) > 1 and not lines[-1]:
            lines.pop()  # the break that ends the file opens no line
        kept = list(map(str.strip, lines, repeat(self._blanks)))  # (unchanged lines are shared)
        changed = any(map(is_not, kept, lines))
        del lines
        kept.append("")  # the text ends in a line break; its length comes last in the starts
        if changed:
            text = "\n".join(kept)
            starts = _starts(kept)
        else:  # no blanks to cut: the file's own text, not a copy, and its line starts
            text = raw if raw.endswith("\n") else raw + "\n"
            starts = raw_starts[:]
            if text is not raw:  # the line break added at the end starts one more line
                starts.append(len(text))
        return text, _LineMap(raw, self._blanks, starts, raw_starts)


class _LineMap:
    """Where the characters of a :class:`StrippedLines` text stand in the file: text
    line ``k`` (from ``starts[k]``) is file line ``k`` without its edge blanks, and its
    line break is the file line's (or, after a last line without one, the file's end)."""

    __slots__ = ("_raw", "_blanks", "_starts", "raw_starts")

    def __init__(self, raw: str, blanks: str, starts: Sequence[int], raw_starts: Sequence[int]) -> None:
        self._raw = raw
        self._blanks = blanks
        self._starts = starts  # text line starts, and the text's length last
        self.raw_starts = raw_starts  # line_starts(raw)

    def original(self, offset: int) -> int:
        starts, raw = self._starts, self._raw
        if offset < 0:
            return 0
        if offset >= starts[-1]:  # past the text: as a verbatim end would extend
            return len(raw) + (offset - starts[-1] if raw.endswith("\n") else 0)
        k = bisect_right(starts, offset) - 1
        column = offset - starts[k]
        begin = self.raw_starts[k]
        end = raw.find("\n", begin)
        if end < 0:
            end = len(raw)
        if column < starts[k + 1] - starts[k] - 1:
            line = raw[begin:end]
            return begin + len(line) - len(line.lstrip(self._blanks)) + column
        return end  # the line break


@dataclass(frozen=True, eq=False, slots=True)
class Source:
    """A decoded file: the original text and the telegram text the grammar reads."""

    path: str
    raw: str
    text: str
    dialect: str
    facts: Mapping[str, str]
    # (text start, file start, verbatim?) of each run, and their text starts; or, for
    # a StrippedLines text, its _LineMap and None
    _segments: "tuple[tuple[int, int, bool], ...] | _LineMap"
    _seg_starts: tuple[int, ...] | None
    _line_starts: Sequence[int]

    @classmethod
    def build(cls, path: str, raw: str, builder: "TextBuilder | StrippedLines", dialect: str,
              facts: Mapping[str, str] | None = None) -> "Source":
        text, segments = builder.build()
        if segments.__class__ is _LineMap:
            return cls(path, raw, text, dialect, dict(facts or {}), segments, None, segments.raw_starts)
        return cls(path, raw, text, dialect, dict(facts or {}), tuple(segments),
                   tuple(s[0] for s in segments), line_starts(raw))

    def original_offset(self, offset: int) -> int:
        """Offset in :attr:`raw` of the character at ``offset`` in :attr:`text`."""
        if self._seg_starts is None:
            return self._segments.original(offset)
        if not self._segments:
            return 0
        k = bisect_right(self._seg_starts, offset) - 1
        if k < 0:
            return 0
        norm, orig, verbatim = self._segments[k]
        return orig + (offset - norm) if verbatim else orig

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) in the user's file of a telegram-text offset."""
        # the end of the text is the file's last character (not a line after it)
        orig = min(self.original_offset(offset), max(len(self.raw) - 1, 0))
        line = bisect_right(self._line_starts, orig) - 1
        return line + 1, orig - self._line_starts[line] + 1

    def span(self, start: int, end: int) -> tuple[int, int, int, int]:
        """(line, column, end_line, end_column) of a telegram-text span; end exclusive."""
        line, col = self.position(start)
        if end <= start:
            return line, col, line, col
        end_line, end_col = self.position(end - 1)
        return line, col, end_line, end_col + 1

    def original_line(self, line: int) -> str:
        """The user's line number ``line`` (1-based), without its line break."""
        starts = self._line_starts
        if not 1 <= line <= len(starts):
            return ""
        end = starts[line] if line < len(starts) else len(self.raw)
        return self.raw[starts[line - 1]:end].rstrip("\r\n")


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode(data: bytes, path: str = "<bytes>") -> str:
    """Decode a file's bytes: UTF-8, or UTF-16/32 with a byte-order mark.

    Raises :class:`InputError` for binary data or text that is not UTF-8.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as exc:
                raise InputError(f"{path}: not valid {codec.upper()} text at byte {exc.start}") from None
    if b"\x00" in data:
        raise InputError(f"{path}: binary file (contains NUL bytes); markcheck reads text cables only")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not valid UTF-8 at byte {exc.start}; convert it first "
            f"(e.g. iconv -f latin1 -t utf-8)") from None


def read_source(path: str | os.PathLike[str], dialect: str | None = None,
                display_path: str | None = None) -> Source:
    """Read ``path`` and return its :class:`Source` (dialect chosen by content)."""
    name = display_path if display_path is not None else os.fspath(path)
    try:
        with open(path, "rb", buffering=0) as fh:  # one read of the whole file
            data = fh.readall()
    except IsADirectoryError:
        raise InputError(f"{name}: is a directory") from None
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except PermissionError:  # what opening a directory raises on some systems
        reason = "is a directory" if os.path.isdir(path) else "permission denied"
        raise InputError(f"{name}: {reason}") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror or exc})") from None
    return source_from_text(decode(data, name), name, dialect)


def source_from_text(raw: str, path: str = "<string>", dialect: str | None = None) -> Source:
    """Build a :class:`Source` from already decoded text."""
    from .dialects import detect, get_dialect

    name = dialect or detect(raw, path)
    builder, facts = get_dialect(name)(raw)
    return Source.build(path, raw, builder, name, facts)
