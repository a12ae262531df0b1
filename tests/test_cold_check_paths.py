"""A provider's first check takes shortcuts; a plain merge and check of each node agrees.

The shortcuts (tuples of names shared between nodes, tags merged onto one copy of the
services' state, port verdicts shared by the nodes whose merged port values are the same,
unknown names judged once per base) are checked here against a straightforward
reference: every node merged from its own list of layers, with no shared base, so that
no lookup, listener or verdict is shared. The findings must be the same, in the same
order, with the same messages and locations; so must the port map.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from benchmarks.gen_provider import generate_provider
from tests.plugins.shared_corpus import require_shared
from tui.core import portmap
from tui.core.findings import Finding
from tui.core.leap_checks import check_provider
from tui.core.leap_files import names_of
from tui.core.leap_merge import EffectiveNode, Layer, merge_layers
from tui.core.leap_provider import Provider

REPO_ROOT = Path(__file__).resolve().parents[1]

# values a port key is given: good, clashing, out of range, in the stunnel range, strings,
# expressions, placeholders, and values of the wrong type
PORTS: list[object] = [22, 443, 4430, 2200, 15000, 0, -1, 70000, "2323", "= 22", "=> x", True,
                       None, "REQUIRED", [22], {"a": 1}, 80, 53, 5984, 15984, 6425]


def write(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2) + "\n", encoding="utf-8")


def edge_provider(root: Path, nodes: int, seed: int) -> Path:
    """A generated provider whose nodes share services and tags but differ where it
    matters: own port keys (equal to the inherited value or not), forced and dotted keys,
    addresses shared by several nodes, gateways on the node's own address, expressions,
    tags and services that move ports, type mismatches, unknown names."""
    names = generate_provider(root, nodes=nodes, seed=seed)
    rng = random.Random(seed)
    write(root / "tags" / "rack-b.json", {"ssh": {"port": 2200}, "location": {"name": "b"}})
    write(root / "tags" / "rack-c.json", {"ssh!": {"port": 2222}, "location": {"name": "c"}})
    write(root / "tags" / "rack-d.json", {"api": {"port": "= 4000 + 1"}})
    write(root / "tags" / "rack-e.json", {"ssh": {"mosh": {"enabled": True}},
                                          "openvpn": {"ports": ["443", 60500]}})
    write(root / "tags" / "eu.json", {"location": {"name": "eu"}, "couch": {"port": 5984}})
    write(root / "services" / "openvpn.json", {"openvpn": {"ports": ["443", 80],
                                                           "protocols": ["udp", "tcp"]}})
    write(root / "services" / "mx.json", {"ssh": {"port": "22"}})
    write(root / "services" / "soledad.json", {"soledad": {"port": 2424}})
    shared_ips = [f"10.99.0.{i}" for i in range(1, 6)]
    for name in names:
        path = root / "nodes" / f"{name}.json"
        value = json.loads("".join(line for line in path.read_text().splitlines(True)
                                   if not line.lstrip().startswith("//")))
        for _ in range(rng.choice([0, 0, 0, 1, 1, 2, 3])):
            _vary(value, rng, shared_ips)
        write(path, value)
    return root


def _vary(value: dict[str, object], rng: random.Random, shared_ips: list[str]) -> None:
    kind = rng.randrange(16)
    own_ip = value["ip_address"]
    if kind == 0:
        value["ssh"] = {"port": rng.choice(PORTS)}
    elif kind == 1:
        value["ssh"] = {"mosh": {"enabled": rng.choice([True, "true", False]),
                                 "ports": rng.choice(["50-60", "60000:61000", "x", 5])}}
    elif kind == 2:
        value["ip_address"] = rng.choice([*shared_ips, "bad", "= ip", "", 5, None, "10.0.0.01",
                                          "2001:db8::1", "2001:db8:0::1"])
    elif kind in (3, 4, 5):
        value[("api", "soledad", "nickserver")[kind - 3]] = {"port": rng.choice(PORTS)}
    elif kind == 6:
        openvpn = value.get("openvpn")
        value["openvpn"] = {**(openvpn if isinstance(openvpn, dict) else {}), "ports": rng.choice(
            [["443"], [80, "443", "443"], ["= x"], "1194", [53, 22], []])}
    elif kind == 7 and isinstance(value.get("openvpn"), dict):
        value["openvpn"]["gateway_address"] = rng.choice(  # type: ignore[index]
            [own_ip, shared_ips[0], "REQUIRED", "", "nope", "= gw", "2001:db8::1"])
    elif kind == 8:
        value["ssh.port"] = rng.choice([22, 2201, 443])
    elif kind == 9:
        value["ssh!"] = {"port": rng.choice([22, 2202])}
    elif kind == 10:
        value["couch"] = {"port": rng.choice([5984, 4430, 15000, 6425, 55000])}
    elif kind == 11:
        value["services"] = rng.choice([["soledad"], ["monitor"], ["tor_exit"], "bogus", [1],
                                        ["webapp", "tor_exit"], ["dns", "openvpn"]])
    elif kind == 12:
        value["tags"] = rng.choice([["rack-b", "eu"], ["rack-c"], ["rack-d", "staging"],
                                    ["rack-e", "development"], ["nope"], "rack-b"])
    elif kind == 13:
        value["openvpn"] = {"gateway_address": own_ip,
                            "protocols": rng.choice([["tcp"], ["udp"], "x"])}
    elif kind == 14:
        value.update({"tor": {"type": "exit"}, "services": ["tor_exit"]})
    else:
        value["sshh"] = {"port": 22}
        value["ssh"] = rng.choice([{"prot": 22}, 5, "x", {"port": {"x": 1}}])


class PlainProvider(Provider):
    """Each node merged from its own list of layers: no shared base, nothing shared."""

    def effective(self, node: str) -> EffectiveNode:
        pf = self.nodes[node]
        raw = pf.doc.value
        assert isinstance(raw, dict)
        services, tags = names_of(raw.get("services")), names_of(raw.get("tags"))
        env = self._guess_environment(raw, tags)
        layers = [*self._base_layer("common.json", self.base.common),
                  *self._file_layer(self.common),
                  *self._file_layer(self.variant("common", "", env))]
        for kind, group in (("services", services), ("tags", tags)):
            base = self.base.services if kind == "services" else self.base.tags
            own = self.services if kind == "services" else self.tags
            for name in group:
                layers += [*self._base_layer(f"{kind}/{name}.json", base.get(name)),
                           *self._file_layer(own.get(name)),
                           *self._file_layer(self.variant(kind, name, env))]
        state = merge_layers([*layers, Layer(pf.rel, raw, False, pf.doc.line_map())])
        merged_env = state.values.get("environment")
        environment = merged_env if isinstance(merged_env, str) else env
        return EffectiveNode(node, pf.rel, list(services), list(tags), environment, state,
                             layer=raw)


def both(root: Path) -> tuple[Provider, PlainProvider]:
    fast = Provider.load(root)
    return fast, PlainProvider(fast.root, fast.base, dict(Provider.load(root).files))


def assert_same(fast: Provider, plain: PlainProvider) -> list[Finding]:
    findings = check_provider(fast)
    assert findings == check_provider(plain)
    assert portmap.provider_port_rows(fast) == portmap.provider_port_rows(plain)
    return findings


@pytest.mark.parametrize("seed", range(1, 7))
def test_edge_cases_find_what_a_plain_check_finds(tmp_path: Path, seed: int) -> None:
    fast, plain = both(edge_provider(tmp_path / "provider", 150, seed))
    findings = assert_same(fast, plain)
    assert {"LP001", "LP005", "LP008", "LP009", "LP010", "LP014", "LP016"} <= {
        f.code for f in findings}  # the rules that fire for every seed; others vary
    # an edit to one node, then to a shared file: the caches that remain agree too
    node = fast.node_names()[3]
    for provider in (fast, plain):
        provider.set_value(provider.node_file(node), "api.port", 22)
        provider.set_value(provider.node_file(node), "services", ["webapp"])
    assert_same(fast, plain)
    for provider in (fast, plain):
        provider.set_value("services/webapp.json", "nickserver.port", 4430)
    assert_same(fast, plain)


def test_nodes_alike_but_for_their_ports_are_judged_each(tmp_path: Path) -> None:
    """Nodes with the same services and tags whose own port values differ, or equal the
    inherited ones, or whose gateway is (or is not) their own address: the first node of
    each kind clean must not hide the findings of the next."""
    root = tmp_path / "provider"
    generate_provider(root, nodes=3, seed=1)
    own: list[dict[str, object]] = [
        {}, {"ssh": {"port": 22}}, {"ssh": {"port": 4430}}, {"api": {"port": 4431}},
        {"api": {"port": 22}}, {"nickserver": {"port": "4430"}}, {"ssh": {"port": "= 1"}},
        {"ssh.port": 4430}, {"ssh!": {"port": 6425}}, {"ssh": {"mosh": {"enabled": True}}},
    ]
    for index, extra in enumerate(own * 2):
        write(root / "nodes" / f"web{index:02d}.json", {
            "ip_address": f"10.1.0.{index % len(own) + 1}", "services": ["webapp"],
            "tags": ["rack-a", "eu", "production"], **extra})
    for index, gateway in enumerate(["10.2.0.1", "10.2.0.2", "10.2.0.3", "10.2.0.3"]):
        write(root / "nodes" / f"vpn{index}.json", {
            "ip_address": "10.2.0.3" if index == 2 else f"10.2.0.{index + 1}",
            "services": "openvpn", "tags": ["rack-a", "eu", "production"],
            "openvpn": {"gateway_address": gateway}})
    for index, gateway in enumerate(["10.3.0.9", "10.3.0.2"]):  # the second on its own ip
        write(root / "nodes" / f"vpnweb{index}.json", {
            "ip_address": f"10.3.0.{index + 1}", "services": ["openvpn", "webapp"],
            "tags": ["rack-a", "eu", "production"], "openvpn": {"gateway_address": gateway}})
    fast, plain = both(root)
    findings = assert_same(fast, plain)
    assert ("LP002", "vpnweb1") in {(f.code, f.node) for f in findings}
    assert "vpnweb0" not in {f.node for f in findings}
    assert {(f.code, f.node) for f in findings} >= {
        ("LP004", "web02"), ("LP004", "web12"), ("LP004", "web04"), ("LP002", "web05"),
        ("LP016", "web06"), ("LP005", "vpn2"), ("LP005", "vpn3"), ("LP007", "web10")}


@pytest.mark.parametrize("where", ["sample_configs/provider", "tests/data/leap_minimal"])
def test_the_samples_find_what_a_plain_check_finds(where: str) -> None:
    assert_same(*both(REPO_ROOT / where))


@pytest.mark.parametrize("name", ["leap_cli-test-provider", "platform-ci-provider",
                                  "puppet-test-provider"])
def test_the_corpus_providers_find_what_a_plain_check_finds(name: str) -> None:
    assert_same(*both(require_shared("corpus", "leap", name)))


def test_the_benchmark_provider_finds_what_a_plain_check_finds(tmp_path: Path) -> None:
    generate_provider(tmp_path / "provider", nodes=400, seed=6)
    fast, plain = both(tmp_path / "provider")
    assert assert_same(fast, plain) == []
