"""D: classification authority and declassification."""

from __future__ import annotations
