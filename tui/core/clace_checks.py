"""Checks over a Clace server TOML: ports, hosts and automatic certificates (CL rules).

Pure and cheap: :func:`check_clace` reads the model's cached values and runs on every
keystroke of the editor. Facts behind the rules come from the networking page
(``../shared/seeds/clace-networking.md``) and the server's sources (corpus SOURCES.txt).

Decisions worth knowing:

* An empty host means every interface of both families, as Go's ``net.Listen(":port")``
  does; so it overlaps everything and is "beyond localhost".
* Clace builds the listen address as ``host + ":" + port``; an IPv6 literal therefore has
  to be bracketed (``"[::1]"``), and ``"::1"`` is reported (CL013) with the bracketed form.
* ``[::]`` binds both families on Linux (dual stack), so it overlaps everything; ``0.0.0.0``
  overlaps every IPv4 address and host name; a host name overlaps a specific address only
  when it is ``localhost`` and the address a loopback one (names are not resolved: pure).
* A value of the wrong type is reported once (CL015, or CL001 for a non-integer number
  given as a port) and the rules that depend on it stay silent rather than judge the default
  that the model falls back to.
* CL008 is a warning, not an error, when HTTPS is disabled (-1) and service_email is set:
  nothing fails to start, but the certificates the operator asked for never come.
* CL002 (a privileged port) and CL018 (the page's placeholder address) are information:
  the page recommends port 443 with its own setup step, and marks the address CHANGE, so
  its recommended configuration passes ``check --strict``; the host's real capability is
  the apply preflight's (PF002, an error).
* CL010 and CL016 are information: the page recommends starting with ``use_staging =
  true``, and describes cert_location being looked up before certmagic; CL016 says that
  Clace v0.1.10 and later use certmagic alone (claceio/clace b0c4254), naming the version,
  without calling the page's configuration wrong.
"""

from __future__ import annotations

import re

from tui.core.clace_config import ClaceConfig
from tui.core.clace_hosts import HostInfo, classify_host, hosts_overlap
from tui.core.clace_shape_checks import (
    LISTENERS,
    Add,
    check_sections,
    check_types,
    check_unknown_keys,
)
from tui.core.clip import quoted
from tui.core.findings import Finding, Severity

ERR, WARN, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

_RULES: dict[str, tuple[Severity, str]] = {
    "CL000": (ERR, "the Clace file does not parse: it is not opened, checked or written"),
    "CL001": (ERR, "a Clace port is not an integer in -1..65535"),
    "CL002": (INFO, "a port in 1..1023: the page's Privileged Ports setup (setcap, again "
              "after every update) or root; the apply's preflight checks the host (PF002)"),
    "CL003": (WARN, "port 0: a random port at each start; clients must follow every restart"),
    "CL004": (INFO, "port -1: that listener is disabled"),
    "CL005": (ERR, "both HTTP and HTTPS are disabled"),
    "CL006": (ERR, "HTTP and HTTPS on the same port with overlapping addresses"),
    "CL007": (WARN, "HTTP bound beyond localhost: plaintext reachable from other machines"),
    "CL008": (ERR, "automatic certificates (service_email set) while the HTTPS port is not 443"),
    "CL009": (ERR, "service_email is set but not an email address"),
    "CL010": (INFO, "automatic certificates from Let's Encrypt staging (the page's first step): "
              "switch use_staging to false once issuance works"),
    "CL011": (ERR, "automatic certificates while HTTPS listens on loopback only"),
    "CL012": (INFO, "cert lookup off and no service_email: default.crt serves every request"),
    "CL013": (ERR, "a host that is neither an IP address nor a host name (bracket IPv6: [::1])"),
    "CL014": (WARN, "unknown key in [http]/[https] (Clace ignores it silently)"),
    "CL015": (ERR, "a value of the wrong type (a port as a string, a boolean as \"no\")"),
    "CL016": (INFO, "automatic certificates with cert lookup on: the page looks up "
              "cert_location first; Clace v0.1.10+ uses certmagic alone"),
    "CL017": (ERR, "redirect_to_https with HTTPS disabled (error) or not on 443 (warning)"),
    "CL018": (INFO, "service_email is the page's example address, which the page marks "
              "CHANGE"),
    "CL019": (WARN, "a section named like [http]/[https] but misspelled: Clace ignores it"),
    "CL020": (WARN, "an [http]/[https] setting written in another section, where it is ignored"),
    "CL021": (WARN, "an empty certificate path: files land in the server's working directory"),
}

CLACE_RULES: dict[str, str] = {code: text for code, (_, text) in _RULES.items()}

_EMAIL_RE = re.compile(r"[^@\s\"',;<>]+@[^@\s\"',;<>]+\.[^@\s\"',;<>.]+")
_EXAMPLE_DOMAINS = ("example.com", "example.org", "example.net")
_SETCAP_HINT = (
    "the page's setup step: `sudo setcap cap_net_bind_service=+ep /path/to/clace`, "
    "again after every update of the binary; or run the server as root"
)

def check_clace(cfg: ClaceConfig) -> list[Finding]:
    file = str(cfg.path)
    findings: list[Finding] = []

    def add(
        code: str, key: str, message: str, hint: str = "", *, severity: Severity | None = None
    ) -> None:
        """A finding at the rule's severity, or at ``severity`` for a rule with two levels."""
        level = severity or _RULES[code][0]
        findings.append(Finding(code, level, message, file, key, cfg.line_of(key), hint))

    broken = check_types(cfg, add)
    check_unknown_keys(cfg, add)
    check_sections(cfg, add)

    http, https = cfg.http, cfg.https
    ports: dict[str, int | None] = {}
    hosts: dict[str, HostInfo | None] = {}
    for section, name in LISTENERS:
        settings = http if section == "http" else https
        ports[section] = _check_port(section, name, settings.port, broken, add)
        hosts[section] = None
        if f"{section}.host" not in broken:
            info = classify_host(settings.host)
            hosts[section] = info
            if not info.is_valid:
                add("CL013", f"{section}.host", f"{name} host: {info.problem}", info.hint)

    http_port, https_port = ports["http"], ports["https"]
    http_host, https_host = hosts["http"], hosts["https"]
    http_on = http_port is not None and http_port != -1
    https_on = https_port is not None and https_port != -1

    if http_port == -1 and https_port == -1:
        add(
            "CL005",
            "http.port",
            "both HTTP and HTTPS are disabled (port = -1): the server accepts no requests",
            "enable one of them with a port >= 0",
        )
    if (
        http_on
        and https_on
        and http_port == https_port
        and http_port != 0
        and http_host is not None
        and https_host is not None
        and hosts_overlap(http_host, https_host)
    ):
        add(
            "CL006",
            "https.port",
            f"HTTP and HTTPS both listen on port {http_port} with overlapping addresses "
            f"({http_host.text or 'all'} / {https_host.text or 'all'}): the second bind fails",
            "give HTTP and HTTPS different ports",
        )
    if http_on and http_host is not None and http_host.is_valid and not http_host.is_loopback:
        shown = http_host.text or "all interfaces"
        add(
            "CL007",
            "http.host",
            f"HTTP listens on {shown}: plaintext traffic is reachable from other machines",
            'bind HTTP to "127.0.0.1" or serve remote clients over HTTPS',
        )

    email = None if "https.service_email" in broken else https.service_email
    if email:
        if not _EMAIL_RE.fullmatch(email.strip()):
            add(
                "CL009",
                "https.service_email",
                f"service_email {quoted(email)} is not an email address",
                "give an address the CA can write to, e.g. admin@your-domain.org",
            )
        elif _is_example_address(email):
            add(
                "CL018",
                "https.service_email",
                f"service_email {quoted(email)} is the page's example address (the page marks "
                "it CHANGE to your email address)",
                "put your own address: it receives expiration emails from the CA, and Let's "
                "Encrypt refuses example.com contacts",
            )
    auto = https_on and bool(email)
    if auto:
        _check_automatic_certificates(cfg, https_port, https_host, broken, add)
    elif https_port == -1 and email:
        add(
            "CL008",
            "https.service_email",
            "service_email is set but HTTPS is disabled (port = -1): no certificate is "
            "obtained and nothing is served over TLS",
            "set [https] port = 443 for automatic certificates, or clear service_email",
            severity=WARN,
        )
    elif https_on and email == "":
        lookup_off = "https.enable_cert_lookup" not in broken and not https.enable_cert_lookup
        if lookup_off:
            add(
                "CL012",
                "https.enable_cert_lookup",
                "certificate lookup is off and service_email is empty: default.crt is served "
                "for every request",
                "set enable_cert_lookup = true to serve DOMAIN.crt files",
            )
        if "https.cert_location" not in broken and not https.cert_location.strip():
            add(
                "CL021",
                "https.cert_location",
                "cert_location is empty: certificates are looked up (and the self-signed one "
                "created) in the server's working directory",
                'set cert_location = "$CL_HOME/config/certificates"',
            )

    if http_on and "http.redirect_to_https" not in broken and http.redirect_to_https:
        if https_port == -1:
            add(
                "CL017",
                "http.redirect_to_https",
                "redirect_to_https sends clients to HTTPS, which is disabled (port = -1)",
                "enable HTTPS or set redirect_to_https = false",
            )
        elif https_port is not None and https_port != 443:
            add(
                "CL017",
                "http.redirect_to_https",
                f"redirect_to_https while HTTPS is on port {https_port}: clients that "
                "omit the port land on 443",
                "serve HTTPS on 443 or turn the redirect off",
                severity=WARN,
            )
    return findings


def _check_automatic_certificates(
    cfg: ClaceConfig,
    https_port: int | None,
    https_host: HostInfo | None,
    broken: set[str],
    add: Add,
) -> None:
    https = cfg.https
    if https_port != 443:
        add(
            "CL008",
            "https.port",
            f"automatic certificates need HTTPS on 443 (the TLS-ALPN challenge comes to 443), "
            f"not port {https_port}",
            "set port = 443 (see CL002 for binding it), or clear service_email",
        )
    if "https.use_staging" not in broken and https.use_staging:
        add(
            "CL010",
            "https.use_staging",
            "certificates come from Let's Encrypt's staging server, as the page recommends to "
            "start: browsers do not trust them",
            "once a certificate is issued (DNS and port 443 work), set use_staging = false",
        )
    if https_host is not None and https_host.is_valid and https_host.is_loopback:
        add(
            "CL011",
            "https.host",
            f"automatic certificates while HTTPS listens on {https_host.text} only: the CA "
            "cannot reach port 443 to validate the domain",
            'bind HTTPS to "0.0.0.0" (or a public address)',
        )
    if "https.enable_cert_lookup" not in broken and https.enable_cert_lookup:
        add(
            "CL016",
            "https.enable_cert_lookup",
            "per the page, cert_location is looked up for each domain's certificate and "
            "certmagic creates the others; Clace v0.1.10 and later (claceio/clace b0c4254) use "
            "certmagic alone when service_email is set",
            "on v0.1.10+, files in cert_location are served only with service_email cleared",
        )
    if "https.storage_location" not in broken and not https.storage_location.strip():
        add(
            "CL021",
            "https.storage_location",
            "storage_location is empty: certmagic caches certificates and account keys in the "
            "server's working directory",
            'set storage_location = "$CL_HOME/run/certmagic"',
        )


def _check_port(section: str, name: str, port: int, broken: set[str], add: Add) -> int | None:
    """Port rules for one listener; returns the port when it is usable, else None."""
    key = f"{section}.port"
    if key in broken:
        return None
    if not -1 <= port <= 65535:
        add("CL001", key, f"{name} port {port} is outside -1..65535", "use 1..65535, 0 or -1")
        broken.add(key)
        return None
    if port == -1:
        add("CL004", key, f"{name} is disabled (port = -1)", "")
    elif port == 0:
        add(
            "CL003",
            key,
            f"{name} port 0 binds a random port at each start: clients must be updated after "
            "every restart",
            "pick a fixed port; the one in use is printed on stdout and in the logs",
        )
    elif port < 1024:
        add(
            "CL002",
            key,
            f"{name} port {port} is privileged: as the page's Privileged Ports section says, "
            "a non-root server needs the cap_net_bind_service capability (the apply's "
            "preflight checks the host: PF002)",
            _SETCAP_HINT,
        )
    return port


def _is_example_address(email: str) -> bool:
    local, _, domain = email.strip().lower().rpartition("@")
    return local == "my_email" or domain in _EXAMPLE_DOMAINS or domain.endswith(
        tuple("." + d for d in _EXAMPLE_DOMAINS)
    )
