"""markcheck: a linter for the classification markings of diplomatic cables."""

__version__ = "0.1.0"
