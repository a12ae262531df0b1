from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.plugins.shared_corpus import REPO_ROOT
from tui.app import LeapTuiApp

SAMPLES = REPO_ROOT / "sample_configs"


@pytest.fixture
def samples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of sample_configs/, and a private user config directory."""
    target = tmp_path / "samples"
    shutil.copytree(SAMPLES, target)
    monkeypatch.setenv("LEAP_TUI_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("LEAP_TUI_STATE_DIR", str(tmp_path / "state"))
    return target


# Seconds a test waits for the app's loading worker (files read, checked, screen filled).
LOAD_TIMEOUT = 30.0


async def until_loaded(pilot: Pilot[None]) -> None:
    """Until the app has filled its screen and replayed any keys held meanwhile."""
    app = pilot.app
    assert isinstance(app, LeapTuiApp)
    deadline = asyncio.get_running_loop().time() + LOAD_TIMEOUT
    while not app.loaded or app.keys_held:
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("the app did not finish loading its files")
        await asyncio.sleep(0.005)
    await pilot.pause()


@pytest.fixture(autouse=True)
def _pilot_after_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pilot tests start on the filled screen, as the operator sees it a moment after
    start-up: ``run_test`` and snapshot runs wait for the loading worker first. A test of
    the moments before calls ``App.run_test(app)`` (the method not wrapped here)."""
    run_test = LeapTuiApp.run_test
    run_async = LeapTuiApp.run_async

    @contextlib.asynccontextmanager
    async def loaded_run_test(self: LeapTuiApp, *args: Any,
                              **kwargs: Any) -> AsyncIterator[Pilot[None]]:
        async with run_test(self, *args, **kwargs) as pilot:
            await until_loaded(pilot)
            yield pilot

    async def loaded_run_async(self: LeapTuiApp, *args: Any, auto_pilot: Any = None,
                               **kwargs: Any) -> Any:
        if auto_pilot is not None:
            inner = auto_pilot

            async def auto_pilot(pilot: Pilot[None]) -> None:
                await until_loaded(pilot)
                await inner(pilot)

        return await run_async(self, *args, auto_pilot=auto_pilot, **kwargs)

    monkeypatch.setattr(LeapTuiApp, "run_test", loaded_run_test)
    monkeypatch.setattr(LeapTuiApp, "run_async", loaded_run_async)
