"""Host certificates checked against known_hosts' ``@cert-authority`` lines, as ssh(1) does.

paramiko negotiates a host certificate but does not check it; the checks are here (the
format is OpenSSH's PROTOCOL.certkeys): a host certificate, signed by a key that an
``@cert-authority`` line trusts for this host (and that no ``@revoked`` line names), valid
now, naming the host among its principals (or naming none), with no critical option. The
signature itself is verified with paramiko.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import paramiko

from tui.core.remote.known_hosts import HostKeyLookup, public_key

_CERT_SUFFIX = "-cert-v01@openssh.com"
_HOST_CERT = 2
# How many key fields each key type puts between the nonce and the serial.
_KEY_FIELDS = {"ssh-ed25519": 1, "ssh-rsa": 2, "ssh-dss": 4, "ecdsa-sha2-nistp256": 2,
               "ecdsa-sha2-nistp384": 2, "ecdsa-sha2-nistp521": 2}


@dataclass(frozen=True, slots=True)
class HostCertificate:
    key_type: str
    serial: int
    cert_type: int
    key_id: str
    principals: tuple[str, ...]
    valid_after: int
    valid_before: int
    critical_options: bytes
    signature_key: bytes
    signed: bytes
    signature: bytes


def parse(blob: bytes) -> HostCertificate | None:
    """The certificate in ``blob``; None when it is not one leap-tui can read."""
    try:
        message = paramiko.Message(blob)
        key_type = message.get_text()
        fields = _KEY_FIELDS.get(key_type.removesuffix(_CERT_SUFFIX))
        if not key_type.endswith(_CERT_SUFFIX) or fields is None:
            return None
        message.get_string()  # nonce
        for _ in range(fields):
            message.get_string()  # the key's own numbers (mpints are strings on the wire)
        serial = message.get_int64()
        cert_type = message.get_int()
        key_id = message.get_text()
        principals_blob = message.get_string()
        valid_after = message.get_int64()
        valid_before = message.get_int64()
        critical = message.get_string()
        message.get_string()  # extensions
        message.get_string()  # reserved
        signature_key = message.get_string()
        signed = message.get_so_far()
        signature = message.get_string()
    except (paramiko.SSHException, IndexError, ValueError, TypeError, UnicodeDecodeError):
        return None
    principals = []
    names = paramiko.Message(principals_blob)
    while names.get_remainder():
        principals.append(names.get_text())
    return HostCertificate(key_type, serial, cert_type, key_id, tuple(principals), valid_after,
                           valid_before, critical, signature_key, signed, signature)


def check(key: paramiko.PKey, found: HostKeyLookup, principal: str,
          now: float | None = None) -> tuple[bool, str]:
    """Whether the certificate ``key`` carries is good for this host: (ok, why or where)."""
    blob = getattr(key, "public_blob", None)
    if blob is None:
        return False, "no certificate"
    cert = parse(blob.key_blob)
    if cert is None:
        return False, "a certificate leap-tui cannot read"
    if cert.cert_type != _HOST_CERT:
        return False, "not a host certificate"
    ca_key = _signature_key(cert.signature_key)
    if ca_key is None:
        return False, "a certificate signed by a key type paramiko cannot read"
    revoked = next((line for line in found.revoked if line.key == ca_key), None)
    if revoked is not None:
        return False, f"its certificate authority is @revoked at {revoked.where}"
    authority = next((line for line in found.authorities if line.key == ca_key), None)
    if authority is None:
        return False, "signed by a certificate authority known_hosts does not trust for it"
    moment = int(time.time() if now is None else now)
    if not cert.valid_after <= moment < cert.valid_before:
        return False, "its certificate is not valid now (expired or not yet valid)"
    if cert.principals and principal not in cert.principals:
        return False, (f"its certificate names {', '.join(cert.principals)}, not {principal}")
    if cert.critical_options:
        return False, "its certificate has critical options (none is defined for hosts)"
    if not ca_key.verify_ssh_sig(cert.signed, paramiko.Message(cert.signature)):
        return False, "its certificate's signature does not verify"
    return True, authority.where


def _signature_key(blob: bytes) -> paramiko.PKey | None:
    try:
        key_type = paramiko.Message(blob).get_text()
    except (paramiko.SSHException, IndexError, UnicodeDecodeError):
        return None
    import base64

    return public_key(key_type, base64.b64encode(blob).decode())
