"""C: classification and portion marking."""

from __future__ import annotations
