"""Where OpenSSH keeps its files: the user's ``~/.ssh`` and the system's ``/etc/ssh``.

``SYSTEM_SSH_DIR`` is looked up at each call, never bound at import: the test suite points
it at a temporary directory, so that no test ever reads this machine's ``/etc``.
"""

from __future__ import annotations

from pathlib import Path

SYSTEM_SSH_DIR = Path("/etc/ssh")


def user_ssh_dir() -> Path:
    return Path.home() / ".ssh"


def system_ssh_dir() -> Path:
    return SYSTEM_SSH_DIR


def default_user_config() -> Path | None:
    """``~/.ssh/config`` when it exists (ssh reads it, then the system file)."""
    path = user_ssh_dir() / "config"
    return path if path.is_file() else None


def default_system_config() -> Path | None:
    path = system_ssh_dir() / "ssh_config"
    return path if path.is_file() else None


def default_user_known_hosts() -> tuple[str, ...]:
    """OpenSSH's UserKnownHostsFile default, unexpanded (``~`` is expanded per host)."""
    return ("~/.ssh/known_hosts", "~/.ssh/known_hosts2")


def default_global_known_hosts() -> tuple[str, ...]:
    """OpenSSH's GlobalKnownHostsFile default."""
    directory = system_ssh_dir()
    return (str(directory / "ssh_known_hosts"), str(directory / "ssh_known_hosts2"))
