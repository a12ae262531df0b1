"""Which ports each node binds, on which address, and which of them clash.

``node_ports`` is the one place that lists a node's listeners and finds its clashes; the
checks (LP001-LP004, LP011, LP015) and the port map both read it, so no rule is written
twice. Its result is cached on the EffectiveNode (it lives as long as that merge).

Clash codes, one per pair of listeners on the same address, protocol and port:

- LP004 when one side is ssh.port and the other a public port. sshd listens on every
  address of the node, so ssh.port meets the listeners of openvpn.gateway_address too;
- LP011 when one side is a port the user does not see on the Ports page: a derived stunnel
  port, a fixed port LEAP's sources add (tor's 9001, an exit relay's DirPort 80, couchdb,
  587, 53, 64250), or a fixed port of the same service (api.port on 443);
- LP002 otherwise: two services of the node on one port (soledad.port == api.port, or
  openvpn's 443 on a gateway address equal to ip_address while webapp serves 443).

Every node also gets the page's Stunnel row, the range 10000-20000 that generated stunnel
ports fall in (LP003 checks configured ports against it). Listeners sharing one socket on
purpose (apache's 80/443 for webapp, static and monitor) never clash. Addresses are
compared as addresses, not as text ("2001:db8::1" and "2001:db8:0::1" are one address).
"""

from __future__ import annotations

import builtins
import functools
import ipaddress
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tui.core.leap_merge import EffectiveNode, Origin, is_expression, resolve_key
from tui.core.port_catalog import (
    COUCHDB,
    MOSH,
    OPENVPN,
    SSH,
    STUNNEL,
    TOR_DIRPORT,
    PortSpec,
    specs_for_service,
    stunnel_port,
)

if TYPE_CHECKING:
    from tui.core.leap_provider import Provider

IP_KEY = "ip_address"
GATEWAY_KEY = "openvpn.gateway_address"


@dataclass(slots=True, eq=False)
class Binding:
    """One listener of a node.

    ``port`` is the value as configured (an int, a string such as "443", an expression, a
    range "60000:61000"); ``low``/``high`` its numeric range when it has one. ``address``
    is the configured address value (None when unset), ``property`` the dotted key that
    sets the port (with the item index for openvpn.ports), None for fixed and derived ones.
    """

    spec: PortSpec
    service: str
    address: object
    address_key: str
    port: int | str
    low: int | None
    high: int | None
    protocol: str
    property: str | None
    origin: Origin | None
    derived: bool = False

    @builtins.property
    def configurable(self) -> bool:
        return self.property is not None

    @builtins.property
    def public(self) -> bool:
        return self.spec.public

    @builtins.property
    def is_range(self) -> bool:
        return self.low is not None and self.low != self.high


@dataclass(slots=True, eq=False)
class PortClash:
    """Two listeners on one socket. ``node_file`` is the rel path of the node's own file."""

    code: str
    first: Binding
    second: Binding
    node_file: str = ""

    @builtins.property
    def culprit(self) -> Binding:
        """The side to report the clash at, the one the user most likely just changed.

        For LP004 it is always ssh.port (the rule is about it). Otherwise a configurable
        side set in the node's own file, then one set in another provider file (a shared
        service or tag file), then any configurable side.
        """
        sides = (self.second, self.first)
        if self.code == "LP004":
            return self.first if self.first.spec is SSH else self.second
        for side in sides:
            if side.configurable and side.origin is not None and (
                side.origin.file == self.node_file and not side.origin.builtin
            ):
                return side
        for side in sides:
            if side.configurable and side.origin is not None and not side.origin.builtin:
                return side
        for side in sides:
            if side.configurable:
                return side
        return self.second

    @builtins.property
    def other(self) -> Binding:
        return self.first if self.culprit is self.second else self.second


@dataclass(frozen=True)
class NodePorts:
    bindings: tuple[Binding, ...]
    clashes: tuple[PortClash, ...]


def port_number(value: object) -> int | None:
    """A port as LEAP writes them: an integer, or a string of digits ("2323")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


def port_range(value: object) -> tuple[int, int] | None:
    """ssh.mosh.ports: "60000:61000" (LEAP's form) or "60000-61000"."""
    if not isinstance(value, str):
        return None
    for sep in (":", "-"):
        low, found, high = value.partition(sep)
        if found and low.strip().isdigit() and high.strip().isdigit():
            return int(low), int(high)
    return None


def _value(node: EffectiveNode, key: str | None) -> tuple[object, str | None, Origin | None]:
    """(value, key, origin) of a port property, resolving the dotted key once."""
    path = resolve_key(node.values, key or "")
    if path is None:
        return None, key, None
    return node.get_path(path), key, node.origin_of(path)


def _bindings(node: EffectiveNode) -> list[Binding]:
    ip = node.values.get(IP_KEY)
    gateway = node.get(GATEWAY_KEY)
    result: list[Binding] = []
    seen: set[int] = set()

    def add(spec: PortSpec, service: str, value: object, prop: str | None,
            protocol: str | None = None, derived: bool = False,
            origin: Origin | None = None) -> None:
        address_key: str = spec.bind
        address = gateway if address_key == GATEWAY_KEY else ip
        number = port_number(value)
        low = high = number
        if spec is MOSH or (spec is STUNNEL and not derived):
            span = port_range(value)
            low, high = span if span else (None, None)
        shown: int | str = value if isinstance(value, (int, str)) else str(value)
        result.append(
            Binding(spec, service, address, address_key, shown, low, high,
                    protocol or spec.protocol, prop, origin, derived)
        )

    value, prop, origin = _value(node, SSH.property)
    add(SSH, "all", value, prop, origin=origin)
    add(STUNNEL, "all", STUNNEL.ports[0], None)
    if node.get("ssh.mosh.enabled") is True:
        value, prop, origin = _value(node, MOSH.property)
        add(MOSH, "all", value, prop, origin=origin)
    for service in node.services:
        for spec in specs_for_service(service):
            if id(spec) in seen:
                continue
            seen.add(id(spec))
            if spec is TOR_DIRPORT and not _serves_tor_directory(node):
                continue
            if spec is OPENVPN:
                _add_openvpn(node, add)
            elif spec.property is not None:
                value, prop, origin = _value(node, spec.property)
                add(spec, service, value, prop, origin=origin)
                if spec is COUCHDB:
                    real = port_number(value)
                    if real is not None:
                        add(STUNNEL, service, stunnel_port(real), None, derived=True)
            else:
                for port in spec.ports:
                    add(spec, service, port, None)
    return result


_Add = Callable[..., None]


def _serves_tor_directory(node: EffectiveNode) -> bool:
    """leap_platform's site_tor::relay: DirPort 80 only for an exit relay, and only when
    neither webapp nor OpenVPN (openvpn.ports holding "80") would take port 80."""
    exit_relay = "tor_exit" in node.services or node.get("tor.type") == "exit"
    ports = node.get("openvpn.ports")
    openvpn_80 = isinstance(ports, list) and "80" in ports
    return exit_relay and "webapp" not in node.services and not openvpn_80


def _add_openvpn(node: EffectiveNode, add: _Add) -> None:
    ports, _, origin = _value(node, OPENVPN.property)
    items = ports if isinstance(ports, list) else [ports] if ports is not None else []
    protocols = node.get("openvpn.protocols")
    protocol_list = [p for p in protocols if p in ("tcp", "udp")] if isinstance(
        protocols, list) else []
    for index, port in enumerate(items):
        prop = f"{OPENVPN.property}.{index}" if isinstance(ports, list) else OPENVPN.property
        for protocol in protocol_list or ["tcp", "udp"]:
            add(OPENVPN, "openvpn", port, prop, protocol, origin=origin)


@functools.lru_cache(maxsize=65536)
def canonical_address(value: str) -> str:
    """One spelling per IP address ("2001:0db8:0::1" -> "2001:db8::1"); other text as is.

    Cached: a provider has one address per node, asked for by every binding of it.
    """
    try:
        return ipaddress.ip_address(value).compressed
    except ValueError:
        return value


def _address_slot(binding: Binding) -> str:
    """Equal addresses are one slot; an unset address is a slot of its own."""
    if isinstance(binding.address, str) and binding.address and not is_expression(
        binding.address
    ):
        return canonical_address(binding.address)
    return f"<{binding.address_key}>"


def slot_of(binding: Binding) -> tuple[str, str, int | None]:
    """(address, protocol, port): listeners in one slot are one socket."""
    return (_address_slot(binding), binding.protocol, binding.low)


def _classify(a: Binding, b: Binding) -> str | None:
    if a.spec.shared is not None and a.spec.shared == b.spec.shared:
        return None
    if a.spec is b.spec:
        return None  # one listener written twice (openvpn.ports ["443", 443])
    if (a.spec is SSH and b.public) or (b.spec is SSH and a.public):
        return "LP004"
    if a.derived or b.derived or not a.spec.on_page or not b.spec.on_page:
        return "LP011"
    if a.spec.service == b.spec.service and not (a.configurable and b.configurable):
        return "LP011"
    return "LP002"


def _clashes(bindings: list[Binding], node_file: str) -> list[PortClash]:
    groups: dict[tuple[str, str, int], list[Binding]] = defaultdict(list)
    for binding in bindings:
        if binding.low is not None and not binding.is_range and 1 <= binding.low <= 65535:
            groups[(_address_slot(binding), binding.protocol, binding.low)].append(binding)
    clashes: list[PortClash] = []
    for listeners in groups.values():
        if len(listeners) < 2:
            continue
        # listeners that share one socket on purpose clash (or not) as one
        group: list[Binding] = []
        shared_tags: set[str] = set()
        for binding in listeners:
            if binding.spec.shared is not None:
                if binding.spec.shared in shared_tags:
                    continue
                shared_tags.add(binding.spec.shared)
            group.append(binding)
        for i, first in enumerate(group):
            for second in group[i + 1 :]:
                code = _classify(first, second)
                if code is not None:
                    clashes.append(PortClash(code, first, second, node_file))
    # sshd binds every address: ssh.port also meets the listeners of the other addresses
    for ssh in (b for b in bindings if b.spec is SSH):
        address, protocol, port = slot_of(ssh)
        for (other_address, other_protocol, other_port), listeners in groups.items():
            if (other_protocol, other_port) != (protocol, port) or other_address == address:
                continue
            for other in listeners:
                code = _classify(ssh, other)
                if code is not None:
                    clashes.append(PortClash(code, ssh, other, node_file))
    return clashes


def node_ports(node: EffectiveNode) -> NodePorts:
    """The listeners of ``node`` and their clashes (computed once per merge)."""
    cached = node.cache.get("ports")
    if isinstance(cached, NodePorts):
        return cached
    bindings = _bindings(node)
    result = NodePorts(tuple(bindings), tuple(_clashes(bindings, node.file)))
    node.cache["ports"] = result
    return result


@dataclass(frozen=True)
class PortRow:
    node: str
    address: str
    port: int | str
    protocol: str
    service: str
    name: str
    public: bool
    property: str | None
    source: str | None
    line: int | None
    conflict: bool
    note: str


_DERIVED_NOTE = (
    "stunnel server of {service}: other nodes connect on its real port + 10000 "
    "(- 10000 when the real port is 50000 or more). " + STUNNEL.note
)


def _address_text(binding: Binding) -> str:
    if isinstance(binding.address, str) and binding.address:
        return binding.address
    return f"({binding.address_key} unset)"


def node_port_rows(node: EffectiveNode) -> list[PortRow]:
    ports = node_ports(node)
    in_clash = {slot_of(b) for clash in ports.clashes for b in (clash.first, clash.second)}
    rows: list[PortRow] = []
    for b in ports.bindings:
        origin = b.origin
        source = origin.file if origin is not None else None
        port: int | str = b.port
        if b.spec is MOSH and b.low is not None:
            port = f"{b.low}-{b.high}"
        rows.append(
            PortRow(
                node=node.name,
                address=_address_text(b),
                port=port,
                protocol=b.protocol,
                service=b.service,
                name=b.spec.name,
                public=b.public,
                property=b.property,
                source=source,
                line=origin.line if origin is not None else None,
                conflict=slot_of(b) in in_clash,
                note=_DERIVED_NOTE.format(service=b.service) if b.derived else b.spec.note,
            )
        )
    return rows


def provider_port_rows(p: Provider) -> list[PortRow]:
    """Every node x address x port x service of the provider, clashes flagged."""
    rows: list[PortRow] = []
    for name in p.node_names():
        rows += node_port_rows(p.effective(name))
    return rows
