"""The port map: the LEAP page's two tables, live for this provider, plus Clace's listeners."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, Static

from tui.core.portmap import PortRow
from widgets.marked_footer import MarkedFooter
from widgets.port_table import PortTable

# Addresses that take every interface: they clash with any address of the same node.
ANY_ADDRESS = frozenset({"", "*", "0.0.0.0", "::", "[::]"})


def _overlap(a: str, b: str) -> bool:
    return a == b or a in ANY_ADDRESS or b in ANY_ADDRESS


def mark_clashes(rows: list[PortRow]) -> list[PortRow]:
    """Every row of a clash marked (HTTP and HTTPS on one port: both), clashes first.

    A check reports a clash once, at one of its rows; the others share its node, port and
    protocol on an overlapping address.
    """
    flagged = [r for r in rows if r.conflict]
    marked = [
        row._replace(conflict=True) if not row.conflict and any(
            f.node == row.node and f.port == row.port and f.protocol == row.protocol
            and _overlap(f.address, row.address) for f in flagged) else row
        for row in rows
    ]
    return sorted(marked, key=lambda r: not r.conflict)  # stable: the map's order otherwise


class PortMapScreen(Screen[None]):
    BINDINGS = [Binding("escape,f2", "app.pop_screen", "Back", id="ports-close")]

    def __init__(self, rows: list[PortRow]) -> None:
        super().__init__()
        self.rows = mark_clashes(rows)

    def compose(self) -> ComposeResult:
        yield Header()
        conflicts = sum(1 for row in self.rows if row.conflict)
        yield Static(
            f" Ports: {len(self.rows)} bindings, {conflicts} in a clash"
            "  ·  Enter: the field that sets the port", id="section-title"
        )
        yield PortTable(id="port-table")
        yield MarkedFooter(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(PortTable)
        table.show(self.rows)
        table.focus()
