"""An Ansible inventory as read from INI or YAML: groups (vars, children, hosts) and hosts
(their own vars, the line they were first seen on), then each host's variables flattened as
Ansible does: the ``all`` group, parents before children, groups of one depth in order of
``ansible_group_priority`` then name, then the host's own.

Host ranges (``www[01:50].example.com``, ``db-[a:f]``, ``[1:9:2]``) and ``name:port`` are
expanded here for both formats.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field

from tui.core.errors import ConfigError

_RANGE = re.compile(r"\[([a-zA-Z0-9]*):([a-zA-Z0-9]*)(?::(\d+))?\]")


@dataclass(slots=True)
class AnsibleGroup:
    name: str
    vars: dict[str, object] = field(default_factory=dict)
    children: list[str] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)


@dataclass(slots=True)
class AnsibleHost:
    name: str
    vars: dict[str, object] = field(default_factory=dict)
    line: int | None = None


@dataclass(slots=True)
class AnsibleInventory:
    path: str
    groups: dict[str, AnsibleGroup] = field(default_factory=dict)
    hosts: dict[str, AnsibleHost] = field(default_factory=dict)
    # group_vars/ and host_vars/ beside the inventory: NAME -> vars (read after the file)
    group_files: dict[str, dict[str, object]] = field(default_factory=dict)
    host_files: dict[str, dict[str, object]] = field(default_factory=dict)

    def group(self, name: str) -> AnsibleGroup:
        if name not in self.groups:
            self.groups[name] = AnsibleGroup(name)
        return self.groups[name]

    def add_host(self, name: str, group: str | None, variables: dict[str, object],
                 line: int | None) -> None:
        host = self.hosts.get(name)
        if host is None:
            host = self.hosts[name] = AnsibleHost(name, line=line)
        host.vars.update(variables)
        if group is not None and group != "all":
            members = self.group(group).hosts
            if name not in members:
                members.append(name)

    def parents(self) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for group in self.groups.values():
            for child in group.children:
                found.setdefault(child, set()).add(group.name)
        return found

    def host_groups(self, host: str) -> list[str]:
        """Every group ``host`` is in, ancestors included, ``all`` excluded."""
        parents = self.parents()
        todo = [g.name for g in self.groups.values() if host in g.hosts]
        seen: set[str] = set()
        while todo:
            name = todo.pop()
            if name in seen or name == "all":
                continue
            seen.add(name)
            todo.extend(parents.get(name, ()))
        return sorted(seen)

    def depth(self, name: str, parents: dict[str, set[str]], trail: tuple[str, ...] = ()
              ) -> int:
        if name in trail:
            raise ConfigError(self.path, f"group {name!r} is its own ancestor "
                              f"({' -> '.join((*trail, name))})")
        above = parents.get(name, set()) - {"all"}
        return 1 + max((self.depth(p, parents, (*trail, name)) for p in above), default=0)

    def host_vars(self, host: str) -> dict[str, object]:
        """``host``'s variables as Ansible flattens them (see the module docstring)."""
        parents = self.parents()
        groups = self.host_groups(host)
        ranked = sorted(groups, key=lambda g: (self.depth(g, parents), _priority(self, g), g))
        merged: dict[str, object] = {}
        merged.update(self.groups["all"].vars if "all" in self.groups else {})
        for name in ranked:
            merged.update(self.groups[name].vars)
        merged.update(self.group_files.get("all", {}))
        for name in ranked:
            merged.update(self.group_files.get(name, {}))
        merged.update(self.hosts[host].vars)
        merged.update(self.host_files.get(host, {}))
        merged.pop("ansible_group_priority", None)
        return merged


def _priority(inventory: AnsibleInventory, group: str) -> int:
    value = inventory.groups[group].vars.get("ansible_group_priority", 1)
    try:
        return int(str(value))
    except ValueError:
        return 1


def _expand_range(start: str, end: str, stride: str | None) -> list[str]:
    step = int(stride) if stride else 1
    if start.isdigit() and end.isdigit():
        width = len(start) if start.startswith("0") and len(start) > 1 else 0
        return [str(n).zfill(width) for n in range(int(start or 0), int(end) + 1, step)]
    letters = string.ascii_letters
    if (len(start) <= 1 and len(end) == 1 and (start or "a") in letters and end in letters):
        first = letters.index(start or "a")
        return list(letters[first:letters.index(end) + 1:step])
    raise ValueError(f"[{start}:{end}] is neither a numeric nor an alphabetic range")


def expand_hosts(pattern: str) -> list[str]:
    """``www[01:03].x`` -> www01.x, www02.x, www03.x (several ranges multiply)."""
    match = _RANGE.search(pattern)
    if match is None:
        return [pattern]
    head, tail = pattern[:match.start()], pattern[match.end():]
    names: list[str] = []
    for value in _expand_range(match.group(1), match.group(2), match.group(3)):
        names += expand_hosts(head + value + tail)
    return names


def split_host_port(text: str) -> tuple[str, int | None]:
    """``web1:2222`` -> ("web1", 2222); ``[2001:db8::1]:22`` and bare IPv6 as Ansible reads
    them (a bare address with several colons has no port)."""
    if text.startswith("[") and "]" in text and not _RANGE.match(text):
        address, _, rest = text[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
        return address, int(port) if port.isdigit() else None
    if text.count(":") == 1 or (text.count(":") > 1 and _RANGE.search(text)):
        # A range like [1:3] holds a colon of its own: the port is after the last bracket.
        name, sep, port = text.rpartition(":")
        if sep and port.isdigit() and "[" not in port and name.count("[") == name.count("]"):
            return name, int(port)
    return text, None


def host_names(pattern: str, file: str, line: int | None) -> tuple[list[str], int | None]:
    """The hosts a host pattern of an inventory names, and the port it gives them."""
    name, port = split_host_port(pattern)
    try:
        names = expand_hosts(name)
    except ValueError as exc:
        raise ConfigError(file, f"host {pattern!r}: {exc}", line) from None
    if port is not None and not 1 <= port <= 65535:
        raise ConfigError(file, f"host {pattern!r}: port {port} is not 1-65535", line)
    return names, port
