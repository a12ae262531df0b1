"""The findings of the checks as a table: severity (icon and word), code, place, message."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import PurePath

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from tui.core.findings import Finding
from widgets.tones import TONES

# What a row shows, as text: severity, code, where, message (with the hint).
RowText = tuple[str, str, str, str]
# Rows changed in place at most (or a quarter of the table, if more); past it, a rebuild.
REBUILD_AFTER = 20


class FindingsTable(DataTable[Text | str]):
    BINDINGS = [
        # Rows first: Home/End go to the first/last row (DataTable's go sideways).
        Binding("home", "scroll_top", "First row", show=False),
        Binding("end", "scroll_bottom", "Last row", show=False),
    ]

    class Jump(Message):
        def __init__(self, finding: Finding) -> None:
            super().__init__()
            self.finding = finding

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)  # type: ignore[arg-type]
        self._all: list[Finding] = []
        self._shown: list[Finding] = []
        self._rows_text: list[RowText] = []  # what each row shows now
        self.filter_text = ""
        self.short_names: dict[str, str] = {}  # file as found -> as the where column shows it

    def on_mount(self) -> None:
        self.add_columns("severity", "code", "where", "message")

    def show(self, findings: Sequence[Finding]) -> None:
        self._all = list(findings)
        self._render_rows()

    def set_filter(self, text: str) -> None:
        self.filter_text = text.strip().lower()
        self._render_rows()

    @property
    def shown(self) -> list[Finding]:
        return list(self._shown)

    @property
    def highlighted(self) -> Finding | None:
        if 0 <= self.cursor_row < len(self._shown):
            return self._shown[self.cursor_row]
        return None

    def _render_rows(self) -> None:
        needle = self.filter_text
        self._shown = [
            f for f in self._all
            if not needle or needle in f.format_text().lower() or needle in (f.node or "")
        ]
        rows = [self._row_text(f) for f in self._shown]
        row = self.cursor_row
        if not self._update_rows(rows):
            self.clear()
            for index, finding in enumerate(self._shown):
                self.add_row(*self._cells(finding, rows[index]), key=str(index))
        self._rows_text = rows
        if self._shown:
            self.move_cursor(row=min(row, len(self._shown) - 1))
        # An empty table is no place to stop on Tab (nothing there shows the focus).
        self.can_focus = bool(self._shown)
        if not self._shown and self.has_focus:
            self.screen.focus_previous()

    def _row_text(self, finding: Finding) -> RowText:
        # file:line only (the key is in the message and the detail): no wider than needed.
        return (f"{finding.severity.icon} {finding.severity}", finding.code,
                short_location(finding, self.short_names),
                finding.message + (f" — {finding.hint}" if finding.hint else ""))

    @staticmethod
    def _cells(finding: Finding, text: RowText) -> tuple[Text | str, ...]:
        severity = Text(text[0], style=TONES.severity(finding.severity))
        return (severity, *text[1:])

    def _update_rows(self, rows: list[RowText]) -> bool:
        """Change only the rows that differ from those shown (a keystroke changes one
        finding or none); False when many would change: a rebuild is cheaper then (each
        removed row renumbers the rows after it)."""
        old = self._rows_text
        common = min(len(old), len(rows))
        changed = [i for i in range(common) if old[i] != rows[i]]
        if not old or len(changed) + len(old) - common > max(REBUILD_AFTER, len(rows) // 4):
            return False
        columns = [column.key for column in self.ordered_columns]
        for index in changed:
            cells = self._cells(self._shown[index], rows[index])
            for column, before, after, cell in zip(columns, old[index], rows[index], cells,
                                                   strict=True):
                if before != after:
                    self.update_cell(str(index), column, cell, update_width=True)
        for index in range(len(old) - 1, common - 1, -1):
            self.remove_row(str(index))
        for index in range(common, len(rows)):
            self.add_row(*self._cells(self._shown[index], rows[index]), key=str(index))
        return True

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if 0 <= event.cursor_row < len(self._shown):
            self.post_message(self.Jump(self._shown[event.cursor_row]))


def finding_detail(finding: Finding | None) -> str:
    """The whole message and hint of one finding: the table cell is cut at narrow widths."""
    if finding is None:
        return ""
    # One flowing paragraph, with the key but not the file (it is in the row).
    key = f" {finding.path}" if finding.path else ""
    text = f"{finding.severity.icon} {finding.code}{key}: {finding.message}"
    return text + (f" → {finding.hint}" if finding.hint else "")


def short_location(finding: Finding, names: dict[str, str] | None = None) -> str:
    """``file:line`` with the Clace file (``names``) or an absolute path cut to its name:
    at 80 columns the path would leave no room for the message; the tree and the section
    title show where the file is."""
    file = finding.file
    if file and names and file in names:
        return dataclasses.replace(finding, file=names[file]).location
    if file and file.startswith("/"):
        return dataclasses.replace(finding, file=PurePath(file).name).location
    return finding.location
