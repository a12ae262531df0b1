"""The port map as a table: the state first (a word and an icon, not colour alone)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from tui.core.portmap import PortRow
from widgets.tones import TONES


class PortTable(DataTable[Text | str]):
    BINDINGS = [
        # Rows first: Home/End go to the first/last row (DataTable's go sideways).
        Binding("home", "scroll_top", "First row", show=False),
        Binding("end", "scroll_bottom", "Last row", show=False),
    ]

    class Jump(Message):
        """Enter on a row: show the field that sets its port."""

        def __init__(self, row: PortRow) -> None:
            super().__init__()
            self.row = row

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="row", **kwargs)  # type: ignore[arg-type]
        self.port_rows: list[PortRow] = []

    def on_mount(self) -> None:
        self.add_columns("state", "node", "address", "port", "proto", "name", "service",
                         "access")

    def show(self, rows: Sequence[PortRow]) -> None:
        self.port_rows = list(rows)
        self.clear()
        for row in self.port_rows:
            style = TONES.bad if row.conflict else ""
            state = Text("✖ clash", style=TONES.bad) if row.conflict else Text("✔ ok")
            self.add_row(
                state,
                Text(row.node, style=style),
                Text(row.address, style=style),
                Text(str(row.port), style=style),
                row.protocol,
                row.name,
                row.service,
                "public" if row.public else "private",
            )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if 0 <= event.cursor_row < len(self.port_rows):
            self.post_message(self.Jump(self.port_rows[event.cursor_row]))
