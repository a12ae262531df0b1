"""The host list: every host the inventory names (hosts.toml, an Ansible inventory, the
provider's LEAP nodes), a filter in --limit's pattern language, a selection, and per host
the last change the journal knows and what the last dry run found of its live files.

Apply, a dry run and rollback act on the selected hosts that the filter shows: the screen
asks the app with an ``Act`` message (it never imports the app).
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Static

from tui.core.hosts.patterns import LimitError, select
from tui.core.hosts.status import DRIFT, IN_SYNC, TO_UPDATE, HostLine
from widgets.marked_footer import MarkedFooter
from widgets.ordered_input import OrderedInput
from widgets.tones import TONES

_DRIFT_LOOK = {IN_SYNC: ("✔", TONES.good), TO_UPDATE: ("●", TONES.warn),
               DRIFT: ("✖", TONES.bad)}
SELECTED, NOT_SELECTED = "[x]", "[ ]"
FILTER_HINT = "/ filters: web*  group  tag:NAME  service:NAME  env:NAME  a:!b  a:&b"


class FilterInput(OrderedInput):
    """The pattern: Enter goes to the hosts at once, so that a key typed right after it
    (``d``, ``space``) acts on the list instead of landing in the filter."""

    async def action_submit(self) -> None:
        screen = self.screen
        if isinstance(screen, HostListScreen):
            screen.sync_filter()  # its Changed messages may still be on their way
        screen.set_focus(screen.query_one("#hosts-table"))


def drift_text(line: HostLine) -> Text:
    icon, style = _DRIFT_LOOK.get(line.drift.state, ("?", "dim"))
    return Text(f"{icon} {line.drift.state}", style=style)


class HostListScreen(Screen[None]):
    remote_kind = "hosts"  # the app's host-list key closes it rather than stacking another
    # The editor's keys are off here: the Footer holds this screen's own at 80 columns.
    hidden_app_actions = frozenset({"save", "show_ports", "show_diff"})
    AUTO_FOCUS = "#hosts-table"
    BINDINGS = [
        Binding("space", "toggle_host", "Pick", id="hosts-toggle",
                tooltip="Select or unselect the highlighted host"),
        Binding("plus", "select_all", "All", id="hosts-all",
                tooltip="Select every host the filter shows"),
        Binding("minus", "select_none", "None", id="hosts-none", show=False,
                tooltip="Unselect every host"),
        # A priority key: the focus is in the filter before the next key of a burst is
        # read (a pattern never needs a slash).
        Binding("slash", "filter", "Filter", id="hosts-filter", show=False, priority=True,
                tooltip="Filter with --limit's patterns: web*, group, tag:NAME, a:!b"),
        Binding("a", "act('apply')", "Apply", id="hosts-apply",
                tooltip="Apply to the selected hosts (a dry run shows the diffs first)"),
        Binding("d", "act('dry-run')", "Dry run", id="hosts-dry-run",
                tooltip="Read the selected hosts' live files: drift and what would change"),
        Binding("r", "act('rollback')", "Rollback", id="hosts-rollback",
                tooltip="Roll back the selected hosts (choose what to restore next)"),
        Binding("escape", "back", "Back", id="hosts-close", show=False),
    ]

    class Act(Message):
        """To the app: ``action`` ("apply", "dry-run", "rollback") on ``names``."""

        def __init__(self, action: str, names: list[str]) -> None:
            super().__init__()
            self.action = action
            self.names = names

    def __init__(self, load: Callable[[], list[HostLine]], notes: list[str] | None = None,
                 *, selected: set[str] | None = None) -> None:
        super().__init__()
        self.load = load
        self.notes = list(notes or [])
        self.lines: list[HostLine] = []
        self.selected: set[str] = set(selected or ())
        self.shown: list[str] = []
        self.shown_for: str | None = None  # the pattern ``shown`` was made from
        self.problem = ""  # why the filter shows nothing (a pattern that selects no host)

    def compose(self) -> ComposeResult:
        yield Header()
        yield FilterInput(placeholder=FILTER_HINT, id="hosts-filter-input",
                           select_on_focus=False, compact=True)
        yield Static("", id="hosts-summary", markup=False)
        yield DataTable[Text | str](id="hosts-table", cursor_type="row")
        yield Static("", id="hosts-detail", markup=False)
        yield MarkedFooter(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "Hosts"
        table = self.table
        table.add_column(" ", key="mark")
        table.add_column("host", key="host")
        table.add_column("live files", key="drift")
        table.add_column("last change", key="last")
        table.add_column("groups · tags", key="labels")
        self.reload()
        for note in self.notes:
            self.notify(note, title="Inventory", timeout=8)

    def on_screen_resume(self) -> None:
        if self.lines:
            self.reload()  # a run may have ended: the journal and the drift states changed

    # state --------------------------------------------------------------------------------

    @property
    def table(self) -> DataTable[Text | str]:
        return self.query_one("#hosts-table", DataTable)

    @property
    def pattern(self) -> str:
        return self.query_one("#hosts-filter-input", Input).value.strip()

    @property
    def chosen(self) -> list[str]:
        """What the actions act on: the selected hosts the filter shows, in inventory order."""
        shown = set(self.shown)
        return [line.name for line in self.lines if line.name in self.selected
                and line.name in shown]

    def line(self, name: str) -> HostLine:
        return next(line for line in self.lines if line.name == name)

    def reload(self) -> None:
        self.lines = self.load()
        names = {line.name for line in self.lines}
        self.selected &= names
        self.apply_filter()

    def sync_filter(self) -> None:
        """The filter as typed so far, before a key acts on what it shows: in a burst the
        keys can be ahead of the filter's Changed messages."""
        if self.pattern != self.shown_for:
            self.apply_filter()

    def apply_filter(self) -> None:
        pattern = self.pattern
        self.shown_for = pattern
        self.problem = ""
        notes: list[str] = []
        if not pattern:
            self.shown = [line.name for line in self.lines]
        else:
            try:
                picked = select(pattern, [line.facts for line in self.lines])
            except LimitError as exc:
                self.shown = []
                self.problem = str(exc).replace("--limit ", "", 1)
            else:
                self.shown = picked.names
                notes = [f"{term!r} selects no host" for term in picked.unmatched]
        self._fill_table()
        self._show_summary(notes)

    def _fill_table(self) -> None:
        table = self.table
        highlighted = self.highlighted_name
        table.clear()
        for name in self.shown:
            line = self.line(name)
            table.add_row(self._mark(name), name, drift_text(line), line.last_change,
                          line.labels, key=name)
        if highlighted in self.shown:
            table.move_cursor(row=self.shown.index(highlighted), animate=False)
        self._show_detail()

    def _mark(self, name: str) -> Text:
        # A Text, not a str: the table would read "[x]" as markup.
        return Text(SELECTED if name in self.selected else NOT_SELECTED)

    def _show_summary(self, notes: list[str] | None = None) -> None:
        total = len(self.lines)
        if not total:
            text = "The inventory lists no hosts."
        elif self.problem:
            text = f"✖ {self.problem}. Change the filter (/), or clear it to see every host."
        else:
            text = (f"{len(self.chosen)} selected of {len(self.shown)} shown ({total} hosts). "
                    "Space selects, + all shown; a, d and r act on the selected hosts shown.")
            if notes:
                text += " Note: " + "; ".join(notes) + "."
        self.query_one("#hosts-summary", Static).update(text)

    @property
    def highlighted_name(self) -> str | None:
        table = self.table
        if not table.row_count:
            return None
        row = table.cursor_row
        return self.shown[row] if 0 <= row < len(self.shown) else None

    def _show_detail(self) -> None:
        name = self.highlighted_name
        text = self.line(name).detail() if name is not None else ""
        self.query_one("#hosts-detail", Static).update(text)

    @on(DataTable.RowHighlighted, "#hosts-table")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    @on(Input.Changed, "#hosts-filter-input")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.apply_filter()

    # actions ------------------------------------------------------------------------------

    def _set_selected(self, names: list[str], on: bool) -> None:
        for name in names:
            if on:
                self.selected.add(name)
            else:
                self.selected.discard(name)
            if name in self.shown:
                self.table.update_cell(name, "mark", self._mark(name))
        self._show_summary()

    def action_toggle_host(self) -> None:
        self.sync_filter()
        name = self.highlighted_name
        if name is not None:
            self._set_selected([name], name not in self.selected)

    def action_select_all(self) -> None:
        self.sync_filter()
        self._set_selected(list(self.shown), True)

    def action_select_none(self) -> None:
        self._set_selected([line.name for line in self.lines], False)

    def action_filter(self) -> None:
        self.set_focus(self.query_one("#hosts-filter-input", Input))

    def action_act(self, action: str) -> None:
        self.sync_filter()
        names = self.chosen
        if not names:
            why = (self.problem if self.problem else
                   "no host is selected among those shown: space selects one, + all shown")
            self.notify(f"Nothing to act on: {why}.", severity="warning", timeout=6)
            return
        self.post_message(self.Act(action, names))

    def action_back(self) -> None:
        if self.focused is self.query_one("#hosts-filter-input", Input):
            self.sync_filter()
            self.set_focus(self.table)  # the filter stays; Escape again closes
            return
        self.dismiss(None)
