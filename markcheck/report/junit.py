"""``junit``: JUnit XML, for CI test-report views (GitLab, Jenkins, Azure, ...).

``<testsuites>`` holds one ``<testsuite name="markcheck">`` with one
``<testcase name=PATH classname="markcheck">`` per linted file
(``Report.files_linted``, in order; a path that has diagnostics but is not listed
is added after them). A file without findings is a passing test case; a file with
findings has one ``<failure message="CODE: message" type="CODE">path:line:col</failure>``
per diagnostic. A file that could not be read (``Report.errors``) is a test case
with an ``<error>``. Counts follow JUnit: ``tests`` = test cases, ``failures`` =
test cases with at least one failure, ``errors`` = test cases in error.

The document is built with :mod:`xml.etree.ElementTree`, so it is always
well-formed; characters XML 1.0 cannot hold (control characters) are replaced by
U+FFFD.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict

from ..diagnostics import Diagnostic
from . import Report, reporter

SUITE = "markcheck"
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _x(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _failure(case: ET.Element, d: Diagnostic) -> None:
    failure = ET.SubElement(case, "failure", message=_x(f"{d.code}: {d.message}"), type=_x(d.code))
    failure.text = _x(f"{d.path}:{d.line}:{d.column}")


def junit_tree(report: Report) -> ET.Element:
    """The ``<testsuites>`` element of ``report``."""
    by_path: dict[str, list[Diagnostic]] = defaultdict(list)
    for d in report.diagnostics:
        by_path[d.path].append(d)
    paths = list(dict.fromkeys([*report.files_linted, *by_path]))

    root = ET.Element("testsuites", name=SUITE)
    suite = ET.SubElement(root, "testsuite", name=SUITE)
    for path in paths:
        case = ET.SubElement(suite, "testcase", name=_x(path), classname=SUITE)
        for d in by_path.get(path, ()):
            _failure(case, d)
    for err in report.errors:
        case = ET.SubElement(suite, "testcase", name=_x(err.partition(": ")[0]), classname=SUITE)
        ET.SubElement(case, "error", message=_x(err), type="InputError").text = _x(err)

    counts = {
        "tests": len(paths) + len(report.errors),
        "failures": sum(1 for p in paths if by_path.get(p)),
        "errors": len(report.errors),
        "skipped": 0,
    }
    for element in (root, suite):
        element.attrib.update({k: str(v) for k, v in counts.items()})
    return root


@reporter("junit")
def junit(report: Report) -> str:
    root = junit_tree(report)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
