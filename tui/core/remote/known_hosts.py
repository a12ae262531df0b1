"""known_hosts files read in the full format of sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT".

Each line: an optional marker (``@cert-authority`` or ``@revoked``), a host field, a key
type, the base64 key and a comment. The host field is a comma list of patterns (``*`` and
``?`` wildcards, ``!`` negation, ``[host]:port`` for a port other than 22) or one hashed
name (``|1|salt|hmac``, HashKnownHosts). paramiko's own loader knows none of the markers:
one such line used to make every host fail, so the lines are read here and paramiko only
parses the keys.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import paramiko

CERT_AUTHORITY = "cert-authority"
REVOKED = "revoked"
_MARKERS = {"@cert-authority": CERT_AUTHORITY, "@revoked": REVOKED}
_HASH_MAGIC = "|1|"


@dataclass(frozen=True, slots=True)
class KnownHostLine:
    """One usable line of a known_hosts file; ``marker`` is "", "cert-authority" or "revoked"."""

    path: Path
    number: int
    marker: str
    hosts: str
    key: paramiko.PKey

    @property
    def where(self) -> str:
        return f"{self.path}:{self.number}"

    def matches(self, name: str) -> bool:
        return host_field_matches(self.hosts, name)


def host_field_matches(field: str, name: str) -> bool:
    """Whether a known_hosts host field names ``name`` (``host`` or ``[host]:port``).

    As OpenSSH: names compare case-insensitively; a negated pattern that matches vetoes the
    line even when another pattern matches; a hashed field is one name, never a list.
    """
    if field.startswith(_HASH_MAGIC):
        return hashed_name_matches(field, name)
    name = name.lower()
    matched = False
    for pattern in field.split(","):
        negated = pattern.startswith("!")
        if negated:
            pattern = pattern[1:]
        if pattern and _glob(pattern.lower()).fullmatch(name):
            if negated:
                return False
            matched = True
    return matched


@lru_cache(maxsize=512)
def _glob(pattern: str) -> re.Pattern[str]:
    # Only * and ? are special (no [classes]: "[host]:port" is literal text).
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile("".join(parts), re.DOTALL)


def hashed_name_matches(field: str, name: str) -> bool:
    """``|1|base64(salt)|base64(HMAC-SHA1(salt, name))`` against ``name``."""
    try:
        salt_text, digest_text = field[len(_HASH_MAGIC):].split("|", 1)
        salt = base64.b64decode(salt_text, validate=True)
        digest = base64.b64decode(digest_text, validate=True)
    except (ValueError, binascii.Error):
        return False
    mine = hmac.new(salt, name.encode(), hashlib.sha1).digest()
    return hmac.compare_digest(mine, digest)


def hash_name(name: str) -> str:
    """The hashed form OpenSSH writes under HashKnownHosts yes (a fresh salt each time)."""
    salt = os.urandom(20)
    digest = hmac.new(salt, name.encode(), hashlib.sha1).digest()
    return f"{_HASH_MAGIC}{base64.b64encode(salt).decode()}|{base64.b64encode(digest).decode()}"


def parse_line(text: str, path: Path, number: int) -> KnownHostLine | None:
    """A line as a KnownHostLine; None for comments, blanks and lines ssh would skip too
    (an unknown marker, a key type paramiko cannot read, bad base64)."""
    fields = text.split()
    if not fields or fields[0].startswith("#"):
        return None
    marker = ""
    if fields[0].startswith("@"):
        if fields[0] not in _MARKERS:
            return None
        marker = _MARKERS[fields.pop(0)]
    if len(fields) < 3:
        return None
    hosts, key_type, blob = fields[0], fields[1], fields[2]
    key = public_key(key_type, blob)
    if key is None:
        return None
    return KnownHostLine(path, number, marker, hosts, key)


def public_key(key_type: str, blob: str) -> paramiko.PKey | None:
    try:
        key: paramiko.PKey = paramiko.PKey.from_type_string(key_type, base64.b64decode(blob))
    except (paramiko.SSHException, binascii.Error, ValueError, TypeError, IndexError):
        return None
    return key


def read_lines(path: Path) -> list[KnownHostLine]:
    """The usable lines of one file; an absent or unreadable file (or one that is not a
    regular file: a FIFO would block) has none."""
    try:
        if not path.is_file():
            return []
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    found = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = parse_line(raw, path, number)
        if line is not None:
            found.append(line)
    return found


@dataclass(frozen=True, slots=True)
class HostKeyLookup:
    """Every line of the files that names one host, split by marker."""

    name: str
    keys: tuple[KnownHostLine, ...]
    revoked: tuple[KnownHostLine, ...]
    authorities: tuple[KnownHostLine, ...]

    def revoked_line(self, key: paramiko.PKey) -> KnownHostLine | None:
        return next((line for line in self.revoked if line.key == key), None)

    def known_line(self, key: paramiko.PKey) -> KnownHostLine | None:
        return next((line for line in self.keys if line.key == key), None)

    def same_type(self, key: paramiko.PKey) -> list[KnownHostLine]:
        return [line for line in self.keys if line.key.get_name() == key.get_name()]

    def key_types(self) -> list[str]:
        types: list[str] = []
        for line in self.keys:
            if line.key.get_name() not in types:
                types.append(line.key.get_name())
        return types


def lookup(paths: Sequence[Path], name: str) -> HostKeyLookup:
    keys: list[KnownHostLine] = []
    revoked: list[KnownHostLine] = []
    authorities: list[KnownHostLine] = []
    for line in _lines_of(paths):
        if not line.matches(name):
            continue
        {"": keys, REVOKED: revoked, CERT_AUTHORITY: authorities}[line.marker].append(line)
    return HostKeyLookup(name, tuple(keys), tuple(revoked), tuple(authorities))


def _lines_of(paths: Iterable[Path]) -> Iterable[KnownHostLine]:
    seen: set[Path] = set()
    for path in paths:
        if path in seen:
            continue
        seen.add(path)
        yield from read_lines(path)
