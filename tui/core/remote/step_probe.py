"""Step 4b, probe: after the reload, is the new listener there, seen from outside?

Before a change is kept, leap-tui connects to each new Clace listener from where it runs:
``tcp`` opens a TCP connection; ``tls`` does a TLS handshake on the HTTPS listener (the
name sent and checked is the address leap-tui reaches the host by) and checks that the
certificate names that host and is in date. Per host in the inventory: ``probe = "tcp"``,
``"tls"`` or ``"none"`` (the default). A failed probe means the change is not kept: the
watchdog's revert runs at once (or at its deadline when the session is gone).
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from tui.core.findings import Severity
from tui.core.remote.host_state import HostState, NotConfirmed
from tui.core.remote.step_preflight import Listener, clace_listeners, clace_settings

_CONNECT_TIMEOUT = 3.0


class ProbeFailed(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class ProbeTarget:
    kind: str  # tcp | tls
    address: str
    port: int
    name: str  # what the certificate must name (tls)

    def describe(self) -> str:
        where = f"[{self.address}]" if ":" in self.address else self.address
        return f"{self.kind} probe of {where}:{self.port}"


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return address == "localhost"


def targets(op: HostState) -> list[ProbeTarget]:
    """What to probe on this host after the change, from its new Clace listeners."""
    if op.host.probe == "none" or op.endpoint is None:
        return []
    changed = [s for s in op.files if s.swapped]
    if not op.reload_commands(changed):
        op.finding("AP016", Severity.INFO, f"no {op.host.probe} probe: no reload ran, so the "
                   "server still runs as before")
        return []
    clace = next((s for s in changed if s.change.spec.source == "clace"), None)
    if clace is None:
        op.finding("AP016", Severity.INFO, f"no {op.host.probe} probe: this change ships no "
                   "Clace file, so there is no listener to probe")
        return []
    reach = op.endpoint.hostname
    found: list[ProbeTarget] = []
    for listener in clace_listeners(clace_settings(clace.change.new)):
        address = _address(listener, reach)
        if address is None:
            op.finding("AP016", Severity.INFO, f"{listener.section} listener on "
                       f"{listener.host}:{listener.port} is not reachable from here "
                       "(loopback only): not probed")
            continue
        tls = op.host.probe == "tls" and listener.section == "https"
        found.append(ProbeTarget("tls" if tls else "tcp", address, listener.port, reach))
    return found


def _address(listener: Listener, reach: str) -> str | None:
    host = listener.host.strip("[]")
    if host in ("", "0.0.0.0", "::"):
        return reach
    if _is_loopback(host) and not _is_loopback(reach):
        return None
    return host


def wanted(op: HostState) -> bool:
    return op.host.probe != "none"


def run_probes(op: HostState, deadline: float) -> None:
    """Probe every target, each retried until ``deadline`` (time.time()) or the patience
    runs out; raise NotConfirmed (AP016) naming the first probe that never succeeded."""
    try:
        _run_probes(op, deadline)
    except ProbeFailed as exc:
        raise NotConfirmed(exc.message, code="AP016") from None


def _run_probes(op: HostState, deadline: float) -> None:
    for target in targets(op):
        op.emit("probe", target.describe())
        give_up = min(deadline, time.time() + op.options.probe_patience)
        pause = 0.25
        while True:
            problem = _probe_once(target)
            if problem is None:
                op.emit("probe", f"{target.describe()}: ok")
                break
            if time.time() + pause >= give_up or op.options.give_up.is_set():
                raise ProbeFailed(f"{target.describe()} failed: {problem}")
            time.sleep(pause)
            pause = min(pause * 2, 2.0)


def _probe_once(target: ProbeTarget) -> str | None:
    try:
        with socket.create_connection((target.address, target.port),
                                      timeout=_CONNECT_TIMEOUT) as raw:
            if target.kind == "tcp":
                return None
            return _tls(raw, target)
    except ssl.SSLError as exc:
        return f"TLS handshake failed ({exc.reason or exc})"
    except OSError as exc:
        return (exc.strerror or str(exc) or type(exc).__name__).lower()


def _tls(raw: socket.socket, target: ProbeTarget) -> str | None:
    # The chain is not checked here (a self-signed or private CA is the operator's
    # choice); the names and dates are: they decide whether clients reach this host.
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    sni = None if _is_ip(target.name) else target.name
    with context.wrap_socket(raw, server_hostname=sni) as tls:
        der = tls.getpeercert(binary_form=True)
    if not der:
        return "the server sent no certificate"
    from tui.core.certs.inspect import PemError, parse_certificate

    try:
        cert = parse_certificate(ssl.DER_cert_to_PEM_cert(der).encode())
    except PemError as exc:
        return f"its certificate does not load ({exc})"
    if not cert.covers(target.name):
        names = ", ".join(cert.sans) or "no names"
        return f"the certificate names {names}, not {target.name}"
    now = datetime.now(UTC)
    if cert.is_expired(now) or cert.is_not_yet_valid(now):
        return (f"the certificate is not valid now ({cert.not_before:%Y-%m-%d} to "
                f"{cert.not_after:%Y-%m-%d})")
    return None


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True
