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
        row = self.cursor_row
        self.clear()
        for index, finding in enumerate(self._shown):
            label = f"{finding.severity.icon} {finding.severity}"
            severity = Text(label, style=TONES.severity(finding.severity))
            # file:line only (the key is in the message and the detail): no wider than needed.
            where = short_location(finding, self.short_names)
            message = finding.message + (f" — {finding.hint}" if finding.hint else "")
            self.add_row(severity, finding.code, where, message, key=str(index))
        if self._shown:
            self.move_cursor(row=min(row, len(self._shown) - 1))
        # An empty table is no place to stop on Tab (nothing there shows the focus).
        self.can_focus = bool(self._shown)
        if not self._shown and self.has_focus:
            self.screen.focus_previous()

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
