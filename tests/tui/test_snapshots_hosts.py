"""SVG snapshots of the host list (F8) at 80x24 and 60x20: hosts.toml's hosts and the
provider's LEAP nodes, a selection, a last change from the journal, every drift state.

Regenerate with: .venv/bin/pytest tests/tui/test_snapshots_hosts.py --snapshot-update
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.tui.pilot_helpers import settle
from tests.tui.test_host_list import dry_run
from tests.tui.test_snapshots import freeze, size_id
from tui.app import LeapTuiApp
from tui.core.remote.journal import Journal, JournalEntry

pytestmark = pytest.mark.timeout(90)


@pytest.fixture(autouse=True)
def in_samples(samples: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Relative paths, as an operator types them; hosts.toml takes the LEAP nodes too; the
    journal has one change, at a fixed time."""
    monkeypatch.chdir(samples)
    inventory = samples / "hosts.toml"
    inventory.write_text(inventory.read_text() + "\n[fleet]\n")
    Journal().append(JournalEntry("2026-11-24T10:15:00Z", "3f2a1c9e0d11", "apply", "clace1",
                                  "/var/lib/clace/clace.toml", "a" * 64, "b" * 64,
                                  "/var/lib/clace/clace.toml.leap-tui.20261124T101500Z",
                                  "confirmed"))


@pytest.mark.parametrize("size", [(80, 24), (60, 20)], ids=size_id)
def test_host_list(snap_compare: object, size: tuple[int, int]) -> None:
    app = LeapTuiApp(Path("clace.toml"), Path("provider"), Path("hosts.toml"),
                     remember_theme=False)
    app.fleet_status.record("dry-run", [
        dry_run("clace1", "unchanged"), dry_run("deploy", "changed", "unchanged"),
        dry_run("db1", "drift", status="failed")])

    async def hosts(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("f8")
        await settle(pilot)
        await pilot.press("space", "down", "down", "down", "down", "down", "space", "up")
        await freeze(pilot)

    assert snap_compare(app, terminal_size=size, run_before=hosts)  # type: ignore[operator]
