"""Key paths of a Clace TOML file, and where each key sits in its text.

Key paths are dotted (``"https.port"``); a segment holding a dot is quoted the TOML way
(``'plugin."store.in".db_connection'``); a run of digits indexes an array of tables
(``"permissions.allow.0.plugin"``). tomlkit items carry no positions, so :func:`scan`
indexes lines with a light pass over the rendered text (valid TOML 1.0 at that point).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

# --- key paths ---------------------------------------------------------------------------

_BARE_KEY = r"[A-Za-z0-9_-]+"
_BASIC_KEY = r'"(?:[^"\\\n]|\\.)*"'
_LITERAL_KEY = r"'[^'\n]*'"
_SEGMENT = rf"(?:{_BARE_KEY}|{_BASIC_KEY}|{_LITERAL_KEY})"
_KEY_PATH = rf"{_SEGMENT}(?:[ \t]*\.[ \t]*{_SEGMENT})*"
_SEGMENT_RE = re.compile(_SEGMENT)
_KEY_PATH_RE = re.compile(rf"[ \t]*{_KEY_PATH}[ \t]*")
_BARE_KEY_RE = re.compile(_BARE_KEY)
_ESCAPE_RE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|x[0-9A-Fa-f]{2}|.)")
_SIMPLE_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", "e": "\x1b"}


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    if code[0] in "uUx" and len(code) > 1:
        return chr(int(code[1:], 16))
    return _SIMPLE_ESCAPES.get(code, code)


def _decode_segment(segment: str) -> str:
    if segment.startswith('"'):
        return _ESCAPE_RE.sub(_unescape, segment[1:-1])
    if segment.startswith("'"):
        return segment[1:-1]
    return segment


def _segments(path_text: str) -> tuple[str, ...]:
    return tuple(_decode_segment(m.group(0)) for m in _SEGMENT_RE.finditer(path_text))


@lru_cache(maxsize=4096)
def split_key(key: str) -> tuple[str, ...]:
    """``'plugin."store.in".db'`` -> ``("plugin", "store.in", "db")``."""
    if _KEY_PATH_RE.fullmatch(key):
        return _segments(key)
    return tuple(key.split("."))


def join_key(segments: Sequence[str]) -> str:
    """The inverse of :func:`split_key`: bare where TOML allows it, quoted otherwise."""
    return ".".join(s if _BARE_KEY_RE.fullmatch(s) else _quote(s) for s in segments)


_QUOTE_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def _quote(segment: str) -> str:
    def escape(c: str) -> str:
        if c in _QUOTE_ESCAPES:
            return _QUOTE_ESCAPES[c]
        return f"\\u{ord(c):04x}" if ord(c) < 0x20 or ord(c) == 0x7F else c

    return '"' + "".join(escape(c) for c in segment) + '"'


# --- a line index of the text --------------------------------------------------------------
# tomlkit items carry no positions, so lines come from a light scan of the rendered text.
# The text is valid TOML 1.0 at this point (checked and parsed), which keeps the scan simple.

_HEADER_RE = re.compile(rf"[ \t]*(\[\[?)[ \t]*({_KEY_PATH})[ \t]*\]")
_KEYVAL_RE = re.compile(rf"[ \t]*({_KEY_PATH})[ \t]*=[ \t]*")
# most lines: one bare key, and a value that cannot run onto the next line
_BARE_KEYVAL_RE = re.compile(r"""[ \t]*([A-Za-z0-9_-]+)[ \t]*=[ \t]*+(?![\[{]|""\"|''')""")


@dataclass
class LineIndex:
    lines: dict[tuple[str, ...], int] = field(default_factory=dict)
    # table path -> (last line of its last key/value, that line's indentation)
    table_end: dict[tuple[str, ...], tuple[int, str]] = field(default_factory=dict)
    # explicitly defined tables ([header] or [[header]] elements) and the root
    tables: set[tuple[str, ...]] = field(default_factory=lambda: {()})


def _skip_string(text: str, i: int) -> int:
    quote, n = text[i], len(text)
    j = i + 1
    while j < n:
        c = text[j]
        if c == "\\" and quote == '"':
            j += 2
            continue
        if c == quote or c == "\n":
            return j + 1
        j += 1
    return n


def _skip_multiline_string(text: str, i: int) -> int:
    delimiter, n = text[i : i + 3], len(text)
    j = i + 3
    while j < n:
        if text[j] == "\\" and delimiter == '"""':
            j += 2
            continue
        if text.startswith(delimiter, j):
            # Up to two quotes may sit right before the closing delimiter.
            k = j
            while k < n and text[k] == delimiter[0]:
                k += 1
            return k
        j += 1
    return n


def _skip_value(text: str, pos: int) -> int:
    """End of a value that may span lines (multi-line string, array, inline table)."""
    if text.startswith('"""', pos) or text.startswith("'''", pos):
        return _skip_multiline_string(text, pos)
    n = len(text)
    if pos >= n or text[pos] not in "[{":
        return pos
    depth, i = 0, pos
    while i < n:
        c = text[i]
        if c in "[{":
            depth += 1
            i += 1
        elif c in "]}":
            depth -= 1
            i += 1
            if depth == 0:
                return i
        elif c in "\"'":
            triple = text.startswith(c * 3, i)
            i = _skip_multiline_string(text, i) if triple else _skip_string(text, i)
        elif c == "#":
            eol = text.find("\n", i)
            i = n if eol < 0 else eol
        else:
            i += 1
    return n


def scan(text: str) -> LineIndex:
    index = LineIndex()
    aot_sizes: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()

    def resolve(segments: tuple[str, ...]) -> tuple[str, ...]:
        """Route a header's prefix through the last element of each array of tables."""
        out: list[str] = []
        for segment in segments:
            out.append(segment)
            size = aot_sizes.get(tuple(out))
            if size:
                out.append(str(size - 1))
        return tuple(out)

    pos, line, n = 0, 1, len(text)
    while pos < n:
        eol = text.find("\n", pos)
        if eol < 0:
            eol = n
        next_pos = eol + 1
        bare = _BARE_KEYVAL_RE.match(text, pos, eol)
        if bare:
            index.lines.setdefault((*table, bare.group(1)), line)
            index.table_end[table] = (line, text[pos : bare.start(1)])
            line += 1
            pos = next_pos
            continue
        header = _HEADER_RE.match(text, pos, eol)
        if header:
            segments = _segments(header.group(2))
            path = resolve(segments[:-1]) + segments[-1:]
            if header.group(1) == "[[":
                index.lines.setdefault(path, line)
                size = aot_sizes.get(path, 0)
                aot_sizes[path] = size + 1
                table = (*path, str(size))
                index.lines[table] = line
            else:
                index.lines.setdefault(path, line)
                table = path
            index.tables.add(table)
        else:
            keyval = _KEYVAL_RE.match(text, pos, eol)
            if keyval:
                full = table + _segments(keyval.group(1))
                for i in range(len(table) + 1, len(full)):
                    index.lines.setdefault(full[:i], line)
                index.lines.setdefault(full, line)
                end = _skip_value(text, keyval.end())
                if end > eol:
                    eol = text.find("\n", end)
                    next_pos = n if eol < 0 else eol + 1
                last_line = line + text.count("\n", pos, max(end - 1, pos))
                index.table_end[table] = (last_line, text[pos : keyval.start(1)])
        line += text.count("\n", pos, next_pos)
        pos = next_pos
    return index


def with_new_key(text: str, index: LineIndex, segments: tuple[str, ...], rendered: str,
                 nl: str) -> str:
    """``text`` with the key ``segments`` (absent from it) added as one new line after the
    last key of the deepest table written for it, or as a new table at the end; ``rendered``
    is its value as TOML, ``nl`` the file's line break."""
    # The deepest explicit table the key belongs under; the rest becomes a dotted key.
    owner = max(
        (t for t in index.tables if segments[: len(t)] == t and len(t) < len(segments)),
        key=len,
    )
    if owner == () and len(segments) > 1 and (segments[0],) not in index.lines:
        # A section the file does not have yet: a new table at the end.
        block = f"[{join_key(segments[:-1])}]{nl}{join_key(segments[-1:])} = {rendered}{nl}"
        if text and not text.endswith("\n"):
            text += nl
        if text.strip() and not text.endswith(nl + nl):
            text += nl
        new_text = text + block
    else:
        end = index.table_end.get(owner)
        if end is not None:
            after, indent = end
        else:
            after, indent = (index.lines.get(owner, 0) if owner else 0), ""
        # Split on LF only: TOML's newline; str.splitlines would also split on U+2028.
        lines = text.split("\n")
        carriage = "\r" if nl == "\r\n" else ""
        relative = join_key(segments[len(owner) :])
        line = f"{indent}{relative} = {rendered}"
        if after >= len(lines):
            # after the last line, which has no line break: it gets one, the new line
            # (now the last) none, as the file had
            lines[-1] += carriage
            lines.append(line)
        else:
            lines.insert(after, line + carriage)
        new_text = "\n".join(lines)
    return new_text
