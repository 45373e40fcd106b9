"""``full``: each diagnostic with its source line and a caret span under it.

::

    seeds/x.txt:11:19: D309 DECL '10 YEARS' is a duration; write the date ...
       |
    11 | E.O. 12958: DECL: 10 YEARS
       |                   ^~~~~~~~ warning: decl-relative-duration
       |

The span starts with ``^`` at the diagnostic's column and runs with ``~`` to its
(exclusive) end; a span over several lines underlines each of them (at most
:data:`MAX_LINES`). Tabs are expanded, wide characters count two cells, control and
bidirectional-override characters of the source are shown as visible symbols, so the
caret stays under the text and the source can never drive the terminal.

Colour (ANSI SGR) by severity: ``color="always"`` or ``"never"`` decide; ``"auto"``
colours only when ``Report.terminal`` is true, ``NO_COLOR`` is unset or empty and
``TERM`` is not ``dumb`` (``FORCE_COLOR`` set and not empty forces colour in auto).
An explicit ``always`` wins over ``NO_COLOR``, as https://no-color.org asks of
command-line flags. Without the source lines of a file (``Report.sources``) a
diagnostic prints as its header line only. The summary is that of ``text``.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Callable, Mapping, Sequence

from ..diagnostics import Diagnostic, Severity
from . import Report, reporter
from .text import statistics, summary

TAB = 4
MAX_LINES = 6

SEVERITY_STYLE = {Severity.ERROR: "1;31", Severity.WARNING: "1;33", Severity.INFO: "1;36"}
PATH_STYLE = "1"
GUTTER_STYLE = "1;34"

_BIDI = set(map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C]))


def _auto(report: Report, env: Mapping[str, str]) -> bool:
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    return report.terminal and env.get("TERM") != "dumb"


_COLOR: dict[str, Callable[[Report, Mapping[str, str]], bool]] = {
    "always": lambda report, env: True,
    "never": lambda report, env: False,
    "auto": _auto,
}


def use_color(report: Report, env: Mapping[str, str] | None = None) -> bool:
    """Whether ``report`` is printed in colour (see the module doc)."""
    return _COLOR[report.color](report, os.environ if env is None else env)


def _painter(enabled: bool) -> Callable[[str, str], str]:
    if enabled:
        return lambda text, style: f"\x1b[{style}m{text}\x1b[0m" if text else text
    return lambda text, style: text


def _cell(ch: str, at: int) -> tuple[str, int]:
    """How a source character shows: (visible text, width in cells) at display column ``at``."""
    if ch == "\t":
        width = TAB - at % TAB
        return " " * width, width
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code), 1          # control pictures: ␀ .. ␟
    if code == 0x7F:
        return "\u2421", 1                    # ␡
    if 0x80 <= code < 0xA0 or ch in _BIDI:
        return "\ufffd", 1
    if unicodedata.combining(ch):
        return ch, 0
    return ch, 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _layout(text: str) -> tuple[str, list[int]]:
    """The visible line and the display column at which each character starts
    (one extra entry: the end of the line)."""
    shown, starts, at = [], [], 0
    for ch in text:
        starts.append(at)
        piece, width = _cell(ch, at)
        shown.append(piece)
        at += width
    starts.append(at)
    return "".join(shown), starts


def _clean(text: str) -> str:
    return _layout(text)[0]


def _underline(starts: list[int], start: int, end: int, first: bool) -> tuple[int, str]:
    """(padding, marks) under the characters ``start..end`` (0-based, end exclusive)."""
    last = len(starts) - 1

    def column(i: int) -> int:
        return starts[i] if i <= last else starts[last] + (i - last)

    pad = column(start)
    width = max(1, column(max(end, start)) - pad)
    return pad, ("^" + "~" * (width - 1)) if first else "~" * width


def _snippet(d: Diagnostic, lines: Sequence[str], paint: Callable[[str, str], str]) -> list[str]:
    last = d.end_line - 1 if d.end_line > d.line and d.end_column <= 1 else d.end_line
    last = max(d.line, min(last, len(lines)))
    numbers = [n for n in range(d.line, last + 1) if n <= len(lines)]
    if not numbers:
        return []
    shown, more = numbers[:MAX_LINES], numbers[MAX_LINES:]
    gutter = len(str(shown[-1]))
    bar = paint(" " * gutter + " |", GUTTER_STYLE)
    style = SEVERITY_STYLE.get(d.severity, PATH_STYLE)
    out = [bar]
    for k, n in enumerate(shown):
        text = lines[n - 1].rstrip("\r\n")
        visible, starts = _layout(text)
        start = d.column - 1 if n == d.line else 0
        end = d.end_column - 1 if n == d.end_line else len(text)
        pad, marks = _underline(starts, start, end, first=n == d.line)
        label = f" {d.severity}: {d.name or d.code}" if k == len(shown) - 1 else ""
        out.append(paint(f"{n:>{gutter}} |", GUTTER_STYLE) + (" " + visible if visible else ""))
        out.append(bar + " " + " " * pad + paint(marks + label, style))
    if more:
        out.append(paint(" " * gutter + " ...", GUTTER_STYLE) + f" ({len(more)} more line"
                   f"{'s' if len(more) != 1 else ''})")
    out.append(bar)
    return out


@reporter("full")
def full(report: Report) -> str:
    from .common import masked

    report = masked(report)   # the text under R diagnostics is never shown
    paint = _painter(use_color(report))
    lines: list[str] = []
    if report.statistics:
        lines.extend(statistics(report))
    else:
        for d in report.diagnostics:
            style = SEVERITY_STYLE.get(d.severity, PATH_STYLE)
            lines.append(f"{paint(_clean(d.path), PATH_STYLE)}:{d.line}:{d.column}: "
                         f"{paint(d.code, style)} {_clean(d.message)}")
            lines.extend(_snippet(d, report.sources.get(d.path, ()), paint))
            lines.append("")
    closing = summary(report)
    if not closing and lines and not lines[-1]:
        lines.pop()
    lines.extend(closing)
    return "\n".join(lines) + ("\n" if lines else "")
