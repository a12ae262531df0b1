"""The three Clace settings the certificate lookup depends on, taken from a Clace file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

# The server's own default when https.cert_location is absent (clace.default.toml).
DEFAULT_CERT_LOCATION = "$CL_HOME/config/certificates"


class _HttpsSettings(Protocol):
    @property
    def cert_location(self) -> str: ...

    @property
    def enable_cert_lookup(self) -> bool: ...

    @property
    def service_email(self) -> str: ...


class _ClaceLike(Protocol):
    """The part of tui.core.clace_config.ClaceConfig used here."""

    @property
    def https(self) -> _HttpsSettings: ...

    def server_path(self, value: str) -> Path: ...


@dataclass(frozen=True, slots=True)
class CertSettings:
    """Where the certificates are and how the server picks among them.

    ``cert_location`` is the raw setting (for messages), ``cert_dir`` its expansion.
    """

    cert_dir: Path
    enable_cert_lookup: bool = True
    service_email: str = ""
    cert_location: str = ""

    @property
    def uses_certmagic(self) -> bool:
        return bool(self.service_email.strip())


def settings_from_clace(cfg: _ClaceLike) -> CertSettings:
    """The https settings of a loaded Clace config; cert_location as the server resolves it
    ($CL_HOME defaulting to the file's directory, relative paths from there)."""
    https = cfg.https
    raw = https.cert_location or DEFAULT_CERT_LOCATION
    return CertSettings(
        cert_dir=cfg.server_path(raw),
        enable_cert_lookup=bool(https.enable_cert_lookup),
        service_email=https.service_email or "",
        cert_location=raw,
    )
