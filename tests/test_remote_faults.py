"""Faults injected on real sshd hosts, and what the operator is told about each."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.plugins.requirements import missing
from tests.plugins.sshd_hosts import RemoteEnv, SshdHost
from tests.test_remote_apply import NEW, OLD, backups, live_file, one_host
from tui.core.remote.fleet import apply_fleet
from tui.core.remote.journal import Journal, outcomes
from tui.core.remote.plan import plan
from tui.core.remote.protocol import HostOperation

Hosts = Callable[[int], list[SshdHost]]
CLOCK = r"\d\d:\d\d:\d\d"


def wait_for(path: Path, limit: float = 20.0) -> None:
    deadline = time.monotonic() + limit
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.02)


def kill_when(host: SshdHost, mark: Path) -> threading.Thread:
    """Cut every session of ``host`` once ``mark`` exists (a shim is running then)."""
    def cut() -> None:
        wait_for(mark)
        host.kill_sessions()

    thread = threading.Thread(target=cut, daemon=True)
    thread.start()
    return thread


# -- a session killed in the middle of a command -------------------------------------------

def test_a_session_killed_during_the_backup_says_connection_lost(
        remote_env: RemoteEnv, sshd_host: SshdHost) -> None:
    target = live_file(remote_env)
    mark = remote_env.root / "in-ln"
    sshd_host.shim("ln", f"touch {mark}\nsleep 30\nexec /usr/bin/ln \"$@\"\n")
    options = remote_env.options(one_host(remote_env, sshd_host, target))
    cutter = kill_when(sshd_host, mark)

    (result,) = apply_fleet(plan(options.inventory, {"clace": NEW}), options)

    cutter.join(5)
    assert result.status == "failed"
    # One file, no reload: the backup and the rename are one command, so a cut in it
    # cannot tell which happened; the script renames nothing once its session is gone.
    assert result.message == (f"connection lost during the swap: {target} on h1 is the old "
                               "or the new file, whole; the next run tells which")
    assert [f.code for f in result.findings] == ["AP007"]
    assert "exit -1" not in result.message
    assert target.read_bytes() == OLD
    # The next contact settles the change journaled as pending, then applies it.
    (sshd_host.directory / ".bashrc").unlink()  # the hanging ln shim
    (again,) = apply_fleet(plan(options.inventory, {"clace": NEW}), options)
    assert again.status == "applied", again.message
    assert target.read_bytes() == NEW
    assert [e.result for e in outcomes(Journal(remote_env.state).entries("h1"))] == ["applied"]


def blocking_reload(env: RemoteEnv, mark: Path) -> str:
    """A reload that hangs the first time (until the session is cut), then is quick."""
    script = env.root / "reload.sh"
    script.write_text(f"#!/bin/sh\n[ -e {mark} ] && exit 0\ntouch {mark}\nsleep 30\n")
    script.chmod(0o755)
    return str(script)


@pytest.mark.parametrize("keep", [False, True])
def test_a_link_lost_during_the_reload_says_when_the_host_reverts(
        remote_env: RemoteEnv, sshd_host: SshdHost, keep: bool) -> None:
    target = live_file(remote_env)
    mark = remote_env.root / "in-reload"
    answers: list[float] = []

    def confirm(host: str, deadline: float) -> bool:
        answers.append(deadline)
        return keep

    options = remote_env.options(one_host(remote_env, sshd_host, target,
                                          reload=blocking_reload(remote_env, mark)),
                                 confirm_within=8.0, confirm=confirm)
    kill_when(sshd_host, mark)

    (result,) = apply_fleet(plan(options.inventory, {"clace": NEW}), options)

    lost = next(f for f in result.findings if f.code == "AP007")
    assert re.fullmatch(f"connection lost during the reload: h1 will revert by itself at "
                        f"{CLOCK} unless confirmed", lost.message), lost.message
    assert answers, "the confirm step ran over a new connection"
    journal = Journal(remote_env.state)
    run = journal.entries("h1")[-1].run
    if keep:
        assert result.status == "applied", result.message
        assert [e.result for e in journal.entries("h1")] == ["pending", "unconfirmed",
                                                             "confirmed"]
        assert target.read_bytes() == NEW
        return
    assert result.status == "reverted"
    assert re.fullmatch(f"not confirmed by the operator; h1 reverts by itself at {CLOCK}",
                        result.message), result.message
    assert [e.result for e in journal.entries("h1")] == ["pending", "unconfirmed", "unconfirmed"]
    deadline = time.monotonic() + 20
    while target.read_bytes() != OLD and time.monotonic() < deadline:
        time.sleep(0.1)
    assert target.read_bytes() == OLD  # the host did it alone: the old session was gone
    # The next contact settles the journal: history shows the change as reverted.
    options.confirm_within = None
    (after,) = apply_fleet(plan(options.inventory, {"clace": OLD}), options)
    assert after.status == "unchanged", after.message
    (change,) = [e for e in outcomes(journal.entries("h1")) if e.run == run]
    assert change.result == "reverted" and change.action == "apply"


def test_a_change_left_pending_is_settled_at_the_next_contact(
        remote_env: RemoteEnv, sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    target = live_file(remote_env)
    options = remote_env.options(one_host(remote_env, host, target))
    (host_plan,) = plan(options.inventory, {"clace": NEW})
    cut = HostOperation(host_plan, options)
    cut.connect()
    cut.begin()
    cut.inspect()
    cut.stage()
    cut.swap()
    cut.close()  # the client dies after the rename, before recording the outcome
    journal = Journal(remote_env.state)
    assert [e.result for e in outcomes(journal.entries("h1"))] == ["pending"]

    (again,) = apply_fleet(plan(options.inventory, {"clace": NEW}), options)

    assert again.status == "unchanged"
    assert [e.result for e in outcomes(journal.entries("h1"))] == ["applied"]
    assert journal.entries("h1")[-1].detail == "found live at the next contact"


@pytest.mark.timeout(60)
def test_an_unreachable_new_connection_backs_off_and_the_operator_gives_up(
        remote_env: RemoteEnv, sshd_host: SshdHost) -> None:
    target = live_file(remote_env)
    options = remote_env.options(one_host(remote_env, sshd_host, target),
                                 confirm_within=120.0)
    events: list[str] = []

    def on_event(name: str, stage: str, detail: str) -> None:
        if stage != "reconnect":
            return
        events.append(detail)
        if len(events) == 1:
            assert sshd_host.process is not None
            # The listener goes (as when a new port is not reachable); the old session stays.
            os.kill(sshd_host.process.pid, signal.SIGTERM)
            sshd_host.process.wait(10)
        elif len(events) == 3:
            options.give_up.set()  # the operator: "give up"

    options.on_event = on_event
    (result,) = apply_fleet(plan(options.inventory, {"clace": NEW}), options)

    assert result.status == "reverted"
    assert re.fullmatch(r"no new connection to 127\.0\.0\.1:\d+: given up by the operator "
                        r"after 2 attempt\(s\) \(last: .*Connection refused\)", result.message)
    assert target.read_bytes() == OLD  # reverted at once over the old session
    assert backups(target) == []
    countdown = events[1:]
    assert [re.match(rf"\d+ s left: reverts by itself at {CLOCK} unless confirmed", e)
            is not None for e in countdown] == [True, True]
    assert "next in 0 s" in countdown[0] and "next in 1 s" in countdown[1]  # 0.5 s, then 1 s


# -- a full disk, a read-only directory ----------------------------------------------------

@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """A 256 KiB tmpfs in the test's own directory (unmounted afterwards)."""
    mount = tmp_path / "remote" / "small"
    mount.mkdir(parents=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        missing(f"cannot mount a tmpfs for the full-disk tests: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def full_disk_host(env: RemoteEnv, host: SshdHost, mount: Path, *, read_only: bool) -> Path:
    target = mount / "clace.toml"
    target.write_bytes(OLD)
    if read_only:
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
    return one_host(env, host, target)


@pytest.mark.parametrize("allow_errors", [False, True])
def test_a_full_disk_says_no_space_left_on_host_dir(
        remote_env: RemoteEnv, sshd_hosts: Hosts, small_fs: Path, allow_errors: bool) -> None:
    (host,) = sshd_hosts(1)
    options = remote_env.options(full_disk_host(remote_env, host, small_fs, read_only=False),
                                 allow_errors=allow_errors)
    big = b"# filler\n" * 60_000  # 540 KiB for a 256 KiB file system

    (result,) = apply_fleet(plan(options.inventory, {"clace": big}), options)

    assert result.status == "failed"
    assert result.message.startswith(f"{'' if allow_errors else 'preflight: '}no space left "
                                     f"on h1:{small_fs}: "), result.message
    # Stopped by the preflight (PF004) before any upload; with --allow-errors, at the upload.
    assert [f.code for f in result.findings] == (["PF004", "AP013"] if allow_errors
                                                 else ["PF004"])
    assert (small_fs / "clace.toml").read_bytes() == OLD
    assert sorted(p.name for p in small_fs.iterdir()) == ["clace.toml"]


@pytest.mark.parametrize("allow_errors", [False, True])
def test_a_read_only_directory_says_so(remote_env: RemoteEnv, sshd_hosts: Hosts,
                                       small_fs: Path, allow_errors: bool) -> None:
    (host,) = sshd_hosts(1)
    options = remote_env.options(full_disk_host(remote_env, host, small_fs, read_only=True),
                                 allow_errors=allow_errors)

    (result,) = apply_fleet(plan(options.inventory, {"clace": NEW}), options)

    assert result.status == "failed"
    assert f"h1:{small_fs} is on a read-only file system" in result.message, result.message
    assert "connection lost" not in result.message
    assert (small_fs / "clace.toml").read_bytes() == OLD
