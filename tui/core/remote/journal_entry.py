"""One line of the local journal, checked against its schema before anything uses it.

A line that is not UTF-8, not a JSON object, or whose fields have the wrong type is
reported with its line number and skipped: a damaged or foreign line never hides the
rest of the history, and nothing downstream meets a value of the wrong type.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass

_DIGEST = re.compile(r"^[0-9a-f]{64}$")
_REQUIRED = ("time", "run", "action", "host", "path", "result")
_OPTIONAL_TEXT = ("backup",)
_DIGESTS = ("before", "after")


@dataclass(frozen=True, slots=True)
class JournalEntry:
    time: str
    run: str
    action: str  # apply | rollback | watchdog
    host: str
    path: str
    before: str | None
    after: str | None
    backup: str | None
    result: str
    detail: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


@dataclass(frozen=True, slots=True)
class JournalProblem:
    """Why a line was skipped (``line`` None: the journal file itself is unusable)."""

    line: int | None
    message: str

    def format(self, path: object) -> str:
        where = f"{path}:{self.line}" if self.line is not None else f"{path}"
        return f"{where}: {self.message}" + ("; line skipped" if self.line is not None else "")


def parse_line(raw: bytes) -> JournalEntry:
    """The entry of one line; ValueError with a short reason when it is not one."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column "
                         f"{exc.start + 1})") from None
    try:
        data = json.loads(text.removeprefix("\ufeff"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise ValueError("not JSON (nested too deeply)") from None
    if not isinstance(data, dict):
        raise ValueError(f"a JSON {type(data).__name__}, not an object")
    for key in _REQUIRED:
        value = data.get(key)
        if not isinstance(value, str) or not value:
            raise ValueError(_wrong(key, value, "a non-empty string"))
    for key in _DIGESTS:
        value = data.get(key)
        if value is not None and not (isinstance(value, str) and _DIGEST.match(value)):
            raise ValueError(_wrong(key, value, "a SHA-256 hex digest or null"))
    for key in _OPTIONAL_TEXT:
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            raise ValueError(_wrong(key, value, "a string or null"))
    detail = data.get("detail", "")
    if not isinstance(detail, str):
        raise ValueError(_wrong("detail", detail, "a string"))
    for key in (*_REQUIRED, *_DIGESTS, *_OPTIONAL_TEXT, "detail"):
        value = data.get(key)
        if isinstance(value, str) and not _encodable(value):
            raise ValueError(f'"{key}" holds an escaped lone surrogate, not text')
    # Keys a later version may add are ignored, not refused.
    return JournalEntry(time=data["time"], run=data["run"], action=data["action"],
                        host=data["host"], path=data["path"], before=data.get("before"),
                        after=data.get("after"), backup=data.get("backup"),
                        result=data["result"], detail=detail)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _wrong(key: str, value: object, expected: str) -> str:
    if value is None:
        return f'"{key}" is missing (expected {expected})'
    return f'"{key}" is {type(value).__name__} {_short(value)} (expected {expected})'


def _short(value: object) -> str:
    text = json.dumps(value, ensure_ascii=True, default=str)  # ASCII: printable anywhere
    return text if len(text) <= 40 else text[:37] + "..."
