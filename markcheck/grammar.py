"""Load the Lark parser once and parse telegram text with it.

The grammar files (``grammar/cable.lark``, which imports ``grammar/marking.lark``)
ship inside the package as ``markcheck.lark_grammar``. The LALR tables are built
once per process and cached on disk by Lark between processes.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from lark import Lark, Token, Tree
from lark.exceptions import LarkError, UnexpectedInput

__all__ = ["ELEMENT_STARTS", "grammar_dir", "parser", "parse_document", "parse_element", "terminal_regex",
           "ParseFailure", "Token", "Tree"]

#: start rules of the element level (see the header of cable.lark)
ELEMENT_STARTS = ("banner", "portion", "eo", "tags", "subject", "ref", "classified_by", "para_head")


class ParseFailure(Exception):
    """The text does not fit the grammar; ``offset`` is where it stopped fitting."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


def grammar_dir() -> Path:
    """The folder holding cable.lark and marking.lark.

    Running from a source tree (a checkout, an editable install), the tree's own
    ``grammar/`` beside the package; installed, the package data
    ``markcheck.lark_grammar``.
    """
    here = Path(__file__).resolve().parent.parent / "grammar"
    if (here / "cable.lark").is_file():
        return here
    from importlib.resources import files

    return Path(str(files("markcheck.lark_grammar")))


def _cache_path() -> str | bool:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "markcheck")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return False
    if not os.access(folder, os.W_OK):
        return False
    from . import __version__
    from lark import __version__ as lark_version

    return os.path.join(folder, f"grammar-{__version__}-lark{lark_version}.cache")


@lru_cache(maxsize=1)
def parser() -> Lark:
    """The one LALR parser for documents and elements (built once, cached).

    Document rules give a tree; element rules give model parts directly (see
    :func:`parse_element`).
    """
    path = grammar_dir() / "cable.lark"
    options = dict(
        parser="lalr",
        lexer="contextual",
        start=["start", *ELEMENT_STARTS],
        propagate_positions=False,
        maybe_placeholders=False,
    )
    from .model import ElementBuilder  # here: model imports this module

    options["transformer"] = ElementBuilder()
    cache = _cache_path()
    if cache:
        try:
            return Lark.open(str(path), cache=cache, **options)
        except (OSError, EOFError, ValueError):
            pass  # an unreadable or stale cache file: build without it
    return Lark.open(str(path), **options)


def terminal_regex(name: str) -> str:
    """The regular expression of terminal ``name`` as the grammar defines it."""
    return parser().get_terminal(name).pattern.to_regexp()


def parse_document(text: str) -> Tree:
    """Parse telegram text into the document tree; raise ParseFailure if it cannot."""
    try:
        return parser().parse(text, start="start")
    except UnexpectedInput as exc:
        raise ParseFailure(_describe(exc), getattr(exc, "pos_in_stream", 0) or 0) from None
    except LarkError as exc:  # pragma: no cover - defensive
        raise ParseFailure(str(exc).splitlines()[0], 0) from None


def parse_element(text: str, start: str, base: int = 0):
    """Parse one element's text (newlines read as blanks) with start rule ``start``.

    The element rules are built into model parts as they are parsed (the parser's
    transformer, :class:`markcheck.model.ElementBuilder`); ``base`` is the offset of
    ``text`` in the telegram, added to every span.
    """
    p = parser()
    p.options.transformer.begin(text, base)
    try:
        return p.parse(text.replace("\n", " "), start=start)
    except UnexpectedInput as exc:
        raise ParseFailure(_describe(exc), getattr(exc, "pos_in_stream", 0) or 0) from None
    except LarkError as exc:  # pragma: no cover - defensive
        raise ParseFailure(str(exc).splitlines()[0], 0) from None


def _describe(exc: UnexpectedInput) -> str:
    token = getattr(exc, "token", None)
    if token is not None and getattr(token, "type", "") == "$END":
        return "unexpected end of text"
    if token is not None:
        return f"unexpected {str(token)[:30]!r}"
    char = getattr(exc, "char", None)
    if char is not None:
        return f"unexpected character {char!r}"
    return "unexpected input"
