"""One editable property: label, a type-aware input, where the value comes from, and help."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.validation import Function, Integer, Validator
from textual.widgets import Checkbox, Input, Label, Static

from widgets.ordered_input import OrderedInput


@dataclass(frozen=True)
class FieldModel:
    """What a FieldRow shows; independent of where the value lives."""

    key: str
    label: str
    kind: str  # "port", "bool", "host", "email", "ip", "list", "port_list", "path", "string"
    text: str  # the value as the input shows it
    origin: str  # "default", "clace.toml:12", "common.json:5"
    note: str = ""
    overridden: bool = False
    computed: bool = False
    minimum: int = -1
    maximum: int = 65535


def _validators(model: FieldModel) -> list[Validator]:
    if model.kind == "port":
        return [Integer(minimum=model.minimum, maximum=model.maximum,
                        failure_description=f"a port: {model.minimum}..{model.maximum}")]
    if model.kind == "port_list":
        def ports_ok(text: str) -> bool:
            parts = [p.strip() for p in text.split(",") if p.strip()]
            return bool(parts) and all(p.isdigit() and 1 <= int(p) <= 65535 for p in parts)
        return [Function(ports_ok, "ports 1..65535, comma separated")]
    if model.kind == "email":
        return [Function(lambda t: t == "" or ("@" in t and "." in t.rsplit("@", 1)[-1]),
                         "an email address, or empty to disable automatic certificates")]
    return []


class FieldRow(Vertical):
    """A row of the field editor. Posts Edited when the operator changes the value."""

    DEFAULT_CSS = """
    FieldRow { height: auto; padding: 0 1; }
    FieldRow .field-line { height: 1; }
    FieldRow .field-label { width: 23; text-wrap: nowrap; text-overflow: ellipsis; }
    FieldRow Input { width: 1fr; min-width: 10; height: 1; }
    FieldRow Checkbox { width: 1fr; height: 1; }
    FieldRow .field-origin {
        width: 22; padding-left: 1; color: $text-muted; text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    FieldRow .field-note { color: $text-muted; padding-left: 23; }
    """

    class Edited(Message):
        def __init__(self, row: FieldRow, key: str, text: str) -> None:
            super().__init__()
            self.row = row
            self.key = key
            self.text = text

    def __init__(self, model: FieldModel, *, show_note: bool = False) -> None:
        super().__init__(id=f"field-{model.key.replace('.', '-')}", classes="field-row")
        self.model = model
        self.show_note = show_note

    def compose(self) -> ComposeResult:
        model = self.model
        with Horizontal(classes="field-line"):
            marker = "●" if model.overridden else " "
            yield Label(f"{marker} {model.label}", classes="field-label")
            if model.kind == "bool":
                yield Checkbox(model.text, value=model.text == "true", id="value", compact=True,
                               tooltip=model.note or None)
            else:
                yield OrderedInput(
                    value=model.text,
                    id="value",
                    validators=_validators(model),
                    type="integer" if model.kind == "port" else "text",
                    tooltip=model.note or None,
                    compact=True,
                )
            yield Static(self._origin_text(), classes="field-origin")
        if self.show_note and model.note:
            yield Static(model.note, classes="field-note", markup=False)

    def _origin_text(self) -> str:
        prefix = "computed " if self.model.computed else ""
        return f"{prefix}← {self.model.origin}"

    @property
    def input_widget(self) -> Input | Checkbox | None:
        """The editing widget; None until the row has been composed."""
        for widget in self.query("#value"):
            if isinstance(widget, Input | Checkbox):
                return widget
        return None

    def refresh_model(self, model: FieldModel) -> None:
        """Show a new value/origin without posting an edit (after undo, or a re-check).

        The model is updated before the input: the Changed event that follows carries the
        model's own text, which is how it is told apart from the operator's typing.
        """
        self.model = model
        widget = self.input_widget
        if widget is None:
            return  # compose() will show the new model
        if isinstance(widget, Checkbox):
            widget.value = model.text == "true"
            widget.label = model.text
        elif widget.value != model.text:
            widget.value = model.text
        marker = "●" if model.overridden else " "
        self.query_one(".field-label", Label).update(f"{marker} {model.label}")
        self.query_one(".field-origin", Static).update(self._origin_text())

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if event.value == self.model.text or event.value.strip() == "":
            return
        self.post_message(self.Edited(self, self.model.key, event.value))

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        text = "true" if event.value else "false"
        event.checkbox.label = text
        if text == self.model.text:
            return
        self.post_message(self.Edited(self, self.model.key, text))

    def focus_input(self) -> None:
        widget = self.input_widget
        if widget is None:
            self.call_after_refresh(self._focus_unless_typing)
        else:
            widget.focus()

    def _focus_unless_typing(self) -> None:
        # A deferred focus must not pull the cursor out of a field the operator moved to
        # (and is typing in) meanwhile.
        widget = self.input_widget
        if widget is not None and not isinstance(self.app.focused, Input | Checkbox):
            widget.focus()
