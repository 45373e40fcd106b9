"""Input dialects: how a file's text becomes telegram text.

Each dialect is a function ``normalize(raw) -> (TextBuilder, facts)`` in the
registry below. The telegram text has one cable line per line, stripped of
leading and trailing blanks and of export artefacts; the builder remembers where
every character came from so positions refer to the user's file.
"""

from __future__ import annotations

import re
from typing import Callable, Mapping

from ..source import TextBuilder
from . import html, markdown, plain

Normalizer = Callable[[str], "tuple[TextBuilder, Mapping[str, str]]"]

DIALECTS: dict[str, Normalizer] = {
    "plain": plain.normalize,
    "markdown": markdown.normalize,
    "html": html.normalize,
}

_HTML_SIGN = re.compile(r"<(?:!DOCTYPE\s+html|html[\s>]|pre[\s>])", re.I)
# a link to an anchor, or an autolink; two patterns, each searched for by its first
# character (one alternation of the two is tried at every offset of the text)
_MARKDOWN_SIGNS = (("[", re.compile(r"\[[^\]\n]{1,40}\]\(#[^)\n]*\)")),
                   ("<", re.compile(r"<https?://[^>\n]+>")))


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
    try:
        return DIALECTS[name]
    except KeyError:
        raise ValueError(f"unknown dialect {name!r}; choose from {', '.join(DIALECTS)}") from None
