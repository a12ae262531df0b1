"""A Footer whose keys that are off now say so in words, and that wraps on narrow screens.

Dimming alone is lost without colour (NO_COLOR, 16 colours): an off key reads "(off)",
or "✗" below 80 columns, where one line cannot hold the keys: they go into rows of four.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey  # not exported; textual is pinned exactly

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
