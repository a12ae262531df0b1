"""The session cut at every step of an apply: each live file is old or new, never half, the
host settles by itself, and the next contact leaves nothing pending in the journal."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

import pytest

from tests.plugins.sshd_hosts import RemoteEnv, SshdHost, descendants
from tests.test_remote_apply import NEW, OLD, live_file, one_host
from tests.test_remote_review2 import watchdog_processes
from tui.core.remote.fleet import apply_fleet
from tui.core.remote.journal import UNSETTLED, Journal, outcomes
from tui.core.remote.plan import plan
from tui.core.remote.watchdog import backup_re

# Every progress stage at which a session can be cut (the kill lands before that step acts);
# "reconnect" comes only with a confirm window.
STAGES = ["read", "upload", "validate", "backup", "arm", "swap", "reload", "reconnect",
          "confirm"]
CASES = [(stage, window) for window in (True, False) for stage in STAGES
         if window or stage != "reconnect"]
WINDOW = 2.0


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir()
                  if p.name.endswith((".watchdog", ".pid", ".decided", ".tmp", ".lock")))


@pytest.mark.parametrize(("stage", "window"), CASES,
                         ids=[f"{s}-{'window' if w else 'safety-net'}" for s, w in CASES])
def test_a_cut_at_any_step_leaves_old_or_new_and_settles(
        remote_env: RemoteEnv, sshd_host: SshdHost, stage: str, window: bool) -> None:
    first, second = live_file(remote_env, "a.toml"), live_file(remote_env, "b.toml")
    remote_env.trust(sshd_host)
    marker = remote_env.root / "reloads"
    inventory = remote_env.inventory(remote_env.host_toml(sshd_host, "h1", [
        {"source": "clace", "target": str(first), "validate": "test -s {path}",
         "reload": f"echo r >> {marker}"},
        {"source": "clace", "target": str(second)}]))
    options = remote_env.options(inventory, safety_window=WINDOW,
                                 confirm_within=WINDOW if window else None)
    cuts: list[int] = []

    def on_event(name: str, event: str, detail: str) -> None:
        if event == stage and not cuts:
            cuts.append(sshd_host.kill_sessions())

    options.on_event = on_event
    (result,) = apply_fleet(plan(options.inventory, {"clace": NEW}), options)

    if not cuts:
        pytest.fail(f"stage {stage} never came: {result.status} {result.message}")
    assert "Traceback" not in result.message and "exit -1" not in result.message
    for target in (first, second):
        assert target.read_bytes() in (OLD, NEW)  # never half a file
    # Whatever watchdog was armed decides within its window, alone.
    deadline = time.monotonic() + WINDOW + 15
    while watchdog_processes(remote_env.remote) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert watchdog_processes(remote_env.remote) == []
    if result.status != "applied":
        assert (first.read_bytes(), second.read_bytes()) == (OLD, OLD), result.message

    # The next contact: settles what the cut left and applies; nothing stays pending.
    options.on_event = lambda *_: None
    options.confirm_within = None
    (after,) = apply_fleet(plan(options.inventory, {"clace": NEW}), options)
    assert after.status in ("applied", "unchanged"), after.message
    assert first.read_bytes() == NEW and second.read_bytes() == NEW
    journal = Journal(remote_env.state)
    assert [e for e in outcomes(journal.entries("h1")) if e.result in UNSETTLED] == []
    assert leftovers(remote_env.remote) == []


def sessions_only(host: SshdHost) -> list[int]:
    """Cut the link as a network would: kill the sshd processes of the sessions only, and
    return the pids of what they ran (the shell of a command, sftp-server), left alone."""
    assert host.process is not None
    others: list[int] = []
    for pid in descendants(host.process.pid):
        try:
            name = Path(f"/proc/{pid}/comm").read_text().strip()
        except OSError:
            continue
        if name.startswith("sshd"):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        else:
            others.append(pid)
    return others


# One file, no reload, no watchdog: the command that takes the lock stays open until the
# swap's script is sent to it. "read" and "upload" cut while it waits for its stdin;
# "backup" and "swap" just before the script is sent.
ONE_FILE_STAGES = ["read", "upload", "backup", "swap"]
ONE_FILE_CASES = [(stage, whole) for whole in (True, False) for stage in ONE_FILE_STAGES]


@pytest.mark.parametrize(("stage", "whole"), ONE_FILE_CASES,
                         ids=[f"{s}-{'all' if w else 'link-only'}" for s, w in ONE_FILE_CASES])
def test_one_file_cut_while_its_command_waits_leaves_old_and_settles(
        remote_env: RemoteEnv, sshd_host: SshdHost, stage: str, whole: bool) -> None:
    target = live_file(remote_env)
    options = remote_env.options(one_host(remote_env, sshd_host, target))
    left: list[int] = []
    names: list[str] = []
    cuts: list[str] = []

    def on_event(name: str, event: str, detail: str) -> None:
        if event == stage and not cuts:
            cuts.append(event)
            if whole:
                sshd_host.kill_sessions()
            else:
                left.extend(sessions_only(sshd_host))
                names.extend(Path(f"/proc/{pid}/comm").read_text().strip() for pid in left)

    options.on_event = on_event
    (result,) = apply_fleet(plan(options.inventory, {"clace": NEW}), options)

    assert cuts == [stage], f"stage {stage} never came: {result.status} {result.message}"
    assert result.status == "failed", result.message
    assert "connection lost" in result.message and "Traceback" not in result.message
    assert "exit -1" not in result.message
    # The waiting shell read end of input and ran nothing more: the live file is the old
    # one, no backup was made.
    assert whole or "sh" in names, names
    deadline = time.monotonic() + 15
    while any(Path(f"/proc/{pid}").exists() for pid in left) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [pid for pid in left if Path(f"/proc/{pid}").exists()] == []
    assert target.read_bytes() == OLD
    assert [p.name for p in remote_env.remote.iterdir() if backup_re(target.name).match(p.name)] \
        == []

    # The next contact breaks the lock the cut left (its session is gone) and applies.
    options.on_event = lambda *_: None
    (after,) = apply_fleet(plan(options.inventory, {"clace": NEW}), options)
    assert after.status == "applied", after.message
    assert target.read_bytes() == NEW
    journal = Journal(remote_env.state)
    assert [e for e in outcomes(journal.entries("h1")) if e.result in UNSETTLED] == []
    assert leftovers(remote_env.remote) == []
