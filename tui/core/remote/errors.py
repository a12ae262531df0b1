"""What can go wrong on a remote host, each with the stable AP rule code it is reported under."""

from __future__ import annotations


class RemoteError(Exception):
    """A per-host failure: the host's result says ``code`` and this one-line message."""

    code = "AP013"

    def __init__(self, message: str, *, hint: str = "") -> None:
        self.message = " ".join(message.split())
        self.hint = hint
        super().__init__(self.message)


class HostKeyError(RemoteError):
    """An unknown (AP001), changed or revoked (AP002) host key; never accepted silently."""

    def __init__(self, kind: str, name: str, key_type: str, fingerprint: str,
                 expected: str | None = None, where: str | None = None,
                 note: str = "") -> None:
        self.kind = kind
        self.name = name
        self.key_type = key_type
        self.fingerprint = fingerprint
        self.expected = expected
        if kind == "changed":
            self.code = "AP002"
            message = (f"host key for {name} CHANGED: server offers {key_type} {fingerprint}"
                       + (f", known is {expected}" if expected else ""))
            hint = ("refused; if the host was reinstalled, remove its old key from "
                    + (where or "known_hosts"))
        elif kind == "revoked":
            self.code = "AP002"
            message = f"host key for {name} is REVOKED: server offers {key_type} {fingerprint}"
            hint = f"refused: {where or 'known_hosts'} marks this key @revoked"
        else:
            self.code = "AP001"
            message = f"unknown host key for {name}: {key_type} {fingerprint}"
            hint = "verify the fingerprint, then accept it (--accept-new-host-key)"
        if note:
            hint = f"{hint}; {note}"
        super().__init__(message, hint=hint)


class SshConfigError(RemoteError):
    """An ssh_config setting leap-tui cannot honour, named (never a misleading DNS error)."""

    code = "AP014"


class ConnectError(RemoteError):
    """Cannot connect. ``reach`` is (hostname, port, reason) when the TCP connection
    itself failed, so that a caller trying several ports can name each one."""

    code = "AP007"

    def __init__(self, message: str, *, hint: str = "",
                 reach: tuple[str, int, str] | None = None) -> None:
        super().__init__(message, hint=hint)
        self.reach = reach


class AuthError(RemoteError):
    code = "AP010"


class NothingToRestore(RemoteError):
    """A rollback with no backup left on the host (each rollback uses one up), or none
    matching --to."""

    code = "AP018"


class DriftError(RemoteError):
    code = "AP003"


class ValidateError(RemoteError):
    code = "AP004"


class WatchdogPending(RemoteError):
    code = "AP005"


class ReloadError(RemoteError):
    code = "AP008"
