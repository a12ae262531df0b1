"""The port catalogue and the port map: every node x address x port x service."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tui.core.leap_provider import Provider
from tui.core.port_catalog import (
    API,
    OPENVPN,
    PAGE_PORTS,
    PORT_CATALOG,
    SSH,
    STUNNEL,
    specs_for_service,
    stunnel_port,
)
from tui.core.portmap import PortRow, node_ports, port_number, port_range, provider_port_rows

MINIMAL = Path(__file__).parent / "data" / "leap_minimal"


def rows_of(rows: list[PortRow], node: str) -> set[tuple[str, object, str, str, bool]]:
    return {(r.address, r.port, r.protocol, r.name, r.public) for r in rows if r.node == node}


def test_stunnel_port_rule() -> None:
    assert stunnel_port(5984) == 15984
    assert stunnel_port(49999) == 59999
    assert stunnel_port(50000) == 40000
    assert stunnel_port(64250) == 54250


def test_catalog_matches_the_ports_page(seeds_dir: Path) -> None:
    page = (seeds_dir / "leap-ports.md").read_text(encoding="utf-8")
    assert [s.name for s in PAGE_PORTS] == [
        "SMTP", "HTTP", "HTTPS", "SMTPS", "Soledad", "Nicknym", "OpenVPN", "API", "SSH", "Stunnel",
    ]
    plain_page = page.replace("<code>", "").replace("</code>", "")
    for spec in PAGE_PORTS:
        assert f"<td>{spec.note}</td>" in plain_page, spec.name  # the note, verbatim
    assert OPENVPN.ports == (80, 443, 53, 1194) and OPENVPN.bind == "openvpn.gateway_address"
    assert (API.property, API.ports, API.public) == ("api.port", (4430,), True)
    assert (SSH.service, SSH.public, SSH.property) == ("all", False, "ssh.port")
    assert STUNNEL.property is None
    assert {s.ports for s in specs_for_service("tor_exit")} == {(80,), (9001,)}
    names = {(s.service, s.ports) for s in PORT_CATALOG if not s.on_page}
    assert {("mx", (587,)), ("dns", (53,)), ("couchdb", (5984,)), ("webapp", (64250,)),
            ("tor", (80,)), ("all", ("60000-61000",))} <= names


def test_port_values() -> None:
    assert port_number(22) == 22 and port_number("2323") == 2323
    assert port_number(True) is None and port_number("= x") is None and port_number(2.0) is None
    assert port_range("60000:61000") == (60000, 61000)
    assert port_range("x") is None


def test_minimal_provider_rows() -> None:
    rows = provider_port_rows(Provider.load(MINIMAL))
    assert not any(r.conflict for r in rows)
    assert rows_of(rows, "web1") == {
        ("10.0.0.1", 22, "tcp", "SSH", False), ("10.0.0.1", 80, "tcp", "HTTP", True),
        ("10.0.0.1", "10000-20000", "tcp", "Stunnel", False),
        ("10.0.0.1", 443, "tcp", "HTTPS", True), ("10.0.0.1", 4430, "tcp", "API", True),
        ("10.0.0.1", 6425, "tcp", "Nicknym", True),
        ("10.0.0.1", 64250, "tcp", "Nickserver daemon", False),
    }
    vpn = rows_of(rows, "vpn1")
    assert ("10.0.0.4", "443", "udp", "OpenVPN", True) in vpn
    assert ("10.0.0.4", "1194", "tcp", "OpenVPN", True) in vpn
    assert not any(addr == "10.0.0.3" and name == "OpenVPN" for addr, _, _, name, _ in vpn)
    db = rows_of(rows, "db1")
    assert ("10.0.0.2", 15984, "tcp", "Stunnel", False) in db
    assert ("10.0.0.2", 2323, "tcp", "Soledad", True) in db
    ssh = next(r for r in rows if r.node == "web1" and r.name == "SSH")
    assert (ssh.source, ssh.line, ssh.property) == ("common.json", 6, "ssh.port")
    api = next(r for r in rows if r.node == "web1" and r.name == "API")
    assert api.source == "provider_base/services/webapp.json" and api.note == API.note


def test_conflicts_are_flagged(tmp_path: Path) -> None:
    root = tmp_path / "p"
    shutil.copytree(MINIMAL, root)
    (root / "nodes" / "vpn1.json").write_text(json.dumps({
        "ip_address": "10.0.0.3", "services": ["openvpn", "webapp"],
        "openvpn": {"gateway_address": "10.0.0.3"}, "ssh": {"mosh": {"enabled": True}},
    }))
    p = Provider.load(root)
    rows = [r for r in provider_port_rows(p) if r.node == "vpn1"]
    conflicted = {(r.name, r.port, r.protocol) for r in rows if r.conflict}
    assert ("HTTPS", 443, "tcp") in conflicted and ("OpenVPN", "443", "tcp") in conflicted
    assert ("OpenVPN", "443", "udp") not in conflicted  # webapp serves 443 over TCP only
    assert ("API", 4430, "tcp") not in conflicted
    assert any(r.name == "Mosh" and r.port == "60000-61000" for r in rows)
    clashes = node_ports(p.effective("vpn1")).clashes
    assert {c.code for c in clashes} == {"LP002"}


def test_apache_services_share_80_and_443(corpus_dir: Path) -> None:
    """LEAP's own CI provider: webapp, static and monitor are one apache, and its relay
    (tor_relay, not an exit relay) serves no DirPort: no clash at all."""
    p = Provider.load(corpus_dir / "leap" / "platform-ci-provider")
    ports = node_ports(p.effective("catalogtest"))
    assert ports.clashes == ()
    names = {b.spec.name for b in ports.bindings}
    assert "Tor ORPort" in names and "Tor DirPort" not in names


