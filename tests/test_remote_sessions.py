"""How many SSH connections, remote commands and SFTP sessions one apply opens on a host,
counted by the host's own sshd (LogLevel VERBOSE names every session it starts).

Each remote command is a round trip and a shell on the host, paid on every host of a fleet.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from benchmarks.fanout import Sessions, log_sizes, sessions_since
from tests.plugins.sshd_hosts import RemoteEnv, SshdFarm, SshdHost
from tests.test_remote_apply import NEW, OLD, live_file, one_host
from tui.core.remote.fleet import apply_fleet
from tui.core.remote.journal import Journal
from tui.core.remote.plan import plan


@pytest.fixture
def verbose_host(sshd_farm: SshdFarm) -> Iterator[SshdHost]:
    host = sshd_farm.start_host(lambda _directory: "LogLevel VERBOSE\n")
    try:
        yield host
    finally:
        host.stop()


def counted_apply(env: RemoteEnv, host: SshdHost, **options: object) -> tuple[str, Sessions]:
    target = live_file(env)
    run_options = env.options(one_host(env, host, target), **options)
    before = log_sizes([host])
    (result,) = apply_fleet(plan(run_options.inventory, {"clace": NEW}), run_options)
    host.stop()  # every session's lines are in the log once sshd is gone
    assert target.read_bytes() == (NEW if result.status == "applied" else OLD)
    return result.status, sessions_since([host], before)


def test_one_changed_file_is_one_command_over_one_connection(
        remote_env: RemoteEnv, verbose_host: SshdHost) -> None:
    status, sessions = counted_apply(remote_env, verbose_host)

    assert status == "applied"
    # One command: take the lock + the preflight's facts (and the login environment for
    # $CL_HOME); it stays open while SFTP reads and uploads, then reads the rest from its
    # stdin: sync the upload + back up + rename + sync the directory.
    assert sessions == Sessions(connections=1, commands=1, sftp=1)
    assert [e.result for e in Journal(remote_env.state).entries("h1")] == ["pending", "applied"]


def test_a_confirm_window_adds_the_new_connection_that_proves_it(
        remote_env: RemoteEnv, verbose_host: SshdHost) -> None:
    status, sessions = counted_apply(remote_env, verbose_host, confirm_within=10.0)

    assert status == "applied"
    # The first connection, 3 commands: lock + facts (that command is ended with EOF as
    # soon as the swap turns out not to be the one-file case: it runs nothing more); sync +
    # backup + arm the watchdog; sync the directory after the SFTP rename. The second, new
    # connection, 2 commands: a command proves the operator is not locked out (the check is
    # that the connection is new), then the confirmation.
    assert sessions == Sessions(connections=2, commands=5, sftp=1)
