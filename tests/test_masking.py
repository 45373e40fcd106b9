"""No R diagnostic, in any output format, prints the protected or detected text."""

from __future__ import annotations

import subprocess

import pytest

from markcheck.report import formats

SECRETS = ["Olga Vetrova", "OLGA VETROVA", "OLGA-VETROVA", "Vetrova", "kmiller@state.gov",
           "555-0147", "Benning"]
CABLE = """C O N F I D E N T I A L MOSCOW 000001

TAGS: PREL, PHUM, OLGA VETROVA
SUBJECT: MEETING WITH OLGA-VETROVA

1. (C) Olga Vetrova's office called; contact kmiller@state.gov or Tel: (202) 555-0147.
2. (U) FCO Team Leader Laura Benning (strictly protect) said so.
"""


@pytest.mark.parametrize("fmt", formats())
def test_no_clear_text_in_any_format(tmp_path, markcheck_exe, fmt):
    run = lambda *a, **kw: subprocess.run([markcheck_exe, *a], capture_output=True, text=True,
                                          cwd=tmp_path, timeout=120, **kw)
    assert run("protect", "add", "Olga Vetrova").returncode == 0
    (tmp_path / "c.txt").write_text(CABLE)
    r = run("check", "--isolated", "--release-level", "U", "--format", fmt, "--select", "R", "c.txt")
    assert r.returncode == 1, r.stderr
    out = r.stdout + r.stderr + (tmp_path / ".markcheck-protected.json").read_text()
    codes = {c for c in ("R603", "R604", "R606", "R609", "R610") if c in out}
    assert codes == {"R603", "R604", "R606", "R609", "R610"}, out
    for secret in SECRETS:
        assert secret.lower() not in out.lower(), f"{fmt} prints {secret!r}"


def test_full_format_masks_lines_of_other_rules_too(tmp_path, markcheck_exe):
    # the full format prints source lines for every rule: the R spans in them are starred
    # (T rules quote TAGS text in their messages, so they are left out here)
    (tmp_path / "c.txt").write_text(CABLE)
    subprocess.run([markcheck_exe, "protect", "add", "Olga Vetrova"], cwd=tmp_path, check=True,
                   capture_output=True)
    r = subprocess.run([markcheck_exe, "check", "--isolated", "--release-level", "U", "--format",
                        "full", "--ignore", "T", "c.txt"], capture_output=True, text=True, cwd=tmp_path)
    assert "vetrova" not in r.stdout.lower()


@pytest.mark.parametrize("fmt", ["text", "json", "full", "sarif", "github", "gitlab", "junit"])
def test_no_rule_quotes_a_protected_term(tmp_path, markcheck_exe, fmt):
    # every rule runs: a TAGS rule that quotes an unknown tag must not print the name
    (tmp_path / "c.txt").write_text(CABLE)
    subprocess.run([markcheck_exe, "protect", "add", "Olga Vetrova"], cwd=tmp_path, check=True,
                   capture_output=True)
    r = subprocess.run([markcheck_exe, "check", "--isolated", "--format", fmt, "c.txt"],
                       capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert r.returncode == 1, r.stderr
    assert "R606" in r.stdout
    assert "vetrova" not in (r.stdout + r.stderr).lower()
