"""The reference corpus in ../shared, beside the checkout.

A user's own clone has no ../shared: those tests skip there with the reason. In CI (the
CI variable set) the corpus is required, and its absence fails the test instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = REPO_ROOT.parent / "shared"


def require_shared(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if path.exists():
        return path
    reason = f"{path} not found: the reference corpus lives in ../shared beside the checkout"
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (required when CI is set)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    return require_shared()


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return require_shared("corpus")


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return require_shared("seeds")


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT
