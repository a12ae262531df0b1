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

import difflib
import ipaddress
import re
from dataclasses import dataclass
from typing import Literal, Protocol

from tui.core.clace_config import ClaceConfig, join_key
from tui.core.clace_schema import (
    CLACE_FIELDS,
    KNOWN_KEYS,
    is_known_key,
    is_known_section,
    value_has_kind,
)
from tui.core.clip import clip, quoted
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

_LISTENERS = (("http", "HTTP"), ("https", "HTTPS"))
_FIELD_NAMES = frozenset(spec.name for spec in CLACE_FIELDS.values())
_SECTIONS_WITH_KEYS = frozenset(s for s in KNOWN_KEYS if s and "." not in s) - {"http", "https"}
_EMAIL_RE = re.compile(r"[^@\s\"',;<>]+@[^@\s\"',;<>]+\.[^@\s\"',;<>.]+")
_EXAMPLE_DOMAINS = ("example.com", "example.org", "example.net")
_LABEL = r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)"
_HOSTNAME_RE = re.compile(rf"{_LABEL}(?:\.{_LABEL})*\.?")
_SETCAP_HINT = (
    "the page's setup step: `sudo setcap cap_net_bind_service=+ep /path/to/clace`, "
    "again after every update of the binary; or run the server as root"
)

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


class _Add(Protocol):
    def __call__(
        self, code: str, key: str, message: str, hint: str = "", *, severity: Severity | None = None
    ) -> None: ...


def check_clace(cfg: ClaceConfig) -> list[Finding]:
    file = str(cfg.path)
    findings: list[Finding] = []

    def add(
        code: str, key: str, message: str, hint: str = "", *, severity: Severity | None = None
    ) -> None:
        """A finding at the rule's severity, or at ``severity`` for a rule with two levels."""
        level = severity or _RULES[code][0]
        findings.append(Finding(code, level, message, file, key, cfg.line_of(key), hint))

    broken = _check_types(cfg, add)
    _check_unknown_keys(cfg, add)
    _check_sections(cfg, add)

    http, https = cfg.http, cfg.https
    ports: dict[str, int | None] = {}
    hosts: dict[str, HostInfo | None] = {}
    for section, name in _LISTENERS:
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
    add: _Add,
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


def _check_port(section: str, name: str, port: int, broken: set[str], add: _Add) -> int | None:
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


def _check_types(cfg: ClaceConfig, add: _Add) -> set[str]:
    """CL015/CL001 for values the server cannot decode; returns the keys found broken."""
    broken: set[str] = set()
    for section, _ in _LISTENERS:
        if cfg.is_set(section) and not cfg.is_table(section):
            add("CL015", section, f"{section} must be a table ([{section}]), not a value", "")
            broken.update(k for k in CLACE_FIELDS if k.startswith(section + "."))
    for key, spec in CLACE_FIELDS.items():
        if key in broken:
            continue
        value = cfg.raw(key)
        if value is None or value_has_kind(spec.kind, value):
            continue
        broken.add(key)
        written = _toml(value)
        if spec.kind == "port" and isinstance(value, float):
            add("CL001", key, f"{spec.label} {written} is not an integer", "use -1..65535")
        elif spec.kind == "port":
            digits = value.strip() if isinstance(value, str) else ""
            hint = ""
            if re.fullmatch(r"[+-]?\d+", digits):
                hint = f"write {spec.name} = {digits} without quotes"
            add("CL015", key, f"{spec.label} must be an integer, not {written}", hint)
        elif spec.kind == "bool":
            add(
                "CL015",
                key,
                f"{spec.label} must be true or false, not {written}",
                f"write {spec.name} = {_guess_bool(value)} (unquoted)",
            )
        else:
            add(
                "CL015",
                key,
                f"{spec.label} must be a string, not {written}",
                f'quote it: {spec.name} = "{clip(str(value))}"',
            )
    return broken


def _check_unknown_keys(cfg: ClaceConfig, add: _Add) -> None:
    for section, _ in _LISTENERS:
        known = KNOWN_KEYS[section]
        for key in cfg.keys_of(section):
            if key in known:
                continue
            close = difflib.get_close_matches(key.lower(), sorted(known), n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else "Clace ignores unknown keys"
            add(
                "CL014",
                f"{section}.{join_key([key])}",
                f"unknown key {quoted(key)} in [{section}]: the server ignores it silently",
                hint,
            )


def _check_sections(cfg: ClaceConfig, add: _Add) -> None:
    """CL019 misspelled [http]/[https] tables, CL020 their keys written elsewhere."""
    for top in cfg.keys_of(""):
        if top in ("http", "https"):
            continue
        key = join_key([top])
        is_table = cfg.is_table(key)
        known_top = top in KNOWN_KEYS[""] or is_known_section((top,))
        if not known_top and is_table:
            close = _close_listener_section(top)
            if close:
                add(
                    "CL019",
                    key,
                    f"[{top}] is not a Clace section: its keys are ignored and "
                    f"[{close[0]}] keeps its defaults",
                    f"did you mean [{close[0]}]?",
                )
        elif not known_top and top in _FIELD_NAMES:
            _misplaced(add, (), top)
        elif is_table and top in _SECTIONS_WITH_KEYS:
            for name in cfg.keys_of(key):
                if name in _FIELD_NAMES and not is_known_key((top,), name):
                    _misplaced(add, (top,), name)


# A table name within 0.75 of "http" or "https" (difflib's ratio) is 3 to 8 characters
# long and shares at least 3 of their letters: others are not compared at all (a file may
# hold a hundred thousand tables).
_LISTENER_SECTIONS = ("http", "https")


def _close_listener_section(top: str) -> list[str]:
    """[``close``] when ``top`` reads as a misspelled [http]/[https], the closer one."""
    lowered = top.lower()
    if not 3 <= len(lowered) <= 8 or sum(c in "htps" for c in lowered) < 3:
        return []
    best: tuple[float, str] | None = None
    for name in _LISTENER_SECTIONS:
        # As difflib.get_close_matches compares (the ratio is not symmetric): the candidate
        # first, the word second; ties go to the larger name.
        matcher = difflib.SequenceMatcher(None, name, lowered)
        if matcher.real_quick_ratio() >= 0.75 and matcher.quick_ratio() >= 0.75:
            score = matcher.ratio()
            if score >= 0.75 and (best is None or (score, name) > best):
                best = (score, name)
    return [best[1]] if best else []


def _misplaced(add: _Add, section: tuple[str, ...], key: str) -> None:
    owners = [s for s, _ in _LISTENERS if f"{s}.{key}" in CLACE_FIELDS]
    where = f"[{join_key(section)}]" if section else "the top level"
    add(
        "CL020",
        join_key([*section, key]),
        f"{key!r} at {where} is not read by the server: it is a "
        + " / ".join(f"[{o}]" for o in owners)
        + " setting",
        f"move it under [{owners[0]}]",
    )


def _is_example_address(email: str) -> bool:
    local, _, domain = email.strip().lower().rpartition("@")
    return local == "my_email" or domain in _EXAMPLE_DOMAINS or domain.endswith(
        tuple("." + d for d in _EXAMPLE_DOMAINS)
    )


def _guess_bool(value: object) -> str:
    if isinstance(value, str) and value.strip().lower() in ("yes", "on", "1", "true", "y"):
        return "true"
    if isinstance(value, str) and value.strip().lower() in ("no", "off", "0", "false", "n"):
        return "false"
    return "true or false"


def _toml(value: object) -> str:
    if isinstance(value, str):
        return f'"{clip(value)}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return str(value)
