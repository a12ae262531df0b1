"""check_provider: every LP rule fires on the trap it names, and stays quiet otherwise."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from tui.core.findings import Finding, Severity, has_errors
from tui.core.leap_checks import LEAP_RULES, check_provider
from tui.core.leap_provider import Provider

MINIMAL = Path(__file__).parent / "data" / "leap_minimal"


def provider(tmp_path: Path, files: dict[str, object | None] | None = None) -> Provider:
    """The minimal provider, with files replaced (a dict or text), added, or removed (None)."""
    return Provider.load(provider_dir(tmp_path, files))


def provider_dir(tmp_path: Path, files: dict[str, object | None] | None = None) -> Path:
    """A copy of the minimal provider with files replaced (a dict or text) or removed (None)."""
    root = tmp_path / "provider"
    shutil.copytree(MINIMAL, root)
    for rel, content in (files or {}).items():
        path = root / rel
        if content is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content if isinstance(content, str) else json.dumps(content, indent=2))
    return root


def codes(findings: list[Finding]) -> list[str]:
    return sorted(f.code for f in findings)


def only(findings: list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]


def web(**extra: object) -> dict[str, object]:
    return {"ip_address": "10.0.0.1", "services": ["webapp"], **extra}


def test_every_rule_is_described() -> None:
    assert sorted(LEAP_RULES) == [f"LP{n:03d}" for n in range(0, 20)]


def test_minimal_provider_is_complete(tmp_path: Path) -> None:
    assert check_provider(provider(tmp_path)) == []


def test_minimal_provider_with_platform_is_complete(tmp_path: Path, corpus_dir: Path) -> None:
    p = Provider.load(MINIMAL, platform=corpus_dir / "leap" / "provider_base")
    assert not has_errors(check_provider(p))


@pytest.mark.parametrize(
    "name", ["leap_cli-test-provider", "platform-ci-provider", "puppet-test-provider"]
)
def test_corpus_providers_check_without_traceback(corpus_dir: Path, name: str) -> None:
    for platform in (None, corpus_dir / "leap" / "provider_base"):
        findings = check_provider(Provider.load(corpus_dir / "leap" / name, platform=platform))
        assert all(f.code in LEAP_RULES for f in findings)
        if name == "leap_cli-test-provider":
            assert not has_errors(findings)


def test_lp001_port_not_an_integer_in_range(tmp_path: Path) -> None:
    p = provider(tmp_path, {
        "nodes/web1.json": '{\n  "ip_address": "10.0.0.1",\n  "services": ["webapp"],\n'
                           '  "api": {\n    "port": 70000\n  }\n}\n',
        "nodes/vpn1.json": {"ip_address": "10.0.0.3", "services": "openvpn",
                            "openvpn": {"gateway_address": "10.0.0.4", "ports": ["443", "x"]}},
    })
    found = only(check_provider(p), "LP001")
    # an array item is reported at its array's key (the origin of the whole array)
    assert sorted((f.file, f.path, f.line, f.node) for f in found) == [
        ("nodes/vpn1.json", "openvpn.ports.1", 6, "vpn1"),
        ("nodes/web1.json", "api.port", 5, "web1"),
    ]
    assert all(f.severity is Severity.ERROR for f in found)


def test_lp002_two_services_on_one_port(tmp_path: Path) -> None:
    p = provider(tmp_path, {
        "nodes/db1.json": {"ip_address": "10.0.0.2", "services": ["couchdb", "soledad", "webapp"],
                           "soledad": {"port": 4430}},
        "nodes/web1.json": None,
        "nodes/vpn1.json": {"ip_address": "10.0.0.3", "services": ["openvpn", "webapp"],
                            "openvpn": {"gateway_address": "10.0.0.3"}},
    })
    found = only(check_provider(p), "LP002")
    assert {(f.node, f.path) for f in found} == {
        ("db1", "soledad.port"), ("vpn1", "openvpn.ports.1"), ("vpn1", "openvpn.ports.0"),
    }


def test_lp003_configurable_port_in_stunnel_range(tmp_path: Path) -> None:
    p = provider(tmp_path, {"nodes/web1.json": web(nickserver={"port": 15000})})
    [finding] = only(check_provider(p), "LP003")
    assert finding.severity is Severity.WARNING and finding.path == "nickserver.port"


def test_lp004_ssh_port_on_a_public_port(tmp_path: Path) -> None:
    p = provider(tmp_path, {"nodes/web1.json": web(ssh={"port": 443})})
    found = check_provider(p)
    assert codes(only(found, "LP004")) == ["LP004"]
    assert only(found, "LP004")[0].path == "ssh.port"


def test_lp005_gateway_missing_or_shared(tmp_path: Path) -> None:
    p = provider(tmp_path, {"nodes/vpn1.json": {"ip_address": "10.0.0.3", "services": "openvpn"}})
    found = check_provider(p)
    assert [f.path for f in only(found, "LP005")] == ["openvpn.gateway_address"]
    assert not only(found, "LP013")  # the placeholder is reported once, as LP005
    p = provider(tmp_path / "2", {
        "nodes/vpn1.json": {"ip_address": "10.0.0.3", "services": "openvpn",
                            "openvpn": {"gateway_address": "10.0.0.1"}},
    })
    [shared] = only(check_provider(p), "LP005")
    assert "web1" in shared.message and shared.node == "vpn1"


def test_lp006_fixed_port_keys(tmp_path: Path) -> None:
    p = provider(tmp_path, {
        "nodes/mx1.json": '{\n  "ip_address": "10.0.0.5",\n  "services": "mx",\n'
                          '  "smtp": {"port": 2525}\n}\n',
        "services/webapp.json": {"webapp": {"https_port": 8443}},
    })
    found = only(check_provider(p), "LP006")
    assert sorted((f.file, f.path, f.line) for f in found) == [
        ("nodes/mx1.json", "smtp.port", 4),
        ("services/webapp.json", "webapp.https_port", 3),
    ]


def test_lp007_duplicate_ip_address(tmp_path: Path) -> None:
    p = provider(tmp_path, {"nodes/mx1.json": {"ip_address": "10.0.0.1", "services": "mx"}})
    found = only(check_provider(p), "LP007")
    assert sorted(f.node or "" for f in found) == ["mx1", "web1"]


def test_lp008_unknown_service_and_tag(tmp_path: Path) -> None:
    p = provider(tmp_path, {
        "nodes/web1.json": {"ip_address": "10.0.0.1", "services": ["webap"], "tags": "nope"},
    })
    found = only(check_provider(p), "LP008")
    assert sorted(f.path for f in found) == ["services", "tags"]
    # a provider's own service and tag files make the names known
    p = provider(tmp_path / "2", {
        "nodes/web1.json": {"ip_address": "10.0.0.1", "services": ["custom"], "tags": "mine"},
        "services/custom.json": {}, "tags/mine.json": {},
    })
    assert not only(check_provider(p), "LP008")


def test_lp009_not_an_ip_address(tmp_path: Path) -> None:
    p = provider(tmp_path, {
        "nodes/web1.json": web(ip_address="10.0.0.300"),
        "nodes/vpn1.json": {"ip_address": "10.0.0.3", "services": "openvpn",
                            "openvpn": {"gateway_address": "gw.example.org"}},
    })
    found = only(check_provider(p), "LP009")
    assert sorted(f.path for f in found) == ["ip_address", "openvpn.gateway_address"]


def test_lp010_merge_type_mismatch(tmp_path: Path) -> None:
    p = provider(tmp_path, {
        "nodes/web1.json": '{\n  "ip_address": "10.0.0.1",\n  "services": ["webapp"],\n'
                           '  "ssh": {\n    "port": "2222"\n  }\n}\n',
    })
    [finding] = only(check_provider(p), "LP010")
    assert (finding.file, finding.path, finding.line) == ("nodes/web1.json", "ssh.port", 5)
    assert "common.json" in finding.message


def test_lp011_derived_and_fixed_ports(tmp_path: Path) -> None:
    p = provider(tmp_path, {
        "nodes/db1.json": {"ip_address": "10.0.0.2", "services": ["couchdb", "soledad"],
                           "soledad": {"port": 15984}},
        "nodes/web1.json": web(api={"port": 443}),
        # an exit relay without webapp serves its directory on 80, as apache does for static
        "nodes/mx1.json": {"ip_address": "10.0.0.5", "services": ["static", "tor_exit"]},
    })
    found = only(check_provider(p), "LP011")
    assert {(f.node, f.path) for f in found} == {
        ("db1", "soledad.port"), ("web1", "api.port"), ("mx1", ""),
    }
    assert not only(found, "LP002")


def test_lp012_service_pairings(tmp_path: Path) -> None:
    p = provider(tmp_path, {
        "nodes/db1.json": {"ip_address": "10.0.0.2", "services": ["soledad"]},
        "nodes/mx1.json": {"ip_address": "10.0.0.5", "services": ["monitor"]},
    })
    found = only(check_provider(p), "LP012")
    assert sorted(f.node or "" for f in found) == ["db1", "mx1"]


def test_lp013_required_placeholders(tmp_path: Path) -> None:
    p = provider(tmp_path, {
        "provider.json": {"name": {"en": "X"}, "contacts": {"default": "a@b.org"}},
        "nodes/mx1.json": {"services": "mx"},
    })
    found = only(check_provider(p), "LP013")
    assert sorted((f.file, f.path) for f in found) == [
        ("nodes/mx1.json", "ip_address"), ("provider.json", "description.en"),
        ("provider.json", "domain"),
    ]
    p = provider(tmp_path / "2", {"provider.json": None})
    assert [f.file for f in only(check_provider(p), "LP013")] == ["provider.json"]


def test_lp014_ssh_port_changed_is_info(tmp_path: Path) -> None:
    p = provider(tmp_path, {"nodes/web1.json": web(ssh={"port": 2222})})
    [finding] = only(check_provider(p), "LP014")
    assert finding.severity is Severity.INFO and finding.file == "nodes/web1.json"


def test_lp015_udp_port_in_mosh_range(tmp_path: Path) -> None:
    p = provider(tmp_path, {
        "nodes/vpn1.json": {"ip_address": "10.0.0.3", "services": "openvpn",
                            "ssh": {"mosh": {"enabled": True}},
                            "openvpn": {"gateway_address": "10.0.0.3", "ports": ["60500"]}},
    })
    found = only(check_provider(p), "LP015")
    assert [f.path for f in found] == ["openvpn.ports.0"]
    assert found[0].severity is Severity.WARNING


def test_lp016_expression_ports_are_not_checked(tmp_path: Path) -> None:
    p = provider(tmp_path, {"nodes/web1.json": web(api={"port": "= 4000 + 30"})})
    found = check_provider(p)
    assert [f.code for f in found] == ["LP016"]
    assert "computed by leap compile" in found[0].message


def test_lp017_duplicate_keys(tmp_path: Path) -> None:
    p = provider(tmp_path, {
        "nodes/web1.json": '{\n  "ip_address": "10.0.0.9",\n  "ip_address": "10.0.0.1",\n'
                           '  "services": "webapp"\n}\n',
    })
    [finding] = only(check_provider(p), "LP017")
    assert (finding.path, finding.line) == ("ip_address", 3)


def test_lp018_node_name(tmp_path: Path) -> None:
    p = provider(tmp_path, {"nodes/Web_1.json": {"ip_address": "10.0.0.9", "services": "mx"}})
    assert [f.node for f in only(check_provider(p), "LP018")] == ["Web_1"]


def test_shared_file_finding_reported_once(tmp_path: Path) -> None:
    p = provider(tmp_path, {
        "services/webapp.json": {"api": {"port": 0}},
        "nodes/mx1.json": {"ip_address": "10.0.0.5", "services": "webapp"},
    })
    [finding] = only(check_provider(p), "LP001")
    assert finding.file == "services/webapp.json"


def test_results_are_reused_until_a_node_changes(tmp_path: Path) -> None:
    p = provider(tmp_path)
    check_provider(p)
    web1, db1 = p.effective("web1"), p.effective("db1")
    cached = web1.cache["findings"]
    p.set_value("nodes/web1.json", "ssh.port", 443)
    found = check_provider(p)
    assert p.effective("db1") is db1 and p.effective("web1") is not web1
    assert web1.cache["findings"] is cached
    assert codes(only(found, "LP004")) == ["LP004"]
    p.set_value("nodes/web1.json", "ssh.port", 22)
    assert check_provider(p) == []


# -- a generated provider for scale ---------------------------------------------------------------

ROLES: list[list[str]] = [["webapp"], ["couchdb", "soledad"], ["openvpn"], ["mx"]]


def generate_provider(root: Path, nodes: int) -> Path:
    """A provider with ``nodes`` nodes over four roles, every address unique."""
    (root / "nodes").mkdir(parents=True)
    (root / "services").mkdir()
    (root / "tags").mkdir()
    (root / "provider.json").write_text(json.dumps({
        "domain": "big.example.org", "name": {"en": "Big"}, "description": {"en": "Big"},
        "contacts": {"default": "root@big.example.org"},
    }, indent=2))
    (root / "common.json").write_text('//\n// common\n//\n{\n  "ssh": {\n    "port": 22\n  }\n}\n')
    (root / "services" / "webapp.json").write_text('{\n  "api": {\n    "port": 4430\n  }\n}\n')
    (root / "tags" / "production.json").write_text('{\n  "environment": "production"\n}\n')
    for i in range(nodes):
        services = ROLES[i % len(ROLES)]
        node: dict[str, object] = {
            "ip_address": f"10.{i // 65536}.{i // 256 % 256}.{i % 256}",
            "services": services,
            "tags": ["production"] if i % 2 else [],
        }
        if "openvpn" in services:
            node["openvpn"] = {"gateway_address": f"172.16.{i // 256 % 256}.{i % 256}"}
        (root / "nodes" / f"n{i}.json").write_text(json.dumps(node, indent=2) + "\n")
    return root


def test_generated_provider_is_clean_and_edits_recheck(tmp_path: Path) -> None:
    p = Provider.load(generate_provider(tmp_path / "big", 200))
    assert check_provider(p) == []
    p.set_value("nodes/n0.json", "api.port", 2323)
    p.set_value("nodes/n1.json", "soledad.port", 4430)
    assert check_provider(p) == []  # n0 runs no soledad, n1 no webapp
    p.set_value("nodes/n0.json", "ssh.port", 80)
    assert sorted((f.code, f.node) for f in check_provider(p)) == [("LP004", "n0"), ("LP014", "n0")]


def measure(nodes: int = 1000) -> dict[str, float]:
    """Timings in ms over a generated provider: run ``python -m tests.test_leap_checks``."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        root = generate_provider(Path(tmp) / "big", nodes)
        t0 = time.perf_counter()
        p = Provider.load(root)
        t1 = time.perf_counter()
        check_provider(p)
        t2 = time.perf_counter()
        check_provider(p)
        t3 = time.perf_counter()
        p.set_value("nodes/n5.json", "ssh.port", 2222)
        check_provider(p)
        t4 = time.perf_counter()
        p.set_value("common.json", "ssh.port", 2200)
        check_provider(p)
        t5 = time.perf_counter()
    return {
        "load": (t1 - t0) * 1000, "first check (merges every node)": (t2 - t1) * 1000,
        "check again, nothing changed": (t3 - t2) * 1000,
        "edit one node file + check": (t4 - t3) * 1000,
        "edit common.json + check (all nodes re-merge)": (t5 - t4) * 1000,
    }


if __name__ == "__main__":
    for label, ms in measure().items():
        print(f"{label:48} {ms:8.1f} ms")


def test_lp013_common_json_is_required_like_provider_json(tmp_path: Path) -> None:
    """leap_cli's Config::Manager#load: assert_files_exist!(provider_path, common_path)."""
    p = provider(tmp_path, {"common.json": None})
    found = only(check_provider(p), "LP013")
    assert [(f.file, f.severity) for f in found] == [("common.json", Severity.ERROR)]
