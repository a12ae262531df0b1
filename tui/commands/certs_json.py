"""`leap-tui certs --format json`: the pairs, what the server serves, the findings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tui.commands.findings_out import Locator
from tui.core.certs.lookup import resolve
from tui.core.certs.model import CertDir, CertPair
from tui.core.certs.settings import CertSettings
from tui.core.findings import Finding


def certs_document(cert_dir: CertDir, settings: CertSettings, findings: list[Finding],
                   domains: list[str], *, now: datetime) -> dict[str, Any]:
    locator = Locator()
    served = []
    for domain in [*domains, ""]:
        answer = resolve(cert_dir, domain, enable_cert_lookup=settings.enable_cert_lookup,
                         service_email=settings.service_email)
        served.append({"domain": answer.domain, "server_name": answer.server_name,
                       "source": str(answer.source), "crt": answer.crt_path,
                       "key": answer.key_path, "reason": answer.reason,
                       "handshake_fails": answer.handshake_fails,
                       "covers_name": answer.covers_name})
    return {
        "cert_dir": cert_dir.location,
        "cert_location": settings.cert_location or None,
        "enable_cert_lookup": settings.enable_cert_lookup,
        "service_email": settings.service_email or None,
        "pairs": [pair_dict(pair, now) for pair in cert_dir.pairs],
        "served": served,
        "findings": [locator.locate(f).to_dict() for f in findings],
    }


def pair_dict(pair: CertPair, now: datetime) -> dict[str, Any]:
    crt: dict[str, Any] | None = None
    if pair.crt is not None:
        crt = {"path": pair.crt.path, "mode": _mode(pair.crt.mode), "error": pair.crt.error}
        info = pair.crt.info
        if info is not None:
            crt.update({
                "subject": info.subject, "issuer": info.issuer, "self_signed": info.self_signed,
                "sans": list(info.sans), "not_before": info.not_before.isoformat(),
                "not_after": info.not_after.isoformat(), "days_left": info.days_left(now),
                "serial": f"{info.serial:x}", "key_type": info.key_type,
                "key_bits": info.key_bits, "fingerprint_sha256": info.fingerprint_sha256,
            })
    key: dict[str, Any] | None = None
    if pair.key is not None:
        key = {"path": pair.key.path, "mode": _mode(pair.key.mode), "error": pair.key.error}
        if pair.key.info is not None:
            key.update({"key_type": pair.key.info.key_type, "key_bits": pair.key.info.key_bits})
    return {"name": pair.name, "crt": crt, "key": key, "key_matches": pair.key_matches,
            "problem": pair.problem}


def _mode(mode: int | None) -> str | None:
    return f"{mode:04o}" if mode is not None else None
