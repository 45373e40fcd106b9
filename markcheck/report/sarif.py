"""``sarif``: SARIF 2.1.0, for GitHub code scanning and SARIF viewers.

One run. ``tool.driver`` names markcheck, its version and (when the package metadata
names a home page) ``informationUri``; ``rules`` lists every rule that could fire
(:func:`markcheck.rules.all_rules`, plus any other code found in the diagnostics) with
``id``, ``name``, ``shortDescription`` (the rule's summary), ``fullDescription`` (its
whole docstring) and ``defaultConfiguration.level``. Levels: error -> ``error``,
warning -> ``warning``, info -> ``note``.

Each result has ``ruleId``, ``ruleIndex`` (into ``rules``), ``level`` (the
diagnostic's own severity, after any override), ``message.text`` and one location:
``artifactLocation.uri`` relative to the current directory with forward slashes and
``uriBaseId`` ``%SRCROOT%`` (``originalUriBaseIds`` maps it to the current directory;
a file outside it gets an absolute ``file://`` URI), and a region with
``startLine``/``startColumn``/``endLine``/``endColumn`` (1-based, end column
exclusive, counted in Unicode code points as the run's ``columnKind`` says).
``partialFingerprints["markcheck/v1"]`` is the stable fingerprint of
:mod:`markcheck.report.common` (no line number in it), so a finding keeps its
identity when lines move. Files that could not be read become
``toolExecutionNotifications`` of the run's invocation.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import quote

from .. import __version__
from ..diagnostics import Diagnostic, Severity
from . import Report, reporter
from .common import fingerprints, project_url, relative_path

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT = "markcheck/v1"
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _rules(report: Report) -> list[dict]:
    from ..rules import all_rules

    rules = [{
        "id": r.code,
        "name": r.name,
        "shortDescription": {"text": r.summary or r.name},
        "fullDescription": {"text": r.doc or r.summary or r.name},
        "defaultConfiguration": {"level": LEVEL[r.severity]},
    } for r in all_rules()]
    known = {r["id"] for r in rules}
    for d in report.diagnostics:          # a code outside the registry still gets a rule
        if d.code not in known:
            known.add(d.code)
            rules.append({"id": d.code, "name": d.name or d.code,
                          "shortDescription": {"text": d.name or d.code},
                          "defaultConfiguration": {"level": LEVEL[d.severity]}})
    return rules


def _artifact(path: str) -> dict:
    rel = relative_path(path)
    if rel is None:
        return {"uri": Path(os.path.abspath(path)).as_uri()}
    return {"uri": quote(rel, safe="/"), "uriBaseId": SRCROOT}


def _result(d: Diagnostic, index: int, fingerprint: str) -> dict:
    return {
        "ruleId": d.code,
        "ruleIndex": index,
        "level": LEVEL[d.severity],
        "message": {"text": d.message},
        "locations": [{"physicalLocation": {
            "artifactLocation": _artifact(d.path),
            "region": {"startLine": d.line, "startColumn": d.column,
                       "endLine": max(d.end_line, d.line),
                       "endColumn": max(d.end_column, d.column) if d.end_line <= d.line else d.end_column},
        }}],
        "partialFingerprints": {FINGERPRINT: fingerprint},
    }


def sarif_log(report: Report) -> dict:
    """The SARIF log of ``report`` as a JSON-ready dict."""
    rules = _rules(report)
    index = {r["id"]: i for i, r in enumerate(rules)}
    driver = {"name": "markcheck", "version": __version__}
    url = project_url()
    if url:
        driver["informationUri"] = url
    driver["rules"] = rules
    invocation = {"executionSuccessful": not report.errors}
    if report.errors:
        invocation["toolExecutionNotifications"] = [
            {"level": "error", "message": {"text": e}} for e in report.errors]
    run = {
        "tool": {"driver": driver},
        "invocations": [invocation],
        "originalUriBaseIds": {SRCROOT: {"uri": Path.cwd().as_uri().rstrip("/") + "/"}},
        "columnKind": "unicodeCodePoints",
        "results": [_result(d, index[d.code], fp)
                    for d, fp in zip(report.diagnostics, fingerprints(report))],
    }
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


@reporter("sarif")
def sarif(report: Report) -> str:
    return json.dumps(sarif_log(report), indent=2, ensure_ascii=False) + "\n"
