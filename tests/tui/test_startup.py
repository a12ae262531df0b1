"""Paint first, load after: the frame before the files are loaded, and the keys typed then.

The app paints its shell and loads the files in a worker (tui/loading.py). These tests hold
that worker at a gate, so that the keys are typed while it waits, whatever the machine's
speed; they start the app with ``App.run_test`` (tests/tui/conftest.py wraps the app's
own one to wait for the loading).
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.app import App
from textual.widgets import Static

import tui.app
from tests.plugins.shared_corpus import REPO_ROOT
from tests.tui.conftest import until_loaded
from tests.tui.pilot_helpers import burst, field_input, settle
from tui.app import LeapTuiApp
from tui.screens.confirm import QuitDialog
from widgets.nav_tree import NavTree

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """The loading worker waits until the test opens this (at the latest on teardown)."""
    opened = threading.Event()
    load = tui.app.load

    def gated_load(*paths: Path | None) -> object:
        opened.wait(30)
        return load(*paths)

    monkeypatch.setattr(tui.app, "load", gated_load)
    yield opened
    opened.set()


def make_app(samples: Path) -> LeapTuiApp:
    return LeapTuiApp(samples / "clace.toml", samples / "provider", samples / "hosts.toml",
                      remember_theme=False)


def title(app: LeapTuiApp) -> str:
    return str(app.screen.query_one("#section-title", Static).content)


async def test_the_first_frame_is_the_shell(samples: Path, gate: threading.Event) -> None:
    app = make_app(samples)
    async with App.run_test(app, size=(80, 24)) as pilot:
        await pilot.pause()
        assert not app.loaded and app.keys_held
        assert title(app).startswith(" Loading ") and "clace.toml" in title(app)
        assert not app.screen.query_one(NavTree).root.children  # the tree, empty
        assert not app.screen.query("#findings-pane")
        gate.set()
        await until_loaded(pilot)
        assert title(app) == " HTTP  ·  edits go to clace.toml"
        assert app.screen.query_one(NavTree).root.children
        assert app.screen.query("#findings-pane")


async def test_keys_typed_while_loading_land_in_the_field_as_typed(
        samples: Path, gate: threading.Event) -> None:
    clace = samples / "clace.toml"
    before = clace.read_text()
    app = make_app(samples)
    async with App.run_test(app, size=(80, 24)) as pilot:
        # Enter opens the first section's first field (http.host), whose text is selected
        # on arrival; the address replaces it and ctrl+s saves: all before the files load.
        await pilot.press("enter", *"10.1.2.3", "ctrl+s")
        await burst(pilot, ["end", "backspace", "4"])  # as a terminal delivers a burst
        assert not app.loaded and clace.read_text() == before
        gate.set()
        await until_loaded(pilot)
        await settle(pilot)
        assert field_input(pilot, "http.host").value == "10.1.2.4"
        assert app.focused is field_input(pilot, "http.host")
    assert 'host = "10.1.2.3"' in clace.read_text()  # saved where ctrl+s came, not after


async def test_a_quit_key_after_edits_is_replayed_after_them(
        samples: Path, gate: threading.Event) -> None:
    app = make_app(samples)
    async with App.run_test(app, size=(80, 24)) as pilot:
        await pilot.press("enter", "x", "ctrl+q")
        assert app.is_running
        gate.set()
        await until_loaded(pilot)
        await settle(pilot)
        assert isinstance(app.screen, QuitDialog)  # the edit is there: quitting asks first
        main = app.main_screen
        assert main is not None
        assert main.field_rows()[0].shown_text == "x"


async def test_the_quit_key_first_quits_while_loading(samples: Path,
                                                      gate: threading.Event) -> None:
    app = make_app(samples)
    async with App.run_test(app, size=(80, 24)) as pilot:
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running and not app.loaded
        gate.set()


FIRST_FRAME = """
import sys
import tui.app
from tui import cli

class FirstFrame(tui.app.LeapTuiApp):
    def _start_loading(self):  # the frame before any loading
        self.call_after_refresh(self.report)

    def report(self):
        core = sorted(m for m in sys.modules if m.startswith("tui.core"))
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in
                       ("paramiko", "cryptography", "tomlkit")
                       or m in ("tui.session", "widgets.field_row", "widgets.findings_pane",
                                "textual.widgets._data_table"))
        print(" ".join(core)); print(" ".join(heavy))
        self.exit()

    def run(self, **kwargs):
        return super().run(headless=True, size=(80, 24))

tui.app.LeapTuiApp = FirstFrame
cli.main(sys.argv[1:])
"""


def test_the_first_frame_imports_no_core_and_no_crypto(samples: Path) -> None:
    """Through the real entry point, in a fresh interpreter: at the first frame, of the core
    only what reads the operator's settings is imported, and none of the libraries that the
    files, SSH and certificates need."""
    args = ["--clace", str(samples / "clace.toml"), "--provider", str(samples / "provider"),
            "--inventory", str(samples / "hosts.toml")]
    result = subprocess.run([sys.executable, "-c", FIRST_FRAME, *args], capture_output=True,
                            text=True, timeout=60, cwd=REPO_ROOT, check=True)
    core, heavy = [*result.stdout.splitlines(), "", ""][:2]
    # The settings, and small modules of plain dataclasses (findings, and the workspace the
    # CLI finds the files with when none is named) with the message clipper they use.
    assert set(core.split()) <= {"tui.core", "tui.core.clip", "tui.core.errors",
                                 "tui.core.findings", "tui.core.textfile", "tui.core.user_config",
                                 "tui.core.workspace"}, core
    assert heavy == "", heavy
