"""``text``: one line per diagnostic, ``path:line:col: CODE message``."""

from __future__ import annotations

from collections import Counter

from . import Report, reporter


def statistics(report: Report) -> list[str]:
    counts = Counter(d.code for d in report.diagnostics)
    names = {d.code: d.name for d in report.diagnostics}
    width = max((len(str(n)) for n in counts.values()), default=1)
    return [f"{counts[c]:>{width}}  {c}  {names[c]}" for c in sorted(counts)]


@reporter("text")
def text(report: Report) -> str:
    lines: list[str] = []
    if report.statistics:
        lines.extend(statistics(report))
    else:
        lines.extend(f"{d.path}:{d.line}:{d.column}: {d.code} {d.message}" for d in report.diagnostics)
    if not report.quiet:
        n = len(report.diagnostics)
        if n:
            lines.append(f"Found {n} problem{'s' if n != 1 else ''} in {report.files} "
                         f"file{'s' if report.files != 1 else ''}.")
        elif report.files:
            lines.append(f"All checks passed ({report.files} file{'s' if report.files != 1 else ''}).")
    return "\n".join(lines) + ("\n" if lines else "")
