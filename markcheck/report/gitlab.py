"""``gitlab``: GitLab Code Quality JSON (the ``codequality`` report artifact).

A JSON array with one object per diagnostic::

    {"description": "D309: DECL '10 YEARS' is a duration; ...",
     "check_name": "D309", "fingerprint": "<sha256>", "severity": "minor",
     "location": {"path": "seeds/x.txt", "lines": {"begin": 11, "end": 11}}}

Severity error -> ``major``, warning -> ``minor``, info -> ``info`` (GitLab's scale
is info, minor, major, critical, blocker). ``path`` is relative to the current
directory (the project directory in a pipeline) with forward slashes. The
fingerprint is the stable one of :mod:`markcheck.report.common`: unique per
finding and unchanged when the finding moves to another line, so GitLab's
merge-request widget reports only findings that are really new or fixed.
"""

from __future__ import annotations

import json

from ..diagnostics import Severity
from . import Report, reporter
from .common import display_path, fingerprints

SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


@reporter("gitlab")
def gitlab(report: Report) -> str:
    issues = [{
        "description": f"{d.code}: {d.message}",
        "check_name": d.code,
        "fingerprint": fp,
        "severity": SEVERITY[d.severity],
        "location": {"path": display_path(d.path),
                     "lines": {"begin": d.line, "end": max(d.end_line, d.line)}},
    } for d, fp in zip(report.diagnostics, fingerprints(report))]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
