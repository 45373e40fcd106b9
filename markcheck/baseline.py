"""Baseline: adopt markcheck on an existing archive without fixing it all first.

``markcheck check --write-baseline FILE`` records the current findings;
``markcheck check --baseline FILE`` then reports only findings the baseline does not
cover. A finding is keyed by

- its path, relative to the folder of the baseline file (``/`` separated),
- its rule code,
- the SHA-256 of the offending text: the text of its span in the user's file, or
  of its whole line when the span is empty,

so a finding that moves to another line (text added above it) is still matched.
Matching is by multiset: an entry with ``count: 2`` covers two findings with that
key. Entries left over are *stale* (the finding was fixed); they are listed, never
a failure, and go away with the next ``--write-baseline``.

The file is JSON with sorted keys and sorted entries, so it diffs cleanly, and it is
written atomically (a temporary file in the same folder, then ``os.replace``)::

    {
      "entries": [
        {"code": "S101", "count": 1, "hash": "9f86d0...", "path": "cables/07LAPAZ3262.txt"}
      ],
      "tool": "markcheck",
      "version": 1
    }
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .diagnostics import Diagnostic

__all__ = ["Baseline", "BaselineError", "Key", "Match", "finding_text", "key_of",
           "write_text_atomic", "FORMAT_VERSION"]

FORMAT_VERSION = 1

Key = tuple[str, str, str]   # (path relative to the baseline's folder, code, sha256)


class BaselineError(Exception):
    """A baseline file cannot be read or written; the message is one line."""


def write_text_atomic(path: str, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and
    ``os.replace``: readers see the old file or the new one, never half of it."""
    import tempfile  # (json, hashlib and tempfile: imported where a baseline is used, not by every run)

    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            mode = os.stat(path).st_mode & 0o777
        except OSError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def finding_text(d: Diagnostic, lines: Sequence[str]) -> str:
    """The text a diagnostic points at: its span, or its line when the span is empty
    (or only blanks)."""
    if not 1 <= d.line <= len(lines):
        return ""
    line = lines[d.line - 1]
    if (d.end_line, d.end_column) <= (d.line, d.column):
        return line
    if d.end_line == d.line:
        text = line[d.column - 1:d.end_column - 1]
    else:
        parts = [line[d.column - 1:]]
        parts.extend(lines[d.line:min(d.end_line - 1, len(lines))])
        if d.end_line <= len(lines):
            parts.append(lines[d.end_line - 1][:d.end_column - 1])
        text = "\n".join(parts)
    return text if text.strip() else line


def _rel(path: str, base: str) -> str:
    if path == "-" or path.startswith("<"):
        return path
    rel = os.path.relpath(os.path.abspath(path), base)
    return rel.replace(os.sep, "/")


def key_of(d: Diagnostic, lines: Sequence[str], base: str) -> Key:
    import hashlib

    digest = hashlib.sha256(finding_text(d, lines).encode("utf-8")).hexdigest()
    return (_rel(d.path, base), d.code, digest)


@dataclass
class Match:
    """The outcome of applying a baseline: the new findings and the stale entries."""

    new: list[Diagnostic] = field(default_factory=list)
    matched: int = 0
    stale: list[tuple[Key, int]] = field(default_factory=list)


@dataclass
class Baseline:
    """Counts of known findings by key; ``base`` is the folder paths are relative to."""

    base: str
    counts: Counter = field(default_factory=Counter)

    @classmethod
    def from_diagnostics(cls, path: str, diagnostics: Iterable[Diagnostic],
                         sources: Mapping[str, Sequence[str]]) -> "Baseline":
        base = os.path.dirname(os.path.abspath(path))
        counts: Counter = Counter(key_of(d, sources.get(d.path, ()), base) for d in diagnostics)
        return cls(base, counts)

    def dumps(self) -> str:
        entries = [{"path": p, "code": c, "hash": h, "count": n}
                   for (p, c, h), n in sorted(self.counts.items()) if n > 0]
        doc = {"tool": "markcheck", "version": FORMAT_VERSION, "entries": entries}
        import json

        return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    def write(self, path: str) -> None:
        try:
            write_text_atomic(path, self.dumps())
        except OSError as exc:
            raise BaselineError(f"{path}: cannot write the baseline: {exc.strerror or exc}") from None

    @classmethod
    def load(cls, path: str) -> "Baseline":
        def bad(why: str) -> BaselineError:
            return BaselineError(f"{path}: not a markcheck baseline ({why}); "
                                 f"write one with --write-baseline {path}")

        import json

        try:
            with open(path, encoding="utf-8") as fh:
                doc = json.load(fh)
        except FileNotFoundError:
            raise BaselineError(f"{path}: baseline file not found; "
                                f"create it with --write-baseline {path}") from None
        except OSError as exc:
            raise BaselineError(f"{path}: cannot read the baseline: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise bad("not UTF-8 text") from None
        except json.JSONDecodeError as exc:
            raise bad(f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("entries"), list):
            raise bad('no "entries" list')
        if doc.get("version") != FORMAT_VERSION:
            raise bad(f"version {doc.get('version')!r}, this markcheck reads version {FORMAT_VERSION}")
        counts: Counter = Counter()
        for i, e in enumerate(doc["entries"]):
            if not (isinstance(e, dict) and isinstance(e.get("path"), str)
                    and isinstance(e.get("code"), str) and isinstance(e.get("hash"), str)
                    and isinstance(e.get("count", 1), int) and not isinstance(e.get("count", 1), bool)
                    and e.get("count", 1) > 0):
                raise bad(f"entry {i + 1} needs path, code, hash (strings) and count (a positive integer)")
            counts[(e["path"], e["code"], e["hash"])] += e.get("count", 1)
        return cls(os.path.dirname(os.path.abspath(path)), counts)

    def apply(self, diagnostics: Iterable[Diagnostic], sources: Mapping[str, Sequence[str]],
              linted: Iterable[str] = ()) -> Match:
        """Split ``diagnostics`` into new findings and findings the baseline covers.

        Stale entries are reported only for the files in ``linted`` (a run over some
        files says nothing about the others)."""
        left = Counter(self.counts)
        match = Match()
        for d in diagnostics:
            k = key_of(d, sources.get(d.path, ()), self.base)
            if left[k] > 0:
                left[k] -= 1
                match.matched += 1
            else:
                match.new.append(d)
        seen = {_rel(p, self.base) for p in linted}
        match.stale = [(k, n) for k, n in sorted(left.items()) if n > 0 and k[0] in seen]
        return match
