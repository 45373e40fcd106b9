"""Helpers the machine-readable formats share: paths, offending text, fingerprints.

A *fingerprint* identifies a finding without its line number, so it stays the same
when lines above it are added or removed: the SHA-256 of the file's relative path,
the rule code, the offending source text (whitespace collapsed; the whole line for an
empty span; the message when the source is not at hand) and the occurrence index of
that (path, code, text) triple in the file, in diagnostic order.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Sequence

from ..diagnostics import Diagnostic
from . import Report

__all__ = ["relative_path", "display_path", "offending_text", "fingerprints", "project_url",
           "MASKED_CODES", "is_masked", "masked"]

#: diagnostics whose offending text must never be shown (the R family: protected names,
#: personal data); see :func:`masked`
MASKED_CODES = ("R",)


def is_masked(d: Diagnostic) -> bool:
    return d.code.startswith(MASKED_CODES)


def _star(text: str) -> str:
    return "".join("*" if ch.isalnum() else ch for ch in text)


def masked(report: Report) -> Report:
    """``report`` with the source text under every masked diagnostic (R family) starred
    out, letter by letter, so columns stay in place: the ``full`` format's source lines
    and the fingerprints of ``sarif``/``gitlab`` never carry it."""
    spans: dict[str, list[Diagnostic]] = {}
    for d in report.diagnostics:
        if is_masked(d) and d.path in report.sources:
            spans.setdefault(d.path, []).append(d)
    if not spans:
        return report
    import dataclasses

    sources = dict(report.sources)
    for path, diags in spans.items():
        lines = _Starred(sources[path])
        for d in diags:
            for n in range(d.line, max(d.line, d.end_line) + 1):
                if not 1 <= n <= len(lines):
                    continue
                text = lines[n - 1]
                start = d.column - 1 if n == d.line else 0
                end = d.end_column - 1 if n == d.end_line else len(text)
                lines.starred[n - 1] = text[:start] + _star(text[start:end]) + text[end:]
        sources[path] = lines
    return dataclasses.replace(report, sources=sources)


class _Starred(Sequence[str]):
    """A file's lines with some of them starred out: the others are read from the
    file's own lines when asked for (a --jobs run holds only the lines under
    diagnostics; see markcheck.lint.HeldLines)."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = lines
        self.starred: dict[int, str] = {}   # 0-based line index -> starred line

    def __len__(self) -> int:
        return len(self.lines)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        starred = self.starred.get(index)
        return starred if starred is not None else self.lines[index]


def relative_path(path: str) -> str | None:
    """``path`` relative to the current directory with forward slashes, or None when
    it lies outside it (another drive, or above the current directory)."""
    if path == "-":
        return path
    try:
        rel = os.path.relpath(os.path.abspath(path))
    except ValueError:
        return None
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return None
    return rel.replace(os.sep, "/")


def display_path(path: str) -> str:
    """The relative path when there is one, else the absolute path; forward slashes."""
    rel = relative_path(path)
    return rel if rel is not None else os.path.abspath(path).replace(os.sep, "/")


def _line(lines: Sequence[str], number: int) -> str:
    return lines[number - 1].rstrip("\r\n") if 1 <= number <= len(lines) else ""


def offending_text(report: Report, d: Diagnostic) -> str | None:
    """The source text under ``d`` (lines joined by ``\\n``), or None without source.

    An empty span gives its whole line, so an insertion point still has text."""
    lines = report.sources.get(d.path)
    if lines is None:
        return None
    parts = []
    for n in range(d.line, max(d.line, d.end_line) + 1):
        text = _line(lines, n)
        start = d.column - 1 if n == d.line else 0
        end = d.end_column - 1 if n == d.end_line else len(text)
        parts.append(text[start:end])
    found = "\n".join(parts)
    return found if found.strip() else _line(lines, d.line)


def fingerprints(report: Report) -> list[str]:
    """One stable fingerprint per diagnostic of ``report``, in the same order."""
    report = masked(report)
    seen: Counter[tuple[str, str, str]] = Counter()
    out = []
    for d in report.diagnostics:
        text = offending_text(report, d)
        key = (display_path(d.path), d.code, " ".join((d.message if text is None else text).split()))
        index = seen[key]
        seen[key] += 1
        data = "\0".join((*key, str(index))).encode("utf-8", "surrogatepass")
        out.append(hashlib.sha256(data).hexdigest())
    return out


def project_url() -> str | None:
    """The project's home page from the installed package metadata, if it names one."""
    from importlib import metadata

    try:
        meta = metadata.metadata("markcheck")
    except metadata.PackageNotFoundError:
        return None
    urls = dict(u.split(",", 1) for u in meta.get_all("Project-URL") or () if "," in u)
    urls = {k.strip().lower(): v.strip() for k, v in urls.items()}
    for label in ("homepage", "repository", "source", "documentation"):
        if urls.get(label):
            return urls[label]
    return meta.get("Home-page") or None
