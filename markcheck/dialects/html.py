"""A Cablegate HTML page: routing header and body in ``<pre>`` blocks.

The body comes from the last ``<pre>``, the routing header (or partial-extract
notice) from the first, joined by a blank line as in a full telegram. The page's
metadata table (reference id, created, released, classification, origin) becomes
facts. Tags are dropped, entities decoded, paragraph anchors (``¶``) removed;
every character still maps to its place in the page.
"""

from __future__ import annotations

import html as _html
import re
from collections.abc import Mapping

from ..source import TextBuilder

_PRE = re.compile(r"<pre\b[^>]*>(.*?)</pre\s*>", re.I | re.S)
_TABLE = re.compile(r"<table\b[^>]*class=['\"]?cable['\"]?[^>]*>(.*?)</table\s*>", re.I | re.S)
_CELL = re.compile(r"<(t[hd])\b[^>]*>(.*?)</t[hd]\s*>", re.I | re.S)
_TAG = re.compile(r"<[^>]*>")
_BREAK = re.compile(r"(\r\n|\r|\n)")
_PIECE = re.compile(
    r"(?P<anchor><a\b[^>]*\bid=['\"]?par\d+[^>]*>[^<]*</a\s*>)"
    r"|(?P<tag><[^>]*>)"
    r"|(?P<entity>&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);)"
    r"|(?P<text>[^<&]+|[<&])",
    re.S,
)
from .plain import _BLANKS

_FACT_KEYS = {
    "reference id": "reference_id",
    "created": "date",
    "released": "released",
    "classification": "classification",
    "origin": "origin",
}


def _facts(raw: str) -> dict[str, str]:
    m = _TABLE.search(raw)
    if not m:
        return {}
    heads: list[str] = []
    cells: list[str] = []
    for kind, content in _CELL.findall(m.group(1)):
        text = " ".join(_html.unescape(_TAG.sub(" ", content)).split())
        (heads if kind.lower() == "th" else cells).append(text)
    facts = {}
    for head, cell in zip(heads, cells):
        key = _FACT_KEYS.get(head.lower())
        if key and cell:
            facts[key] = cell
    return facts


class _LineWriter:
    """Collects pieces of one line, strips its ends, and writes it out."""

    def __init__(self, builder: TextBuilder) -> None:
        self.builder = builder
        self.pieces: list[tuple[str, int, bool]] = []

    def add(self, text: str, offset: int, verbatim: bool) -> None:
        self.pieces.append((text, offset, verbatim))

    def end_line(self, offset: int) -> None:
        pieces = self.pieces
        full = "".join(p[0] for p in pieces)
        left = len(full) - len(full.lstrip(_BLANKS))
        right = len(full.rstrip(_BLANKS))
        pos = 0
        for text, off, verbatim in pieces:
            a, b = max(left, pos), min(right, pos + len(text))
            if a < b:
                part = text[a - pos:b - pos]
                if verbatim:
                    self.builder.copy(part, off + (a - pos))
                else:
                    self.builder.replace(part, off)
            pos += len(text)
        self.builder.replace("\n", offset)
        self.pieces = []


def _emit_pre(writer: _LineWriter, raw: str, start: int, end: int) -> None:
    for m in _PIECE.finditer(raw, start, end):
        kind = m.lastgroup
        if kind in ("anchor", "tag"):
            continue
        if kind == "entity":
            text, verbatim = _html.unescape(m.group()), False
        else:
            text, verbatim = m.group(), True
        off = m.start()
        # split on line breaks (real ones, or decoded &#x000A;); a CRLF is two
        # characters of the page, so positions advance by the break's own length
        pieces = _BREAK.split(text) if verbatim else text.split("\n")
        pos = 0
        for i in range(0, len(pieces), 2 if verbatim else 1):
            part = pieces[i]
            if i:
                writer.end_line(off + (pos if verbatim else 0))
                pos += len(pieces[i - 1]) if verbatim else 1
            if part:
                writer.add(part, off + pos, verbatim)
            pos += len(part)
    writer.end_line(end)


def normalize(raw: str) -> tuple[TextBuilder, Mapping[str, str]]:
    builder = TextBuilder()
    writer = _LineWriter(builder)
    blocks = list(_PRE.finditer(raw))
    if len(blocks) >= 2:
        _emit_pre(writer, raw, blocks[0].start(1), blocks[0].end(1))
        writer.end_line(blocks[0].end(1))  # the blank line between header and body
    if blocks:
        _emit_pre(writer, raw, blocks[-1].start(1), blocks[-1].end(1))
    else:  # no <pre>: read the page's text as it stands
        _emit_pre(writer, raw, 0, len(raw))
    return builder, _facts(raw)
