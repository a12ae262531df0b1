"""Ansible's YAML inventory format (its `yaml` inventory plugin), and the group_vars/ and
host_vars/ files beside an inventory of either format.

A YAML inventory maps group names (usually just ``all``) to ``hosts`` (host -> its
variables, or nothing), ``vars`` and ``children`` (child group -> the same again). PyYAML
reads it with ``safe_load``: no tags, no objects.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tui.core.errors import ConfigError
from tui.core.hosts.ansible_model import AnsibleInventory, host_names

GROUP_KEYS = frozenset({"hosts", "vars", "children"})
_VARS_SUFFIXES = ("", ".yml", ".yaml", ".json")
_VAULT = "$ANSIBLE_VAULT"


def load_yaml(text: str, file: str) -> Any:
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        column = mark.column + 1 if mark is not None else None
        raise ConfigError(file, f"invalid YAML: {exc.problem or exc.context}", line,
                          column) from None
    except yaml.YAMLError as exc:
        raise ConfigError(file, f"invalid YAML: {exc}") from None


def parse_yaml(text: str, file: str, notes: list[str]) -> AnsibleInventory:
    data = load_yaml(text, file)
    inventory = AnsibleInventory(file)
    inventory.group("all")
    if data is None:
        return inventory
    if not isinstance(data, dict):
        raise ConfigError(file, "a YAML inventory is a mapping of group names (e.g. all:)")
    for name, body in data.items():
        _group(inventory, str(name), body, notes, ())
    return inventory


def _group(inventory: AnsibleInventory, name: str, body: object, notes: list[str],
           trail: tuple[str, ...]) -> None:
    file = inventory.path
    if name in trail:
        raise ConfigError(file, f"group {name!r} is its own ancestor")
    group = inventory.group(name)
    if body is None:
        return
    if not isinstance(body, dict):
        raise ConfigError(file, f"group {name!r} must be a mapping (hosts:, vars:, children:)")
    unknown = sorted(str(k) for k in body if k not in GROUP_KEYS)
    if unknown:
        notes.append(f"{file}: group {name!r}: ignored {', '.join(unknown)} (a group has "
                     "hosts:, vars: and children:)")
    variables = body.get("vars") or {}
    if not isinstance(variables, dict):
        raise ConfigError(file, f"group {name!r}: vars must be a mapping")
    group.vars.update({str(k): v for k, v in variables.items()})
    hosts = body.get("hosts") or {}
    if not isinstance(hosts, dict):
        raise ConfigError(file, f"group {name!r}: hosts must be a mapping of host names "
                          "(a list is not Ansible's format)")
    for pattern, host_vars in hosts.items():
        if host_vars is not None and not isinstance(host_vars, dict):
            raise ConfigError(file, f"host {pattern!r} in group {name!r}: its variables must "
                              "be a mapping")
        names, port = host_names(str(pattern), file, None)
        variables = {str(k): v for k, v in (host_vars or {}).items()}
        if port is not None:
            variables.setdefault("ansible_port", port)
        for host in names:
            inventory.add_host(host, name, variables, None)
    children = body.get("children") or {}
    if not isinstance(children, dict):
        raise ConfigError(file, f"group {name!r}: children must be a mapping of group names")
    for child, child_body in children.items():
        if str(child) not in group.children:
            group.children.append(str(child))
        _group(inventory, str(child), child_body, notes, (*trail, name))


def read_vars_dirs(inventory: AnsibleInventory, base: Path, notes: list[str]) -> None:
    """group_vars/NAME and host_vars/NAME beside the inventory (a file, optionally .yml,
    .yaml or .json, or a directory of such files read in name order)."""
    for folder, names, into in (("group_vars", list(inventory.groups), inventory.group_files),
                                ("host_vars", list(inventory.hosts), inventory.host_files)):
        directory = base / folder
        if not directory.is_dir():
            continue
        for name in names:
            merged: dict[str, object] = {}
            for path in _vars_files(directory, name):
                merged.update(_vars_file(path, notes))
            if merged:
                into[name] = merged


def _vars_files(directory: Path, name: str) -> list[Path]:
    found: list[Path] = []
    for suffix in _VARS_SUFFIXES:
        path = directory / f"{name}{suffix}"
        if path.is_dir() and not suffix:
            found += sorted(p for p in path.rglob("*") if p.is_file()
                            and p.suffix in _VARS_SUFFIXES and not p.name.startswith("."))
        elif path.is_file():
            found.append(path)
    return found


def _vars_file(path: Path, notes: list[str]) -> dict[str, object]:
    from tui.core.textfile import MAX_INVENTORY_BYTES, read_text

    text = read_text(path, limit=MAX_INVENTORY_BYTES)
    if text.lstrip().startswith(_VAULT):
        notes.append(f"{path}: an Ansible Vault file, which leap-tui cannot read: skipped")
        return {}
    data = load_yaml(text, str(path))
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(str(path), "a variables file must be a mapping")
    return {str(k): v for k, v in data.items()}
