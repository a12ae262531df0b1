"""An Input whose every key takes effect in the order it was typed.

Textual's Input inserts printable keys in its key handler but runs its editing keys
(backspace, ctrl+u, ctrl+w, ctrl+k, Home...) as bindings, which are looked up only after
the key has bubbled through the DOM, one message queue at a time, while the keys behind it
go straight to the Input (Textual issue #6605). A burst of keys — a fast typist over SSH,
a paste of keys, a terminal flushing its buffer — was then applied out of order: "80"
followed by backspace, backspace, "25223" became "80252" (measured under tmux, also with
a bare Input). The app's key router (tui/key_routing.py) hands every key for a focused
OrderedInput to ``edit_key`` at once, in arrival order; ``_on_key`` does the same for a
key that reaches the widget through its queue (an app without that router).

Arriving in the field selects its text, as Textual's Input does, but in order too: if a
key comes before the Focus event was handled, the selection is made before that key.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from textual import events
from textual.binding import Binding
from textual.widgets import Input
from textual.widgets.input import Selection


def _editing_keys() -> dict[str, str]:
    """Key -> Input action, for every key Textual's Input binds."""
    merged = Input._merged_bindings
    assert merged is not None  # made when the class was created
    keys: dict[str, str] = {}
    for key, bindings in merged.key_to_bindings.items():
        for binding in bindings:
            if isinstance(binding, Binding):
                keys.setdefault(key, binding.action)
    # Readline's meaning: alt+backspace (and ctrl+backspace, where a terminal can tell it
    # from backspace) delete the word left of the cursor; Textual binds them to the word on
    # the right. A terminal sends alt+backspace as ESC DEL, which Textual reads as ctrl+w.
    keys["alt+backspace"] = keys["ctrl+backspace"] = "delete_left_word"
    return keys


EDITING_KEYS: dict[str, str] = _editing_keys()


@runtime_checkable
class InOrderEditor(Protocol):
    """A widget whose keys the app's key router hands over at once, in arrival order."""

    async def edit_key(self, event: events.Key) -> bool:
        """Apply ``event`` if it is one of the widget's own keys; False otherwise."""
        ...


class OrderedInput(Input, inherit_bindings=False):
    """An Input with no bindings of its own: ``edit_key`` runs its editing keys in order."""

    BINDINGS = []

    def __init__(self, value: str | None = None, *args: object, select_on_focus: bool = True,
                 **kwargs: object) -> None:
        super().__init__(value, *args, select_on_focus=False, **kwargs)  # type: ignore[arg-type]
        self.select_on_arrival = select_on_focus
        self._arrived = False  # the arrival selection is made for this focus

    def _arrive(self) -> None:
        if not self._arrived:
            self._arrived = True
            if self.select_on_arrival:
                self.selection = Selection(0, len(self.value))

    def _on_focus(self, event: events.Focus) -> None:
        super()._on_focus(event)
        if not event.from_app_focus:
            self._arrive()

    def _on_blur(self, event: events.Blur) -> None:
        super()._on_blur(event)
        self._arrived = False

    async def edit_key(self, event: events.Key) -> bool:
        """Apply ``event`` if it edits the text or moves the cursor; False for other keys.

        Runs before the key's Focus event was handled when a burst moved focus here: the
        arrival selection is made first, so that the key replaces it as it would have.
        """
        if not self.has_focus and self.screen.focused is self:
            self._arrive()
        action = EDITING_KEYS.get(event.key)
        if action is not None:
            self._restart_blink()
            return await self.app.run_action(action, self)
        if event.is_printable:
            await super()._on_key(event)  # inserts the character (replacing a selection)
            return True
        return False

    async def _on_key(self, event: events.Key) -> None:
        if await self.edit_key(event):
            event.stop()
            event.prevent_default()
