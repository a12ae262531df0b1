"""An Ansible inventory (INI or YAML) as leap-tui's hosts.

Each host's flattened variables give its connection: ``ansible_host`` (else the inventory
name), ``ansible_port``, ``ansible_user``, ``ansible_ssh_private_key_file`` and a ProxyJump
from ``ansible_ssh_common_args``/``ansible_ssh_extra_args`` (``-J HOST`` or
``-o ProxyJump=HOST``); ``leap_node`` names the LEAP node a host is. Other variables are
ignored, with one note for all of them. Templates (``{{ }}``) are not evaluated: a
connection variable that holds one is an error, never a guess.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from pathlib import Path

from tui.core.errors import ConfigError
from tui.core.hosts.ansible_ini import parse_ini
from tui.core.hosts.ansible_model import AnsibleInventory
from tui.core.hosts.ansible_yaml import parse_yaml, read_vars_dirs
from tui.core.inventory import HostSpec, Inventory
from tui.core.remote.ssh_features import FEATURES, IGNORED

ALIASES: dict[str, tuple[str, ...]] = {
    "address": ("ansible_host", "ansible_ssh_host"),
    "port": ("ansible_port", "ansible_ssh_port"),
    "user": ("ansible_user", "ansible_ssh_user"),
    "identity_file": ("ansible_ssh_private_key_file", "ansible_private_key_file"),
    "ssh_args": ("ansible_ssh_common_args", "ansible_ssh_extra_args"),
}
SSH_CONNECTIONS = frozenset({"ssh", "smart", "paramiko", "paramiko_ssh", "ansible.builtin.ssh",
                             "ansible.builtin.paramiko_ssh"})
UNDERSTOOD = frozenset({*(n for names in ALIASES.values() for n in names), "ansible_connection",
                        "leap_node"})
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_IGNORED_OPTIONS = {f.keyword.lower() for f in FEATURES
                    if f.status == IGNORED and f.refuse_value is None}


def inventory_format(path: Path, text: str) -> str:
    """"toml", "yaml" or "ini": by extension, else by the first line that says something."""
    suffix = path.suffix.lower()
    if suffix == ".toml":
        return "toml"
    if suffix in (".yml", ".yaml"):
        return "yaml"
    if suffix == ".ini":
        return "ini"
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[[") or re.match(r"^[A-Za-z0-9_\"'.-]+\s*=", line):
            return "toml"
        if line == "---" or re.match(r"^[^\s\[#][^=]*:\s*(#.*)?$", line):
            return "yaml"
        return "ini"
    return "ini"


def parse_ansible(text: str, path: Path, kind: str) -> Inventory:
    """Hosts.ini/hosts.yml as an Inventory; group_vars/ and host_vars/ beside it are read."""
    notes: list[str] = []
    raw = parse_yaml(text, str(path), notes) if kind == "yaml" else parse_ini(text, str(path))
    read_vars_dirs(raw, path.parent, notes)
    hosts: list[HostSpec] = []
    ignored: dict[str, int] = {}
    skipped: list[str] = []
    for name in raw.hosts:
        variables = raw.host_vars(name)
        connection = str(variables.get("ansible_connection", "ssh"))
        if connection not in SSH_CONNECTIONS:
            skipped.append(f"{name} (ansible_connection={connection})")
            continue
        for key in variables:
            if key not in UNDERSTOOD:
                ignored[key] = ignored.get(key, 0) + 1
        hosts.append(_host(raw, name, variables, notes))
    if skipped:
        notes.append(f"{path}: not reached over SSH, left out: {', '.join(skipped)}")
    if ignored:
        names = ", ".join(sorted(ignored))
        notes.append(f"{path}: ignored {len(ignored)} variable(s) leap-tui does not use: "
                     f"{names}")
    return Inventory(path=path, hosts=tuple(hosts), notes=tuple(notes))


def _value(variables: Mapping[str, object], field: str, raw: AnsibleInventory,
           host: str) -> str | None:
    for key in ALIASES[field]:
        value = variables.get(key)
        if value is None or value == "":
            continue
        text = str(value)
        if "{{" in text or "{%" in text:
            raise ConfigError(raw.path, f"host {host!r}: {key} is a template ({text}), which "
                              "leap-tui does not evaluate", raw.hosts[host].line)
        return text
    return None


def _host(raw: AnsibleInventory, name: str, variables: Mapping[str, object],
          notes: list[str]) -> HostSpec:
    line = raw.hosts[name].line
    if not _NAME_RE.match(name):
        raise ConfigError(raw.path, f"host {name!r}: leap-tui names hosts with letters, "
                          "digits, '.', '_' and '-': give it such a name and ansible_host",
                          line)
    port_text = _value(variables, "port", raw, name)
    port: int | None = None
    if port_text is not None:
        if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
            raise ConfigError(raw.path, f"host {name!r}: ansible_port {port_text!r} is not "
                              "1-65535", line)
        port = int(port_text)
    jump = None
    for key in ALIASES["ssh_args"]:
        args = _value({key: variables.get(key)}, "ssh_args", raw, name) \
            if key in variables else None
        if args:
            jump = proxy_jump(args, f"host {name!r}: {key}", raw.path, line) or jump
    leap_node = variables.get("leap_node")
    return HostSpec(
        name=name,
        address=_value(variables, "address", raw, name) or name,
        port=port,
        user=_value(variables, "user", raw, name),
        identity_file=_value(variables, "identity_file", raw, name),
        leap_node=str(leap_node) if leap_node else None,
        line=line,
        groups=tuple(raw.host_groups(name)),
        proxy_jump=jump,
    )


def proxy_jump(args: str, where: str, file: str, line: int | None) -> str | None:
    """The ProxyJump in ssh arguments (``-J HOST``, ``-o ProxyJump=HOST``); options ssh_config
    marks as not changing where or how leap-tui connects pass; any other is refused by name
    (put it in ~/.ssh/config, which leap-tui reads as ssh does)."""
    try:
        words = shlex.split(args)
    except ValueError as exc:
        raise ConfigError(file, f"{where}: cannot split {args!r}: {exc}", line) from None
    jump: str | None = None
    index = 0
    while index < len(words):
        word = words[index]
        if word in ("-J", "-o") and index + 1 < len(words):
            value = words[index + 1]
            index += 2
        elif word.startswith(("-J", "-o")) and len(word) > 2:
            value = word[2:]
            index += 1
        else:
            raise ConfigError(file, f"{where}: {word!r} is not supported (only -J and "
                              "-o ProxyJump=...; other ssh settings belong in ~/.ssh/config, "
                              "which leap-tui reads)", line)
        if word.startswith("-J"):
            jump = value
            continue
        key, _, option_value = value.replace("=", " ", 1).partition(" ")
        if key.lower() == "proxyjump":
            jump = option_value.strip()
        elif key.lower() not in _IGNORED_OPTIONS:
            raise ConfigError(file, f"{where}: -o {value} is not supported (only ProxyJump; "
                              "other ssh settings belong in ~/.ssh/config, which leap-tui "
                              "reads as ssh does)", line)
    return jump
