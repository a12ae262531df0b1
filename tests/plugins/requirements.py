"""What a test needs from the machine: skipped on a user's machine, a failure in CI."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def missing(reason: str) -> NoReturn:
    """A required part (../shared, sshd, tmux) is absent.

    In CI (the CI variable set) nothing may be skipped: the run fails and says what is
    missing. On a user's own clone the test is skipped with the same reason.
    """
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (required when CI is set)")
    pytest.skip(reason)
