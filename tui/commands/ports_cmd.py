"""`leap-tui ports`: the LEAP page's two port tables, made live for this provider."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tui.commands.common import add_target_options, fail
from tui.core.clace_listeners import clace_listener_rows
from tui.core.errors import ConfigError
from tui.core.portmap import PortRow, provider_port_rows
from tui.core.workspace import Workspace


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "ports",
        help="the port map: node x address x port x service x public/private",
    )
    add_target_options(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    clace = getattr(args, "clace", None)
    provider = getattr(args, "provider", None)
    if clace is None and provider is None:
        return fail("give --provider DIR and/or --clace FILE")
    try:
        workspace = Workspace.open(
            clace=Path(clace) if clace else None, provider=Path(provider) if provider else None
        )
    except ConfigError as error:
        return fail(str(error))
    rows = collect_rows(workspace)
    print_rows(rows)
    return 1 if any(row.conflict for row in rows) else 0


def collect_rows(workspace: Workspace) -> list[PortRow]:
    rows: list[PortRow] = []
    findings = workspace.check()
    if workspace.provider is not None:
        rows.extend(provider_port_rows(workspace.provider))
    if workspace.clace is not None:
        rows.extend(clace_listener_rows(workspace.clace, findings))
    return rows


def print_rows(rows: list[PortRow]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Ports", show_lines=False)
    for column in ("node", "address", "port", "proto", "service", "name", "access", "from"):
        table.add_column(column)
    for row in rows:
        source = f"{row.source}:{row.line}" if row.source and row.line else (row.source or "")
        table.add_row(
            row.node,
            row.address,
            str(row.port),
            row.protocol,
            row.service,
            row.name + ("  ✖ conflict" if row.conflict else ""),
            "public" if row.public else "private",
            source,
            style="bold red" if row.conflict else None,
        )
    Console(width=None if sys.stdout.isatty() else 160).print(table)
