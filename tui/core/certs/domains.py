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


def page_names(server_name: str) -> tuple[str, ...]:
    """The file names (without .crt/.key) that serve ``server_name``, first match wins.

    The Networking page: "if a file example.crt and example.key are found in the
    certificates folder, those are used for example.com domain". The full server name
    comes first (the name the server's source looks up), then the name without its
    top-level label, the page's example (``www.example.com`` -> ``www.example``).
    """
    head, dot, _ = server_name.rpartition(".")
    return (server_name, head) if dot and head else (server_name,)


def page_domains_of(name: str, dns_names: tuple[str, ...]) -> tuple[str, ...]:
    """The names a pair called ``name`` serves by the page's short naming: ``example``
    serves ``example.<tld>``; among the certificate's names, those of that form."""
    return tuple(n for n in dns_names if not n.startswith("*.") and
                 normalize_name(n).rpartition(".")[0] == name)


def is_never_requested(name: str) -> bool:
    """A pair named so that no TLS client ever asks for it: an IP address (clients
    connecting by address send no server name, RFC 6066)."""
    return name != DEFAULT_NAME and is_ip_literal(name)


def is_short_name(name: str) -> bool:
    """A pair named by a single label (``example``): served by the page's naming only."""
    return (name != DEFAULT_NAME and "." not in name and not is_ip_literal(name)
            and name not in SINGLE_LABEL_HOSTS)
