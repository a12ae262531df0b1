"""Undo and redo for an editing session, as snapshots of whole file texts.

Snapshots rather than inverse operations: every model can re-parse a text (replace_text),
so one mechanism serves the TOML and every JSON file, and an undo can never drift from
what the file would contain.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Change:
    target: str  # "clace" or a provider file's rel path
    field: str  # the key that was edited: consecutive edits of one field are one step
    before: str
    after: str


class EditHistory:
    def __init__(self) -> None:
        self._done: list[Change] = []
        self._undone: list[Change] = []
        self._open_field: tuple[str, str] | None = None

    def record(self, target: str, field: str, before: str, after: str) -> None:
        if before == after:
            return
        self._undone.clear()
        last = self._done[-1] if self._done else None
        if last is not None and self._open_field == (target, field):
            # Typing "443" is one edit, not three.
            last.after = after
            if last.before == last.after:
                self._done.pop()
                self._open_field = None
            return
        self._done.append(Change(target, field, before, after))
        self._open_field = (target, field)

    def open_change(self, target: str, field: str) -> Change | None:
        """The step still being typed into for this field (the next edit extends it)."""
        if self._open_field == (target, field) and self._done:
            return self._done[-1]
        return None

    def close_group(self) -> None:
        """The next edit starts a new undo step even in the same field."""
        self._open_field = None

    def undo(self) -> Change | None:
        if not self._done:
            return None
        change = self._done.pop()
        self._undone.append(change)
        self._open_field = None
        return change

    def redo(self) -> Change | None:
        if not self._undone:
            return None
        change = self._undone.pop()
        self._done.append(change)
        self._open_field = None
        return change

    @property
    def can_undo(self) -> bool:
        return bool(self._done)

    @property
    def can_redo(self) -> bool:
        return bool(self._undone)
