"""Ansible's INI inventory format, as its `ini` inventory plugin documents it.

``[group]`` lists hosts (``name[:port] key=value ...``, values shell-quoted and read as
Python literals), ``[group:vars]`` sets one ``key=value`` per line (strings),
``[group:children]`` lists child groups; hosts before any header are ungrouped. ``#`` and
``;`` start comment lines.
"""

from __future__ import annotations

import ast
import re
import shlex

from tui.core.errors import ConfigError
from tui.core.hosts.ansible_model import AnsibleInventory, host_names

_HEADER = re.compile(r"^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:[#;].*)?$")
_GROUP_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def literal(value: str) -> object:
    """A host line's value as Ansible reads it: a Python literal where it is one."""
    try:
        return ast.literal_eval(value)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return value


def parse_ini(text: str, file: str) -> AnsibleInventory:
    inventory = AnsibleInventory(file)
    inventory.group("all")
    # Hosts before the first header are in no group but ``all`` (Ansible's "ungrouped").
    group: str | None = None
    state = "hosts"
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            match = _HEADER.match(line)
            if match is None:
                raise ConfigError(file, f"not a section header: {line}", number, 1)
            group, state = match.group(1), match.group(2) or "hosts"
            if state not in ("hosts", "vars", "children"):
                raise ConfigError(file, f"section [{group}:{state}]: expected :vars or "
                                  ":children", number, 1)
            if not _GROUP_NAME.match(group):
                raise ConfigError(file, f"group name {group!r} must be letters, digits, '_' "
                                  "or '-' (not starting with a digit)", number, 2)
            inventory.group(group)
            continue
        if state == "vars":
            assert group is not None
            key, sep, value = line.partition("=")
            if not sep or not key.strip():
                raise ConfigError(file, f"[{group}:vars] expects key=value, got {line!r}",
                                  number, 1)
            inventory.group(group).vars[key.strip()] = value.strip()
        elif state == "children":
            assert group is not None
            child = line.split()[0]
            inventory.group(child)
            if child not in inventory.group(group).children:
                inventory.group(group).children.append(child)
        else:
            _host_line(inventory, group, line, file, number)
    return inventory


def _host_line(inventory: AnsibleInventory, group: str | None, line: str, file: str,
               number: int) -> None:
    try:
        tokens = shlex.split(line, comments=True)
    except ValueError as exc:
        raise ConfigError(file, f"cannot split host line: {exc}", number, 1) from None
    if not tokens:
        return
    names, port = host_names(tokens[0], file, number)
    variables: dict[str, object] = {}
    for token in tokens[1:]:
        key, sep, value = token.partition("=")
        if not sep or not key:
            column = line.find(token) + 1 or 1
            raise ConfigError(file, f"expected key=value after the host name, got {token!r}",
                              number, column)
        variables[key] = literal(value)
    if port is not None:
        variables.setdefault("ansible_port", port)
    for name in names:
        inventory.add_host(name, group, variables, number)
