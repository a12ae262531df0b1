"""Which changes can lock the operator out, and the LEAP node's connection defaults."""

from __future__ import annotations

import importlib
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from tui.core.inventory import CLACE_SOURCE, FileSpec

LISTENER_KEYS = (("http", "host"), ("http", "port"), ("https", "host"), ("https", "port"))


@dataclass(frozen=True, slots=True)
class LockoutRisk:
    """Why a change needs the confirm-or-revert window; ``new_ssh_port`` when sshd moves."""

    reason: str
    node: str | None = None
    old_ssh_port: int | None = None
    new_ssh_port: int | None = None


class EffectiveLike(Protocol):
    def get(self, path: str) -> object: ...


class ProviderLike(Protocol):
    def effective(self, node: str) -> EffectiveLike: ...


def loads_jsonc(data: bytes) -> object:
    """LEAP's JSON with comments: a line whose first non-blank characters are // is dropped."""
    text = data.decode("utf-8")
    kept = ["" if row.lstrip().startswith("//") else row for row in text.splitlines()]
    return json.loads("\n".join(kept))


def _dotted(document: object, path: str) -> object:
    value = document
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _port_value(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def node_file_ssh_port(data: bytes | None) -> int | None:
    """``ssh.port`` as set in a node file (``None``: not set, so inherited, or unreadable)."""
    if data is None:
        return None
    try:
        return _port_value(_dotted(loads_jsonc(data), "ssh.port"))
    except (ValueError, UnicodeDecodeError):
        return None


def _listeners(data: bytes | None) -> dict[str, object]:
    if data is None:
        return {}
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}
    return {f"{s}.{k}": _dotted(document, f"{s}.{k}") for s, k in LISTENER_KEYS}


def lockout_risks(
    spec: FileSpec, old: bytes | None, new: bytes, *, inherited_ssh_port: int | None = None
) -> list[LockoutRisk]:
    """The ways replacing ``old`` with ``new`` at ``spec`` can cut the operator off.

    ``inherited_ssh_port`` is the node's effective ``ssh.port`` when the new node file does
    not set one (from common.json, tags or services), so that removing the key counts too.
    """
    risks: list[LockoutRisk] = []
    if spec.source == CLACE_SOURCE:
        before, after = _listeners(old), _listeners(new)
        for key in sorted(set(before) | set(after)):
            if old is not None and before.get(key) != after.get(key):
                risks.append(LockoutRisk(
                    f"Clace listener {key}: {before.get(key)!r} -> {after.get(key)!r}"))
        return risks
    node = spec.node_name
    if node is None or old is None:
        return risks
    old_port = node_file_ssh_port(old)
    new_port = node_file_ssh_port(new)
    if old_port == new_port:
        return risks
    effective_old = old_port if old_port is not None else inherited_ssh_port
    effective_new = new_port if new_port is not None else inherited_ssh_port
    if effective_old == effective_new:
        return risks
    risks.append(LockoutRisk(
        f"node {node} ssh.port: {effective_old} -> {effective_new}",
        node=node, old_ssh_port=effective_old, new_ssh_port=effective_new,
    ))
    return risks


DEFAULT_SSH_PORT = 22  # the LEAP Ports page: SSH, all nodes, default 22


def inherited_ssh_port(provider_root: Path | None) -> int:
    """``ssh.port`` a node gets when its own file does not set it: common.json's, else 22.

    Read from the files rather than the merged node, which already holds the edited value.
    """
    if provider_root is not None:
        try:
            port = _port_value(_dotted(loads_jsonc((Path(provider_root) / "common.json")
                                                   .read_bytes()), "ssh.port"))
        except (OSError, ValueError, UnicodeDecodeError):
            port = None
        if port is not None:
            return port
    return DEFAULT_SSH_PORT


def load_provider(root: Path) -> ProviderLike | None:
    """The LEAP provider through tui.core.leap_provider; ``None`` when that cannot load it."""
    try:
        module = importlib.import_module("tui.core.leap_provider")
        provider: ProviderLike = module.Provider.load(Path(root))
    except Exception:  # an unreadable provider leaves the defaults to the fallback
        return None
    return provider


def node_connection_defaults(
    provider: ProviderLike | None, node: str, provider_root: Path | None = None
) -> tuple[str | None, int | None]:
    """The node's ``ip_address`` and effective ``ssh.port``, the defaults of a host naming it."""
    if provider is not None:
        try:
            effective = provider.effective(node)
            address = effective.get("ip_address")
            port = _port_value(effective.get("ssh.port"))
            return (address if isinstance(address, str) else None), port
        except Exception:  # fall back to reading the files directly
            pass
    if provider_root is None:
        return None, None
    return _read_node_defaults(Path(provider_root), node)


def _read_node_defaults(root: Path, node: str) -> tuple[str | None, int | None]:
    """Node file first, then common.json: enough for an address and a port."""
    address: str | None = None
    port: int | None = None
    for rel in (f"nodes/{node}.json", "common.json"):
        try:
            document = loads_jsonc((root / rel).read_bytes())
        except (OSError, ValueError, UnicodeDecodeError):
            continue
        if address is None:
            value = _dotted(document, "ip_address")
            address = value if isinstance(value, str) else None
        if port is None:
            port = _port_value(_dotted(document, "ssh.port"))
    return address, port


def pinned_host_key_lines(provider_root: Path | None, node: str) -> list[str]:
    """``files/nodes/NAME/NAME_ssh.pub`` of a LEAP provider: the node's pinned host key(s)."""
    if provider_root is None:
        return []
    path = Path(provider_root) / "files" / "nodes" / node / f"{node}_ssh.pub"
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    return [row.strip() for row in text.splitlines() if row.strip() and not row.startswith("#")]
