"""One editable property: label, a type-aware input, where the value comes from, and help."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.validation import Function, Integer, Validator
from textual.widgets import Input, Label, Static

from widgets.bool_switch import BoolSwitch
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


PORT_TEXT = r"[-+]?[0-9]*"  # what a port field takes while it is typed (-1: disabled)


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
    """A row of the field editor. Posts Edited whenever its text changes.

    ``committed`` is the text the model holds for this row, as the row last showed or sent
    it: an edit is pending while the input shows something else. The screen turns pending
    text into a model edit in one place (``MainScreen.commit``), both when the Edited message
    arrives and before any key binding runs, so a save never misses the last key.
    """

    DEFAULT_CSS = """
    FieldRow { height: auto; padding: 0 1; }
    FieldRow .field-line { height: 1; }
    FieldRow .field-label { width: 23; text-wrap: nowrap; text-overflow: ellipsis; }
    FieldRow Input { width: 1fr; min-width: 10; height: 1; }
    FieldRow .field-origin {
        width: 22; padding-left: 1; color: $text-muted; text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    FieldRow .field-note { color: $text-muted; padding-left: 23; }
    """
    BINDINGS = [
        Binding("down", "next_field", "Next field", show=False, id="field-next"),
        Binding("up", "previous_field", "Previous field", show=False, id="field-previous"),
    ]

    class Edited(Message):
        def __init__(self, row: FieldRow) -> None:
            super().__init__()
            self.row = row

    def __init__(self, model: FieldModel, *, show_note: bool = False) -> None:
        super().__init__(id=f"field-{model.key.replace('.', '-')}", classes="field-row")
        self.model = model
        self.committed = model.text
        self.show_note = show_note

    def compose(self) -> ComposeResult:
        model = self.model
        with Horizontal(classes="field-line"):
            marker = "●" if model.overridden else " "
            yield Label(f"{marker} {model.label}", classes="field-label")
            if model.kind == "bool":
                yield BoolSwitch(model.text == "true", id="value", tooltip=model.note or None)
            else:
                yield OrderedInput(
                    value=model.text,
                    id="value",
                    validators=_validators(model),
                    # Not type="integer": Textual's pattern for it backtracks exponentially
                    # (30 digits then "+" froze the app for a minute). A sign and digits.
                    restrict=PORT_TEXT if model.kind == "port" else None,
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
    def input_widget(self) -> Input | BoolSwitch | None:
        """The editing widget; None until the row has been composed."""
        for widget in self.query("#value"):
            if isinstance(widget, Input | BoolSwitch):
                return widget
        return None

    @property
    def shown_text(self) -> str:
        widget = self.input_widget
        if isinstance(widget, BoolSwitch):
            return "true" if widget.value else "false"
        return widget.value if widget is not None else self.committed

    @property
    def pending_text(self) -> str | None:
        """The text shown when the model does not have it yet."""
        text = self.shown_text
        return text if text != self.committed else None

    def refresh_model(self, model: FieldModel, *, keep_shown: bool = False) -> None:
        """Show a new value/origin without posting an edit (after an edit, undo, a save).

        With ``keep_shown`` the input keeps the operator's spelling ("0443" for 443).
        """
        previous, self.model = self.model, model
        widget = self.input_widget
        if keep_shown:
            self.committed = self.shown_text
        else:
            self.committed = model.text
            if isinstance(widget, BoolSwitch):
                widget.value = model.text == "true"
            elif widget is not None and widget.value != model.text:
                widget.value = model.text
        if widget is None or model == previous:
            return  # compose() will show the new model; or nothing to show anew
        # Only what changed: each update lays the whole screen out again (a frame's work
        # on every keystroke when the row's label and origin stay as they were).
        marker = "●" if model.overridden else " "
        if model.overridden != previous.overridden or model.label != previous.label:
            self.query_one(".field-label", Label).update(f"{marker} {model.label}")
        if model.origin != previous.origin or model.computed != previous.computed:
            self.query_one(".field-origin", Static).update(self._origin_text())

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        # Every change: the screen commits what is pending and redraws the help line,
        # which describes the text shown (pending or not).
        self.post_message(self.Edited(self))

    def on_bool_switch_changed(self, event: BoolSwitch.Changed) -> None:
        event.stop()
        if self.pending_text is not None:
            self.post_message(self.Edited(self))

    def focus_input(self) -> None:
        """Focus the editing widget now (keys typed next go to it), or once composed."""
        widget = self.input_widget
        if widget is None:
            self.call_after_refresh(self._focus_unless_typing)
        else:
            self.screen.set_focus(widget)

    def _focus_unless_typing(self) -> None:
        # A deferred focus must not pull the cursor out of a field the operator moved to
        # (and is typing in) meanwhile.
        widget = self.input_widget
        if widget is not None and not isinstance(self.app.focused, Input | BoolSwitch):
            self.screen.set_focus(widget)

    def _sibling(self, step: int) -> FieldRow | None:
        parent = self.parent
        if parent is None:
            return None
        rows = [row for row in parent.children if isinstance(row, FieldRow)]
        index = rows.index(self) + step
        return rows[index] if 0 <= index < len(rows) else None

    def action_next_field(self) -> None:
        row = self._sibling(1)
        if row is not None:
            row.focus_input()

    def action_previous_field(self) -> None:
        row = self._sibling(-1)
        if row is not None:
            row.focus_input()
