"""Output formats, chosen by name from a registry.

A reporter is a function ``(diagnostics, files, errors, options) -> str``; it sees
diagnostics only, never the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from ..diagnostics import Diagnostic

__all__ = ["Report", "REPORTERS", "reporter", "get_reporter"]


@dataclass(frozen=True)
class Report:
    diagnostics: Sequence[Diagnostic]
    files: int = 0
    errors: Sequence[str] = ()
    statistics: bool = False
    quiet: bool = False


Reporter = Callable[[Report], str]
REPORTERS: dict[str, Reporter] = {}


def reporter(name: str) -> Callable[[Reporter], Reporter]:
    def register(func: Reporter) -> Reporter:
        REPORTERS[name] = func
        return func
    return register


def get_reporter(name: str) -> Reporter:
    from . import json as _json, text as _text  # noqa: F401  (register)

    try:
        return REPORTERS[name]
    except KeyError:
        raise ValueError(f"unknown format {name!r}; choose from {', '.join(sorted(REPORTERS))}") from None
