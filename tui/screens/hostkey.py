"""An unknown host key: its SHA256 fingerprint shown, trusted only on the operator's word."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class HostKeyDialog(ModalScreen[bool]):
    """True: trust and record the key. Refusing is the default (Escape, n, the focused button)."""

    BINDINGS = [
        Binding("escape,n", "answer(False)", "Refuse", id="hostkey-refuse"),
        Binding("y", "answer(True)", "Trust", id="hostkey-accept"),
    ]

    def __init__(self, name: str, key_type: str, fingerprint: str) -> None:
        super().__init__()
        self.host_name = name
        self.key_type = key_type
        self.fingerprint = fingerprint

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(f"Unknown host key for {self.host_name}", id="hostkey-title",
                         markup=False)
            yield Static(f"{self.key_type} {self.fingerprint}", id="hostkey-fingerprint",
                         markup=False)
            yield Static("Compare it with the host's own (ssh-keygen -lf on the host). "
                         "Trusting records it in known_hosts.", classes="placeholder")
            with Horizontal(classes="dialog-buttons"):
                yield Button(Content("Refuse [n]"), id="refuse", variant="primary")
                yield Button(Content("Trust [y]"), id="accept", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#refuse", Button).focus()

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "accept")
