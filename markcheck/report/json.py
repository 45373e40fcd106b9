"""``json``: a JSON array of diagnostic objects."""

from __future__ import annotations

import json as _json

from . import Report, reporter


@reporter("json")
def json(report: Report) -> str:
    return _json.dumps([d.to_dict() for d in report.diagnostics], indent=2) + "\n"
