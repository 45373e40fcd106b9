"""``github``: GitHub Actions workflow commands, shown as annotations on the diff.

One command per diagnostic::

    ::warning file=seeds/x.txt,line=11,col=19,endLine=11,endColumn=26,title=D309 decl-relative-duration::DECL ...

Severity error -> ``::error``, warning -> ``::warning``, info -> ``::notice``.
``file`` is relative to the current directory (the workspace in a workflow) with
forward slashes. ``col``/``endColumn`` are given only for a span on one line, as
GitHub accepts them only when ``line`` equals ``endLine``; GitHub's ``endColumn`` is
the last column of the span (inclusive), so it is the diagnostic's exclusive end
minus one. Escaping as GitHub's runner decodes it: in the message ``%`` -> ``%25``,
CR -> ``%0D``, LF -> ``%0A``; in property values also ``:`` -> ``%3A`` and
``,`` -> ``%2C``. Files that could not be read become ``::error`` commands without
a location.
"""

from __future__ import annotations

from ..diagnostics import Diagnostic, Severity
from . import Report, reporter
from .common import display_path

COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}

_DATA = str.maketrans({"%": "%25", "\r": "%0D", "\n": "%0A"})
_PROPERTY = str.maketrans({"%": "%25", "\r": "%0D", "\n": "%0A", ":": "%3A", ",": "%2C"})


def escape_data(text: str) -> str:
    return text.translate(_DATA)


def escape_property(text: str) -> str:
    return text.translate(_PROPERTY)


def command(name: str, message: str, **properties: object) -> str:
    """``::name key=value,...::message`` with GitHub's escaping."""
    props = ",".join(f"{k}={escape_property(str(v))}" for k, v in properties.items())
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def _location(d: Diagnostic) -> dict[str, object]:
    end_line = max(d.end_line, d.line)
    if end_line == d.line:
        return {"line": d.line, "col": d.column, "endLine": end_line,
                "endColumn": max(d.column, d.end_column - 1)}
    return {"line": d.line, "endLine": end_line}


@reporter("github")
def github(report: Report) -> str:
    lines = [command(COMMAND[d.severity], d.message, file=display_path(d.path), **_location(d),
                     title=f"{d.code} {d.name}".strip())
             for d in report.diagnostics]
    lines.extend(command("error", e, title="markcheck") for e in report.errors)
    return "".join(line + "\n" for line in lines)
