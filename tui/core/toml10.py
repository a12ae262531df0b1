"""TOML 1.0 exactly as Clace reads it, checked before tomlkit builds the editable model.

Clace parses its configuration with BurntSushi/toml, a TOML 1.0 parser. tomlkit accepts
more (TOML 1.1's line breaks and trailing commas in inline tables, ``\\e`` and ``\\xHH``
escapes, times without seconds), and Python's ``tomllib`` follows TOML 1.1 from Python
3.14 on; neither tells a file the server will refuse from one it reads. This module is our
own reading of the TOML 1.0 grammar, independent of the tomlkit and Python versions, that
names the line and column of the first problem:

* TOML 1.1-only syntax is an error saying so, since Clace's parser rejects it;
* integers outside int64 and floats beyond float64 are errors, as in BurntSushi/toml;
* the table rules (a table defined twice, dotted keys reaching into a table defined
  elsewhere, an inline table or array extended later) follow the TOML 1.0 text;
* nesting of arrays and inline tables deeper than :data:`MAX_DEPTH` is refused: TOML
  allows it, but leap-tui's model (tomlkit) stops there.

The structure is kept as a tree of :class:`_Table` nodes (values are opaque), so the whole
check is one pass over the text.
"""

from __future__ import annotations

from tui.core.errors import ConfigError
from tui.core.toml10_tokens import (
    ARRAY_GAP,
    BARE_KEY,
    BLANK_LINES,
    COMMENT,
    DATE_ONLY,
    REJECTS,
    SIMPLE_KEYVAL,
    SIMPLE_LINE,
    TOKEN,
    WS,
    Fail,
    basic_string,
    literal_string,
    multiline_string,
    scalar,
    scalar_value,
    skip,
    string_value,
    unescape,
    unexpected,
)

__all__ = ["MAX_DEPTH", "check_toml10", "read_toml10"]

MAX_DEPTH = 100
"""Deepest nesting of arrays and inline tables leap-tui opens (tomlkit's own limit)."""

_VALUE = object()
"""A key's value: opaque, and closed to later additions (arrays and inline tables too)."""


class _Table:
    """A table of the document: its keys, and how it came to exist.

    ``declared``: a [header] (or [[header]] element) defined it. ``dotted_in``: the number
    of the section whose dotted keys created or extended it (None: never). TOML 1.0 lets
    dotted keys extend a table only within that section, and a header declare it only
    when neither happened before. ``values``: the keys' values, when the text is read.
    """

    __slots__ = ("children", "declared", "dotted_in", "values")

    def __init__(self, *, declared: bool = False, dotted_in: int | None = None) -> None:
        self.children: dict[str, object] = {}
        self.declared = declared
        self.dotted_in = dotted_in
        self.values: dict[str, object] = {}

    def plain(self) -> dict[str, object]:
        """The table as Python values, keys in the order they were first defined."""
        out: dict[str, object] = {}
        for key, child in self.children.items():
            if child is _VALUE:
                out[key] = self.values[key]
            elif isinstance(child, list):
                out[key] = [element.plain() for element in child]
            else:
                assert isinstance(child, _Table)
                out[key] = child.plain()
        return out


def check_toml10(text: str, file: str) -> None:
    """Raise ConfigError(file, message, line, column) unless ``text`` is valid TOML 1.0."""
    _run(_Checker(text), file)


def read_toml10(text: str, file: str,
                inline_tables: set[int] | None = None) -> dict[str, object]:
    """The values of ``text`` (tables as dicts, arrays of tables as lists of dicts), read in
    the same pass that checks it: ConfigError as :func:`check_toml10` raises it.

    Values are those tomlkit's items unwrap to: strings with their escapes decoded (a
    multi-line string keeps its CRLF line breaks), integers, floats, booleans, and the
    datetime, date and time objects of :func:`tui.core.toml10_tokens.datetime_value`.
    ``inline_tables`` gets the id of each dict written as an inline table (or inside one).
    """
    checker = _Checker(text, reading=True)
    if inline_tables is not None:
        checker.inline_tables = inline_tables
    _run(checker, file)
    return checker.root.plain()


def _mark_tables(value: object, ids: set[int]) -> None:
    if isinstance(value, dict):
        ids.add(id(value))
        for child in value.values():
            _mark_tables(child, ids)
    elif isinstance(value, list):
        for child in value:
            _mark_tables(child, ids)


def _run(checker: _Checker, file: str) -> None:
    try:
        checker.run()
    except Fail as fail:
        text = checker.text
        line = text.count("\n", 0, fail.pos) + 1
        column = fail.pos - (text.rfind("\n", 0, fail.pos) + 1) + 1
        raise ConfigError(file, fail.message, line, column) from None


def _dotted(segments: list[str]) -> str:
    return ".".join(s if BARE_KEY.fullmatch(s) else f'"{s}"' for s in segments)


class _Checker:
    def __init__(self, text: str, *, reading: bool = False) -> None:
        self.text = text
        self.n = len(text)
        self.root = _Table(declared=True)
        self.section = 0
        self.reading = reading
        self.last: object = None  # reading: the value the last call of value() passed over
        self.inline_tables: set[int] = set()

    # -- lines --------------------------------------------------------------------------------

    def run(self) -> None:
        text, n = self.text, self.n
        table = self.root
        pos = 0
        while True:
            pos = skip(BLANK_LINES, text, pos)
            pos = skip(WS, text, pos)
            if pos >= n:
                return
            char = text[pos]
            if char == "#":
                pos = self.end_of_line(pos)
                continue
            if char == "[":
                self.section += 1
                table, pos = self.header(pos)
            else:
                simple = SIMPLE_LINE.match(text, pos)
                if simple is not None and simple.group(1) not in table.children:
                    # the common line, read whole: bare key = integer, plain string or bool
                    key, number, string, boolean = simple.group(1, 2, 3, 4)
                    table.children[key] = _VALUE
                    if self.reading:
                        table.values[key] = (int(number) if number is not None else string
                                             if string is not None else boolean == "true")
                    pos = simple.end()
                    continue
                pos = self.keyval(table, pos)
            pos = self.end_of_line(pos)

    def end_of_line(self, pos: int) -> int:
        text = self.text
        pos = skip(WS, text, pos)
        if text.startswith("#", pos):
            pos = skip(COMMENT, text, pos)
        if pos >= self.n:
            return pos
        if text[pos] == "\n":
            return pos + 1
        if text.startswith("\r\n", pos):
            return pos + 2
        raise unexpected(self.text, pos, "expected the end of the line")

    # -- keys ---------------------------------------------------------------------------------

    def key(self, pos: int) -> tuple[list[str], int]:
        text = self.text
        segments: list[str] = []
        while True:
            pos = skip(WS, text, pos)
            match = BARE_KEY.match(text, pos)
            if match:
                segments.append(match.group())
                pos = match.end()
            elif text.startswith('"""', pos) or text.startswith("'''", pos):
                raise Fail(pos, "a multi-line string cannot be a key")
            elif text.startswith('"', pos):
                end = basic_string(text, pos)
                segments.append(unescape(text[pos + 1 : end - 1]))
                pos = end
            elif text.startswith("'", pos):
                end = literal_string(text, pos)
                segments.append(text[pos + 1 : end - 1])
                pos = end
            elif pos >= self.n or text[pos] == "\n":
                raise Fail(pos, "expected a key")
            else:
                raise unexpected(self.text, pos, "expected a key (bare keys are A-Z a-z 0-9 _ -)")
            pos = skip(WS, text, pos)
            if not text.startswith(".", pos):
                return segments, pos
            pos += 1

    def header(self, start: int) -> tuple[_Table, int]:
        text = self.text
        array = text.startswith("[[", start)
        segments, pos = self.key(start + (2 if array else 1))
        close = "]]" if array else "]"
        if not text.startswith(close, pos):
            raise unexpected(self.text, pos, f"expected '{close}' to close the table header") if (
                pos < self.n) else Fail(pos, f"expected '{close}' to close the table header")
        name = _dotted(segments)
        table = self.root
        for depth, segment in enumerate(segments[:-1]):
            table = self.descend(table, segment, start, segments[: depth + 1])
        last = segments[-1]
        existing = table.children.get(last)
        if array:
            if existing is None:
                existing = table.children[last] = []
            if not isinstance(existing, list):
                what = "a value" if existing is _VALUE else "a table"
                raise Fail(start, f"[[{name}]]: {name} is already {what}")
            element = _Table(declared=True)
            existing.append(element)
            return element, pos + 2
        if existing is None:
            existing = table.children[last] = _Table()
        if isinstance(existing, list):
            raise Fail(start, f"[{name}]: {name} is already an array of tables")
        if not isinstance(existing, _Table):
            raise Fail(start, f"[{name}]: {name} is already a value")
        if existing.declared:
            raise Fail(start, f"table [{name}] is defined twice")
        if existing.dotted_in is not None:
            raise Fail(start, f"table [{name}] was already defined with dotted keys")
        existing.declared = True
        return existing, pos + 1

    def descend(self, table: _Table, segment: str, pos: int, path: list[str]) -> _Table:
        """The table a header's prefix names (the last element of an array of tables)."""
        child = table.children.get(segment)
        if child is None:
            child = table.children[segment] = _Table()
        if isinstance(child, list):
            return child[-1]  # type: ignore[no-any-return]
        if not isinstance(child, _Table):
            raise Fail(pos, f"{_dotted(path)} is a value, not a table")
        return child

    def keyval(self, table: _Table, start: int) -> int:
        text = self.text
        simple = SIMPLE_KEYVAL.match(text, start)
        if simple:
            segments, pos = [simple.group(1)], simple.end()
        else:
            segments, pos = self.key(start)
            if not text.startswith("=", pos):
                if pos >= self.n or text[pos] in "\r\n":
                    raise Fail(pos, "expected '=' after the key")
                raise unexpected(self.text, pos, "expected '=' after the key")
            pos = skip(WS, text, pos + 1)
        for depth, segment in enumerate(segments[:-1]):
            child = table.children.get(segment)
            if child is None:
                child = table.children[segment] = _Table(dotted_in=self.section)
            elif isinstance(child, _Table) and not child.declared and (
                child.dotted_in in (None, self.section)
            ):
                child.dotted_in = self.section
            else:
                path = _dotted(segments[: depth + 1])
                raise Fail(start, f"{path} is already defined (a value or a table defined "
                            "elsewhere): dotted keys cannot add to it")
            table = child
        last = segments[-1]
        if last in table.children:
            raise Fail(start, f"key {_dotted(segments)} is defined twice")
        table.children[last] = _VALUE
        end = self.value(pos, 0)
        if self.reading:
            table.values[last] = self.last
        return end

    # -- values -------------------------------------------------------------------------------

    def value(self, pos: int, depth: int) -> int:
        text = self.text
        if pos >= self.n:
            raise Fail(pos, "expected a value")
        char = text[pos]
        if char in "\"'":
            multiline = text.startswith(char * 3, pos)
            if multiline:
                end = multiline_string(text, pos)
            else:
                end = basic_string(text, pos) if char == '"' else literal_string(text, pos)
            if self.reading:
                self.last = string_value(text, pos, end, multiline)
            return end
        if char in "[{":
            if depth >= MAX_DEPTH:
                raise Fail(pos, f"arrays and inline tables nested more than {MAX_DEPTH} "
                            "levels deep: leap-tui does not open such a file")
            return self.array(pos, depth + 1) if char == "[" else self.inline(pos, depth + 1)
        token = TOKEN.match(text, pos)
        if token is None:
            if char in "\r\n":
                raise Fail(pos, "expected a value")
            raise unexpected(self.text, pos, "expected a value")
        end = token.end()
        word = token.group()
        if DATE_ONLY.fullmatch(word) and text.startswith(" ", end):
            time = TOKEN.match(text, end + 1)
            if time and time.group()[:1].isdigit():
                end = time.end()
                word = text[pos:end]
        scalar(word, pos)
        if self.reading:
            self.last = scalar_value(word)
        return end

    def array(self, pos: int, depth: int) -> int:
        text, n = self.text, self.n
        items: list[object] = []
        pos += 1
        while True:
            pos = skip(ARRAY_GAP, text, pos)
            if pos >= n:
                raise Fail(pos, "unterminated array: expected ']'")
            if text[pos] == "]":
                self.last = items
                return pos + 1
            pos = self.value(pos, depth)
            items.append(self.last)
            pos = skip(ARRAY_GAP, text, pos)
            if pos >= n:
                raise Fail(pos, "unterminated array: expected ']'")
            if text[pos] == ",":
                pos += 1
                continue
            if text[pos] == "]":
                self.last = items
                return pos + 1
            raise unexpected(self.text, pos, "expected ',' or ']' in the array")

    def inline(self, start: int, depth: int) -> int:
        text, n = self.text, self.n
        table = _Table(declared=True)
        pos = skip(WS, text, start + 1)
        if text.startswith("}", pos):
            self.last = {}
            self.inline_tables.add(id(self.last))
            return pos + 1
        while True:
            self.inline_gap(pos)
            key_start = pos
            segments, pos = self.key(pos)
            if not text.startswith("=", pos):
                if pos >= n:
                    raise Fail(pos, "unterminated inline table: expected '}'")
                raise unexpected(self.text, pos, "expected '=' after the key")
            node = table
            for segment in segments[:-1]:
                child = node.children.setdefault(segment, _Table())
                if not isinstance(child, _Table) or child.declared:
                    raise Fail(key_start, f"{_dotted(segments)}: cannot add to a value")
                node = child
            if segments[-1] in node.children:
                raise Fail(key_start, f"key {_dotted(segments)} is defined twice in the "
                            "inline table")
            node.children[segments[-1]] = _VALUE
            pos = self.value(skip(WS, text, pos + 1), depth)
            node.values[segments[-1]] = self.last
            pos = skip(WS, text, pos)
            self.inline_gap(pos)
            if pos >= n:
                raise Fail(pos, "unterminated inline table: expected '}'")
            if text[pos] == "}":
                if self.reading:
                    self.last = table.plain()
                    _mark_tables(self.last, self.inline_tables)
                return pos + 1
            if text[pos] != ",":
                raise unexpected(self.text, pos, "expected ',' or '}' in the inline table")
            pos = skip(WS, text, pos + 1)
            self.inline_gap(pos)
            if text.startswith("}", pos):
                raise Fail(pos, "a trailing comma in an inline table: TOML 1.1 allows it, "
                            f"{REJECTS}")

    def inline_gap(self, pos: int) -> None:
        """Line breaks and comments inside an inline table: TOML 1.1 allows them."""
        text = self.text
        if text.startswith(("\n", "\r\n", "#"), pos):
            raise Fail(pos, "a line break or comment inside an inline table (or a missing "
                        f"'}}'): TOML 1.1 allows it, {REJECTS}")


