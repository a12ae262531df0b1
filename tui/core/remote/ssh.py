"""SSH connections: settings from the inventory and ~/.ssh/config, ProxyJump, timeouts, retries."""

from __future__ import annotations

import getpass
import random
import shlex
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import paramiko

from tui.core.inventory import HostSpec
from tui.core.remote.errors import AuthError, ConnectError, HostKeyError, RemoteError
from tui.core.remote.hostkeys import (
    AcceptHostKey,
    KnownHosts,
    RefuseUnknownPolicy,
    fingerprint,
    known_hosts_name,
)

CONNECT_TIMEOUT = 10.0
BANNER_TIMEOUT = 15.0
AUTH_TIMEOUT = 30.0
COMMAND_TIMEOUT = 300.0
KEEPALIVE_INTERVAL = 15
_PASSPHRASE_TRIES = 3
# What OpenSSH tries without an IdentityFile (and paramiko's look_for_keys), in its order.
DEFAULT_IDENTITIES = ("id_rsa", "id_ecdsa", "id_ecdsa_sk", "id_ed25519", "id_ed25519_sk",
                      "id_dsa")
_MAX_JUMPS = 8

AskPassphrase = Callable[[str], "str | None"]


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where and as whom to connect; ``label`` is the inventory name used in messages."""

    label: str
    hostname: str
    port: int
    user: str
    key_filenames: tuple[str, ...] = ()
    jumps: tuple[Endpoint, ...] = ()

    @property
    def known_hosts_name(self) -> str:
        return known_hosts_name(self.hostname, self.port)

    def with_port(self, port: int) -> Endpoint:
        return replace(self, port=port)

    def with_hostname(self, hostname: str) -> Endpoint:
        return replace(self, hostname=hostname)


@dataclass(slots=True)
class SshOptions:
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


def default_ssh_config() -> Path | None:
    path = Path.home() / ".ssh" / "config"
    return path if path.is_file() else None


def _config_lookup(config_path: Path | None, alias: str) -> dict[str, object]:
    if config_path is None or not Path(config_path).is_file():
        return {}
    try:
        config = paramiko.SSHConfig.from_path(str(config_path))
        return dict(config.lookup(alias))
    except (OSError, paramiko.SSHException, ValueError) as exc:
        raise RemoteError(f"cannot read {config_path}: {exc}") from None


def resolve_endpoint(host: HostSpec, *, ssh_config: Path | None,
                     node_defaults: tuple[str | None, int | None] = (None, None)) -> Endpoint:
    """Inventory keys first, then ~/.ssh/config for the address as a Host alias, then the
    LEAP node's ip_address and ssh.port, then OpenSSH's defaults (port 22, the local user)."""
    node_address, node_port = node_defaults
    alias = host.address or node_address
    if alias is None:
        raise RemoteError(f"{host.name}: no address (the inventory and node {host.leap_node} "
                          "give none)")
    return _resolve(host.name, alias, host.port, host.user, host.identity_file, ssh_config,
                    node_port, depth=0)


def configured_port(host: HostSpec, *, ssh_config: Path | None,
                    node_address: str | None = None) -> int | None:
    """The port the inventory or ~/.ssh/config pins for ``host``; ``None`` when neither does
    (the port then comes from the LEAP node, or is 22)."""
    if host.port is not None:
        return host.port
    alias = host.address or node_address
    if alias is None:
        return None
    value = _config_lookup(ssh_config, alias).get("port")
    return int(str(value)) if value else None


def _resolve(label: str, alias: str, port: int | None, user: str | None,
             identity_file: str | None, ssh_config: Path | None, default_port: int | None,
             *, depth: int) -> Endpoint:
    cfg = _config_lookup(ssh_config, alias)
    hostname = str(cfg.get("hostname") or alias)
    cfg_port = cfg.get("port")
    final_port = port or (int(str(cfg_port)) if cfg_port else None) or default_port or 22
    final_user = user or (str(cfg["user"]) if cfg.get("user") else None) or getpass.getuser()
    keys: list[str] = []
    if identity_file:
        keys.append(str(Path(identity_file).expanduser()))
    else:
        raw_keys = cfg.get("identityfile")
        if isinstance(raw_keys, list):
            keys.extend(str(Path(str(k)).expanduser()) for k in raw_keys)
    jumps: list[Endpoint] = []
    proxy = cfg.get("proxyjump")
    if isinstance(proxy, str) and proxy.strip().lower() != "none":
        if depth >= _MAX_JUMPS:
            raise RemoteError(f"{label}: ProxyJump chain longer than {_MAX_JUMPS} hosts")
        for hop in proxy.split(","):
            hop_user, hop_host, hop_port = _parse_jump(hop.strip())
            jump = _resolve(f"{label} via {hop_host}", hop_host, hop_port, hop_user, None,
                            ssh_config, None, depth=depth + 1)
            # A jump host with jumps of its own: flatten so the chain is opened in order.
            jumps.extend(jump.jumps)
            jumps.append(replace(jump, jumps=()))
    return Endpoint(label=label, hostname=hostname, port=final_port, user=final_user,
                    key_filenames=tuple(keys), jumps=tuple(jumps))


def _parse_jump(hop: str) -> tuple[str | None, str, int | None]:
    """``[user@]host[:port]`` (also ``ssh://`` and ``[v6]:port``)."""
    hop = hop.removeprefix("ssh://")
    user, _, rest = hop.rpartition("@")
    port: int | None = None
    if rest.startswith("["):
        host, _, tail = rest[1:].partition("]")
        if tail.startswith(":") and tail[1:].isdigit():
            port = int(tail[1:])
    elif rest.count(":") == 1:
        host, _, port_text = rest.partition(":")
        if port_text.isdigit():
            port = int(port_text)
    else:
        host = rest
    return (user or None), host, port


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


class Connection:
    """One open SSH session (and the jump sessions it runs through)."""

    def __init__(self, endpoint: Endpoint, client: paramiko.SSHClient,
                 jumps: Sequence[paramiko.SSHClient], command_timeout: float) -> None:
        self.endpoint = endpoint
        self.client = client
        self._jumps = list(jumps)
        self._sftp: paramiko.SFTPClient | None = None
        self.command_timeout = command_timeout

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

    def run(self, command: str, *, timeout: float | None = None) -> CommandResult:
        """Run ``command`` under the login shell; stdout and stderr together."""
        try:
            transport = self.client.get_transport()
            if transport is None or not transport.is_active():
                raise ConnectError(f"{self.endpoint.label}: connection lost")
            channel = transport.open_session(timeout=self.command_timeout)
            channel.settimeout(timeout or self.command_timeout)
            channel.set_combine_stderr(True)
            channel.exec_command(command)
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
            raise ConnectError(f"{self.endpoint.label}: connection lost while running a "
                               f"command ({exc or type(exc).__name__})") from None
        return CommandResult(status, b"".join(chunks).decode("utf-8", "replace"))

    def check(self, command: str, what: str) -> CommandResult:
        result = self.run(command)
        if not result.ok:
            raise RemoteError(f"{what} failed (exit {result.status}): {result.tail()}")
        return result

    def close(self) -> None:
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
    RefuseUnknownPolicy); nothing else is ever trusted without the operator.
    """
    opened: list[paramiko.SSHClient] = []
    sock: paramiko.Channel | None = None
    try:
        for jump in endpoint.jumps:
            client = _connect_one(jump, options, sock, (), ())
            opened.append(client)
            sock = _tunnel(client, endpoint.jumps, jump, endpoint, options)
        client = _connect_one(endpoint, options, sock, aliases, pinned)
        for opened_client in [*opened, client]:
            transport = opened_client.get_transport()
            if transport is not None:
                # Without traffic a dead peer is never noticed; keepalives make TCP find out.
                transport.set_keepalive(KEEPALIVE_INTERVAL)
    except BaseException:
        for client in reversed(opened):
            client.close()
        raise
    return Connection(endpoint, client, opened, options.command_timeout)


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


def default_identity_files() -> list[str]:
    """The ``~/.ssh/id_*`` keys that exist, as OpenSSH tries them without an IdentityFile."""
    directory = Path.home() / ".ssh"
    return [str(directory / name) for name in DEFAULT_IDENTITIES if (directory / name).is_file()]


def _connect_one(endpoint: Endpoint, options: SshOptions, sock: paramiko.Channel | None,
                 aliases: Sequence[str], pinned: Sequence[paramiko.PKey]) -> paramiko.SSHClient:
    attempt = 0
    asked = 0
    # Without an IdentityFile the default keys are found by paramiko; once one of them turns
    # out to need a passphrase they are named explicitly, so that it can be given.
    key_files = list(endpoint.key_filenames)
    while True:
        attempt += 1
        client = paramiko.SSHClient()
        for path in [*options.known_hosts.read, options.known_hosts.record_file]:
            if path.is_file():
                client.load_system_host_keys(str(path))
        client.set_missing_host_key_policy(RefuseUnknownPolicy(
            options.known_hosts, aliases=aliases, pinned=pinned, accept=options.accept_host_key))
        passphrase = next((options.passphrases[k] for k in key_files
                           if k in options.passphrases), None)
        try:
            client.connect(
                endpoint.hostname, port=endpoint.port, username=endpoint.user,
                key_filename=key_files or None,
                look_for_keys=not key_files, allow_agent=True,
                timeout=options.connect_timeout, banner_timeout=options.banner_timeout,
                auth_timeout=options.auth_timeout, channel_timeout=options.connect_timeout,
                passphrase=passphrase, sock=sock,
            )
            return client
        except HostKeyError:
            client.close()
            raise
        except paramiko.BadHostKeyException as exc:
            client.close()
            raise HostKeyError("changed", endpoint.known_hosts_name, exc.key.get_name(),
                               fingerprint(exc.key), expected=fingerprint(exc.expected_key),
                               where=options.known_hosts.where(endpoint.known_hosts_name,
                                                               exc.expected_key)) from None
        except paramiko.PasswordRequiredException:
            client.close()
            key_files = key_files or default_identity_files()
            asked += 1
            if asked > _PASSPHRASE_TRIES or not _ask_passphrases(key_files, options):
                raise AuthError(f"{endpoint.label}: the key needs a passphrase",
                                hint="load it into ssh-agent or answer the prompt") from None
        except paramiko.SSHException as exc:
            client.close()
            # A passphrase given earlier that does not open its key: ask again, not fail.
            if _forget_wrong_passphrases(key_files, options) and asked < _PASSPHRASE_TRIES:
                asked += 1
                if _ask_passphrases(key_files, options):
                    continue
                raise AuthError(f"{endpoint.label}: wrong passphrase for the key") from None
            if isinstance(exc, paramiko.AuthenticationException):
                raise AuthError(f"{endpoint.label}: authentication as {endpoint.user} failed "
                                f"({exc})") from None
            # sshd's MaxStartups drops handshakes beyond its limit: retry those with jitter.
            if "banner" in str(exc).lower() and attempt <= options.banner_retries and sock is None:
                time.sleep(random.uniform(0.2, 1.0) * attempt)
                continue
            raise ConnectError(f"{endpoint.label}: SSH to {endpoint.hostname}:{endpoint.port} "
                               f"failed: {exc}") from None
        except (OSError, EOFError) as exc:
            client.close()
            raise ConnectError(f"{endpoint.label}: cannot reach {endpoint.hostname}:"
                               f"{endpoint.port}: {_reason(exc)}") from None


def _forget_wrong_passphrases(key_files: Sequence[str], options: SshOptions) -> bool:
    """Drop the remembered passphrases that do not open their key; True if any did not."""
    wrong = False
    for key in key_files:
        if key not in options.passphrases:
            continue
        try:
            paramiko.PKey.from_path(key, options.passphrases[key].encode())
        except (paramiko.SSHException, ValueError, TypeError, OSError):
            del options.passphrases[key]
            wrong = True
    return wrong


def _ask_passphrases(key_files: Sequence[str], options: SshOptions) -> bool:
    """Ask for the keys that need a passphrase and have none remembered."""
    if options.ask_passphrase is None:
        return False
    asked = False
    for key in key_files:
        if key in options.passphrases or not _needs_passphrase(key):
            continue
        answer = options.ask_passphrase(key)
        if answer is None:
            return False
        options.passphrases[key] = answer
        asked = True
    return asked


def _needs_passphrase(key: str) -> bool:
    try:
        paramiko.PKey.from_path(key)
    except (paramiko.PasswordRequiredException, TypeError):
        return True  # the cryptography loader says "password not given" with a TypeError
    except (paramiko.SSHException, ValueError, OSError):
        return False
    return False


def _reason(exc: BaseException) -> str:
    """Why a connection failed, once: paramiko's NoValidConnectionsError repeats the
    address ("Unable to connect to port 22 on 10.0.0.5"), the errors it carries do not."""
    if isinstance(exc, paramiko.ssh_exception.NoValidConnectionsError):
        reasons = sorted({e.strerror or str(e) for e in exc.errors.values()})
        if reasons:
            return "; ".join(reasons)
    return (exc.strerror if isinstance(exc, OSError) else None) or str(exc) or type(exc).__name__
