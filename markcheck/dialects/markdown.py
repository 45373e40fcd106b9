"""The Markdown rendering of a cable (as the seed is).

Lines end in two-space hard breaks, tags are links (``[ETTC](#)``), addresses
are autolinks (``<http://...>``) and punctuation may be backslash-escaped. The
link syntax is dropped and the text kept where it stands in the file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..source import TextBuilder
from .plain import add_line, split_lines

_INLINE = re.compile(
    r"\[(?P<label>[^\]\n]*)\]\((?P<target>[^)\n]*)\)"   # [TAG](#)
    r"|<(?P<auto>(?:https?|mailto|ftp):[^>\n]*)>"          # <http://...>
    r"|\\(?P<esc>[\\`*_{}\[\]()#+\-.!<>|])"                # \* \_ ...
)


def _emit(builder: TextBuilder, text: str, offset: int) -> None:
    pos = 0
    for m in _INLINE.finditer(text):
        builder.copy(text[pos:m.start()], offset + pos)
        for group in ("label", "auto", "esc"):
            if m.group(group) is not None:
                builder.copy(m.group(group), offset + m.start(group))
                break
        pos = m.end()
    builder.copy(text[pos:], offset + pos)


def normalize(raw: str) -> tuple[TextBuilder, Mapping[str, str]]:
    builder = TextBuilder()
    for start, line in split_lines(raw):
        add_line(builder, line, start, _emit)
    return builder, {}
