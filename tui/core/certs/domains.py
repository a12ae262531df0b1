"""Server names as the TLS lookup sees them: normalising, IP literals, certificate coverage."""

from __future__ import annotations

import ipaddress
import re

# The name of the fallback pair (default.crt / default.key) in cert_location.
DEFAULT_NAME = "default"

# Names that carry no dot but that clients still send as SNI (browsers do for localhost).
SINGLE_LABEL_HOSTS = frozenset({"localhost"})

_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")


def is_ip_literal(name: str) -> bool:
    """Clients connecting by IP address send no server name (RFC 6066 forbids it)."""
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True


def normalize_name(name: str) -> str:
    """Lower-case, without a trailing dot: DNS names compare that way and browsers send them so."""
    return name.strip().rstrip(".").lower()


def validate_hostname(name: str) -> str:
    """Return the normalised host name or raise ValueError with a one-line reason.

    A name ends up in a file name (``NAME.crt``), so anything but DNS labels is refused:
    no slashes, no wildcards, no empty labels.
    """
    normalized = normalize_name(name)
    if not normalized:
        raise ValueError("empty domain")
    if len(normalized) > 253:
        raise ValueError(f"{name!r} is longer than 253 characters")
    for label in normalized.split("."):
        if not _LABEL.match(label):
            raise ValueError(
                f"{name!r} is not a host name (labels of letters, digits and hyphens)"
            )
    return normalized


def name_matches(pattern: str, host: str) -> bool:
    """Whether a certificate DNS name covers ``host``.

    A wildcard stands for exactly one whole left-most label, as browsers apply it:
    ``*.example.com`` covers ``a.example.com``, not ``example.com`` nor ``a.b.example.com``.
    """
    pattern = normalize_name(pattern)
    host = normalize_name(host)
    if pattern == host:
        return True
    if not pattern.startswith("*."):
        return False
    first, _, rest = host.partition(".")
    return bool(first) and bool(rest) and rest == pattern[2:]


def covers(dns_names: tuple[str, ...], ip_addresses: tuple[str, ...], host: str) -> bool:
    """Whether a certificate's SANs cover ``host`` (modern clients ignore the subject CN)."""
    if is_ip_literal(host):
        wanted = ipaddress.ip_address(host.strip("[]"))
        return any(ipaddress.ip_address(ip) == wanted for ip in ip_addresses)
    return any(name_matches(pattern, host) for pattern in dns_names)


def is_never_requested(name: str) -> bool:
    """A pair named so that no TLS client ever sends that server name.

    IP literals are never sent as SNI, and a single label (``example``) is not what a
    client asks for ``example.com``: the server looks the file up by the full name.
    """
    if name == DEFAULT_NAME:
        return False
    if is_ip_literal(name):
        return True
    return "." not in name and name not in SINGLE_LABEL_HOSTS
