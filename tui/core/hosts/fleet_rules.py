"""hosts.toml's ``[fleet]`` table: which files the hosts without a ``[[host]]`` table of
their own receive (LEAP nodes, Ansible inventory hosts), and how LEAP nodes are reached.

```toml
ansible_inventory = "hosts.ini"       # optional: its hosts join the [[host]] tables

[fleet]
nodes = true                          # LEAP nodes without a [[host]] are hosts (default)
user = "root"                         # optional: else ssh_config's User, else root
identity_file = "~/.ssh/leap"         # optional

  [[fleet.file]]
  hosts = "service:webapp"            # optional: a --limit pattern (default: every such host)
  source = "clace"                    # or "nodes/{node}.json": {node} is the host's LEAP node
  target = "/var/lib/clace/clace.toml"  # {node} and {host} may appear here too
  validate = "test -s {path}"
  reload = "systemctl reload clace"
```

Without any ``[[fleet.file]]``, the default rule applies: each LEAP node's own node file,
``nodes/{node}.json``, to ``/etc/leap/nodes/{node}.json`` (DEFAULT_RULES).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from tui.core.errors import ConfigError
from tui.core.inventory import FileSpec

_FLEET_KEYS = frozenset({"nodes", "user", "identity_file", "file"})
_RULE_KEYS = frozenset({"hosts", "source", "target", "validate", "reload"})
NODE_USER = "root"  # as LEAP deploys: `leap deploy` connects as root


@dataclass(frozen=True, slots=True)
class FileRule:
    source: str
    target: str
    validate: str | None = None
    reload: str | None = None
    hosts: str | None = None  # a --limit pattern; None: every host the rules serve

    @property
    def per_node(self) -> bool:
        return "{node}" in self.source or "{node}" in self.target

    def spec_for(self, host: str, node: str | None) -> FileSpec | None:
        """The FileSpec for ``host`` (LEAP node ``node``); None if the rule needs a node."""
        if self.per_node and node is None:
            return None
        def fill(text: str) -> str:
            return text.replace("{node}", node or "").replace("{host}", host)

        return FileSpec(source=fill(self.source), target=fill(self.target),
                        validate=self.validate, reload=self.reload)


DEFAULT_RULES = (FileRule(source="nodes/{node}.json", target="/etc/leap/nodes/{node}.json"),)


@dataclass(frozen=True, slots=True)
class FleetRules:
    nodes: bool = True
    user: str | None = None
    identity_file: str | None = None
    files: tuple[FileRule, ...] = DEFAULT_RULES
    ansible_inventory: tuple[Path, ...] = ()
    declared: bool = False  # hosts.toml has a [fleet] table


def parse_fleet(text: str, path: Path) -> FleetRules:
    """The [fleet] table and ansible_inventory of a hosts.toml already parsed once."""
    file = str(path)
    data = tomllib.loads(text)
    ansible = _ansible_paths(data.get("ansible_inventory"), path)
    raw = data.get("fleet")
    if raw is None:
        return FleetRules(ansible_inventory=ansible)
    line = _line(text, "[fleet]")
    if not isinstance(raw, dict):
        raise ConfigError(file, "fleet must be a table: [fleet]", line)
    unknown = sorted(set(raw) - _FLEET_KEYS)
    if unknown:
        raise ConfigError(file, f"unknown key {unknown[0]!r} in [fleet] (known: "
                          f"{', '.join(sorted(_FLEET_KEYS))})", line)
    nodes = raw.get("nodes", True)
    if not isinstance(nodes, bool):
        raise ConfigError(file, "[fleet] nodes must be true or false", line)
    rules_raw = raw.get("file", [])
    if not isinstance(rules_raw, list):
        raise ConfigError(file, "[fleet] file must be an array of tables: [[fleet.file]]", line)
    rule_lines = [n for n, row in enumerate(text.splitlines(), start=1)
                  if row.strip().startswith("[[fleet.file]]")]
    rules = tuple(_rule(entry, file, rule_lines[i] if i < len(rule_lines) else line)
                  for i, entry in enumerate(rules_raw))
    return FleetRules(nodes=nodes, user=_text(raw, "user", file, line),
                      identity_file=_text(raw, "identity_file", file, line),
                      files=rules or DEFAULT_RULES, ansible_inventory=ansible, declared=True)


def _ansible_paths(value: object, path: Path) -> tuple[Path, ...]:
    if value is None:
        return ()
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
        raise ConfigError(str(path), "ansible_inventory must be a path or a list of paths")
    found = []
    for entry in values:
        candidate = Path(entry).expanduser()
        found.append(candidate if candidate.is_absolute() else path.parent / candidate)
    return tuple(found)


def _rule(raw: object, file: str, line: int | None) -> FileRule:
    if not isinstance(raw, dict):
        raise ConfigError(file, "each [[fleet.file]] must be a table", line)
    unknown = sorted(set(raw) - _RULE_KEYS)
    if unknown:
        raise ConfigError(file, f"unknown key {unknown[0]!r} in [[fleet.file]] (known: "
                          f"{', '.join(sorted(_RULE_KEYS))})", line)
    source = _text(raw, "source", file, line)
    target = _text(raw, "target", file, line)
    if source is None or target is None:
        raise ConfigError(file, "[[fleet.file]] needs source and target", line)
    for key, value in (("source", source), ("target", target)):
        if set(re.findall(r"\{[^{}]*\}", value)) - {"{node}", "{host}"}:
            raise ConfigError(file, f"[[fleet.file]] {key} {value!r}: only {{node}} and "
                              "{host} may appear in braces", line)
    sample = FileRule(source, target).spec_for("h", "n")
    assert sample is not None
    if sample.source != "clace" and (sample.source.startswith("/")
                                     or ".." in Path(sample.source).parts):
        raise ConfigError(file, f"[[fleet.file]] source {source!r} must be 'clace' or a path "
                          "inside the provider", line)
    if not sample.target.startswith("/") or sample.target.endswith("/"):
        raise ConfigError(file, f"[[fleet.file]] target {target!r} must be an absolute file "
                          "path", line)
    return FileRule(source, target, _text(raw, "validate", file, line),
                    _text(raw, "reload", file, line), _text(raw, "hosts", file, line))


def _text(raw: dict[str, object], key: str, file: str, line: int | None) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(file, f"{key} must be a non-empty string", line)
    return value


def _line(text: str, header: str) -> int | None:
    for number, row in enumerate(text.splitlines(), start=1):
        if row.strip().startswith(header):
            return number
    return None
