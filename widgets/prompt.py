"""A small modal that asks for one line of text (and optionally one yes/no option)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Static

from widgets.ordered_input import OrderedInput


class PromptDialog(ModalScreen[tuple[str, bool] | None]):
    """Returns (text, option) on Enter, None on Escape."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt-cancel")]

    def __init__(self, question: str, *, placeholder: str = "", option: str | None = None) -> None:
        super().__init__()
        self.question = question
        self.placeholder = placeholder
        self.option = option

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, markup=False)
            yield OrderedInput(placeholder=self.placeholder, id="prompt-text")
            if self.option is not None:
                yield Checkbox(self.option, id="prompt-option")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("OK", id="ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#prompt-text", Input).focus()

    def _answer(self) -> tuple[str, bool] | None:
        text = self.query_one("#prompt-text", Input).value.strip()
        if not text:
            return None
        option = any(box.value for box in self.query("#prompt-option").results(Checkbox))
        return text, option

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(self._answer())

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(self._answer() if event.button.id == "ok" else None)

    def action_cancel(self) -> None:
        self.dismiss(None)
