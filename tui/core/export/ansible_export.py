"""`leap-tui export ansible DIR`: the files of an Ansible project doing the same apply.

Written: apply.yml (tui/core/export/ansible_playbook.py), inventory.yml (each chosen host
with its connection variables, groups, and ``leap_tui_files``), files/ (each source once:
files/clace.toml, files/provider/nodes/web1.json, and the watchdog script), ansible.cfg
and README.md. Nothing here connects anywhere: the port a LEAP node's sshd listens on
before the change is the one of the provider's last git commit (the edited one when the
provider is not in git); the port after, the edited one.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.core.export.ansible_playbook import (
    PLAYBOOK_NAME,
    WATCHDOG_NAME,
    playbook_text,
    watchdog_script,
)
from tui.core.export.ansible_readme import readme_text
from tui.core.inventory import CLACE_SOURCE, FileSpec, HostSpec

if TYPE_CHECKING:
    from tui.core.leap_provider import Provider

INVENTORY_NAME = "inventory.yml"
# ssh's UserKnownHostsFile when ssh_config does not set it (ssh_config(5)).
SSH_USER_KNOWN_HOSTS = ("~/.ssh/known_hosts", "~/.ssh/known_hosts2")
# Provider files that can move a node's ssh.port (LEAP's layers), guarded like Clace files.
_LAYER_RE = re.compile(r"(common|(nodes|services|tags)/[^/.]+)\.json")


@dataclass(frozen=True, slots=True)
class ExportSettings:
    generated: str  # when, for the playbook's first line
    confirm_within: int = 120
    serial: str | None = None  # --batch, as Ansible's serial


def source_path(source: str) -> str:
    """Where a source's bytes go under the export directory."""
    return "files/clace.toml" if source == CLACE_SOURCE else f"files/provider/{source}"


def guarded(spec: FileSpec) -> bool:
    """Whether a change to this file can lock the operator out (Clace listeners, a node's
    effective ssh.port): decided per file, since the export cannot read the live files."""
    return spec.source == CLACE_SOURCE or bool(_LAYER_RE.fullmatch(spec.source))


def ansible_validate(command: str | None) -> str | None:
    """leap-tui's ``validate`` (a shell command, ``{path}`` the temporary file) as copy's:
    run without a shell, ``%s`` the temporary file, ``%`` doubled."""
    if command is None:
        return None
    script = command.replace("{path}", '"$1"').replace("%", "%%")
    return f"/bin/sh -c {shlex.quote(script)} leap-tui-validate %s"


def node_ports(provider_root: Path | None) -> tuple[dict[str, int], dict[str, int]]:
    """Every node's effective ssh.port before the edit (last git commit) and after it."""
    if provider_root is None:
        return {}, {}
    from tui.core.remote.changes import effective_ssh_ports, git_original_layers

    after = effective_ssh_ports(provider_root, {})
    original = git_original_layers(provider_root, set())
    before = effective_ssh_ports(provider_root, original) if original is not None else after
    return before, after


def _group_name(prefix: str, name: str) -> str:
    return prefix + re.sub(r"[^A-Za-z0-9_]", "_", name)


def host_vars(host: HostSpec, *, provider: Provider | None, before: Mapping[str, int],
              after: Mapping[str, int], known_hosts: Path | None = None) -> dict[str, Any]:
    """The host's inventory variables; ``known_hosts`` is the inventory's own file (hosts.toml
    ``known_hosts``), passed on so that ssh under Ansible checks host keys against it."""
    node = host.leap_node
    address = host.address
    if address is None and node is not None and provider is not None:
        value = provider.effective(node).get("ip_address")
        address = value if isinstance(value, str) else None
    port = host.port or (before.get(node) if node else None)
    variables: dict[str, Any] = {"ansible_host": address or host.name}
    if port is not None:
        variables["ansible_port"] = port
    user = host.user or host.default_user
    if user:
        variables["ansible_user"] = user
    if host.identity_file:
        variables["ansible_ssh_private_key_file"] = host.identity_file
    ssh_args = [f"-o ProxyJump={host.proxy_jump}"] if host.proxy_jump else []
    if known_hosts is not None:
        # As leap-tui reads it: the inventory's file first, then ssh's own defaults.
        files = f"UserKnownHostsFile={known_hosts} {' '.join(SSH_USER_KNOWN_HOSTS)}"
        ssh_args.append(f"-o {shlex.quote(files)}")
    if ssh_args:
        variables["ansible_ssh_common_args"] = " ".join(ssh_args)
    moved = after.get(node) if node else None
    ships_layer = any(_LAYER_RE.fullmatch(f.source) for f in host.files)
    if ships_layer and moved is not None and moved != (port or 22):
        variables["leap_tui_ssh_port_after"] = moved
    variables["leap_tui_files"] = [
        {"src": source_path(f.source), "dest": f.target,
         "validate": ansible_validate(f.validate) or "", "reload": f.reload or "",
         "guard": guarded(f)} for f in host.files]
    return variables


def inventory_document(hosts: Sequence[HostSpec], *, provider: Provider | None,
                       provider_root: Path | None,
                       known_hosts: Path | None = None) -> dict[str, Any]:
    """inventory.yml: every host under ``all``, and groups: the hosts' own, and
    ``leap_tag_*``/``leap_service_*`` for LEAP nodes (so that --limit works as in leap-tui)."""
    before, after = node_ports(provider_root)
    groups: dict[str, list[str]] = {}
    for host in hosts:
        names = list(host.groups)
        if provider is not None and host.leap_node is not None:
            node = provider.effective(host.leap_node)
            names += [_group_name("leap_tag_", t) for t in node.tags]
            names += [_group_name("leap_service_", s) for s in node.services]
        for name in names:
            groups.setdefault(name, []).append(host.name)
    document: dict[str, Any] = {"all": {"hosts": {
        h.name: host_vars(h, provider=provider, before=before, after=after,
                          known_hosts=known_hosts) for h in hosts}}}
    if groups:
        document["all"]["children"] = {
            name: {"hosts": {member: None for member in members}}
            for name, members in sorted(groups.items())}
    return document


def export_files(hosts: Sequence[HostSpec], sources: Mapping[str, bytes], settings:
                 ExportSettings, *, provider: Provider | None = None,
                 provider_root: Path | None = None,
                 known_hosts: Path | None = None) -> dict[str, bytes]:
    """Relative path -> bytes of everything the export directory holds."""
    import yaml

    files: dict[str, bytes] = {}
    for source in sorted({f.source for h in hosts for f in h.files}):
        files[source_path(source)] = sources[source]
    files[f"files/{WATCHDOG_NAME}"] = watchdog_script().encode()
    document = inventory_document(hosts, provider=provider, provider_root=provider_root,
                                  known_hosts=known_hosts)
    files[INVENTORY_NAME] = (
        f"# Written by `leap-tui export ansible` ({settings.generated}).\n"
        + yaml.safe_dump(document, sort_keys=False, default_flow_style=False,
                         allow_unicode=True)).encode()
    files[PLAYBOOK_NAME] = playbook_text(generated=settings.generated,
                                         confirm_within=settings.confirm_within,
                                         serial=settings.serial).encode()
    files["ansible.cfg"] = (f"# Written by `leap-tui export ansible`.\n[defaults]\n"
                            f"inventory = {INVENTORY_NAME}\nretry_files_enabled = False\n"
                            ).encode()
    files["README.md"] = readme_text(len(hosts), settings.confirm_within).encode()
    return files
