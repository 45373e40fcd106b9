"""H: captions and handling."""

from __future__ import annotations
