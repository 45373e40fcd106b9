"""Reference lists shipped with markcheck (``markcheck/data/``, cablemap BSD licence)."""

from __future__ import annotations

import os
from functools import lru_cache

__all__ = ["subject_tags", "organization_tags", "geo_tags", "stations"]


def _load(name: str) -> frozenset[str]:
    try:  # the package's folder, as it is but in a zip (importlib.resources: some 15 ms of imports)
        with open(os.path.join(os.path.dirname(__file__), "data", name), encoding="utf-8") as file:
            text = file.read()
    except OSError:
        from importlib.resources import files

        text = (files("markcheck.data") / name).read_text(encoding="utf-8")
    return frozenset(line.strip().upper() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=None)
def subject_tags() -> frozenset[str]:
    """Subject TAGS of the Cablegate era (PREL, PGOV, ECON, ...)."""
    return _load("subject-tags.txt")


@lru_cache(maxsize=None)
def organization_tags() -> frozenset[str]:
    """Organisation TAGS (UN, NATO, EUN, IAEA, ...)."""
    return _load("organization-tags.txt")


@lru_cache(maxsize=None)
def geo_tags() -> frozenset[str]:
    """Two-letter geographic TAGS seen in real cables (FIPS 10-4 style: KS, IZ, FR)."""
    return _load("geo-tags-observed.txt")


@lru_cache(maxsize=None)
def stations() -> frozenset[str]:
    """Posts that originate cables (PARIS, STATE, USUN NEW YORK, ...)."""
    return _load("stations.txt")
