"""The hosts.toml inventory: which hosts receive which edited files, and how to reach them."""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from tui.core.errors import ConfigError
from tui.core.remote import placeholders
from tui.core.textfile import MAX_INVENTORY_BYTES, read_text
from tui.core.toml10 import check_toml10

CLACE_SOURCE = "clace"

_HOST_KEYS = frozenset({"name", "address", "port", "user", "identity_file", "leap_node", "file",
                        "probe", "groups"})
_FILE_KEYS = frozenset({"source", "target", "validate", "reload"})
# fleet and ansible_inventory are read by tui.core.hosts (docs/apply.md, "Fleets").
_TOP_KEYS = frozenset({"host", "known_hosts", "fleet", "ansible_inventory"})
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
# What the client checks from outside after a reload, before it confirms (see probe.py).
PROBES = ("none", "tcp", "tls")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_TOML_POSITION_RE = re.compile(r"\(at line (\d+), column (\d+)\)")


@dataclass(frozen=True, slots=True)
class FileSpec:
    """One file that lands on a host.

    ``source`` is ``"clace"`` (the edited Clace TOML) or a path inside the provider
    (``"nodes/web1.json"``); ``validate`` may contain ``{path}`` for the uploaded
    temporary file.
    """

    source: str
    target: str
    validate: str | None = None
    reload: str | None = None

    @property
    def node_name(self) -> str | None:
        """The LEAP node whose node file this is, if it is one (``nodes/web1.json``)."""
        match = re.fullmatch(r"nodes/([^/]+)\.json", self.source)
        return match.group(1) if match else None


@dataclass(frozen=True, slots=True)
class HostSpec:
    """One ``[[host]]`` table; ``None`` means "ask ~/.ssh/config or the LEAP node"."""

    name: str
    address: str | None
    port: int | None = None
    user: str | None = None
    identity_file: str | None = None
    leap_node: str | None = None
    files: tuple[FileSpec, ...] = ()
    line: int | None = None
    probe: str = "none"  # after a reload: "tcp" / "tls" to the new Clace listeners, or not
    # Fleets (docs/apply.md): the groups a --limit pattern can name; the user to fall back
    # on after ssh_config's User (LEAP nodes: root); a ProxyJump given as `ssh -J` would be.
    groups: tuple[str, ...] = ()
    default_user: str | None = None
    proxy_jump: str | None = None


@dataclass(frozen=True, slots=True)
class Inventory:
    path: Path
    hosts: tuple[HostSpec, ...]
    known_hosts: Path | None = None
    # What was read but not used (an Ansible inventory's other variables): one line each.
    notes: tuple[str, ...] = ()

    def host(self, name: str) -> HostSpec:
        for host in self.hosts:
            if host.name == name:
                return host
        raise KeyError(name)

    def shipped_sources(self) -> set[str]:
        """Every source some host receives ("clace", "nodes/web1.json", ...)."""
        return {spec.source for host in self.hosts for spec in host.files}

    def select(self, names: list[str] | tuple[str, ...] | None) -> list[HostSpec]:
        """The hosts named (all when none are), in inventory order; an unknown name is bad input."""
        if not names:
            return list(self.hosts)
        known = {h.name for h in self.hosts}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ConfigError(str(self.path),
                              f"no host named {', '.join(unknown)} in the inventory")
        wanted = set(names)
        return [h for h in self.hosts if h.name in wanted]

    def sources(self) -> set[str]:
        return {f.source for h in self.hosts for f in h.files}


def load_inventory(path: Path) -> Inventory:
    path = Path(path)
    return parse_inventory(read_text(path, limit=MAX_INVENTORY_BYTES), path)


def parse_inventory(text: str, path: Path) -> Inventory:
    file = str(path)
    text = text.removeprefix("\ufeff")
    # TOML 1.0, located, whatever the Python version (tomllib reads TOML 1.1 from 3.14 on),
    # and nesting bounded before tomllib recurses into it.
    check_toml10(text, file)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, column = _toml_position(str(exc))
        message = _TOML_POSITION_RE.sub("", str(exc)).strip()
        raise ConfigError(file, f"invalid TOML: {message}", line, column) from None
    host_lines = _header_lines(text, "[[host]]")
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise ConfigError(file, f"unknown key {unknown[0]!r} (expected [[host]], known_hosts, "
                          "[fleet] or ansible_inventory)")
    known_hosts: Path | None = None
    if "known_hosts" in data:
        value = data["known_hosts"]
        if not isinstance(value, str) or not value:
            raise ConfigError(file, "known_hosts must be a path string",
                              _key_line(text, "known_hosts"))
        known_hosts = Path(value).expanduser()
        if not known_hosts.is_absolute():
            known_hosts = path.parent / known_hosts
    raw_hosts = data.get("host", [])
    if not isinstance(raw_hosts, list):
        raise ConfigError(file, "host must be an array of tables: [[host]]")
    hosts: list[HostSpec] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_hosts):
        line = host_lines[index] if index < len(host_lines) else None
        host = _parse_host(raw, file, line, text)
        if host.name in seen:
            raise ConfigError(file, f"host {host.name!r} is listed twice", line)
        seen.add(host.name)
        hosts.append(host)
    return Inventory(path=path, hosts=tuple(hosts), known_hosts=known_hosts)


def _parse_host(raw: object, file: str, line: int | None, text: str) -> HostSpec:
    if not isinstance(raw, dict):
        raise ConfigError(file, "each [[host]] must be a table", line)
    unknown = sorted(set(raw) - _HOST_KEYS)
    if unknown:
        raise _unknown_key(file, text, line, unknown[0], "[[host]]", _HOST_KEYS)
    name = _string(raw, "name", file, line, required=True)
    assert name is not None
    if not _NAME_RE.match(name):
        raise ConfigError(file, f"host name {name!r} must be letters, digits, '.', '_' or '-'",
                          line)
    address = _string(raw, "address", file, line)
    leap_node = _string(raw, "leap_node", file, line)
    if address is None and leap_node is None:
        raise ConfigError(file, f"host {name!r} needs an address (or a leap_node)", line)
    port = raw.get("port")
    if port is not None and (not isinstance(port, int) or isinstance(port, bool)
                             or not 1 <= port <= 65535):
        raise ConfigError(file, f"host {name!r}: port must be an integer 1-65535", line)
    probe = raw.get("probe", "none")
    if probe not in PROBES:
        raise ConfigError(file, f"host {name!r}: probe must be one of {', '.join(PROBES)}",
                          _key_line(text, "probe", after=line or 0) or line)
    files_raw = raw.get("file", [])
    if not isinstance(files_raw, list):
        raise ConfigError(file, f"host {name!r}: file must be an array of tables: [[host.file]]",
                          line)
    files: list[FileSpec] = []
    targets: set[str] = set()
    for entry in files_raw:
        spec = _parse_file(entry, name, file, line, text)
        if spec.target in targets:
            raise ConfigError(file, f"host {name!r}: target {spec.target} is listed twice", line)
        targets.add(spec.target)
        files.append(spec)
    return HostSpec(
        name=name,
        address=address,
        port=port,
        user=_string(raw, "user", file, line),
        identity_file=_string(raw, "identity_file", file, line),
        leap_node=leap_node,
        files=tuple(files),
        line=line,
        probe=str(probe),
        groups=_parse_groups(raw, name, file, line),
    )


def _parse_groups(raw: dict[str, object], host: str, file: str,
                  line: int | None) -> tuple[str, ...]:
    """``groups = ["web", "eu"]``: names a --limit pattern can select the host by."""
    value = raw.get("groups", [])
    if not isinstance(value, list) or not all(
            isinstance(g, str) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", g) for g in value):
        raise ConfigError(file, f"host {host!r}: groups must be a list of names (letters, "
                          "digits, '_' or '-')", line)
    return tuple(value)


def _parse_file(raw: object, host: str, file: str, line: int | None, text: str) -> FileSpec:
    if not isinstance(raw, dict):
        raise ConfigError(file, f"host {host!r}: each [[host.file]] must be a table", line)
    unknown = sorted(set(raw) - _FILE_KEYS)
    if unknown:
        raise _unknown_key(file, text, line, unknown[0], f"host {host!r}: [[host.file]]",
                           _FILE_KEYS)
    source = _string(raw, "source", file, line, required=True)
    target = _string(raw, "target", file, line, required=True)
    assert source is not None and target is not None
    if source != CLACE_SOURCE and (source.startswith("/") or ".." in Path(source).parts):
        raise ConfigError(
            file, f"host {host!r}: source {source!r} must be 'clace' or a path inside the provider",
            line,
        )
    if not target.startswith("/") or target.endswith("/"):
        raise ConfigError(file, f"host {host!r}: target {target!r} must be an absolute file path",
                          line)
    if _CONTROL_RE.search(target):
        raise ConfigError(file, f"host {host!r}: target {target!r} contains a control character",
                          line)
    commands: dict[str, str | None] = {}
    for key in ("validate", "reload"):
        command = commands[key] = _string(raw, key, file, line)
        if command is None:
            continue
        try:
            placeholders.check(command)
        except placeholders.PlaceholderError as exc:
            raise ConfigError(file, f"host {host!r}: {key}: {exc}",
                              _key_line(text, key, after=line or 0) or line) from None
    return FileSpec(source=source, target=target, validate=commands["validate"],
                    reload=commands["reload"])


def _string(raw: dict[str, object], key: str, file: str, line: int | None,
            *, required: bool = False) -> str | None:
    value = raw.get(key)
    if value is None:
        if required:
            raise ConfigError(file, f"missing required key {key!r}", line)
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(file, f"{key} must be a non-empty string", line)
    return value


def _header_lines(text: str, header: str) -> list[int]:
    return [n for n, row in enumerate(text.splitlines(), start=1) if row.strip().startswith(header)]


def _key_line(text: str, key: str, after: int = 0) -> int | None:
    """The first line after line ``after`` that sets ``key``."""
    for number, row in enumerate(text.splitlines(), start=1):
        if number > after and re.match(rf"\s*{re.escape(key)}\s*=", row):
            return number
    return None


def _unknown_key(file: str, text: str, table_line: int | None, key: str, table: str,
                 known: frozenset[str]) -> ConfigError:
    """An inventory key not in ``known``: on its own line, with a guess at the one meant."""
    guess = difflib.get_close_matches(key, sorted(known), n=1)
    hint = f" (did you mean {guess[0]!r}?)" if guess else f" (known: {', '.join(sorted(known))})"
    line = _key_line(text, key, after=table_line or 0) or table_line
    return ConfigError(file, f"unknown key {key!r} in {table}{hint}", line)


def _toml_position(message: str) -> tuple[int | None, int | None]:
    match = _TOML_POSITION_RE.search(message)
    if not match:
        return None, None
    return int(match.group(1)), int(match.group(2))
