"""The LEAP Ports page as data, plus the ports LEAP's sources add to it.

Each entry keeps the page's note verbatim (the TUI shows it as help); entries that the page
does not list (``on_page=False``) carry the fact read from leap_platform instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Bind = Literal["ip_address", "openvpn.gateway_address"]

STUNNEL_RANGE = (10000, 20000)
STUNNEL_OFFSET = 10000
STUNNEL_HIGH_PORT = 50000


@dataclass(frozen=True)
class PortSpec:
    """One listener LEAP opens on a node.

    ``service`` is the LEAP service that opens it ("all" for every node); ``ports`` the
    defaults (a range is written "10000-20000"); ``property`` the dotted key that moves it,
    None when fixed (a spec is configurable exactly when it has one). ``shared`` names one
    socket several services serve (apache's virtual hosts on 80/443): listeners with the
    same ``shared`` tag never clash. ``fixed_keys`` are keys a user might write to move a
    port that cannot be moved (LP006).
    """

    name: str
    service: str
    ports: tuple[int | str, ...]
    protocol: Literal["tcp", "udp"]
    public: bool
    property: str | None
    bind: Bind
    note: str
    on_page: bool = True
    shared: str | None = None
    fixed_keys: tuple[str, ...] = ()


_NOTE_SMTP = (
    "This is required for all server-to-server SMTP email relay. This is not configurable."
)
_NOTE_HTTP = (
    "Although no actual services are available over port 80, it should be unblocked so that "
    "the web app can redirect to port 443. This is not configurable."
)
_NOTE_HTTPS = "The web application is available over this port. This is not configurable."
_NOTE_SMTPS = (
    "The client uses this port to submit outgoing email messages via SMTP over TLS. There is "
    "no easy way to change this, although you can create a custom "
    "files/service-definitions/v1/smtp-service.json.erb to do so. This will be changed to "
    "port 443 in the future."
)
_NOTE_SOLEDAD = (
    "The client uses this port to synchronize its storage data. This can be changed via the "
    "configuration property soledad.port. This will be changed to port 443 in the future."
)
_NOTE_NICKNYM = (
    "The client uses this port for discovering public keys. This can be changed via the "
    "configuration property nickserver.port. This will be changed to port 443 in the future."
)
_NOTE_OPENVPN = (
    "By default, OpenVPN gateways will listen on all those ports. This can be changed via the "
    "configuration property openvpn.ports. Note that these ports must be open for "
    "openvpn.gateway_address, not for ip_address."
)
_NOTE_API = (
    "Currently, the provider API is accessible via this port. In the future, the default will "
    "be changed to 443. For now, this can be changed via the configuration property api.port."
)
_NOTE_SSH = (
    "This is the port that the sshd is bound to for the node. You can modify this using the "
    "configuration property ssh.port. It is important that this port is never blocked, or you "
    "will lose access to deploy to this node."
)
_NOTE_STUNNEL = (
    "This is the range of ports that might be used for the encrypted stunnel connections "
    "between two nodes. These port numbers are automatically generated, but will fall "
    "somewhere in the specified range."
)

SMTP = PortSpec("SMTP", "mx", (25,), "tcp", True, None, "ip_address", _NOTE_SMTP,
                fixed_keys=("smtp.port", "mx.port", "mx.smtp_port"))
HTTP = PortSpec("HTTP", "webapp", (80,), "tcp", True, None, "ip_address", _NOTE_HTTP,
                shared="apache:80",
                fixed_keys=("http.port", "webapp.port", "webapp.http_port"))
HTTPS = PortSpec("HTTPS", "webapp", (443,), "tcp", True, None, "ip_address", _NOTE_HTTPS,
                 shared="apache:443",
                 fixed_keys=("https.port", "webapp.https_port", "webapp.ssl_port"))
SMTPS = PortSpec("SMTPS", "mx", (465,), "tcp", True, None, "ip_address", _NOTE_SMTPS,
                 fixed_keys=("smtps.port", "mx.smtps_port"))
SOLEDAD = PortSpec("Soledad", "soledad", (2323,), "tcp", True, "soledad.port",
                   "ip_address", _NOTE_SOLEDAD)
NICKNYM = PortSpec("Nicknym", "webapp", (6425,), "tcp", True, "nickserver.port",
                   "ip_address", _NOTE_NICKNYM)
OPENVPN = PortSpec("OpenVPN", "openvpn", (80, 443, 53, 1194), "tcp", True, "openvpn.ports",
                   "openvpn.gateway_address", _NOTE_OPENVPN)
API = PortSpec("API", "webapp", (4430,), "tcp", True, "api.port", "ip_address", _NOTE_API)
SSH = PortSpec("SSH", "all", (22,), "tcp", False, "ssh.port", "ip_address", _NOTE_SSH)
STUNNEL = PortSpec("Stunnel", "all", ("10000-20000",), "tcp", False, None, "ip_address",
                   _NOTE_STUNNEL, fixed_keys=("stunnel.port", "stunnel.ports"))

SUBMISSION = PortSpec(
    "Submission", "mx", (587,), "tcp", False, None, "ip_address",
    "leap_platform's postfix also runs the submission service on 587; provider_base's mx "
    "firewall opens only 25 and 465 to the world.", on_page=False,
)
DNS = PortSpec(
    "DNS", "dns", (53,), "udp", True, None, "ip_address",
    "provider_base/services/dns.json opens port 53 from everywhere to ip_address "
    "(UDP and TCP).", on_page=False,
)
DNS_TCP = PortSpec(
    "DNS", "dns", (53,), "tcp", True, None, "ip_address", DNS.note, on_page=False,
)
MOSH = PortSpec(
    "Mosh", "all", ("60000-61000",), "udp", False, "ssh.mosh.ports", "ip_address",
    "Used only when ssh.mosh.enabled is true: mosh-server takes a UDP port in "
    "ssh.mosh.ports (\"60000:61000\" by default).", on_page=False,
)
COUCHDB = PortSpec(
    "CouchDB", "couchdb", (5984,), "tcp", False, "couch.port", "ip_address",
    "provider_base/services/couchdb.json: couch.port 5984; other nodes reach it through the "
    "stunnel server on couch.port + 10000 (15984).", on_page=False,
)
NICKSERVER_DAEMON = PortSpec(
    "Nickserver daemon", "webapp", (64250,), "tcp", False, None, "ip_address",
    "The nickserver daemon listens on 64250; nickserver.port is the public port that "
    "forwards to it.", on_page=False,
)
TOR_ORPORT = PortSpec(
    "Tor ORPort", "tor", (9001,), "tcp", True, None, "ip_address",
    "leap_platform's tor relays (services tor_relay, tor_exit) listen on 9001 on ip_address "
    "(site_tor::relay). The Ports page does not list tor.", on_page=False,
)
TOR_DIRPORT = PortSpec(
    "Tor DirPort", "tor", (80,), "tcp", True, None, "ip_address",
    "Only an exit relay (tor.type \"exit\", service tor_exit) serves its directory on 80, and "
    "only on a node without webapp whose openvpn.ports lack \"80\" (leap_platform "
    "site_tor::relay); older leap_platform (one tor service) opened it on every relay. The "
    "Ports page does not list tor.", on_page=False,
)
STATIC_HTTP = PortSpec(
    "HTTP", "static", (80,), "tcp", True, None, "ip_address",
    "provider_base/services/static.json opens 80 and 443 (apache, shared with webapp).",
    on_page=False, shared="apache:80",
)
STATIC_HTTPS = PortSpec(
    "HTTPS", "static", (443,), "tcp", True, None, "ip_address", STATIC_HTTP.note,
    on_page=False, shared="apache:443",
)
MONITOR_HTTP = PortSpec(
    "HTTP", "monitor", (80,), "tcp", False, None, "ip_address",
    "provider_base/services/monitor.json opens 443 and 80 to sysadmins (nagios, served by "
    "the same apache as webapp).", on_page=False, shared="apache:80",
)
MONITOR_HTTPS = PortSpec(
    "HTTPS", "monitor", (443,), "tcp", False, None, "ip_address", MONITOR_HTTP.note,
    on_page=False, shared="apache:443",
)

PAGE_PORTS: tuple[PortSpec, ...] = (
    SMTP, HTTP, HTTPS, SMTPS, SOLEDAD, NICKNYM, OPENVPN, API, SSH, STUNNEL,
)
"""The two tables of the Ports page, in its order."""

SOURCE_PORTS: tuple[PortSpec, ...] = (
    SUBMISSION, DNS, DNS_TCP, MOSH, COUCHDB, NICKSERVER_DAEMON, TOR_ORPORT, TOR_DIRPORT,
    STATIC_HTTP, STATIC_HTTPS, MONITOR_HTTP, MONITOR_HTTPS,
)
"""Listeners LEAP's sources add to the page."""

PORT_CATALOG: tuple[PortSpec, ...] = PAGE_PORTS + SOURCE_PORTS

TOR_SERVICES: frozenset[str] = frozenset({"tor", "tor_relay", "tor_exit"})

FIXED_PORT_KEYS: dict[str, PortSpec] = {
    key: spec for spec in PORT_CATALOG for key in spec.fixed_keys
}


def stunnel_port(real: int) -> int:
    """The port a stunnel server accepts on for a service on ``real`` (LEAP's rule)."""
    return real - STUNNEL_OFFSET if real >= STUNNEL_HIGH_PORT else real + STUNNEL_OFFSET


_BY_SERVICE: dict[str, tuple[PortSpec, ...]] = {}
for _spec in PORT_CATALOG:
    _BY_SERVICE[_spec.service] = (*_BY_SERVICE.get(_spec.service, ()), _spec)


def specs_for_service(service: str) -> tuple[PortSpec, ...]:
    """Listeners a node running ``service`` opens ("all" gives those of every node)."""
    return _BY_SERVICE.get("tor" if service in TOR_SERVICES else service, ())
