"""Input dialects: how a file's text becomes telegram text.

Each dialect is a function ``normalize(raw) -> (TextBuilder, facts)`` in the
registry below. The telegram text has one cable line per line, stripped of
leading and trailing blanks and of export artefacts; the builder remembers where
every character came from so positions refer to the user's file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from importlib import import_module

from .. import kept
from ..source import TextBuilder

Normalizer = Callable[[str], "tuple[TextBuilder, Mapping[str, str]]"]

#: dialect name -> its module, imported when a file of that dialect is first met (a run
#: over plain cables never loads the HTML one, nor the standard html module under it)
DIALECTS: dict[str, str] = {
    "plain": "markcheck.dialects.plain",
    "markdown": "markcheck.dialects.markdown",
    "html": "markcheck.dialects.html",
}

_HTML_SIGN = kept.compile(r"<(?:!DOCTYPE\s+html|html[\s>]|pre[\s>])", re.I)
# a link to an anchor, or an autolink; two patterns, each searched for by its first
# character (one alternation of the two is tried at every offset of the text)
_MARKDOWN_SIGNS = (("[", kept.compile(r"\[[^\]\n]{1,40}\]\(#[^)\n]*\)")),
                   ("<", kept.compile(r"<https?://[^>\n]+>")))


def detect(raw: str, path: str = "") -> str:
    """Choose a dialect from the content (the file name only breaks ties)."""
    head = raw[:4096]
    # each sign is searched for only where its first character occurs at all
    if "<" in head and _HTML_SIGN.search(head) and "</pre>" in raw.lower():
        return "html"
    if any(first in raw and sign.search(raw) for first, sign in _MARKDOWN_SIGNS):
        return "markdown"
    lower = path.lower()
    if lower.endswith((".html", ".htm")) and "<" in head:
        return "html"
    return "plain"


def get_dialect(name: str) -> Normalizer:
    normalize = _LOADED.get(name)
    if normalize is None:
        try:
            module = DIALECTS[name]
        except KeyError:
            raise ValueError(f"unknown dialect {name!r}; choose from {', '.join(DIALECTS)}") from None
        normalize = _LOADED[name] = import_module(module).normalize
    return normalize


_LOADED: dict[str, Normalizer] = {}
