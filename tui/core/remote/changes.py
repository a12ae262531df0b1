"""Which changes can lock the operator out, and the LEAP node's connection defaults."""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import tomllib
from collections.abc import Mapping
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


def _names(value: object) -> list[str]:
    """A node's ``services``/``tags``: a list of names, or one name."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def effective_ssh_ports(root: Path, files: Mapping[str, bytes | None]) -> dict[str, int]:
    """Every node's effective ``ssh.port``, reading ``files`` (provider path -> bytes, ``None``
    for absent) instead of the provider's own copies where given.

    LEAP's order: common.json, then the node's services, then its tags, then the node file;
    the last that sets the key wins. ``X.ENV.json`` variants are not followed.
    """
    def document(rel: str) -> object:
        if rel in files:
            data = files[rel]
        else:
            try:
                data = (root / rel).read_bytes()
            except OSError:
                data = None
        if data is None:
            return None
        try:
            return loads_jsonc(data)
        except (ValueError, UnicodeDecodeError):
            return None

    def port_in(rel: str) -> int | None:
        return _port_value(_dotted(document(rel), "ssh.port"))

    names = {p.stem for p in (root / "nodes").glob("*.json") if "." not in p.stem}
    names |= {rel[len("nodes/"):-len(".json")] for rel in files
              if rel.startswith("nodes/") and rel.endswith(".json")}
    ports: dict[str, int] = {}
    for node in sorted(names):
        node_doc = document(f"nodes/{node}.json")
        if not isinstance(node_doc, dict):
            continue
        layers = [f"tags/{t}.json" for t in reversed(_names(node_doc.get("tags")))]
        layers += [f"services/{s}.json" for s in reversed(_names(node_doc.get("services")))]
        port = _port_value(_dotted(node_doc, "ssh.port"))
        for rel in [*layers, "common.json"]:
            if port is not None:
                break
            port = port_in(rel)
        ports[node] = port if port is not None else DEFAULT_SSH_PORT
    return ports


def ssh_port_risks(root: Path, before: Mapping[str, bytes | None],
                   after: Mapping[str, bytes]) -> list[LockoutRisk]:
    """A risk per node whose effective ``ssh.port`` moves when the provider files ``before``
    (live on the host) become ``after``: a node file, common.json, a service or a tag."""
    old = effective_ssh_ports(root, before)
    new = effective_ssh_ports(root, after)
    return [LockoutRisk(f"node {node} ssh.port: {old[node]} -> {new[node]}", node=node,
                        old_ssh_port=old[node], new_ssh_port=new[node])
            for node in sorted(set(old) & set(new)) if old[node] != new[node]]


def unshipped_port_moves(root: Path, shipped: set[str],
                         original: Mapping[str, bytes | None]) -> list[str]:
    """Warnings for ssh.port moves that no apply would push.

    ``original`` holds the provider files as they were before editing (path -> bytes,
    ``None`` if new); ``shipped`` the sources some inventory host ships. A node whose
    effective port differs between ``original`` and the files on disk, because of a file no
    host ships, would keep its old port on the hosts.
    """
    unshipped = {rel: data for rel, data in original.items() if rel not in shipped}
    if not unshipped:
        return []
    return [f"{risk.reason}, but no host in the inventory ships "
            f"{', '.join(sorted(unshipped))}: the move is not pushed"
            for risk in ssh_port_risks(root, unshipped, {})]


# The provider files that can set a node's ssh.port (LEAP's layers; no X.ENV.json variants).
_LAYER_RE = re.compile(r"(common|(nodes|services|tags)/[^/.]+)\.json")
_GIT_TIMEOUT = 10.0


def _git(root: Path, *args: str) -> bytes | None:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True,
                              timeout=_GIT_TIMEOUT, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def git_original_layers(root: Path, shipped: set[str]) -> dict[str, bytes | None] | None:
    """The provider layer files no host ships that differ from the last git commit, with
    their committed bytes (``None``: not committed yet); ``None`` when ``root`` is not in a
    git checkout with a commit.

    The commit is the only record of an unshipped file's earlier content: leap-tui never
    pushed it, so its journal has no copy.
    """
    if _git(root, "rev-parse", "--verify", "-q", "HEAD") is None:
        return None
    changed = _git(root, "diff", "--name-only", "-z", "--relative", "HEAD", "--", ".")
    untracked = _git(root, "ls-files", "-z", "--others", "--exclude-standard", "--", ".")
    if changed is None or untracked is None:
        return None
    original: dict[str, bytes | None] = {}
    for raw, committed in ((changed, True), (untracked, False)):
        for rel in raw.decode("utf-8", "replace").split("\0"):
            if not _LAYER_RE.fullmatch(rel) or rel in shipped:
                continue
            original[rel] = _git(root, "show", f"HEAD:./{rel}") if committed else None
    return original


def unshipped_port_warnings(root: Path, shipped: set[str]) -> tuple[list[str], str]:
    """What a UI shows before asking to apply: the warnings of :func:`unshipped_port_moves`
    against the provider's last git commit, and a note ("" if none) when that cannot be told.
    """
    original = git_original_layers(root, shipped)
    if original is None:
        return [], (f"not checked whether a provider file no host ships (common.json, "
                    f"services/, tags/) moves an ssh.port: {root} is not a git checkout with "
                    "a commit to compare with")
    return unshipped_port_moves(root, shipped, original), ""


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
