"""docs/rules.md, generated from the rule docstrings (markcheck rules --format markdown)."""

from __future__ import annotations

from .rules import all_rules

FAMILIES = {
    "S": "Structure", "C": "Classification and portion marking",
    "D": "Classification authority and declassification", "H": "Captions and handling",
    "T": "TAGS, SUBJECT, REF", "R": "Redaction and release",
}


def rules_markdown() -> str:
    rules = all_rules()
    out = ["# Rules", "",
           "Generated from the rule docstrings by `markcheck rules --format markdown`; "
           "do not edit by hand.", "",
           "| code | name | severity | checks |", "|---|---|---|---|"]
    out += [f"| [{r.code}](#{r.code.lower()}) | {r.name} | {r.severity} | {r.summary} |" for r in rules]
    family = None
    for r in rules:
        if r.code[0] != family:
            family = r.code[0]
            out += ["", f"## {family}: {FAMILIES.get(family, '')}"]
        out += ["", f"### {r.code}", "", f"`{r.name}`, default severity **{r.severity}**", "",
                r.doc]
        if r.options:
            out += ["", "Options: " + ", ".join(f"`{k}` (default `{v!r}`)" for k, v in r.options.items())]
    return "\n".join(out) + "\n"
