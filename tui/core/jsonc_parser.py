"""The parser of LEAP's JSON with comments (see :mod:`tui.core.jsonc` for the grammar it
follows, json_pure's as leap_cli calls it): values with spans and key lines, one-line
ConfigError with file, line and column for anything else."""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass

from tui.core.errors import ConfigError

Path = tuple[str | int, ...]

MAX_DEPTH = 100
"""Deepest nesting of objects and arrays accepted: Ruby's JSON.parse (what leap_cli reads
provider files with) refuses more than 100 by default, and tomlkit stops at 100 as well."""

WS = " \t\r\n"
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_HEX4 = re.compile(r"[0-9A-Fa-f]{4}")
# A line LEAP drops before parsing: Ruby's /^\s*\/\// (\s includes \f and \v).
_DROPPED_LINE = re.compile(r"[ \t\r\f\v]*//[^\n]*")
# json_pure's comment grammar, as written there (a "/*" inside a comment ends the match).
BLOCK_COMMENT = re.compile(r"/\*(?:[^*/]|/[^*]|\*[^/]|/(?=\*/))*\*/")
_MAX_INT_DIGITS = 4300


# A string, a // comment or a /* */ comment (json_pure's grammar, as BLOCK_COMMENT): strings
# first, so that the slashes of "http://..." are not taken for a comment.
_STRING_OR_COMMENT = re.compile(
    r'("(?:[^"\\\n]|\\.)*")|//[^\n]*|' + BLOCK_COMMENT.pattern)


class _RepeatedKey(Exception):
    """An object gives a key twice: Parser records where, json.loads cannot say."""


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    value = dict(pairs)
    if len(value) != len(pairs):
        raise _RepeatedKey
    return value


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")  # NaN, Infinity: Parser refuses them too


_DECODER = json.JSONDecoder(object_pairs_hook=_unique_keys, parse_constant=_refuse_constant)


def _without_comments(text: str) -> str | None:
    """``text`` with its comments blanked; None when a comment may end differently in
    Parser (a bare carriage return ends a // comment there) or is an error there (a //
    comment on the last line without a line break)."""
    if "\r" in text:
        return None
    ends_at_eof = False

    def blank(match: re.Match[str]) -> str:
        nonlocal ends_at_eof
        if match.group(1) is not None:
            return match.group(1)
        if match.end() == len(text) and match.group().startswith("//"):
            ends_at_eof = True
        return " "

    stripped = _STRING_OR_COMMENT.sub(blank, text)
    return None if ends_at_eof else stripped


def fast_value(text: str) -> tuple[object] | None:
    """The value of ``text`` read by the C JSON decoder, when it is certain to be the value
    :class:`Parser` reads; None when only Parser can tell (it then also names the error).

    Parser is exact but slow (pure Python, and it records every position); a provider of
    thousands of node files is read here first, and Parser runs for a file only when its
    positions are asked for. Left to Parser: \\u escapes (surrogate rules), more brackets
    than MAX_DEPTH could nest, a key given twice (its lines are reported), and anything
    json.loads refuses (comments it cannot blank, BOM, NaN, trailing commas, \\q escapes,
    form feeds in dropped lines...): json.loads accepts a subset of what Parser accepts.
    """
    if "\\u" in text or text.count("{") + text.count("[") > MAX_DEPTH:
        return None
    if "/" in text:
        stripped = _without_comments(text)
        if stripped is None:
            return None
        text = stripped
    try:
        return (_DECODER.decode(text),)
    except (ValueError, _RepeatedKey, RecursionError):
        return None


@dataclass(slots=True)
class Node:
    """A parsed value: where it sits in the text, and its children."""

    start: int
    end: int
    members: list[Member] | None = None  # objects
    items: list[Node] | None = None  # arrays


@dataclass(slots=True)
class Member:
    key: str
    key_start: int
    line: int
    value: Node


@dataclass(frozen=True, slots=True)
class DuplicateKey:
    """A key given twice in one object; as in JSON.parse, the last one wins."""

    path: Path
    line: int
    first_line: int


class Parser:
    def __init__(self, text: str, file: str) -> None:
        self.text = text
        self.file = file
        self.pos = 0
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.lines: dict[Path, int] = {}
        self.duplicates: list[DuplicateKey] = []
        self.depth = 0

    # -- positions --------------------------------------------------------------------------

    def line_col(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.line_starts, offset) - 1
        return index + 1, offset - self.line_starts[index] + 1

    def error(self, message: str, offset: int | None = None) -> ConfigError:
        line, column = self.line_col(self.pos if offset is None else offset)
        return ConfigError(self.file, message, line, column)

    # -- lexing -----------------------------------------------------------------------------

    def skip_ws(self) -> None:
        text = self.text
        n = len(text)
        while self.pos < n:
            ch = text[self.pos]
            if ch in WS:
                self.pos += 1
            elif ch in "/\f\v":
                self.pos = self.skip_comment(self.pos)
            else:
                return

    def skip_comment(self, pos: int) -> int:
        """The end of the comment (or line LEAP drops) at ``pos``; ConfigError if none."""
        text = self.text
        line_start = text.rfind("\n", 0, pos) + 1
        dropped = _DROPPED_LINE.match(text, line_start)
        if dropped is not None and dropped.end() > pos:
            return dropped.end()
        if text.startswith("//", pos):
            ends = [i for i in (text.find("\n", pos), text.find("\r", pos)) if i >= 0]
            if not ends:
                raise self.error("a // comment after a value needs a line break after it "
                                 "(LEAP's JSON parser rejects it at the end of the file)", pos)
            return min(ends) + 1
        if text.startswith("/*", pos):
            block = BLOCK_COMMENT.match(text, pos)
            if block is None:
                raise self.error("unterminated /* comment (or a /* inside it, which LEAP's "
                                 "JSON parser rejects)", pos)
            return block.end()
        raise self.error(f"unexpected character {text[pos]!r}", pos)

    def parse_document(self) -> tuple[object, Node]:
        if self.text.startswith("\ufeff"):
            raise self.error("a byte order mark (U+FEFF) at the start: LEAP's JSON parser "
                             "rejects it; save the file as UTF-8 without BOM", 0)
        self.skip_ws()
        if self.pos >= len(self.text):
            raise self.error("empty file: expected a JSON value")
        value, node = self.parse_value(())
        self.skip_ws()
        if self.pos < len(self.text):
            raise self.error("unexpected text after the JSON value")
        return value, node

    def parse_value(self, path: Path) -> tuple[object, Node]:
        text = self.text
        if self.pos >= len(text):
            raise self.error("unexpected end of file: expected a value")
        ch = text[self.pos]
        start = self.pos
        if ch in "{[":
            # the parser recurses once per level: bound it so deep input is an error, not a crash
            if self.depth >= MAX_DEPTH:
                raise self.error(f"nested more than {MAX_DEPTH} levels deep")
            self.depth += 1
            try:
                return self.parse_object(path) if ch == "{" else self.parse_array(path)
            finally:
                self.depth -= 1
        if ch == '"':
            return self.parse_string(), Node(start, self.pos)
        for word, literal in (("true", True), ("false", False), ("null", None)):
            if text.startswith(word, self.pos):
                self.pos += len(word)
                return literal, Node(start, self.pos)
        match = _NUMBER.match(text, self.pos)
        if match and match.end() > start:
            raw = match.group()
            if raw.lstrip("-").isdigit():
                digits = len(raw.lstrip("-"))
                if digits > _MAX_INT_DIGITS:
                    raise self.error(f"an integer of {digits} digits: leap-tui reads at "
                                     f"most {_MAX_INT_DIGITS}")
                number: object = int(raw)
            else:
                number = float(raw)
            self.pos = match.end()
            return number, Node(start, self.pos)
        raise self.error(f"unexpected character {ch!r}: expected a value")

    def parse_string(self) -> str:
        text = self.text
        self.pos += 1
        parts: list[str] = []
        chunk_start = self.pos
        while True:
            if self.pos >= len(text):
                raise self.error("unterminated string")
            ch = text[self.pos]
            if ch == '"':
                parts.append(text[chunk_start : self.pos])
                self.pos += 1
                return "".join(parts)
            if ch == "\\":
                parts.append(text[chunk_start : self.pos])
                parts.append(self.parse_escape())
                chunk_start = self.pos
            elif ch < " ":
                raise self.error("control character (a line break?) inside a string")
            else:
                self.pos += 1

    def parse_escape(self) -> str:
        """The character a backslash sequence at ``pos`` stands for (json_pure's rules)."""
        text, pos = self.text, self.pos
        esc = text[pos + 1 : pos + 2]
        if esc == "u":
            code = self.hex4(pos)
            self.pos = pos + 6
            if 0xDC00 <= code <= 0xDFFF:
                raise self.error("a lone UTF-16 low surrogate escape", pos)
            if 0xD800 <= code <= 0xDBFF:
                if not text.startswith("\\u", self.pos):
                    raise self.error("a UTF-16 high surrogate escape without its pair", pos)
                low = self.hex4(self.pos)
                if not 0xDC00 <= low <= 0xDFFF:
                    raise self.error("a UTF-16 high surrogate escape without its pair", pos)
                self.pos += 6
                return chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00))
            return chr(code)
        if not esc or esc < " ":
            raise self.error("invalid escape in string", pos)
        self.pos = pos + 2
        return _ESCAPES.get(esc, esc)

    def hex4(self, pos: int) -> int:
        digits = _HEX4.match(self.text, pos + 2)
        if digits is None:
            raise self.error("invalid \\u escape in string (four hexadecimal digits)", pos)
        return int(digits.group(), 16)

    def parse_object(self, path: Path) -> tuple[object, Node]:
        node = Node(self.pos, self.pos, members=[])
        assert node.members is not None
        value: dict[str, object] = {}
        seen: dict[str, int] = {}
        self.pos += 1
        self.skip_ws()
        if self.text.startswith("}", self.pos):
            self.pos += 1
            node.end = self.pos
            return value, node
        while True:
            self.skip_ws()
            if not self.text.startswith('"', self.pos):
                raise self.error('expected a key in double quotes (no trailing commas in JSON)')
            key_start = self.pos
            key = self.parse_string()
            line = self.line_col(key_start)[0]
            self.skip_ws()
            if not self.text.startswith(":", self.pos):
                raise self.error("expected ':' after the key")
            self.pos += 1
            self.skip_ws()
            child_path = (*path, key)
            if key in seen:
                self.duplicates.append(DuplicateKey(child_path, line, seen[key]))
            seen[key] = line
            self.lines[child_path] = line
            child, child_node = self.parse_value(child_path)
            value[key] = child
            node.members.append(Member(key, key_start, line, child_node))
            self.skip_ws()
            if self.text.startswith(",", self.pos):
                self.pos += 1
                continue
            if self.text.startswith("}", self.pos):
                self.pos += 1
                node.end = self.pos
                return value, node
            raise self.error("expected ',' or '}' after the value")

    def parse_array(self, path: Path) -> tuple[object, Node]:
        node = Node(self.pos, self.pos, items=[])
        assert node.items is not None
        value: list[object] = []
        self.pos += 1
        self.skip_ws()
        if self.text.startswith("]", self.pos):
            self.pos += 1
            node.end = self.pos
            return value, node
        while True:
            self.skip_ws()
            child_path = (*path, len(value))
            self.lines[child_path] = self.line_col(self.pos)[0]
            child, child_node = self.parse_value(child_path)
            value.append(child)
            node.items.append(child_node)
            self.skip_ws()
            if self.text.startswith(",", self.pos):
                self.pos += 1
                continue
            if self.text.startswith("]", self.pos):
                self.pos += 1
                node.end = self.pos
                return value, node
            raise self.error("expected ',' or ']' after the value")
