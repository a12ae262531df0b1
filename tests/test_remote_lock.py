"""Two runs against one file on one host: the second is refused naming the first, or waits."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.plugins.sshd_hosts import RemoteEnv, SshdHost
from tests.test_remote_apply import NEW, live_file, one_host
from tui.cli import main
from tui.core.remote.fleet import apply_fleet
from tui.core.remote.journal import Journal, sha256
from tui.core.remote.outcome import HostResult, RunOptions
from tui.core.remote.plan import plan
from tui.core.remote.protocol import HostOperation

Hosts = Callable[[int], list[SshdHost]]
NEWER = NEW + b"# the second run\n"


def locks(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".leap-tui.lock"))


class HeldOpen:
    """Run A, stopped at its confirm question until ``release`` is set (the lock held)."""

    def __init__(self, options: RunOptions) -> None:
        self.asked = threading.Event()
        self.release = threading.Event()
        self.results: list[HostResult] = []
        options.confirm = self._confirm
        options.confirm_within = 60.0
        self.thread = threading.Thread(target=lambda: self.results.extend(
            apply_fleet(plan(options.inventory, {"clace": NEW}), options)))

    def _confirm(self, host: str, deadline: float) -> bool:
        self.asked.set()
        return self.release.wait(30)

    def __enter__(self) -> HeldOpen:
        self.thread.start()
        assert self.asked.wait(30), "run A never reached its confirm question"
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.thread.join(30)


def second_machine(env: RemoteEnv, inventory: Path, name: str) -> RunOptions:
    """Options as another machine has them: its own journal, its own user@machine."""
    options: RunOptions = env.options(inventory)
    options.journal = Journal(env.root / f"state-{name}")
    options.client = f"ops@{name}"
    return options


def test_a_second_run_is_refused_naming_the_holder(remote_env: RemoteEnv,
                                                   sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    target = live_file(remote_env)
    inventory = one_host(remote_env, host, target)
    first = remote_env.options(inventory)
    first.client = "ops@laptop"

    with HeldOpen(first):
        assert locks(remote_env.remote) == [".clace.toml.leap-tui.lock"]
        other = second_machine(remote_env, inventory, "desktop")
        (refused,) = apply_fleet(plan(other.inventory, {"clace": NEWER}), other)
        assert refused.status == "failed"
        assert [f.code for f in refused.findings] == ["AP017"]
        assert refused.message.startswith(f"{target} is locked by run {first.run_id} (apply "
                                          "by ops@laptop, pid ")
        assert " since " in refused.message
        assert target.read_bytes() == NEW  # A's change, live, waiting for its confirmation
        assert Journal(remote_env.root / "state-desktop").entries() == []

    assert [r.result for r in Journal(remote_env.state).entries("h1")] == ["pending", "confirmed"]
    assert locks(remote_env.remote) == []  # given back
    (later,) = apply_fleet(plan(other.inventory, {"clace": NEWER}), other)
    assert later.status == "applied", later.message
    assert target.read_bytes() == NEWER
    # The second run's "before" is what the first left there, not what both read at once.
    assert Journal(remote_env.root / "state-desktop").entries()[-1].before == sha256(NEW)


def test_with_wait_the_second_run_goes_on_once_the_first_is_done(remote_env: RemoteEnv,
                                                                 sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    target = live_file(remote_env)
    inventory = one_host(remote_env, host, target)
    first = remote_env.options(inventory)
    with HeldOpen(first) as held:
        waiting = second_machine(remote_env, inventory, "desktop")
        waiting.lock_wait = 60.0
        waits: list[str] = []

        def on_event(name: str, stage: str, detail: str) -> None:
            if stage == "wait":
                waits.append(detail)
                held.release.set()  # A may finish now: B must then get the lock

        waiting.on_event = on_event
        (result,) = apply_fleet(plan(waiting.inventory, {"clace": NEWER}), waiting)

    assert waits and waits[0].startswith(f"{target} is locked by run {first.run_id}")
    assert result.status == "applied", result.message
    assert target.read_bytes() == NEWER
    assert Journal(remote_env.root / "state-desktop").entries()[-1].before == sha256(NEW)


def test_a_lock_whose_session_died_is_broken_and_said_so(remote_env: RemoteEnv,
                                                         sshd_host: SshdHost) -> None:
    target = live_file(remote_env)
    options = remote_env.options(one_host(remote_env, sshd_host, target))
    (host_plan,) = plan(options.inventory, {"clace": NEW})
    crashed = HostOperation(host_plan, options)
    crashed.connect()
    crashed.begin()
    assert locks(remote_env.remote) == [".clace.toml.leap-tui.lock"]
    sshd_host.kill_sessions()  # the client vanished: its lock stays behind

    (result,) = apply_fleet(plan(options.inventory, {"clace": NEW}), options)

    assert result.status == "applied", result.message
    assert [f.code for f in result.findings] == ["AP017"]
    assert "stale lock" in result.findings[0].message and "is gone" in result.findings[0].message
    assert locks(remote_env.remote) == []
    assert target.read_bytes() == NEW


def test_a_dry_run_takes_no_lock_and_says_who_holds_one(remote_env: RemoteEnv,
                                                        sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    target = live_file(remote_env)
    inventory = one_host(remote_env, host, target)
    with HeldOpen(remote_env.options(inventory)):
        preview = second_machine(remote_env, inventory, "desktop")
        preview.dry_run = True
        (result,) = apply_fleet(plan(preview.inventory, {"clace": NEWER}), preview)
        # The holder's watchdog is armed too (it waits for its confirmation): AP005.
        assert [(f.code, str(f.severity)) for f in result.findings] == [
            ("AP017", "info"), ("AP005", "error")]
        assert "is locked by run" in result.findings[0].message
        assert locks(remote_env.remote) == [".clace.toml.leap-tui.lock"]


def test_the_cli_refuses_a_locked_host_and_waits_with_wait(
        remote_env: RemoteEnv, sshd_hosts: Hosts, capsys: pytest.CaptureFixture[str]) -> None:
    (host,) = sshd_hosts(1)
    target = live_file(remote_env)
    inventory = one_host(remote_env, host, target)
    clace = remote_env.root / "clace.toml"
    clace.write_bytes(NEWER)
    args = ["apply", "--inventory", str(inventory), "--clace", str(clace), "--yes"]
    with HeldOpen(remote_env.options(inventory)) as held:
        assert main(args) == 1
        out = " ".join(capsys.readouterr().out.split())
        assert "AP017" in out and "is locked by run" in out
        threading.Timer(1.0, held.release.set).start()
        assert main([*args, "--wait"]) == 0
    assert target.read_bytes() == NEWER
