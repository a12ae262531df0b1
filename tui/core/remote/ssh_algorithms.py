"""Ciphers, MACs, KexAlgorithms, HostKeyAlgorithms and PubkeyAcceptedAlgorithms of ssh_config,
as paramiko's ``disabled_algorithms``.

ssh_config(5) lists are comma-separated patterns: plain (exactly these), ``+`` (added to
the default), ``-`` (taken from the default) or ``^`` (moved to the front). paramiko keeps
its own preference order, so only what a list excludes matters here: the algorithms
paramiko would offer that the list does not allow are disabled.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import paramiko

from tui.core.remote.errors import SshConfigError

# ssh_config keyword -> (paramiko's disabled_algorithms key, its preference attribute)
KEYWORDS: dict[str, tuple[str, str]] = {
    "ciphers": ("ciphers", "_preferred_ciphers"),
    "macs": ("macs", "_preferred_macs"),
    "kexalgorithms": ("kex", "_preferred_kex"),
    "hostkeyalgorithms": ("keys", "_preferred_keys"),
    "pubkeyacceptedalgorithms": ("pubkeys", "_preferred_pubkeys"),
    "pubkeyacceptedkeytypes": ("pubkeys", "_preferred_pubkeys"),  # its name before 8.5
}
_CERT = "-cert-v01@openssh.com"


def _pattern(text: str) -> re.Pattern[str]:
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in text)
    return re.compile("".join(parts))


def _allowed(name: str, patterns: list[re.Pattern[str]]) -> bool:
    # A host key list may name only the certificate form of an algorithm.
    return any(p.fullmatch(name) or p.fullmatch(name + _CERT) for p in patterns)


def disabled_algorithms(options: Mapping[str, str], where: Mapping[str, str]) -> dict[str,
                                                                                      list[str]]:
    """``{"ciphers": [...], ...}`` from the keywords set in ``options`` (lowercased)."""
    disabled: dict[str, list[str]] = {}
    for keyword, (kind, attribute) in KEYWORDS.items():
        value = options.get(keyword)
        if not value:
            continue
        offered: tuple[str, ...] = getattr(paramiko.Transport, attribute)
        first, rest = value[0], value[1:]
        if first in "+^":
            continue  # only adds or reorders: paramiko keeps all it has
        if first == "-":
            removed = [_pattern(p) for p in rest.split(",") if p]
            off = [name for name in offered if _allowed(name, removed)]
        else:
            kept = [_pattern(p) for p in value.split(",") if p]
            off = [name for name in offered if not _allowed(name, kept)]
        if len(off) == len(offered):
            raise SshConfigError(
                f"ssh_config {keyword} {value}{where.get(keyword, '')}: paramiko supports none "
                f"of these (it has {', '.join(offered)})")
        if off:
            disabled.setdefault(kind, []).extend(off)
    return disabled
