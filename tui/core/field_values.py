"""Typed text to the value of a field, one parser per kind (port, bool, list, ...).

Shared by `leap-tui set` (Clace and LEAP files) and the TUI's field editor, so that the
same text means the same value in both faces. Each parser raises ValueError with one line
that names the key.
"""

from __future__ import annotations

import math
import re

TEXT_KINDS = frozenset({"host", "email", "path", "string", "ip", "text"})

# ASCII digits only: int() would also take "1_000" and non-Latin digits.
_INTEGER_RE = re.compile(r"[+-]?[0-9]+")


INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def parse_integer(key: str, text: str, what: str = "an integer") -> int:
    """An integer the servers' parsers can hold: a wider one would make the file unreadable
    (Clace's TOML 1.0 parser refuses it), so it is refused here, before it is written."""
    stripped = text.strip()
    if _INTEGER_RE.fullmatch(stripped):
        # Digits beyond int64's 19 are refused before int() (which would also refuse
        # thousands of digits, with Python's own message).
        value = int(stripped) if len(stripped.lstrip("+-").lstrip("0")) <= 19 else None
        if value is not None and INT64_MIN <= value <= INT64_MAX:
            return value
        raise ValueError(f"{key}: {stripped[:24]}{'…' if len(stripped) > 24 else ''} is out "
                         "of range: the servers' parsers take 64-bit integers")
    raise ValueError(f"{key} takes {what}, not {text!r}")


def parse_port(key: str, text: str) -> int:
    """A port number; the range is left to the checks, which explain it (CL001, LP001)."""
    return parse_integer(key, text, "an integer port")


_NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def parse_number(key: str, text: str) -> float:
    """A finite decimal number: no NaN or Infinity, which JSON cannot hold."""
    stripped = text.strip()
    if _NUMBER_RE.fullmatch(stripped):
        number = float(stripped)
        if math.isfinite(number):
            return number
    raise ValueError(f"{key} takes a finite number, not {text!r}")


def parse_bool(key: str, text: str) -> bool:
    """Only true or false: "yes", "on" or "enabled" would be a guess at what was meant."""
    word = text.strip().lower()
    if word in ("true", "false"):
        return word == "true"
    raise ValueError(f"{key} takes true or false, not {text!r}")


def parse_list(text: str) -> list[str]:
    """Comma separated items, blanks dropped."""
    return [part.strip() for part in text.split(",") if part.strip()]


def parse_port_list(key: str, text: str, *, as_strings: bool) -> list[object]:
    """Comma separated ports; ``as_strings`` keeps LEAP's own spelling (``["80", "443"]``)."""
    ports = [parse_port(key, part) for part in parse_list(text)]
    return [str(port) for port in ports] if as_strings else list(ports)


def parse_kind(kind: str, key: str, text: str, *, like: object = None) -> object:
    """Text to the value of a field of ``kind``; ``like`` is the current value, whose
    spelling a port list keeps (strings or integers)."""
    if kind == "port":
        return parse_port(key, text)
    if kind == "integer":
        return parse_integer(key, text)
    if kind == "number":
        return parse_number(key, text)
    if kind == "bool":
        return parse_bool(key, text)
    if kind == "list":
        return parse_list(text)
    if kind == "port_list":
        as_strings = not isinstance(like, list) or all(isinstance(v, str) for v in like)
        return parse_port_list(key, text, as_strings=as_strings)
    if kind in TEXT_KINDS:
        return text.strip()
    raise ValueError(f"{key}: no parser for values of kind {kind!r}")
