"""Pending changes against the files on disk."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header

from widgets.diff_view import DiffView
from widgets.marked_footer import MarkedFooter


class DiffScreen(Screen[None]):
    BINDINGS = [Binding("escape,f3", "app.pop_screen", "Back", id="diff-close")]

    def __init__(self, diffs: list[tuple[str, str]]) -> None:
        super().__init__()
        self.diffs = diffs

    def compose(self) -> ComposeResult:
        yield Header()
        yield DiffView(self.diffs, id="diff-view")
        yield MarkedFooter(compact=True)

    def on_mount(self) -> None:
        self.query_one(DiffView).focus()
