"""The Diagnostic record and severities."""

from __future__ import annotations

from enum import IntEnum
from functools import total_ordering

from .records import record

__all__ = ["Severity", "Diagnostic"]


class Severity(IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r}; choose from error, warning, info") from None


@total_ordering
@record
class Diagnostic:
    """One fault at one place. Lines and columns are 1-based; the end is exclusive.

    Diagnostics sort by (path, line, column, code).
    """

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    code: str
    severity: Severity
    message: str
    name: str = ""

    @property
    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, self.code, self.end_line, self.end_column, self.message)

    def __lt__(self, other: "Diagnostic") -> bool:
        if not isinstance(other, Diagnostic):
            return NotImplemented
        return self.sort_key < other.sort_key

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "code": self.code,
            "name": self.name,
            "severity": str(self.severity),
            "message": self.message,
        }
