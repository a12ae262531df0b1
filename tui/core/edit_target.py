"""One file the operator edits by key: a Clace TOML or a JSON file of a LEAP provider.

Behind `leap-tui get/set`: a dotted key, a value parsed to the field's type, the checks
run before and after so that only the findings the change produced are reported.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tui.core.clace_checks import check_clace
from tui.core.clace_config import ClaceConfig, parse_field_value
from tui.core.errors import ConfigError
from tui.core.field_values import (
    parse_bool,
    parse_integer,
    parse_kind,
    parse_list,
    parse_number,
    parse_port,
)
from tui.core.findings import Finding
from tui.core.key_names import clace_key_problem
from tui.core.leap_checks import check_provider
from tui.core.leap_merge import is_expression, resolve_key
from tui.core.leap_provider import Provider
from tui.core.sections import leap_field_kind
from tui.core.textfile import read_bytes


@dataclass(frozen=True)
class Lookup:
    """What `get` shows: the effective value, and where it comes from.

    ``where`` is None when the key is set nowhere and has no known default.
    """

    value: object
    where: str | None

    @property
    def found(self) -> bool:
        return self.where is not None


@dataclass
class EditTarget:
    display: str
    clace: ClaceConfig | None = None
    provider: Provider | None = None
    rel: str | None = None  # the file inside the provider, for LEAP targets

    @property
    def path(self) -> Path:
        """The file on disk that :meth:`save` writes."""
        if self.clace is not None:
            return self.clace.path
        assert self.provider is not None and self.rel is not None
        return self.provider.root / self.rel

    def texts(self) -> dict[Path, str]:
        """The edited text of each file, by its path on disk (unsaved edits included)."""
        if self.clace is not None:
            return {self.clace.path: self.clace.text}
        assert self.provider is not None
        return {self.provider.root / rel: self.provider.text(rel) for rel in self.provider.files}

    def unknown_key(self, key: str) -> str | None:
        """Why the server would never read ``key`` (Clace only; LEAP keys are open-ended:
        LP019 reports a near miss), with a did-you-mean; None when it is read."""
        return clace_key_problem(key) if self.clace is not None else None

    def check(self) -> list[Finding]:
        if self.clace is not None:
            return check_clace(self.clace)
        assert self.provider is not None
        return check_provider(self.provider)

    def node(self) -> str | None:
        if self.provider is None or self.rel is None:
            return None
        for name in self.provider.node_names():
            if self.provider.node_file(name) == self.rel:
                return name
        return None

    def node_files(self) -> dict[str, str]:
        if self.provider is None:
            return {}
        return {name: self.provider.node_file(name) for name in self.provider.node_names()}

    def get(self, key: str) -> Lookup:
        """The effective value of ``key`` and where it comes from."""
        if self.clace is not None:
            if self.clace.is_set(key):
                line = self.clace.line_of(key)
                return Lookup(self.clace.get(key), _file_line(self.display, line))
            value = self.clace.get(key)
            return Lookup(value, "default" if value is not None else None)
        assert self.provider is not None and self.rel is not None
        node = self.node()
        if node is not None:
            effective = self.provider.effective(node)
            origin = effective.origin(key)
            return Lookup(effective.get(key), None if origin is None else str(origin))
        doc = self.provider.files[self.rel].doc
        path = resolve_key(doc.value, key)
        if path is None:
            return Lookup(None, None)
        return Lookup(doc.get(path), _file_line(self.rel, doc.line_of(path)))

    def parse(self, key: str, text: str) -> object:
        """VALUE as the field's type: a Clace field's kind, or the type of the LEAP value
        it replaces (an integer for an integer, a string for an item of a string list)."""
        if self.clace is not None:
            return parse_field_value(key, text)
        current = self._current(key)
        kind = leap_field_kind(key)
        if kind in ("list", "port_list") and text.lstrip().startswith("["):
            # A JSON array is the same list as its comma separated items.
            items = parse_json(key, text)
            if not isinstance(items, list) or not all(_is_list_item(i) for i in items):
                raise ValueError(f"{key} takes a list of names or ports, not {text!r}")
            text = ", ".join(str(item) for item in items)
        if kind is not None:
            return parse_kind(kind, key, text, like=current)
        siblings = self._siblings(key)
        parent = key.rpartition(".")[0]
        if siblings is not None and leap_field_kind(parent) == "port_list":
            port = parse_port(key, text)
            return str(port) if all(isinstance(v, str) for v in siblings) else port
        return parse_like(key, text, current, siblings)

    def _current(self, key: str) -> object:
        value = self.get(key).value
        if value is None and self.provider is not None and self.rel is not None:
            value = self.provider.get_raw(self.rel, key)
        return value

    def _siblings(self, key: str) -> list[object] | None:
        """The list an indexed key (``openvpn.ports.4``) points into, if any."""
        parent, _, last = key.rpartition(".")
        if not parent or not last.isdigit():
            return None
        value = self._current(parent)
        return value if isinstance(value, list) else None

    def set(self, key: str, value: object) -> None:
        if self.clace is not None:
            self.clace.set(key, value)
            return
        assert self.provider is not None and self.rel is not None
        parent, _, last = key.rpartition(".")
        inherited = self._current(parent) if parent and last.isdigit() else None
        if isinstance(inherited, list) and self.provider.get_raw(self.rel, parent) is None:
            # An item of a list this file inherits: the file gets the whole list, changed,
            # as it would in an editor; a key "1" would make it a hash LEAP cannot merge.
            items = list(inherited)
            index = int(last)
            if index > len(items):
                raise ValueError(f"{key}: the list has {len(items)} items")
            items[index:index + 1] = [value]
            self.provider.set_value(self.rel, parent, items)
            return
        self.provider.set_value(self.rel, key, value)

    def save(self) -> None:
        if self.clace is not None:
            self.clace.save()
        elif self.provider is not None and self.rel is not None:
            self.provider.save([self.rel])

    def new_findings(self, before: list[Finding], after: list[Finding]) -> list[Finding]:
        return new_findings(before, after, self.node_files())


def _is_list_item(item: object) -> bool:
    return isinstance(item, str | int) and not isinstance(item, bool) and "," not in str(item)


def _file_line(file: str, line: int | None) -> str:
    return f"{file}:{line}" if line is not None else file


# --- LEAP values from text ----------------------------------------------------------------------


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON value")


def parse_json(key: str, text: str) -> object:
    """Strict JSON (no NaN or Infinity, which would make the file unreadable)."""
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except ValueError as error:
        raise ValueError(f"{key} takes a JSON value: {error}") from None


def parse_like(
    key: str, text: str, current: object, siblings: list[object] | None = None
) -> object:
    """Text to a LEAP value of the same type as ``current`` (the value it replaces).

    An expression (``"= ..."``) or an absent key has no type to follow: VALUE is then read
    as JSON when it is JSON, else as a string. A new list item follows its siblings.
    """
    if current is None and siblings:
        current = siblings[0]
    if isinstance(current, bool):
        return parse_bool(key, text)
    if isinstance(current, int):
        return parse_integer(key, text)
    if isinstance(current, float):
        return parse_number(key, text)
    if isinstance(current, str) and not is_expression(current):
        return text
    if isinstance(current, list):
        return _parse_list_like(key, text, current)
    if isinstance(current, dict):
        value = parse_json(key, text)
        if not isinstance(value, dict):
            raise ValueError(f"{key} takes a JSON object, not {text!r}")
        return value
    try:
        return parse_json(key, text)
    except ValueError:
        return text


def _parse_list_like(key: str, text: str, current: list[object]) -> list[object]:
    """A JSON array or comma separated items, each of the type the list's items have."""
    items: list[object]
    if text.lstrip().startswith("["):
        parsed = parse_json(key, text)
        if not isinstance(parsed, list):
            raise ValueError(f"{key} takes a list, not {text!r}")
        items = parsed
    else:
        items = list(parse_list(text))
    kinds = {type(item) for item in current if item is not None}
    if kinds == {str}:
        # LEAP spells its port lists as strings; a number typed there joins them as text.
        return [item if isinstance(item, str) else json.dumps(item) for item in items]
    if kinds == {int}:
        return [
            parse_integer(f"{key}.{i}", item) if isinstance(item, str) else item
            for i, item in enumerate(items)
        ]
    return items


# --- opening ------------------------------------------------------------------------------------


def open_target(file: str, provider_dir: str | None = None) -> EditTarget:
    """Open FILE for get/set; a .json file belongs to the provider that holds it."""
    if file.endswith(".toml"):
        return EditTarget(display=file, clace=ClaceConfig.load(Path(file)))
    if provider_dir is not None:
        root = Path(provider_dir)
        path = Path(file) if Path(file).is_absolute() else root / file
        if not path.exists() and Path(file).exists():
            path = Path(file)
    else:
        path = Path(file)
        found = _provider_root(path)
        if found is None:
            raise ConfigError(file, "not inside a LEAP provider (no provider.json above it); "
                              "give --provider DIR")
        root = found
    if not os.path.lexists(path):
        raise ConfigError(file, "no such file in the provider")
    read_bytes(path, file)  # a directory, FIFO, device or dangling link: named, never opened
    provider = Provider.load(root)
    try:
        # realpath, not Path.resolve: a symbolic link loop is then an unreadable file
        rel = Path(os.path.realpath(path)).relative_to(os.path.realpath(root)).as_posix()
    except ValueError:
        raise ConfigError(file, f"not inside the provider {root}") from None
    if rel not in provider.files:
        raise ConfigError(file, "not a configuration file of the provider")
    return EditTarget(display=rel, provider=provider, rel=rel)


def _provider_root(path: Path) -> Path | None:
    for directory in Path(os.path.realpath(path)).parents:
        if (directory / "provider.json").is_file():
            return directory
    return None


def new_findings(
    before: list[Finding], after: list[Finding], node_files: Mapping[str, str] | None = None
) -> list[Finding]:
    """Findings the change added: compared by (code, location), never by message text.

    A change that only rewords a finding (the value in its message changed, its line moved)
    adds nothing; a second finding of one code at one key does (the findings are counted).
    The location is the file and key path, not the line, which an insertion shifts. A
    finding in a shared file (a service, a tag, common.json) is reported once, for
    whichever node the check met first; that node is not part of its identity, or an edit
    that changes the order would make an old finding look new. ``node_files`` maps each
    node to its own file, where the node does tell findings apart.
    """
    files = node_files or {}

    def identity(f: Finding) -> tuple[object, ...]:
        node = f.node if f.node is not None and files.get(f.node) == f.file else None
        return (f.code, f.file, f.path, node)

    remaining = Counter(identity(f) for f in before)
    added: list[Finding] = []
    for finding in after:
        key = identity(finding)
        if remaining[key] > 0:
            remaining[key] -= 1
        else:
            added.append(finding)
    return added
