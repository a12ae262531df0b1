"""A few SVG snapshots of the key screens at 80x24 and 120x40.

textual, rich and the tree-sitter grammars are pinned exactly in pyproject.toml: a new
release of any of them changes the rendering and these files with it.
Regenerate with: .venv/bin/pytest tests/tui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tests.tui.pilot_helpers import open_section, replace_text, settle
from tui.app import LeapTuiApp

pytestmark = pytest.mark.timeout(90)

SIZES = [(80, 24), (120, 40)]


@pytest.fixture(autouse=True)
def in_samples(samples: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Relative paths, as an operator types them: no temporary path ends up in a screen."""
    monkeypatch.chdir(samples)


def make_app(samples: Path) -> LeapTuiApp:
    return LeapTuiApp(Path("clace.toml"), Path("provider"), Path("hosts.toml"),
                      remember_theme=False)


async def freeze(pilot: Pilot[None]) -> None:
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_main_screen(samples: Path, snap_compare: object, size: tuple[int, int]) -> None:
    async def edit(pilot: Pilot[None]) -> None:
        await open_section(pilot, "clace:https")
        await replace_text(pilot, "https.port", "443")
        await freeze(pilot)

    assert snap_compare(make_app(samples), terminal_size=size, run_before=edit)  # type: ignore[operator]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_port_map(samples: Path, snap_compare: object, size: tuple[int, int]) -> None:
    async def ports(pilot: Pilot[None]) -> None:
        await pilot.press("f2")
        await freeze(pilot)

    assert snap_compare(make_app(samples), terminal_size=size, run_before=ports)  # type: ignore[operator]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_diff_view(samples: Path, snap_compare: object, size: tuple[int, int]) -> None:
    async def diff(pilot: Pilot[None]) -> None:
        await open_section(pilot, "node:web1")
        await replace_text(pilot, "ssh.port", "2222")
        await pilot.press("f3")
        await freeze(pilot)

    assert snap_compare(make_app(samples), terminal_size=size, run_before=diff)  # type: ignore[operator]
