"""The port map as a table: the state first (a word and an icon, not colour alone)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from tui.core.portmap import PortRow
from widgets.tones import TONES

# Rows added when the map opens (more than a screen holds), then per frame after it.
FIRST_ROWS = 200
CHUNK_ROWS = 1000


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
        self._fed = 0  # rows added so far
        self._feeding = 0  # which show() the rows being added belong to

    def on_mount(self) -> None:
        self.add_columns("state", "node", "address", "port", "proto", "name", "service",
                         "access")

    def show(self, rows: Sequence[PortRow]) -> None:
        """The rows: a screenful and more at once, the rest a chunk per frame after it (a
        2,000-node provider has 12,000 of them: the map opens without waiting for all)."""
        self.port_rows = list(rows)
        self.clear()
        self._fed = 0
        self._feeding += 1
        self._feed(self._feeding, FIRST_ROWS)

    @property
    def complete(self) -> bool:
        """Every row is in the table."""
        return self._fed == len(self.port_rows)

    def _feed(self, feeding: int, count: int) -> None:
        if feeding != self._feeding:
            return  # shown anew since
        end = min(len(self.port_rows), self._fed + count)
        for row in self.port_rows[self._fed:end]:
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
        self._fed = end
        if not self.complete:
            self.call_after_refresh(self._feed, feeding, CHUNK_ROWS)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if 0 <= event.cursor_row < len(self.port_rows):
            self.post_message(self.Jump(self.port_rows[event.cursor_row]))
