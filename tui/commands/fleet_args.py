"""What `apply`, `rollback` and `export` share for fleets: --limit, --batch, --max-fail,
and the hosts they act on (hosts.toml, an Ansible inventory, or the provider's nodes)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core.errors import ConfigError

if TYPE_CHECKING:
    from rich.console import Console

    from tui.core.inventory import HostSpec, Inventory
    from tui.core.leap_provider import Provider
    from tui.core.remote.fleet import Batch


def add_limit_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--limit", "-l", metavar="PATTERN", default=None,
                        help="only the hosts this Ansible-style pattern selects: web*, GROUP, "
                        "GROUP:!OTHER, GROUP:&OTHER, tag:production, service:openvpn, "
                        "env:NAME (a pattern that selects no host is an error)")


def add_rolling_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--batch", metavar="N|N%", default=None,
                        help="roll out in waves of N hosts (or N%% of them), one wave after "
                        "the other (default: one wave)")
    parser.add_argument("--max-fail", type=int, default=None, metavar="N",
                        help="start no new wave once N hosts have failed (default with "
                        "--batch: stop when every host of a wave failed)")


def rolling(args: argparse.Namespace) -> tuple[Batch | None, int | None]:
    """--batch and --max-fail, checked (ConfigError for unusable values)."""
    from tui.core.remote.fleet import Batch

    batch = None
    if args.batch is not None:
        try:
            batch = Batch.parse(args.batch)
        except ValueError as exc:
            raise ConfigError("", str(exc)) from None
    if args.max_fail is not None and args.max_fail < 1:
        raise ConfigError("", "--max-fail must be at least 1")
    return batch, args.max_fail


def load_provider_arg(root: Path | None) -> Provider | None:
    if root is None:
        return None
    from tui.core.leap_provider import Provider

    return Provider.load(Path(root))


def fleet_hosts(args: argparse.Namespace, provider_root: Path | None, status: Console,
                names: list[str]) -> tuple[Inventory, list[HostSpec]]:
    """The inventory and the chosen hosts that receive files; notes and left-out hosts
    are said on stderr. ConfigError: no inventory, a bad pattern, nothing left."""
    from tui.core.hosts import choose, load_hosts

    provider = load_provider_arg(provider_root)
    path = getattr(args, "inventory", None)
    inventory = load_hosts(Path(path) if path else None, provider_root, provider)
    for note in inventory.notes:
        _note(status, note)
    if not inventory.hosts:
        raise ConfigError(str(inventory.path), "the inventory lists no hosts")
    hosts, notes = choose(inventory, names, getattr(args, "limit", None), provider)
    for note in notes:
        _note(status, note)
    empty = [h.name for h in hosts if not h.files]
    if empty and len(empty) == len(hosts):
        raise ConfigError(str(inventory.path), f"no file goes to {_names(empty)}: give "
                          "them [[fleet.file]] rules in a hosts.toml (which can name an Ansible "
                          "inventory: ansible_inventory = \"hosts.ini\"), or open the provider "
                          "whose nodes they are (docs/apply.md, Fleets)")
    if empty:
        status.print(f"warning: no file goes to {_names(empty)}: left out", style="yellow",
                     markup=False, highlight=False, soft_wrap=True)
    return inventory, [h for h in hosts if h.files]


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:8])
    return shown + (f" and {len(names) - 8} more" if len(names) > 8 else "")


def _note(status: Console, text: str) -> None:
    status.print(f"note: {text}", style="dim", markup=False, highlight=False, soft_wrap=True)
