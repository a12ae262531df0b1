"""`leap-tui history`: what apply and rollback did, from the local journal."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "history", help="list what apply/rollback did (the local journal)",
        description="The journal lives under the user's state directory "
        "($LEAP_TUI_STATE_DIR overrides it).")
    parser.add_argument("--host", default=None, metavar="NAME", help="only this host")
    parser.set_defaults(handler=run)


def _short(digest: str | None) -> str:
    return digest[:10] if digest else "(absent)"


def run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from tui.core.remote.journal import Journal

    journal = Journal()
    entries = journal.entries(args.host)
    console = Console()
    if not entries:
        console.print(f"No history in {journal.path}" + (f" for {args.host}" if args.host else ""))
        return 0
    table = Table(title=f"leap-tui history ({journal.path})")
    for column in ("time", "host", "action", "file", "result", "before -> after", "backup",
                   "detail"):
        table.add_column(column, overflow="fold")
    for entry in entries:
        table.add_row(entry.time, entry.host, entry.action, entry.path, entry.result,
                      f"{_short(entry.before)} -> {_short(entry.after)}",
                      (entry.backup or "-").rsplit("/", 1)[-1], entry.detail or "")
    console.print(table)
    return 0
