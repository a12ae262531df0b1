"""The findings under the editor: a summary bar, a filter, the table and the highlighted
finding in full; as tall as its findings, up to a third of the screen."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Input, Static

from tui.core.findings import Finding
from widgets.findings_table import FindingsTable, finding_detail
from widgets.ordered_input import OrderedInput

SHORT_SCREEN = 30  # lines: below this the detail keeps to two lines


class FindingsPane(Vertical):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._texts: dict[str, str] = {}  # selector -> the text it shows
        self._fitted: tuple[bool, int, int] | None = None  # display, table rows, detail

    def compose(self) -> ComposeResult:
        yield Static("", id="findings-bar")
        yield OrderedInput(placeholder="filter findings (Enter keeps, Escape clears)",
                           id="findings-filter")
        yield FindingsTable(id="findings")
        yield Static("", id="finding-detail", markup=False)

    @property
    def table(self) -> FindingsTable:
        return self.query_one(FindingsTable)

    @property
    def filter_box(self) -> Input:
        return self.query_one("#findings-filter", Input)

    def show(self, findings: list[Finding], summary: str, short_names: dict[str, str]) -> None:
        self._update("#findings-bar", f" Findings: {summary}")
        table = self.table
        table.short_names = short_names
        table.show(findings)
        self.fit()
        self.show_detail()

    def _update(self, selector: str, text: str) -> None:
        """Only a text that changed: each update lays the screen out again, and most
        keystrokes leave the summary and the highlighted finding as they were."""
        static = self.query_one(selector, Static)
        if self._texts.get(selector) != text:
            self._texts[selector] = text
            static.update(text)

    def fit(self) -> None:
        """With no finding shown, only the bar; else a row each, up to a third of the
        screen: the editor keeps the rest."""
        height = self.screen.size.height
        table = self.table
        shown = len(table.shown)
        most = max(2, (height - 8) // 3)
        rows = min(shown, most) + 1  # and the header row
        detail = self.query_one("#finding-detail", Static)
        detail_height = 2 if height < SHORT_SCREEN else 4
        if (shown > 0, rows, detail_height) == self._fitted:
            return  # as laid out already
        self._fitted = (shown > 0, rows, detail_height)
        table.display = shown > 0
        table.styles.height = rows
        detail.display = shown > 0
        detail.styles.max_height = detail_height

    def show_detail(self) -> None:
        self._update("#finding-detail", finding_detail(self.table.highlighted))

    @on(DataTable.RowHighlighted, "#findings")
    def finding_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail()

    def open_filter(self) -> None:
        box = self.filter_box
        box.add_class("-visible")
        self.screen.set_focus(box)

    def close_filter(self) -> None:
        box = self.filter_box
        box.value = ""
        box.remove_class("-visible")

    @on(Input.Changed, "#findings-filter")
    def filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.table.set_filter(event.value)
        self.fit()
        self.show_detail()

    @on(Input.Submitted, "#findings-filter")
    def filter_done(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value:
            event.input.remove_class("-visible")
        self.focus_table()

    def focus_table(self) -> bool:
        table = self.table
        if not table.can_focus:
            self.notify("No findings to go to." if not table.filter_text else
                        "No finding matches the filter (/ changes it).")
            return False
        self.screen.set_focus(table)
        return True
