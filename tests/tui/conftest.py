from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.plugins.shared_corpus import REPO_ROOT

SAMPLES = REPO_ROOT / "sample_configs"


@pytest.fixture
def samples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of sample_configs/, and a private user config directory."""
    target = tmp_path / "samples"
    shutil.copytree(SAMPLES, target)
    monkeypatch.setenv("LEAP_TUI_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("LEAP_TUI_STATE_DIR", str(tmp_path / "state"))
    return target
