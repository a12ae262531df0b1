"""The listeners of one LEAP node: each port it binds, on which address, set where.

Read by :mod:`tui.core.portmap`, which finds their clashes; see there for the rules.
"""

from __future__ import annotations

import builtins
import functools
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass

from tui.core.leap_merge import EffectiveNode, Origin, is_expression
from tui.core.port_catalog import (
    COUCHDB,
    MOSH,
    OPENVPN,
    PORT_CATALOG,
    SSH,
    STUNNEL,
    TOR_DIRPORT,
    PortSpec,
    specs_for_service,
    stunnel_port,
)

IP_KEY = "ip_address"
_UNREAD: object = object()
GATEWAY_KEY = "openvpn.gateway_address"
PORT_KEYS = frozenset({"ssh", "tor", "openvpn"} | {
    spec.property.partition(".")[0] for spec in PORT_CATALOG if spec.property is not None})
"""The top-level keys whose values :func:`bindings_of` reads, ip_address aside: a node
whose own file sets none of them binds what its services and tags give, on its address."""


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
    path, value = node.lookup(key or "")
    if path is None:
        return None, key, None
    return value, key, node.origin_of(path)


_STUNNEL_SPAN = port_range(STUNNEL.ports[0])


def bindings_of(node: EffectiveNode) -> list[Binding]:
    ip = node.values.get(IP_KEY)
    gateway: object = _UNREAD  # read when a listener binds to it (openvpn only)
    result: list[Binding] = []
    append = result.append
    seen: set[int] = set()

    def add(spec: PortSpec, service: str, value: object, prop: str | None,
            protocol: str | None = None, derived: bool = False,
            origin: Origin | None = None) -> None:
        nonlocal gateway
        address_key: str = spec.bind
        if address_key == GATEWAY_KEY:
            if gateway is _UNREAD:
                gateway = node.get(GATEWAY_KEY)
            address = gateway
        else:
            address = ip
        if spec is MOSH or (spec is STUNNEL and not derived):
            span = _STUNNEL_SPAN if value is STUNNEL.ports[0] else port_range(value)
            low, high = span if span else (None, None)
        else:
            low = high = port_number(value)
        shown: int | str = value if isinstance(value, (int, str)) else str(value)
        append(Binding(spec, service, address, address_key, shown, low, high,
                       protocol or spec.protocol, prop, origin, derived))

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


_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
CANONICAL_IPV4 = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}")
"""A dotted quad as ipaddress writes it (no leading zeros): valid, and its own canonical
form. Matched first because ipaddress takes microseconds per address, and a provider has
one or two addresses per node."""


@functools.lru_cache(maxsize=65536)
def canonical_address(value: str) -> str:
    """One spelling per IP address ("2001:0db8:0::1" -> "2001:db8::1"); other text as is.

    Cached: a provider has one address per node, asked for by every binding of it.
    """
    if CANONICAL_IPV4.fullmatch(value):
        return value
    try:
        return ipaddress.ip_address(value).compressed
    except ValueError:
        return value


def address_slot(binding: Binding) -> str:
    """Equal addresses are one slot; an unset address is a slot of its own."""
    return slot_for(binding.address, binding.address_key)


def slot_for(address: object, address_key: str) -> str:
    if isinstance(address, str) and address and not is_expression(address):
        return canonical_address(address)
    return f"<{address_key}>"


def slot_of(binding: Binding) -> tuple[str, str, int | None]:
    """(address, protocol, port): listeners in one slot are one socket."""
    return (address_slot(binding), binding.protocol, binding.low)
