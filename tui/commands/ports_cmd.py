"""`leap-tui ports`: the LEAP page's two port tables, made live for this provider."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from tui.commands.common import CommandError, add_target_options, open_workspace
from tui.commands.findings_out import Locator
from tui.commands.output import (
    add_format_option,
    data_console,
    fail,
    needs_spacing,
    plain_lines,
    print_json,
)

if TYPE_CHECKING:
    from tui.core.portmap import PortRow
    from tui.core.workspace import Workspace

COLUMNS = ("node", "address", "port", "proto", "service", "name", "access", "from", "conflict")
TABLE_ROWS = 200
"""Up to this many rows a terminal gets a Rich table; beyond, aligned plain lines: Rich
measures and lays out every cell (seconds for a 2,000-node provider), and a table longer
than a few screens is read with a pager or grep anyway."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "ports",
        help="the port map: node x address x port x service x public/private",
        description=f"On a terminal a table (past {TABLE_ROWS} rows, the same columns as "
        "aligned lines); piped, one record per line with tab-separated fields: "
        f"{' '.join(COLUMNS)}. Exit 1 when two listeners conflict.",
    )
    add_target_options(parser)
    add_format_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        workspace = open_workspace(args, nothing="give --provider DIR and/or --clace FILE")
    except CommandError as error:
        return fail(args, "ports", str(error), error=error.config_error)
    rows = collect_rows(workspace)
    locator = Locator(workspace.provider.root if workspace.provider is not None else None)
    if args.format == "json":
        print_json("ports", {"ports": [row_dict(row, locator) for row in rows]})
    elif sys.stdout.isatty() and len(rows) <= TABLE_ROWS:
        print_table(rows, locator)
    elif sys.stdout.isatty():
        sys.stdout.write(aligned_lines(rows, locator, colour=colour_allowed()))
    else:
        sys.stdout.write(plain_lines([_record(row, locator) for row in rows]))
    return 1 if any(row.conflict for row in rows) else 0


def collect_rows(workspace: Workspace) -> list[PortRow]:
    rows: list[PortRow] = []
    if workspace.provider is not None:
        from tui.core.portmap import provider_port_rows

        rows.extend(provider_port_rows(workspace.provider))
    if workspace.clace is not None:
        from tui.core.clace_checks import check_clace
        from tui.core.clace_listeners import clace_listener_rows

        # Only the Clace findings flag Clace rows; the provider's checks are not needed here.
        rows.extend(clace_listener_rows(workspace.clace, check_clace(workspace.clace)))
    return rows


def _source(row: PortRow, locator: Locator) -> str:
    if not row.source:
        return ""
    path = locator.path_of(row.source)
    return f"{path}:{row.line}" if row.line else path


def row_fields(row: PortRow, locator: Locator) -> list[str]:
    return [row.node, row.address, str(row.port), row.protocol, row.service, row.name,
            "public" if row.public else "private", _source(row, locator),
            "conflict" if row.conflict else ""]


def _record(row: PortRow, locator: Locator) -> list[str]:
    """``row_fields`` with an empty field already "-", as plain_lines writes it (it then
    joins the record as it is: no field is empty, in a port map of thousands of rows)."""
    return [row.node, row.address, str(row.port), row.protocol, row.service, row.name,
            "public" if row.public else "private", _source(row, locator) or "-",
            "conflict" if row.conflict else "-"]


def row_dict(row: PortRow, locator: Locator) -> dict[str, object]:
    return {"node": row.node, "address": row.address, "port": row.port,
            "protocol": row.protocol, "service": row.service, "name": row.name,
            "public": row.public, "property": row.property,
            "file": locator.path_of(row.source) if row.source else None, "line": row.line,
            "conflict": row.conflict, "note": row.note}


def print_table(rows: list[PortRow], locator: Locator) -> None:
    from rich.table import Table

    table = Table(title="Ports", show_lines=False)
    for column in COLUMNS[:-1]:
        table.add_column(column)
    for row in rows:
        fields = row_fields(row, locator)
        fields[5] += "  ✖ conflict" if row.conflict else ""
        table.add_row(*fields[:-1], style="bold red" if row.conflict else None)
    data_console().print(table)


def colour_allowed() -> bool:
    """As Rich decides for the table: no colour under NO_COLOR or on a dumb terminal."""
    return "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def aligned_lines(rows: list[PortRow], locator: Locator, *, colour: bool) -> str:
    """The table's columns as plain text, each padded to its widest cell, under a header;
    a conflict is marked in its name as in the table (and in red when colour is allowed)."""
    cells: list[list[str]] = [list(COLUMNS[:-1])]
    for row in rows:
        fields = row_fields(row, locator)[:-1]
        if row.conflict:
            fields[5] += "  ✖ conflict"
        cells.append([" ".join(f.split()) for f in fields] if needs_spacing(fields) else fields)
    widths = [max(map(len, column)) for column in zip(*cells, strict=True)]
    line = "  ".join(f"{{:<{width}}}" for width in widths).format
    out: list[str] = []
    for index, fields in enumerate(cells):
        text = line(*fields).rstrip()
        if colour and index and rows[index - 1].conflict:
            text = f"\x1b[1;31m{text}\x1b[0m"
        out.append(text + "\n")
    return "".join(out)
