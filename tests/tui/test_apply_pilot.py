"""Apply, rollback and history driven by the Pilot against real sshd "hosts" on 127.0.0.1."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList, Static

from tests.plugins.sshd_hosts import RemoteEnv, SshdHost
from tests.tui.pilot_helpers import open_section, replace_text
from tui.app import LeapTuiApp
from tui.core.remote.journal import Journal, JournalEntry
from tui.core.remote.watchdog import backup_stamp
from tui.screens.apply import ApplyScreen
from tui.screens.confirm import ConfirmDialog
from tui.screens.history import HistoryScreen
from tui.screens.hostkey import HostKeyDialog
from tui.screens.remote_messages import Answer
from tui.screens.rollback import RollbackScreen, generations
from widgets.diff_view import DiffView
from widgets.host_results import HostResultsTable

Hosts = Callable[[int], list[SshdHost]]
# Prepended to the saved Clace file to make the live one: same listeners, so no lock-out risk.
LIVE_NOTE = b"# live on the host before leap-tui\n"


def make_app(samples: Path, inventory: Path | None, **kwargs: object) -> LeapTuiApp:
    return LeapTuiApp(samples / "clace.toml", samples / "provider", inventory,
                      remember_theme=False, **kwargs)  # type: ignore[arg-type]


def old_bytes(samples: Path) -> bytes:
    return LIVE_NOTE + (samples / "clace.toml").read_bytes()


def clace_host(env: RemoteEnv, host: SshdHost, samples: Path, *,
               trust: bool = True) -> tuple[Path, Path]:
    """An inventory shipping the Clace file to ``host``; the live file is old_bytes()."""
    target = env.remote / "clace.toml"
    target.write_bytes(old_bytes(samples))
    if trust:
        env.trust(host)
    inventory = env.inventory(env.host_toml(host, "h1", [
        {"source": "clace", "target": str(target), "validate": "test -s {path}"}]))
    return inventory, target


async def wait_until(pilot: Pilot[None], done: Callable[[], bool], timeout: float = 20.0,
                     what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            screen = pilot.app.screen
            state = (getattr(screen, "phase", None), getattr(screen, "status_text", ""))
            raise AssertionError(f"timed out waiting for {what}: {state}")
        await pilot.pause(0.05)


def apply_screen(app: LeapTuiApp) -> ApplyScreen:
    screen = app.screen
    assert isinstance(screen, ApplyScreen), screen
    return screen


async def apply_until_ready(pilot: Pilot[None], app: LeapTuiApp) -> ApplyScreen:
    await pilot.press("a")
    await wait_until(pilot, lambda: isinstance(app.screen, ApplyScreen), 5, "the apply screen")
    screen = apply_screen(app)
    await wait_until(pilot, lambda: screen.phase != "preview", what="the dry run")
    return screen


@pytest.mark.timeout(60)
async def test_apply_then_rollback_then_history(samples: Path, remote_env: RemoteEnv,
                                                sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    inventory, target = clace_host(remote_env, host, samples)
    saved = (samples / "clace.toml").read_bytes()
    app = make_app(samples, inventory)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.check_action("rollback", ()) is None  # nothing applied yet: off

        screen = await apply_until_ready(pilot, app)
        assert screen.phase == "ready", screen.status_text
        assert screen.touch == ["h1"]
        diff = screen.query_one(DiffView)
        assert diff.diffs[0][0] == "h1" and "+" in diff.diffs[0][1]
        assert target.read_bytes() == old_bytes(samples)  # the dry run changed nothing

        await pilot.press("enter")
        await wait_until(pilot, lambda: screen.phase == "done", what="the apply")
        assert target.read_bytes() == saved
        (result,) = screen.query_one(HostResultsTable).results
        assert result.status == "applied"
        assert "Applied to 1 host" in screen.status_text
        assert app.check_action("rollback", ()) is True
        assert app.check_action("apply", ()) is False  # not a second apply on top

        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, RollbackScreen), 5, "rollback")
        rollback = app.screen
        assert isinstance(rollback, RollbackScreen)
        assert [h.name for h in rollback.chosen_hosts] == ["h1"]
        assert rollback.chosen_generation is None  # newest by default
        assert len(rollback.generations) == 1
        assert app.check_action("rollback", ()) is False
        await pilot.press("g")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog), 5, "the dialog")
        await pilot.press("y")
        await wait_until(pilot, lambda: app.screen is rollback and not rollback.running
                         and bool(rollback.last_results), what="the rollback")
        assert [r.status for r in rollback.last_results] == ["rolled-back"]
        assert target.read_bytes() == old_bytes(samples)
        # The generation it restored is used up: no longer offered.
        await wait_until(pilot, lambda: not rollback.generations, 5, "the generations")
        assert rollback.query_one("#rollback-generation", OptionList).option_count == 1

        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        history = app.screen
        assert isinstance(history, HistoryScreen)
        actions = {(e.action, e.result) for e in history.entries}
        assert ("apply", "applied") in actions and ("rollback", "rolled-back") in actions
        assert history.entries[0].action == "rollback"  # newest first
        await pilot.pause()
        detail = str(history.query_one("#history-detail", Static).render())
        assert f"rollback on h1: {target}" in detail  # the highlighted entry in full
        await pilot.press("down")
        await pilot.pause()
        detail = str(history.query_one("#history-detail", Static).render())
        assert f"apply on h1: {target}" in detail and "backup " in detail


@pytest.mark.timeout(60)
async def test_unknown_host_key_dialog_refused_leaves_host_untouched(
        samples: Path, remote_env: RemoteEnv, sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    inventory, target = clace_host(remote_env, host, samples, trust=False)
    app = make_app(samples, inventory)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, HostKeyDialog), what="the dialog")
        dialog = app.screen
        assert isinstance(dialog, HostKeyDialog)
        assert dialog.host_name == f"[127.0.0.1]:{host.port}"
        shown = str(dialog.query_one("#hostkey-fingerprint", Static).content)
        assert shown.startswith("ssh-ed25519 SHA256:")
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, ApplyScreen)
                         and apply_screen(app).phase != "preview", what="the dry run")
        screen = apply_screen(app)
        assert screen.phase == "blocked"
        (result,) = screen.query_one(HostResultsTable).results
        assert [f.code for f in result.findings] == ["AP001"]
        await pilot.press("enter")  # nothing to apply: the key does nothing
        await pilot.pause()
        assert screen.phase == "blocked"
    assert target.read_bytes() == old_bytes(samples)
    assert remote_env.known_hosts.read_text() == ""


@pytest.mark.timeout(60)
async def test_unknown_host_key_trusted_is_recorded_and_applied(
        samples: Path, remote_env: RemoteEnv, sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    inventory, target = clace_host(remote_env, host, samples, trust=False)
    app = make_app(samples, inventory)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, HostKeyDialog), what="the dialog")
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, ApplyScreen)
                         and apply_screen(app).phase == "ready", what="the dry run")
        await pilot.press("y")
        await wait_until(pilot, lambda: apply_screen(app).phase == "done", what="the apply")
    assert remote_env.known_hosts.read_text() == host.known_hosts_line()
    assert target.read_bytes() == (samples / "clace.toml").read_bytes()


@pytest.mark.timeout(60)
async def test_passphrase_is_asked_in_a_hidden_field(samples: Path, remote_env: RemoteEnv,
                                                      sshd_host: SshdHost) -> None:
    import subprocess

    from textual.widgets import Input

    from tests.plugins.sshd_hosts import SSH_KEYGEN
    from tui.screens.passphrase import PassphraseDialog

    secret = "correct horse"
    key = remote_env.root / "locked_key"
    subprocess.run([str(SSH_KEYGEN), "-q", "-t", "ed25519", "-N", secret, "-f", str(key)],
                   check=True, capture_output=True)
    sshd_host.authorized_keys.write_text(key.with_suffix(".pub").read_text())
    inventory, target = clace_host(remote_env, sshd_host, samples)
    inventory.write_text(inventory.read_text().replace(str(remote_env.client_key), str(key)))
    app = make_app(samples, inventory)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, PassphraseDialog), what="prompt")
        field = app.screen.query_one("#passphrase", Input)
        assert field.password
        await pilot.press(*list(secret), "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ApplyScreen)
                         and apply_screen(app).phase == "ready", what="the dry run")
        await pilot.press("y")
        await wait_until(pilot, lambda: apply_screen(app).phase == "done", what="the apply")
        assert [r.status for r in apply_screen(app).last_results] == ["applied"]
    assert target.read_bytes() == (samples / "clace.toml").read_bytes()
    written = [p for p in remote_env.root.rglob("*") if p.is_file() and p != key]
    assert not [p for p in written if secret.encode() in p.read_bytes()]


async def change_listener(pilot: Pilot[None]) -> None:
    await open_section(pilot, "clace:http")
    await replace_text(pilot, "http.port", "25300")
    await pilot.press("escape")  # out of the field: plain letters are typed in fields


@pytest.mark.timeout(60)
async def test_lockout_prone_change_counts_down_and_c_keeps_it(
        samples: Path, remote_env: RemoteEnv, sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    inventory, target = clace_host(remote_env, host, samples)
    target.write_bytes((samples / "clace.toml").read_bytes())  # only the listener differs
    app = make_app(samples, inventory)
    app.confirm_window = 4
    async with app.run_test(size=(120, 40)) as pilot:
        await change_listener(pilot)
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog), 5, "save first?")
        await pilot.press("y")  # save and continue
        await wait_until(pilot, lambda: isinstance(app.screen, ApplyScreen)
                         and apply_screen(app).phase == "ready", what="the dry run")
        screen = apply_screen(app)
        note = str(screen.query_one("#lockout-note", Static).content)
        assert "http.port" in note and "press c" in note
        await pilot.press("enter")
        await wait_until(pilot, lambda: bool(screen.pending), what="the countdown")
        assert "Press c within" in screen.countdown_text
        assert "revert on their own" in screen.countdown_text
        assert "reverts by itself in" in screen.progress.details["h1"]
        await pilot.press("c")
        await wait_until(pilot, lambda: screen.phase == "done", what="the apply")
        assert [r.status for r in screen.last_results] == ["applied"]
    assert b"port = 25300" in target.read_bytes()
    results = [e.result for e in Journal(remote_env.state).entries("h1")]
    assert results[-1] == "confirmed"
    assert not list(target.parent.glob("*.watchdog"))


@pytest.mark.timeout(60)
async def test_lockout_prone_change_without_an_answer_reverts(
        samples: Path, remote_env: RemoteEnv, sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    inventory, target = clace_host(remote_env, host, samples)
    live = (samples / "clace.toml").read_bytes()
    target.write_bytes(live)
    app = make_app(samples, inventory)
    app.confirm_window = 2
    async with app.run_test(size=(120, 40)) as pilot:
        await change_listener(pilot)
        await pilot.press("ctrl+s")
        screen = await apply_until_ready(pilot, app)
        await pilot.press("y")
        await wait_until(pilot, lambda: screen.phase == "done", what="the revert")
        (result,) = screen.last_results
        assert result.status == "reverted"
        assert [f.code for f in result.findings] == ["AP009"]
        assert "reverted" in screen.status_text
    assert target.read_bytes() == live


@pytest.mark.timeout(30)
async def test_apply_without_inventory_says_so(samples: Path) -> None:
    # Neither an inventory nor a provider (whose LEAP nodes would be the hosts).
    app = LeapTuiApp(samples / "clace.toml", None, None, remember_theme=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a")
        await pilot.pause()
        assert not isinstance(app.screen, ApplyScreen)
        assert any("--inventory" in str(n.message) for n in app._notifications)


@pytest.mark.timeout(30)
async def test_unsaved_edits_declined_applies_nothing(samples: Path, remote_env: RemoteEnv,
                                                      sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    inventory, _ = clace_host(remote_env, host, samples)
    before = (samples / "clace.toml").read_bytes()
    app = make_app(samples, inventory)
    async with app.run_test(size=(120, 40)) as pilot:
        await change_listener(pilot)
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog), 5, "save first?")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ApplyScreen)
    assert (samples / "clace.toml").read_bytes() == before


@pytest.mark.timeout(30)
async def test_history_and_rollback_offered_from_the_journal(samples: Path,
                                                             remote_env: RemoteEnv,
                                                             sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    inventory, target = clace_host(remote_env, host, samples)
    Journal(remote_env.state).record(run="r1", action="apply", host="h1", path=str(target),
                                     before="a" * 64, after="b" * 64,
                                     backup=f"{target}.leap-tui.20261124T101500.000001Z",
                                     result="applied")
    app = make_app(samples, inventory)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.check_action("rollback", ()) is True
        await pilot.press("f7")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        assert app.screen.entries[0].backup is not None
        await pilot.press("f7")  # toggles: back to the main screen, not a second history
        await pilot.pause()
        assert not isinstance(app.screen, HistoryScreen)
        await pilot.press("r")
        await pilot.pause()
        rollback = app.screen
        assert isinstance(rollback, RollbackScreen)
        options = rollback.query_one("#rollback-generation", OptionList)
        # Undo the last run (the default), the newest backup, the one generation.
        assert options.option_count == 3
        assert rollback.chosen_undo is not None and rollback.chosen_undo.run == "r1"
        options.highlighted = 2
        assert rollback.chosen_undo is None
        generation = rollback.chosen_generation
        assert generation is not None and generation.stamps == {"h1": "20261124T101500.000001Z"}


def entry(action: str, result: str, before: str, after: str, backup: str | None,
          run: str = "r", time_: str = "2026-11-24T10:15:00Z") -> JournalEntry:
    return JournalEntry(time_, run, action, "h1", "/etc/x", before, after, backup, result)


def test_generations_newest_first_without_the_restored_ones() -> None:
    entries = [
        entry("apply", "applied", "h0", "h1", "/etc/x.leap-tui.20260101T000000.000001Z",
              run="one", time_="2026-01-01T00:00:00Z"),
        entry("apply", "confirmed", "h1", "h2", "/etc/x.leap-tui.20260102T000000.000001Z",
              run="two", time_="2026-01-02T00:00:00Z"),
        entry("apply", "pending", "h2", "h3", "/etc/x.leap-tui.20260103T000000.000001Z",
              run="three", time_="2026-01-03T00:00:00Z"),
        entry("rollback", "rolled-back", "h2", "h1", None, run="four",
              time_="2026-01-04T00:00:00Z"),
    ]
    found = generations(entries, ["h1"])
    # "two" was restored by the rollback; "three" never settled.
    assert [g.run for g in found] == ["one"]
    assert found[0].stamps == {"h1": "20260101T000000.000001Z"}
    assert generations(entries, ["other"]) == []
    assert backup_stamp("/etc/x") is None


def test_answer_first_given_wins_and_stop_gives_the_default() -> None:
    import threading

    answer = Answer(False)
    answer.give(True)
    answer.give(False)
    assert answer.wait(threading.Event()) is True
    stopped = threading.Event()
    stopped.set()
    assert Answer("default").wait(stopped) == "default"
    assert Answer(False).wait(threading.Event(), deadline=time.time() - 1) is False


@pytest.mark.timeout(60)
async def test_dry_run_lists_host_certificate_findings_and_port_check_note(
        samples: Path, remote_env: RemoteEnv, sshd_hosts: Hosts) -> None:
    from datetime import UTC, datetime, timedelta

    from tests.test_certs_support import ec_key, make_cert, write_pair

    (host,) = sshd_hosts(1)
    certs = remote_env.remote / "certs"
    key = ec_key()
    now = datetime.now(UTC)
    write_pair(certs, "example.com", key,
               make_cert(key, names=("example.com",), not_before=now - timedelta(days=400),
                         not_after=now - timedelta(days=1)))
    clace = samples / "clace.toml"
    clace.write_bytes(clace.read_bytes().replace(
        b'"$CL_HOME/config/certificates"', f'"{certs}"'.encode()))
    inventory, target = clace_host(remote_env, host, samples)
    app = make_app(samples, inventory)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = await apply_until_ready(pilot, app)
        assert screen.phase == "ready", screen.status_text
        (result,) = screen.query_one(HostResultsTable).results
        expired = [f for f in result.findings if f.code == "CE002"]
        assert expired and expired[0].file == f"h1:{certs}/example.com.crt"
        report = str(screen.query_one("#host-certificates", Static).render())
        assert f"Certificates in h1:{certs}" in report and "expired 1 day ago" in report
        # The copied provider is no git checkout: the unshipped-port check says it did not run.
        note = screen.query_one("#unshipped-note", Static)
        assert "not a git checkout" in str(note.render())
        assert target.read_bytes() == old_bytes(samples)
