"""Step 3, transfer: each changed file uploaded beside its target, checked, validated.

The upload is private (0600) until every byte is there, then gets the live file's owner
and mode; its hash is read back. Up to here the live file is untouched.
"""

from __future__ import annotations

import posixpath

from tui.core.remote.errors import ConnectError, RemoteError, ValidateError
from tui.core.remote.host_state import FileState, HostState
from tui.core.remote.journal import sha256
from tui.core.remote.placeholders import PlaceholderError, substitute
from tui.core.remote.preflight import facts_command, parse_facts

_CHUNK = 1 << 20
# A file system this close to full counts as full: blocks and metadata take their share.
_SLACK = 64 << 10
_NEW_FILE_MODE = 0o644


def stage(op: HostState) -> None:
    for state in op.files:
        if state.changed:
            upload(op, state)
    for state in op.files:
        if state.changed and state.change.spec.validate:
            validate(op, state)


def upload(op: HostState, state: FileState) -> None:
    directory, name = posixpath.split(state.target)
    state.tmp = posixpath.join(directory, f".{name}.leap-tui.{op.stamp}.tmp")
    sftp = op.live.sftp
    data = state.change.new
    op.emit("upload", f"{state.target} 0/{len(data)}")
    try:
        with sftp.open(state.tmp, "wxb") as handle:
            # Private until complete: the live file's mode is given only after the bytes.
            sftp.chmod(state.tmp, 0o600)
            handle.set_pipelined(True)
            for offset in range(0, len(data), _CHUNK):
                handle.write(data[offset:offset + _CHUNK])
                done = min(offset + _CHUNK, len(data))
                op.emit("upload", f"{state.target} {done}/{len(data)}")
    except (OSError, EOFError) as exc:
        if op.conn is None or not op.conn.alive:
            raise ConnectError(f"connection lost during the upload of {state.target}"
                               ) from None
        raise _why_not_written(op, state, exc) from None
    tmp_stat = sftp.stat(state.tmp)
    if state.uid is not None and state.gid is not None and (
            (tmp_stat.st_uid, tmp_stat.st_gid) != (state.uid, state.gid)):
        try:
            sftp.chown(state.tmp, state.uid, state.gid)
        except OSError as exc:
            raise RemoteError(f"cannot give {state.tmp} the owner {state.uid}:{state.gid} "
                              f"of {state.target}: {exc}") from None
    sftp.chmod(state.tmp, state.mode if state.mode is not None else _NEW_FILE_MODE)
    if sha256(op.read_remote(state.tmp)) != sha256(data):
        # A file system that fills up mid-way may cut the file short without an error.
        raise _why_not_written(op, state, RemoteError(
            f"the uploaded copy of {state.target} does not match"))


def _why_not_written(op: HostState, state: FileState, exc: BaseException) -> RemoteError:
    """SFTP says only "Failure" for a full disk or a read-only file system: ask the host."""
    directory = posixpath.dirname(state.target)
    try:
        output = op.command(facts_command([directory], None, env=False), "the upload").output
    except RemoteError:
        output = ""
    space = parse_facts(output, [directory]).dirs.get(directory)
    where = f"{op.name}:{directory}"
    if space is not None and space.read_only:
        return RemoteError(f"{where} is on a read-only file system: {state.target} not "
                           "uploaded", hint="the live file is untouched")
    if space is not None and not space.writable:
        return RemoteError(f"{where} is not writable by the SSH user: {state.target} not "
                           "uploaded", hint="the live file is untouched")
    if space is not None and space.free_kib is not None and (
            space.free_kib * 1024 < len(state.change.new) + _SLACK):
        return RemoteError(f"no space left on {where}: {space.free_kib} KiB free, "
                           f"{state.target} needs {-(-len(state.change.new) // 1024)} KiB",
                           hint="the live file is untouched; free some space")
    if isinstance(exc, RemoteError):
        return exc
    return RemoteError(f"upload of {state.target} failed: {exc or type(exc).__name__}",
                       hint="the live file is untouched")


def validate(op: HostState, state: FileState) -> None:
    assert state.tmp is not None and state.change.spec.validate is not None
    try:
        command = substitute(state.change.spec.validate,
                             {"path": state.tmp, "target": state.target})
    except PlaceholderError as exc:
        raise ValidateError(f"validate of {state.target} not run: {exc}") from None
    op.emit("validate", command)
    result = op.live.run(command)
    if not result.ok:
        raise ValidateError(f"validate failed for {state.target} (exit {result.status}): "
                            f"{result.tail()}", hint="the live file is untouched")
