"""The rule registry.

A rule is a pure function of the :class:`~markcheck.model.Cable` (and a
:class:`Context` with the date and options) that yields :class:`Issue` records;
the engine turns them into :class:`~markcheck.diagnostics.Diagnostic` objects
with the file's positions. Register a rule with the :func:`rule` decorator; its
docstring is its documentation (first line: what it checks; then Why, Bad, Good).
"""

from __future__ import annotations

import datetime as _dt
import functools
import importlib
import inspect
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from ..diagnostics import Severity
from ..model import Cable, CableDate, Span

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing: some 3 ms)
if TYPE_CHECKING:  # pragma: no cover
    from typing import Any, TypeVar
    T = TypeVar("T")

__all__ = ["Rule", "Issue", "Context", "rule", "per_cable", "forget_cables", "matches_at", "REGISTRY", "all_rules", "get_rule",
           "RULE_MODULES"]


@dataclass(frozen=True, slots=True)
class Issue:
    """What a rule found: where (a span of the telegram text) and what is wrong."""

    span: Span
    message: str
    severity: Severity | None = None  # None: the rule's severity


@dataclass(frozen=True, slots=True)
class Context:
    """What a rule may know besides the cable: the date in force and its options."""

    date: CableDate | None = None
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def option(self, code: str, name: str, default: Any) -> Any:
        return self.options.get(code, {}).get(name, default)

    def on_or_after(self, day: _dt.date) -> bool | None:
        """True/False when the cable's date is known to be on/after ``day``, else None."""
        return None if self.date is None else self.date.on_or_after(day)


RuleFunc = Callable[[Cable, Context], Iterable[Issue]]


def per_cable(fn: Callable[[Cable], T] | None = None, *, lasting: bool = False):
    """Keep ``fn(cable)`` for the last cable: the rules of a module ask for the same facts
    of one cable one after another. The cable itself is kept and compared with ``is``
    (a Cable is never hashed: that walks every field; an id() alone can be reused), and
    cable and value are stored in one assignment, so one is never paired with another's.

    A ``lasting`` value (``@per_cable(lasting=True)``) is kept from one family of rules
    to the next, for facts that several families read (see :func:`forget_cables`)."""
    if fn is None:
        return functools.partial(per_cable, lasting=lasting)
    last: list = [(None, None)]
    (_LASTING if lasting else _MEMOS).append(last)

    @functools.wraps(fn)
    def cached(cable: Cable) -> T:
        hit = last[0]
        if hit[0] is not cable:
            hit = last[0] = (cable, fn(cable))
        return hit[1]

    return cached


_MEMOS: list[list] = []
_LASTING: list[list] = []


def matches_at(pattern: re.Pattern[str], text: str, starts: Iterable[int],
               pos: int = 0) -> Iterator[re.Match[str]]:
    """What ``pattern.finditer(text, pos)`` finds, given every offset where a match can
    start (ascending): ``pattern`` is tried there only, each try at or after the end of
    the match before, as a scan of the text would find them. Rules use it after a cheap
    ``str.find`` of a literal every match holds has found the offsets."""
    match = pattern.match
    for at in starts:
        if at >= pos:
            m = match(text, at)
            if m is not None:
                pos = m.end()
                yield m


def forget_cables(family_only: bool = False) -> None:
    """Drop what :func:`per_cable` keeps. The engine calls it when a family of rules is
    done (``family_only``: the ``lasting`` values stay) and after each cable: a long
    cable's folded copies are then not all held at once, nor kept while the next file
    is read."""
    for last in _MEMOS:
        last[0] = (None, None)
    if not family_only:
        for last in _LASTING:
            last[0] = (None, None)


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    severity: Severity
    func: RuleFunc
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.func.__doc__ or "")

    @property
    def summary(self) -> str:
        return self.doc.splitlines()[0] if self.doc else ""

    def check(self, cable: Cable, ctx: Context) -> Iterator[Issue]:
        return iter(self.func(cable, ctx))


REGISTRY: dict[str, Rule] = {}

#: modules holding rules, one per family; imported on first use of the registry
RULE_MODULES = ("structure", "classification", "authority", "handling", "tags", "redaction")


def rule(code: str, name: str, severity: Severity, **options: Any) -> Callable[[RuleFunc], RuleFunc]:
    """Register ``func`` as rule ``code`` (kebab-case ``name``, default ``severity``)."""

    def register(func: RuleFunc) -> RuleFunc:
        if code in REGISTRY:
            raise ValueError(f"rule {code} registered twice")
        REGISTRY[code] = Rule(code, name, severity, func, dict(options))
        return func

    return register


@functools.cache
def _load() -> None:
    """Import every module of the registry once (each registers itself on import)."""
    for mod in RULE_MODULES:
        importlib.import_module(f"{__name__}.{mod}")
    from .. import kept

    kept.keep()  # the rules' patterns, compiled once for later processes


def all_rules() -> list[Rule]:
    _load()
    return [REGISTRY[c] for c in sorted(REGISTRY)]


def get_rule(code: str) -> Rule | None:
    _load()
    return REGISTRY.get(code.upper())
