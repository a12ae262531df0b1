"""The local journal: what leap-tui did on which host, newest first."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from tui.core.remote.journal import backup_label, outcomes, restored_backups, short_hash
from widgets.marked_footer import MarkedFooter
from widgets.tones import TONES

if TYPE_CHECKING:
    from tui.core.remote.journal import JournalEntry

_GOOD = frozenset({"applied", "confirmed", "rolled-back", "unchanged"})
_PENDING = frozenset({"pending", "unconfirmed"})


def result_text(result: str) -> Text:
    if result in _GOOD:
        return Text("✔ " + result, style=TONES.good)
    if result in _PENDING:
        return Text("⏳ " + result, style=TONES.warn)
    return Text("✖ " + result, style=TONES.bad)


class HistoryScreen(Screen[None]):
    BINDINGS = [
        Binding("escape,h,f7", "app.pop_screen", "Back", id="history-close"),
    ]

    def __init__(self, entries: Sequence[JournalEntry], journal_path: Path) -> None:
        super().__init__()
        self.entries = list(reversed(outcomes(list(entries))))  # how each change ended
        self.restored = restored_backups(list(entries))
        self.journal_path = journal_path

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f" History: {len(self.entries)} entries in {self.journal_path}",
                     id="section-title", markup=False)
        if not self.entries:
            yield Static("Nothing was applied or rolled back yet.", classes="placeholder")
        yield DataTable[Text | str](id="history-table", cursor_type="row")
        yield Static("", id="history-detail", markup=False)
        yield MarkedFooter(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "History"
        table: DataTable[Text | str] = self.query_one("#history-table", DataTable)
        table.add_columns("time", "action", "host", "path", "result", "before → after",
                          "backup", "detail")
        for entry in self.entries:
            table.add_row(entry.time, entry.action, entry.host, entry.path,
                          result_text(entry.result),
                          f"{short_hash(entry.before)} → {short_hash(entry.after)}",
                          backup_label(entry, self.restored),
                          Text(entry.detail or "", overflow="ellipsis"))
        table.can_focus = bool(self.entries)  # an empty table is no place to stop on Tab
        if self.entries:
            table.focus()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The highlighted entry in full: the table's cells are cut at 80 columns."""
        if 0 <= event.cursor_row < len(self.entries):
            self.query_one("#history-detail", Static).update(
                entry_detail(self.entries[event.cursor_row]))


def entry_detail(entry: JournalEntry) -> str:
    lines = [f"{entry.time}  {entry.action} on {entry.host}: {entry.path}  →  {entry.result}",
             f"before {entry.before or '(absent)'}",
             f"after  {entry.after or '(absent)'}"]
    if entry.backup:
        lines.append(f"backup {entry.backup}")
    if entry.detail:
        lines.append(entry.detail)
    return "\n".join(lines)
