"""`?` / F1: every binding of the app, where it acts, and its id (for keymap remapping)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static


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
                "Plain letters act when the cursor is not in a text field; the F-keys and "
                "ctrl keys work from anywhere. ctrl+p opens the command palette with every "
                "action.",
                classes="placeholder",
            )
            yield Static(keys)
            yield Static(rules, id="help-rules")
        yield Footer(compact=True)
