"""The Clace server's own listeners as port-map rows, beside the LEAP nodes' ports."""

from __future__ import annotations

from tui.core.clace_config import ClaceConfig
from tui.core.clace_hosts import classify_host
from tui.core.findings import Finding
from tui.core.portmap import PortRow

# Findings that mean "this listener's address/port is in trouble" (the same rules, not a copy).
_CONFLICT_CODES = frozenset({"CL001", "CL006", "CL008", "CL011", "CL013", "CL015"})


def clace_listener_rows(cfg: ClaceConfig, findings: list[Finding] | None = None) -> list[PortRow]:
    flagged = {f.path for f in findings or () if f.code in _CONFLICT_CODES}
    rows: list[PortRow] = []
    for section, name in (("http", "HTTP"), ("https", "HTTPS")):
        settings = cfg.http if section == "http" else cfg.https
        port = settings.port
        if port == -1:
            continue
        key = f"{section}.port"
        host = classify_host(settings.host)
        rows.append(
            PortRow(
                node="clace",
                # "" binds every interface of both families, as ":port" does in Go.
                address=settings.host or "*",
                port=port if port != 0 else "random",
                protocol="tcp",
                service="clace",
                name=name,
                # Judged by the address, as CL007 does: HTTP on 0.0.0.0 is reachable too.
                public=not host.is_loopback,
                property=key,
                source=str(cfg.path),
                line=cfg.line_of(key),
                conflict=key in flagged or f"{section}.host" in flagged,
                note="Port 0 binds any available port; -1 disables the listener.",
            )
        )
    return rows
