"""The host list against real sshd hosts: an Ansible inventory's hosts, a dry run, an apply
and a rollback ("undo the last run") that act on the selected hosts only; the drift state
each run leaves, and drift itself when a live file was changed by hand."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.plugins.sshd_hosts import RemoteEnv, SshdHost
from tests.tui.pilot_helpers import settle
from tests.tui.test_apply_pilot import old_bytes, wait_until
from tests.tui.test_host_list import cell
from tui.app import LeapTuiApp
from tui.screens.apply import ApplyScreen
from tui.screens.confirm import ConfirmDialog
from tui.screens.hosts import HostListScreen
from tui.screens.rollback import UNDO, RollbackScreen

Hosts = Callable[[int], list[SshdHost]]


def ansible_fleet(env: RemoteEnv, hosts: list[SshdHost]) -> Path:
    """hosts.ini with web1, web2 (group web) and db1 (group db), all in prod; hosts.toml
    names it and ships the Clace file to REMOTE/{host}.toml."""
    web1, web2, db1 = hosts
    (env.root / "hosts.ini").write_text(
        "[web]\n"
        f"web1 ansible_host=127.0.0.1 ansible_port={web1.port}\n"
        f"web2 ansible_host=127.0.0.1 ansible_port={web2.port}\n"
        "[db]\n"
        f"db1 ansible_host=127.0.0.1 ansible_port={db1.port}\n"
        "[prod:children]\nweb\ndb\n"
        f"[prod:vars]\nansible_user=root\nansible_ssh_private_key_file={env.client_key}\n")
    return env.inventory(
        'ansible_inventory = "hosts.ini"',
        "[fleet]",
        "[[fleet.file]]",
        'source = "clace"',
        f'target = "{env.remote}/{{host}}.toml"',
        'validate = "test -s {path}"')


async def back_to_hosts(pilot: Pilot[None], hosts: HostListScreen) -> None:
    await pilot.press("escape")
    await wait_until(pilot, lambda: pilot.app.screen is hosts, 5, "the host list")
    await settle(pilot)


async def run_from_hosts(pilot: Pilot[None], key: str) -> ApplyScreen:
    await pilot.press(key)
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ApplyScreen), 5, "a run")
    screen = pilot.app.screen
    assert isinstance(screen, ApplyScreen)
    await wait_until(pilot, lambda: screen.phase != "preview", what="the dry run")
    return screen


@pytest.mark.timeout(90)
async def test_dry_run_apply_and_undo_act_on_the_selected_hosts(
        samples: Path, remote_env: RemoteEnv, sshd_hosts: Hosts) -> None:
    hosts = sshd_hosts(3)
    remote_env.trust(*hosts)
    inventory = ansible_fleet(remote_env, hosts)
    saved = (samples / "clace.toml").read_bytes()
    live = {name: remote_env.remote / f"{name}.toml" for name in ("web1", "web2", "db1")}
    live["web1"].write_bytes(old_bytes(samples))
    live["web2"].write_bytes(old_bytes(samples))
    live["db1"].write_bytes(saved)
    app = LeapTuiApp(samples / "clace.toml", None, inventory, remember_theme=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f8")
        await settle(pilot)
        hosts_screen = app.screen
        assert isinstance(hosts_screen, HostListScreen)
        assert [line.name for line in hosts_screen.lines] == ["web1", "web2", "db1"]

        # The web group, all of it: a dry run reads both, changes nothing.
        await pilot.press("slash", *"web", "enter", "plus")
        await settle(pilot)
        assert hosts_screen.chosen == ["web1", "web2"]
        dry = await run_from_hosts(pilot, "d")
        assert dry.phase == "done" and dry.dry_run_only
        assert "2 to update" in dry.status_text and "Nothing was changed" in dry.status_text
        assert not dry.check_action("go", ())  # nothing to apply from here
        assert live["web1"].read_bytes() == old_bytes(samples)
        await back_to_hosts(pilot, hosts_screen)
        assert cell(hosts_screen, "web1", "drift") == "● to update"
        assert cell(hosts_screen, "web2", "drift") == "● to update"
        assert hosts_screen.line("db1").drift.state == "unknown"  # not in the dry run

        # Apply to web1 alone: web2 is unselected.
        hosts_screen.table.move_cursor(row=1)
        await pilot.press("space")
        assert hosts_screen.chosen == ["web1"]
        apply = await run_from_hosts(pilot, "a")
        assert apply.phase == "ready" and apply.touch == ["web1"]
        await pilot.press("enter")
        await wait_until(pilot, lambda: apply.phase == "done", what="the apply")
        assert [r.status for r in apply.last_results] == ["applied"]
        assert live["web1"].read_bytes() == saved
        assert live["web2"].read_bytes() == old_bytes(samples)
        await back_to_hosts(pilot, hosts_screen)
        assert cell(hosts_screen, "web1", "drift") == "✔ in sync"
        assert cell(hosts_screen, "web1", "last").endswith(" applied")
        assert cell(hosts_screen, "web2", "last") == "never"

        # Changed by hand on the host: the next dry run calls it drift (AP003).
        live["web1"].write_bytes(b"# edited on the host\n" + saved)
        dry = await run_from_hosts(pilot, "d")
        assert "1 drift" in dry.status_text
        await back_to_hosts(pilot, hosts_screen)
        assert cell(hosts_screen, "web1", "drift") == "✖ drift"
        assert "changed on the host since leap-tui applied it" in hosts_screen.line(
            "web1").detail()
        live["web1"].write_bytes(saved)

        # Undo the last run on web1 and web2: web2 was not changed by it, and says so.
        await pilot.press("plus", "r")
        await wait_until(pilot, lambda: isinstance(app.screen, RollbackScreen), 5, "rollback")
        rollback = app.screen
        assert isinstance(rollback, RollbackScreen)
        assert [h.name for h in rollback.chosen_hosts] == ["web1", "web2"]
        assert rollback.chosen_option == UNDO and rollback.undo is not None
        assert sorted(rollback.undo.backups) == ["web1"]
        undone = rollback.undo.run
        await pilot.press("g")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog), 5, "the dialog")
        await pilot.press("y")
        await wait_until(pilot, lambda: app.screen is rollback and not rollback.running
                         and bool(rollback.last_results), what="the rollback")
        got = {r.host: (r.status, r.message) for r in rollback.last_results}
        assert got["web1"][0] == "rolled-back"
        assert got["web2"] == ("unchanged", f"nothing to roll back from run {undone}: it "
                               "did not change web2")
        assert "Nothing to roll back on web2" in rollback.status_text
        assert live["web1"].read_bytes() == old_bytes(samples)
        assert live["web2"].read_bytes() == old_bytes(samples)
        assert live["db1"].read_bytes() == saved
