"""The port rules of one node (LP001, LP003, LP004, LP011, LP014-LP016, LP002): what
:func:`tui.core.portmap.node_ports` found, as findings at the file to fix."""

from __future__ import annotations

from tui.core.findings import Finding, Severity
from tui.core.leap_merge import EffectiveNode, Origin, is_expression
from tui.core.port_catalog import MOSH, STUNNEL_RANGE
from tui.core.portmap import Binding, node_ports, port_class

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


def _where(node: EffectiveNode, origin: Origin | None, key: str) -> tuple[str, str, int | None]:
    """(file, path, line) to report a value at: its provider file, else the node file."""
    if origin is not None and not origin.builtin:
        return origin.file, key, origin.line
    return node.file, key, None


def _finding(
    code: str, severity: Severity, message: str, node: EffectiveNode, key: str,
    origin: Origin | None = None, hint: str = "", *, use_origin: bool = True,
) -> Finding:
    if use_origin:
        file, path, line = _where(node, origin if origin is not None else node.origin(key), key)
    else:
        file, path, line = node.file, key, None
    return Finding(code, severity, message, file, path, line, hint, node.name)


def check_ports(node: EffectiveNode, out: list[Finding]) -> None:
    """The port findings of ``node``. Nodes of one port class (portmap's ``port_class``)
    pass or fail these rules together: when one of them had none, none is looked for."""
    verdicts = port_class(node)
    if verdicts is not None and verdicts[0].get(verdicts[1]) is True:
        return
    found = len(out)
    _check_ports(node, out)
    if verdicts is not None:
        verdicts[0][verdicts[1]] = len(out) == found


def _check_ports(node: EffectiveNode, out: list[Finding]) -> None:
    ports = node_ports(node)
    mosh: Binding | None = None
    checked: set[str] = set()
    for b in ports.bindings:
        if b.spec is MOSH:
            mosh = b
            if b.low is None:
                out.append(_finding("LP001", E, f"ssh.mosh.ports {b.port!r} is not a range "
                                    "like \"60000:61000\"", node, MOSH.property or "",
                                    b.origin, "write FIRST:LAST"))
            continue
        if b.property is None or b.property in checked:
            continue  # openvpn.ports items are bound once per protocol: judge them once
        checked.add(b.property)
        if is_expression(b.port):
            out.append(_finding("LP016", INFO, f"{b.property} is computed by leap compile "
                                f"({b.port}); not checked", node, b.property, b.origin))
            continue
        if b.low is None or not 1 <= b.low <= 65535:
            out.append(_finding("LP001", E, f"{b.property} = {b.port!r} is not a port (an "
                                "integer in 1..65535)", node, b.property, b.origin,
                                "write an integer between 1 and 65535"))
            continue
        if STUNNEL_RANGE[0] <= b.low <= STUNNEL_RANGE[1]:
            out.append(_finding("LP003", W, f"{b.property} = {b.low} is inside the stunnel "
                                "range 10000-20000", node, b.property, b.origin,
                                "stunnel may generate the same port; pick one outside it"))
        if b.property == "ssh.port" and b.low != 22:
            out.append(_finding("LP014", INFO, f"ssh.port is {b.low}, not 22: the firewall must "
                                "allow it before sshd moves, or you lose access", node,
                                b.property, b.origin, "apply asks for confirmation"))
    seen_pairs: set[tuple[str, str | None, str | None, int | None]] = set()
    for clash in ports.clashes:
        culprit, other = clash.culprit, clash.other
        key = culprit.property or ""
        dedupe = (clash.code, key, other.property or other.spec.name, culprit.low)
        if dedupe in seen_pairs:
            continue  # tcp and udp of one openvpn port against the same listener
        seen_pairs.add(dedupe)
        out.append(_finding(
            clash.code, E, _clash_message(clash.code, culprit, other), node, key,
            culprit.origin, "move one of them to a free port",
            use_origin=culprit.property is not None,
        ))
    if mosh is not None and mosh.low is not None and mosh.high is not None:
        for b in ports.bindings:
            if b.protocol == "udp" and b.spec is not MOSH and b.low is not None and (
                mosh.low <= b.low <= mosh.high
            ):
                out.append(_finding(
                    "LP015", W, f"{b.spec.name} UDP port {b.low} is inside the mosh range "
                    f"{mosh.port}", node, b.property or (MOSH.property or ""),
                    b.origin if b.property else mosh.origin, "narrow ssh.mosh.ports",
                ))


def _describe(b: Binding) -> str:
    what = b.property or f"{b.spec.name} ({b.service})"
    if b.derived:
        what = f"the stunnel port of {b.service}"
    return f"{what} {b.low}/{b.protocol}"


def _address_of(b: Binding) -> str:
    return b.address if isinstance(b.address, str) and b.address else b.address_key


def _clash_message(code: str, culprit: Binding, other: Binding) -> str:
    if code == "LP004":
        # sshd listens everywhere: the address that matters is the other listener's
        return (f"ssh.port {culprit.low} is also the public port of {_describe(other)} on "
                f"{_address_of(other)}")
    return f"{_describe(culprit)} collides with {_describe(other)} on {_address_of(culprit)}"


node_finding = _finding
