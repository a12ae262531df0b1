"""A key's passphrase, typed into a hidden field; it goes to the SSH client and nowhere else."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from widgets.ordered_input import OrderedInput


class PassphraseDialog(ModalScreen[str | None]):
    """The passphrase on Enter; None on Escape (the host then fails with AP010)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="passphrase-cancel")]

    def __init__(self, key_path: str) -> None:
        super().__init__()
        self.key_path = key_path

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(f"Passphrase for {self.key_path}", markup=False)
            yield OrderedInput(password=True, id="passphrase")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("OK", id="ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#passphrase", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        value = self.query_one("#passphrase", Input).value
        self.dismiss(value if event.button.id == "ok" else None)

    def action_cancel(self) -> None:
        self.dismiss(None)
