"""What a sequence of editing keys means for a one-line field, written out in plain Python.

The randomized burst tests compare the file leap-tui saves with the text this model gives
for the same keys: one line, a cursor, a selection (anchor..cursor), a clipboard, and the
keys of the README's table (a shell's line editing). A port field takes only a sign and
digits: a key that would make anything else leaves the field as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

WORD_START = re.compile(r"(?<=\W)\w")  # a word starts after a non-word character
INTEGER_TEXT = re.compile(r"[-+]?[0-9]*")


@dataclass
class Line:
    text: str
    anchor: int = 0  # the selection is anchor..cursor; empty when they are equal
    cursor: int = 0
    integer_only: bool = False
    clipboard: list[str] = field(default_factory=lambda: [""])  # shared, like the app's

    @classmethod
    def arrived(cls, text: str, *, integer_only: bool = False,
                clipboard: list[str] | None = None) -> Line:
        """The field just focused: its whole text selected, the cursor at the end."""
        return cls(text, 0, len(text), integer_only, clipboard if clipboard is not None else [""])

    # helpers -------------------------------------------------------------------------------

    @property
    def selected(self) -> tuple[int, int]:
        return min(self.anchor, self.cursor), max(self.anchor, self.cursor)

    def _clamp(self, position: int) -> int:
        return max(0, min(len(self.text), position))

    def _move(self, position: int) -> None:
        self.anchor = self.cursor = self._clamp(position)

    def _select(self, anchor: int, cursor: int) -> None:
        self.anchor, self.cursor = self._clamp(anchor), self._clamp(cursor)

    def _replace(self, new: str, start: int, end: int) -> None:
        start, end = sorted((max(0, start), min(len(self.text), end)))
        text = self.text[:start] + new + self.text[end:]
        if self.integer_only and not INTEGER_TEXT.fullmatch(text):
            return  # refused: nothing changes, not even the cursor
        self.text = text
        self._move(start + len(new))

    def _delete_selection_or(self, start: int, end: int) -> None:
        if self.anchor != self.cursor:
            self._replace("", *self.selected)
        else:
            self._replace("", start, end)

    def _word_start_before(self) -> int:
        hits = list(WORD_START.finditer(self.text[: self.cursor]))
        return hits[-1].start() if hits else 0

    def _word_start_after(self) -> int:
        hit = WORD_START.search(self.text[self.cursor :])
        return len(self.text) if hit is None else self.cursor + hit.start()

    # keys ----------------------------------------------------------------------------------

    def type(self, character: str) -> None:
        start, end = self.selected
        self._replace(character, start, end)

    def paste(self, pasted: str) -> None:
        """A bracketed paste: its first line, in place of the selection."""
        if pasted:
            lines = pasted.splitlines()
            self._replace(lines[0] if lines else "", *self.selected)

    def press(self, key: str) -> None:
        start, end = self.selected
        empty = start == end
        if key in ("backspace",):
            self._delete_selection_or(self.cursor - 1, self.cursor)
        elif key in ("delete", "ctrl+d"):
            self._delete_selection_or(self.cursor, self.cursor + 1)
        elif key == "left":
            self._move(self.cursor - 1 if empty else start)
        elif key == "right":
            self._move(self.cursor + 1 if empty else end)
        elif key in ("home", "ctrl+a"):
            self._move(0)
        elif key in ("end", "ctrl+e"):
            self._move(len(self.text))
        elif key == "ctrl+left":
            self._move(self._word_start_before())
        elif key == "ctrl+right":
            self._move(self._word_start_after())
        elif key == "shift+left":
            self._select(self.anchor, self.cursor - 1)
        elif key == "shift+right":
            self._select(self.anchor, self.cursor + 1)
        elif key == "shift+home":
            self._select(self.cursor, 0)
        elif key == "shift+end":
            self._select(self.cursor, len(self.text))
        elif key == "ctrl+shift+a":
            self._select(0, len(self.text))
        elif key == "ctrl+u":
            self._delete_selection_or(0, self.cursor)
        elif key == "ctrl+k":
            self._delete_selection_or(self.cursor, len(self.text))
        elif key in ("ctrl+w", "alt+backspace"):
            self._delete_selection_or(self._word_start_before(), self.cursor)
        elif key == "ctrl+x":
            self.clipboard[0] = self.text[start:end]
            self._replace("", start, end)
        elif key == "ctrl+c":
            if not empty:
                self.clipboard[0] = self.text[start:end]
        elif key == "ctrl+v":
            self._replace(self.clipboard[0], start, end)
        elif key == "enter":
            pass  # submits: the text stays
        else:
            raise ValueError(f"no meaning for {key!r} in a text field")


EDITING_KEYS = (
    "backspace", "delete", "ctrl+d", "left", "right", "home", "end", "ctrl+a", "ctrl+e",
    "ctrl+left", "ctrl+right", "shift+left", "shift+right", "shift+home", "shift+end",
    "ctrl+shift+a", "ctrl+u", "ctrl+k", "ctrl+w", "alt+backspace", "ctrl+x", "ctrl+c",
    "ctrl+v", "enter",
)
