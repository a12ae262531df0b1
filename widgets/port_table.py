"""The port map as a table; rows in conflict are marked by a word and a style."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable

from tui.core.portmap import PortRow
from widgets.tones import TONES


class PortTable(DataTable[Text | str]):
    BINDINGS = [
        # Rows first: Home/End go to the first/last row (DataTable's go sideways).
        Binding("home", "scroll_top", "First row", show=False),
        Binding("end", "scroll_bottom", "Last row", show=False),
    ]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="row", **kwargs)  # type: ignore[arg-type]

    def on_mount(self) -> None:
        self.add_columns("node", "address", "port", "proto", "service", "name", "access", "state")

    def show(self, rows: Sequence[PortRow]) -> None:
        self.clear()
        for row in rows:
            style = TONES.bad if row.conflict else ""
            state = Text("✖ conflict", style=TONES.bad) if row.conflict else Text("ok")
            self.add_row(
                Text(row.node, style=style),
                Text(row.address, style=style),
                Text(str(row.port), style=style),
                row.protocol,
                row.service,
                row.name,
                "public" if row.public else "private",
                state,
            )
