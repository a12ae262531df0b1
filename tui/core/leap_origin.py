"""Where an effective value of a LEAP node was set (see :mod:`tui.core.leap_merge`)."""

from __future__ import annotations

from collections.abc import Mapping

from tui.core.jsonc import Path


class Origin:
    """Where an effective value was set: a provider file (rel path) and key, or a default.

    ``builtin`` is true for provider_base values (platform files or our built-in facts);
    ``expression`` when the value there is a Ruby expression ``leap compile`` computes.
    ``line`` is looked up in the file's line map when first read: most origins are built
    for a merge and never shown, and a file's lines cost a parse of its positions.
    Immutable, and equal when all five fields are, as a frozen dataclass.
    """

    __slots__ = ("_line", "_lines", "_source", "builtin", "expression", "file", "key")
    file: str
    key: str
    builtin: bool
    expression: bool
    _line: int | None
    _lines: Mapping[Path, int] | None
    _source: Path

    def __init__(self, file: str, key: str, line: int | None, builtin: bool,
                 expression: bool = False, *, lines: Mapping[Path, int] | None = None,
                 source: Path = ()) -> None:
        set_slot = object.__setattr__  # immutable: __setattr__ refuses; one call per slot
        set_slot(self, "file", file)
        set_slot(self, "key", key)
        set_slot(self, "_line", line)
        set_slot(self, "builtin", builtin)
        set_slot(self, "expression", expression)
        set_slot(self, "_lines", lines)
        set_slot(self, "_source", source)

    @property
    def line(self) -> int | None:
        if self._lines is not None:
            object.__setattr__(self, "_line", self._lines.get(self._source))
            object.__setattr__(self, "_lines", None)
        return self._line

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Origin is immutable: cannot set {name}")

    def __reduce__(self) -> tuple[type[Origin], tuple[str, str, int | None, bool, bool]]:
        return (Origin, self._fields())  # copies and pickles carry the line, looked up

    def _fields(self) -> tuple[str, str, int | None, bool, bool]:
        return (self.file, self.key, self.line, self.builtin, self.expression)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Origin)
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return (f"Origin(file={self.file!r}, key={self.key!r}, line={self.line!r}, "
                f"builtin={self.builtin!r}, expression={self.expression!r})")

    def __str__(self) -> str:
        if self.builtin:
            name = self.file.removeprefix("provider_base/").removesuffix(".json")
            return f"(built-in default: {name})"
        return f"{self.file}:{self.line}" if self.line is not None else self.file
