"""What a Clace listener's host string binds to, and whether two of them overlap.

Clace builds the listen address as ``host + ":" + port`` (Go's ``net.Listen``): an empty
host is every interface of both families, an IPv6 literal must be bracketed, ``[::]`` is
dual stack on Linux, ``0.0.0.0`` every IPv4 address. Names are not resolved (the checks
are pure): a name overlaps an address only when it is ``localhost`` and the address a
loopback one.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Literal

from tui.core.clip import clip, quoted

_LABEL = r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)"
_HOSTNAME_RE = re.compile(rf"{_LABEL}(?:\.{_LABEL})*\.?")
HostKind = Literal["all", "ipv4", "ipv6", "name", "invalid"]
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class HostInfo:
    """What a listener's host string binds to."""

    text: str
    kind: HostKind
    address: Address | None = None
    problem: str = ""
    hint: str = ""

    @property
    def is_valid(self) -> bool:
        return self.kind != "invalid"

    @property
    def is_loopback(self) -> bool:
        if self.kind == "name":
            return self.text.lower().rstrip(".") == "localhost"
        return self.address is not None and self.address.is_loopback

    @property
    def is_all_interfaces(self) -> bool:
        """Every interface of both families: "" or [::]."""
        return self.kind == "all" or (self.kind == "ipv6" and self._unspecified)

    @property
    def is_all_ipv4(self) -> bool:
        return self.kind == "ipv4" and self._unspecified

    @property
    def _unspecified(self) -> bool:
        return self.address is not None and self.address.is_unspecified


def classify_host(host: str) -> HostInfo:
    if host == "":
        return HostInfo(host, "all")
    if host.startswith("[") and host.endswith("]"):
        try:
            return HostInfo(host, "ipv6", ipaddress.IPv6Address(host[1:-1]))
        except ValueError:
            return HostInfo(host, "invalid",
                            problem=f"{quoted(host)} is not a bracketed IPv6 address")
    if ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return HostInfo(
                host,
                "invalid",
                problem=f"{quoted(host)} is not a bare address: no scheme, port or path here",
                hint="give only the address or name; the port has its own key",
            )
        return HostInfo(
            host,
            "invalid",
            problem=f"IPv6 literal {quoted(host)} is not bracketed: Clace joins host and port "
            "with ':'",
            hint=f'write host = "[{clip(host)}]"',
        )
    try:
        return HostInfo(host, "ipv4", ipaddress.IPv4Address(host))
    except ValueError:
        pass
    labels = host.rstrip(".").split(".")
    if len(host) <= 253 and _HOSTNAME_RE.fullmatch(host) and not all(x.isdigit() for x in labels):
        return HostInfo(host, "name")
    return HostInfo(
        host,
        "invalid",
        problem=f"{quoted(host)} is neither an IP address nor a host name",
        hint='e.g. "127.0.0.1", "0.0.0.0", "[::1]" or a DNS name',
    )


def hosts_overlap(a: HostInfo, b: HostInfo) -> bool:
    """Whether two listeners on one port would fight for the same address."""
    if not (a.is_valid and b.is_valid):
        return False
    if a.is_all_interfaces or b.is_all_interfaces:
        return True
    for x, y in ((a, b), (b, a)):
        if x.is_all_ipv4 and y.kind in ("ipv4", "name"):
            return True
    if a.kind == "name" and b.kind == "name":
        return a.text.lower().rstrip(".") == b.text.lower().rstrip(".")
    if a.address is not None and b.address is not None:
        return a.address == b.address
    # A name against an address: only localhost is known without resolving.
    return a.is_loopback and b.is_loopback
