"""T: TAGS, SUBJECT, REF."""

from __future__ import annotations
