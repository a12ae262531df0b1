"""A remote command left open half-way: one exec channel serving two steps of a run.

The command prints a marker line once its first part is done and then reads the rest of
its script from its stdin (``exec sh -s``). The client reads the output up to the marker,
does its own work (SFTP reads and uploads), and then either sends the rest (``finish``) or
ends the command with EOF (``abandon``): the shell reads end of input and exits having run
nothing more. A session lost while the command waits is the same EOF on the host.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn

import paramiko

from tui.core.remote.errors import ConnectError


@dataclass(frozen=True, slots=True)
class CommandResult:
    status: int
    output: str

    @property
    def ok(self) -> bool:
        return self.status == 0

    def tail(self, limit: int = 300) -> str:
        text = " ".join(self.output.split())
        return text if len(text) <= limit else "..." + text[-limit:]


def stdin_script(script: str) -> bytes:
    """``script`` as the waiting shell reads it: one brace group, which sh parses whole
    before running any of it, so a script cut short by a lost connection is a syntax
    error and runs nothing (never a first step alone, never a truncated last line)."""
    return f"{{\n{script}\n}}\n".encode()


class OpenCommand:
    """One exec channel started by ``Connection.start``; ``lost`` names a dead session."""

    def __init__(self, label: str, channel: paramiko.Channel, timeout: float,
                 lost: Callable[[], str], on_end: Callable[[OpenCommand], None]) -> None:
        self._label = label
        self._channel = channel
        self._timeout = timeout
        self._lost = lost
        self._on_end = on_end
        self._rest = b""
        self._past_marker = False
        self.result: CommandResult | None = None  # once it has ended

    @property
    def waiting(self) -> bool:
        """Past its marker and still running, reading its stdin (a shell that could not
        start ``sh -s`` has ended by itself: nothing may be sent to it then)."""
        return self._past_marker and not self._channel.exit_status_ready()

    def read_until(self, marker: str) -> str:
        """The output before the line ``marker``. When the command ends without printing
        it (a lock held by another run), ``result`` is its whole result instead."""
        line = b"\n" + marker.encode() + b"\n"
        buffer = b"\n"
        try:
            while line not in buffer[-len(line) - 65536:]:
                data = self._channel.recv(65536)
                if not data:
                    self._end(buffer[1:])
                    assert self.result is not None
                    return self.result.output
                buffer += data
        except (OSError, EOFError, paramiko.SSHException) as exc:
            self._fail(exc)
        head, _, self._rest = buffer.partition(line)  # the line break before it is its own
        head = head[1:]
        self._past_marker = True
        return head.decode("utf-8", "replace")

    def finish(self, script: str) -> CommandResult:
        """Send the rest of the command and wait for it to end: its status, and what it
        printed after the marker."""
        assert self.waiting, "the command is not waiting for its stdin"
        return self._send(stdin_script(script))

    def abandon(self) -> CommandResult:
        """End the command with EOF: it runs nothing more. (One that has ended by itself
        is only collected: an EOF on a closed channel would upset sshd.)"""
        return self._send(b"" if self.waiting else None)

    def _send(self, data: bytes | None) -> CommandResult:
        self._past_marker = False
        try:
            if data:
                self._channel.sendall(data)
            if data is not None:
                self._channel.shutdown_write()
            chunks = [self._rest]
            while True:
                chunk = self._channel.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except (OSError, EOFError, paramiko.SSHException) as exc:
            self._fail(exc)
        self._end(b"".join(chunks))
        assert self.result is not None
        return self.result

    def _end(self, output: bytes) -> None:
        channel = self._channel
        try:
            if not channel.status_event.wait(self._timeout):
                channel.close()
                self._on_end(self)
                raise ConnectError(f"{self._label}: no exit status from a command "
                                   "(connection stalled)")
            status = channel.recv_exit_status()
            channel.close()
        except (OSError, EOFError, paramiko.SSHException) as exc:
            self._fail(exc)
        self._on_end(self)
        self.result = CommandResult(status, output.decode("utf-8", "replace"))

    def _fail(self, exc: BaseException) -> NoReturn:
        self._past_marker = False
        self._channel.close()
        self._on_end(self)
        raise ConnectError(f"{self._lost()} while running a command "
                           f"({exc or type(exc).__name__})") from None
