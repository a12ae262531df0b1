"""The port map: the LEAP page's two tables, live for this provider, plus Clace's listeners."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, Static

from tui.core.portmap import PortRow
from widgets.marked_footer import MarkedFooter
from widgets.port_table import PortTable


class PortMapScreen(Screen[None]):
    BINDINGS = [Binding("escape,f2", "app.pop_screen", "Back", id="ports-close")]

    def __init__(self, rows: list[PortRow]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        yield Header()
        conflicts = sum(1 for row in self.rows if row.conflict)
        yield Static(
            f" Ports: {len(self.rows)} bindings, {conflicts} in conflict", id="section-title"
        )
        yield PortTable(id="port-table")
        yield MarkedFooter(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(PortTable)
        table.show(self.rows)
        table.focus()
