"""Make a release copy of a cable: ``markcheck redact FILE --release-level U``.

The copy (plain telegram text) withholds

- every portion marked above the release level (the paragraph, a marked text block,
  the SUBJECT text): its number and original mark stay, its text becomes
  ``[REDACTED (b)(1) 1.4(b) 1.4(d)]`` with the reasons of the Classified By line, and
  unmarked text following a withheld paragraph (its bullets and sub-items) goes with it;
- every protected term (:mod:`markcheck.protect`), detected personal data (e-mail
  addresses, phone and passport numbers), a name marked ``(PROTECT)`` and malformed
  or varying-length earlier redactions: each becomes the fixed token ``XXXXXXXXXXXX``,
  the same length whatever it hides;

and adds a release block under the classification line. The copy passes
``markcheck check --release-level U`` with no R finding. Nothing here prints the text
it withholds.
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass, field

from .markings import Level
from .model import Cable, Span, build
from .protect import Store
from .rules import Context
from .rules.redaction import (
    _PROTECT,
    TOKEN,
    _name_before,
    _runs,
    is_redacted,
    pii,
    portions_above,
    regions,
)
from .source import read_source, source_from_text

__all__ = ["Redaction", "redact_cable", "redact_text", "redact_file", "release_token"]

_AMENDED = _dt.date(2003, 3, 25)


@dataclass
class Redaction:
    """A release copy and what was withheld (counts only, never the text)."""

    text: str
    portions: int = 0
    terms: int = 0
    personal: int = 0
    tokens: int = 0
    counts: dict = field(default_factory=dict)

    @property
    def withheld(self) -> int:
        return self.portions + self.terms + self.personal + self.tokens


def release_token(cable: Cable) -> str:
    """``[REDACTED (b)(1) 1.4(b) 1.4(d)]`` with the reasons of the Classified By line
    (only letters valid for the section and the cable's date)."""
    cb = cable.classified_by or next((p.classified_by for p in cable.paragraphs if p.classified_by), None)
    reasons: list[str] = []
    if cb is not None and cb.reason_letters:
        section = cb.reason_section or "1.4"
        ctx = Context(date=cable.date)
        after = ctx.on_or_after(_AMENDED)
        if section == "1.5" and after is True:
            section = "1.4"
        if section not in ("1.4", "1.5"):
            section = "1.4"
        top = "h" if section == "1.4" else "g"
        for letter in cb.reason_letters:
            letter = letter.lower()
            if not ("a" <= letter <= top) or (section == "1.4" and letter == "h" and after is False):
                continue
            r = f"{section}({letter})"
            if r not in reasons:
                reasons.append(r)
    return "[REDACTED (b)(1)" + "".join(" " + r for r in reasons) + "]"


def _signature(cable: Cable, block_span: Span) -> bool:
    """A closing signature: the last text block, a few words."""
    text = cable.text_of(block_span).strip()
    return bool(cable.text_blocks) and cable.text_blocks[-1].span == block_span and len(text.split()) <= 4


def redact_cable(cable: Cable, level: Level, store: Store | None = None,
                 today: _dt.date | None = None, block: bool = True) -> Redaction:
    text = cable.source.text
    token = release_token(cable)
    edits: list[tuple[int, int, str]] = []
    result = Redaction(text)

    # 1. portions above the release level, and the unmarked text that follows them
    withheld_paras: list[Span] = []
    for kind, mark, body in portions_above(cable, level):
        seg = text[body.start:body.end]
        if is_redacted(seg):
            continue
        end = body.start + len(seg.rstrip())
        edits.append((body.start, end, " " + token))
        result.portions += 1
        if kind == "paragraph":
            withheld_paras.append(body)
    if withheld_paras:
        starts = sorted(p.span.start for p in cable.paragraphs)
        for b in cable.text_blocks:
            if b.marking is not None or _signature(cable, b.span):
                continue
            prev = [p for p in withheld_paras if p.end <= b.span.start]
            if not prev:
                continue
            last = max(prev, key=lambda s: s.end)
            if any(last.end <= s < b.span.start for s in starts):
                continue   # a paragraph in clear stands between them
            seg = text[b.span.start:b.span.end]
            if not seg.strip() or is_redacted(seg):
                continue
            edits.append((b.span.start, b.span.start + len(seg.rstrip()), token))
            result.portions += 1

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b, _ in edits)

    # 2. protected terms, personal data, protected sources, earlier redactions
    spots: list[tuple[int, int, str]] = []
    if store is not None:
        spots.extend((s, e, "terms") for s, e, _ in store.matches(text, regions(cable)))
    for base, end in regions(cable):
        seg = text[base:end]
        spots.extend((base + s, base + e, "personal") for s, e, _ in pii(seg))
        for s, e, kind in _runs(seg):
            if kind == "partial" or e - s != len(TOKEN) or seg[s:e] != TOKEN:
                spots.append((base + s, base + e, "tokens"))
        for m in _PROTECT.finditer(seg):
            name = _name_before(seg, m.start())
            if name:
                spots.append((base + name[0], base + name[1], "terms"))
    spots.sort(key=lambda t: (t[0], -t[1]))
    taken: list[tuple[int, int]] = []
    for s, e, what in spots:
        if not free(s, e) or any(not (e <= a or s >= b) for a, b in taken):
            continue
        taken.append((s, e))
        edits.append((s, e, TOKEN))
        setattr(result, what, getattr(result, what) + 1)

    # 3. the release block under the classification line
    if block and cable.banner is not None:
        line_end = text.find("\n", cable.banner.span.end)
        at = len(text) if line_end < 0 else line_end + 1
        how = "IN PART" if result.withheld else "IN FULL"
        day = (today or _dt.date.today()).isoformat()
        edits.append((at, at, f"\nRELEASED {how} - RELEASE LEVEL {level.word} - {day} - "
                              f"WITHHELD UNDER {token[1:-1].replace('REDACTED ', '')} - MARKCHECK REDACT\n"))
    out = text
    for s, e, new in sorted(edits, key=lambda t: (t[0], t[1]), reverse=True):
        out = out[:s] + new + out[e:]
    result.text = out
    return result


def _two_passes(cable: Cable, path: str, level: Level, store: Store | None,
                today: _dt.date | None) -> Redaction:
    """Redact, then redact the copy again: the second pass catches what the first made
    visible (a token that now touches a word); the counts are those of both passes."""
    first = redact_cable(cable, level, store, today)
    second = redact_cable(build(source_from_text(first.text, path, "plain")), level, store, today,
                          block=False)
    if second.withheld:
        first.text = second.text
        for f in ("portions", "terms", "personal", "tokens"):
            setattr(first, f, getattr(first, f) + getattr(second, f))
    return first


def redact_text(text: str, level: Level, store: Store | None = None, path: str = "<string>",
                today: _dt.date | None = None) -> Redaction:
    """A release copy of the cable ``text`` (any dialect), as plain telegram text."""
    return _two_passes(build(source_from_text(text, path)), path, level, store, today)


def redact_file(path: str, level: Level, store: Store | None = None, dialect: str | None = None,
                today: _dt.date | None = None) -> Redaction:
    return _two_passes(build(read_source(path, dialect)), path, level, store, today)


def default_output(path: str) -> str:
    """``cable.txt`` -> ``cable.release.txt`` (always ``.txt``: the copy is plain text)."""
    stem, ext = os.path.splitext(path)
    return f"{stem}.release.txt" if ext.lower() != ".txt" else f"{stem}.release{ext}"
