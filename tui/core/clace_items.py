"""The tomlkit items behind a Clace TOML edit: finding them, making new ones that keep the
old line's look (quoting, trailing comment at its column, inline table spacing)."""

from __future__ import annotations

import datetime
import re
from collections.abc import MutableMapping
from typing import TYPE_CHECKING, Any

from tui.core.clace_keys import join_key
from tui.core.clace_schema import CLACE_FIELDS
from tui.core.errors import ConfigError
from tui.core.field_values import parse_kind
from tui.core.toml10 import check_toml10

if TYPE_CHECKING:
    import tomlkit
    from tomlkit.items import Item

# tomlkit is imported where an item is made or inspected: reading a file (a check) needs
# no tomlkit at all, and importing it costs a start-up of `leap-tui check` several ms.

# --- navigating the tomlkit document ------------------------------------------------------

MISSING: Any = object()


def child_of(node: Any, segment: str) -> Any:
    if isinstance(node, MutableMapping):
        return node.get(segment, MISSING)
    if isinstance(node, list) and segment.isdigit():
        position = int(segment)
        return node[position] if position < len(node) else MISSING
    return MISSING


def plain(node: Any) -> object:
    unwrap = getattr(node, "unwrap", None)
    return unwrap() if callable(unwrap) else node


def existing_item(parent: Any, key: str) -> Item | None:
    """The tomlkit item at ``key`` (a bool's Bool item too, which ``parent[key]`` unwraps).

    Container.item exists in every tomlkit of the supported range; Table.item only from
    0.13.3 on, so a table's own container is asked too.
    """
    from tomlkit.items import Item

    for holder in (parent, getattr(parent, "value", None)):
        getter = getattr(holder, "item", None)
        if callable(getter):
            found = getter(key)
            return found if isinstance(found, Item) else None
    value = parent[key]
    return value if isinstance(value, Item) else None


def new_item(value: object, old: Item | None) -> Item:
    """The TOML item for ``value``; a string replacing a literal one stays literal."""
    import tomlkit
    from tomlkit.items import String, StringType

    # String.type since tomlkit 0.13.3; before it, the private _t (the supported range
    # starts at 0.13)
    kind = getattr(old, "type", None) or getattr(old, "_t", None)
    was_literal = isinstance(old, String) and kind in (StringType.SLL, StringType.MLL)
    if was_literal and isinstance(value, str) and _fits_literal(value):
        return tomlkit.string(value, literal=True)
    return toml_item(value)


def toml_item(value: object) -> Item:
    """The TOML item for a plain value; tables and tables in arrays are written inline.

    tomlkit would make a dict a ``[table]`` (and a list of dicts an array of tables), which
    cannot be the value of one ``key = ...`` line.
    """
    import tomlkit

    if isinstance(value, dict):
        table = tomlkit.inline_table()
        table.update(value)
        return table
    if isinstance(value, list):
        array = tomlkit.array()
        array.extend(value)
        return array
    return tomlkit.item(value)


def toml_literal(value: object) -> str:
    """How ``value`` is written after ``key = `` in a TOML file (dates, inf and tables too)."""
    return toml_item(value).as_string()


def _fits_literal(value: str) -> bool:
    return "'" not in value and not any(ord(c) < 0x20 or ord(c) == 0x7F for c in value)


def carry_trivia(new: Item, old: Item, *, keep_column: bool) -> None:
    """Keep the old line's indentation, newline and trailing comment (at its column)."""
    trivia, before = new.trivia, old.trivia
    trivia.indent = before.indent
    trivia.trail = before.trail
    trivia.comment = before.comment
    trivia.comment_ws = before.comment_ws
    if keep_column and before.comment and set(before.comment_ws) == {" "}:
        grown = len(new.as_string()) - len(old.as_string())
        trivia.comment_ws = " " * max(1, len(before.comment_ws) - grown)


ACCEPTED_TYPES = (str, bool, int, float, list, dict, datetime.date, datetime.time)


def check_index(node: Any, segments: tuple[str, ...], depth: int, *,
                 allow_end: bool = False) -> None:
    """ValueError unless ``segments[depth]`` indexes the list ``node`` (no-op otherwise)."""
    if not isinstance(node, list):
        return
    where, segment = join_key(segments[:depth]), segments[depth]
    if not segment.isdigit():
        raise ValueError(f"{where} is an array: index it ({where}.0.{segment})")
    if int(segment) > len(node) or (int(segment) == len(node) and not allow_end):
        raise ValueError(f"{where} has {len(node)} element{'s' if len(node) != 1 else ''}: "
                         f"no element {segment}")


def holder_key(holder: Any, segment: str) -> Any:
    return int(segment) if isinstance(holder, list) else segment


def inline_with(text: str, key: str, literal: str) -> str:
    """``{ a = 1 }`` with ``key = literal`` added last, spaced like the rest of the table."""
    inner = text[1:-1]
    body = inner.rstrip(" \t")
    trailing = inner[len(body):]
    member = f"{key}{'=' if '=' in body and ' = ' not in body else ' = '}{literal}"
    if not body.strip():
        return "{" + (f" {member} " if inner else member) + "}"
    comma = "," if "," in body and ", " not in body else ", "
    return "{" + body + comma + member + trailing + "}"


def parse_field_value(key: str, text: str) -> object:
    """Turn a command-line VALUE into the type the key needs (``"443"`` -> 443).

    Modelled fields take their kind (:func:`parse_kind`, as in the editor): ports an
    integer, booleans true/false, the rest the text without surrounding blanks. Other keys
    take a TOML literal when VALUE is one (``5``, ``true``, ``"x"``, ``[1, 2]``,
    ``{a = 1}``) and the text as a string otherwise.
    """
    spec = CLACE_FIELDS.get(key)
    if spec is not None:
        return parse_kind(spec.kind, key, text)
    if "\n" in text or "\r" in text:
        return text
    import tomllib

    try:
        check_toml10(f"v = {text}", key)  # TOML 1.0 as Clace reads it, not tomllib's version
        return tomllib.loads(f"v = {text}")["v"]
    except (ConfigError, tomllib.TOMLDecodeError):
        return text


_POSITION_SUFFIX = re.compile(r"\s+at line \d+ col \d+$")


def parse_document(text: str, file: str, *, checked: bool = False) -> tomlkit.TOMLDocument:
    """The tomlkit document of ``text``; ConfigError(file, message, line, column) otherwise.

    The TOML 1.0 check runs first (unless ``checked``: it already ran on this text): it
    locates every error itself (whatever the tomlkit version) and refuses what Clace's
    parser refuses. tomlkit failing on a file that check accepted is still a one-line
    error, never a traceback.
    """
    import tomlkit
    from tomlkit.exceptions import ParseError

    if not checked:
        check_toml10(text, file)
    try:
        return tomlkit.parse(text)
    except ParseError as exc:
        message = _POSITION_SUFFIX.sub("", str(exc))
        # tomlkit counts columns from 0; editors and compilers from 1.
        raise ConfigError(file, message, exc.line, exc.col + 1) from None
    except Exception as exc:  # RecursionError, KeyAlreadyPresent...: still one line
        raise ConfigError(file, f"cannot read: {exc or type(exc).__name__}", 1, 1) from None
