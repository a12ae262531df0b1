"""The apply preflight's certificate check: the host's ``https.cert_location``, read over SFTP.

What the shipped Clace file will make the server serve, checked like ``leap-tui certs``
does locally. Purely informative: every problem here is a finding, never a failed apply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tui.core.certs import SFTPDirReader, check_cert_dir, inspect_reader
from tui.core.certs.report import report
from tui.core.certs.settings import DEFAULT_CERT_LOCATION, CertSettings
from tui.core.clace_config import ClaceConfig, variables_in
from tui.core.errors import ConfigError
from tui.core.findings import Finding, Severity
from tui.core.remote.ssh import Connection


def _needs_environment(value: str) -> bool:
    return "$" in value or value == "~" or value.startswith("~/")


def _only_cl_home_unset(expanded: str) -> bool:
    return variables_in(expanded) == {"CL_HOME"}


def _remote_environment(conn: Connection) -> dict[str, str]:
    """The login environment of the SSH user: the closest to what the Clace service sees."""
    result = conn.run("env")
    env: dict[str, str] = {}
    if not result.ok:
        return env
    for line in result.output.splitlines():
        name, sep, value = line.partition("=")
        if sep and name.isidentifier():
            env[name] = value
    return env


@dataclass(frozen=True, slots=True)
class HostCertificates:
    """What the preflight found: findings, and the report of the files (empty when the
    directory was not read)."""

    findings: list[Finding] = field(default_factory=list)
    report: str = ""


def _noted(code: str, severity: Severity, message: str, file: str,
           hint: str = "") -> HostCertificates:
    return HostCertificates([Finding(code, severity, message, file=file, hint=hint)])


def host_certificates(conn: Connection, host: str, clace_bytes: bytes, where: str, *,
                      env: dict[str, str] | None = None) -> HostCertificates:
    """Check the certificates of the host's ``https.cert_location`` as the new Clace file
    ``clace_bytes`` sets it; ``where`` names that file (HOST:PATH) in findings. ``env`` is
    the SSH user's login environment when the preflight already read it."""
    try:
        config = ClaceConfig.parse(clace_bytes.decode("utf-8"), Path(where))
        https = config.https
    except (ConfigError, UnicodeDecodeError, ValueError) as exc:
        return _noted("CE004", Severity.INFO,
                      f"certificates not checked: the new Clace file does not load ({exc})",
                      where)
    if https.service_email.strip():
        return _noted("CE010", Severity.INFO,
                      "service_email is set: certmagic serves Let's Encrypt certificates; "
                      "the cert_location files are not used (not checked)", where)
    raw = https.cert_location or DEFAULT_CERT_LOCATION
    if env is None:
        env = _remote_environment(conn) if _needs_environment(raw) else {}
    directory = config.expand(raw, env=env)
    if "$" in directory or not directory.startswith("/"):
        if not config.is_set("https.cert_location") or _only_cl_home_unset(directory):
            # CL_HOME is usually set only for the service (its unit), not for a login shell:
            # its absence there says nothing about the server, so no note on every apply.
            return HostCertificates()
        return _noted("CE004", Severity.INFO,
                      f"certificates not checked: cert_location {raw!r} does not expand to "
                      f"an absolute path in {host}'s login environment ({directory!r})",
                      where, "set https.cert_location to an absolute path")
    try:
        cert_dir = inspect_reader(SFTPDirReader(conn.sftp, directory,
                                                display_prefix=f"{host}:"))
    except ConfigError as exc:
        missing = "does not exist" in exc.message
        return _noted("CE004", Severity.INFO if missing else Severity.WARNING,
                      f"certificates not checked: {exc.message}", f"{host}:{directory}",
                      "create the directory and its files, or fix https.cert_location")
    now = datetime.now(UTC)
    settings = CertSettings(cert_dir=Path(directory), enable_cert_lookup=https.enable_cert_lookup,
                            service_email=https.service_email, cert_location=raw)
    findings = check_cert_dir(cert_dir, now=now, enable_cert_lookup=https.enable_cert_lookup,
                              service_email=https.service_email)
    return HostCertificates(findings, report(cert_dir, settings, findings, [], now=now))
