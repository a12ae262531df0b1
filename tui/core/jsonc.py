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

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from tui.core.errors import ConfigError
from tui.core.jsonc_lines import scan_lines
from tui.core.jsonc_parser import BLOCK_COMMENT, WS, Node, Parser, fast_value
from tui.core.jsonc_parser import MAX_DEPTH as MAX_DEPTH
from tui.core.jsonc_parser import DuplicateKey as DuplicateKey
from tui.core.jsonc_parser import Path as Path


@dataclass
class JsoncDocument:
    """One LEAP JSON file: its text, its value, and where each value sits in the text.

    The positions (spans, key lines, repeated keys) come from :class:`Parser`, which runs
    when they are first asked for: a file read by the C decoder (see ``fast_value``) and
    never reported on or edited costs no pure-Python parse.
    """

    text: str
    value: object
    file: str = ""
    _root: Node | None = field(default=None, repr=False)
    _lines: dict[Path, int] | None = field(default=None, repr=False)
    _duplicates: list[DuplicateKey] | None = field(default=None, repr=False)

    @classmethod
    def parse(cls, text: str, file: str = "<text>") -> JsoncDocument:
        """Parse ``text``; ``ConfigError(file, message, line, column)`` when it is not valid."""
        fast = fast_value(text)
        if fast is not None:
            return cls(text, fast[0], file, _duplicates=[])  # no key repeats: json.loads said
        parser = Parser(text, file)
        value, root = parser.parse_document()
        return cls(text, value, file, root, parser.lines, parser.duplicates)

    def _positions(self) -> tuple[Node, dict[Path, int]]:
        if self._root is None or self._lines is None:
            parser = Parser(self.text, self.file)
            _, self._root = parser.parse_document()  # the value is the one already read
            self._lines, self._duplicates = parser.lines, parser.duplicates
        return self._root, self._lines

    # -- reading ----------------------------------------------------------------------------

    @property
    def duplicates(self) -> list[DuplicateKey]:
        """Keys given twice in one object; as in JSON.parse, the last one wins."""
        if self._duplicates is None:
            self._positions()
        assert self._duplicates is not None
        return self._duplicates

    def line_of(self, path: Path) -> int | None:
        """The 1-based line of the key (or array item) at ``path``; None when absent."""
        if not path:
            return self._line_at(self._positions()[0].start)
        return self.lines.get(tuple(path))

    @property
    def lines(self) -> dict[Path, int]:
        """Every key path of the document and the line of its key (read only)."""
        if self._lines is None:
            # read by fast_value and never edited: a scan of its tokens finds the lines
            self._lines = scan_lines(self.text)
        return self._lines

    def line_map(self) -> Mapping[Path, int]:
        """:attr:`lines` as a mapping that parses the positions only when first read."""
        return _LineMap(self)

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
            if between.strip(WS) == ",":
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
        parser = Parser(text, self.file)
        value, root = parser.parse_document()
        self.text, self.value, self._root = text, value, root
        self._lines, self._duplicates = parser.lines, parser.duplicates

    def _deepest(self, path: Path) -> tuple[Node, int]:
        """The node of the longest existing prefix of ``path`` and that prefix's length."""
        node = self._positions()[0]
        for depth, part in enumerate(path):
            child: Node | None = None
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

    def _replace_value(self, node: Node, value: object) -> None:
        old = self.text[node.start : node.end]
        multiline = "\n" in old or (isinstance(value, dict) and node.members is None)
        new = self._dump(value, self._line_indent(node.start), multiline)
        self._reload(self.text[: node.start] + new + self.text[node.end :])

    def _insert_member(self, obj: Node, key: str, value: object) -> None:
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


class _LineMap(Mapping[Path, int]):
    """The key lines of a document's text as it was when this map was made (an edit later
    does not move them, as a copy would not), parsed at the first lookup."""

    __slots__ = ("_doc", "_lines", "_text")

    def __init__(self, doc: JsoncDocument) -> None:
        self._doc = doc
        self._text = doc.text
        self._lines: dict[Path, int] | None = None

    def _resolved(self) -> dict[Path, int]:
        if self._lines is None:
            if self._doc.text is self._text:
                self._lines = self._doc.lines
            else:
                parser = Parser(self._text, self._doc.file)
                parser.parse_document()
                self._lines = parser.lines
        return self._lines

    def __getitem__(self, path: Path) -> int:
        return self._resolved()[path]

    def get(self, path: Path, default: int | None = None) -> int | None:  # type: ignore[override]
        return self._resolved().get(path, default)

    def __iter__(self) -> Iterator[Path]:
        return iter(self._resolved())

    def __len__(self) -> int:
        return len(self._resolved())


def _skip_blank(text: str, offset: int) -> int:
    """The offset of the next character that is not whitespace nor in a comment line."""
    n = len(text)
    while offset < n:
        if text[offset] in WS:
            offset += 1
        elif text.startswith("//", offset):
            newline = text.find("\n", offset)
            offset = n if newline < 0 else newline
        elif text.startswith("/*", offset):
            block = BLOCK_COMMENT.match(text, offset)
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
