"""LEAP's "JSON with comments": parsed with spans, edited without touching other bytes.

What ``leap`` accepts, read from its sources (leap_cli ``Config::Manager#load_json`` and the
json_pure gem it requires, whose ``JSON.parse`` it calls):

* every line whose first non-blank characters are ``//`` is dropped before parsing;
* json_pure then ignores ``//`` comments running to a line break (one at the very end of
  the file, with no line break after it, is an error) and ``/* ... */`` comments wherever
  whitespace may go;
* objects and arrays nest at most 100 levels (json_pure's ``max_nesting``);
* a backslash before any printable character escapes it (``\\q`` is ``q``); ``\\u``
  needs four hexadecimal digits, and a UTF-16 surrogate needs its pair;
* a byte order mark, ``NaN``, ``Infinity``, trailing commas and control characters in
  strings are errors; a key given twice keeps its last value.

We do not drop lines (offsets must stay those of the file): the parser treats a dropped
line as whitespace, and records for every key path the span of its value and the line of
its key, so that an edit rewrites exactly the bytes of that value. Integers longer than
Python converts (4,300 digits) are refused: no port or setting is that long.

Paths are tuples of object keys (str) and array indexes (int).
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field

from tui.core.errors import ConfigError

Path = tuple[str | int, ...]

MAX_DEPTH = 100
"""Deepest nesting of objects and arrays accepted: Ruby's JSON.parse (what leap_cli reads
provider files with) refuses more than 100 by default, and tomlkit stops at 100 as well."""

_WS = " \t\r\n"
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_HEX4 = re.compile(r"[0-9A-Fa-f]{4}")
# A line LEAP drops before parsing: Ruby's /^\s*\/\// (\s includes \f and \v).
_DROPPED_LINE = re.compile(r"[ \t\r\f\v]*//[^\n]*")
# json_pure's comment grammar, as written there (a "/*" inside a comment ends the match).
_BLOCK_COMMENT = re.compile(r"/\*(?:[^*/]|/[^*]|\*[^/]|/(?=\*/))*\*/")
_MAX_INT_DIGITS = 4300


@dataclass(slots=True)
class _Node:
    """A parsed value: where it sits in the text, and its children."""

    start: int
    end: int
    members: list[_Member] | None = None  # objects
    items: list[_Node] | None = None  # arrays


@dataclass(slots=True)
class _Member:
    key: str
    key_start: int
    line: int
    value: _Node


@dataclass(frozen=True, slots=True)
class DuplicateKey:
    """A key given twice in one object; as in JSON.parse, the last one wins."""

    path: Path
    line: int
    first_line: int


class _Parser:
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
            if ch in _WS:
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
            block = _BLOCK_COMMENT.match(text, pos)
            if block is None:
                raise self.error("unterminated /* comment (or a /* inside it, which LEAP's "
                                 "JSON parser rejects)", pos)
            return block.end()
        raise self.error(f"unexpected character {text[pos]!r}", pos)

    def parse_document(self) -> tuple[object, _Node]:
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

    def parse_value(self, path: Path) -> tuple[object, _Node]:
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
            return self.parse_string(), _Node(start, self.pos)
        for word, literal in (("true", True), ("false", False), ("null", None)):
            if text.startswith(word, self.pos):
                self.pos += len(word)
                return literal, _Node(start, self.pos)
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
            return number, _Node(start, self.pos)
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

    def parse_object(self, path: Path) -> tuple[object, _Node]:
        node = _Node(self.pos, self.pos, members=[])
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
            node.members.append(_Member(key, key_start, line, child_node))
            self.skip_ws()
            if self.text.startswith(",", self.pos):
                self.pos += 1
                continue
            if self.text.startswith("}", self.pos):
                self.pos += 1
                node.end = self.pos
                return value, node
            raise self.error("expected ',' or '}' after the value")

    def parse_array(self, path: Path) -> tuple[object, _Node]:
        node = _Node(self.pos, self.pos, items=[])
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


@dataclass
class JsoncDocument:
    """One LEAP JSON file: its text, its value, and where each value sits in the text."""

    text: str
    value: object
    file: str = ""
    duplicates: list[DuplicateKey] = field(default_factory=list)
    _root: _Node = field(default_factory=lambda: _Node(0, 0), repr=False)
    _lines: dict[Path, int] = field(default_factory=dict, repr=False)

    @classmethod
    def parse(cls, text: str, file: str = "<text>") -> JsoncDocument:
        """Parse ``text``; ``ConfigError(file, message, line, column)`` when it is not valid."""
        parser = _Parser(text, file)
        value, root = parser.parse_document()
        return cls(text, value, file, parser.duplicates, root, parser.lines)

    # -- reading ----------------------------------------------------------------------------

    def line_of(self, path: Path) -> int | None:
        """The 1-based line of the key (or array item) at ``path``; None when absent."""
        if not path:
            return self._line_at(self._root.start)
        return self._lines.get(tuple(path))

    @property
    def lines(self) -> dict[Path, int]:
        """Every key path of the document and the line of its key (read only)."""
        return self._lines

    def get(self, path: Path, default: object = None) -> object:
        return get_path(self.value, path, default)

    def has(self, path: Path) -> bool:
        marker = object()
        return self.get(path, marker) is not marker

    def indent_unit(self) -> str:
        """The file's indentation step: a tab, or the smallest indentation in spaces."""
        smallest = 0
        for raw_line in self.text.splitlines():
            stripped = raw_line.lstrip(" \t")
            if not stripped or stripped.startswith("//"):
                continue
            lead = raw_line[: len(raw_line) - len(stripped)]
            if lead.startswith("\t"):
                return "\t"
            if lead and (smallest == 0 or len(lead) < smallest):
                smallest = len(lead)
        return " " * (smallest or 2)

    # -- editing ----------------------------------------------------------------------------

    def set(self, path: Path, value: object) -> None:
        """Set ``path`` to ``value``, rewriting only the bytes that must change."""
        path = tuple(path)
        node, found = self._deepest(path)
        if found == len(path):
            self._replace_value(node, value)
            return
        if node.members is None:
            where = ".".join(str(p) for p in path[:found]) or "the document"
            raise ConfigError(
                self.file, f"cannot set {_dotted(path)}: {where} is not an object",
                self.line_of(path[:found]),
            )
        key = path[found]
        if not isinstance(key, str):
            raise ConfigError(self.file, f"cannot set {_dotted(path)}: no such array item")
        nested: object = value
        for part in reversed(path[found + 1 :]):
            if not isinstance(part, str):
                    raise ConfigError(self.file, f"cannot create array item in {_dotted(path)}")
            nested = {part: nested}
        self._insert_member(node, key, nested)

    def remove(self, path: Path) -> None:
        """Delete the member (or array item) at ``path`` and fix the commas around it."""
        path = tuple(path)
        if not path or not self.has(path):
            return
        parent, _ = self._deepest(path[:-1])
        last = path[-1]
        if parent.members is not None:
            index = max(i for i, m in enumerate(parent.members) if m.key == last)
            starts = [m.key_start for m in parent.members]
            ends = [m.value.end for m in parent.members]
        else:
            assert parent.items is not None and isinstance(last, int)
            index = last
            starts = [n.start for n in parent.items]
            ends = [n.end for n in parent.items]
        text = self.text
        start, end = starts[index], ends[index]
        cuts: list[tuple[int, int]] = []
        after = _skip_blank(text, end)
        if index + 1 < len(starts):
            # the member's own comma goes with it, and the blanks that followed it
            if text.startswith(",", after):
                end = after + 1
                while end < len(text) and text[end] in " \t":
                    end += 1
        elif index > 0:
            between = text[ends[index - 1] : start]
            if between.strip(_WS) == ",":
                start = ends[index - 1]
            else:
                comma = _skip_blank(text, ends[index - 1])
                if text.startswith(",", comma):
                    cuts.append((comma, comma + 1))
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end
        if not text[line_start:start].strip() and not text[end:line_end].strip():
            # the member had its line(s) to itself: take the whole lines
            start, end = line_start, min(line_end + 1, len(text))
        cuts.append((start, end))
        new_text = text
        for cut_start, cut_end in sorted(cuts, reverse=True):
            new_text = new_text[:cut_start] + new_text[cut_end:]
        self._reload(new_text)

    def replace_text(self, text: str) -> None:
        """Swap in a whole new text (undo/redo); ConfigError leaves the document unchanged."""
        self._reload(text)

    # -- internals --------------------------------------------------------------------------

    def _reload(self, text: str) -> None:
        parser = _Parser(text, self.file)
        value, root = parser.parse_document()
        self.text, self.value, self._root = text, value, root
        self._lines, self.duplicates = parser.lines, parser.duplicates

    def _deepest(self, path: Path) -> tuple[_Node, int]:
        """The node of the longest existing prefix of ``path`` and that prefix's length."""
        node = self._root
        for depth, part in enumerate(path):
            child: _Node | None = None
            if node.members is not None and isinstance(part, str):
                for member in reversed(node.members):
                    if member.key == part:
                        child = member.value
                        break
            elif node.items is not None and isinstance(part, int) and 0 <= part < len(node.items):
                child = node.items[part]
            if child is None:
                return node, depth
            node = child
        return node, len(path)

    def _line_at(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1

    def _line_indent(self, offset: int) -> str:
        line_start = self.text.rfind("\n", 0, offset) + 1
        line = self.text[line_start:offset]
        return line[: len(line) - len(line.lstrip(" \t"))]

    def _newline(self) -> str:
        """The file's line break: every line an edit writes uses it (CRLF stays CRLF)."""
        return "\r\n" if "\r\n" in self.text else "\n"

    def _dump(self, value: object, indent: str, multiline: bool) -> str:
        if not multiline or not isinstance(value, dict) or not value:
            return json.dumps(value, ensure_ascii=False)
        unit = self.indent_unit()
        dumped = json.dumps(value, ensure_ascii=False, indent=unit)
        return dumped.replace("\n", self._newline() + indent)

    def _replace_value(self, node: _Node, value: object) -> None:
        old = self.text[node.start : node.end]
        multiline = "\n" in old or (isinstance(value, dict) and node.members is None)
        new = self._dump(value, self._line_indent(node.start), multiline)
        self._reload(self.text[: node.start] + new + self.text[node.end :])

    def _insert_member(self, obj: _Node, key: str, value: object) -> None:
        assert obj.members is not None
        text = self.text
        key_json = json.dumps(key, ensure_ascii=False)
        one_line = "\n" not in text[obj.start : obj.end]
        if obj.members and one_line:
            at = obj.members[-1].value.end
            insert = f", {key_json}: {json.dumps(value, ensure_ascii=False)}"
        elif obj.members:
            last = obj.members[-1]
            indent = self._line_indent(last.key_start)
            if text[text.rfind("\n", 0, last.key_start) + 1 : last.key_start].strip():
                indent = self._line_indent(obj.start) + self.indent_unit()
            at = last.value.end
            insert = f",{self._newline()}{indent}{key_json}: {self._dump(value, indent, True)}"
        else:
            outer = self._line_indent(obj.start)
            indent = outer + self.indent_unit()
            member = f"{indent}{key_json}: {self._dump(value, indent, True)}"
            nl = self._newline()
            if one_line:
                self._reload(text[: obj.start] + "{" + nl + member + nl + outer + "}"
                             + text[obj.end :])
                return
            at = obj.start + 1
            insert = nl + member
        self._reload(text[:at] + insert + text[at:])


def _skip_blank(text: str, offset: int) -> int:
    """The offset of the next character that is not whitespace nor in a comment line."""
    n = len(text)
    while offset < n:
        if text[offset] in _WS:
            offset += 1
        elif text.startswith("//", offset):
            newline = text.find("\n", offset)
            offset = n if newline < 0 else newline
        elif text.startswith("/*", offset):
            block = _BLOCK_COMMENT.match(text, offset)
            offset = n if block is None else block.end()
        else:
            break
    return offset


def _dotted(path: Path) -> str:
    return ".".join(str(p) for p in path)


def parse_jsonc(text: str, file: str = "<text>") -> object:
    """The value of a LEAP JSON file; ConfigError(file, message, line, column) on bad input."""
    return JsoncDocument.parse(text, file).value


def get_path(values: object, path: Path, default: object = None) -> object:
    """The value at ``path`` in nested dicts and lists, or ``default``."""
    current = values
    for part in path:
        if isinstance(current, dict) and isinstance(part, str) and part in current:
            current = current[part]
            continue
        if isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            current = current[part]
            continue
        return default
    return current
