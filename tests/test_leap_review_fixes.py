"""The review's findings on the LEAP core (H1, H2, H6-H8, M1, M2, M5, L1-L3, Q1, Q3), one
test each, on real provider files."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.test_leap_checks import provider_dir
from tui.core import errors, jsonc, leap_checks, leap_merge, port_catalog
from tui.core.errors import ConfigError
from tui.core.findings import Finding
from tui.core.jsonc import MAX_DEPTH, JsoncDocument
from tui.core.leap_checks import check_provider
from tui.core.leap_defaults import BaseLayers, load_platform
from tui.core.leap_merge import Layer, merge_layers
from tui.core.leap_provider import Provider
from tui.core.port_catalog import PortSpec
from tui.core.portmap import canonical_address, provider_port_rows


def check(tmp_path: Path, files: dict[str, object | None]) -> list[Finding]:
    return check_provider(Provider.load(provider_dir(tmp_path, files)))


def only(findings: list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]


# -- H1: deep nesting is a ConfigError, not a RecursionError ---------------------------------


def test_h1_deeply_nested_json_is_a_config_error(tmp_path: Path) -> None:
    deep = '{"a": ' + "[" * 5000 + "]" * 5000 + "}"
    with pytest.raises(ConfigError, match="nested more than") as info:
        JsoncDocument.parse(deep, "deep.json")
    assert info.value.line == 1 and info.value.column is not None
    root = provider_dir(tmp_path, {"nodes/web1.json": deep})
    with pytest.raises(ConfigError, match="nested more than"):
        Provider.load(root)


def test_h1_nesting_up_to_the_limit_still_parses() -> None:
    limit = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert JsoncDocument.parse(limit).value is not None
    with pytest.raises(ConfigError):
        JsoncDocument.parse("[" + limit + "]")


# -- H2: a directory that cannot be listed is an error, not an empty provider ----------------


@pytest.fixture
def unlistable(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Path], None]]:
    """Make os.scandir refuse given directories, as a mode-000 directory does for a user
    (the tests may run as root, which chmod does not stop)."""
    refused: set[str] = set()
    real_scandir: Any = os.scandir

    def scandir(path: Any = ".") -> Any:
        if os.fspath(path) in refused:
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    yield lambda path: refused.add(os.fspath(path))


def test_h2_unlistable_nodes_directory(tmp_path: Path, unlistable: Callable[[Path], None]) -> None:
    root = provider_dir(tmp_path)
    unlistable(root / "nodes")
    with pytest.raises(ConfigError, match="permission denied: cannot list") as info:
        Provider.load(root)
    assert info.value.file == str(root / "nodes")


def test_h2_unlistable_provider_root(tmp_path: Path, unlistable: Callable[[Path], None]) -> None:
    root = provider_dir(tmp_path)
    unlistable(root)
    with pytest.raises(ConfigError, match="cannot list") as info:
        Provider.load(root)
    assert info.value.file == str(root)


def test_h2_unlistable_platform_directory(
    tmp_path: Path, unlistable: Callable[[Path], None]
) -> None:
    base = tmp_path / "provider_base"
    (base / "services").mkdir(parents=True)
    (base / "services" / "webapp.json").write_text('{"api": {"port": 4430}}')
    assert load_platform(base).services == {"webapp": {"api": {"port": 4430}}}
    unlistable(base / "services")
    with pytest.raises(ConfigError, match="cannot list") as info:
        load_platform(base)
    assert info.value.file == str(base / "services")


# -- H6 / H7: LP004 is reported at ssh.port, whatever the address of the other port -----------


def test_h6_lp004_names_ssh_port_even_when_the_service_port_is_set(tmp_path: Path) -> None:
    found = check(tmp_path, {
        "nodes/db1.json": '{\n  "ip_address": "10.0.0.2",\n  "services": ["couchdb", '
                          '"soledad"],\n  "soledad": {"port": 2323},\n'
                          '  "ssh": {\n    "port": 2323\n  }\n}\n',
    })
    [finding] = only(found, "LP004")
    assert (finding.file, finding.path, finding.line) == ("nodes/db1.json", "ssh.port", 6)
    assert finding.message.startswith("ssh.port 2323 is also the public port of soledad.port ")


def test_h6_lp004_is_not_reported_at_a_shared_service_file(tmp_path: Path) -> None:
    found = check(tmp_path, {
        "services/webapp.json": '{\n  "api": {\n    "port": 4430\n  }\n}\n',
        "nodes/web1.json": '{\n  "ip_address": "10.0.0.1",\n  "services": ["webapp"],\n'
                           '  "ssh": {"port": 4430}\n}\n',
    })
    [finding] = only(found, "LP004")
    assert (finding.file, finding.path, finding.line) == ("nodes/web1.json", "ssh.port", 4)
    assert "api.port 4430/tcp" in finding.message


def test_h7_lp004_ssh_port_on_an_openvpn_port_of_the_gateway(tmp_path: Path) -> None:
    vpn = {"ip_address": "10.0.0.3", "services": "openvpn", "ssh": {"port": 1194},
           "openvpn": {"gateway_address": "10.0.0.4"}}
    p = Provider.load(provider_dir(tmp_path, {"nodes/vpn1.json": vpn}))
    [finding] = only(check_provider(p), "LP004")
    assert (finding.file, finding.path, finding.node) == ("nodes/vpn1.json", "ssh.port", "vpn1")
    assert "10.0.0.4" in finding.message
    conflicts = {(r.name, r.address, r.protocol) for r in provider_port_rows(p)
                 if r.node == "vpn1" and r.conflict}
    assert conflicts == {("SSH", "10.0.0.3", "tcp"), ("OpenVPN", "10.0.0.4", "tcp")}


def test_h7_ssh_does_not_clash_with_a_udp_only_openvpn_port(tmp_path: Path) -> None:
    vpn = {"ip_address": "10.0.0.3", "services": "openvpn", "ssh": {"port": 1194},
           "openvpn": {"gateway_address": "10.0.0.4", "protocols": ["udp"]}}
    assert only(check(tmp_path, {"nodes/vpn1.json": vpn}), "LP004") == []


# -- H8: addresses compared as addresses ---------------------------------------------------------


def test_h8_canonical_address() -> None:
    assert canonical_address("2001:0db8:0::1") == "2001:db8::1"
    assert canonical_address("2001:DB8::1") == "2001:db8::1"
    assert canonical_address("not an ip") == "not an ip"


def test_h8_lp002_when_the_gateway_is_the_same_ipv6_address(tmp_path: Path) -> None:
    node = {"ip_address": "2001:db8::1", "services": ["webapp", "openvpn"],
            "openvpn": {"gateway_address": "2001:db8:0::1"}}
    found = only(check(tmp_path, {"nodes/web1.json": node}), "LP002")
    assert sorted(f.path for f in found) == ["openvpn.ports.0", "openvpn.ports.1"]


def test_h8_lp005_and_lp007_across_spellings(tmp_path: Path) -> None:
    found = check(tmp_path, {
        "nodes/web1.json": {"ip_address": "2001:db8::1", "services": ["webapp"]},
        "nodes/vpn1.json": {"ip_address": "10.0.0.3", "services": "openvpn",
                            "openvpn": {"gateway_address": "2001:0db8::1"}},
        "nodes/mx1.json": {"ip_address": "2001:DB8:0:0::1", "services": "mx"},
    })
    assert [f.node for f in only(found, "LP005")] == ["vpn1"]
    assert sorted(f.node or "" for f in only(found, "LP007")) == ["mx1", "web1"]


# -- M1: a clash is reported at the file the user edited ---------------------------------------


def test_m1_clash_is_reported_at_the_node_file(tmp_path: Path) -> None:
    found = check(tmp_path, {
        "services/webapp.json": '{\n  "api": {\n    "port": 4430\n  }\n}\n',
        "nodes/web1.json": '{\n  "ip_address": "10.0.0.1",\n  "services": ["webapp"],\n'
                           '  "nickserver": {"port": 4430}\n}\n',
    })
    [finding] = only(found, "LP002")
    assert (finding.file, finding.path, finding.line) == (
        "nodes/web1.json", "nickserver.port", 4,
    )


# -- M2: provider.json merge errors -----------------------------------------------------------


def test_m2_provider_json_type_mismatch_is_lp010(tmp_path: Path) -> None:
    found = check(tmp_path, {
        "provider.json": '{\n  "domain": "x.org",\n  "name": "Demo",\n'
                         '  "description": {"en": "d"},\n  "contacts": {"default": "a@x.org"}\n}\n',
    })
    [finding] = only(found, "LP010")
    assert (finding.file, finding.path, finding.line) == ("provider.json", "name", 3)
    assert "string 'Demo'" in finding.message and "hash" in finding.message
    assert only(found, "LP013") == []


# -- M5: services / tags of the wrong type ----------------------------------------------------


@pytest.mark.parametrize(("key", "value"), [
    ("services", 5), ("tags", {"a": 1}), ("services", ["webapp", 5]),
])
def test_m5_services_or_tags_of_the_wrong_type(tmp_path: Path, key: str, value: object) -> None:
    node = {"ip_address": "10.0.0.1", "services": ["webapp"], key: value}
    [finding] = only(check(tmp_path, {"nodes/web1.json": node}), "LP008")
    assert (finding.file, finding.path, finding.node) == ("nodes/web1.json", key, "web1")
    assert "leap compile refuses it" in finding.message


# -- L1 / L2 / L3 -------------------------------------------------------------------------------


def test_l1_hint_uses_the_right_article(tmp_path: Path) -> None:
    found = check(tmp_path, {
        "nodes/web1.json": {"ip_address": "10.0.0.1", "services": ["webapp"],
                            "ssh": {"port": "2222"}},
    })
    [finding] = only(found, "LP010")
    assert finding.hint == "write it as an integer like the inherited value"


def test_l2_errors_name_the_provider_root(tmp_path: Path) -> None:
    root = provider_dir(tmp_path, {"nodes/web1.json": '{\n  "ip_address": \n}\n'})
    with pytest.raises(ConfigError) as info:
        Provider.load(root)
    assert str(info.value).startswith(f"{root / 'nodes' / 'web1.json'}:3:1: ")


def test_l2_platform_errors_name_the_platform_file(tmp_path: Path) -> None:
    bad = tmp_path / "platform" / "provider_base" / "services" / "webapp.json"
    bad.parent.mkdir(parents=True)
    bad.write_text("{ broken")
    with pytest.raises(ConfigError) as info:
        load_platform(tmp_path / "platform")
    assert info.value.file == str(bad)
    # origins and findings keep the short label
    (tmp_path / "platform" / "provider_base" / "services" / "webapp.json").write_text(
        '{"api": {"port": 4430}}'
    )
    assert "provider_base/services/webapp.json" in load_platform(tmp_path / "platform").docs


def test_l3_only_real_expressions_match_any_type() -> None:
    literal = merge_layers([Layer("a.json", {"x": 1}), Layer("b.json", {"x": "=oops"})])
    assert [e.key for e in literal.errors] == ["x"]
    computed = merge_layers([Layer("a.json", {"x": 1}), Layer("b.json", {"x": "= 1 + 1"})])
    assert computed.errors == []


# -- Q1 / Q3: dead code gone, imports at the top ------------------------------------------------


def test_q1_dead_code_is_gone() -> None:
    assert not hasattr(port_catalog, "PORT_PROPERTIES")
    assert not hasattr(port_catalog, "CATALOG")  # one name for the catalogue: PORT_CATALOG
    assert "configurable" not in {f.name for f in dataclasses.fields(PortSpec)}
    assert not hasattr(BaseLayers, "line")


def test_q3_shared_names_are_module_imports() -> None:
    # module-level names, not imports hidden inside functions
    assert vars(jsonc).get("ConfigError") is errors.ConfigError
    assert vars(leap_checks).get("resolve_key") is leap_merge.resolve_key
