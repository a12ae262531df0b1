"""The text report of a cert_location: its pairs, what the server serves, the findings.

Shared by `leap-tui certs` and the apply preflight (the same report for a host's files).
"""

from __future__ import annotations

from datetime import datetime

from tui.core.certs.lookup import resolve
from tui.core.certs.model import CertDir, CertPair
from tui.core.certs.settings import CertSettings
from tui.core.findings import Finding, count_by_severity


def report(
    cert_dir: CertDir,
    settings: CertSettings,
    findings: list[Finding],
    domains: list[str],
    *,
    now: datetime,
) -> str:
    """The text the command prints: pairs, what is served for each name, findings."""
    lines = [f"Certificates in {cert_dir.location}"]
    if settings.cert_location and settings.cert_location != cert_dir.location:
        lines[0] += f" (cert_location = {settings.cert_location})"
    lookup = "on" if settings.enable_cert_lookup else "off"
    mode = (
        f"certmagic (service_email = {settings.service_email})"
        if settings.uses_certmagic
        else "files"
    )
    lines.append(f"lookup: enable_cert_lookup {lookup}, served from {mode}")
    lines.append("")
    if not cert_dir.pairs:
        lines.append("  no .crt or .key files")
    for pair in cert_dir.pairs:
        lines.extend(describe_pair(pair, now))
    lines.append("")
    lines.append("What the server serves:")
    for domain in [*domains, ""]:
        answer = resolve(
            cert_dir, domain,
            enable_cert_lookup=settings.enable_cert_lookup, service_email=settings.service_email,
        )
        lines.append(f"  {answer.format_text()}")
        if answer.covers_name is False:
            lines.append(f"    the certificate does not name {answer.domain}: clients warn")
    lines.append("")
    lines.extend(f.format_text() for f in findings)
    counts = count_by_severity(findings)
    lines.append(", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items()))
    return "\n".join(lines)


def describe_pair(pair: CertPair, now: datetime) -> list[str]:
    crt = "crt" if pair.crt is not None else "no crt"
    key = "key" if pair.key is not None else "no key"
    lines = [f"{pair.name}  ({crt}, {key})"]
    if pair.crt is not None and pair.crt.error is not None:
        lines.append(f"  certificate: {pair.crt.error}")
    cert = pair.cert
    if cert is not None:
        issuer = "self-signed" if cert.self_signed else f"issuer {cert.issuer}"
        lines.append(f"  subject {cert.subject or '(empty)'}; {issuer}")
        lines.append(f"  SANs    {', '.join(cert.sans) or '(none)'}")
        days = cert.days_left(now)
        left = f"{days} days left" if days >= 0 else expired_words(cert.days_since_expiry(now))
        lines.append(
            f"  valid   {cert.not_before:%Y-%m-%d} .. {cert.not_after:%Y-%m-%d} ({left}); "
            f"{cert.key_type} {cert.key_bits} bits"
        )
    if pair.key is not None:
        if pair.key.error is not None:
            lines.append(f"  key: {pair.key.error}")
        elif pair.key.info is not None:
            match = {True: "matches", False: "DOES NOT MATCH", None: "not compared"}[
                pair.key_matches
            ]
            mode = f", mode {pair.key.mode:04o}" if pair.key.mode is not None else ""
            lines.append(f"  key     {pair.key.info.key_type} {pair.key.info.key_bits} bits, "
                         f"{match}{mode}")
    return lines


def expired_words(days_ago: int) -> str:
    if days_ago <= 0:
        return "expired today"
    return f"expired {days_ago} day{'s' if days_ago != 1 else ''} ago"
