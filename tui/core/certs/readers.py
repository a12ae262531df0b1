"""Reading a cert_location wherever it is: this machine, or a host over SFTP.

Inspection only needs three things from a directory: its entries with their modes, and
the bytes of a file. A reader gives exactly that, so the apply preflight inspects a host's
certificates through paramiko's SFTPClient with the same code as a local directory.
"""

from __future__ import annotations

import errno
import os
import posixpath
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from tui.core.textfile import file_kind

# Certificates and keys are small; a bigger file is not one, and is not read whole.
MAX_FILE_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class DirEntry:
    """A regular file (symbolic links followed) in the directory, with its permission bits."""

    name: str
    mode: int | None


class CertDirReader(Protocol):
    """Raises OSError (FileNotFoundError, PermissionError, ...) when something cannot be read."""

    @property
    def location(self) -> str:
        """The directory as shown to the user."""
        ...

    def entries(self) -> list[DirEntry]:
        """The regular files of the directory."""
        ...

    def read(self, name: str) -> bytes:
        """The content of one file (at most MAX_FILE_BYTES + 1 bytes)."""
        ...


class LocalDirReader:
    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    @property
    def location(self) -> str:
        return str(self.directory)

    def entries(self) -> list[DirEntry]:
        if not self.directory.is_dir():
            if self.directory.exists():
                raise NotADirectoryError(f"{self.directory} is not a directory")
            raise FileNotFoundError(f"{self.directory} does not exist")
        result: list[DirEntry] = []
        for entry in os.scandir(self.directory):
            try:
                # Followed like the server's file reads follow them.
                st = entry.stat(follow_symlinks=True)
            except OSError:
                # A dangling link: listed so that reading it reports why it is unusable.
                result.append(DirEntry(entry.name, None))
                continue
            if stat.S_ISREG(st.st_mode):
                result.append(DirEntry(entry.name, stat.S_IMODE(st.st_mode)))
            elif not stat.S_ISDIR(st.st_mode):
                # A FIFO, socket or device named like a certificate: reading it says so.
                result.append(DirEntry(entry.name, None))
        return result

    def read(self, name: str) -> bytes:
        # O_NONBLOCK and the check on the open descriptor: a FIFO never blocks the read.
        fd = os.open(self.directory / name, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        try:
            mode = os.fstat(fd).st_mode
            if not stat.S_ISREG(mode):
                raise OSError(errno.EINVAL, f"not a regular file: {file_kind(mode)}")
            with os.fdopen(fd, "rb", closefd=False) as handle:
                return handle.read(MAX_FILE_BYTES + 1)
        finally:
            os.close(fd)


class SFTPClientLike(Protocol):
    """The part of paramiko.SFTPClient a reader uses."""

    def listdir_attr(self, path: str = ...) -> list[Any]: ...

    def stat(self, path: str) -> Any: ...

    def open(self, filename: str, mode: str = ...) -> Any: ...


class SFTPDirReader:
    """A directory on a host, through an open paramiko SFTPClient (or anything shaped so)."""

    def __init__(self, sftp: SFTPClientLike, directory: str, *, display_prefix: str = "") -> None:
        self.sftp = sftp
        self.directory = directory
        # e.g. "web1:" so that findings name the host as well as the path.
        self.display_prefix = display_prefix

    @property
    def location(self) -> str:
        return f"{self.display_prefix}{self.directory}"

    def _path(self, name: str) -> str:
        return posixpath.join(self.directory, name)

    def entries(self) -> list[DirEntry]:
        result: list[DirEntry] = []
        for attr in self.sftp.listdir_attr(self.directory):
            mode = attr.st_mode
            name = str(attr.filename)
            if mode is not None and stat.S_ISLNK(mode):
                try:
                    mode = self.sftp.stat(self._path(name)).st_mode
                except OSError:
                    result.append(DirEntry(name, None))
                    continue
            if mode is None or stat.S_ISREG(mode):
                result.append(DirEntry(name, stat.S_IMODE(mode) if mode is not None else None))
        return result

    def read(self, name: str) -> bytes:
        with self.sftp.open(self._path(name), "rb") as handle:
            data: bytes = handle.read(MAX_FILE_BYTES + 1)
        return data
