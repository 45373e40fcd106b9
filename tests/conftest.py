"""Shared fixtures: where the real corpus is, and the installed console script."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED = SEEDS / "000_df1ac7e9bbbdfea1.txt"
SHARED = Path(os.environ.get("MARKCHECK_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus"


def corpus_dir() -> Path:
    """The real cables; skip (or, under CI=true, fail) when they are not beside the checkout."""
    if (CORPUS / "cables").is_dir() and (CORPUS / "MANIFEST.tsv").is_file():
        return CORPUS
    reason = f"the real-cable corpus is not at {CORPUS} (clone with ../shared beside it)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason + "; CI must have it")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def corpus() -> Path:
    return corpus_dir()


@pytest.fixture(scope="session")
def markcheck_exe() -> str:
    """The installed console script (tests run the real command, as a user does)."""
    exe = shutil.which("markcheck")
    if exe is None:
        pytest.fail("the markcheck console script is not installed; run: pip install -e '.[test]'")
    return exe
