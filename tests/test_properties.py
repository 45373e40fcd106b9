"""Property tests: cables built from the grammar's own parts round-trip through
parse -> model, and no input at all crashes the parser or the linter."""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings, strategies as st

import markcheck
from markcheck.lint import Settings, check_cable
from markcheck.markings import Level
from markcheck.model import build
from markcheck.source import InputError, decode, source_from_text

LEVEL_FORMS = {
    Level.U: ["UNCLAS", "UNCLASSIFIED"],
    Level.C: ["CONFIDENTIAL", "C O N F I D E N T I A L"],
    Level.S: ["SECRET", "S E C R E T"],
    Level.TS: ["TOP SECRET", "T O P S E C R E T"],
}
POSTS = ["PARIS", "SAN JOSE", "THE HAGUE", "STATE", "BUENOS AIRES", "TEL AVIV", "USUN NEW YORK"]
WORDS = ["MINISTER", "TALKS", "ON", "TRADE", "ELECTIONS", "POLICY", "VISIT", "THE", "OF",
         "REFORM", "ENERGY", "SECURITY", "BUDGET", "Embassy", "officials", "met", "with"]
TAGS = ["PREL", "PGOV", "ECON", "KDEM", "PHUM", "FR", "IZ", "KS", "MARR", "ETTC", "EFIN"]
CAPTIONS = ["SIPDIS", "NOFORN", "EXDIS", "NODIS", "LIMDIS"]
LETTERS = "abcdefgh"

words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=8).map(" ".join)


@st.composite
def cables(draw):
    level = draw(st.sampled_from(list(Level)))
    spec = {"level": level}
    form = draw(st.sampled_from(LEVEL_FORMS[level]))
    post = draw(st.sampled_from(POSTS))
    serial = draw(st.integers(1, 999999))
    of = draw(st.integers(1, 9))
    section = draw(st.integers(1, of)) if draw(st.booleans()) else None
    banner = form + (f" SECTION {section:02d} OF {of:02d}" if section else "") + f" {post} {serial:06d}"
    spec.update(post=post, serial=f"{serial:06d}", section=section)
    lines = [banner, ""]
    caps = draw(st.lists(st.sampled_from(CAPTIONS), unique=True, max_size=3))
    for cap in caps:
        lines += [cap, ""]
    spec["captions"] = caps
    order = draw(st.sampled_from(["12958", "13526"]))
    m, d, y = draw(st.integers(1, 12)), draw(st.integers(1, 28)), draw(st.integers(2000, 2035))
    decl = f"{m:02d}/{d:02d}/{y}"
    lines.append(f"E.O. {order}: DECL: {decl}")
    tags = draw(st.lists(st.sampled_from(TAGS), unique=True, min_size=1, max_size=6))
    lines.append("TAGS: " + " ".join(tags))
    subject = draw(words)
    wrap = draw(st.booleans()) and " " in subject
    if wrap:
        head, tail = subject.split(" ", 1)
        lines += [f"SUBJECT: {head}", tail]
    else:
        lines.append(f"SUBJECT: {subject}")
    spec.update(order=order, decl=decl, tags=tags, subject=subject)
    refs = draw(st.lists(st.tuples(st.sampled_from(POSTS), st.integers(1, 999999)), max_size=3))
    if refs:
        lines.append("")
        if len(refs) == 1:
            lines.append(f"REF: {refs[0][0]} {refs[0][1]}")
        else:
            lines.append("REF: " + " ".join(f"{'ABC'[i]}. {p} {s}" for i, (p, s) in enumerate(refs)))
    spec["refs"] = [(p, str(s)) for p, s in refs]
    section_no = draw(st.sampled_from(["1.4", "1.5"]))
    letters = sorted(draw(st.sets(st.sampled_from(LETTERS), min_size=1, max_size=3)))
    reason = " and ".join(f"({x})" for x in letters)
    name = draw(st.sampled_from(["Ambassador John Smith", "DCM Mary Jones", "POLOFF A. Brown"]))
    lines += ["", f"Classified By: {name} for reasons {section_no} {reason}.", ""]
    spec.update(classifier=name, reason_section=section_no, letters=tuple(letters))
    marks = {Level.U: ["U", "SBU"], Level.C: ["C", "U"], Level.S: ["S", "S/NF", "C"],
             Level.TS: ["TS", "S//NF", "C"]}[level]
    paras = draw(st.lists(st.sampled_from(marks), min_size=1, max_size=8))
    for i, mark in enumerate(paras, 1):
        body = draw(words)
        lines += [f"{i}. ({mark}) {body}", draw(words), ""]
    spec["marks"] = [f"({m})" for m in paras]
    lines.append("SMITH")
    return "\n".join(lines) + "\n", spec


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cables())
def test_generated_cables_round_trip(case):
    text, spec = case
    cable = markcheck.parse(text, "generated.txt")
    assert cable.parse_error is None
    b = cable.banner
    assert b.level is spec["level"]
    assert (b.post, b.serial, b.section) == (spec["post"], spec["serial"], spec["section"])
    assert list(cable.caption_words) == spec["captions"]
    assert (cable.eo.order, cable.eo.decl.text) == (spec["order"], spec["decl"])
    assert [t.text for t in cable.tags.items] == spec["tags"]
    assert cable.subject.text == spec["subject"]
    got_refs = [(r.post, r.serial) for r in cable.references.items] if cable.references else []
    assert got_refs == spec["refs"]
    cb = cable.classified_by
    assert (cb.classifier, cb.reason_section, cb.reason_letters) == (
        spec["classifier"], spec["reason_section"], spec["letters"])
    assert [p.marking.text for p in cable.paragraphs] == spec["marks"]
    assert [p.number for p in cable.paragraphs] == list(range(1, len(spec["marks"]) + 1))
    assert check_cable(cable, Settings(select=("S100", "S101"))) == []


def _lint_everything(text: str) -> None:
    cable = build(source_from_text(text, "fuzz.txt"))
    diags = check_cable(cable, Settings())
    n_lines = text.count("\n") + 2 + text.count("\r")
    for d in diags:
        assert 1 <= d.line <= d.end_line <= n_lines
        assert d.column >= 1


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_arbitrary_text_never_crashes(text):
    _lint_everything(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([
    "C O N F I D E N T I A L SECTION 01 OF 02 PARIS 007961", "SECRET", "UNCLAS", "SIPDIS",
    "E.O. 12958: DECL: 10 YEARS", "E.O.", "TAGS:", "TAGS PREL", "SUBJECT:", "REF: A.",
    "Classified By:", "Classified By: X for reasons 1.4 (", "1. (C)", "1.", "(S-NF)", "2. (",
    "PAGE 02", "", " ", "\t", "-- ", "END SUMMARY", "VZCZC", "ZNY CCCCC", "O 081923Z APR 08",
    "id: 1", "----- header ends -----", "Cable dated:2002-11-15T12:40:00", "\\", "[X](#)",
]) | st.text(alphabet=string.printable, max_size=30), max_size=30))
def test_shuffled_cable_parts_never_crash(parts):
    _lint_everything("\n".join(parts))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_crash(data):
    try:
        text = decode(data, "fuzz.bin")
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    _lint_everything(text)
