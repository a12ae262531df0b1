"""The line of every key of a LEAP JSON file, found by a light scan of its tokens.

For a file :func:`tui.core.jsonc_parser.fast_value` read (valid JSON once its comments are
blanked, no key given twice): what :class:`tui.core.jsonc_parser.Parser` records in its
``lines`` (the line of each object key, and of each array item's first character, in the
order it meets them), at a fraction of its cost. The port map of a provider asks for the
lines of every file a port is set in.
"""

from __future__ import annotations

import json
import re

from tui.core.jsonc_parser import BLOCK_COMMENT, Path

_TOKEN = re.compile(
    r'([ \t\r\n]+|//[^\n]*|' + BLOCK_COMMENT.pattern + r')'  # 1: blank (may hold newlines)
    r'|("(?:[^"\\]|\\.)*")'  # 2: a string
    r'|([{}\[\]:,])'  # 3: punctuation
    r'|[^ \t\r\n{}\[\]:,"/]+'  # a number or a literal
)


def scan_lines(text: str) -> dict[Path, int]:
    """``Parser(text).lines`` for a text ``fast_value`` accepted."""
    lines: dict[Path, int] = {}
    # one frame per open object or array: [its path, is an object, current key or index]
    frames: list[list[object]] = []
    line = 1
    wants_key = False  # inside an object, before a key
    item_pending = False  # inside an array, before an item
    for match in _TOKEN.finditer(text):
        blank, string, punct = match.group(1, 2, 3)
        if blank is not None:
            line += blank.count("\n")
            continue
        if string is not None and wants_key:
            frame = frames[-1]
            key = json.loads(string) if "\\" in string else string[1:-1]
            frame[2] = key
            lines[(*frame[0], key)] = line  # type: ignore[misc]
            wants_key = False
            continue
        if punct is not None and punct in ":,}]":
            if punct == ",":
                frame = frames[-1]
                if frame[1]:
                    wants_key = True
                else:
                    frame[2] = frame[2] + 1  # type: ignore[operator]
                    item_pending = True
            elif punct in "}]":
                frames.pop()
                item_pending = wants_key = False
            continue
        # a value starts here: a string, a literal, a number, "{" or "["
        path: Path = ()
        if frames:
            frame = frames[-1]
            path = (*frame[0], frame[2])  # type: ignore[misc, arg-type]
            if item_pending:
                lines[path] = line
                item_pending = False
        if punct == "{":
            frames.append([path, True, None])
            wants_key = True
        elif punct == "[":
            frames.append([path, False, 0])
            item_pending = True
    return lines
