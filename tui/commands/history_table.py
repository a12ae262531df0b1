"""`history` on a terminal: a table whose paths and backup stamps stay whole.

Rich shares a narrow terminal's width out among the columns and folds words that do not
fit, so a path or a stamp (what `rollback --to` takes) would be cut mid-word. Here the
widths are chosen first: names and results never wrap, a file path and then a backup
stamp keep their whole width when the row can hold them, and the details, when they
would leave the paths no room, go below the table as numbered notes wrapped between
words. Only a terminal too narrow for the paths themselves folds them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from tui.core.remote.journal import JournalEntry

COLUMNS = ("time (UTC)", "host", "action", "file", "result", "before → after", "backup")
# A date and a "hash →" each on a line of their own when the table must wrap.
_MIN_WIDTHS = {"time (UTC)": 10, "before → after": 9}
# The least a detail column is given beside whole paths; with less, details become notes.
_DETAIL_MIN = 16


def print_table(console: Console, path: Path, entries: list[JournalEntry],
                restored: set[str]) -> None:
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    from tui.core.remote.journal import backup_label, short_hash

    labels = [backup_label(e, restored) for e in entries]
    with_detail = any(entry.detail for entry in entries)
    whole = {"file": max(len(e.path) for e in entries),
             "backup": max(len(label.split(" ")[0]) for label in labels)}
    fixed = _fixed_width(entries)
    detail_column = with_detail and _fits(console.width, fixed, whole, extra=_DETAIL_MIN)
    notes = with_detail and not detail_column
    # What stays whole, in this order, while the row can hold it: paths, then stamps.
    widths = next((w for w in (whole, {"file": whole["file"]})
                   if _fits(console.width, fixed, w, extra=0)), None)
    if widths is None:
        print_entries(console, path, entries, labels)
        return
    # No vertical rules: at 80 columns every character goes to the cells.
    table = Table(title=escape(f"leap-tui history ({path})"), box=box.SIMPLE_HEAD,
                  pad_edge=False)
    for column in (*COLUMNS, *(("detail",) if detail_column else ())):
        # A fixed width is one Rich never takes from (a min_width it would exceed, and
        # crop the table).
        table.add_column(column, overflow="fold",
                         no_wrap=column in ("host", "action", "result"),
                         width=widths.get(column), min_width=_MIN_WIDTHS.get(column))
    numbered: list[str] = []
    for entry, label in zip(entries, labels, strict=True):
        result = entry.result
        if notes and entry.detail:
            numbered.append(entry.detail)
            result += f" ({len(numbered)})"
        row = [entry.time.replace("T", " ").removesuffix("Z"), entry.host, entry.action,
               entry.path, result, f"{short_hash(entry.before)} → {short_hash(entry.after)}",
               label]
        # Journal text is data, never Rich markup: "[/x]" in a detail must print as typed.
        table.add_row(*map(escape, row), *([escape(entry.detail)] if detail_column else []))
    console.print(table)
    for number, detail in enumerate(numbered, start=1):
        console.print(f"({number}) {detail}", markup=False, highlight=False)


def print_entries(console: Console, path: Path, entries: list[JournalEntry],
                  labels: list[str]) -> None:
    """Too narrow for a table with whole paths: each entry as a few lines, wrapped
    between words (a path longer than the terminal alone folds)."""
    from rich.padding import Padding
    from rich.text import Text

    from tui.core.remote.journal import short_hash

    console.print(f"leap-tui history ({path})", markup=False, highlight=False)
    for entry, label in zip(entries, labels, strict=True):
        console.print()
        time = entry.time.replace("T", " ").removesuffix("Z")
        console.print(f"{time}  {entry.host}  {entry.action}  {entry.result}", markup=False,
                      highlight=False)
        lines = [entry.path, f"{short_hash(entry.before)} → {short_hash(entry.after)}"
                 f"  backup {label}", *([entry.detail] if entry.detail else [])]
        for line in lines:  # indented as a block: a wrapped line keeps the indent
            console.print(Padding(Text(line, overflow="fold"), (0, 0, 0, 2), expand=False))


def _fixed_width(entries: list[JournalEntry]) -> int:
    """The columns that never give way: names and results whole, time and hashes wrapped
    to their least (10 and 9), and the two spaces between columns."""
    host = max(max(len(e.host) for e in entries), len("host"))
    action = max(max(len(e.action) for e in entries), len("action"))
    result = max(max(len(e.result) + 5 for e in entries), len("result"))  # " (N)" notes
    return 10 + host + action + result + 9


def _fits(width: int, fixed: int, widths: dict[str, int], *, extra: int) -> bool:
    """Whether the row holds ``widths`` whole; the other columns of file and backup get
    at least 10 characters, ``extra`` goes to a detail column."""
    columns = len(COLUMNS) + (1 if extra else 0)
    flexible = 10 * (2 - len(widths))
    return fixed + sum(widths.values()) + flexible + extra + 2 * (columns - 1) <= width
