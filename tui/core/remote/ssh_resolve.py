"""Where, as whom and how to connect to a host: the inventory's keys first (as ssh's command
line), then ssh_config (``~/.ssh/config`` and the system file), then the LEAP node, then
OpenSSH's defaults. What ssh_config sets that leap-tui cannot honour fails here, by name.
"""

from __future__ import annotations

import getpass
import shlex
from dataclasses import dataclass, field, replace
from pathlib import Path

from tui.core.inventory import HostSpec
from tui.core.remote.errors import RemoteError, SshConfigError
from tui.core.remote.hostkeys import STRICT_VALUES, known_hosts_name
from tui.core.remote.ssh_algorithms import disabled_algorithms
from tui.core.remote.ssh_config import (
    CERTIFICATE_PREFIX,
    HostOptions,
    SshConfig,
    expand,
    token_values,
)
from tui.core.remote.ssh_features import refuse_unsupported
from tui.core.remote.ssh_paths import (
    default_global_known_hosts,
    default_system_config,
    default_user_known_hosts,
)

_MAX_JUMPS = 8


@dataclass(frozen=True, slots=True)
class HostSettings:
    """What ssh_config says about one host beyond where and as whom; OpenSSH's defaults.

    Values with tokens that depend on the port (ProxyCommand, UserKnownHostsFile) stay
    unexpanded here: the port may still change (a LEAP node's ssh.port move).
    """

    alias: str = ""
    proxy_command: str | None = None
    identities_only: bool = False
    identity_agent: str | None = None
    certificate_files: tuple[str, ...] = ()
    connect_timeout: float | None = None
    connection_attempts: int = 1
    server_alive_interval: int = 0
    server_alive_count_max: int = 3
    user_known_hosts: tuple[str, ...] = field(default_factory=default_user_known_hosts)
    global_known_hosts: tuple[str, ...] = field(default_factory=default_global_known_hosts)
    strict_host_key_checking: str = "ask"
    hash_known_hosts: bool = False
    host_key_alias: str | None = None
    batch_mode: bool = False
    compression: bool = False
    address_family: str = "any"
    bind_address: str | None = None
    disabled_algorithms: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where and as whom to connect; ``label`` is the inventory name used in messages."""

    label: str
    hostname: str
    port: int
    user: str
    key_filenames: tuple[str, ...] = ()
    jumps: tuple[Endpoint, ...] = ()
    settings: HostSettings = field(default_factory=HostSettings)

    @property
    def known_hosts_name(self) -> str:
        """HostKeyAlias when set, else ``host`` or ``[host]:port`` (as ssh files it)."""
        return self.settings.host_key_alias or known_hosts_name(self.hostname, self.port)

    def with_port(self, port: int) -> Endpoint:
        return replace(self, port=port)

    def with_hostname(self, hostname: str) -> Endpoint:
        return replace(self, hostname=hostname)

    def tokens(self) -> dict[str, str]:
        return token_values(alias=self.settings.alias or self.hostname, hostname=self.hostname,
                            port=self.port, user=self.user,
                            host_key_alias=self.settings.host_key_alias)

    def expanded(self, keyword: str, value: str) -> str:
        return expand(keyword, value, self.tokens())


def load_config(user_config: Path | None) -> SshConfig:
    """The user's file (``None``: none) and the system's ssh_config, as ssh reads both."""
    return SshConfig.load(user_config, default_system_config())


def resolve_endpoint(host: HostSpec, *, ssh_config: Path | None,
                     node_defaults: tuple[str | None, int | None] = (None, None)) -> Endpoint:
    """Inventory keys first, then ssh_config for the address as a Host alias, then the
    LEAP node's ip_address and ssh.port, then OpenSSH's defaults (port 22, the local user)."""
    node_address, node_port = node_defaults
    alias = host.address or node_address
    if alias is None:
        raise RemoteError(f"{host.name}: no address (the inventory and node {host.leap_node} "
                          "give none)")
    return _resolve(host.name, alias, host.port, host.user, host.identity_file,
                    load_config(ssh_config), node_port, depth=0,
                    default_user=host.default_user, proxy_jump=host.proxy_jump)


def configured_port(host: HostSpec, *, ssh_config: Path | None,
                    node_address: str | None = None) -> int | None:
    """The port the inventory or ssh_config pins for ``host``; ``None`` when neither does
    (the port then comes from the LEAP node, or is 22)."""
    if host.port is not None:
        return host.port
    alias = host.address or node_address
    if alias is None:
        return None
    return load_config(ssh_config).lookup(alias).number("port")


def _resolve(label: str, alias: str, port: int | None, user: str | None,
             identity_file: str | None, config: SshConfig, default_port: int | None,
             *, depth: int, default_user: str | None = None,
             proxy_jump: str | None = None) -> Endpoint:
    options = config.lookup(alias)
    refuse_unsupported(options)
    hostname = expand("hostname", options.get("hostname") or alias, {"%": "%", "h": alias},
                      options.where("hostname")[2:-1])
    final_port = port or options.number("port") or default_port or 22
    final_user = user or options.get("user") or default_user or getpass.getuser()
    tokens = token_values(alias=alias, hostname=hostname, port=final_port, user=final_user,
                          host_key_alias=options.get("hostkeyalias"))
    keys = [str(Path(identity_file).expanduser())] if identity_file else []
    certificates = []
    for raw in options.get_list("identityfile"):
        if raw.startswith(CERTIFICATE_PREFIX):
            certificates.append(expand("certificatefile", raw[len(CERTIFICATE_PREFIX):], tokens))
        elif raw.lower() != "none":
            keys.append(expand("identityfile", raw, tokens))
    settings = _settings(options, alias, tuple(certificates), tokens)
    jumps: list[Endpoint] = []
    # The inventory's jump is as `ssh -J`: the command line comes before any ssh_config line.
    given_jump = proxy_jump is not None
    proxy_jump = proxy_jump or options.get("proxyjump")
    if proxy_jump and proxy_jump.lower() != "none" and (
            given_jump or settings.proxy_command is None
            or options.comes_before("proxyjump", "proxycommand")):
        settings = replace(settings, proxy_command=None)
        if depth >= _MAX_JUMPS:
            raise RemoteError(f"{label}: ProxyJump chain longer than {_MAX_JUMPS} hosts")
        for hop in expand("proxyjump", proxy_jump, tokens).split(","):
            hop_user, hop_host, hop_port = parse_jump(hop.strip())
            jump = _resolve(f"{label} via {hop_host}", hop_host, hop_port, hop_user, None,
                            config, None, depth=depth + 1)
            # A jump host with jumps of its own: flatten so the chain is opened in order.
            jumps.extend(jump.jumps)
            jumps.append(replace(jump, jumps=()))
    return Endpoint(label=label, hostname=hostname, port=final_port, user=final_user,
                    key_filenames=tuple(keys), jumps=tuple(jumps), settings=settings)


def _settings(options: HostOptions, alias: str, certificates: tuple[str, ...],
              tokens: dict[str, str]) -> HostSettings:
    strict = (options.get("stricthostkeychecking") or "ask").lower()
    strict = {"true": "yes", "false": "no"}.get(strict, strict)
    if strict not in STRICT_VALUES:
        raise SshConfigError(f"ssh_config StrictHostKeyChecking {strict}: not one of "
                             f"{', '.join(STRICT_VALUES)}{options.where('stricthostkeychecking')}")
    agent = options.get("identityagent")
    if agent is not None and agent.lower() != "none" and agent != "SSH_AUTH_SOCK" \
            and not agent.startswith("$"):
        agent = expand("identityagent", agent, tokens)
    proxy_command = options.get("proxycommand")  # paramiko gives None for "none"
    timeout = options.number("connecttimeout")
    where = {k: options.where(k) for k in options.values}
    algorithms = disabled_algorithms(
        {k: v for k in options.values if (v := options.get(k)) is not None}, where)
    return HostSettings(
        alias=alias,
        proxy_command=proxy_command,
        identities_only=options.flag("identitiesonly"),
        identity_agent=agent,
        certificate_files=certificates,
        connect_timeout=float(timeout) if timeout else None,
        connection_attempts=options.number("connectionattempts") or 1,
        server_alive_interval=options.number("serveraliveinterval") or 0,
        server_alive_count_max=options.number("serveralivecountmax") or 3,
        user_known_hosts=_file_list(options, "userknownhostsfile", default_user_known_hosts()),
        global_known_hosts=_file_list(options, "globalknownhostsfile",
                                      default_global_known_hosts()),
        strict_host_key_checking=strict,
        hash_known_hosts=options.flag("hashknownhosts"),
        host_key_alias=options.get("hostkeyalias"),
        batch_mode=options.flag("batchmode"),
        compression=options.flag("compression"),
        address_family=(options.get("addressfamily") or "any").lower(),
        bind_address=options.get("bindaddress"),
        disabled_algorithms=tuple((k, tuple(v)) for k, v in algorithms.items()),
    )


def _file_list(options: HostOptions, keyword: str, default: tuple[str, ...]) -> tuple[str, ...]:
    value = options.get(keyword)
    if value is None:
        return default
    try:
        names = shlex.split(value)
    except ValueError:
        raise SshConfigError(f"ssh_config {keyword} {value}: cannot parse"
                             + options.where(keyword)) from None
    return () if [n.lower() for n in names] == ["none"] else tuple(names)


def parse_jump(hop: str) -> tuple[str | None, str, int | None]:
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
