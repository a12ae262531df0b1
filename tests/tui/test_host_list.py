"""The host list (F8): hosts as the CLI reads them (hosts.toml, an Ansible inventory, the
provider's LEAP nodes), --limit's patterns as a filter, the selection, the last change from
the journal and the drift state from the runs. The runs themselves: test_host_list_sshd.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from tests.tui.pilot_helpers import burst, notices, settle
from tui.app import LeapTuiApp
from tui.core.hosts.status import (
    DRIFT,
    IN_SYNC,
    TO_UPDATE,
    UNKNOWN,
    FleetStatus,
    drift_found,
)
from tui.core.remote.journal import Journal
from tui.core.remote.outcome import FileOutcome, HostResult
from tui.screens.hosts import HostListScreen

pytestmark = pytest.mark.timeout(60)

INI = """\
[web]
web1 ansible_host=192.0.2.11 http_port=8080
web2 ansible_host=192.0.2.12
[db]
db1 ansible_host=192.0.2.21 ansible_port=2222
[prod:children]
web
db
[prod:vars]
ansible_user=root
"""


def app_with(clace: Path | None, provider: Path | None, inventory: Path | None) -> LeapTuiApp:
    return LeapTuiApp(clace, provider, inventory, remember_theme=False)


async def open_hosts(pilot: Pilot[None]) -> HostListScreen:
    await settle(pilot)
    await pilot.press("f8")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, HostListScreen), screen
    return screen


def summary(screen: HostListScreen) -> str:
    return str(screen.query_one("#hosts-summary", Static).content)


def cell(screen: HostListScreen, host: str, column: str) -> str:
    return str(screen.table.get_cell(host, column))


async def test_hosts_toml_with_fleet_lists_the_leap_nodes_too(samples: Path) -> None:
    inventory = samples / "hosts.toml"
    inventory.write_text(inventory.read_text() + "\n[fleet]\n")
    app = app_with(samples / "clace.toml", samples / "provider", inventory)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_hosts(pilot)
        assert [line.name for line in screen.lines] == [
            "clace1", "deploy", "db1", "mx1", "vpn1", "web1"]
        # The production tag sets the environment too (as LEAP's tags/production.json).
        assert cell(screen, "web1", "labels") == ("tag:production service:webapp "
                                                  "env:production")
        assert cell(screen, "web1", "drift") == "? unknown"
        assert cell(screen, "web1", "last") == "never"
        web1 = screen.line("web1")
        assert web1.address == "root@192.0.2.10:22"  # ip_address, ssh.port, LEAP's user
        assert "nodes/web1.json → /etc/leap/nodes/web1.json" in web1.detail()
        # The filter is --limit's language: a tag, a service, a union with an exclusion.
        await pilot.press("slash", *"tag:production")
        await settle(pilot)
        assert screen.shown == ["db1", "mx1", "vpn1", "web1"]  # every node is production
        await pilot.press(*":&service:webapp")
        await settle(pilot)
        assert screen.shown == ["web1"]
        screen.query_one("#hosts-filter-input").value = "service:openvpn,clace1"  # type: ignore[attr-defined]
        await settle(pilot)
        assert screen.shown == ["clace1", "vpn1"]
        screen.query_one("#hosts-filter-input").value = "all:!deploy:!service:webapp"  # type: ignore[attr-defined]
        await settle(pilot)
        assert screen.shown == ["clace1", "db1", "mx1", "vpn1"]


async def test_space_plus_and_minus_select_and_the_filter_bounds_what_acts(
        samples: Path) -> None:
    (samples / "hosts.ini").write_text(INI)
    app = app_with(samples / "clace.toml", None, samples / "hosts.ini")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_hosts(pilot)
        assert [line.name for line in screen.lines] == ["web1", "web2", "db1"]
        assert cell(screen, "db1", "labels") == "db prod"
        assert screen.line("db1").address == "root@192.0.2.21:2222"
        # Ansible variables leap-tui does not use: one note, not an error.
        assert any("http_port" in n for n in notices(pilot))
        assert screen.chosen == []
        await burst(pilot, ["space", "down", "space"])
        assert screen.chosen == ["web1", "web2"]
        assert cell(screen, "web1", "mark") == "[x]" and cell(screen, "db1", "mark") == "[ ]"
        await burst(pilot, ["space"])  # again: unselected
        assert screen.chosen == ["web1"]
        await burst(pilot, ["plus"])
        assert screen.chosen == ["web1", "web2", "db1"]
        assert summary(screen).startswith("3 selected of 3 shown (3 hosts)")
        # Filtered to the db group: only the selected hosts shown act.
        await pilot.press("slash", *"db", "enter")
        await settle(pilot)
        assert screen.shown == ["db1"] and screen.chosen == ["db1"]
        assert app.focused is screen.table
        await burst(pilot, ["minus"])
        assert screen.chosen == [] and screen.selected == set()
        await burst(pilot, ["a"])
        assert notices(pilot)[-1].startswith("Nothing to act on: no host is selected")
        assert app.screen is screen
        await burst(pilot, ["escape"])  # out of the list: back to the main screen
        assert not isinstance(app.screen, HostListScreen)


async def test_a_pattern_that_selects_nothing_says_so(samples: Path) -> None:
    (samples / "hosts.ini").write_text(INI)
    app = app_with(samples / "clace.toml", None, samples / "hosts.ini")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_hosts(pilot)
        await burst(pilot, ["plus"])
        await pilot.press("slash", *"mail*")
        await settle(pilot)
        assert screen.shown == [] and screen.table.row_count == 0
        assert summary(screen).startswith(
            "✖ 'mail*' selects no host (of 3); nothing matches 'mail*'.")
        await pilot.press("escape", "d")  # the selection is hidden: nothing acts
        await settle(pilot)
        assert notices(pilot)[-1] == ("Nothing to act on: 'mail*' selects no host (of 3); "
                                      "nothing matches 'mail*'.")
        await pilot.press("slash")
        await burst(pilot, ["ctrl+u", *"web:&db"])
        assert summary(screen).startswith("✖ 'web:&db' selects no host (of 3)")
        await burst(pilot, ["ctrl+u", *"web*:mail"])  # one term matches: a note for the other
        assert screen.shown == ["web1", "web2"]
        assert "Note: 'mail' selects no host." in summary(screen)


async def test_only_a_provider_its_nodes_are_the_hosts(samples: Path) -> None:
    app = app_with(samples / "clace.toml", samples / "provider", None)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_hosts(pilot)
        assert [line.name for line in screen.lines] == ["db1", "mx1", "vpn1", "web1"]
        await burst(pilot, ["f8"])  # F8 again closes it
        assert not isinstance(app.screen, HostListScreen)


async def test_last_change_from_the_journal_and_drift_from_the_runs(samples: Path) -> None:
    Journal().record(run="3f2a1c9e0d11", action="apply", host="clace1",
                     path="/var/lib/clace/clace.toml", before="a" * 64, after="b" * 64,
                     backup="/var/lib/clace/clace.toml.leap-tui.20261124T101500.000001Z",
                     result="confirmed")
    app = app_with(samples / "clace.toml", samples / "provider", samples / "hosts.toml")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_hosts(pilot)
        line = screen.line("clace1")
        assert line.last_change == f"{Journal().entries()[0].time[5:16].replace('T', ' ')} " \
            "confirmed"
        assert "apply run 3f2a1c9e0d11: confirmed" in line.last_change_detail
        assert cell(screen, "deploy", "last") == "never"
        # A dry run that ended elsewhere: the list shows it when it comes back.
        app.fleet_status.record("dry-run", [dry_run("clace1", "changed"),
                                            dry_run("deploy", "unchanged")])
        screen.reload()
        await settle(pilot)
        assert cell(screen, "clace1", "drift") == "● to update"
        assert cell(screen, "deploy", "drift") == "✔ in sync"


def dry_run(host: str, *statuses: str, status: str = "dry-run") -> HostResult:
    return HostResult(host, status, files=[FileOutcome(f"/etc/f{i}", s)
                                           for i, s in enumerate(statuses)])


def test_drift_states_from_each_kind_of_run() -> None:
    assert drift_found("dry-run", dry_run("h", "unchanged")).state == IN_SYNC  # type: ignore[union-attr]
    assert drift_found("dry-run", dry_run("h", "unchanged", "changed")).state == TO_UPDATE  # type: ignore[union-attr]
    found = drift_found("dry-run", dry_run("h", "drift", status="failed"))
    assert found is not None and found.state == DRIFT and "/etc/f0" in found.detail
    unread = drift_found("dry-run", HostResult("h", "failed", "connection refused"))
    assert unread is not None and unread.state == UNKNOWN
    assert "connection refused" in unread.detail
    # Preflight errors stop a host after its files were read: the comparison stands.
    assert drift_found("dry-run", dry_run("h", "changed", status="failed")).state == TO_UPDATE  # type: ignore[union-attr]
    assert drift_found("apply", dry_run("h", "applied", status="applied")).state == IN_SYNC  # type: ignore[union-attr]
    assert drift_found("rollback", dry_run("h", "rolled-back",
                                           status="rolled-back")).state == UNKNOWN  # type: ignore[union-attr]
    assert drift_found("apply", HostResult("h", "skipped")) is None
    status = FleetStatus()
    status.record("dry-run", [dry_run("h", "changed")], "dry-run at 10:15:00")
    status.record("apply", [HostResult("h", "skipped")])  # not contacted: kept
    assert status.of("h").state == TO_UPDATE and status.of("h").detail.endswith(
        "(dry-run at 10:15:00)")
    assert status.of("other").state == UNKNOWN


async def test_the_editors_keys_are_off_on_the_host_list_and_say_why(samples: Path) -> None:
    app = app_with(samples / "clace.toml", samples / "provider", samples / "hosts.toml")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_hosts(pilot)
        keys = {key.key for key in app.screen.query("FooterKey")}
        assert {"space", "plus", "a", "d", "r"} <= keys
        assert not keys & {"ctrl+s", "f2", "f3"}  # room for the list's own keys at 80
        await burst(pilot, ["ctrl+s"])
        assert notices(pilot)[-1] == "Not on this screen: Escape leads back to the editor."
