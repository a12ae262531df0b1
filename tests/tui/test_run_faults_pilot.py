"""The apply screen under faults, against real sshd hosts: giving up while a new connection
is retried (the host reverts now), a preflight error that stops a host until "allow
errors" is chosen, and a host key recorded by StrictHostKeyChecking accept-new, said."""

from __future__ import annotations

import os
import re
import signal
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.widgets import Static

from tests.plugins.sshd_hosts import RemoteEnv, SshdHost
from tests.tui.pilot_helpers import notices
from tests.tui.test_apply_pilot import (
    apply_until_ready,
    change_listener,
    clace_host,
    make_app,
    old_bytes,
    wait_until,
)
from tui.screens.hostkey import HostKeyDialog
from tui.screens.remote_run import RemoteRunScreen
from widgets.host_results import result_detail

Hosts = Callable[[int], list[SshdHost]]
CLOCK = r"\d\d:\d\d:\d\d"


@pytest.mark.timeout(90)
async def test_x_gives_up_on_the_new_connection_and_the_host_reverts_now(
        samples: Path, remote_env: RemoteEnv, sshd_host: SshdHost,
        monkeypatch: pytest.MonkeyPatch) -> None:
    inventory, target = clace_host(remote_env, sshd_host, samples)
    live = (samples / "clace.toml").read_bytes()
    target.write_bytes(live)  # only the listener will differ: a confirm window
    reports: list[str] = []
    forward = RemoteRunScreen._on_event

    def on_event(screen: RemoteRunScreen, host: str, stage: str, detail: str) -> None:
        # On the worker thread, before the first new connection is tried: the listener
        # goes (as when the new port is not reachable); the old session stays.
        if stage == "reconnect" and not reports:
            assert sshd_host.process is not None
            os.kill(sshd_host.process.pid, signal.SIGTERM)
            sshd_host.process.wait(10)
        if stage == "reconnect":
            reports.append(detail)
        forward(screen, host, stage, detail)

    monkeypatch.setattr(RemoteRunScreen, "_on_event", on_event)
    app = make_app(samples, inventory)
    app.confirm_window = 60
    async with app.run_test(size=(120, 40)) as pilot:
        await change_listener(pilot)
        await pilot.press("ctrl+s")
        screen = await apply_until_ready(pilot, app)
        assert not screen.check_action("revert_hosts", ())  # nothing waits yet
        await pilot.press("enter")
        await wait_until(pilot, lambda: "no new connection yet" in screen.countdown_text,
                         what="a failed attempt")
        text = screen.countdown_text
        assert re.search(rf"h1: no new connection yet, \d+ s left: reverts by itself at "
                         rf"{CLOCK} unless confirmed", text), text
        assert "x gives up now: the host reverts" in text
        assert screen.check_action("revert_hosts", ())
        await pilot.press("x")
        await wait_until(pilot, lambda: screen.phase == "done", what="the revert")
        (result,) = screen.last_results
        assert result.status == "reverted"
        assert "given up by the operator" in result.message
        assert not screen.countdown.display  # nothing waits any more
    assert target.read_bytes() == live  # reverted at once over the old session
    assert len(reports) >= 2  # the first report, then a countdown per failed attempt


@pytest.fixture
def held_port() -> Iterator[int]:
    """A port this test listens on: the preflight finds it taken (PF001)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


@pytest.mark.timeout(90)
async def test_preflight_errors_stop_the_host_until_allow_errors_is_chosen(
        samples: Path, remote_env: RemoteEnv, sshd_hosts: Hosts, held_port: int) -> None:
    (host,) = sshd_hosts(1)
    clace = samples / "clace.toml"
    old = clace.read_bytes()
    clace.write_bytes(old.replace(b"port = 25223", f"port = {held_port}".encode(), 1))
    inventory, target = clace_host(remote_env, host, samples)
    target.write_bytes(old)
    app = make_app(samples, inventory)
    app.confirm_window = 30
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await apply_until_ready(pilot, app)
        assert screen.phase == "blocked", screen.status_text
        assert screen.preflight_stopped == ["h1"] and not screen.allow_errors
        (result,) = screen.last_results
        assert f"PF001 http.port {held_port} is already bound on h1" in result_detail(result)
        note = str(screen.query_one("#preflight-note", Static).content)
        assert "press e to apply anyway (allow errors)" in note
        await pilot.press("enter")  # nothing to apply: stopped
        assert screen.phase == "blocked"
        assert target.read_bytes() == old

        await pilot.press("e")  # the explicit choice: the dry run again, errors allowed
        await wait_until(pilot, lambda: screen.phase == "ready", what="the second dry run")
        assert screen.allow_errors and screen.touch == ["h1"]
        assert "Allow errors is on" in str(screen.query_one("#allow-errors-note",
                                                            Static).content)
        await pilot.press("enter")
        await wait_until(pilot, lambda: bool(screen.pending), what="the confirm window")
        await pilot.press("c")
        await wait_until(pilot, lambda: screen.phase == "done", what="the apply")
        (result,) = screen.last_results
        assert result.status == "applied", result.message
        assert [f.code for f in result.findings] == ["PF001"]
    assert target.read_bytes() == clace.read_bytes()


@pytest.mark.timeout(60)
async def test_a_host_key_recorded_by_accept_new_is_announced(
        samples: Path, remote_env: RemoteEnv, sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    inventory, target = clace_host(remote_env, host, samples, trust=False)
    remote_env.ssh_config.write_text("Host 127.0.0.1\n  StrictHostKeyChecking accept-new\n")
    app = make_app(samples, inventory)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await apply_until_ready(pilot, app)
        assert screen.phase == "ready", screen.status_text
        assert not any(isinstance(s, HostKeyDialog) for s in app.screen_stack)
        (line,) = screen.notes
        assert f"[127.0.0.1]:{host.port}" in line and "StrictHostKeyChecking accept-new" in line
        shown = str(screen.query_one("#run-notes", Static).content)
        assert shown == f"🔑 {line}" and screen.query_one("#run-notes").display
        assert line in notices(pilot)
    assert host.host_key_pub.split()[1] in remote_env.known_hosts.read_text()
    assert target.read_bytes() == old_bytes(samples)  # a dry run only
