"""Certificates made with cryptography for the certificate tests (no test of its own here).

Keys are generated once per process: RSA generation is the slow part of these tests.
"""

from __future__ import annotations

import functools
import ipaddress
import os
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.x509.oid import NameOID

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

PrivateKey = CertificateIssuerPrivateKeyTypes


@functools.cache
def ec_key(curve: str = "P-256", index: int = 0) -> ec.EllipticCurvePrivateKey:
    curves: dict[str, ec.EllipticCurve] = {"P-256": ec.SECP256R1(), "P-384": ec.SECP384R1()}
    return ec.generate_private_key(curves[curve])


@functools.cache
def rsa_key(bits: int = 2048, index: int = 0) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def make_cert(
    key: PrivateKey,
    *,
    names: Sequence[str] = ("example.com",),
    common_name: str | None = "",
    not_before: datetime | None = None,
    not_after: datetime | None = None,
    days: int = 90,
    issuer_key: PrivateKey | None = None,
    organization: str | None = None,
) -> x509.Certificate:
    """A leaf for ``names`` (DNS or IP) valid ``days`` from NOW; self-signed unless issuer_key.

    ``common_name=""`` uses the first name; None leaves the CN out (like Clace's own).
    """
    start = not_before or NOW - timedelta(days=1)
    end = not_after or start + timedelta(days=days)
    attributes = []
    if organization:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    cn = (names[0] if names else None) if common_name == "" else common_name
    if cn:
        attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    subject = x509.Name(attributes)
    issuer = subject if issuer_key is None else x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, "Test CA")]
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
    )
    if names:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([_general_name(n) for n in names]), critical=False
        )
    return builder.sign(issuer_key or key, hashes.SHA256())


def _general_name(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def cert_pem(*certs: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def key_pem(key: PrivateKey, *, traditional: bool = False, password: bytes | None = None) -> bytes:
    fmt = (
        serialization.PrivateFormat.TraditionalOpenSSL
        if traditional
        else serialization.PrivateFormat.PKCS8
    )
    encryption: serialization.KeySerializationEncryption = serialization.NoEncryption()
    if password:
        encryption = serialization.BestAvailableEncryption(password)
    return key.private_bytes(serialization.Encoding.PEM, fmt, encryption)


def write_pair(
    directory: Path,
    name: str,
    key: PrivateKey,
    cert: x509.Certificate | None = None,
    *,
    key_mode: int = 0o600,
    with_crt: bool = True,
    with_key: bool = True,
) -> tuple[Path, Path]:
    """Write NAME.crt / NAME.key (a cert for NAME signed by key unless given)."""
    directory.mkdir(parents=True, exist_ok=True)
    crt_path = directory / f"{name}.crt"
    key_path = directory / f"{name}.key"
    if with_crt:
        crt_path.write_bytes(cert_pem(cert or make_cert(key, names=(name,))))
    if with_key:
        key_path.write_bytes(key_pem(key))
        os.chmod(key_path, key_mode)
    return crt_path, key_path
