"""Output formats, chosen by name from a registry.

A reporter is a function ``(Report) -> str`` registered under its format name with
:func:`reporter`; it sees diagnostics (and the user's source lines), never the model.
Each format lives in its own module of this package, listed in
:data:`REPORTER_MODULES` and imported on first use of the registry:

``text``    one line per diagnostic (concise), and a summary
``full``    each diagnostic with its source line and a caret span under it; colour
``json``    a JSON array of diagnostic objects
``sarif``   SARIF 2.1.0 (GitHub code scanning, IDE SARIF viewers)
``github``  GitHub Actions workflow commands (annotations on a pull request)
``gitlab``  GitLab Code Quality JSON
``junit``   JUnit XML, one test case per linted file

Helpers several formats share (relative paths, offending text, stable
fingerprints) are in :mod:`markcheck.report.common`.
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from ..diagnostics import Diagnostic

__all__ = ["Report", "REPORTERS", "REPORTER_MODULES", "COLOR_CHOICES", "reporter",
           "get_reporter", "formats", "source_lines"]

#: the values of the ``color`` option (``--color``)
COLOR_CHOICES = ("auto", "always", "never")


@dataclass(frozen=True)
class Report:
    """What a reporter prints.

    ``sources`` maps a diagnostic's ``path`` to the lines of that file as the user has
    them (without line ends; see :func:`source_lines`): ``full`` prints them under the
    diagnostics and the fingerprints of ``sarif``/``gitlab`` hash the offending text.
    ``files_linted`` lists every path linted, with or without findings (``junit``).
    ``color`` is ``auto`` (colour when ``terminal`` is true and ``NO_COLOR`` is unset),
    ``always`` or ``never``; ``terminal`` says whether the output goes to a terminal.
    """

    diagnostics: Sequence[Diagnostic]
    files: int = 0
    errors: Sequence[str] = ()
    statistics: bool = False
    quiet: bool = False
    sources: Mapping[str, Sequence[str]] = field(default_factory=dict)
    files_linted: Sequence[str] = ()
    color: str = "auto"
    terminal: bool = False

    def __post_init__(self) -> None:
        if self.color not in COLOR_CHOICES:
            raise ValueError(f"unknown color choice {self.color!r}; choose from {', '.join(COLOR_CHOICES)}")


Reporter = Callable[[Report], str]
REPORTERS: dict[str, Reporter] = {}

#: modules holding reporters, one per format; imported on first use of the registry
REPORTER_MODULES = ("text", "full", "json", "sarif", "github", "gitlab", "junit")

_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # as markcheck.source counts lines


def source_lines(text: str) -> list[str]:
    """A file's decoded text as the lines diagnostics count (LF, CRLF or lone CR;
    not ``str.splitlines``, which also breaks at form feeds and U+2028)."""
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def reporter(name: str) -> Callable[[Reporter], Reporter]:
    """Register ``func`` as the reporter of format ``name``."""

    def register(func: Reporter) -> Reporter:
        if name in REPORTERS and REPORTERS[name] is not func:
            raise ValueError(f"format {name} registered twice")
        REPORTERS[name] = func
        return func
    return register


@functools.cache
def _load() -> None:
    """Import every module of the registry once (each registers itself on import)."""
    for mod in REPORTER_MODULES:
        importlib.import_module(f"{__name__}.{mod}")


def formats() -> list[str]:
    """The names of all output formats, in registry order."""
    _load()
    return list(REPORTERS)


def get_reporter(name: str) -> Reporter:
    if name in REPORTER_MODULES and name not in REPORTERS:
        # each format's module bears its name: import just that one (start-up time)
        importlib.import_module(f"{__name__}.{name}")
    if name not in REPORTERS:
        _load()
    try:
        return REPORTERS[name]
    except KeyError:
        raise ValueError(f"unknown format {name!r}; choose from {', '.join(REPORTERS)}") from None
