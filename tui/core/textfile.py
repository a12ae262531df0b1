"""Reading a configuration file as text, with a one-line ConfigError for every way it fails."""

from __future__ import annotations

from pathlib import Path

from tui.core.errors import ConfigError


def decode_utf8(data: bytes, label: str) -> str:
    """UTF-8 text, or a ConfigError naming the line and column of the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ConfigError(
            label, f"not UTF-8 text (byte 0x{data[exc.start]:02x}): {exc.reason}", line, column
        ) from None


def read_bytes(path: Path, label: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise ConfigError(label, "no such file") from None
    except IsADirectoryError:
        raise ConfigError(label, "is a directory, not a file") from None
    except PermissionError:
        raise ConfigError(label, "permission denied: cannot read the file") from None
    except OSError as exc:
        raise ConfigError(label, f"cannot read: {exc.strerror or exc}") from None


def read_text(path: Path, label: str | None = None) -> str:
    label = str(path) if label is None else label
    return decode_utf8(read_bytes(path, label), label)
