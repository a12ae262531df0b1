"""`leap-tui history`: what apply and rollback did, from the local journal."""

from __future__ import annotations

import argparse
import sys

from tui.commands.common import fail


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "history", help="list what apply/rollback did (the local journal)",
        description="The journal lives under the user's state directory "
        "($LEAP_TUI_STATE_DIR overrides it).")
    parser.add_argument("--host", default=None, metavar="NAME", help="only this host")
    parser.add_argument("--all", action="store_true",
                        help="every journal entry (also the 'pending' ones written before "
                        "each swap), oldest first")
    parser.set_defaults(handler=run)


# A date and a "hash →" each on a line of their own when the table must wrap.
_MIN_WIDTHS = {"time (UTC)": 10, "before → after": 9}


def run(args: argparse.Namespace) -> int:
    from rich import box
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from tui.core.remote.journal import (
        Journal,
        backup_label,
        outcomes,
        restored_backups,
        short_hash,
    )

    journal = Journal()
    read = journal.read(args.host)
    unusable = [p for p in read.problems if p.line is None]
    if unusable:
        return fail(unusable[0].format(journal.path))
    for problem in read.problems:
        print(f"leap-tui: warning: {problem.format(journal.path)}", file=sys.stderr)
    entries = read.entries
    console = Console()
    if not entries:
        console.print(f"No history in {journal.path}" + (f" for {args.host}" if args.host else ""),
                      markup=False, highlight=False)
        return 0
    restored = restored_backups(entries)
    if not args.all:
        entries = list(reversed(outcomes(entries)))  # how each change ended, newest first
    # No vertical rules: at 80 columns every character goes to the cells.
    table = Table(title=escape(f"leap-tui history ({journal.path})"), box=box.SIMPLE_HEAD,
                  pad_edge=False)
    columns = ["time (UTC)", "host", "action", "file", "result", "before → after", "backup"]
    with_detail = any(entry.detail for entry in entries)
    for column in columns + (["detail"] if with_detail else []):
        # Names and results stay whole; times, hashes, paths and stamps wrap into the rest.
        table.add_column(column, overflow="fold",
                         no_wrap=column in ("host", "action", "result"),
                         min_width=_MIN_WIDTHS.get(column))
    for entry in entries:
        row = [entry.time.replace("T", " ").removesuffix("Z"), entry.host, entry.action,
               entry.path, entry.result,
               f"{short_hash(entry.before)} → {short_hash(entry.after)}",
               backup_label(entry, restored)]
        # Journal text is data, never Rich markup: "[/x]" in a detail must print as typed.
        table.add_row(*map(escape, row), *([escape(entry.detail)] if with_detail else []))
    console.print(table)
    return 0
