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
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from tui.core.leap_merge import EffectiveNode, MergeState
from tui.core.port_bindings import CANONICAL_IPV4 as CANONICAL_IPV4
from tui.core.port_bindings import GATEWAY_KEY as GATEWAY_KEY
from tui.core.port_bindings import IP_KEY as IP_KEY
from tui.core.port_bindings import PORT_KEYS, address_slot, bindings_of, slot_for, slot_of
from tui.core.port_bindings import Binding as Binding
from tui.core.port_bindings import canonical_address as canonical_address
from tui.core.port_bindings import port_number as port_number
from tui.core.port_bindings import port_range as port_range
from tui.core.port_catalog import MOSH, SSH, STUNNEL

if TYPE_CHECKING:
    from tui.core.leap_provider import Provider

_NONE: object = object()


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
    groups: dict[tuple[str, str, int], list[Binding]] = {}
    slots: dict[str, str] = {}  # one address per address key within a node
    for binding in bindings:
        low = binding.low
        # one port (not a range), in 1..65535
        if low is None or low != binding.high or not 1 <= low <= 65535:
            continue
        slot = slots.get(binding.address_key)
        if slot is None:
            slot = slots[binding.address_key] = address_slot(binding)
        key = (slot, binding.protocol, low)
        listeners = groups.get(key)
        if listeners is None:
            groups[key] = [binding]
        else:
            listeners.append(binding)
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
    base = node.shared_base(PORT_KEYS)
    if base is None:
        bindings = bindings_of(node)
        result = NodePorts(tuple(bindings), tuple(_clashes(bindings, node.file)))
    else:
        result = _like_its_peers(node, base)
    node.cache["ports"] = result
    return result


def _like_its_peers(node: EffectiveNode, base: MergeState) -> NodePorts:
    """The listeners of a node that sets no port key itself: those of the first node whose
    services, and values under the port keys, are the same (same objects, set by the same
    merge), on this node's ip_address; and their clashes, which depend only on whether
    ip_address and the gateway are one address."""
    peers = _peers_key(node, base)
    ip = node.values.get(IP_KEY)
    peer = base.family.get(peers)
    if not isinstance(peer, tuple):
        bindings = bindings_of(node)
        gateway = next((b.address for b in bindings if b.address_key == GATEWAY_KEY), _NONE)
        # the peer's values are kept with its bindings: the ids in the key stay theirs
        base.family[peers] = (bindings, gateway, base.values, base.all_origins())
    else:
        bindings = [
            Binding(b.spec, b.service, ip, b.address_key, b.port, b.low, b.high, b.protocol,
                    b.property, b.origin, b.derived) if b.address_key == IP_KEY else
            Binding(b.spec, b.service, b.address, b.address_key, b.port, b.low, b.high,
                    b.protocol, b.property, b.origin, b.derived)
            for b in peer[0]
        ]
        gateway = peer[1]
    memo_key = ("port clashes", peers, _one_address(ip, gateway))
    pairs = base.family.get(memo_key)
    if not isinstance(pairs, list):
        position = {id(b): i for i, b in enumerate(bindings)}
        clashes = _clashes(bindings, node.file)
        base.family[memo_key] = [(c.code, position[id(c.first)], position[id(c.second)])
                                 for c in clashes]
    else:
        clashes = [PortClash(code, bindings[i], bindings[j], node.file) for code, i, j in pairs]
    return NodePorts(tuple(bindings), tuple(clashes))


def _one_address(ip: object, gateway: object) -> bool:
    return gateway is not _NONE and slot_for(ip, IP_KEY) == slot_for(gateway, GATEWAY_KEY)


def port_class(node: EffectiveNode) -> tuple[dict[object, object], tuple[object, ...]] | None:
    """(a dict shared by the nodes of the provider, a key naming what the node's listeners
    and their clashes are made of), or None for a node not built on a shared base.

    The key holds the services, the values under the port keys (those the node inherits
    and what its own file writes there; the gateway address aside) and whether its
    ip_address and gateway are one address. Whether the port rules find anything depends
    on those alone (where they report it depends on origins too), so that answer holds
    for every node of the class.
    """
    base = node.base
    if base is None:
        return None
    inherited = base.memo.get("port values")
    if not isinstance(inherited, tuple):
        inherited = base.memo["port values"] = (
            tuple(node.services), *_frozen_inherited(base.values, base.family))
    own: tuple[object, ...] = ()
    if not node.own_keys.isdisjoint(PORT_KEYS):
        own = _frozen_port_layer(node.layer)
    gateway = node.get(GATEWAY_KEY) if "openvpn" in node.services else _NONE
    return base.family, (inherited, own, _one_address(node.values.get(IP_KEY), gateway))


def _frozen_inherited(values: Mapping[str, object], family: dict[object, object]
                      ) -> list[object]:
    """The values under the port keys of a merged state, frozen once per value object
    (the states of one provider share the objects no layer changed)."""
    known = family.get("frozen port values")
    if not isinstance(known, dict):
        known = family["frozen port values"] = {}
    frozen: list[object] = []
    # the port keys, in the state's order; a key with a dot ("ssh.port") is one of them too
    keys = values if "." in "".join(values) else [k for k in PORT_KEYS if k in values]
    for key in keys:
        if key.partition(".")[0] in PORT_KEYS:
            value = values[key]
            hit = known.get(id(value))
            if hit is None or hit[0] is not value:  # the object is kept: its id stays its own
                hit = known[id(value)] = (value, _frozen_port_value(key, value))
            frozen.append((key, hit[1]))
    return frozen


def _frozen_port_layer(layer: Mapping[str, object]) -> tuple[object, ...]:
    """What a node file writes under the port keys, as a hashable value."""
    return tuple([(key, _frozen_port_value(key, value)) for key, value in layer.items()
                  if key.partition(".")[0].rstrip("!") in PORT_KEYS])


def _frozen_port_value(key: str, value: object) -> object:
    """``value`` frozen; under "openvpn" (or "openvpn!") the gateway address is left out:
    it is an address, compared through ``_one_address``."""
    if key.rstrip("!") == "openvpn" and value.__class__ is dict and "gateway_address" in value:
        value = {k: v for k, v in value.items() if k != "gateway_address"}
    return _frozen(value)


def _frozen(value: object) -> object:
    """A hashable twin of a JSON value: equal exactly when the values are (1, 1.0 and True
    apart)."""
    cls = value.__class__
    if cls is dict:
        return (dict, tuple([(k, _frozen(v)) for k, v in value.items()]))  # type: ignore[attr-defined]
    if cls is list:
        return (list, tuple([_frozen(v) for v in value]))  # type: ignore[attr-defined]
    return (cls, value)


def _peers_key(node: EffectiveNode, base: MergeState) -> tuple[object, ...]:
    """What the listeners of a node without port keys of its own are made of: its services,
    and under each port key the value and the origin record of the merge that set it."""
    key = base.memo.get("port peers")
    if not isinstance(key, tuple):
        values, origins = base.values, base.all_origins()
        key = ("port peers", tuple(node.services), *(
            (stem, id(value), id(origins.get((stem,)))) for stem, value in values.items()
            if stem.partition(".")[0] in PORT_KEYS))
        base.memo["port peers"] = key
        # the ids in the key stay those of these objects while the key is in use
        base.family[("kept alive", key)] = (values, origins)
    return key


class PortRow(NamedTuple):
    """One line of the port map. A named tuple rather than a frozen dataclass: as immutable,
    and a 2,000-node provider has 12,000 of them, built in a third of the time."""

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
    name = node.name
    rows: list[PortRow] = []
    for b in ports.bindings:
        origin = b.origin
        port: int | str = b.port
        spec = b.spec
        if spec is MOSH and b.low is not None:
            port = f"{b.low}-{b.high}"
        rows.append(PortRow(
            name, _address_text(b), port, b.protocol, b.service, spec.name, spec.public,
            b.property, origin.file if origin is not None else None,
            origin.line if origin is not None else None,
            bool(in_clash) and slot_of(b) in in_clash,
            _DERIVED_NOTE.format(service=b.service) if b.derived else spec.note,
        ))
    return rows


def provider_port_rows(p: Provider) -> list[PortRow]:
    """Every node x address x port x service of the provider, clashes flagged."""
    rows: list[PortRow] = []
    for name in p.node_names():
        rows += node_port_rows(p.effective(name))
    return rows
