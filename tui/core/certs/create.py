"""A self-signed pair better than the one the server generates for itself.

The server's own (SOURCES.txt): ECDSA P-384, serial 1, no CN and no SANs, 365 days,
key written 0666 before umask. This one names the domain in CN and SANs (``*.domain`` on
request), has a random serial, server-auth usage and a key written 0600 atomically.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tui.core.atomic import atomic_write
from tui.core.certs.domains import DEFAULT_NAME, is_ip_literal, validate_hostname
from tui.core.certs.model import CRT_SUFFIX, KEY_SUFFIX, CertInfo, as_utc
from tui.core.clace_env import unresolved
from tui.core.errors import ConfigError

DEFAULT_VALIDITY_DAYS = 365
# Names for a default certificate when none are given: at least not an empty SAN list.
DEFAULT_SANS = ("localhost", "127.0.0.1", "::1")
# Tolerate a client clock a little behind the one that made the certificate.
_BACKDATE = timedelta(minutes=5)


class PairExistsError(ConfigError):
    """The pair (or one of its files) is there and replacing it was not asked for."""


@dataclass(frozen=True, slots=True)
class CreatedPair:
    crt_path: Path
    key_path: Path
    info: CertInfo


def _san_name(raw: str, where: str) -> str:
    name = raw.strip()
    if is_ip_literal(name):
        return str(ipaddress.ip_address(name.strip("[]")))
    wildcard = name.startswith("*.")
    try:
        host = validate_hostname(name[2:] if wildcard else name)
    except ValueError as error:
        raise ConfigError(where, str(error)) from None
    return f"*.{host}" if wildcard else host


def certificate_names(
    name: str, *, wildcard: bool = False, extra_names: Sequence[str] = ()
) -> tuple[str, list[str]]:
    """(file name stem, SAN names) for ``certs new NAME``; raises ConfigError on a bad name.

    ``default`` takes its names from ``extra_names`` (localhost and loopback without
    them); a domain always comes first in its own SANs. ``wildcard`` adds ``*.NAME`` for
    each DNS name.
    """
    where = "certs new"
    stem = name.strip().lower()
    if stem != DEFAULT_NAME:
        if is_ip_literal(stem):
            raise ConfigError(
                where,
                f"{name}: clients connecting by IP address send no server name and get the "
                "default pair; create `default` with the address as a SAN instead",
            )
        try:
            stem = validate_hostname(name)
        except ValueError as error:
            raise ConfigError(where, str(error)) from None
    extras = [_san_name(extra, where) for extra in extra_names]
    if stem == DEFAULT_NAME:
        if wildcard and not any(not is_ip_literal(n) for n in extras):
            raise ConfigError(where, "a wildcard default certificate needs a domain name as SAN")
        names = extras or list(DEFAULT_SANS)
    else:
        names = [stem, *extras]
    if wildcard:
        names += [f"*.{n}" for n in names if not is_ip_literal(n) and not n.startswith("*.")]
    unique = list(dict.fromkeys(names))
    return stem, unique


def build_self_signed(
    names: Sequence[str], *, days: int = DEFAULT_VALIDITY_DAYS, now: datetime | None = None
) -> tuple[bytes, bytes]:
    """(certificate PEM, PKCS#8 key PEM) for ``names`` (DNS names and IP addresses)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    start = as_utc(now) if now is not None else datetime.now(UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    common_name = next((n for n in names if not is_ip_literal(n)), names[0] if names else "")
    subject = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, common_name)] if common_name else []
    )
    alt_names: list[x509.GeneralName] = [
        x509.IPAddress(ipaddress.ip_address(n)) if is_ip_literal(n) else x509.DNSName(n)
        for n in names
    ]
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start - _BACKDATE)
        .not_valid_after(start + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                crl_sign=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
        )
    )
    if alt_names:
        # Critical when the subject is empty (RFC 5280 4.2.1.6).
        builder = builder.add_extension(
            x509.SubjectAlternativeName(alt_names), critical=not common_name
        )
    cert = builder.sign(key, hashes.SHA256())
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert_pem, key_pem


def create_self_signed(
    cert_dir: Path,
    name: str,
    *,
    wildcard: bool = False,
    extra_names: Sequence[str] = (),
    force: bool = False,
    days: int = DEFAULT_VALIDITY_DAYS,
    now: datetime | None = None,
) -> CreatedPair:
    """Write ``NAME.crt`` (0644) and ``NAME.key`` (0600) into ``cert_dir``, atomically.

    Raises PairExistsError if either file exists and ``force`` is false, ConfigError for a
    bad name or days, OSError if the directory cannot be written.
    """
    from tui.core.certs.inspect import parse_certificate

    if days < 1:
        raise ConfigError("certs new", f"validity of {days} days: give at least 1")
    stem, names = certificate_names(name, wildcard=wildcard, extra_names=extra_names)
    cert_dir = Path(cert_dir)
    unset = unresolved(cert_dir)
    if unset:
        # Creating it would make a directory literally named "$CL_HOME" (or so) here.
        names_unset = ", ".join(f"${n}" for n in sorted(unset))
        raise ConfigError(str(cert_dir), f"{names_unset} is not set here: not creating a "
                          "directory named after it (set it, or give the directory)")
    crt_path = cert_dir / f"{stem}{CRT_SUFFIX}"
    key_path = cert_dir / f"{stem}{KEY_SUFFIX}"
    existing = [p for p in (crt_path, key_path) if p.exists() or p.is_symlink()]
    if existing and not force:
        listed = " and ".join(p.name for p in existing)
        raise PairExistsError(
            str(existing[0]), f"{listed} already exist{'s' if len(existing) == 1 else ''}: "
            "not replacing without force",
        )
    cert_pem, key_pem = build_self_signed(names, days=days, now=now)
    cert_dir.mkdir(parents=True, exist_ok=True)
    # The key first: a crash in between leaves a lone key the checks report (CE006/CE008),
    # never a certificate whose key is gone.
    atomic_write(key_path, key_pem, mode=0o600)
    atomic_write(crt_path, cert_pem, mode=0o644)
    return CreatedPair(crt_path, key_path, parse_certificate(cert_pem))
