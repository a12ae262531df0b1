"""A Footer whose keys that are off now say so in words, and that wraps on narrow screens.

Dimming alone is lost without colour (NO_COLOR, 16 colours): an off key reads "(off)",
or "✗" below 80 columns, where one line cannot hold the keys: they go into rows of four.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.compose import compose  # what Widget.recompose composes with
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey  # private: tested on the textual 8.x installed

OFF_MARK = "(off)"
NARROW_OFF_MARK = "✗"
NARROW = 80  # columns
KEYS_PER_ROW = 4


class MarkedFooter(Footer):
    def compose(self) -> ComposeResult:
        keys = 0
        mark = NARROW_OFF_MARK if self.app.size.width < NARROW else OFF_MARK
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                keys += 1
                if widget.has_class("-disabled"):
                    widget.description = f"{widget.description}{mark}"
            yield widget
        self._keys = keys
        self._arrange()

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Keys that only went on or off change in place: Footer rebuilds all its keys
        whenever a binding changes, and Save goes on and off with the first edit and its
        undoing (a layout and a frame more on such a keystroke)."""
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self._update_keys)

    def _update_keys(self) -> None:
        if not self.is_attached or self._pruning:
            return  # its screen closed meanwhile
        fresh = compose(self)
        shown = list(self.children)
        if _layout(fresh) != _layout(shown) or not all(
                isinstance(w, FooterKey) for w in shown):
            self.call_later(self.recompose)  # other keys: Footer's own way
            return
        for old, new in zip(shown, fresh, strict=True):
            assert isinstance(old, FooterKey) and isinstance(new, FooterKey)
            if old.description != new.description or old._disabled != new._disabled:
                old.description = new.description
                old._disabled = new._disabled
                old.set_class(new._disabled, "-disabled")
                old.tooltip = new.tooltip
                old.refresh(layout=True)

    def on_resize(self) -> None:
        self._arrange()

    def _arrange(self) -> None:
        keys = getattr(self, "_keys", 0)
        if self.app.size.width < NARROW and keys > KEYS_PER_ROW - 1:
            self.styles.layout = "grid"
            self.styles.grid_size_columns = KEYS_PER_ROW
            self.styles.height = -(-keys // KEYS_PER_ROW)  # rows, rounded up
        else:
            self.styles.layout = "horizontal"
            self.styles.height = 1


def _layout(widgets: list[Widget]) -> list[tuple[str, str, str]]:
    """What a Footer shows, but for which keys are on: the kind of each widget, and a key's
    binding and action."""
    return [(type(w).__name__, w.key, w.action) if isinstance(w, FooterKey)
            else (type(w).__name__, "", str(getattr(w, "content", ""))) for w in widgets]
