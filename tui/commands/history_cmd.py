"""`leap-tui history`: what apply and rollback did, from the local journal."""

from __future__ import annotations

import argparse
import sys

from tui.commands.output import (
    add_format_option,
    data_console,
    fail,
    plain_lines,
    print_json,
)

COLUMNS = ("time", "host", "action", "file", "result", "before", "after", "backup", "detail")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "history", help="list what apply/rollback did (the local journal)",
        description="How each change ended, newest first. The journal lives under the "
        "user's state directory ($LEAP_TUI_STATE_DIR overrides it). On a terminal a table; "
        "piped, one record per line with tab-separated fields: " + " ".join(COLUMNS) + ".")
    parser.add_argument("--host", default=None, metavar="NAME", help="only this host")
    parser.add_argument("--all", action="store_true",
                        help="every journal entry (also the 'pending' ones written before "
                        "each swap), oldest first")
    add_format_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from tui.core.remote.journal import Journal, backup_label, outcomes, restored_backups

    journal = Journal()
    read = journal.read(args.host)
    unusable = [p for p in read.problems if p.line is None]
    if unusable:
        return fail(args, "history", unusable[0].format(journal.path))
    for problem in read.problems:
        print(f"leap-tui: warning: {problem.format(journal.path)}", file=sys.stderr)
    entries = read.entries
    restored = restored_backups(entries)
    if not args.all:
        entries = list(reversed(outcomes(entries)))  # how each change ended, newest first
    if args.format == "json":
        print_json("history", {"journal": str(journal.path), "entries": [
            {"time": e.time, "run": e.run, "action": e.action, "host": e.host, "path": e.path,
             "before": e.before, "after": e.after, "backup": e.backup,
             "backup_restored": e.backup is not None and e.backup in restored,
             "result": e.result, "detail": e.detail} for e in entries]})
        return 0
    if not entries:
        print(f"No history in {journal.path}" + (f" for {args.host}" if args.host else ""),
              file=sys.stderr)
        return 0
    if not sys.stdout.isatty():
        sys.stdout.write(plain_lines([
            [e.time, e.host, e.action, e.path, e.result, e.before or "", e.after or "",
             backup_label(e, restored) if e.backup else "", e.detail] for e in entries]))
        return 0
    from tui.commands.history_table import print_table

    print_table(data_console(), journal.path, entries, restored)
    return 0
