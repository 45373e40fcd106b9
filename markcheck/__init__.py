"""markcheck: a linter for the classification markings of diplomatic cables.

The public API: parse a cable into its model, lint text or files.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .diagnostics import Diagnostic, Severity
from .lint import LintResult, Settings, lint_paths, lint_source, lint_text
from .model import Cable
from .source import InputError, Source, read_source, source_from_text


def parse(text: str, path: str = "<string>", dialect: str | None = None) -> Cable:
    """Parse cable text (any dialect) into a :class:`~markcheck.model.Cable`."""
    from .model import build

    return build(source_from_text(text, path, dialect))


def parse_file(path: str, dialect: str | None = None) -> Cable:
    """Read and parse a file into a :class:`~markcheck.model.Cable`."""
    from .model import build

    return build(read_source(path, dialect))


__all__ = ["__version__", "Cable", "Diagnostic", "InputError", "LintResult", "Settings", "Severity",
           "Source", "lint_paths", "lint_source", "lint_text", "parse", "parse_file",
           "read_source", "source_from_text"]
