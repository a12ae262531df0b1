"""Which certificate the server serves for a name, and why: the lookup the Networking page
(the specification) describes, per TLS handshake:

1. ``enable_cert_lookup`` on and the client sent a server name (SNI): the pair in
   cert_location "matching the domain name" - ``<SNI>.crt``/``.key``, or by the page's
   example (``example.crt`` for ``example.com``) the name without its top-level label.
   A broken pair fails the handshake.
2. Otherwise, with ``service_email`` set: certmagic obtains a Let's Encrypt certificate
   ("If not found, certmagic is used to create the certificate").
3. Otherwise ``default.crt`` + ``default.key``; either missing: a self-signed pair is
   created in the certificates folder at the first request (from the server's source:
   ECDSA P-384, no SANs, 365 days, never renewed, written over the survivor).
Clients connecting by IP address send no server name and always land on 2 or 3.

Where the server's source differs, the findings say so as information, naming the version
(see ``SOURCE_NOTES``): the page is never reported as wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tui.core.certs.domains import DEFAULT_NAME, is_ip_literal, normalize_name, page_names
from tui.core.certs.model import CRT_SUFFIX, KEY_SUFFIX, CertDir, CertPair

SOURCE_NOTES = {
    "certmagic": "Clace v0.1.10 and later (claceio/clace b0c4254, 2023-10-12) use certmagic "
    "alone when service_email is set: there, the files in cert_location are not used",
    "full_name": "the Clace server's source, in every version, looks files up by the full "
    "server name only ({full}.crt)",
}
"""Where claceio/clace's later code differs from the page (read from its history: the
page's era, v0.1.0-v0.1.9, looked files up first and used certmagic for the rest)."""


class CertSource(StrEnum):
    CERTMAGIC = "certmagic"
    DOMAIN = "domain"
    DEFAULT = "default"
    GENERATED = "generated"


@dataclass(frozen=True, slots=True)
class Resolution:
    """The answer for one requested name.

    ``server_name`` is what the client sends as SNI (None by IP address or with no name).
    ``crt_path``/``key_path`` are the files served, or for GENERATED the files the server
    will (over)write; None for CERTMAGIC. ``handshake_fails`` when the chosen pair is
    broken. ``covers_name`` whether the served certificate names the server name (None
    when unknown: certmagic, no server name, or a pair that does not parse).
    """

    domain: str
    server_name: str | None
    source: CertSource
    crt_path: str | None
    key_path: str | None
    reason: str
    handshake_fails: bool = False
    covers_name: bool | None = None
    pair: CertPair | None = None

    def format_text(self) -> str:
        asked = self.domain or "(no server name)"
        served = self.crt_path or "certmagic"
        return f"{asked} -> {served} [{self.source}]: {self.reason}"


def _covers(pair: CertPair, host: str | None) -> bool | None:
    cert = pair.cert
    if host is None or cert is None:
        return None
    return cert.covers(host)


def domain_pair(cert_dir: CertDir, server_name: str) -> CertPair | None:
    """The first complete pair named for ``server_name`` (see :func:`page_names`)."""
    for name in page_names(server_name):
        pair = cert_dir.pair(name)
        if pair is not None and pair.crt is not None and pair.key is not None:
            return pair
    return None


def _why_not_domain_pair(
    cert_dir: CertDir, server_name: str | None, domain: str, enable_cert_lookup: bool
) -> str:
    if server_name is None:
        if domain and is_ip_literal(domain):
            return "a client connecting by IP address sends no server name"
        return "no server name"
    if not enable_cert_lookup:
        return "enable_cert_lookup is false"
    for name in page_names(server_name):
        pair = cert_dir.pair(name)
        if pair is not None:
            missing = CRT_SUFFIX if pair.crt is None else KEY_SUFFIX
            return f"{name}{missing} is missing"
    names = " or ".join(f"{n}{CRT_SUFFIX}/{KEY_SUFFIX}" for n in page_names(server_name))
    return f"no {names}"


def resolve(
    cert_dir: CertDir,
    domain: str,
    *,
    enable_cert_lookup: bool = True,
    service_email: str = "",
) -> Resolution:
    """What the server serves to a client asking for ``domain`` ("" or an IP: no SNI)."""
    normalized = normalize_name(domain)
    server_name = None if not normalized or is_ip_literal(normalized) else normalized
    # What the client verifies the certificate against: its server name or the address.
    host = normalized or None
    if server_name is not None and enable_cert_lookup:
        pair = domain_pair(cert_dir, server_name)
        if pair is not None and pair.crt is not None and pair.key is not None:
            problem = pair.problem
            reason = (
                f"{pair.name}{CRT_SUFFIX} and {pair.name}{KEY_SUFFIX} exist"
                if problem is None
                else f"the pair exists but is broken ({problem}): the handshake fails, "
                "no fallback"
            )
            if pair.name != server_name:
                reason += (f" (the page's naming; "
                           f"{SOURCE_NOTES['full_name'].format(full=server_name)})")
            if service_email.strip():
                reason += f"; {SOURCE_NOTES['certmagic']}"
            return Resolution(
                domain, server_name, CertSource.DOMAIN, pair.crt.path, pair.key.path,
                reason, problem is not None, _covers(pair, host), pair,
            )
    if service_email.strip():
        why = _why_not_domain_pair(cert_dir, server_name, normalized, enable_cert_lookup)
        return Resolution(
            domain, server_name, CertSource.CERTMAGIC, None, None,
            f"{why}: service_email is set, certmagic obtains a Let's Encrypt certificate",
        )
    why = _why_not_domain_pair(cert_dir, server_name, normalized, enable_cert_lookup)
    default = cert_dir.default
    crt_path = cert_dir.path_of(DEFAULT_NAME + CRT_SUFFIX)
    key_path = cert_dir.path_of(DEFAULT_NAME + KEY_SUFFIX)
    if default is not None and default.complete:
        problem = default.problem
        reason = (
            f"{why}: the default pair"
            if problem is None
            else f"{why}; the default pair is broken ({problem}): the handshake fails"
        )
        return Resolution(
            domain, server_name, CertSource.DEFAULT, crt_path, key_path,
            reason, problem is not None, _covers(default, host), default,
        )
    if default is None:
        generated = "no default.crt/.key: the server generates a self-signed pair at first request"
    else:
        crt_name, key_name = DEFAULT_NAME + CRT_SUFFIX, DEFAULT_NAME + KEY_SUFFIX
        survivor, missing = (key_name, crt_name) if default.crt is None else (crt_name, key_name)
        generated = (
            f"{missing} is missing: the server generates a self-signed pair at first request, "
            f"overwriting {survivor}"
        )
    return Resolution(
        domain, server_name, CertSource.GENERATED, crt_path, key_path,
        f"{why}; {generated} (no SANs, 365 days, never renewed)",
        False, False if host is not None else None, default,
    )
