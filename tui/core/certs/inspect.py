"""Reading certificates and keys the way the server's Go TLS stack loads them.

Like Go's ``tls.X509KeyPair``: the certificate file's CERTIFICATE blocks form the chain and
the first is the leaf; the key file's first block labelled ``PRIVATE KEY`` or ``... PRIVATE
KEY`` is the key, other blocks (``EC PARAMETERS``) are skipped; the key must belong to the
leaf. cryptography is imported inside the functions: importing this module stays cheap.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core.certs.domains import DEFAULT_NAME
from tui.core.certs.model import (
    CRT_SUFFIX,
    KEY_SUFFIX,
    CertDir,
    CertFile,
    CertInfo,
    CertPair,
    KeyFile,
    KeyInfo,
)
from tui.core.certs.readers import MAX_FILE_BYTES, CertDirReader, DirEntry, LocalDirReader
from tui.core.errors import ConfigError

if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric.types import (
        CertificatePublicKeyTypes,
        PrivateKeyTypes,
    )

_BEGIN = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----")
_CURVE_NAMES = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}
_MAX_REASON = 160


class PemError(ValueError):
    """A file that is not the PEM the server expects; ``str()`` is the one-line reason."""


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= _MAX_REASON else line[: _MAX_REASON - 1] + "…"


def pem_blocks(data: bytes) -> list[tuple[str, bytes]]:
    """The (label, whole block) pairs of a PEM file, in order.

    Raises PemError for an empty, binary, block-less or truncated file.
    """
    if not data.strip():
        raise PemError("empty file")
    if len(data) > MAX_FILE_BYTES:
        raise PemError("larger than 1 MiB: not a certificate or key")
    blocks: list[tuple[str, bytes]] = []
    position = 0
    while True:
        begin = _BEGIN.search(data, position)
        if begin is None:
            break
        label = begin.group(1).decode("ascii")
        end_marker = b"-----END " + begin.group(1) + b"-----"
        end = data.find(end_marker, begin.end())
        if end < 0:
            raise PemError(f"truncated PEM: BEGIN {label} without END {label}")
        stop = end + len(end_marker)
        blocks.append((label, data[begin.start() : stop] + b"\n"))
        position = stop
    if not blocks:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise PemError("not PEM: binary data (DER?); the server reads PEM only") from None
        raise PemError("not PEM: no -----BEGIN ...----- block")
    return blocks


def _labels(blocks: Iterable[tuple[str, bytes]]) -> str:
    return ", ".join(sorted({label for label, _ in blocks}))


def describe_public_key(key: CertificatePublicKeyTypes | PrivateKeyTypes) -> tuple[str, int]:
    """("RSA", 2048), ("EC P-384", 384), ("Ed25519", 256)."""
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

    if isinstance(key, rsa.RSAPublicKey | rsa.RSAPrivateKey):
        return "RSA", key.key_size
    if isinstance(key, ec.EllipticCurvePublicKey | ec.EllipticCurvePrivateKey):
        return f"EC {_CURVE_NAMES.get(key.curve.name, key.curve.name)}", key.curve.key_size
    if isinstance(key, ed25519.Ed25519PublicKey | ed25519.Ed25519PrivateKey):
        return "Ed25519", 256
    if isinstance(key, ed448.Ed448PublicKey | ed448.Ed448PrivateKey):
        return "Ed448", 456
    if isinstance(key, dsa.DSAPublicKey | dsa.DSAPrivateKey):
        return "DSA", key.key_size
    return type(key).__name__, 0


def _spki(key: CertificatePublicKeyTypes | PrivateKeyTypes) -> bytes:
    from cryptography.hazmat.primitives import serialization

    public = key.public_key() if hasattr(key, "public_key") else key
    der: bytes = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return der


def _is_self_signed(cert: x509.Certificate) -> bool:
    from cryptography.exceptions import InvalidSignature

    if cert.issuer != cert.subject:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _cert_info(cert: x509.Certificate, chain_length: int) -> CertInfo:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    common_names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    common_name = str(common_names[0].value) if common_names else None
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        dns_names: tuple[str, ...] = ()
        ip_addresses: tuple[str, ...] = ()
    else:
        dns_names = tuple(san.get_values_for_type(x509.DNSName))
        ip_addresses = tuple(str(ip) for ip in san.get_values_for_type(x509.IPAddress))
    key_type, key_bits = describe_public_key(cert.public_key())
    return CertInfo(
        subject=cert.subject.rfc4514_string(),
        common_name=common_name,
        dns_names=dns_names,
        ip_addresses=ip_addresses,
        issuer=cert.issuer.rfc4514_string(),
        self_signed=_is_self_signed(cert),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        serial=cert.serial_number,
        key_type=key_type,
        key_bits=key_bits,
        fingerprint_sha256=cert.fingerprint(hashes.SHA256()).hex(":").upper(),
        chain_length=chain_length,
    )


def _load_certificate(data: bytes) -> tuple[CertInfo, bytes]:
    from cryptography import x509

    blocks = pem_blocks(data)
    certificates = [block for label, block in blocks if label == "CERTIFICATE"]
    if not certificates:
        raise PemError(f"no CERTIFICATE block (found {_labels(blocks)})")
    try:
        cert = x509.load_pem_x509_certificate(certificates[0])
        return _cert_info(cert, len(certificates)), _spki(cert.public_key())
    # Not only ValueError: a duplicate or undecodable extension raises its own exception
    # types on access, and an odd certificate must never surface as a traceback.
    except Exception as error:
        raise PemError(f"malformed certificate: {_one_line(str(error))}") from None


def _load_private_key(data: bytes) -> tuple[KeyInfo, bytes]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    blocks = pem_blocks(data)
    keys = [
        (label, block)
        for label, block in blocks
        if label == "PRIVATE KEY" or label.endswith(" PRIVATE KEY")
    ]
    if not keys:
        raise PemError(f"no PRIVATE KEY block (found {_labels(blocks)})")
    label, block = keys[0]
    if label == "ENCRYPTED PRIVATE KEY" or b"Proc-Type: 4,ENCRYPTED" in block:
        raise PemError("encrypted private key: the server cannot use a passphrase")
    try:
        key = serialization.load_pem_private_key(block, password=None)
    except (ValueError, TypeError) as error:
        raise PemError(f"malformed private key: {_one_line(str(error))}") from None
    except Exception as error:  # cryptography raises UnsupportedAlgorithm, not a ValueError
        raise PemError(f"unsupported private key: {_one_line(str(error))}") from None
    # Go's crypto/tls loads only these three kinds of key.
    if not isinstance(
        key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
    ):
        kind, _ = describe_public_key(key)
        raise PemError(f"{kind} keys are not supported by the server's TLS stack")
    key_type, key_bits = describe_public_key(key)
    return KeyInfo(key_type, key_bits), _spki(key)


def parse_certificate(data: bytes) -> CertInfo:
    """The leaf certificate of PEM ``data``; raises PemError with a one-line reason."""
    return _load_certificate(data)[0]


def parse_private_key(data: bytes) -> KeyInfo:
    """The private key of PEM ``data``; raises PemError with a one-line reason."""
    return _load_private_key(data)[0]


def key_matches_certificate(crt_data: bytes, key_data: bytes) -> bool:
    """Whether the key belongs to the leaf certificate; raises PemError if either is unusable."""
    return _load_certificate(crt_data)[1] == _load_private_key(key_data)[1]


def _read_error(error: OSError) -> str:
    if error.errno == errno.EACCES or isinstance(error, PermissionError):
        return "cannot read: permission denied"
    if isinstance(error, FileNotFoundError):
        return "cannot read: no such file (dangling link?)"
    return f"cannot read: {_one_line(error.strerror or str(error))}"


def _pair_name(file_name: str) -> tuple[str, str] | None:
    for suffix in (CRT_SUFFIX, KEY_SUFFIX):
        if file_name.endswith(suffix) and len(file_name) > len(suffix):
            return file_name[: -len(suffix)], suffix
    return None


def inspect_reader(reader: CertDirReader) -> CertDir:
    """Pair every ``NAME.crt`` with ``NAME.key`` in the reader's directory and inspect them.

    Raises ConfigError when the directory itself cannot be listed; a file that cannot be
    read or parsed is recorded with its reason instead (the CE004 finding).
    """
    location = reader.location
    try:
        entries = reader.entries()
    except OSError as error:
        reason = (
            "directory does not exist"
            if isinstance(error, FileNotFoundError)
            else _read_error(error).replace("cannot read", "cannot list the directory")
        )
        raise ConfigError(location, f"certificate directory: {reason}") from None
    by_name: dict[str, dict[str, DirEntry]] = {}
    for entry in entries:
        split = _pair_name(entry.name)
        if split is not None:
            by_name.setdefault(split[0], {})[split[1]] = entry
    cert_dir = CertDir(location)
    pairs = [
        _inspect_pair(reader, cert_dir, name, files) for name, files in by_name.items()
    ]
    pairs.sort(key=lambda pair: (pair.name != DEFAULT_NAME, pair.name))
    return CertDir(location, tuple(pairs))


def _inspect_pair(
    reader: CertDirReader, cert_dir: CertDir, name: str, files: dict[str, DirEntry]
) -> CertPair:
    crt: CertFile | None = None
    key: KeyFile | None = None
    crt_spki = key_spki = None
    if (entry := files.get(CRT_SUFFIX)) is not None:
        path = cert_dir.path_of(entry.name)
        try:
            info, crt_spki = _load_certificate(reader.read(entry.name))
            crt = CertFile(path, entry.mode, info=info)
        except OSError as error:
            crt = CertFile(path, entry.mode, error=_read_error(error))
        except PemError as error:
            crt = CertFile(path, entry.mode, error=str(error))
    if (entry := files.get(KEY_SUFFIX)) is not None:
        path = cert_dir.path_of(entry.name)
        try:
            key_info, key_spki = _load_private_key(reader.read(entry.name))
            key = KeyFile(path, entry.mode, info=key_info)
        except OSError as error:
            key = KeyFile(path, entry.mode, error=_read_error(error))
        except PemError as error:
            key = KeyFile(path, entry.mode, error=str(error))
    matches = crt_spki == key_spki if crt_spki is not None and key_spki is not None else None
    return CertPair(name, crt, key, matches)


def inspect_dir(directory: Path) -> CertDir:
    """Inspect a local cert_location (already expanded); raises ConfigError if unlistable."""
    return inspect_reader(LocalDirReader(Path(directory)))
