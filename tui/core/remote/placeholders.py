"""``{path}`` and ``{target}`` in the inventory's validate and reload commands.

A placeholder becomes exactly one shell word holding the path, whatever quotes the
operator wrote around it: ``test -s {path}``, ``test -s "{path}"`` and
``test -s '{path}'`` all run ``test -s`` on the path, and a directory named
``$(rm -rf ~)`` stays a name. To get there the command is read as the shell reads quotes
(plain, '...', "...", $(...)) and each placeholder is replaced by a single-quoted word,
closing and reopening the quote it sits in. Where that cannot be done safely —
inside backquotes, $'...', a here-document, or a ``case`` inside $(...) — the
command is refused when the inventory loads, with the reason.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass

# validate: {path} is the uploaded temporary file, {target} the live file.
# reload: both are the live file (the new bytes are there by then).
NAMES = ("path", "target")
_PLACEHOLDER = re.compile(r"\{(path|target)\}")
_CASE = re.compile(r"(?<![\w-])case(?![\w-])")


class PlaceholderError(ValueError):
    """A command whose placeholders cannot be substituted safely; the text says why."""


@dataclass(frozen=True, slots=True)
class _Slot:
    start: int
    end: int
    name: str
    context: str  # plain | single | double


def _refuse(name: str, where: str, fix: str) -> PlaceholderError:
    return PlaceholderError(f"{{{name}}} inside {where} cannot be substituted safely; {fix}")


def _scan(command: str) -> list[_Slot]:
    """The placeholders of ``command`` with the quoting each sits in."""
    slots: list[_Slot] = []
    stack = ["plain"]
    heredoc = False
    i, n = 0, len(command)
    while i < n:
        context = stack[-1]
        found = _PLACEHOLDER.match(command, i)
        if found:
            name = found.group(1)
            if heredoc:
                raise _refuse(name, "a here-document (<<)", "pass the path as an argument")
            if context == "backtick":
                raise _refuse(name, "backquotes", "write $(...) instead of `...`")
            if context == "ansi":
                raise _refuse(name, "$'...'", "put it outside the quotes")
            # A case pattern's ")" would end $(...) early for this reader: refuse them all.
            if "$(" in command and _CASE.search(command):
                raise _refuse(name, "$(...) with a case statement",
                              "move the case statement out of $(...)")
            slots.append(_Slot(i, found.end(), name,
                               "plain" if context in ("sub", "paren") else context))
            i = found.end()
            continue
        char = command[i]
        if context == "single":
            if char == "'":
                stack.pop()
        elif context in ("ansi", "backtick"):
            if char == "\\":
                i += 1
            elif char == ("'" if context == "ansi" else "`"):
                stack.pop()
        elif context == "double":
            if char == "\\":
                i += 1
            elif char == '"':
                stack.pop()
            elif command.startswith("$(", i):
                stack.append("sub")
                i += 1
            elif char == "`":
                stack.append("backtick")
        else:  # plain, or inside $(...) / a parenthesis there
            if char == "\\":
                i += 1
            elif char == "'":
                stack.append("single")
            elif char == '"':
                stack.append("double")
            elif command.startswith("$'", i):
                stack.append("ansi")
                i += 1
            elif command.startswith("$(", i):
                stack.append("sub")
                i += 1
            elif char == "(" and context != "plain":
                stack.append("paren")
            elif char == ")" and context != "plain":
                stack.pop()
            elif char == "`":
                stack.append("backtick")
            elif command.startswith("<<", i) and not command.startswith("<<<", i):
                heredoc = True
                i += 1
            elif char == "#" and (i == 0 or command[i - 1] in " \t\n;&|("):
                end = command.find("\n", i)
                i = n if end < 0 else end
                continue
        i += 1
    if slots and stack != ["plain"]:
        raise PlaceholderError("unbalanced quotes or parentheses: the placeholders' quoting "
                               "cannot be told")
    return slots


def check(command: str) -> None:
    """Raise PlaceholderError if ``command``'s placeholders cannot be substituted safely."""
    _scan(command)


def substitute(command: str, values: Mapping[str, str]) -> str:
    """``command`` with each placeholder replaced by its value as one shell word."""
    out: list[str] = []
    last = 0
    for slot in _scan(command):
        word = shlex.quote(values[slot.name])
        if slot.context == "single":
            word = f"'{word}'"  # close '...', the word, reopen
        elif slot.context == "double":
            word = f'"{word}"'  # close "...", the word, reopen
        out += [command[last:slot.start], word]
        last = slot.end
    out.append(command[last:])
    return "".join(out)
