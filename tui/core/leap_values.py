"""Values of a LEAP provider as leap_cli reads them: expressions, the REQUIRED placeholder,
dotted keys (see :mod:`tui.core.leap_merge`)."""

from __future__ import annotations

from tui.core.jsonc import Path, get_path
from tui.core.leap_defaults import REQUIRED

EXPRESSION_PREFIXES = ("= ", "=> ")


def is_expression(value: object) -> bool:
    """A Ruby expression that ``leap compile`` evaluates (never evaluated here)."""
    return isinstance(value, str) and value.startswith(EXPRESSION_PREFIXES)


def expression_source(value: object) -> str | None:
    if isinstance(value, str):
        for prefix in EXPRESSION_PREFIXES:
            if value.startswith(prefix):
                return value[len(prefix) :]
    return None


def describe_value(value: object) -> str:
    """How a UI shows a value: expressions as computed, never as if they were literal."""
    source = expression_source(value)
    if source is not None:
        return f"computed by leap compile: {source}"
    if value == REQUIRED or value == [REQUIRED]:
        return "REQUIRED (a placeholder each node must replace)"
    return repr(value) if not isinstance(value, str) else value


_REQUIRED_LIST = [REQUIRED]


def is_required_placeholder(value: object) -> bool:
    return value in (REQUIRED, _REQUIRED_LIST)


def dotted(path: Path) -> str:
    return ".".join(str(part) for part in path)


_ABSENT: object = object()


def lookup(values: object, key: str) -> tuple[Path | None, object]:
    """(path, value) of a dotted key, as ``resolve_key`` and ``get_path`` give them, in one
    walk when every part is a key of a dict (the common case); ``(None, None)`` if absent."""
    if key:
        current = values
        for part in key.split("."):
            if isinstance(current, dict):
                current = current.get(part, _ABSENT)
                if current is not _ABSENT:
                    continue
            path = resolve_key(values, key)  # dots inside keys, array indexes
            return (None, None) if path is None else (path, get_path(values, path))
        return tuple(key.split(".")), current
    return (), values


def resolve_key(values: object, key: str) -> Path | None:
    """The path of a dotted key in ``values``; keys that contain dots ("example.org") too."""
    if not key:
        return ()
    parts = key.split(".")
    path: list[str | int] = []
    current = values
    i, n = 0, len(parts)
    while i < n:
        part = parts[i]
        if isinstance(current, dict):
            if part in current:
                path.append(part)
                current = current[part]
                i += 1
                continue
            for j in range(i + 2, n + 1):
                candidate = ".".join(parts[i:j])
                if candidate in current:
                    path.append(candidate)
                    current = current[candidate]
                    i = j
                    break
            else:
                return None
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            path.append(int(part))
            current = current[int(part)]
            i += 1
        else:
            return None
    return tuple(path)
