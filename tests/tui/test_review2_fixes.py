"""Review 2 items on the TUI: a dead host does not block the apply (M4), nothing needed is
clipped at 80x24 (M5), SIGHUP during a run (L2), the tree cursor at start (L8) and where
apply and rollback are offered (L9)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Static, Tree

from tests.plugins.sshd_hosts import RemoteEnv, SshdHost, free_port
from tests.tui.pilot_helpers import open_section, replace_text, settle
from tests.tui.test_apply_pilot import (
    apply_until_ready,
    change_listener,
    clace_host,
    make_app,
    old_bytes,
    wait_until,
)
from tui.app import HANGUP_EXIT_AFTER, HANGUP_EXIT_AFTER_RUNNING, LeapTuiApp
from tui.core.remote.journal import Journal
from tui.screens.apply import ApplyScreen
from tui.screens.history import HistoryScreen
from tui.screens.rollback import RollbackScreen
from widgets.findings_table import FindingsTable, finding_detail
from widgets.host_results import HostResultsTable

Hosts = Callable[[int], list[SshdHost]]


def text_of(app: LeapTuiApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).content)


@pytest.mark.timeout(60)
async def test_a_dead_host_is_skipped_and_the_reachable_one_applied(
        samples: Path, remote_env: RemoteEnv, sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    inventory, target = clace_host(remote_env, host, samples)
    dead = remote_env.host_toml(None, "gone", [
        {"source": "clace", "target": str(target) + ".gone"}], port=free_port())
    inventory.write_text(inventory.read_text() + "\n" + dead)
    app = make_app(samples, inventory)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await apply_until_ready(pilot, app)
        assert screen.phase == "ready", screen.status_text
        assert screen.touch == ["h1"]
        assert "skipped" in screen.status_text and "reachable" in screen.status_text
        table = screen.query_one(HostResultsTable)
        assert [r.host for r in table.results] == ["gone"]
        # M5: the highlighted host's finding in full, under the table.
        (finding,) = table.results[0].findings
        detail = text_of(app, "#result-detail")
        assert finding.code in detail and finding.message in detail
        assert screen.query_one("#result-detail").region.height >= 2

        await pilot.press("y")
        await wait_until(pilot, lambda: screen.phase == "done", what="the apply")
        assert target.read_bytes() == (samples / "clace.toml").read_bytes()
        results = {r.host: r.status for r in screen.query_one(HostResultsTable).results}
        assert results == {"h1": "applied", "gone": "skipped"}
        assert "gone" in screen.status_text

        # L9: rollback from a finished apply replaces it (no stale results underneath).
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, RollbackScreen), 5, "rollback")
        assert not any(isinstance(s, ApplyScreen) for s in app.screen_stack)


async def test_highlighted_finding_is_shown_in_full_at_80x24(samples: Path) -> None:
    app = make_app(samples, None)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_section(pilot, "clace:http")
        await replace_text(pilot, "http.port", "80")  # privileged: a long message and a hint
        await pilot.press("escape")
        await settle(pilot)
        table = app.screen.query_one(FindingsTable)
        hinted = [i for i, f in enumerate(table.shown) if f.hint]
        assert hinted, "a finding with a hint"
        table.move_cursor(row=hinted[-1])
        await settle(pilot)
        finding = table.shown[hinted[-1]]
        detail = text_of(app, "#finding-detail")
        assert detail == finding_detail(finding)
        assert finding.message in detail and finding.hint in detail
        region = app.screen.query_one("#finding-detail").region
        assert region.height >= 2 and region.bottom <= 23  # above the footer, on screen


async def test_tree_cursor_starts_on_the_section_shown(samples: Path) -> None:
    app = make_app(samples, None)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        main = app.main_screen
        assert main is not None and main.section is not None
        tree: Tree[str] = main.query_one("#nav", Tree)
        assert tree.cursor_node is not None
        assert tree.cursor_node.data == main.section.id == "clace:http"
        await pilot.press("down")
        await settle(pilot)
        assert main.section.id == "clace:https"


@pytest.mark.timeout(30)
async def test_apply_and_rollback_are_not_offered_on_top_of_history(
        samples: Path, remote_env: RemoteEnv, sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    inventory, target = clace_host(remote_env, host, samples)
    Journal(remote_env.state).record(run="r1", action="apply", host="h1", path=str(target),
                                     before="a" * 64, after="b" * 64,
                                     backup=f"{target}.leap-tui.20261124T101500.000001Z",
                                     result="applied")
    app = make_app(samples, inventory)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.check_action("rollback", ()) is True
        await pilot.press("f7")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        assert app.check_action("rollback", ()) is False
        assert app.check_action("apply", ()) is False
        await pilot.press("r", "a")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)


async def test_sighup_without_a_run_exits_soon(samples: Path) -> None:
    app = make_app(samples, None)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app._terminal_gone()
        timer = app.hard_exit
        assert timer is not None
        timer.cancel()
        assert timer.interval == HANGUP_EXIT_AFTER
    assert app.return_code == 129


@pytest.mark.timeout(60)
async def test_sighup_during_the_countdown_declines_and_lets_the_run_finish(
        samples: Path, remote_env: RemoteEnv, sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    inventory, target = clace_host(remote_env, host, samples)
    live = (samples / "clace.toml").read_bytes()
    target.write_bytes(live)
    app = make_app(samples, inventory)
    app.confirm_window = 30  # long: only the declined answer can end it in time
    async with app.run_test(size=(120, 40)) as pilot:
        await change_listener(pilot)
        await pilot.press("ctrl+s")
        screen = await apply_until_ready(pilot, app)
        await pilot.press("y")
        await wait_until(pilot, lambda: bool(screen.pending), what="the countdown")
        (_, answer), = screen.pending.values()
        app._terminal_gone()
        timer = app.hard_exit
        assert timer is not None
        timer.cancel()  # the test must not end the process
        assert timer.interval == HANGUP_EXIT_AFTER_RUNNING
        assert answer.given and answer.value is False
    # The worker outlives the exit and reverts the host at once, well before the window.
    deadline = time.monotonic() + 20
    while target.read_bytes() != live and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert target.read_bytes() == live
    assert app.return_code == 129
    assert target.read_bytes() != old_bytes(samples)
