"""The engine: source -> model -> rules -> diagnostics, and file discovery."""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Mapping, Sequence

from .diagnostics import Diagnostic, Severity
from .model import Cable, CableDate, build
from .rules import Context, Rule, all_rules
from .source import InputError, Source, read_source, source_from_text

__all__ = ["Settings", "LintResult", "lint_source", "lint_text", "lint_paths", "discover",
           "select_rules", "DEFAULT_EXTENSIONS"]

DEFAULT_EXTENSIONS = (".txt", ".md", ".html", ".htm")


@dataclass(frozen=True)
class Settings:
    """What to check and how. ``select``/``ignore`` hold codes or prefixes (``C2``, ``D``)."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    date: _dt.date | None = None
    dialect: str | None = None
    severity: Mapping[str, Severity] = field(default_factory=dict)
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


@dataclass
class LintResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)   # one line each: files not read
    files: int = 0


def _matches(code: str, patterns: Iterable[str]) -> bool:
    return any(code.startswith(p.upper()) for p in patterns)


def select_rules(settings: Settings) -> list[Rule]:
    rules = all_rules()
    if settings.select:
        rules = [r for r in rules if _matches(r.code, settings.select)]
    if settings.ignore:
        rules = [r for r in rules if not _matches(r.code, settings.ignore)]
    return rules


def check_cable(cable: Cable, settings: Settings, rules: Sequence[Rule] | None = None) -> list[Diagnostic]:
    """Run the rules on a model and return its diagnostics, sorted."""
    if rules is None:
        rules = select_rules(settings)
    date = CableDate(settings.date, "--date") if settings.date else cable.date
    ctx = Context(date=date, options=settings.options)
    source = cable.source
    out: list[Diagnostic] = []
    for r in rules:
        if cable.parse_error is not None and r.code != "S100":
            continue
        sev_default = settings.severity.get(r.code, r.severity)
        for issue in r.check(cable, ctx):
            line, col, end_line, end_col = source.span(issue.span.start, issue.span.end)
            sev = settings.severity.get(r.code) or issue.severity or sev_default
            out.append(Diagnostic(source.path, line, col, end_line, end_col, r.code, sev,
                                  issue.message, r.name))
    out.sort()
    return out


def lint_source(source: Source, settings: Settings = Settings()) -> list[Diagnostic]:
    return check_cable(build(source), settings)


def lint_text(text: str, path: str = "<string>", settings: Settings = Settings()) -> list[Diagnostic]:
    """Lint a cable given as text."""
    return lint_source(source_from_text(text, path, settings.dialect), settings)


def discover(paths: Sequence[str], extensions: Sequence[str] = DEFAULT_EXTENSIONS,
             errors: list[str] | None = None) -> Iterator[str]:
    """Files to lint: explicit files as given; directories searched recursively
    (hidden folders skipped) for files with the given extensions, in sorted order."""
    for path in paths:
        if os.path.isdir(path):
            found = []
            for root, dirs, files in os.walk(path, onerror=None, followlinks=False):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in files:
                    if not name.startswith(".") and name.lower().endswith(tuple(extensions)):
                        found.append(os.path.join(root, name))
            yield from sorted(found)
        elif os.path.lexists(path) or path == "-":
            yield path
        elif errors is not None:
            errors.append(f"{path}: no such file or directory")


def lint_paths(paths: Sequence[str], settings: Settings = Settings()) -> LintResult:
    """Lint files and directories; unreadable files become one-line errors."""
    result = LintResult()
    rules = select_rules(settings)
    for path in discover(paths, errors=result.errors):
        try:
            source = read_source(path, settings.dialect)
        except InputError as exc:
            result.errors.append(str(exc))
            continue
        result.files += 1
        result.diagnostics.extend(check_cable(build(source), settings, rules))
    return result
