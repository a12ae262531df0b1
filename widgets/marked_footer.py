"""A Footer whose keys that are off now say so in words: dimming alone is lost without colour."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey  # not exported; textual is pinned exactly

OFF_MARK = "(off)"


class MarkedFooter(Footer):
    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey) and widget.has_class("-disabled"):
                widget.description = f"{widget.description}{OFF_MARK}"
            yield widget
