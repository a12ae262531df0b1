"""What the editor shows for each part of the workspace: sections, their fields, and edits.

The TUI renders these; all decisions about which keys a section has, where a value comes
from and how typed text becomes a value live here, testable without a terminal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tui.core.clace_schema import CLACE_FIELDS
from tui.core.field_values import parse_kind, parse_list
from tui.core.findings import Finding
from tui.core.leap_merge import is_expression
from tui.core.port_catalog import PORT_CATALOG
from tui.core.workspace import Workspace

FieldKind = Literal["port", "host", "bool", "email", "path", "string", "ip", "list", "port_list"]

CLACE_TARGET = "clace"


@dataclass(frozen=True)
class Section:
    id: str  # "clace:http", "clace:https", "clace:certs", "leap:common", "node:web1"
    title: str
    target: str  # "clace" or the provider file edits go to ("nodes/web1.json")
    node: str | None = None


@dataclass(frozen=True)
class FieldInfo:
    key: str
    label: str
    kind: FieldKind
    value: object  # the effective value
    overridden: bool  # set in the section's own file (a reset key removes it)
    origin: str  # "default", "clace.toml:12", "services/webapp.json:5", "built-in default"
    note: str
    computed: bool = False  # a "= ..." expression that `leap compile` evaluates


_LEAP_NODE_FIELDS: tuple[tuple[str, str, FieldKind, str | None], ...] = (
    # key, label, kind, service that brings it (None: every node)
    ("ip_address", "IP address", "ip", None),
    ("services", "Services", "list", None),
    ("tags", "Tags", "list", None),
    ("ssh.port", "SSH port", "port", None),
    ("api.port", "API port", "port", "webapp"),
    ("nickserver.port", "Nicknym port", "port", "webapp"),
    ("soledad.port", "Soledad port", "port", "soledad"),
    ("openvpn.gateway_address", "OpenVPN gateway address", "ip", "openvpn"),
    ("openvpn.ports", "OpenVPN ports", "port_list", "openvpn"),
)

def leap_field_kind(key: str) -> FieldKind | None:
    """The kind of a LEAP node property the editor knows (``ssh.port`` -> ``"port"``)."""
    return next((kind for k, _, kind, _ in _LEAP_NODE_FIELDS if k == key), None)


_GENERIC_NOTES = {
    "ip_address": "The node's public address; every other node must use a different one "
    "(leap compile refuses duplicates).",
    "services": "Services of this node, in inheritance order (comma separated).",
    "tags": "Tags of this node, applied after its services (comma separated).",
}


def _catalog_notes() -> dict[str, str]:
    notes: dict[str, str] = {}
    for spec in PORT_CATALOG:
        if spec.property and spec.property not in notes:
            notes[spec.property] = spec.note
    return notes


_NOTES = {**_GENERIC_NOTES, **_catalog_notes()}
_NOTES.setdefault(
    "openvpn.gateway_address",
    "OpenVPN listens on this address, not on ip_address; it must be an address of this node "
    "that no other node uses.",
)


def sections(workspace: Workspace) -> list[Section]:
    result: list[Section] = []
    if workspace.clace is not None:
        result += [
            Section("clace:http", "HTTP", CLACE_TARGET),
            Section("clace:https", "HTTPS", CLACE_TARGET),
            Section("clace:certs", "Certificates", CLACE_TARGET),
        ]
    provider = workspace.provider
    if provider is not None:
        if provider.common is not None:
            result.append(Section("leap:common", "common", provider.common.rel))
        for name in provider.node_names():
            result.append(Section(f"node:{name}", name, provider.node_file(name), node=name))
    return result


def section_by_id(workspace: Workspace, section_id: str) -> Section | None:
    return next((s for s in sections(workspace) if s.id == section_id), None)


def fields(workspace: Workspace, section: Section) -> list[FieldInfo]:
    if section.id in ("clace:http", "clace:https"):
        return _clace_fields(workspace, section.id.split(":", 1)[1])
    if section.id == "leap:common":
        return _common_fields(workspace, section)
    if section.node is not None:
        return _node_fields(workspace, section)
    return []


def _clace_fields(workspace: Workspace, table: str) -> list[FieldInfo]:
    cfg = workspace.clace
    assert cfg is not None
    result = []
    for key, spec in CLACE_FIELDS.items():
        if not key.startswith(f"{table}."):
            continue
        origin = _file_line(cfg.path.name, cfg.line_of(key)) if cfg.is_set(key) else "default"
        result.append(
            FieldInfo(
                key=key,
                label=spec.label,
                kind=spec.kind,
                value=cfg.get(key),
                overridden=cfg.is_set(key),
                origin=origin,
                note=spec.note,
            )
        )
    return result


def _file_line(file: str, line: int | None) -> str:
    return f"{file}:{line}" if line else file


def _common_fields(workspace: Workspace, section: Section) -> list[FieldInfo]:
    provider = workspace.provider
    assert provider is not None
    raw = provider.get_raw(section.target, "ssh.port")
    line = provider.files[section.target].doc.line_of(("ssh", "port"))
    return [
        FieldInfo(
            key="ssh.port",
            label="SSH port (all nodes)",
            kind="port",
            value=raw if raw is not None else 22,
            overridden=raw is not None,
            origin=_file_line(section.target, line) if raw is not None else "default",
            note=_NOTES.get("ssh.port", ""),
        )
    ]


def _node_fields(workspace: Workspace, section: Section) -> list[FieldInfo]:
    provider = workspace.provider
    assert provider is not None and section.node is not None
    effective = provider.effective(section.node)
    services = set(effective.services)
    result = []
    for key, label, kind, service in _LEAP_NODE_FIELDS:
        if service is not None and service not in services:
            continue
        value = effective.get(key)
        origin = effective.origin(key)
        overridden = provider.get_raw(section.target, key) is not None
        result.append(
            FieldInfo(
                key=key,
                label=label,
                kind=kind,
                value=value,
                overridden=overridden,
                origin=str(origin) if origin else "unset",
                note=_NOTES.get(key, ""),
                computed=is_expression(value),
            )
        )
    return result


def display_text(info: FieldInfo) -> str:
    """The text an input shows for a value."""
    value = info.value
    if value is None:
        return ""
    if info.kind in ("list", "port_list") and isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse_text(info: FieldInfo, text: str) -> object:
    """Typed text to the value written to the file, by the core's parser for the kind
    (the one `leap-tui set` uses).

    Raises ValueError (one line, naming the key) for text that must not reach the file: a
    boolean other than true/false. A port, or a port list, that is not made of integers is
    written as typed instead: the editor writes on each keystroke, a half-typed value is
    normal there, and the checks (wrong type, out of range) say what is wrong with it.
    """
    try:
        return parse_kind(info.kind, info.key, text, like=info.value)
    except ValueError:
        if info.kind == "port":
            return text.strip()
        if info.kind == "port_list":
            return parse_list(text)
        raise


def target_text(workspace: Workspace, target: str) -> str:
    if target == CLACE_TARGET:
        assert workspace.clace is not None
        return workspace.clace.text
    assert workspace.provider is not None
    return workspace.provider.text(target)


def set_target_text(workspace: Workspace, target: str, text: str) -> None:
    if target == CLACE_TARGET:
        assert workspace.clace is not None
        workspace.clace.replace_text(text)
    else:
        assert workspace.provider is not None
        workspace.provider.replace_text(target, text)


def apply_edit(workspace: Workspace, section: Section, key: str, value: object) -> None:
    if section.target == CLACE_TARGET:
        assert workspace.clace is not None
        workspace.clace.set(key, value)
    else:
        assert workspace.provider is not None
        workspace.provider.set_value(section.target, key, value)


def remove_override(workspace: Workspace, section: Section, key: str) -> None:
    if section.target == CLACE_TARGET:
        assert workspace.clace is not None
        workspace.clace.unset(key)
    else:
        provider = workspace.provider
        assert provider is not None
        provider.unset_value(section.target, key)
        # Overriding ssh.port created {"ssh": {"port": N}}; inheriting again removes the
        # objects the override left empty, so the file returns to what it was.
        parts = key.split(".")[:-1]
        while parts:
            parent = ".".join(parts)
            if provider.get_raw(section.target, parent) != {}:
                break
            provider.unset_value(section.target, parent)
            parts.pop()


def section_for_finding(workspace: Workspace, finding: Finding) -> str | None:
    """The section whose editor shows the field a finding is about."""
    if workspace.clace is not None and finding.file == str(workspace.clace.path):
        return "clace:https" if finding.path.startswith("https") else "clace:http"
    if finding.code.startswith("CE"):
        return "clace:certs"
    if finding.node is not None:
        return f"node:{finding.node}"
    provider = workspace.provider
    if provider is not None and provider.common is not None and finding.file == provider.common.rel:
        return "leap:common"
    return None


def modified_targets(workspace: Workspace) -> list[str]:
    targets = []
    if workspace.clace is not None and workspace.clace.is_modified:
        targets.append(CLACE_TARGET)
    if workspace.provider is not None:
        targets += workspace.provider.modified_files()
    return targets


def unified_diffs(workspace: Workspace) -> list[tuple[str, str]]:
    """(file name, unified diff against the file on disk) for each edited file."""
    import difflib

    result = []
    for target in modified_targets(workspace):
        if target == CLACE_TARGET:
            assert workspace.clace is not None
            name = str(workspace.clace.path)
            old, new = workspace.clace.original_text, workspace.clace.text
        else:
            assert workspace.provider is not None
            name = target
            old, new = workspace.provider.original_text(target), workspace.provider.text(target)
        diff = difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True),
            fromfile=f"a/{name.lstrip('/')}", tofile=f"b/{name.lstrip('/')}",  # git's a/ b/
        )
        result.append((name, "".join(diff)))
    return result


def save_all(workspace: Workspace) -> list[str]:
    saved = modified_targets(workspace)
    if workspace.clace is not None and workspace.clace.is_modified:
        workspace.clace.save()
    if workspace.provider is not None and workspace.provider.modified_files():
        workspace.provider.save()
    return saved


def section_for_field(workspace: Workspace, target: str, key: str) -> str | None:
    """The section whose editor shows ``key`` of the file ``target`` (undo brings it back)."""
    if target == CLACE_TARGET:
        return "clace:https" if key.startswith("https.") else "clace:http"
    return next((s.id for s in sections(workspace) if s.target == target), None)


def _raw_value(workspace: Workspace, target: str, key: str) -> object | None:
    if target == CLACE_TARGET:
        assert workspace.clace is not None
        return workspace.clace.raw(key)
    assert workspace.provider is not None
    return workspace.provider.get_raw(target, key)


def unsaveable_fields(workspace: Workspace) -> list[tuple[str, str, str]]:
    """(target, key, why) for each port field of an edited file that holds no number.

    The editor writes what is typed, so an emptied port is in the model as ``""``; saving
    it would leave the server a file it refuses. Saving waits until the port is typed or
    inherited again (F4).
    """
    blocked: list[tuple[str, str, str]] = []
    for target in modified_targets(workspace):
        keys = {info.key for section in sections(workspace) if section.target == target
                for info in fields(workspace, section) if info.kind == "port"}
        for key in sorted(keys):
            raw = _raw_value(workspace, target, key)
            if not isinstance(raw, str):
                continue
            try:
                parse_kind("port", key, raw)
            except ValueError:
                blocked.append((target, key, "is empty" if not raw.strip() else
                                 f"holds {raw!r}, not a number"))
    return blocked
