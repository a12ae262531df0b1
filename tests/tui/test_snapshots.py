"""SVG snapshots of the key screens at 60x20, 80x24, 120x40 and 200x50.

textual, rich and the tree-sitter grammars are pinned exactly in pyproject.toml: a new
release of any of them changes the rendering and these files with it.
Regenerate with: .venv/bin/pytest tests/tui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tests.tui.pilot_helpers import burst, open_section, replace_text, settle
from tui.app import LeapTuiApp

pytestmark = pytest.mark.timeout(90)

SIZES = [(60, 20), (80, 24), (120, 40), (200, 50)]


def size_id(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


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
    pilot.app.clear_notifications()  # toasts time out: not part of a picture
    await settle(pilot)


async def clash(pilot: Pilot[None]) -> None:
    """HTTPS on the HTTP port: an error finding, the cursor left in the field."""
    await open_section(pilot, "clace:https")
    await replace_text(pilot, "https.port", "25223")


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_main_screen(samples: Path, snap_compare: object, size: tuple[int, int]) -> None:
    async def edit(pilot: Pilot[None]) -> None:
        await clash(pilot)
        await freeze(pilot)

    assert snap_compare(make_app(samples), terminal_size=size, run_before=edit)  # type: ignore[operator]


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_port_map(samples: Path, snap_compare: object, size: tuple[int, int]) -> None:
    async def ports(pilot: Pilot[None]) -> None:
        await clash(pilot)
        await pilot.press("f2")
        await freeze(pilot)

    assert snap_compare(make_app(samples), terminal_size=size, run_before=ports)  # type: ignore[operator]


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_diff_view(samples: Path, snap_compare: object, size: tuple[int, int]) -> None:
    async def diff(pilot: Pilot[None]) -> None:
        await open_section(pilot, "node:web1")
        await replace_text(pilot, "ssh.port", "2222")
        await pilot.press("f3")
        await freeze(pilot)

    assert snap_compare(make_app(samples), terminal_size=size, run_before=diff)  # type: ignore[operator]


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_long_value_shown_whole(samples: Path, snap_compare: object,
                                size: tuple[int, int]) -> None:
    async def long_value(pilot: Pilot[None]) -> None:
        await open_section(pilot, "clace:https")
        await replace_text(pilot, "https.cert_location",
                           "/srv/clace/config/certificates/production/wildcard")
        await burst(pilot, ["home"])  # the field shows the start; the help line the rest
        await freeze(pilot)

    assert snap_compare(make_app(samples), terminal_size=size, run_before=long_value)  # type: ignore[operator]


@pytest.mark.parametrize("theme", ["leap-light", "leap-high-contrast"])
def test_themes(samples: Path, snap_compare: object, theme: str) -> None:
    async def themed(pilot: Pilot[None]) -> None:
        pilot.app.theme = theme
        await clash(pilot)
        await freeze(pilot)

    assert snap_compare(make_app(samples), terminal_size=(80, 24), run_before=themed)  # type: ignore[operator]
