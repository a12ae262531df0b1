"""Reading a configuration file as text, with a one-line ConfigError for every way it fails.

Only regular files are opened. A FIFO would block the open (and the tool) until a writer
comes, a device can stream forever, a socket cannot be read at all: each of them is "not
a regular file". The type is checked with ``stat`` before the open, and again on the
opened descriptor (``O_NONBLOCK``, so that a FIFO swapped in between cannot block the open).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from tui.core.errors import ConfigError

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | os.O_CLOEXEC

MAX_CONFIG_BYTES = 8 * 1024 * 1024
"""The largest configuration document leap-tui reads: a Clace TOML, a LEAP provider's JSON
files and Leapfile, its own config.toml. All are written by hand and small: Clace's default
configurations are 2-21 KB, a provider's files a few KB each. 8 MiB is four hundred times
the largest real one and still holds the sizes leap-tui promises to check in seconds (a
5 MB comment-only TOML, a 50,000-key TOML: benchmarks/sizes.py). A bigger file is a
mistake (a log, a dump, a wrong path): refused by its size, before it is read (a 200 MB
one-line value once took 23.6 GB)."""

MAX_INVENTORY_BYTES = 16 * 1024 * 1024
"""The largest inventory (hosts.toml, an Ansible INI or YAML inventory): inventories grow
with the fleet (10,000 hosts with their files are about 1.1 MB), are read once, and are
not edited; 16 MiB holds a hundred thousand hosts."""


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


def file_kind(mode: int) -> str:
    """What a non-regular file is, in words ("a FIFO (named pipe)"); "" for a regular one."""
    for test, kind in _KINDS:
        if test(mode):
            return kind
    return "" if stat.S_ISREG(mode) else "not a regular file"


def not_regular(label: str, mode: int) -> ConfigError:
    return ConfigError(label, f"not a regular file: {file_kind(mode)}")


def _os_error(label: str, exc: OSError, path: Path) -> ConfigError:
    if isinstance(exc, FileNotFoundError):
        if os.path.islink(path):
            return ConfigError(label, "a symbolic link to a file that does not exist")
        return ConfigError(label, "no such file")
    if isinstance(exc, PermissionError):
        return ConfigError(label, "permission denied: cannot read the file")
    if exc.errno == errno.ELOOP:
        return ConfigError(label, "too many levels of symbolic links")
    return ConfigError(label, f"cannot read: {exc.strerror or exc}")


def size_text(size: int) -> str:
    """``209715200`` -> ``200.0 MiB``."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"


def too_large(label: str, size: int, limit: int = MAX_CONFIG_BYTES) -> ConfigError:
    return ConfigError(label, f"too large to be a configuration file: {size_text(size)} "
                       f"({size} bytes), over leap-tui's limit of {size_text(limit)}")


def read_bytes(path: Path, label: str, limit: int = MAX_CONFIG_BYTES) -> bytes:
    """The bytes of the regular file ``path`` (symbolic links followed); ConfigError for a
    file over ``limit`` bytes, refused by its size before it is read."""
    try:
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            raise not_regular(label, mode)
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise _os_error(label, exc, Path(path)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise not_regular(label, info.st_mode)
        if info.st_size > limit:
            raise too_large(label, info.st_size, limit)
        # Plain reads (no file object: thousands of small provider files are read at once),
        # until the end should the file have grown since the fstat, but never past the limit.
        chunks: list[bytes] = []
        read = 0
        while read <= limit and (chunk := os.read(fd, max(info.st_size + 1, 65536))):
            chunks.append(chunk)
            read += len(chunk)
        if read > limit:
            raise too_large(label, max(read, os.fstat(fd).st_size), limit)
        return b"".join(chunks)
    except OSError as exc:
        raise _os_error(label, exc, Path(path)) from None
    finally:
        os.close(fd)


def read_text(path: Path, label: str | None = None, limit: int = MAX_CONFIG_BYTES) -> str:
    label = str(path) if label is None else label
    return decode_utf8(read_bytes(path, label, limit), label)


def read_optional_text(path: Path, label: str | None = None) -> str | None:
    """The file's text, or None when nothing is there (a dangling link is an error)."""
    if not os.path.lexists(path):
        return None
    return read_text(path, label)
