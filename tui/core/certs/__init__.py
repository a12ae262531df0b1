"""Certificates in Clace's cert_location: inspect, resolve the lookup, check (CExxx), create.

Importing this package does not import cryptography: parsing and creation import it when
first called, so `leap-tui check` and the TUI's start-up stay fast.

A UI drives it as::

    cert_dir = inspect_dir(settings.cert_dir)      # or inspect_reader(SFTPDirReader(...))
    findings = check_cert_dir(cert_dir, now=..., enable_cert_lookup=..., service_email=...)
    answer = resolve(cert_dir, "example.com", enable_cert_lookup=..., service_email=...)
    create_self_signed(settings.cert_dir, "example.com", wildcard=True)
"""

from __future__ import annotations

from tui.core.certs.checks import CERT_RULES, EXPIRY_WARNING_DAYS, check_cert_dir
from tui.core.certs.create import (
    DEFAULT_VALIDITY_DAYS,
    CreatedPair,
    PairExistsError,
    certificate_names,
    create_self_signed,
)
from tui.core.certs.domains import DEFAULT_NAME
from tui.core.certs.inspect import (
    PemError,
    inspect_dir,
    inspect_reader,
    parse_certificate,
    parse_private_key,
)
from tui.core.certs.lookup import CertSource, Resolution, resolve
from tui.core.certs.model import CertDir, CertFile, CertInfo, CertPair, KeyFile, KeyInfo
from tui.core.certs.readers import CertDirReader, DirEntry, LocalDirReader, SFTPDirReader
from tui.core.certs.settings import CertSettings, settings_from_clace

__all__ = [
    "CERT_RULES",
    "DEFAULT_NAME",
    "DEFAULT_VALIDITY_DAYS",
    "EXPIRY_WARNING_DAYS",
    "CertDir",
    "CertDirReader",
    "CertFile",
    "CertInfo",
    "CertPair",
    "CertSettings",
    "CertSource",
    "CreatedPair",
    "DirEntry",
    "KeyFile",
    "KeyInfo",
    "LocalDirReader",
    "PairExistsError",
    "PemError",
    "Resolution",
    "SFTPDirReader",
    "certificate_names",
    "check_cert_dir",
    "create_self_signed",
    "inspect_dir",
    "inspect_reader",
    "parse_certificate",
    "parse_private_key",
    "resolve",
    "settings_from_clace",
]
