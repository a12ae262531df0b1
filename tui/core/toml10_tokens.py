"""The tokens of TOML 1.0 (strings, numbers, dates) as Clace's parser reads them.

Helpers of :mod:`tui.core.toml10`: each takes the text and a position and returns where
the token ends, or raises :class:`Fail` with the position and the reason.
"""

from __future__ import annotations

import calendar
import datetime as datetime_module
import re

REJECTS = "Clace's TOML 1.0 parser rejects it"
_INT64 = (-(2**63), 2**63 - 1)

_CTRL_IN_COMMENT = r"\x00-\x08\x0a-\x1f\x7f"
BLANK_LINES = re.compile(rf"(?:[ \t]*(?:#[^{_CTRL_IN_COMMENT}]*)?\r?\n)*")
WS = re.compile(r"[ \t]*")
COMMENT = re.compile(rf"#[^{_CTRL_IN_COMMENT}]*")
ARRAY_GAP = re.compile(rf"(?:[ \t]+|\r?\n|#[^{_CTRL_IN_COMMENT}]*)*")
BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
SIMPLE_KEYVAL = re.compile(r"([A-Za-z0-9_-]+)[ \t]*=[ \t]*")
# A whole line of the most common kind, to its line break: a bare key and a decimal integer
# (int64 by its length, no "_" or "+"), a string without escapes or control characters, or
# a boolean; an optional comment. Anything else goes the long way (errors included).
SIMPLE_LINE = re.compile(
    r"([A-Za-z0-9_-]+)[ \t]*=[ \t]*"
    r'(?:(-?(?:0|[1-9][0-9]{0,17}))|"([^"\\\x00-\x08\x0a-\x1f\x7f]*)"|(true|false))'
    rf"[ \t]*(?:#[^{_CTRL_IN_COMMENT}]*)?(?:\r?\n|\Z)")

_ESCAPE = r'\\(?:[btnfr"\\]|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})'
# Runs of plain characters are possessive (++): one step per run, not per character, so a
# long value costs no more than its own size (a 10 MB string took 1.3 GB of regex stack).
_BASIC = re.compile(rf'"(?:[^"\\\x00-\x08\x0a-\x1f\x7f]++|{_ESCAPE})*"')
_LITERAL = re.compile(r"'[^'\x00-\x08\x0a-\x1f\x7f]*'")
_ML_BASIC = re.compile(
    rf'"""(?:[^"\\\x00-\x08\x0b-\x1f\x7f]++|\r\n|"{{1,2}}(?!")|{_ESCAPE}|\\[ \t]*\r?\n)*"{{3,5}}'
)
_ML_LITERAL = re.compile(r"'''(?:[^'\x00-\x08\x0b-\x1f\x7f]++|\r\n|'{1,2}(?!'))*'{3,5}")
_LINE_END_BACKSLASH = re.compile(r"\\[ \t]*\r?\n")
_UNICODE_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|.)", re.S)

TOKEN = re.compile(r"[0-9A-Za-z_+\-.:]+")
_DEC = re.compile(r"[+-]?(?:0|[1-9](?:_?[0-9])*)")
_PREFIXED = {
    "0x": (re.compile(r"0x[0-9A-Fa-f](?:_?[0-9A-Fa-f])*"), 16),
    "0o": (re.compile(r"0o[0-7](?:_?[0-7])*"), 8),
    "0b": (re.compile(r"0b[01](?:_?[01])*"), 2),
}
_FLOAT = re.compile(
    r"[+-]?(?:0|[1-9](?:_?[0-9])*)"
    r"(?:\.[0-9](?:_?[0-9])*(?:[eE][+-]?[0-9](?:_?[0-9])*)?|[eE][+-]?[0-9](?:_?[0-9])*)"
)
_SPECIAL_FLOAT = re.compile(r"[+-]?(?:inf|nan)")
_DATE = r"(\d{4})-(\d{2})-(\d{2})"
_TIME = r"(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?"
_OFFSET = r"(?:[Zz]|[+-](\d{2}):(\d{2}))"
_DATETIME = re.compile(rf"{_DATE}(?:[Tt ]{_TIME}{_OFFSET}?)?")
_LOCAL_TIME = re.compile(_TIME)
_NO_SECONDS = re.compile(rf"(?:{_DATE}[Tt ])?\d{{2}}:\d{{2}}(?:{_OFFSET})?")
DATE_ONLY = re.compile(_DATE)


class Fail(Exception):
    """A problem at ``pos`` (an offset in the text)."""

    def __init__(self, pos: int, message: str) -> None:
        super().__init__(message)
        self.pos = pos
        self.message = message


def unexpected(text: str, pos: int, expected: str) -> Fail:
    char = text[pos]
    if char == "\r":
        return Fail(pos, "a carriage return not followed by a line feed")
    if char == "\0":
        return Fail(pos, "a NUL character (is the file UTF-16? TOML files are UTF-8)")
    if ord(char) < 0x20 or ord(char) == 0x7F:
        return Fail(pos, f"control character U+{ord(char):04X} is not allowed here")
    return Fail(pos, f"{expected}, found {char!r}")


def scalar(word: str, pos: int) -> None:
    if word in ("true", "false") or _SPECIAL_FLOAT.fullmatch(word):
        return
    prefixed = _PREFIXED.get(word[:2])
    if prefixed is not None:
        pattern, base = prefixed
        if not pattern.fullmatch(word):
            raise Fail(pos, f"invalid integer {word!r}")
        digits = word[2:].replace("_", "").lstrip("0")
        if len(digits) * base.bit_length() > 80 or int(digits or "0", base) > _INT64[1]:
            raise Fail(pos, f"integer {_short(word)} is out of range (64-bit signed): "
                        f"{REJECTS}")
        return
    if _DEC.fullmatch(word):
        digits = word.lstrip("+-").replace("_", "")
        if len(digits) > 19 or not _INT64[0] <= int(word.replace("_", "")) <= _INT64[1]:
            raise Fail(pos, f"integer {_short(word)} is out of range (64-bit signed): "
                        f"{REJECTS}")
        return
    if _FLOAT.fullmatch(word):
        if float(word.replace("_", "")) in (float("inf"), float("-inf")):
            raise Fail(pos, f"float {_short(word)} is out of range (64-bit): {REJECTS}")
        return
    datetime = _DATETIME.fullmatch(word)
    if datetime:
        _check_datetime(datetime.groups(), pos, word)
        return
    time = _LOCAL_TIME.fullmatch(word)
    if time:
        _check_datetime((None, None, None, *time.groups(), None, None), pos, word)
        return
    if _NO_SECONDS.fullmatch(word):
        raise Fail(pos, f"time {word!r} without seconds: TOML 1.1 allows it, {REJECTS}")
    if word[:1].isalpha() or word[:1] == "_":
        raise Fail(pos, f"expected a value, found {_short(word)!r} (strings need quotes)")
    raise Fail(pos, f"invalid value {_short(word)!r}")

def _check_datetime(groups: tuple[str | None, ...], pos: int, word: str) -> None:
    year, month, day, hour, minute, second, off_hour, off_minute = groups
    bad = False
    if year is not None and month is not None and day is not None:
        y, m, d = int(year), int(month), int(day)
        bad = not 1 <= m <= 12 or not 1 <= d <= calendar.monthrange(y or 4, m)[1]
    if hour is not None and minute is not None and second is not None:
        bad = bad or int(hour) > 23 or int(minute) > 59 or int(second) > 59
    if off_hour is not None and off_minute is not None:
        bad = bad or int(off_hour) > 23 or int(off_minute) > 59
    if bad:
        raise Fail(pos, f"{word!r} is not a valid date or time")

def basic_string(text: str, pos: int) -> int:
    match = _BASIC.match(text, pos)
    if match is None:
        raise _string_problem(text, pos, pos + 1, multiline=False)
    _check_unicode(match.group(), pos)
    return match.end()

def literal_string(text: str, pos: int) -> int:
    match = _LITERAL.match(text, pos)
    if match is None:
        raise _string_problem(text, pos, pos + 1, multiline=False, literal=True)
    return match.end()

def multiline_string(text: str, pos: int) -> int:
    literal = text.startswith("'''", pos)
    match = (_ML_LITERAL if literal else _ML_BASIC).match(text, pos)
    if match is None:
        raise _string_problem(text, pos, pos + 3, multiline=True, literal=literal)
    if not literal:
        _check_unicode(match.group(), pos)
    return match.end()

def _check_unicode(raw: str, pos: int) -> None:
    if "\\" not in raw:
        return
    for escape in _UNICODE_ESCAPE.finditer(raw):
        digits = escape.group(1) or escape.group(2)
        if digits is not None:
            code = int(digits, 16)
            if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                raise Fail(pos + escape.start(), f"{escape.group()} is not a Unicode "
                            "scalar value")

def _string_problem(text: str, start: int, pos: int, *, multiline: bool,
                    literal: bool = False) -> Fail:
    """Why the string at ``start`` does not match: walk it to the first bad character."""
    n = len(text)
    quote = text[start]
    while pos < n:
        char = text[pos]
        if char == quote:
            if not multiline:
                return Fail(start, "invalid string")
            if text.startswith(quote * 3, pos):
                return Fail(start, "invalid multi-line string")
            pos += 1
        elif char == "\\" and not literal:
            escape = text[pos + 1 : pos + 2]
            if escape in ("e", "x"):
                return Fail(pos, f"the escape \\{escape} is TOML 1.1 only: {REJECTS}")
            line_end = _LINE_END_BACKSLASH.match(text, pos) if multiline else None
            if line_end is not None:
                pos = line_end.end()
                continue
            if escape in ("u", "U"):
                width = 4 if escape == "u" else 8
                if not re.fullmatch(r"[0-9A-Fa-f]+", text[pos + 2 : pos + 2 + width]):
                    return Fail(pos, f"\\{escape} needs {width} hexadecimal digits")
                pos += 2 + width
                continue
            if escape and escape in 'btnfr"\\':
                pos += 2
                continue
            return Fail(pos, f"invalid escape \\{escape or '(end of file)'}")
        elif char == "\n" and not multiline:
            return Fail(pos, "line break inside a single-line string (unclosed quote?)")
        elif char == "\r" and not text.startswith("\r\n", pos):
            return Fail(pos, "a carriage return not followed by a line feed")
        elif char == "\r" and not multiline:
            return Fail(pos, "line break inside a single-line string (unclosed quote?)")
        elif (ord(char) < 0x20 and char not in "\t\n\r") or ord(char) == 0x7F:
            return Fail(pos, f"control character U+{ord(char):04X} in a string (write "
                         "it as an escape)")
        else:
            pos += 1
    return Fail(start, "unterminated string")


def skip(pattern: re.Pattern[str], text: str, pos: int) -> int:
    """The end of ``pattern`` at ``pos``: for patterns that also match the empty string."""
    match = pattern.match(text, pos)
    return pos if match is None else match.end()


def unescape(raw: str) -> str:
    """The text of a basic-string key (escapes already checked by the pattern)."""
    if "\\" not in raw:
        return raw
    simple = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}

    def replace(match: re.Match[str]) -> str:
        digits = match.group(1) or match.group(2)
        if digits is not None:
            return chr(int(digits, 16))
        return simple.get(match.group()[1], match.group())

    return _UNICODE_ESCAPE.sub(replace, raw)


# -- values (of tokens already checked) -------------------------------------------------------

_BASIC_ESCAPE = re.compile(
    r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|([ \t]*\r?\n[ \t\r\n]*)|(.))", re.S)
_SIMPLE_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"',
                   "\\": "\\"}
_UTC = datetime_module.timezone(datetime_module.timedelta(), "UTC")
_DATETIME_PARTS = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})?)?")
_TIME_PARTS = re.compile(r"(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?")


def _escape(match: re.Match[str]) -> str:
    code = match.group(1) or match.group(2)
    if code is not None:
        return chr(int(code, 16))
    if match.group(3) is not None:
        return ""  # a line-ending backslash: it and the blanks after it go
    return _SIMPLE_ESCAPES[match.group(4)]


def string_value(text: str, start: int, end: int, multiline: bool) -> str:
    """The value of the string token ``text[start:end]``: a newline right after the opening
    delimiter of a multi-line string dropped, escapes of a basic string decoded."""
    if multiline:
        body = text[start + 3 : end - 3]
        if body.startswith("\n"):
            body = body[1:]
        elif body.startswith("\r\n"):
            body = body[2:]
    else:
        body = text[start + 1 : end - 1]
    if text[start] == "'" or "\\" not in body:
        return body
    return _BASIC_ESCAPE.sub(_escape, body)


def scalar_value(word: str) -> object:
    """The value of a token :func:`scalar` accepted (a date and a time joined by a space
    included), as tomlkit's items unwrap to it."""
    if word == "true":
        return True
    if word == "false":
        return False
    if _SPECIAL_FLOAT.fullmatch(word):
        return float(word)
    if word[:2] in _PREFIXED:
        return int(word.replace("_", ""), 0)
    if _DEC.fullmatch(word):
        return int(word.replace("_", ""))
    if _FLOAT.fullmatch(word):
        return float(word.replace("_", ""))
    return datetime_value(word)


def _microseconds(fraction: str | None) -> int:
    return int(f"{fraction:<06s}"[:6]) if fraction else 0


def datetime_value(
    word: str,
) -> datetime_module.datetime | datetime_module.date | datetime_module.time:
    """A date, time or date-time as tomlkit reads it: fractions of a second cut to
    microseconds, "Z" a UTC named "UTC", an offset a timezone named as written."""
    found = _DATETIME_PARTS.fullmatch(word)
    if found is None:
        hour, minute, second, fraction = _TIME_PARTS.fullmatch(word).groups()  # type: ignore[union-attr]
        return datetime_module.time(int(hour), int(minute), int(second),
                                    _microseconds(fraction))
    year, month, day, hour, minute, second, fraction, zone = found.groups()
    if hour is None:
        return datetime_module.date(int(year), int(month), int(day))
    tzinfo: datetime_module.tzinfo | None = None
    if zone is not None:
        if zone in "Zz":
            tzinfo = _UTC
        else:
            offset = datetime_module.timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
            tzinfo = datetime_module.timezone(-offset if zone[0] == "-" else offset, zone)
    return datetime_module.datetime(int(year), int(month), int(day), int(hour), int(minute),
                                    int(second), _microseconds(fraction), tzinfo=tzinfo)


def _short(word: str) -> str:
    return word if len(word) <= 40 else f"{word[:20]}...{word[-10:]} ({len(word)} characters)"
