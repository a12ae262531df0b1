"""Dialogs that ask before anything destructive happens."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmDialog(ModalScreen[bool]):
    """Yes/no; Enter on the focused button, y/n, Escape is no."""

    BINDINGS = [
        Binding("escape,n", "answer(False)", "No", id="confirm-no"),
        Binding("y", "answer(True)", "Yes", id="confirm-yes"),
    ]

    def __init__(self, question: str, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.question = question
        self.yes_label = yes
        self.no_label = no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, id="question")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.no_label, id="no")
                yield Button(self.yes_label, id="yes", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class QuitDialog(ModalScreen[str]):
    """Unsaved changes: save and quit, quit without saving, or stay. The buttons' labels
    are plain Content: as markup, "[c]" was a style tag and the key hint vanished."""

    BINDINGS = [
        Binding("escape,c", "choose('cancel')", "Stay", id="quit-cancel"),
        Binding("s", "choose('save')", "Save and quit", id="quit-save"),
        Binding("d", "choose('discard')", "Discard and quit", id="quit-discard"),
    ]

    def __init__(self, files: list[str]) -> None:
        super().__init__()
        self.files = files

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            listing = ", ".join(self.files)
            yield Static(f"Unsaved changes in {listing}.\nSave them before quitting?",
                         id="question", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(Content("Stay [c]"), id="cancel")
                yield Button(Content("Discard [d]"), id="discard", variant="error")
                yield Button(Content("Save [s]"), id="save", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id or "cancel")


class MessageDialog(ModalScreen[None]):
    """A message that must be read (a file that did not load)."""

    BINDINGS = [Binding("escape,enter", "close", "Close", id="message-close")]

    def __init__(self, title: str, body: str) -> None:
        super().__init__()
        self.title_text = title
        self.body = body

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, id="message-title")
            yield Static(self.body, id="load-errors", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("OK", id="ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#ok", Button).focus()

    def action_close(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None)
