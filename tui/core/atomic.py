"""Writing a file so that a reader sees either the old bytes or the new ones, never half."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path

from tui.core.textfile import file_kind


class NotRegularFileError(OSError):
    """The target exists and is not a regular file: it is never replaced."""

    def __init__(self, path: Path, why: str) -> None:
        super().__init__(errno.EINVAL, why, str(path))


def writable_target(path: Path) -> tuple[Path, os.stat_result | None]:
    """The regular file a save of ``path`` replaces (symbolic links followed), and its stat.

    Raises NotRegularFileError for a directory, FIFO, socket or device (behind links too)
    and for a link to nothing: replacing those with a regular file destroys what they are.
    """
    real = Path(os.path.realpath(path))
    try:
        st = os.stat(real)
    except FileNotFoundError:
        if os.path.islink(path):
            raise NotRegularFileError(
                Path(path), "a symbolic link to a file that does not exist: not writing "
                "through it") from None
        return real, None
    if not stat.S_ISREG(st.st_mode):
        raise NotRegularFileError(Path(path), f"not a regular file: {file_kind(st.st_mode)}")
    return real, st


def atomic_write(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Replace ``path`` with ``data`` atomically, keeping its mode and (as root) owner.

    ``mode`` forces the permission bits (a private key: 0o600); the temporary file has
    them before any byte is written, so the data is never readable by others.

    The temporary file lives in the same directory so that the final rename never crosses
    a file system; it is fsynced before the rename and the directory after it, so that a
    crash or a dropped session leaves the old file or the new one.

    A symbolic link is followed: the file it points to is replaced and the link stays, as
    an editor saving through the link would do. The temporary file is made in that file's
    own directory, never elsewhere. A target that is not a regular file (a FIFO, a device,
    a socket, a directory, a dangling link) raises NotRegularFileError and is left as is.
    """
    path, st = writable_target(path)
    directory = path.parent
    if mode is None:
        mode = stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~_current_umask()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".leap-tui.tmp", dir=directory)
    try:
        os.fchmod(fd, mode)
        if st is not None and os.geteuid() == 0:
            os.fchown(fd, st.st_uid, st.st_gid)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    _fsync_directory(directory)


def is_read_only(path: Path) -> bool:
    """Whether the operator has write-protected ``path`` (a missing file is not).

    The directory may still allow replacing it, and root may write anything, so both the
    access check and the mode bits count: a 0444 file is read-only even for root.
    """
    path = Path(os.path.realpath(path))
    try:
        st = path.stat()
    except FileNotFoundError:
        return False
    return not os.access(path, os.W_OK) or stat.S_IMODE(st.st_mode) & 0o222 == 0


def _current_umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def _fsync_directory(directory: Path) -> None:
    try:
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)
