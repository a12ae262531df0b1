"""Host keys: known_hosts files, LEAP's pinned keys, a policy that refuses what it does not know.

The policy accepts an unknown key only on the operator's explicit word (or when the key is
one already trusted for the same host under another name: sshd moved to a new port), and
records it then; everything else is refused with the SHA256 fingerprint shown.
"""

from __future__ import annotations

import base64
import binascii
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import paramiko

from tui.core.atomic import atomic_write
from tui.core.remote.errors import HostKeyError

# (known-hosts name, key type, "SHA256:...") -> True to trust and record the key.
AcceptHostKey = Callable[[str, str, str], bool]

_RECORD_LOCK = threading.Lock()


def known_hosts_name(hostname: str, port: int) -> str:
    """The name OpenSSH files a host under: ``host`` on port 22, ``[host]:port`` elsewhere."""
    return hostname if port == 22 else f"[{hostname}]:{port}"


def fingerprint(key: paramiko.PKey) -> str:
    digest: str = key.fingerprint
    return digest


def parse_public_key(line: str) -> paramiko.PKey | None:
    """``ssh-ed25519 AAAA... comment`` (a .pub file's line) as a key; ``None`` if unusable."""
    parts = line.split()
    if len(parts) < 2:
        return None
    try:
        key: paramiko.PKey = paramiko.PKey.from_type_string(parts[0], base64.b64decode(parts[1]))
    except (paramiko.SSHException, binascii.Error, ValueError, TypeError):
        return None
    return key


class KnownHosts:
    """The known_hosts files read, and the one file new names are recorded in."""

    def __init__(self, read: Sequence[Path], record: Path) -> None:
        self.read = [Path(p) for p in read]
        self.record_file = Path(record)

    def load(self) -> paramiko.HostKeys:
        keys = paramiko.HostKeys()
        for path in [*self.read, self.record_file]:
            if path.is_file():
                keys.load(str(path))
        return keys

    def lookup(self, name: str) -> dict[str, paramiko.PKey]:
        found = self.load().lookup(name)
        return dict(found) if found is not None else {}

    def where(self, name: str, key: paramiko.PKey) -> str | None:
        """``FILE:LINE`` of the entry that knows ``key`` for ``name`` (hashed names too),
        so that a refusal can say which line to remove; None when not found."""
        for path in [*self.read, self.record_file]:
            try:
                lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                continue
            for number, line in enumerate(lines, start=1):
                try:
                    entry = paramiko.hostkeys.HostKeyEntry.from_line(line, number)
                except (paramiko.SSHException, ValueError):
                    continue
                if entry is None or entry.key != key:
                    continue
                if any(_name_matches(pattern, name) for pattern in entry.hostnames):
                    return f"{path}:{number}"
        return None

    def record(self, name: str, key: paramiko.PKey) -> None:
        line = f"{name} {key.get_name()} {key.get_base64()}\n".encode()
        with _RECORD_LOCK:
            path = self.record_file
            old = path.read_bytes() if path.exists() else b""
            if line in old.splitlines(keepends=True):
                return
            if old and not old.endswith(b"\n"):
                old += b"\n"
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, old + line, mode=None if path.exists() else 0o600)


def _name_matches(pattern: str, name: str) -> bool:
    if pattern.startswith("|1|"):  # a hashed name (HashKnownHosts): hash ours with its salt
        return bool(paramiko.HostKeys.hash_host(name, pattern) == pattern)
    return pattern == name


class RefuseUnknownPolicy(paramiko.MissingHostKeyPolicy):  # type: ignore[misc]
    """Called by paramiko only for a name with no known key; refuses unless told otherwise.

    ``aliases`` are other known-hosts names of the very same host (its old ``[ip]:port``):
    a key known there is accepted and recorded under the new name. ``pinned`` are keys
    a LEAP provider pins for the node. ``accept`` asks the operator.
    """

    def __init__(self, store: KnownHosts, *, aliases: Sequence[str] = (),
                 pinned: Sequence[paramiko.PKey] = (), accept: AcceptHostKey | None = None) -> None:
        self.store = store
        self.aliases = list(aliases)
        self.pinned = list(pinned)
        self.accept = accept

    def missing_host_key(self, client: Any, hostname: str, key: paramiko.PKey) -> None:
        for alias in self.aliases:
            if self.store.lookup(alias).get(key.get_name()) == key:
                self.store.record(hostname, key)
                return
        if self.pinned:
            if any(p == key for p in self.pinned):
                self.store.record(hostname, key)
                return
            raise HostKeyError("changed", hostname, key.get_name(), fingerprint(key),
                               expected=", ".join(fingerprint(p) for p in self.pinned))
        if self.accept is not None and self.accept(hostname, key.get_name(), fingerprint(key)):
            self.store.record(hostname, key)
            return
        raise HostKeyError("unknown", hostname, key.get_name(), fingerprint(key))
