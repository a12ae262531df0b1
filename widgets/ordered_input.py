"""An Input whose editing keys keep their place among the typed characters.

Textual's Input inserts printable keys in its key handler but runs backspace, delete and
the cursor keys as bindings, which the app resolves ahead of the keys still queued for the
widget (Textual issue #6605). Keys that arrive in one burst — a fast typist over SSH, a
terminal that sends them together — then apply out of order: "80" followed by
backspace, backspace, "25223" became "80252" (measured under tmux, also with a bare
Input). Here those keys are handled in the key handler instead, in arrival order.
"""

from __future__ import annotations

from textual import events
from textual.binding import Binding, BindingType
from textual.widgets import Input

# Key -> Input action, run in order with the typed characters.
IN_ORDER: dict[str, str] = {
    "backspace": "delete_left",
    "delete": "delete_right",
    "left": "cursor_left",
    "right": "cursor_right",
    "home": "home",
    "end": "end",
}


def _input_bindings_without(keys: set[str]) -> list[BindingType]:
    """Every binding an Input has (its own and inherited), minus those for ``keys``."""
    kept: list[BindingType] = []
    merged = Input._merged_bindings
    assert merged is not None  # made when the class was created
    for key, bindings in merged.key_to_bindings.items():
        if key in keys:
            continue
        kept.extend(Binding(key, b.action, b.description, show=b.show, priority=b.priority,
                            tooltip=b.tooltip, id=b.id, system=b.system)
                    for b in bindings)
    return kept


class OrderedInput(Input, inherit_bindings=False):
    BINDINGS = _input_bindings_without(set(IN_ORDER))

    async def _on_key(self, event: events.Key) -> None:
        action = IN_ORDER.get(event.key)
        if action is None:
            await super()._on_key(event)
            return
        event.stop()
        event.prevent_default()
        await self.run_action(action)
