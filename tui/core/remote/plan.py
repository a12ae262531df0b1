"""What goes where: the inventory's files paired with the bytes to put there."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tui.core.errors import ConfigError
from tui.core.inventory import CLACE_SOURCE, HostSpec, Inventory
from tui.core.inventory import FileSpec as FileSpec
from tui.core.textfile import read_bytes


@dataclass(frozen=True, slots=True)
class FileChange:
    spec: FileSpec
    new: bytes


@dataclass(frozen=True, slots=True)
class HostPlan:
    host: HostSpec
    changes: tuple[FileChange, ...]


def load_sources(inventory: Inventory, hosts: Sequence[HostSpec], *, clace: Path | None,
                 provider: Path | None) -> dict[str, bytes]:
    """The bytes of every source the chosen hosts need, as saved on disk."""
    sources: dict[str, bytes] = {}
    for source in sorted({f.source for h in hosts for f in h.files}):
        if source == CLACE_SOURCE:
            if clace is None:
                raise ConfigError(str(inventory.path), "the inventory ships the Clace file: "
                                  "give it with --clace FILE")
            path = Path(clace)
        else:
            if provider is None:
                raise ConfigError(str(inventory.path), f"the inventory ships {source}: give the "
                                  "provider with --provider DIR")
            path = Path(provider) / source
        try:
            sources[source] = read_bytes(path, str(path))  # regular files only: never hangs
        except ConfigError as error:
            raise ConfigError(str(path), f"cannot read {source}: {error.message}") from None
    return sources


def plan(inventory: Inventory, sources: dict[str, bytes],
         hosts: Sequence[str] | None = None) -> list[HostPlan]:
    """One HostPlan per chosen host; a source missing from ``sources`` is bad input."""
    plans: list[HostPlan] = []
    for host in inventory.select(list(hosts) if hosts else None):
        changes: list[FileChange] = []
        for spec in host.files:
            if spec.source not in sources:
                raise ConfigError(str(inventory.path),
                                  f"host {host.name!r}: no content for source {spec.source!r}")
            changes.append(FileChange(spec, sources[spec.source]))
        plans.append(HostPlan(host, tuple(changes)))
    return plans
