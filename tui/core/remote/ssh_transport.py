"""How the bytes reach a host: a TCP connection as ssh_config shapes it (AddressFamily,
BindAddress, ConnectTimeout, ConnectionAttempts), or a ProxyCommand's pipes; and the
ServerAlive keepalives that want an answer.
"""

from __future__ import annotations

import contextlib
import os
import select
import shlex
import signal
import socket
import subprocess
import tempfile
import threading
import time
from typing import Any

from tui.core.remote.errors import ConnectError

_FAMILIES = {"any": socket.AF_UNSPEC, "inet": socket.AF_INET, "inet6": socket.AF_INET6}


def open_tcp(label: str, hostname: str, port: int, *, timeout: float, family: str = "any",
             bind_address: str | None = None, attempts: int = 1) -> socket.socket:
    """A connected socket to ``hostname:port``, each address tried in turn, the whole tried
    ``attempts`` times a second apart (ConnectionAttempts)."""
    problem = ""
    for attempt in range(max(1, attempts)):
        if attempt:
            time.sleep(1.0)
        try:
            addresses = socket.getaddrinfo(hostname, port, _FAMILIES.get(family, 0),
                                           socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise ConnectError(f"{label}: cannot resolve {hostname}"
                               + (f" (AddressFamily {family})" if family != "any" else "")
                               + f": {exc.strerror or exc}") from None
        except UnicodeError:  # the IDNA encoding of a label over 63 characters, or empty
            raise ConnectError(f"{label}: cannot resolve {hostname}: not a valid host name "
                               "(an empty label, or one longer than 63 characters)") from None
        reasons = []
        for af, kind, proto, _, address in addresses:
            sock = socket.socket(af, kind, proto)
            try:
                sock.settimeout(timeout)
                if bind_address:
                    sock.bind((bind_address, 0))
                sock.connect(address)
                if af in (socket.AF_INET, socket.AF_INET6):
                    # Every command and SFTP request waits for its answer: with Nagle's
                    # algorithm each small packet waits for the peer's delayed ACK (40 ms
                    # on Linux), several times per host. Uploads still fill segments.
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError as exc:
                sock.close()
                if isinstance(exc, TimeoutError):
                    reasons.append(f"timed out after {timeout:g} s")
                else:
                    reasons.append(exc.strerror or str(exc))
                continue
            return sock
        problem = "; ".join(sorted(set(reasons))) or "no address"
    tries = f" ({attempts} attempts)" if attempts > 1 else ""
    raise ConnectError(f"{label}: cannot reach {hostname}:{port}: {problem}{tries}",
                       reach=(hostname, port, problem + tries))


class ProxyCommandSocket:
    """A ProxyCommand's stdin and stdout as the socket paramiko's Transport uses.

    Run as ssh runs it (``$SHELL -c "exec COMMAND"``), in a session of its own so that
    closing ends it and whatever it started. Its end of output reads as a closed socket,
    and its stderr is kept for the error message.
    """

    def __init__(self, command: str) -> None:
        self.command = command
        shell = os.environ.get("SHELL") or "/bin/sh"
        # Closed in close(): it outlives this call.
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115
        try:
            self.process = subprocess.Popen(
                [shell, "-c", f"exec {command}"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=self._stderr, bufsize=0, start_new_session=True)
        except OSError as exc:
            self._stderr.close()
            raise ConnectError(f"ProxyCommand {command!r} cannot start: "
                               f"{exc.strerror or exc}") from None
        self.timeout: float | None = None
        self._stderr_tail = ""
        # Closed while it still ran: it did not end by itself (paramiko closes the socket
        # when the banner wait ends, before leap-tui learns of it).
        self.stopped_running = False

    def send(self, data: bytes) -> int:
        stdin = self.process.stdin
        assert stdin is not None
        try:
            written = stdin.write(data)  # a pipe may take part of it: paramiko sends the rest
        except OSError as exc:
            raise OSError(exc.errno, f"ProxyCommand stopped reading: {self.describe()}") from None
        return written or 0

    def recv(self, size: int) -> bytes:
        stdout = self.process.stdout
        assert stdout is not None
        ready, _, _ = select.select([stdout], [], [], self.timeout)
        if not ready:
            raise TimeoutError("ProxyCommand sent nothing in time")
        return os.read(stdout.fileno(), size)  # b"" once it has exited: a closed socket

    def settimeout(self, timeout: float | None) -> None:
        self.timeout = timeout

    def close(self) -> None:
        if self.process.poll() is None:
            self.stopped_running = True
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(2)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(2)
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        if not self._stderr.closed:
            self._stderr_tail = self._read_stderr()
            self._stderr.close()

    @property
    def closed(self) -> bool:
        return self.process.poll() is not None

    @property
    def _closed(self) -> bool:
        # What paramiko's Transport reads of a socket when it stops (socket.socket has it).
        return self.closed

    @property
    def running(self) -> bool:
        """Still running, or ran until close() stopped it."""
        return self.process.poll() is None or self.stopped_running

    def _read_stderr(self) -> str:
        with contextlib.suppress(OSError, ValueError):
            self._stderr.seek(0)
            return self._stderr.read()[-2000:].decode("utf-8", "replace")
        return ""

    def describe(self) -> str:
        """``ProxyCommand '...' exited 1: its last stderr line`` (what went wrong there)."""
        status = self.process.poll()
        text = self._stderr_tail if self._stderr.closed else self._read_stderr()
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        state = "still running" if status is None else f"exited {status}"
        return (f"ProxyCommand {shlex.quote(self.command)} {state}"
                + (f": {lines[-1]}" if lines else ""))


class ServerAlive:
    """ServerAliveInterval/CountMax: every ``interval`` seconds a global request that wants an
    answer; after ``count_max`` unanswered in a row the connection is closed, so that every
    command on it fails at once instead of waiting for its own timeout."""

    def __init__(self, transport: Any, interval: float, count_max: int) -> None:
        self.transport = transport
        self.interval = interval
        self.count_max = max(1, count_max)
        self.gave_up = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="server-alive", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        missed = 0
        while not self._stop.wait(self.interval):
            if not self.transport.is_active():
                return
            answered = threading.Event()
            threading.Thread(target=self._ask, args=(answered,), daemon=True).start()
            if answered.wait(self.interval):
                missed = 0
                continue
            missed += 1
            if missed >= self.count_max and not self._stop.is_set():
                self.gave_up = True
                self.transport.close()
                return

    def _ask(self, answered: threading.Event) -> None:
        # An OpenSSH server answers an unknown request with a failure: an answer all the same.
        with contextlib.suppress(Exception):
            self.transport.global_request("keepalive@openssh.com", wait=True)
            if self.transport.is_active():
                answered.set()
