"""The reference corpus in ../shared, beside the checkout.

A user's own clone has no ../shared: those tests skip there with the reason. In CI (the
CI variable set) the corpus is required, and its absence fails the test instead.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.plugins.requirements import missing

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = REPO_ROOT.parent / "shared"


def require_shared(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if path.exists():
        return path
    missing(f"{path} not found: the reference corpus lives in ../shared beside the checkout")


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
