"""Fleets: every host leap-tui can act on, from what the operator already has.

Three ways to name hosts, merged in this order (an earlier one wins for a name):
1. ``[[host]]`` tables of hosts.toml (tui.core.inventory);
2. an Ansible inventory, INI or YAML: given as ``--inventory`` itself, or named by
   hosts.toml's ``ansible_inventory``;
3. the LEAP provider's nodes: with ``--provider`` and no ``--inventory``, or with a
   ``[fleet]`` table in hosts.toml; a node with a ``[[host]]`` (by name or ``leap_node``)
   keeps it.

Hosts of 2 and 3 get their files from hosts.toml's ``[[fleet.file]]`` rules (fleet_rules).
``--limit`` selects among them all with Ansible's patterns (patterns).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core.errors import ConfigError
from tui.core.hosts.fleet_rules import NODE_USER, FleetRules, parse_fleet
from tui.core.hosts.patterns import HostFacts, LimitError, Selection, select
from tui.core.inventory import FileSpec, HostSpec, Inventory, parse_inventory
from tui.core.textfile import MAX_INVENTORY_BYTES, read_text

if TYPE_CHECKING:
    from tui.core.leap_provider import Provider

__all__ = ["HostFacts", "LimitError", "Selection", "choose", "host_facts", "load_hosts"]


def load_hosts(path: Path | None, provider_root: Path | None = None,
               provider: Provider | None = None) -> Inventory:
    """Every host, with its files: hosts.toml, an Ansible inventory, or only a provider."""
    from tui.core.hosts.ansible_hosts import inventory_format, parse_ansible

    if path is None:
        if provider_root is None:
            raise ConfigError("", "--inventory FILE is required (or --provider DIR: its "
                              "LEAP nodes are then the hosts)")
        base = Inventory(path=Path(provider_root), hosts=())
        rules = FleetRules()
        extra: list[Inventory] = []
    else:
        path = Path(path)
        text = _read_inventory(path)
        kind = inventory_format(path, text)
        if kind == "toml":
            base = parse_inventory(text, path)
            rules = parse_fleet(text, path)
            extra = [_ansible(p) for p in rules.ansible_inventory]
            # Without [fleet], a hosts.toml lists the whole fleet, as before fleets existed.
            rules = replace(rules, nodes=rules.nodes and rules.declared)
        else:
            base = Inventory(path=path, hosts=())
            extra = [parse_ansible(text, path, kind)]
            rules = FleetRules(nodes=False)
    return _assemble(base, extra, rules, provider)


def _ansible(path: Path) -> Inventory:
    from tui.core.hosts.ansible_hosts import inventory_format, parse_ansible

    text = _read_inventory(path)
    return parse_ansible(text, path, inventory_format(path, text))


def _read_inventory(path: Path) -> str:
    """An inventory's text without a leading byte order mark, which every reader after it
    (TOML, Ansible INI and YAML) would take for part of the first line."""
    return read_text(path, limit=MAX_INVENTORY_BYTES).removeprefix("\ufeff")


def _assemble(base: Inventory, extra: list[Inventory], rules: FleetRules,
              provider: Provider | None) -> Inventory:
    nodes = set(provider.node_names()) if provider is not None else set()
    hosts = list(base.hosts)
    taken = {h.name for h in hosts}
    notes = list(base.notes)
    served: list[HostSpec] = []  # hosts whose files come from the rules
    for inventory in extra:
        notes += inventory.notes
        for host in inventory.hosts:
            if host.name in taken:
                continue
            node = host.leap_node or (host.name if host.name in nodes else None)
            if node is not None and nodes and node not in nodes:
                raise ConfigError(str(inventory.path), f"host {host.name!r}: leap_node {node!r}"
                                  " is not a node of the provider", host.line)
            taken.add(host.name)
            served.append(replace(host, leap_node=node))
    if rules.nodes and provider is not None:
        claimed = taken | {h.leap_node for h in [*hosts, *served] if h.leap_node}
        for node in sorted(nodes - claimed):
            served.append(HostSpec(name=node, address=None, user=rules.user,
                                   identity_file=rules.identity_file, leap_node=node,
                                   default_user=NODE_USER))
    served = _with_files(served, rules, provider, notes)
    return replace(base, hosts=(*hosts, *served), notes=tuple(notes))


def _with_files(hosts: list[HostSpec], rules: FleetRules, provider: Provider | None,
                notes: list[str]) -> list[HostSpec]:
    facts = host_facts(hosts, provider)
    files: dict[str, list[FileSpec]] = {h.name: [] for h in hosts}
    for rule in rules.files:
        chosen = {h.name for h in hosts}
        if rule.hosts is not None and hosts:
            try:
                chosen = set(select(rule.hosts, facts).names)
            except LimitError:
                notes.append(f"[[fleet.file]] {rule.target}: hosts {rule.hosts!r} selects "
                             "none of the hosts the rules serve")
                chosen = set()
        for host in hosts:
            spec = rule.spec_for(host.name, host.leap_node) if host.name in chosen else None
            if spec is not None and all(f.target != spec.target for f in files[host.name]):
                files[host.name].append(spec)
    return [replace(h, files=tuple(files[h.name])) for h in hosts]


def host_facts(hosts: Sequence[HostSpec], provider: Provider | None) -> list[HostFacts]:
    """What --limit can match each host by: name, groups, and its LEAP node's tags,
    services and environment (when a provider is open and the host is a node)."""
    facts = []
    for host in hosts:
        tags: frozenset[str] = frozenset()
        services: frozenset[str] = frozenset()
        environment = None
        if provider is not None and host.leap_node is not None:
            try:
                node = provider.effective(host.leap_node)
            except KeyError:
                node = None
            if node is not None:
                tags, services = frozenset(node.tags), frozenset(node.services)
                environment = node.environment
        facts.append(HostFacts(host.name, frozenset(host.groups), tags, services, environment))
    return facts


def choose(inventory: Inventory, names: Sequence[str], limit: str | None,
           provider: Provider | None) -> tuple[list[HostSpec], list[str]]:
    """The hosts named (exactly) and selected by ``limit``, in inventory order, with notes
    for the pattern's terms that selected nothing. ConfigError: an unknown name, or a
    pattern that selects no host."""
    hosts = inventory.select(list(names) or None)
    if limit is None:
        return hosts, []
    try:
        picked = select(limit, host_facts(hosts, provider))
    except LimitError as exc:
        hint = ""
        if provider is None and any(f"{p}:" in limit for p in ("tag", "service", "env")):
            hint = " (tag:, service: and env: need the LEAP provider: --provider DIR)"
        raise ConfigError(str(inventory.path), f"{exc}{hint}") from None
    chosen = set(picked.names)
    notes = [f"--limit: {term!r} selects no host" for term in picked.unmatched]
    return [h for h in hosts if h.name in chosen], notes
