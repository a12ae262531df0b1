"""A remote command left open (ssh_open): the rest sent on its stdin, or EOF; a script cut
short runs nothing."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.plugins.sshd_hosts import RemoteEnv, SshdHost
from tests.test_remote_apply import NEW, live_file, one_host
from tui.core.remote.plan import plan
from tui.core.remote.protocol import HostOperation
from tui.core.remote.ssh import CommandResult, Connection
from tui.core.remote.ssh_open import stdin_script


def test_a_script_cut_anywhere_runs_none_of_its_steps(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    script = stdin_script(f"( echo 1 > {first}\n) || exit 64\n( echo 2 > {second}\n) || exit 65")
    # Every prefix short of the closing brace: what a connection lost mid-send delivers.
    for end in range(len(script) - 1):
        done = subprocess.run(["sh", "-s"], input=script[:end], capture_output=True,
                              check=False)
        assert not first.exists() and not second.exists(), (end, script[:end])
        assert done.returncode != 0 or end == 0, end  # a syntax error: end of input
    done = subprocess.run(["sh", "-s"], input=script, capture_output=True, check=False)
    assert done.returncode == 0 and first.read_text() == "1\n" and second.read_text() == "2\n"


def test_a_step_that_fails_is_named_by_its_exit_status(tmp_path: Path) -> None:
    script = stdin_script(f"( true\n) || exit 64\n( false\n) || exit 65\n"
                          f"( touch {tmp_path / 'after'}\n) || exit 66")
    done = subprocess.run(["sh", "-s"], input=script, capture_output=True, check=False)
    assert done.returncode == 65 and not (tmp_path / "after").exists()


@pytest.fixture
def connection(remote_env: RemoteEnv, sshd_host: SshdHost) -> Iterator[Connection]:
    target = live_file(remote_env)
    options = remote_env.options(one_host(remote_env, sshd_host, target))
    (host_plan,) = plan(options.inventory, {"clace": NEW})
    operation = HostOperation(host_plan, options)
    operation.connect()
    try:
        yield operation.live
    finally:
        operation.close()


OPEN = "echo first; printf '\\n%s\\n' {mark}; exec sh -s"


def test_the_rest_is_run_from_stdin_by_the_same_command(connection: Connection) -> None:
    command = connection.start(OPEN.format(mark="m-1"))
    assert command.read_until("m-1") == "first\n" and command.waiting

    result = command.finish('echo "second $$"; exit 3')

    assert result.status == 3 and result.output.startswith("second ")
    assert connection.open_command is None


def test_another_command_ends_the_waiting_one_with_eof_first(connection: Connection,
                                                            tmp_path: Path) -> None:
    command = connection.start(OPEN.format(mark="m-2"))
    command.read_until("m-2")

    assert connection.run("echo other").output == "other\n"

    assert command.result == CommandResult(0, "")  # end of input: it ran nothing more
    assert connection.open_command is None


def test_a_command_without_its_marker_is_over_at_once(connection: Connection) -> None:
    command = connection.start("echo held; exit 4")

    assert command.read_until("m-3") == "held\n"
    assert command.result == CommandResult(4, "held\n") and not command.waiting
    assert connection.open_command is None


def test_a_shell_that_ended_by_itself_is_only_collected(connection: Connection) -> None:
    command = connection.start("printf '\\n%s\\n' m-4; exit 5")
    command.read_until("m-4")
    while command.waiting:  # its exit status comes a moment after the marker
        time.sleep(0.05)

    # No EOF is sent to its closed channel (sshd would drop the connection for it).
    assert connection.run("echo still").output == "still\n"
    assert command.result is not None and command.result.status == 5
    assert connection.alive
