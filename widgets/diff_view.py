"""Unified diffs, syntax-highlighted, one block per file."""

from __future__ import annotations

from collections.abc import Sequence

from rich.syntax import Syntax
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static


class DiffView(VerticalScroll):
    def __init__(self, diffs: Sequence[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.diffs = list(diffs)

    def compose(self) -> ComposeResult:
        if not self.diffs:
            yield Static("No pending changes: the files on disk are what you see.", id="no-diff")
            return
        for name, diff in self.diffs:
            yield Static(f"[b]{name}[/b]", classes="diff-title")
            yield Static(
                Syntax(diff.rstrip("\n"), "diff", theme="ansi_dark", word_wrap=True,
                       background_color="default"),
                classes="diff-body",
            )
