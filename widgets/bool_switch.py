"""A boolean field shown as the word true or false (a checkbox's X read as "set" when off)."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

TOGGLE_KEYS = frozenset({"space", "enter"})


class BoolSwitch(Widget, can_focus=True):
    """``true`` / ``false``; Space or Enter flips it, in order with the keys around it."""

    DEFAULT_CSS = """
    BoolSwitch { width: 1fr; min-width: 7; height: 1; padding: 0 1; background: $boost; }
    BoolSwitch:focus { background: $primary 40%; text-style: bold; }
    """
    BINDINGS = [Binding("space,enter", "flip", "Flip true/false", show=False,
                        id="bool-toggle")]

    value: reactive[bool] = reactive(False)

    class Changed(Message):
        def __init__(self, switch: BoolSwitch, value: bool) -> None:
            super().__init__()
            self.switch = switch
            self.value = value

        @property
        def control(self) -> BoolSwitch:
            return self.switch

    def __init__(self, value: bool = False, *, id: str | None = None,
                 tooltip: str | None = None) -> None:
        super().__init__(id=id)
        self.set_reactive(BoolSwitch.value, value)
        if tooltip:
            self.tooltip = tooltip

    def render(self) -> Text:
        return Text("true" if self.value else "false")

    def watch_value(self, value: bool) -> None:
        self.post_message(self.Changed(self, value))

    def action_flip(self) -> None:
        self.value = not self.value

    async def edit_key(self, event: events.Key) -> bool:
        """The key router's in-order path (see widgets/ordered_input.py)."""
        if event.key in TOGGLE_KEYS:
            self.action_flip()
            return True
        return False
