"""`?` / F1: every binding of the app, where it acts, and its id (for keymap remapping)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static

from widgets.marked_footer import MarkedFooter


class HelpScreen(Screen[None]):
    BINDINGS = [Binding("escape,q,question_mark,f1", "app.pop_screen", "Close", id="help-close")]

    def __init__(self, bindings: list[tuple[str, str, str, str]], rules: dict[str, str]) -> None:
        super().__init__()
        self.binding_rows = bindings
        self.rules = rules

    def compose(self) -> ComposeResult:
        yield Header()
        keys = Table(title="Keys", expand=True)
        keys.add_column("key")
        keys.add_column("action")
        keys.add_column("where")
        keys.add_column("id (remap in config.toml [keymap])")
        for key, description, binding_id, where in self.binding_rows:
            keys.add_row(key, description, where, binding_id)
        rules = Table(title="Rules", expand=True)
        rules.add_column("code")
        rules.add_column("rule")
        for code, text in sorted(self.rules.items()):
            rules.add_row(code, Text(text))  # plain: "[http]/[https]" is not markup
        with VerticalScroll(id="help-body"):
            yield Static(
                "Plain keys (letters, ?, /) act only when the cursor is not in a text field: "
                "in a field they are typed. The F-keys and ctrl keys work from anywhere. "
                "ctrl+p opens the command palette with every action. A text field edits like "
                "a shell: Home/ctrl+a, End/ctrl+e, ctrl+u, ctrl+k, ctrl+w, Delete/ctrl+d. "
                "[+] marks a file with unsaved changes; (off), or ✗ when narrow, a key that "
                "is off now (press it to hear why).",
                classes="placeholder", markup=False,
            )
            yield Static(keys)
            yield Static(rules, id="help-rules")
        yield MarkedFooter(compact=True)


def binding_places(app: type, main: type) -> list[tuple[str, tuple[type, ...]]]:
    """Where each class's own bindings act, for the list above (``app`` and ``main`` are
    passed in: they import this module). A test checks that no class is left out."""
    from tui.screens.apply import ApplyScreen
    from tui.screens.confirm import ConfirmDialog, MessageDialog, QuitDialog
    from tui.screens.diff import DiffScreen
    from tui.screens.history import HistoryScreen
    from tui.screens.hostkey import HostKeyDialog
    from tui.screens.hosts import HostListScreen
    from tui.screens.passphrase import PassphraseDialog
    from tui.screens.ports import PortMapScreen
    from tui.screens.remote_run import RemoteRunScreen
    from tui.screens.rollback import RollbackScreen
    from widgets.bool_switch import BoolSwitch
    from widgets.cert_panel import CertificatesPanel
    from widgets.field_row import FieldRow
    from widgets.findings_table import FindingsTable
    from widgets.host_progress import HostProgressTable
    from widgets.host_results import HostResultsTable
    from widgets.nav_tree import NavTree
    from widgets.port_table import PortTable
    from widgets.prompt import PromptDialog

    return [
        ("everywhere", (app,)),
        ("main screen: tree", (NavTree,)),
        ("main screen: fields", (FieldRow, BoolSwitch)),
        ("main screen", (main, FindingsTable, CertificatesPanel)),
        ("apply / rollback", (RemoteRunScreen, ApplyScreen, RollbackScreen, HostProgressTable,
                              HostResultsTable)),
        ("host list", (HostListScreen,)),
        ("history", (HistoryScreen,)),
        ("port map", (PortMapScreen, PortTable)),
        ("diff", (DiffScreen,)),
        ("help", (HelpScreen,)),
        ("dialogs", (ConfirmDialog, QuitDialog, MessageDialog, HostKeyDialog,
                     PassphraseDialog, PromptDialog)),
    ]
