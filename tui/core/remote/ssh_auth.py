"""Public-key authentication in ssh's order: keys from ssh_config (IdentityFile, or the
default ``~/.ssh/id_*``) that the agent holds, the agent's other keys (not with
IdentitiesOnly), then the key files themselves, a passphrase asked when one is needed.
A certificate (CertificateFile, or ``KEY-cert.pub``) is offered before its plain key.
"""

from __future__ import annotations

import contextlib
import copy
import os
import socket
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import paramiko
from paramiko.auth_strategy import AuthStrategy, InMemoryPrivateKey

from tui.core.remote.ssh_paths import user_ssh_dir

AskPassphrase = Callable[[str], "str | None"]
_PASSPHRASE_TRIES = 3
# What ssh tries without an IdentityFile, in its order.
DEFAULT_IDENTITIES = ("id_rsa", "id_ecdsa", "id_ecdsa_sk", "id_ed25519", "id_ed25519_sk",
                      "id_xmss", "id_dsa")


def default_identity_files() -> list[str]:
    """The ``~/.ssh/id_*`` keys that exist, as ssh tries them without an IdentityFile."""
    directory = user_ssh_dir()
    return [str(directory / name) for name in DEFAULT_IDENTITIES if (directory / name).is_file()]


def agent_socket(identity_agent: str | None) -> str | None:
    """Where the agent listens: IdentityAgent (a path, ``SSH_AUTH_SOCK``, ``$VAR``, ``none``)
    or, unset, $SSH_AUTH_SOCK."""
    if identity_agent is None or identity_agent == "SSH_AUTH_SOCK":
        return os.environ.get("SSH_AUTH_SOCK") or None
    if identity_agent.lower() == "none":
        return None
    if identity_agent.startswith("$"):
        return os.environ.get(identity_agent[1:]) or None
    return identity_agent


class KeyAuth(AuthStrategy):  # type: ignore[misc]
    """One connection's authentication; ``problems`` says why keys were left out."""

    def __init__(self, user: str, *, key_files: Sequence[str], identities_only: bool,
                 identity_agent: str | None, certificate_files: Sequence[str],
                 passphrases: dict[str, str], ask: AskPassphrase | None) -> None:
        super().__init__(ssh_config=None)
        self.user = user
        self.key_files = list(key_files) or default_identity_files()
        self.identities_only = identities_only
        self.identity_agent = identity_agent
        self.certificate_files = [c for c in certificate_files if Path(c).is_file()]
        self.passphrases = passphrases
        self.ask = ask
        self.problems: list[str] = []
        self.needs_passphrase: list[str] = []
        self._agent: Any = None

    def get_sources(self) -> Iterator[InMemoryPrivateKey]:
        agent_keys = self._agent_keys()
        served: set[str] = set()
        publics = {path: _public_key(path) for path in self.key_files}
        for path in self.key_files:
            public = publics[path]
            for agent_key in agent_keys:
                if public is not None and _same(agent_key, public):
                    served.add(path)
                    yield from self._with_certificates(agent_key, path)
        if not self.identities_only:
            for agent_key in agent_keys:
                if not any(p is not None and _same(agent_key, p) for p in publics.values()):
                    yield from self._with_certificates(agent_key, None)
        for path in self.key_files:
            if path in served:
                continue
            key = self._load(path)
            if key is not None:
                yield from self._with_certificates(key, path)

    def close(self) -> None:
        if self._agent is not None:
            with contextlib.suppress(Exception):
                self._agent._close()
            self._agent = None

    def _agent_keys(self) -> list[Any]:
        path = agent_socket(self.identity_agent)
        if path is None:
            return []
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            conn.settimeout(10)
            conn.connect(path)
            agent = paramiko.agent.AgentSSH()
            # paramiko connects its Agent to $SSH_AUTH_SOCK only: IdentityAgent needs this.
            agent._connect(conn)
        except (OSError, paramiko.SSHException) as exc:
            conn.close()
            self.problems.append(f"agent {path}: {getattr(exc, 'strerror', None) or exc}")
            return []
        self._agent = agent
        return list(agent.get_keys())

    def _with_certificates(self, key: Any, path: str | None) -> Iterator[InMemoryPrivateKey]:
        candidates = list(self.certificate_files)
        if path is not None and Path(f"{path}-cert.pub").is_file():
            candidates.append(f"{path}-cert.pub")
        for cert in candidates:
            if _certifies(cert, key):
                certified = _copy(key)
                certified.load_certificate(cert)
                yield InMemoryPrivateKey(self.user, certified)
                break
        plain = _copy(key)
        plain.public_blob = None
        yield InMemoryPrivateKey(self.user, plain)

    def _load(self, path: str) -> paramiko.PKey | None:
        try:
            return _read_key(path, None)
        except _Encrypted:
            pass
        except (paramiko.SSHException, ValueError, OSError) as exc:
            self.problems.append(f"{path}: {exc}")
            return None
        for _ in range(_PASSPHRASE_TRIES):
            passphrase = self.passphrases.get(path)
            if passphrase is None:
                answer = self.ask(path) if self.ask is not None else None
                if answer is None:
                    self.needs_passphrase.append(path)
                    self.problems.append(f"{path} needs a passphrase")
                    return None
                passphrase = answer
            try:
                key = _read_key(path, passphrase)
            except (_Encrypted, paramiko.SSHException, ValueError, OSError):
                self.passphrases.pop(path, None)  # wrong: ask again
                continue
            self.passphrases[path] = passphrase
            return key
        self.problems.append(f"{path}: wrong passphrase")
        return None


class _Encrypted(Exception):
    pass


def _read_key(path: str, passphrase: str | None) -> paramiko.PKey:
    try:
        key: paramiko.PKey = paramiko.PKey.from_path(
            path, passphrase.encode() if passphrase is not None else None)
    except (paramiko.PasswordRequiredException, TypeError):
        # cryptography says "password not given" with a TypeError
        raise _Encrypted() from None
    key.public_blob = None  # certificates are paired here, not by paramiko's guess
    return key


def _public_key(path: str) -> paramiko.PKey | None:
    """The public half of a key file, from ``KEY.pub`` (read without the passphrase)."""
    from tui.core.remote.hostkeys import parse_public_key

    try:
        return parse_public_key(Path(f"{path}.pub").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


def _same(agent_key: Any, public: paramiko.PKey) -> bool:
    return bool(agent_key.asbytes() == public.asbytes())


def _certifies(cert_path: str, key: Any) -> bool:
    """Whether the certificate in ``cert_path`` is for ``key`` (paramiko checks only the type)."""
    try:
        blob = paramiko.pkey.PublicBlob.from_file(cert_path)
    except (paramiko.SSHException, ValueError, OSError, TypeError, IndexError):
        return False
    for key_class in (paramiko.Ed25519Key, paramiko.ECDSAKey, paramiko.RSAKey):
        try:
            # A key class reads its certificate form too: the public numbers come out.
            certified = key_class(msg=paramiko.Message(blob.key_blob))
        except (paramiko.SSHException, ValueError, TypeError, IndexError):
            continue
        return bool(certified.asbytes() == key.asbytes())
    return False


def _copy(key: Any) -> Any:
    """A second instance of ``key`` (one carries the certificate, one does not)."""
    if isinstance(key, paramiko.agent.AgentKey):
        return paramiko.agent.AgentKey(key.agent, key.blob, key.comment)
    return copy.copy(key)
