"""Output formats, each checked by its real consumer's schema or parser.

SARIF is validated against the official 2.1.0 schema with jsonschema; JUnit XML is
parsed with xml.etree; GitHub workflow commands are decoded as the Actions runner
decodes them; GitLab Code Quality is checked for the fields GitLab reads. Each
format also runs end to end on the seed's real diagnostics.
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET

import pytest

import markcheck
from conftest import ROOT, SEED, SHARED
from markcheck.diagnostics import Diagnostic, Severity
from markcheck.report import REPORTER_MODULES, Report, formats, get_reporter, source_lines
from markcheck.rules import all_rules
from markcheck.source import read_source

SARIF_SCHEMA = SHARED / "schemas" / "sarif-schema-2.1.0.json"
CI = os.environ.get("CI", "").lower() == "true"
ESC = "\x1b"

LINES = [
    "C O N F I D E N T I A L PARIS 000001",      # 1
    "",                                           # 2
    "E.O. 12958: DECL: 10 YEARS",                # 3
    "SUBJECT: 100% sure, really: yes",           # 4
    "",                                           # 5
    "1. (S) Text.",                              # 6
    "2. (S) More.",                              # 7
]
PATH = "cables/a.txt"


def diag(line, col, end_col, code="C203", severity=Severity.ERROR, message="portion above banner",
         path=PATH, end_line=None, name="portion-above-banner"):
    return Diagnostic(path, line, col, line if end_line is None else end_line, end_col, code,
                      severity, message, name)


SAMPLE = [
    diag(3, 19, 27, "D309", Severity.WARNING, "DECL '10 YEARS' is a duration", name="decl-relative-duration"),
    diag(4, 1, 8, "C215", Severity.INFO, "100% sure: a, b\nc\rd", name="subject-not-marked"),
    diag(6, 4, 7),
    diag(7, 4, 7),
]


def report(diagnostics=SAMPLE, lines=LINES, files=(PATH, "cables/b.txt"), **kw) -> Report:
    paths = {d.path for d in diagnostics}
    return Report(diagnostics, len(files), sources={p: lines for p in paths}, files_linted=list(files), **kw)


def render(fmt: str, rep: Report) -> str:
    return get_reporter(fmt)(rep)


def moved(diagnostics, by: int):
    """The same findings ``by`` lines further down (blank lines inserted at the top)."""
    return [Diagnostic(d.path, d.line + by, d.column, d.end_line + by, d.end_column, d.code,
                       d.severity, d.message, d.name) for d in diagnostics]


@pytest.fixture
def in_root(monkeypatch):
    monkeypatch.chdir(ROOT)


@pytest.fixture(scope="module")
def seed_report() -> Report:
    """The seed's real diagnostics and lines, paths relative to the checkout."""
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        path = SEED.relative_to(ROOT).as_posix()
        result = markcheck.lint_paths([path])
        assert not result.errors and result.diagnostics
        # the engine's own lines and paths when it keeps them, else read the file here
        sources = getattr(result, "sources", None) or {path: source_lines(read_source(path).raw)}
        assert sources[path] == source_lines(read_source(path).raw)
        return Report(result.diagnostics, result.files, result.errors, sources=sources,
                      files_linted=list(getattr(result, "paths", None) or [path]))
    finally:
        os.chdir(cwd)


# ---------------------------------------------------------------- registry

def test_registry_has_every_format():
    assert set(formats()) == {"text", "full", "json", "sarif", "github", "gitlab", "junit"}
    assert list(REPORTER_MODULES) == formats()
    with pytest.raises(ValueError, match="unknown format 'xml'.*sarif"):
        get_reporter("xml")


def test_report_rejects_unknown_color():
    with pytest.raises(ValueError, match="auto, always, never"):
        Report([], color="sometimes")


def test_source_lines_count_as_diagnostics_do():
    assert source_lines("a\r\nb\rc\fx\nd\n") == ["a", "b", "c\fx", "d"]


# ---------------------------------------------------------------- sarif

@pytest.fixture(scope="module")
def sarif_validator():
    if not SARIF_SCHEMA.is_file():
        reason = f"the SARIF 2.1.0 schema is not at {SARIF_SCHEMA}"
        if CI:
            pytest.fail(reason + "; CI must have it")
        pytest.skip(reason)
    try:
        import jsonschema
    except ImportError:
        if CI:
            pytest.fail("jsonschema is not installed; CI must have it (pip install -e '.[test]')")
        pytest.skip("jsonschema is not installed")
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def sarif_of(rep: Report, validator) -> dict:
    log = json.loads(render("sarif", rep))
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
    return log


def test_sarif_valid_and_complete(sarif_validator, in_root):
    log = sarif_of(report(), sarif_validator)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "markcheck" and driver["version"] == markcheck.__version__
    rules = driver["rules"]
    assert [r["id"] for r in rules][:len(all_rules())] == [r.code for r in all_rules()]
    level = {"error": "error", "warning": "warning", "info": "note"}
    for r, rule in zip(rules, all_rules()):
        assert r["name"] == rule.name
        assert r["shortDescription"]["text"] == rule.summary
        assert r["fullDescription"]["text"] == rule.doc
        assert r["defaultConfiguration"]["level"] == level[str(rule.severity)]
    results = run["results"]
    assert len(results) == len(SAMPLE)
    for res, d in zip(results, SAMPLE):
        assert res["ruleId"] == d.code and rules[res["ruleIndex"]]["id"] == d.code
        assert res["level"] == level[str(d.severity)]
        assert res["message"]["text"] == d.message
        loc = res["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"] == {"uri": "cables/a.txt", "uriBaseId": "%SRCROOT%"}
        assert loc["region"] == {"startLine": d.line, "startColumn": d.column,
                                 "endLine": d.end_line, "endColumn": d.end_column}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].endswith("/")
    fps = [r["partialFingerprints"]["markcheck/v1"] for r in results]
    assert len(set(fps)) == len(fps)


def test_sarif_fingerprints_survive_moved_lines(sarif_validator, in_root):
    before = sarif_of(report(), sarif_validator)["runs"][0]["results"]
    after = sarif_of(report(moved(SAMPLE, 2), ["", ""] + LINES), sarif_validator)["runs"][0]["results"]
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in after] == \
        [d.line + 2 for d in SAMPLE]
    assert [r["partialFingerprints"] for r in after] == [r["partialFingerprints"] for r in before]


def test_sarif_paths_errors_and_empty(sarif_validator, in_root, tmp_path):
    outside = tmp_path / "x y#1.txt"
    rep = Report([diag(1, 1, 2, path=str(ROOT / "seeds" / "a b.txt")), diag(1, 1, 2, path=str(outside))],
                 2, errors=["gone.txt: no such file or directory"])
    run = sarif_of(rep, sarif_validator)["runs"][0]
    locs = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]]
    assert locs[0] == {"uri": "seeds/a%20b.txt", "uriBaseId": "%SRCROOT%"}
    assert locs[1] == {"uri": outside.as_uri()}
    inv = run["invocations"][0]
    assert inv["executionSuccessful"] is False
    assert inv["toolExecutionNotifications"][0]["message"]["text"].startswith("gone.txt")
    empty = sarif_of(Report([], 0), sarif_validator)["runs"][0]
    assert empty["results"] == [] and empty["invocations"][0]["executionSuccessful"] is True


def test_sarif_seed_end_to_end(sarif_validator, seed_report, in_root):
    run = sarif_of(seed_report, sarif_validator)["runs"][0]
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
            for r in run["results"]] == [(d.code, d.line) for d in seed_report.diagnostics]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]} == \
        {"seeds/000_df1ac7e9bbbdfea1.txt"}


# ---------------------------------------------------------------- junit

def parse_junit(text: str) -> ET.Element:
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(text.encode("utf-8"))


def test_junit_counts_and_cases():
    root = parse_junit(render("junit", report()))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1 and suites[0].get("name") == "markcheck"
    suite = suites[0]
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [PATH, "cables/b.txt"]
    assert {c.get("classname") for c in cases} == {"markcheck"}
    failures = cases[0].findall("failure")
    assert len(failures) == len(SAMPLE)
    assert failures[0].get("message") == "D309: DECL '10 YEARS' is a duration"
    assert failures[0].text == "cables/a.txt:3:19"
    assert list(cases[1]) == []                       # no findings: a passing case
    for el in (root, suite):
        assert (el.get("tests"), el.get("failures"), el.get("errors")) == ("2", "1", "0")


def test_junit_well_formed_with_hostile_text_and_errors():
    nasty = diag(1, 1, 2, message='<&"\'> ]]> \x00\x1b\x0b ok', path='a&<b>.txt')
    rep = Report([nasty], 1, errors=["gone.txt: no such file or directory"], files_linted=["a&<b>.txt"])
    root = parse_junit(render("junit", rep))
    case = root.find("testsuite/testcase")
    assert case.get("name") == "a&<b>.txt"
    assert case.find("failure").get("message").startswith('C203: <&"\'> ]]> ')
    err = root.find("testsuite/testcase/error")
    assert err is not None and "gone.txt" in err.get("message")
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("2", "1", "1")


def test_junit_seed_end_to_end(seed_report):
    root = parse_junit(render("junit", seed_report))
    (case,) = root.findall("testsuite/testcase")
    assert case.get("name") == seed_report.files_linted[0]
    assert [f.get("message").split(":")[0] for f in case.findall("failure")] == \
        [d.code for d in seed_report.diagnostics]
    assert root.find("testsuite").get("failures") == "1"


# ---------------------------------------------------------------- github

_COMMAND = re.compile(r"^::(?P<cmd>[a-z]+)(?: (?P<props>.*?))?::(?P<data>.*)$")


def _unescape(text: str, prop: bool) -> str:
    """As the Actions runner decodes command values (ActionCommand.Unescape)."""
    pairs = [("%0D", "\r"), ("%0A", "\n")] + ([("%3A", ":"), ("%2C", ",")] if prop else [])
    for code, ch in pairs + [("%25", "%")]:
        text = text.replace(code, ch)
    return text


def parse_github(text: str) -> list[tuple[str, dict, str]]:
    out = []
    assert text.endswith("\n")
    for line in text[:-1].split("\n"):
        m = _COMMAND.match(line)
        assert m, line
        props = {}
        for part in (m["props"] or "").split(","):
            if part:
                key, _, value = part.partition("=")
                props[key] = _unescape(value, True)
        out.append((m["cmd"], props, _unescape(m["data"], False)))
    return out


def test_github_escaping_round_trips():
    d = diag(4, 1, 8, "C215", Severity.INFO, "100% sure: a, b\nc\rd", path="dir,x/a:b%.txt",
             name="subject-not-marked")
    text = render("github", Report([d], 1))
    assert text.count("\n") == 1 and "\r" not in text
    line = text.rstrip("\n")
    assert "file=dir%2Cx/a%3Ab%25.txt," in line
    assert line.endswith("::100%25 sure: a, b%0Ac%0Dd")
    [(cmd, props, data)] = parse_github(text)
    assert cmd == "notice" and data == d.message
    assert props == {"file": "dir,x/a:b%.txt", "line": "4", "col": "1", "endLine": "4", "endColumn": "7",
                     "title": "C215 subject-not-marked"}


def test_github_levels_and_multiline_spans():
    ds = [diag(1, 1, 2, severity=Severity.ERROR), diag(2, 1, 2, severity=Severity.WARNING),
          diag(3, 1, 2, severity=Severity.INFO), diag(6, 4, 3, end_line=7)]
    parsed = parse_github(render("github", Report(ds, 1, errors=["x.txt: binary file"])))
    assert [p[0] for p in parsed] == ["error", "warning", "notice", "error", "error"]
    assert parsed[3][1] == {"file": PATH, "line": "6", "endLine": "7", "title": "C203 portion-above-banner"}
    assert parsed[4] == ("error", {"title": "markcheck"}, "x.txt: binary file")


def test_github_seed_end_to_end(seed_report, in_root):
    parsed = parse_github(render("github", seed_report))
    assert [(p[1]["file"], int(p[1]["line"]), int(p[1]["col"]), p[1]["title"].split()[0], p[2])
            for p in parsed] == [(d.path, d.line, d.column, d.code, d.message) for d in seed_report.diagnostics]


# ---------------------------------------------------------------- gitlab

GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def check_gitlab(text: str) -> list[dict]:
    issues = json.loads(text)
    assert isinstance(issues, list)
    for issue in issues:
        assert set(issue) >= {"description", "check_name", "fingerprint", "severity", "location"}
        assert isinstance(issue["description"], str) and issue["description"]
        assert re.fullmatch(r"[0-9a-f]{64}", issue["fingerprint"])
        assert issue["severity"] in GITLAB_SEVERITIES
        loc = issue["location"]
        assert isinstance(loc["path"], str) and not loc["path"].startswith("/") and "\\" not in loc["path"]
        assert isinstance(loc["lines"]["begin"], int) and loc["lines"]["end"] >= loc["lines"]["begin"] >= 1
    fps = [i["fingerprint"] for i in issues]
    assert len(set(fps)) == len(fps), "fingerprints must be unique per finding"
    return issues


def test_gitlab_structure(in_root):
    issues = check_gitlab(render("gitlab", report()))
    assert [(i["check_name"], i["severity"], i["location"]["lines"]["begin"]) for i in issues] == \
        [("D309", "minor", 3), ("C215", "info", 4), ("C203", "major", 6), ("C203", "major", 7)]
    assert issues[0]["description"] == "D309: DECL '10 YEARS' is a duration"
    assert issues[0]["location"]["path"] == "cables/a.txt"


def test_gitlab_fingerprints_stable_and_unique(in_root):
    fps = [i["fingerprint"] for i in check_gitlab(render("gitlab", report()))]
    # the same text on another line: the same fingerprint
    shifted = [i["fingerprint"] for i in check_gitlab(render("gitlab", report(moved(SAMPLE, 3), ["x"] * 3 + LINES)))]
    assert shifted == fps
    # lines 6 and 7 hold the same offending text "(S)": told apart by occurrence
    assert fps[2] != fps[3]
    # other offending text: another fingerprint
    changed = list(LINES)
    changed[2] = "E.O. 12958: DECL: 25 YEARS"
    other = [i["fingerprint"] for i in check_gitlab(render("gitlab", report(lines=changed)))]
    assert other[0] != fps[0] and other[1:] == fps[1:]
    # without the source at hand fingerprints are still unique and line-free
    bare = Report(SAMPLE, 1)
    assert [i["fingerprint"] for i in check_gitlab(render("gitlab", Report(moved(SAMPLE, 5), 1)))] == \
        [i["fingerprint"] for i in check_gitlab(render("gitlab", bare))]


def test_gitlab_seed_end_to_end(seed_report, in_root):
    issues = check_gitlab(render("gitlab", seed_report))
    assert [(i["check_name"], i["location"]["lines"]["begin"]) for i in issues] == \
        [(d.code, d.line) for d in seed_report.diagnostics]


# ---------------------------------------------------------------- full

def test_full_shows_line_and_caret_at_column():
    text = render("full", report(color="never"))
    lines = text.splitlines()
    i = lines.index("3 | E.O. 12958: DECL: 10 YEARS")
    assert lines[i - 2].startswith("cables/a.txt:3:19: D309 DECL")
    under = lines[i + 1]
    assert under.startswith("  | ")
    caret = under.index("^")
    assert caret == lines[i].index("10 YEARS")
    assert under[caret:].startswith("^~~~~~~~ warning: decl-relative-duration")   # 8 columns: "10 YEARS"
    assert lines[-1] == "Found 4 problems in 2 files."


def test_full_caret_under_tabs_and_wide_characters():
    src = ["\tA\u4e2dB (S) x"]     # tab, a wide CJK character, then the span "(S)"
    d = diag(1, 6, 9)
    lines = render("full", Report([d], 1, sources={PATH: src}, color="never")).splitlines()
    shown = next(l for l in lines if l.startswith("1 |"))
    under = lines[lines.index(shown) + 1]
    # display columns: the tab fills 4 cells, the CJK character 2
    assert shown == "1 |     A\u4e2dB (S) x"
    assert under.index("^") == len("1 |     A\u4e2dB ") + 1 and "^~~ " in under


def test_full_multiline_and_missing_source():
    d = diag(6, 4, 4, end_line=7)
    text = render("full", Report([d, diag(2, 1, 1, path="other.txt")], 2, sources={PATH: LINES},
                                 color="never", quiet=True))
    assert "6 | 1. (S) Text.\n  |    ^~~~~~~~~\n7 | 2. (S) More.\n  | ~~~ error: portion-above-banner" in text
    assert "other.txt:2:1: C203" in text and not text.endswith("\n\n")


def test_full_colour_choices(monkeypatch):
    for var in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    hostile = Report([diag(1, 1, 4, message="bad \x1b[31m text")], 1, sources={PATH: ["\x1b[2J(S) x"]},
                     terminal=True, color="never")
    assert ESC not in render("full", hostile)                 # the source cannot drive the terminal
    assert ESC not in render("full", report(terminal=True, color="never"))
    assert ESC not in render("full", report(terminal=False))  # auto, not a terminal
    assert f"{ESC}[" in render("full", report(terminal=True))  # auto, a terminal
    assert f"{ESC}[" in render("full", report(color="always"))
    monkeypatch.setenv("NO_COLOR", "1")
    assert ESC not in render("full", report(terminal=True))   # NO_COLOR beats auto
    assert f"{ESC}[" in render("full", report(terminal=True, color="always"))   # the flag beats NO_COLOR
    plain = render("full", report(color="never"))
    assert re.sub(r"\x1b\[[0-9;]*m", "", render("full", report(color="always"))) == plain


def test_full_seed_end_to_end(seed_report):
    text = render("full", Report(**{**seed_report.__dict__, "color": "never"}))
    lines = text.splitlines()
    seed_lines = seed_report.sources[seed_report.files_linted[0]]
    for d in seed_report.diagnostics:
        head = next(i for i, l in enumerate(lines) if l.startswith(f"{d.path}:{d.line}:{d.column}: {d.code} "))
        shown = lines[head + 2]
        gutter = shown.index("| ") + 2
        assert shown[gutter:] == seed_lines[d.line - 1]
        assert lines[head + 3].index("^") == gutter + d.column - 1


# ---------------------------------------------------------------- text and json on the seed

def test_text_and_json_seed_end_to_end(seed_report):
    assert render("text", seed_report).splitlines()[:len(seed_report.diagnostics)] == \
        [f"{d.path}:{d.line}:{d.column}: {d.code} {d.message}" for d in seed_report.diagnostics]
    assert [o["code"] for o in json.loads(render("json", seed_report))] == \
        [d.code for d in seed_report.diagnostics]
