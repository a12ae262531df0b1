"""Host keys: which known_hosts files count for a host, the check of the key a server offers,
and the recording of a key the operator accepts.

The files are OpenSSH's: the inventory's ``known_hosts`` (read first, and where new keys are
recorded when it names one), then each host's UserKnownHostsFile and GlobalKnownHostsFile
from ssh_config. The check follows ssh(1): a revoked key is refused, a known key passes, a
different key of a known type is refused as changed, and an unknown key is handled as
StrictHostKeyChecking says (``yes`` refuses, ``accept-new`` records, ``ask`` asks; ``no``
is not honoured: leap-tui never trusts a key unseen).
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import paramiko

from tui.core.atomic import atomic_write
from tui.core.remote.errors import HostKeyError
from tui.core.remote.host_certs import check as check_certificate
from tui.core.remote.known_hosts import (
    HostKeyLookup,
    hash_name,
    lookup,
    parse_line,
    public_key,
)

# (known-hosts name, key type, "SHA256:...") -> True to trust and record the key.
AcceptHostKey = Callable[[str, str, str], bool]
# A line for the operator (stderr / the log): a key recorded without asking, a note.
Notify = Callable[[str], None]

STRICT_VALUES = ("yes", "accept-new", "ask", "no", "off")
_RECORD_LOCK = threading.Lock()


def _bare(name: str) -> str:
    """``host`` of ``[host]:port``."""
    return name[1:].rsplit("]:", 1)[0] if name.startswith("[") and "]:" in name else name


def known_hosts_name(hostname: str, port: int) -> str:
    """The name OpenSSH files a host under: ``host`` on port 22, ``[host]:port`` elsewhere."""
    return hostname if port == 22 else f"[{hostname}]:{port}"


def fingerprint(key: paramiko.PKey) -> str:
    digest: str = key.fingerprint
    return digest


def parse_public_key(line: str) -> paramiko.PKey | None:
    """``ssh-ed25519 AAAA... comment`` (a .pub file's line) as a key; ``None`` if unusable."""
    parts = line.split()
    return public_key(parts[0], parts[1]) if len(parts) >= 2 else None


@dataclass(frozen=True, slots=True)
class HostKeyFiles:
    """The known_hosts files of one host: all are read, new keys go to ``record_file``."""

    read: tuple[Path, ...]
    record_file: Path | None

    def lookup(self, name: str) -> HostKeyLookup:
        return lookup(self.read, name)

    def where(self, name: str, key: paramiko.PKey) -> str | None:
        """``FILE:LINE`` of the entry that knows ``key`` for ``name`` (hashed names too)."""
        line = self.lookup(name).known_line(key)
        return line.where if line is not None else None

    def record(self, name: str, key: paramiko.PKey, *, hashed: bool) -> str:
        """Append ``name key`` to the record file; returns where, or why it was not written
        (no file, or one that is not a regular file: ``/dev/null`` is never replaced)."""
        path = self.record_file
        if path is None:
            return "not recorded: UserKnownHostsFile is none"
        real = Path(os.path.realpath(path))
        with _RECORD_LOCK:
            try:
                st = real.stat()
            except FileNotFoundError:
                st = None
            except OSError as exc:
                return f"not recorded: {path}: {exc.strerror or exc}"
            if st is not None and not stat.S_ISREG(st.st_mode):
                return f"not recorded: {path} is not a regular file"
            old = real.read_bytes() if st is not None else b""
            if self._has(old, real, name, key):
                return f"already in {path}"
            written = hash_name(name) if hashed else name
            line = f"{written} {key.get_name()} {key.get_base64()}\n".encode()
            if old and not old.endswith(b"\n"):
                old += b"\n"
            try:
                if st is None:
                    # As ssh creates ~/.ssh: private to the user.
                    real.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                atomic_write(real, old + line, mode=None if st is not None else 0o600)
            except OSError as exc:
                return f"not recorded: {path}: {exc.strerror or exc}"
        return f"recorded in {path}"

    @staticmethod
    def _has(text: bytes, path: Path, name: str, key: paramiko.PKey) -> bool:
        for number, raw in enumerate(text.decode("utf-8", "replace").splitlines(), start=1):
            line = parse_line(raw, path, number)
            if line is not None and not line.marker and line.key == key and line.matches(name):
                return True
        return False


class KnownHosts:
    """The files every host reads (the inventory's), and the explicit record file.

    Each host adds its own ssh_config files (``for_host``); without an explicit record
    file, new keys go to the host's first UserKnownHostsFile, as ssh records them.
    """

    def __init__(self, read: Sequence[Path] = (), record: Path | None = None) -> None:
        self.read = [Path(p) for p in read]
        self.record_file = Path(record) if record is not None else None

    @classmethod
    def for_inventory(cls, inventory_file: Path | None) -> KnownHosts:
        """The inventory's ``known_hosts`` (a team file) read first and recorded in; none:
        ssh_config's files alone."""
        if inventory_file is None:
            return cls()
        return cls([inventory_file], inventory_file)

    def for_host(self, user_files: Sequence[Path] = (),
                 global_files: Sequence[Path] = ()) -> HostKeyFiles:
        ordered: list[Path] = []
        for path in [*self.read, *([self.record_file] if self.record_file else []),
                     *user_files, *global_files]:
            if path not in ordered:
                ordered.append(path)
        record = self.record_file or (user_files[0] if user_files else None)
        return HostKeyFiles(tuple(ordered), record)

    def where(self, name: str, key: paramiko.PKey) -> str | None:
        return self.for_host().where(name, key)


@dataclass(slots=True)
class HostKeyCheck:
    """How one connection's host key is judged (see the module's docstring).

    ``aliases`` are other known-hosts names of the very same host (its old ``[ip]:port``):
    a key known there is accepted and recorded under the new name. ``pinned`` are keys a
    LEAP provider pins for the node. ``ask`` asks the operator (None, or BatchMode: never).
    """

    name: str
    files: HostKeyFiles
    principal: str = ""  # the name a host certificate must carry (host, or HostKeyAlias)
    strict: str = "ask"
    hash_names: bool = False
    aliases: Sequence[str] = ()
    pinned: Sequence[paramiko.PKey] = ()
    ask: AcceptHostKey | None = None
    notify: Notify | None = None
    recorded: list[str] = field(default_factory=list)
    certificate: str = ""  # why a host certificate was not accepted, or where its CA is

    def verify(self, key: paramiko.PKey) -> None:
        """Return when ``key`` may be trusted for ``name``; raise HostKeyError otherwise."""
        found = self.files.lookup(self.name)
        if getattr(key, "public_blob", None) is not None and found.authorities:
            certified, self.certificate = check_certificate(
                key, found, self.principal or _bare(self.name))
            if certified and found.revoked_line(key) is None:
                return  # as ssh: a certified host key is trusted, not recorded
        revoked = found.revoked_line(key)
        if revoked is None:
            for alias in self.aliases:
                revoked = self.files.lookup(alias).revoked_line(key) or revoked
        if revoked is not None:
            raise HostKeyError("revoked", self.name, key.get_name(), fingerprint(key),
                               where=revoked.where)
        if found.known_line(key) is not None:
            return
        same_type = found.same_type(key)
        if same_type:
            raise HostKeyError("changed", self.name, key.get_name(), fingerprint(key),
                               expected=fingerprint(same_type[0].key), where=same_type[0].where)
        for alias in self.aliases:
            if self.files.lookup(alias).known_line(key) is not None:
                self._record(key, f"same key as {alias}")
                return
        if self.pinned:
            if any(p == key for p in self.pinned):
                self._record(key, "the key the LEAP provider pins")
                return
            raise HostKeyError("changed", self.name, key.get_name(), fingerprint(key),
                               expected=", ".join(fingerprint(p) for p in self.pinned))
        self._unknown(key, found)

    def _unknown(self, key: paramiko.PKey, found: HostKeyLookup) -> None:
        notes = self._notes(found)
        if self.strict == "accept-new" and not found.keys:
            self._record(key, "StrictHostKeyChecking accept-new")
            return
        if self.strict != "yes" and self.ask is not None and self.ask(
                self.name, key.get_name(), fingerprint(key)):
            self._record(key, "accepted by the operator")
            return
        raise HostKeyError("unknown", self.name, key.get_name(), fingerprint(key),
                           note="; ".join(notes))

    def _notes(self, found: HostKeyLookup) -> list[str]:
        notes = []
        if found.keys:
            notes.append(f"known_hosts has other key types for {self.name} "
                         f"({', '.join(found.key_types())}): never accepted without asking")
        if found.authorities:
            why = self.certificate or "the server offered no host certificate"
            notes.append(f"{found.authorities[0].where} trusts a certificate authority for "
                         f"this host, but {why}")
        if self.strict == "yes":
            notes.append("StrictHostKeyChecking yes: add the key to known_hosts yourself, "
                         "or accept it with --accept-new-host-key")
        elif self.strict in ("no", "off"):
            notes.append(f"ssh_config sets StrictHostKeyChecking {self.strict}, which leap-tui "
                         "refuses: it never trusts an unseen key (use accept-new or ask)")
        return notes

    def _record(self, key: paramiko.PKey, why: str) -> None:
        outcome = self.files.record(self.name, key, hashed=self.hash_names)
        self.recorded.append(outcome)
        if self.notify is not None:
            self.notify(f"host key {self.name} {key.get_name()} {fingerprint(key)} trusted "
                        f"({why}); {outcome}")


class CheckingPolicy(paramiko.MissingHostKeyPolicy):  # type: ignore[misc]
    """Hands every server key to a HostKeyCheck.

    The client is given no known keys of its own, so paramiko calls this for every
    connection; the check (not paramiko's loader) then reads known_hosts.
    """

    def __init__(self, check: HostKeyCheck) -> None:
        self.check = check

    def missing_host_key(self, client: Any, hostname: str, key: paramiko.PKey) -> None:
        self.check.verify(key)
