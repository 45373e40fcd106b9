"""``text``: one line per diagnostic, ``path:line:col: CODE message``, then a summary.

With ``statistics`` it prints a count per code instead; with ``quiet`` no summary.
"""

from __future__ import annotations

from collections import Counter

from . import Report, reporter


def statistics(report: Report) -> list[str]:
    counts = Counter(d.code for d in report.diagnostics)
    names = {d.code: d.name for d in report.diagnostics}
    width = max((len(str(n)) for n in counts.values()), default=1)
    return [f"{counts[c]:>{width}}  {c}  {names[c]}" for c in sorted(counts)]


def summary(report: Report) -> list[str]:
    """The closing line (none when ``quiet``): problems found, or all checks passed."""
    if report.quiet:
        return []
    n = len(report.diagnostics)
    files = f"{report.files} file{'s' if report.files != 1 else ''}"
    if n:
        return [f"Found {n} problem{'s' if n != 1 else ''} in {files}."]
    return [f"All checks passed ({files})."] if report.files else []


@reporter("text")
def text(report: Report) -> str:
    lines: list[str] = []
    if report.statistics:
        lines.extend(statistics(report))
    else:
        lines.extend(f"{d.path}:{d.line}:{d.column}: {d.code} {d.message}" for d in report.diagnostics)
    lines.extend(summary(report))
    return "\n".join(lines) + ("\n" if lines else "")
