"""The model as plain data, for ``markcheck parse --format json``."""

from __future__ import annotations

from .markings import Marking
from .model import Cable, Span

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing: some 3 ms)
if TYPE_CHECKING:  # pragma: no cover
    from typing import Any


def _pos(cable: Cable, span: Span | None) -> dict | None:
    if span is None:
        return None
    line, col, end_line, end_col = cable.source.span(span.start, span.end)
    return {"line": line, "column": col, "end_line": end_line, "end_column": end_col}


def _marking(m: Marking | None) -> dict | None:
    if m is None:
        return None
    return {"text": m.text, "level": m.level.name if m.level is not None else None,
            "noforn": m.noforn, "rel_to": list(m.rel_to), "fouo": m.fouo, "sbu": m.sbu,
            "controls": list(m.controls), "valid": m.valid}


def cable_to_dict(cable: Cable) -> dict[str, Any]:
    b = cable.banner
    out: dict[str, Any] = {"path": cable.source.path, "dialect": cable.source.dialect}
    if cable.parse_error:
        out["parse_error"] = {"message": cable.parse_error[0],
                              "position": _pos(cable, Span(cable.parse_error[1], cable.parse_error[1]))}
    out["classification"] = None if b is None else {
        "level": b.level.name if b.level is not None else None,
        "text": b.level_text,
        "controls": list(b.controls),
        "rel_to": list(b.rel_to),
        "section": b.section, "of": b.of, "post": b.post, "serial": b.serial,
        "position": _pos(cable, b.span),
    }
    out["partial"] = cable.partial
    pre = cable.preamble
    routing = pre.routing if pre else None
    out["routing"] = None if routing is None else {"dtg": routing.dtg, "indicator": routing.indicator}
    out["metadata"] = dict(pre.metadata) if pre else {}
    out["captions"] = list(cable.caption_words)
    out["passing"] = [p.text for p in cable.passing]
    eo = cable.eo
    out["eo"] = None if eo is None else {
        "keyword": eo.keyword, "order": eo.order, "na": eo.na,
        "decl": eo.decl.text if eo.decl else None, "text": eo.text, "position": _pos(cable, eo.span),
    }
    out["tags"] = None if cable.tags is None else [t.text for t in cable.tags.items]
    s = cable.subject
    out["subject"] = None if s is None else {"keyword": s.keyword, "text": s.text,
                                             "marking": _marking(s.marking),
                                             "position": _pos(cable, s.span)}
    r = cable.references
    out["references"] = None if r is None else {
        "keyword": r.keyword,
        "items": [{"letter": i.letter, "year": i.year, "post": i.post, "serial": i.serial,
                   "text": i.text} for i in r.items],
        "free_text": r.free_text,
    }
    cb = cable.classified_by
    out["classified_by"] = None if cb is None else {
        "classifier": cb.classifier, "reason_section": cb.reason_section,
        "reason_letters": list(cb.reason_letters), "in_paragraph": cb.in_paragraph,
        "position": _pos(cable, cb.span),
    }
    out["sections"] = [{"section": x.section, "of": x.of, "line": _pos(cable, x.span)["line"]}
                       for x in cable.sections]
    out["section_breaks"] = len(cable.section_breaks)
    out["paragraphs"] = [{"number": p.number, "section": p.section, "marking": _marking(p.marking),
                          "line": _pos(cable, p.span)["line"]} for p in cable.paragraphs]
    d = cable.date
    out["date"] = None if d is None else {"value": d.value.isoformat() if d.precise else str(d.value.year),
                                          "source": d.source, "precise": d.precise}
    return out
