"""What leap-tui knows about the files in a cert_location: plain data, no cryptography."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from tui.core.certs.domains import DEFAULT_NAME, covers

CRT_SUFFIX = ".crt"
KEY_SUFFIX = ".key"


def as_utc(moment: datetime) -> datetime:
    """Certificates carry UTC times; a naive ``now`` is taken to be UTC rather than failing."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


@dataclass(frozen=True, slots=True)
class CertInfo:
    """The leaf (first) certificate of a ``.crt`` file."""

    subject: str
    common_name: str | None
    dns_names: tuple[str, ...]
    ip_addresses: tuple[str, ...]
    issuer: str
    self_signed: bool
    not_before: datetime
    not_after: datetime
    serial: int
    key_type: str
    key_bits: int
    fingerprint_sha256: str
    chain_length: int = 1

    @property
    def has_san(self) -> bool:
        return bool(self.dns_names or self.ip_addresses)

    @property
    def sans(self) -> tuple[str, ...]:
        return self.dns_names + self.ip_addresses

    def days_left(self, now: datetime) -> int:
        """Whole days until not-after; negative once expired (a day late is -1)."""
        return math.floor((self.not_after - as_utc(now)).total_seconds() / 86400)

    def days_since_expiry(self, now: datetime) -> int:
        """Whole days since not-after (0 on the day it expired); negative while valid."""
        return math.floor((as_utc(now) - self.not_after).total_seconds() / 86400)

    def is_expired(self, now: datetime) -> bool:
        return as_utc(now) >= self.not_after

    def is_not_yet_valid(self, now: datetime) -> bool:
        return as_utc(now) < self.not_before

    def covers(self, host: str) -> bool:
        return covers(self.dns_names, self.ip_addresses, host)

    @property
    def wildcard_names(self) -> tuple[str, ...]:
        return tuple(name for name in self.dns_names if name.startswith("*."))


@dataclass(frozen=True, slots=True)
class KeyInfo:
    key_type: str
    key_bits: int


@dataclass(frozen=True, slots=True)
class CertFile:
    """A ``NAME.crt``: parsed, or the one-line reason it could not be."""

    path: str
    mode: int | None
    info: CertInfo | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class KeyFile:
    """A ``NAME.key``: parsed, or the one-line reason it could not be."""

    path: str
    mode: int | None
    info: KeyInfo | None = None
    error: str | None = None

    @property
    def readable_by_others(self) -> bool:
        """Readable by group or others (the server writes its own key so under umask 022)."""
        return self.mode is not None and bool(self.mode & 0o044)


@dataclass(frozen=True, slots=True)
class CertPair:
    """``NAME.crt`` with ``NAME.key``; either may be missing.

    ``key_matches`` is None unless both files parsed.
    """

    name: str
    crt: CertFile | None
    key: KeyFile | None
    key_matches: bool | None = None

    @property
    def is_default(self) -> bool:
        return self.name == DEFAULT_NAME

    @property
    def complete(self) -> bool:
        """Both files exist: the server will try this pair (and fail the handshake if broken)."""
        return self.crt is not None and self.key is not None

    @property
    def usable(self) -> bool:
        """The server can load it: both parse and the key belongs to the certificate."""
        return self.complete and self.key_matches is True

    @property
    def cert(self) -> CertInfo | None:
        return self.crt.info if self.crt is not None else None

    @property
    def problem(self) -> str | None:
        """Why the server cannot load the pair, one line; None when it can."""
        if self.crt is None:
            return f"{self.name}{CRT_SUFFIX} is missing"
        if self.key is None:
            return f"{self.name}{KEY_SUFFIX} is missing"
        if self.crt.error is not None:
            return f"{self.name}{CRT_SUFFIX}: {self.crt.error}"
        if self.key.error is not None:
            return f"{self.name}{KEY_SUFFIX}: {self.key.error}"
        if self.key_matches is False:
            return f"{self.name}{KEY_SUFFIX} does not match {self.name}{CRT_SUFFIX}"
        return None


@dataclass(frozen=True, slots=True)
class CertDir:
    """The pairs in a cert_location, as read locally or over SFTP.

    ``location`` is the directory as shown to the user; ``pairs`` are sorted by name with
    ``default`` first.
    """

    location: str
    pairs: tuple[CertPair, ...] = ()

    def pair(self, name: str) -> CertPair | None:
        for pair in self.pairs:
            if pair.name == name:
                return pair
        return None

    def path_of(self, file_name: str) -> str:
        """The path a file in this directory has (or would have), as the user knows it."""
        return f"{self.location.rstrip('/')}/{file_name}" if self.location else file_name

    @property
    def default(self) -> CertPair | None:
        return self.pair(DEFAULT_NAME)
