"""Checks over a LEAP provider: ``check_provider(p) -> list[Finding]`` (LP001..).

LEAP itself checks no port; these rules are why leap-tui exists. Findings name the file to
fix: the file a value came from when it is a provider file, else the node file (a
provider_base default is changed by overriding it in the node).

Choices made here (the brief left them open):

- LP006 keys: ``FIXED_PORT_KEYS`` in port_catalog (smtp.port, mx.port, mx.smtp_port,
  smtps.port, mx.smtps_port, http.port, webapp.port, webapp.http_port, https.port,
  webapp.https_port, webapp.ssl_port, stunnel.port, stunnel.ports) in any provider file.
- LP014 (ssh.port not 22) is info: a deliberate choice, reported so that the firewall and
  the apply's confirm window are remembered, not a problem by itself.
- A finding that comes from a shared file (a service or tag file, common.json) is reported
  once, for the first node it applies to, not once per node.
- LP004 compares ssh.port with the public ports of the same protocol (TCP) on every address
  of the node, since sshd binds them all; a UDP-only OpenVPN port does not stop sshd.
- LP008 also covers ``services`` or ``tags`` that is not a name nor a list of names.
- IP addresses are compared as addresses (LP002, LP005, LP007), whatever their spelling.

Per-node results are cached on the EffectiveNode (``node.cache``), which the provider
replaces when an edit touches that node: an unchanged node costs a list extension.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import weakref
from collections import defaultdict

from tui.core.findings import Finding, Severity
from tui.core.jsonc import get_path
from tui.core.key_names import NEAR_MISS_CODE, NEAR_MISS_RULE, near_miss_findings
from tui.core.leap_merge import (
    EffectiveNode,
    MergeMismatch,
    dotted,
    is_expression,
    is_required_placeholder,
    resolve_key,
)
from tui.core.leap_port_checks import check_ports
from tui.core.leap_port_checks import node_finding as _finding
from tui.core.leap_provider import Provider, ProviderFile, names_error
from tui.core.port_catalog import FIXED_PORT_KEYS
from tui.core.portmap import CANONICAL_IPV4, GATEWAY_KEY, IP_KEY, canonical_address

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

LEAP_RULES: dict[str, str] = {
    "LP000": "a provider file does not parse: the provider is not opened, checked or written",
    "LP001": "a LEAP port property is not an integer in 1..65535 (each of openvpn.ports too)",
    "LP002": "two services of one node bind the same port on the same address",
    "LP003": "a configurable port inside the stunnel range 10000-20000",
    "LP004": "ssh.port equals a public service port of that node",
    "LP005": "an openvpn node without openvpn.gateway_address, or a gateway address equal to "
    "its own ip_address or used by another node",
    "LP006": "a key that tries to move a port the Ports page calls not configurable",
    "LP007": "two nodes with the same ip_address (leap compile refuses it)",
    "LP008": "unknown service or tag on a node (leap compile refuses it)",
    "LP009": "an ip_address or gateway address that is not an IP address",
    "LP010": "a merge type mismatch (e.g. integer vs string) that stops leap compile",
    "LP011": "a port equal to a derived stunnel port, or to a fixed port of another listener "
    "on the same address",
    "LP012": "a service pairing LEAP enforces is missing (soledad needs couchdb, monitor "
    "needs webapp)",
    "LP013": "a REQUIRED placeholder left in a node or in provider.json (or a missing "
    "ip_address, provider.json or common.json)",
    "LP014": "ssh.port changed from 22: the firewall must allow it before sshd moves",
    "LP015": "a UDP port inside the mosh range (ssh.mosh.ports) while mosh is enabled",
    "LP016": "a port computed by a leap compile expression: not checked",
    "LP017": "a key given twice in one object (the last one wins, as in JSON.parse)",
    "LP018": "a node name LEAP refuses (only 0-9, a-z and '-')",
    NEAR_MISS_CODE: NEAR_MISS_RULE,
}

_NODE_NAME = re.compile(r"^[0-9a-z-]+$")
_PAIRINGS = (("soledad", "couchdb"), ("monitor", "webapp"))
_FIXED_FIRST_KEYS = frozenset(key.partition(".")[0] for key in FIXED_PORT_KEYS)
_PROVIDER_REQUIRED = ("domain", "name.en", "description.en", "contacts.default")


class _Cache:
    """Findings of each provider file, keyed by the identity of the text they came from."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[str, list[Finding]]] = {}
        self.known: frozenset[str] | None = None  # LEAP key paths, for LP019


_CACHES: weakref.WeakKeyDictionary[Provider, _Cache] = weakref.WeakKeyDictionary()


def check_provider(p: Provider) -> list[Finding]:
    cache = _CACHES.get(p)
    if cache is None:
        cache = _CACHES[p] = _Cache()
    findings = _provider_findings(p)
    for rel, pf in p.files.items():
        cached = cache.files.get(rel)
        if cached is None or cached[0] is not pf.doc.text:
            cached = (pf.doc.text, _file_findings(pf) + near_miss_findings(p, pf, cache))
            cache.files[rel] = cached
        findings += cached[1]
    for gone in set(cache.files) - set(p.files):
        del cache.files[gone]

    shared_seen: set[tuple[str, str | None, str, int | None, str]] = set()
    by_ip: dict[str, list[EffectiveNode]] = defaultdict(list)
    gateways: list[tuple[EffectiveNode, str]] = []
    for name in p.node_names():
        node = p.effective(name)
        for finding in _node_findings(p, node):
            if finding.file != node.file:
                key = (finding.code, finding.file, finding.path, finding.line, finding.message)
                if key in shared_seen:
                    continue
                shared_seen.add(key)
            findings.append(finding)
        ip = node.values.get(IP_KEY)
        if isinstance(ip, str) and ip and not is_expression(ip):
            by_ip[canonical_address(ip)].append(node)
        gateway = _gateway(node)
        if gateway is not None:
            gateways.append((node, gateway))
    findings += _duplicate_ips(by_ip)
    findings += _shared_gateways(by_ip, gateways)
    return findings


# -- helpers ---------------------------------------------------------------------------------


def _node_line(p: Provider, node: EffectiveNode, key: str) -> int | None:
    doc = p.nodes[node.name].doc
    return doc.line_of((key,))


def _gateway(node: EffectiveNode) -> str | None:
    if "openvpn" not in node.services:
        return None
    value = node.get(GATEWAY_KEY)
    if isinstance(value, str) and value and value != "REQUIRED" and not is_expression(value):
        return canonical_address(value)
    return None


@functools.lru_cache(maxsize=65536)
def _is_ip(value: str) -> bool:
    if CANONICAL_IPV4.fullmatch(value):
        return True
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


# -- provider.json and each file ----------------------------------------------------------------


def _provider_findings(p: Provider) -> list[Finding]:
    findings: list[Finding] = []
    if p.common is None and p.provider_file is not None:
        # leap_cli's Config::Manager#load: assert_files_exist!(provider.json, common.json)
        findings.append(Finding(
            "LP013", E, "common.json is missing (leap compile requires it beside "
            "provider.json)", "common.json", "", None, "create common.json, even as {}",
        ))
    if p.provider_file is None:
        findings.append(Finding(
            "LP013", E, "provider.json is missing (leap compile requires it)", "provider.json",
            "", None, "create provider.json with domain, name, description and contacts",
        ))
        return findings
    state = p.provider_state()
    for mismatch in state.errors:
        findings.append(_mismatch_finding(mismatch, p.provider_file.rel, None))
    mismatched = [m.key for m in state.errors]
    for key in _PROVIDER_REQUIRED:
        if any(key == bad or key.startswith(f"{bad}.") for bad in mismatched):
            continue  # LP010 already says what is wrong there
        path = tuple(key.split("."))
        value = get_path(state.values, path)
        if value is None or value == [] or is_required_placeholder(value):
            origin = state.origin(path)
            line = origin.line if origin is not None and not origin.builtin else None
            findings.append(Finding(
                "LP013", E, f"{key} is still the REQUIRED placeholder", "provider.json", key,
                line, f"set {key} in provider.json",
            ))
    return findings


def _file_findings(pf: ProviderFile) -> list[Finding]:
    findings: list[Finding] = []
    node = pf.name if pf.kind == "nodes" else None
    value = pf.doc.value
    if not isinstance(value, dict) or _FIXED_FIRST_KEYS.isdisjoint(value):
        return findings + _duplicate_findings(pf, node)  # most files: no fixed-port key
    for key, spec in FIXED_PORT_KEYS.items():
        if key.partition(".")[0] not in value:
            continue
        path = resolve_key(value, key)
        if path is None:
            continue
        findings.append(Finding(
            "LP006", E,
            f"{key} would move the {spec.name} port ({', '.join(map(str, spec.ports))}), which "
            "LEAP does not let you configure", pf.rel, key, pf.doc.line_of(path),
            f"remove {key}; {spec.name} always uses {', '.join(map(str, spec.ports))}", node,
        ))
    return findings + _duplicate_findings(pf, node)


def _duplicate_findings(pf: ProviderFile, node: str | None) -> list[Finding]:
    return [Finding(
        "LP017", W, f"{dotted(dup.path)} is given twice (lines {dup.first_line} and "
        f"{dup.line}); the last one wins", pf.rel, dotted(dup.path), dup.line,
        "remove one of them", node,
    ) for dup in pf.doc.duplicates]


# -- one node -----------------------------------------------------------------------------------


def _node_findings(p: Provider, node: EffectiveNode) -> list[Finding]:
    cached = node.cache.get("findings")
    if isinstance(cached, list):
        return cached
    findings: list[Finding] = []
    _check_name(node, findings)
    _check_names(p, node, findings)
    _check_merge(node, findings)
    gateway_missing = _check_addresses(node, findings)
    _check_required(node, findings, skip_gateway=gateway_missing)
    _check_pairings(p, node, findings)
    check_ports(node, findings)
    node.cache["findings"] = findings
    return findings


def _check_name(node: EffectiveNode, out: list[Finding]) -> None:
    if not _NODE_NAME.match(node.name):
        out.append(Finding(
            "LP018", E, f"node name {node.name!r} has characters LEAP refuses", node.file, "",
            None, "rename the file: lowercase letters, digits and '-' only", node.name,
        ))


def _check_names(p: Provider, node: EffectiveNode, out: list[Finding]) -> None:
    raw = node.layer
    for key, names in (("services", node.services), ("tags", node.tags)):
        value = raw.get(key)
        if value.__class__ is str or value is None or value == names:
            continue  # a name, none, or the names read from it (a list of names only)
        problem = names_error(value)
        if problem is not None:
            out.append(Finding(
                "LP008", E, f"{key} {problem}: leap compile refuses it", node.file, key,
                _node_line(p, node, key), f"write {key} as a name or a list of names",
                node.name,
            ))
    for key, name, kind in _unknown_names(p, node):
        out.append(Finding(
            "LP008", E, f"unknown {kind} {name!r}: leap compile refuses it", node.file,
            key, _node_line(p, node, key), f"create {key}/{name}.json or fix the name",
            node.name,
        ))


def _unknown_names(p: Provider, node: EffectiveNode) -> list[tuple[str, str, str]]:
    """(key, name, kind) of each unknown service and tag: the same for every node built on
    one base (the provider merges one base per distinct services and tags), so computed
    once per base."""
    base = node.base
    found = base.memo.get("unknown names") if base is not None else None
    if isinstance(found, list):
        return found
    known_services, known_tags = p.known_services(), p.known_tags()
    found = [(key, name, kind) for key, names, known, kind in (
        ("services", node.services, known_services, "service"),
        ("tags", node.tags, known_tags, "tag"),
    ) for name in names if name not in known]
    if base is not None:
        base.memo["unknown names"] = found
    return found


def _check_merge(node: EffectiveNode, out: list[Finding]) -> None:
    for mismatch in node.merge_errors:
        out.append(_mismatch_finding(mismatch, node.file, node.name))


def _mismatch_finding(mismatch: MergeMismatch, fallback_file: str, node: str | None) -> Finding:
    """LP010 at the file that set the mismatching value (``fallback_file`` for a default)."""
    child = mismatch.child
    parent = str(mismatch.parent) if mismatch.parent is not None else "an inherited value"
    file = child.file if not child.builtin else fallback_file
    wanted = mismatch.types[0]
    article = "an" if wanted[:1] in ("a", "e", "i", "o", "u") else "a"
    return Finding(
        "LP010", E,
        f"{mismatch.key}: {mismatch.types[1]} {mismatch.values[1]!r} ({child}) cannot "
        f"merge with {wanted} {mismatch.values[0]!r} from {parent}; "
        "leap compile stops here", file, mismatch.key, child.line,
        f"write it as {article} {wanted} like the inherited value", node,
    )


def _check_addresses(node: EffectiveNode, out: list[Finding]) -> bool:
    """LP009 on ip_address and the gateway, LP005 for a missing gateway; True if missing."""
    ip = node.values.get(IP_KEY)  # node.get(IP_KEY), without the dotted-key walk
    if isinstance(ip, str) and ip != "REQUIRED" and not is_expression(ip) and not _is_ip(ip):
        out.append(_finding("LP009", E, f"ip_address {ip!r} is not an IP address", node,
                            IP_KEY, hint="write an IPv4 or IPv6 address"))
    elif ip is not None and not isinstance(ip, str):
        out.append(_finding("LP009", E, f"ip_address {ip!r} is not an IP address", node,
                            IP_KEY, hint="write the address as a string"))
    if "openvpn" not in node.services:
        return False
    gateway = node.get(GATEWAY_KEY)
    if gateway is None or gateway in ("", "REQUIRED"):
        out.append(_finding(
            "LP005", E, "openvpn node without openvpn.gateway_address: no port rule can hold "
            "(LEAP only warns)", node, GATEWAY_KEY, use_origin=False,
            hint="set openvpn.gateway_address to a second IP address of the node",
        ))
        return True
    if isinstance(gateway, str) and not is_expression(gateway) and not _is_ip(gateway):
        out.append(_finding("LP009", E, f"openvpn.gateway_address {gateway!r} is not an IP "
                            "address", node, GATEWAY_KEY, hint="write an IPv4 or IPv6 address"))
    elif (isinstance(gateway, str) and isinstance(ip, str) and _is_ip(gateway) and _is_ip(ip)
          and canonical_address(gateway) == canonical_address(ip)):
        out.append(_finding(
            "LP005", E, f"openvpn.gateway_address is the node's own ip_address ({ip}): the "
            "Ports page opens OpenVPN's ports on openvpn.gateway_address, not on ip_address",
            node, GATEWAY_KEY, hint="give the gateway a second IP address of the node",
        ))
    return False


def _check_required(node: EffectiveNode, out: list[Finding], *, skip_gateway: bool) -> None:
    if node.values.get(IP_KEY) is None:
        out.append(_finding("LP013", E, "ip_address is not set (every node needs one)", node,
                            IP_KEY, use_origin=False, hint="set ip_address in the node file"))
    if not node.has_required:
        return
    for path in node.required_paths:
        key = dotted(path)
        if skip_gateway and key == GATEWAY_KEY:
            continue
        out.append(_finding(
            "LP013", E, f"{key} is still the REQUIRED placeholder", node, key,
            use_origin=False, hint=f"set {key} in {node.file}",
        ))


def _check_pairings(p: Provider, node: EffectiveNode, out: list[Finding]) -> None:
    for service, needs in _PAIRINGS:
        if service in node.services and needs not in node.services:
            out.append(Finding(
                "LP012", E, f"{service} needs {needs} on the same node (LEAP enforces it)",
                node.file, "services", _node_line(p, node, "services"),
                f"add {needs!r} to services", node.name,
            ))


# -- across nodes -------------------------------------------------------------------------------


def _duplicate_ips(by_ip: dict[str, list[EffectiveNode]]) -> list[Finding]:
    findings: list[Finding] = []
    for ip, nodes in by_ip.items():
        if len(nodes) < 2:
            continue
        names = ", ".join(n.name for n in nodes)
        for node in nodes:
            findings.append(_finding(
                "LP007", E, f"ip_address {ip} is used by several nodes ({names}); leap "
                "compile refuses it", node, IP_KEY, hint="give each node its own address",
            ))
    return findings


def _shared_gateways(
    by_ip: dict[str, list[EffectiveNode]], gateways: list[tuple[EffectiveNode, str]]
) -> list[Finding]:
    findings: list[Finding] = []
    by_gateway: dict[str, list[EffectiveNode]] = defaultdict(list)
    for node, gateway in gateways:
        by_gateway[gateway].append(node)
    for node, gateway in gateways:
        others = [n.name for n in by_ip.get(gateway, []) if n is not node]
        others += [n.name for n in by_gateway[gateway] if n is not node]
        if others:
            findings.append(_finding(
                "LP005", E, f"openvpn.gateway_address {gateway} is also used by "
                f"{', '.join(sorted(set(others)))}", node, GATEWAY_KEY,
                hint="each gateway needs an address no other node uses",
            ))
    return findings

