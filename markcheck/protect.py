"""The protected-terms store: names that must never appear in clear in a release.

The store (``.markcheck-protected.json``) never holds a term in clear. It holds a
random per-file salt and, for each entry, an id, the date it was added and the
SHA-256 of ``salt + normalised term``::

    {"version": 1, "salt": "<hex>", "entries": [{"id": "p1a2b3c4", "added": "2025-01-31",
     "sha256": "<hex>"}]}

Normalisation folds case (and accents), spacing, hyphens and a possessive ``'s``:
``Jean-Francois Ricard's``, ``JEAN FRANCOIS  RICARD`` and ``jean-francois ricard``
are the same term, the word sequence ``jean francois ricard``. Matching hashes every
word sequence of a text (up to :data:`MAX_WORDS` words) with the salt and looks it up,
so a multi-word name is found wherever its words follow one another, across line
breaks, in the body, SUBJECT or TAGS alike.

The file is found like the configuration: from the linted file's folder upwards
(:func:`find_store`), or named with ``--protected FILE``.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

__all__ = ["STORE_NAME", "MAX_WORDS", "Store", "StoreError", "Entry", "normalise", "words",
           "find_store", "load_store", "mask"]

STORE_NAME = ".markcheck-protected.json"
#: the longest term (in words) matched
MAX_WORDS = 8
VERSION = 1

def _token_hex(size: int) -> str:
    import secrets  # (with hashlib and json: imported where a store is used, not by every run)

    return secrets.token_hex(size)


_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_APOSTROPHES = "'\u2019\u02bc"


class StoreError(Exception):
    """A store that cannot be read or written; the message is one line."""


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str, base: int = 0) -> list[tuple[str, int, int]]:
    """The words of ``text`` as (folded word, start, end) with offsets plus ``base``.

    Words are runs of letters and digits: hyphens, spaces, line breaks and other
    punctuation separate them. A possessive ``'s`` (or ``’s``) is folded into the
    word before it: its span grows to cover it, and no word ``s`` is produced.
    """
    out: list[tuple[str, int, int]] = []
    for m in _WORD.finditer(text):
        w, s, e = m.group(), m.start(), m.end()
        if (w in ("s", "S") and out and s >= 2 and text[s - 1] in _APOSTROPHES
                and out[-1][2] == s - 1 + base):
            prev = out[-1]
            out[-1] = (prev[0], prev[1], e + base)
            continue
        out.append((_fold(w), s + base, e + base))
    return out


def normalise(term: str) -> str:
    """The normal form of a term: its folded words joined by single spaces."""
    return " ".join(w for w, _, _ in words(term))


def mask(text: str) -> str:
    """A masked form that tells which place was meant without the text: each word's
    first letter and four stars (``Ann Smith`` -> ``A**** S****``); the same length for
    every name, so the mask does not leak a name's length."""
    parts = [m.group()[0].upper() + "****" for m in _WORD.finditer(text)]
    return " ".join(parts) if parts else "****"


def _digest(salt: str, normal: str) -> str:
    import hashlib

    return hashlib.sha256((salt + normal).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Entry:
    id: str
    added: str
    sha256: str


@dataclass
class Store:
    """A protected-terms store in memory (``path`` None: not from a file)."""

    salt: str = field(default_factory=lambda: _token_hex(16))
    entries: list[Entry] = field(default_factory=list)
    path: str | None = None

    # ---------------------------------------------------------------- reading
    @classmethod
    def from_dict(cls, data: object, path: str | None = None) -> "Store":
        where = path or "protected store"
        if not isinstance(data, dict) or not isinstance(data.get("salt"), str) \
                or not isinstance(data.get("entries", []), list):
            raise StoreError(f"{where}: not a markcheck protected-terms store")
        entries = []
        for e in data.get("entries", []):
            if not (isinstance(e, dict) and isinstance(e.get("sha256"), str)):
                raise StoreError(f"{where}: malformed entry")
            entries.append(Entry(str(e.get("id", "")), str(e.get("added", "")), e["sha256"].lower()))
        return cls(data["salt"], entries, path)

    @classmethod
    def load(cls, path: str) -> "Store":
        try:
            import json

            with open(path, encoding="utf-8") as fh:
                data = json.load(fh)
        except FileNotFoundError:
            raise StoreError(f"{path}: no such file") from None
        except (OSError, ValueError) as exc:
            raise StoreError(f"{path}: cannot read: {exc}") from None
        return cls.from_dict(data, path)

    def to_dict(self) -> dict:
        return {"version": VERSION, "salt": self.salt,
                "entries": [{"id": e.id, "added": e.added, "sha256": e.sha256} for e in self.entries]}

    def save(self, path: str | None = None) -> None:
        import json

        from .baseline import write_text_atomic

        path = path or self.path
        if path is None:
            raise StoreError("no path to write the protected store to")
        write_text_atomic(path, json.dumps(self.to_dict(), indent=2) + "\n")
        self.path = path

    # ---------------------------------------------------------------- editing
    def add(self, term: str, today: _dt.date | None = None) -> Entry | None:
        """Add ``term``; None when it is empty after normalisation or already there."""
        normal = normalise(term)
        if not normal:
            return None
        digest = _digest(self.salt, normal)
        if any(e.sha256 == digest for e in self.entries):
            return None
        taken = {e.id for e in self.entries}
        while True:
            ident = "p" + _token_hex(4)
            if ident not in taken:
                break
        entry = Entry(ident, (today or _dt.date.today()).isoformat(), digest)
        self.entries.append(entry)
        return entry

    def remove(self, ident: str) -> bool:
        before = len(self.entries)
        self.entries = [e for e in self.entries if e.id != ident]
        return len(self.entries) != before

    # ---------------------------------------------------------------- matching
    def _index(self) -> dict[str, str]:
        return {e.sha256: e.id for e in self.entries}

    def matches(self, text: str, regions: Iterable[tuple[int, int]] | None = None
                ) -> Iterator[tuple[int, int, str]]:
        """Where protected terms occur in ``text``: (start, end, entry id), longest first
        at each place, never overlapping, in text order. ``regions`` ((start, end)
        offsets) limit the scan; words never join across two regions."""
        if not self.entries:
            return
        index = self._index()
        for start, end in (regions if regions is not None else [(0, len(text))]):
            ws = words(text[start:end], start)
            i = 0
            while i < len(ws):
                hit = None
                for n in range(min(MAX_WORDS, len(ws) - i), 0, -1):
                    normal = " ".join(w for w, _, _ in ws[i:i + n])
                    ident = index.get(_digest(self.salt, normal))
                    if ident is not None:
                        hit = (ws[i][1], ws[i + n - 1][2], ident, n)
                        break
                if hit:
                    yield hit[:3]
                    i += hit[3]
                else:
                    i += 1


def find_store(start: str) -> str | None:
    """The closest ``.markcheck-protected.json`` from the folder ``start`` upwards."""
    d = os.path.abspath(start)
    while True:
        candidate = os.path.join(d, STORE_NAME)
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


_CACHE: dict[str, tuple[float, int, Store]] = {}


def load_store(path: str) -> Store:
    """A store read from ``path``, cached while the file is unchanged."""
    st = os.stat(path)
    key = os.path.abspath(path)
    hit = _CACHE.get(key)
    if hit and hit[0] == st.st_mtime and hit[1] == st.st_size:
        return hit[2]
    store = Store.load(path)
    _CACHE[key] = (st.st_mtime, st.st_size, store)
    return store
