"""SSH connections as OpenSSH makes them: ssh_config (see ssh_resolve), jump hosts and
ProxyCommand, host keys checked (hostkeys), keys offered in ssh's order (ssh_auth),
timeouts, keepalives and retries.
"""

from __future__ import annotations

import contextlib
import logging
import random
import shlex
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import paramiko

from tui.core.remote.errors import AuthError, ConnectError, HostKeyError, RemoteError
from tui.core.remote.hostkeys import (
    AcceptHostKey,
    CheckingPolicy,
    HostKeyCheck,
    KnownHosts,
    Notify,
)
from tui.core.remote.ssh_auth import AskPassphrase, KeyAuth
from tui.core.remote.ssh_open import CommandResult, OpenCommand
from tui.core.remote.ssh_paths import default_user_config
from tui.core.remote.ssh_resolve import (
    Endpoint,
    HostSettings,
    configured_port,
    resolve_endpoint,
)
from tui.core.remote.ssh_transport import ProxyCommandSocket, ServerAlive, open_tcp

__all__ = ["CommandResult", "Connection", "Endpoint", "HostSettings", "OpenCommand", "SshOptions",
           "configured_port", "connect", "default_ssh_config", "quote", "resolve_endpoint"]

# paramiko logs what its transport thread meets (a banner that never came, with its
# traceback); with no handler Python prints that on stderr. Every failure reaches the
# operator as leap-tui's own one-line message instead.
logging.getLogger("paramiko").addHandler(logging.NullHandler())

CONNECT_TIMEOUT = 10.0
BANNER_TIMEOUT = 15.0
AUTH_TIMEOUT = 30.0
COMMAND_TIMEOUT = 300.0
KEEPALIVE_INTERVAL = 15


@dataclass(slots=True)
class SshOptions:
    """What every connection of a run shares.

    ``strict_host_key_checking`` overrides ssh_config's (``--accept-new-host-key`` sets
    ``accept-new``, as ``ssh -o`` would); ``accept_host_key`` is the question asked under
    ``ask``; ``notify`` hears of keys recorded without asking.
    """

    known_hosts: KnownHosts
    ssh_config: Path | None = None
    accept_host_key: AcceptHostKey | None = None
    ask_passphrase: AskPassphrase | None = None
    connect_timeout: float = CONNECT_TIMEOUT
    banner_timeout: float = BANNER_TIMEOUT
    auth_timeout: float = AUTH_TIMEOUT
    command_timeout: float = COMMAND_TIMEOUT
    banner_retries: int = 3
    passphrases: dict[str, str] = field(default_factory=dict)
    strict_host_key_checking: str | None = None
    notify: Notify | None = None


def default_ssh_config() -> Path | None:
    return default_user_config()


class Connection:
    """One open SSH session (and the jump sessions it runs through)."""

    def __init__(self, endpoint: Endpoint, client: paramiko.SSHClient,
                 jumps: Sequence[paramiko.SSHClient], command_timeout: float,
                 watchers: Sequence[ServerAlive] = ()) -> None:
        self.endpoint = endpoint
        self.client = client
        self._jumps = list(jumps)
        self._sftp: paramiko.SFTPClient | None = None
        self._watchers = list(watchers)
        self.command_timeout = command_timeout
        self.open_command: OpenCommand | None = None  # started, waiting for its stdin

    @property
    def sftp(self) -> paramiko.SFTPClient:
        if self._sftp is None:
            sftp = self.client.open_sftp()
            # SFTP requests wait on this channel: without a timeout a peer that stops
            # answering (blackholed, not closed) would hold the worker forever.
            channel = sftp.get_channel()
            if channel is not None:
                channel.settimeout(self.command_timeout)
            self._sftp = sftp
        return self._sftp

    @property
    def alive(self) -> bool:
        transport = self.client.get_transport()
        return transport is not None and transport.is_active()

    def _lost(self) -> str:
        if any(w.gave_up for w in self._watchers):
            return (f"{self.endpoint.label}: connection lost (no answer to "
                    f"ServerAliveCountMax keepalives)")
        return f"{self.endpoint.label}: connection lost"

    def _exec(self, command: str, timeout: float) -> paramiko.Channel:
        transport = self.client.get_transport()
        if transport is None or not transport.is_active():
            raise ConnectError(self._lost())
        channel = transport.open_session(timeout=self.command_timeout)
        channel.settimeout(timeout)
        channel.set_combine_stderr(True)
        channel.exec_command(command)
        return channel

    def start(self, command: str) -> OpenCommand:
        """Start ``command`` and leave it running (see ssh_open): until it has ended, any
        other command first ends it with EOF."""
        self.abandon()
        try:
            channel = self._exec(command, self.command_timeout)
        except (OSError, EOFError, paramiko.SSHException) as exc:
            raise ConnectError(f"{self._lost()} while running a command "
                               f"({exc or type(exc).__name__})") from None
        self.open_command = OpenCommand(self.endpoint.label, channel, self.command_timeout,
                                        self._lost, self._ended)
        return self.open_command

    def _ended(self, command: OpenCommand) -> None:
        if self.open_command is command:
            self.open_command = None

    def abandon(self) -> None:
        """End the command left open, if one waits: nothing more of it runs."""
        if self.open_command is not None:
            self.open_command.abandon()
        self.open_command = None

    def run(self, command: str, *, timeout: float | None = None) -> CommandResult:
        """Run ``command`` under the login shell; stdout and stderr together."""
        self.abandon()
        try:
            channel = self._exec(command, timeout or self.command_timeout)
            chunks: list[bytes] = []
            while True:
                data = channel.recv(65536)
                if not data:
                    break
                chunks.append(data)
            if not channel.status_event.wait(timeout or self.command_timeout):
                channel.close()
                raise ConnectError(f"{self.endpoint.label}: no exit status from a command "
                                   "(connection stalled)")
            status = channel.recv_exit_status()
            channel.close()
        except (OSError, EOFError, paramiko.SSHException) as exc:
            raise ConnectError(f"{self._lost()} while running a command "
                               f"({exc or type(exc).__name__})") from None
        return CommandResult(status, b"".join(chunks).decode("utf-8", "replace"))

    def check(self, command: str, what: str) -> CommandResult:
        result = self.run(command)
        if not result.ok:
            raise RemoteError(f"{what} failed (exit {result.status}): {result.tail()}")
        return result

    def close(self) -> None:
        if self.open_command is not None and self.alive:
            with contextlib.suppress(ConnectError):  # a dead session must not mask the result
                self.abandon()
        for watcher in self._watchers:
            watcher.stop()
        for closer in (self._sftp, self.client, *reversed(self._jumps)):
            try:
                if closer is not None:
                    closer.close()
            except Exception:  # closing a dead session must not mask the result
                pass


def quote(path: str) -> str:
    return shlex.quote(path)


def connect(endpoint: Endpoint, options: SshOptions, *, aliases: Sequence[str] = (),
            pinned: Sequence[paramiko.PKey] = ()) -> Connection:
    """Open a session to ``endpoint`` through its jump hosts, host keys checked.

    ``aliases`` and ``pinned`` widen what counts as this host's known key (see
    HostKeyCheck); nothing else is ever trusted without the operator.
    """
    opened: list[paramiko.SSHClient] = []
    watchers: list[ServerAlive] = []
    sock: Any = None
    try:
        for jump in endpoint.jumps:
            client = _connect_one(jump, options, sock, (), ())
            opened.append(client)
            watchers += _keepalive(client, jump.settings)
            sock = _tunnel(client, endpoint.jumps, jump, endpoint, options)
        client = _connect_one(endpoint, options, sock, aliases, pinned)
        watchers += _keepalive(client, endpoint.settings)
    except BaseException:
        for watcher in watchers:
            watcher.stop()
        for client in reversed(opened):
            client.close()
        raise
    return Connection(endpoint, client, opened, options.command_timeout, watchers)


def _keepalive(client: paramiko.SSHClient, settings: HostSettings) -> list[ServerAlive]:
    transport = client.get_transport()
    if transport is None:
        return []
    if settings.server_alive_interval > 0:
        return [ServerAlive(transport, settings.server_alive_interval,
                            settings.server_alive_count_max)]
    # Without traffic a dead peer is never noticed; keepalives make TCP find out.
    transport.set_keepalive(KEEPALIVE_INTERVAL)
    return []


def _tunnel(client: paramiko.SSHClient, jumps: Sequence[Endpoint], current: Endpoint,
            final: Endpoint, options: SshOptions) -> paramiko.Channel:
    position = list(jumps).index(current)
    target = jumps[position + 1] if position + 1 < len(jumps) else final
    transport = client.get_transport()
    assert transport is not None
    try:
        channel: paramiko.Channel = transport.open_channel(
            "direct-tcpip", (target.hostname, target.port), ("127.0.0.1", 0),
            timeout=options.connect_timeout)
    except (paramiko.SSHException, OSError) as exc:
        raise ConnectError(f"{final.label}: jump host {current.hostname} cannot reach "
                           f"{target.hostname}:{target.port} ({exc})") from None
    return channel


def _host_key_check(endpoint: Endpoint, options: SshOptions, aliases: Sequence[str],
                    pinned: Sequence[paramiko.PKey]) -> HostKeyCheck:
    settings = endpoint.settings
    user_files = [Path(endpoint.expanded("userknownhostsfile", name))
                  for name in settings.user_known_hosts]
    global_files = [Path(name).expanduser() for name in settings.global_known_hosts]
    return HostKeyCheck(
        name=endpoint.known_hosts_name,
        files=options.known_hosts.for_host(user_files, global_files),
        principal=settings.host_key_alias or endpoint.hostname,
        strict=options.strict_host_key_checking or settings.strict_host_key_checking,
        hash_names=settings.hash_known_hosts, aliases=aliases, pinned=pinned,
        ask=None if settings.batch_mode else options.accept_host_key, notify=options.notify)


class _OrderedTransport(paramiko.Transport):  # type: ignore[misc]
    """paramiko's Transport asking first for the host key algorithms this host is known by."""

    first_keys: tuple[str, ...] = ()
    # The server's reason when it hangs up (SSH_MSG_DISCONNECT), which paramiko only logs:
    # "Too many authentication failures" is what ssh prints then, and so does leap-tui.
    disconnect_reason = ""

    def _parse_disconnect(self, m: paramiko.Message) -> None:
        m.get_int()  # the reason code; the text says it for people
        self.disconnect_reason = m.get_text()
        self._log(logging.INFO, f"Disconnect: {self.disconnect_reason}")

    @property
    def preferred_keys(self) -> tuple[str, ...]:
        offered = tuple(super().preferred_keys)
        first = [k for k in self.first_keys if k in offered]
        return (*first, *(k for k in offered if k not in first))


def _transport_factory(check: HostKeyCheck) -> Callable[..., paramiko.Transport]:
    """As ssh orders HostKeyAlgorithms: the key types known for this host first (else a
    server with several keys may show one not known yet); certificates first when only a
    certificate authority is known for it."""
    found = check.files.lookup(check.name)
    wanted = [t for name in found.key_types()
              for t in (("rsa-sha2-512", "rsa-sha2-256") if name == "ssh-rsa" else (name,))]
    if found.authorities and not found.keys:
        wanted = [f"{t}-cert-v01@openssh.com" for t in paramiko.Transport._preferred_keys]

    def factory(sock: Any, **kwargs: Any) -> paramiko.Transport:
        transport = _OrderedTransport(sock, **kwargs)
        transport.first_keys = tuple(wanted)
        return transport

    return factory


def _open_socket(endpoint: Endpoint, timeout: float) -> Any:
    settings = endpoint.settings
    if settings.proxy_command is not None:
        return ProxyCommandSocket(endpoint.expanded("proxycommand", settings.proxy_command))
    return open_tcp(endpoint.label, endpoint.hostname, endpoint.port, timeout=timeout,
                    family=settings.address_family, bind_address=settings.bind_address,
                    attempts=settings.connection_attempts)


def _connect_one(endpoint: Endpoint, options: SshOptions, sock: Any,
                 aliases: Sequence[str], pinned: Sequence[paramiko.PKey]) -> paramiko.SSHClient:
    settings = endpoint.settings
    timeout = settings.connect_timeout or options.connect_timeout
    check = _host_key_check(endpoint, options, aliases, pinned)
    attempt = 0
    while True:
        attempt += 1
        own = sock if sock is not None else _open_socket(endpoint, timeout)
        client = paramiko.SSHClient()
        client.set_missing_host_key_policy(CheckingPolicy(check))
        auth = KeyAuth(endpoint.user, key_files=endpoint.key_filenames,
                       identities_only=settings.identities_only,
                       identity_agent=settings.identity_agent,
                       certificate_files=settings.certificate_files,
                       passphrases=options.passphrases,
                       ask=None if settings.batch_mode else options.ask_passphrase)
        try:
            client.connect(
                endpoint.hostname, port=endpoint.port, username=endpoint.user, sock=own,
                timeout=timeout, banner_timeout=settings.connect_timeout or options.banner_timeout,
                auth_timeout=options.auth_timeout, channel_timeout=options.connect_timeout,
                compress=settings.compression,
                disabled_algorithms={k: list(v) for k, v in settings.disabled_algorithms},
                transport_factory=_transport_factory(check), auth_strategy=auth)
            return client
        except HostKeyError:
            client.close()
            raise
        except paramiko.AuthenticationException as exc:
            reason = _disconnect_reason(client)
            client.close()
            raise _auth_error(endpoint, auth, exc, reason) from None
        except (paramiko.SSHException, OSError, EOFError) as exc:
            silent = _proxy_silent(own, client)  # before close(), which ends the command
            client.close()
            if silent:
                wait = min(timeout, settings.connect_timeout or options.banner_timeout)
                raise ConnectError(
                    f"{endpoint.label}: ProxyCommand {own.command!r} did not connect within "
                    f"{wait:g} s (no SSH banner came through it)",
                    hint="ConnectTimeout in ~/.ssh/config sets the wait") from None
            if not isinstance(exc, paramiko.SSHException):
                proxied = _proxy_problem(own)
                raise ConnectError(f"{endpoint.label}: cannot reach {endpoint.hostname}:"
                                   f"{endpoint.port}: {proxied or _reason(exc)}") from None
            proxied = _proxy_problem(own)
            # sshd's MaxStartups drops handshakes beyond its limit: retry those with jitter.
            if ("banner" in str(exc).lower() and attempt <= options.banner_retries
                    and sock is None and not proxied):
                time.sleep(random.uniform(0.2, 1.0) * attempt)
                continue
            raise ConnectError(f"{endpoint.label}: SSH to {endpoint.hostname}:{endpoint.port} "
                               f"failed: {proxied or exc}") from None
        finally:
            auth.close()


def _proxy_silent(sock: Any, client: paramiko.SSHClient) -> bool:
    """A ProxyCommand still running when the wait ended, no SSH banner through it."""
    if not isinstance(sock, ProxyCommandSocket) or not sock.running:
        return False
    transport = client.get_transport()
    return transport is None or not getattr(transport, "remote_version", "")


def _proxy_problem(sock: Any) -> str:
    if isinstance(sock, ProxyCommandSocket):
        text = sock.describe()
        sock.close()
        return text
    return ""


def _disconnect_reason(client: paramiko.SSHClient) -> str:
    return str(getattr(client.get_transport(), "disconnect_reason", ""))


def _auth_error(endpoint: Endpoint, auth: KeyAuth, exc: Exception,
                disconnect: str = "") -> AuthError:
    if disconnect:
        # As ssh: "Received disconnect from HOST port N:2: Too many authentication failures".
        tried = "; ".join(auth.problems)
        return AuthError(f"{endpoint.label}: {endpoint.hostname} closed the connection: "
                         f"{disconnect} (as {endpoint.user}"
                         + (f"; {tried}" if tried else "") + ")",
                         hint="too many keys offered (ssh-agent's): give the host its "
                         "IdentityFile with IdentitiesOnly yes in ~/.ssh/config")
    if auth.needs_passphrase:
        return AuthError(f"{endpoint.label}: the key {auth.needs_passphrase[0]} needs a "
                         "passphrase", hint="load it into ssh-agent or answer the prompt")
    tried = "; ".join(auth.problems)
    results = getattr(getattr(exc, "result", None), "__iter__", None)
    outcomes = [r.result for r in results()] if results is not None else [exc]
    for outcome in outcomes:
        if isinstance(outcome, paramiko.BadAuthenticationType):
            return AuthError(f"{endpoint.label}: {endpoint.hostname} accepts no public key "
                             f"(it allows {', '.join(outcome.allowed_types)})")
    if not outcomes:
        tried = "no key to offer" + (f": {tried}" if tried else "")
    return AuthError(f"{endpoint.label}: authentication as {endpoint.user} failed"
                     + (f" ({tried})" if tried else ""))


def _reason(exc: BaseException) -> str:
    return (exc.strerror if isinstance(exc, OSError) else None) or str(exc) or type(exc).__name__
