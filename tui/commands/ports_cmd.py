"""`leap-tui ports`: the LEAP page's two port tables, made live for this provider."""

from __future__ import annotations

import argparse
import sys

from tui.commands.common import CommandError, add_target_options, fail, open_workspace
from tui.core.clace_checks import check_clace
from tui.core.clace_listeners import clace_listener_rows
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
    try:
        workspace = open_workspace(args, nothing="give --provider DIR and/or --clace FILE")
    except CommandError as error:
        return fail(str(error))
    rows = collect_rows(workspace)
    print_rows(rows)
    return 1 if any(row.conflict for row in rows) else 0


def collect_rows(workspace: Workspace) -> list[PortRow]:
    rows: list[PortRow] = []
    if workspace.provider is not None:
        rows.extend(provider_port_rows(workspace.provider))
    if workspace.clace is not None:
        # Only the Clace findings flag Clace rows; the provider's checks are not needed here.
        rows.extend(clace_listener_rows(workspace.clace, check_clace(workspace.clace)))
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
