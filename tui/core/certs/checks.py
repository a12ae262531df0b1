"""Certificate checks (CExxx): pure functions over an inspected cert_location.

``now`` is an argument so that expiry is testable; the lookup settings decide which files
the server uses at all (see lookup.py for the order the Networking page describes). Where
the server's later source differs from the page, an info finding says both.
"""

from __future__ import annotations

from datetime import datetime

from tui.core.certs.domains import (
    is_ip_literal,
    is_never_requested,
    is_short_name,
    page_domains_of,
)
from tui.core.certs.lookup import SOURCE_NOTES
from tui.core.certs.model import CRT_SUFFIX, KEY_SUFFIX, CertDir, CertPair, as_utc
from tui.core.findings import Finding, Severity, sort_findings

EXPIRY_WARNING_DAYS = 30

CERT_RULES: dict[str, str] = {
    "CE001": "error: the private key does not match its certificate (handshake fails)",
    "CE002": "error: certificate expired or not yet valid; warning: expires within 30 days",
    "CE003": "warning: the certificate covers neither the name its file is named for nor, by "
    "the page's example (example.crt for example.com), that name under a top-level domain",
    "CE004": "error: certificate or key file unreadable or not valid PEM",
    "CE005": "warning: private key readable by group or others",
    "CE006": "error: a NAME.crt without its NAME.key, or the reverse (the pair is ignored)",
    "CE007": "info: no default.crt/.key: the server creates a self-signed pair at first request",
    "CE008": "error: default.crt without default.key or the reverse: the survivor is overwritten",
    "CE009": "warning: the default certificate has no SAN, or is self-signed and expired",
    "CE010": "info: service_email is set: the page looks up cert_location first, certmagic "
    "serves the rest; Clace v0.1.10+ uses certmagic alone",
    "CE011": "info: a pair named by the page's short naming (example.crt for example.com), "
    "which the server's source does not look up; or named by an IP address no client sends",
    "CE012": "info: enable_cert_lookup is false: domain pairs are not used",
    "CE013": "info: a wildcard certificate in a domain file is served for that exact name only",
}


def _finding(
    code: str, severity: Severity, message: str, file: str, pair: str, hint: str
) -> Finding:
    return Finding(code, severity, message, file=file, path=pair, line=None, hint=hint)


def check_cert_dir(
    cert_dir: CertDir,
    *,
    now: datetime,
    enable_cert_lookup: bool = True,
    service_email: str = "",
    expiry_warning_days: int = EXPIRY_WARNING_DAYS,
) -> list[Finding]:
    """Every CExxx finding for the directory, sorted like the other checks."""
    now = as_utc(now)
    certmagic = bool(service_email.strip())
    findings: list[Finding] = []
    for pair in cert_dir.pairs:
        findings.extend(_file_health(pair, now, expiry_warning_days))
        findings.extend(_lone_file(pair, certmagic, enable_cert_lookup))
        if pair.is_default:
            if not certmagic:  # with certmagic on, it serves what no domain pair does
                findings.extend(_default_pair(pair, now))
        elif enable_cert_lookup:
            findings.extend(_domain_pair(pair))
    findings.extend(_directory(cert_dir, certmagic, enable_cert_lookup))
    return sort_findings(findings)


def _file_health(pair: CertPair, now: datetime, warning_days: int) -> list[Finding]:
    """What is wrong with the files themselves, whether or not the server uses them now."""
    out: list[Finding] = []
    name = pair.name
    for file in (pair.crt, pair.key):
        if file is not None and file.error is not None:
            out.append(_finding(
                "CE004", Severity.ERROR, f"cannot use {file.path.rsplit('/', 1)[-1]}: {file.error}",
                file.path, name, "replace it with a PEM file (certs new creates a pair)",
            ))
    if pair.key_matches is False and pair.crt is not None and pair.key is not None:
        out.append(_finding(
            "CE001", Severity.ERROR,
            f"{name}{KEY_SUFFIX} is not the key of {name}{CRT_SUFFIX}: the handshake fails",
            pair.key.path, name, "put back the key the certificate was issued for, or reissue",
        ))
    if pair.key is not None and pair.key.readable_by_others and pair.key.mode is not None:
        out.append(_finding(
            "CE005", Severity.WARNING,
            f"private key {name}{KEY_SUFFIX} is readable by group or others "
            f"(mode {pair.key.mode:04o})",
            pair.key.path, name, f"chmod 600 {pair.key.path}",
        ))
    cert = pair.cert
    if cert is not None and pair.crt is not None:
        days = cert.days_left(now)
        until = cert.not_after.date().isoformat()
        if cert.is_expired(now):
            out.append(_finding(
                "CE002", Severity.ERROR, f"{name}{CRT_SUFFIX} expired on {until}",
                pair.crt.path, name, "renew it or create a new pair",
            ))
        elif cert.is_not_yet_valid(now):
            out.append(_finding(
                "CE002", Severity.ERROR,
                f"{name}{CRT_SUFFIX} is not valid before {cert.not_before.isoformat()}",
                pair.crt.path, name, "check the clock of the host that issued it",
            ))
        elif days < warning_days:
            out.append(_finding(
                "CE002", Severity.WARNING,
                f"{name}{CRT_SUFFIX} expires in {days} day{'s' if days != 1 else ''} ({until})",
                pair.crt.path, name, "renew it before it expires",
            ))
    return out


def _default_pair(pair: CertPair, now: datetime) -> list[Finding]:
    out: list[Finding] = []
    present = pair.crt or pair.key
    if present is not None and not pair.complete:
        missing = "default.crt" if pair.crt is None else "default.key"
        survivor = present.path.rsplit("/", 1)[-1]
        out.append(_finding(
            "CE008", Severity.ERROR,
            f"{survivor} without {missing}: the server will overwrite {survivor} with a new "
            "self-signed pair at first request",
            present.path, pair.name, f"restore {missing} or remove {survivor}",
        ))
    cert = pair.cert
    if cert is not None and pair.crt is not None:
        if not cert.has_san:
            out.append(_finding(
                "CE009", Severity.WARNING,
                "default.crt has no subject alternative name: every client is warned about it",
                pair.crt.path, pair.name,
                "create one with SANs: leap-tui certs new default --san NAME --force",
            ))
        if cert.self_signed and cert.is_expired(now):
            out.append(_finding(
                "CE009", Severity.WARNING,
                "default.crt is self-signed and expired: the server never renews it and keeps "
                "serving it",
                pair.crt.path, pair.name, "replace it: leap-tui certs new default --force",
            ))
    return out


def _lone_file(pair: CertPair, certmagic: bool, enable_cert_lookup: bool) -> list[Finding]:
    """CE006 whatever the settings, as the issue states it: half a pair is a mistake in the
    directory (like a key that does not match, CE001), and changing a setting would not
    make it work. Only the consequence named depends on them. A lone default file in use
    is CE008's: the server overwrites it.
    """
    present = pair.crt or pair.key
    if present is None or pair.complete or (pair.is_default and not certmagic):
        return []
    name = pair.name
    missing = name + (KEY_SUFFIX if pair.key is None else CRT_SUFFIX)
    if pair.is_default:
        effect = "an incomplete pair (unused now: service_email is set, certmagic serves)"
    elif not enable_cert_lookup:
        effect = "an incomplete pair (unused now: enable_cert_lookup is false)"
    elif certmagic:
        effect = "the server ignores it; with service_email set, certmagic serves that name"
    else:
        effect = "the server ignores it and serves the default pair"
    return [_finding(
        "CE006", Severity.ERROR,
        f"{present.path.rsplit('/', 1)[-1]} without {missing}: {effect}",
        present.path, name, f"add {missing} or remove the lone file",
    )]


def _domain_pair(pair: CertPair) -> list[Finding]:
    out: list[Finding] = []
    name = pair.name
    present = pair.crt or pair.key
    cert = pair.cert
    by_page = page_domains_of(name, cert.dns_names) if cert is not None else ()
    if present is not None and is_never_requested(name):
        out.append(_finding(
            "CE011", Severity.INFO,
            "clients connecting by IP address send no server name: they get the default pair",
            present.path, name, "use default.crt for clients that connect by address",
        ))
    elif present is not None and (is_short_name(name) or (
            by_page and cert is not None and not cert.covers(name))):
        served = ", ".join(by_page) or f"{name}.<top-level domain>"
        full = by_page[0] if by_page else f"{name}.com"
        out.append(_finding(
            "CE011", Severity.INFO,
            f"{name}{CRT_SUFFIX}/{KEY_SUFFIX} serve {served}, as the Networking page describes "
            f"(example.crt for example.com); {SOURCE_NOTES['full_name'].format(full=full)}",
            present.path, name, f"to serve it on every version, also name it {full}.crt/.key",
        ))
    if cert is not None and pair.crt is not None and not is_ip_literal(name):
        if not cert.covers(name) and not by_page:
            names = ", ".join(cert.sans) or "no SAN"
            wanted = f"{name} or {name}.<top-level domain>" if "." not in name else name
            out.append(_finding(
                "CE003", Severity.WARNING,
                f"{name}{CRT_SUFFIX} covers neither {wanted} (it names {names})",
                pair.crt.path, name, f"reissue it with {name} as a subject alternative name",
            ))
        if cert.wildcard_names:
            wildcards = ", ".join(cert.wildcard_names)
            out.append(_finding(
                "CE013", Severity.INFO,
                f"{name}{CRT_SUFFIX} holds {wildcards} but is served only to clients asking for "
                f"{name}; other names get the default pair",
                pair.crt.path, name, "copy the pair to NAME.crt/.key per host, or make it default",
            ))
    return out


def _directory(cert_dir: CertDir, certmagic: bool, enable_cert_lookup: bool) -> list[Finding]:
    out: list[Finding] = []
    if certmagic:
        if cert_dir.pairs:
            out.append(_finding(
                "CE010", Severity.INFO,
                "service_email is set: as the Networking page describes, these files serve the "
                "names they are for and certmagic (Let's Encrypt) the others; "
                f"{SOURCE_NOTES['certmagic']}",
                cert_dir.location, "", "on v0.1.10+, clear https.service_email to serve these",
            ))
    elif cert_dir.default is None:
        out.append(_finding(
            "CE007", Severity.INFO,
            "no default.crt: the server creates a self-signed certificate at first request "
            "(no SANs, 365 days, key world-readable)",
            cert_dir.path_of("default.crt"), "default",
            "create a better one: leap-tui certs new default",
        ))
    if not enable_cert_lookup:
        unused = [pair.name for pair in cert_dir.pairs if not pair.is_default]
        if unused:
            fallback = "certmagic serves" if certmagic else "every request gets the default pair"
            out.append(_finding(
                "CE012", Severity.INFO,
                f"enable_cert_lookup is false: {fallback}; {', '.join(unused)} unused",
                cert_dir.location, "", "set https.enable_cert_lookup = true to serve them",
            ))
    return out
