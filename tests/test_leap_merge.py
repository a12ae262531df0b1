"""LEAP's inheritance: merge rules, order, environments and provenance."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from tui.core.leap_merge import (
    Layer,
    MergeState,
    describe_value,
    is_expression,
    merge_layers,
    resolve_key,
)
from tui.core.leap_provider import Provider


def _merge(*values: Mapping[str, object]) -> MergeState:
    return merge_layers(Layer(f"f{i}.json", v) for i, v in enumerate(values))


def write(root: Path, files: dict[str, object]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content if isinstance(content, str) else json.dumps(content, indent=2))
    return root


def test_hashes_merge_recursively_and_scalars_replace() -> None:
    state = _merge({"ssh": {"port": 22, "x": 1}}, {"ssh": {"port": 2222}})
    assert state.values == {"ssh": {"port": 2222, "x": 1}}


def test_arrays_replace_arrays() -> None:
    state = _merge({"p": ["80", "443"]}, {"p": ["443"]})
    assert state.values["p"] == ["443"]


def test_array_meeting_scalar_appends_uniq_and_drops_required() -> None:
    assert _merge({"s": ["a", "b"]}, {"s": "a"}).values["s"] == ["a", "b"]
    assert _merge({"s": ["a"]}, {"s": "c"}).values["s"] == ["a", "c"]
    assert _merge({"s": "c"}, {"s": ["a"]}).values["s"] == ["a", "c"]
    assert _merge({"c": ["REQUIRED"]}, {"c": "root@x"}).values["c"] == ["root@x"]


def test_bang_key_replaces_instead_of_merging() -> None:
    state = _merge({"a": {"x": 1, "y": 2}}, {"a!": {"z": 3}})
    assert state.values == {"a": {"z": 3}}
    assert state.origin(("a", "z")) is not None
    assert state.origin(("a", "x")) is None


def test_null_child_keeps_parent_and_null_parent_takes_child() -> None:
    assert _merge({"a": 1}, {"a": None}).values == {"a": 1}
    assert _merge({"a": None}, {"a": 1}).values == {"a": 1}


def test_true_false_strings_are_booleans() -> None:
    state = _merge({"e": False}, {"e": "true"})
    assert state.values["e"] is True and not state.errors


def test_integer_meeting_string_is_a_mismatch_with_both_origins() -> None:
    state = _merge({"ssh": {"port": 22}}, {"ssh": {"port": "2222"}})
    assert len(state.errors) == 1
    err = state.errors[0]
    assert err.key == "ssh.port" and err.types == ("integer", "string")
    assert err.parent is not None and err.parent.file == "f0.json"
    assert err.child.file == "f1.json"
    assert state.values["ssh"] == {"port": "2222"}


def test_expressions_and_booleans_never_mismatch() -> None:
    assert not _merge({"a": "= 1 + 1"}, {"a": 5}).errors
    assert not _merge({"a": 5}, {"a": "= x"}).errors
    assert not _merge({"a": True}, {"a": False}).errors
    assert _merge({"a": 1}, {"a": 1.5}).errors  # Integer and Float are two classes in Ruby
    assert _merge({"a": {"b": 1}}, {"a": "x"}).errors


def test_layers_are_never_mutated() -> None:
    base = {"ssh": {"port": 22, "mosh": {"enabled": False}}}
    snapshot = json.dumps(base)
    first = _merge(base)
    second = merge_layers([Layer("n.json", {"ssh": {"mosh": {"enabled": True}}})], start=first)
    assert json.dumps(base) == snapshot
    assert first.values["ssh"] == {"port": 22, "mosh": {"enabled": False}}
    assert second.values["ssh"] == {"port": 22, "mosh": {"enabled": True}}


def test_required_placeholders_are_tracked() -> None:
    state = _merge({"g": "REQUIRED", "c": ["REQUIRED"]}, {"g": "1.2.3.4"})
    assert state.required == {("c",)}


def test_expression_is_shown_as_computed() -> None:
    assert is_expression("= provider.domain") and is_expression("=> hosts_file")
    assert not is_expression("=x")
    assert describe_value("= provider.domain") == "computed by leap compile: provider.domain"


def test_resolve_key_handles_keys_with_dots() -> None:
    values = {"static": {"domains": {"example.org": {"tls_only": True}}}, "p": ["a", "b"]}
    assert resolve_key(values, "static.domains.example.org.tls_only") == (
        "static", "domains", "example.org", "tls_only",
    )
    assert resolve_key(values, "p.1") == ("p", 1)
    assert resolve_key(values, "p.7") is None


# -- through a provider ---------------------------------------------------------------------------


def test_inheritance_order_services_then_tags_then_node(tmp_path: Path) -> None:
    root = write(tmp_path, {
        "provider.json": {"domain": "x.org"},
        "common.json": {"v": "common", "c": 1},
        "services/a.json": {"v": "a", "sa": 1},
        "services/b.json": {"v": "b"},
        "tags/t1.json": {"v": "t1"},
        "tags/t2.json": {"v": "t2"},
        "nodes/n1.json": {"services": ["a", "b"], "tags": ["t1", "t2"], "ip_address": "1.2.3.4"},
        "nodes/n2.json": {"services": ["b", "a"], "ip_address": "1.2.3.5"},
        "nodes/n3.json": {"services": "a", "tags": "t1", "v": "node", "ip_address": "1.2.3.6"},
    })
    p = Provider.load(root)
    assert p.effective("n1").get("v") == "t2"
    assert p.effective("n2").get("v") == "a"
    n3 = p.effective("n3")
    assert n3.get("v") == "node" and n3.services == ["a"] and n3.tags == ["t1"]
    origin = n3.origin("v")
    assert origin is not None and (origin.file, origin.line) == ("nodes/n3.json", 4)


def test_env_variant_applies_right_after_its_file(tmp_path: Path) -> None:
    root = write(tmp_path, {
        "provider.json": {"domain": "x.org"},
        "common.json": {"v": "common", "w": "common"},
        "common.production.json": {"v": "common.production"},
        "services/webapp.json": {"w": "webapp"},
        "services/webapp.production.json": {"api": {"port": 4431}},
        "provider.production.json": {"domain": "prod.x.org"},
        "nodes/p1.json": {"services": "webapp", "tags": "production", "ip_address": "1.1.1.1"},
        "nodes/d1.json": {"services": "webapp", "ip_address": "1.1.1.2"},
    })
    p = Provider.load(root)
    prod, dev = p.effective("p1"), p.effective("d1")
    assert prod.environment == "production" and dev.environment is None
    assert prod.get("v") == "common.production" and dev.get("v") == "common"
    assert prod.get("w") == "webapp"  # the service comes after common's variant
    assert prod.get("api.port") == 4431 and dev.get("api.port") == 4430
    origin = prod.origin("api.port")
    assert origin is not None and origin.file == "services/webapp.production.json"
    assert p.provider_settings("production")["domain"] == "prod.x.org"
    assert p.provider_settings()["domain"] == "x.org"


def test_provenance_of_builtin_and_platform_defaults(tmp_path: Path, corpus_dir: Path) -> None:
    root = write(tmp_path, {
        "provider.json": {"domain": "x.org"},
        "common.json": '//\n// c\n//\n{\n  "ssh": {\n    "port": 22\n  }\n}\n',
        "nodes/web1.json": {"services": "webapp", "ip_address": "1.1.1.1"},
    })
    node = Provider.load(root).effective("web1")
    ssh, api = node.origin("ssh.port"), node.origin("api.port")
    assert ssh is not None and str(ssh) == "common.json:6" and not ssh.builtin
    assert api is not None and api.builtin and str(api) == "(built-in default: services/webapp)"
    platform = Provider.load(root, platform=corpus_dir / "leap" / "provider_base")
    node = platform.effective("web1")
    api = node.origin("api.port")
    assert api is not None and api.builtin
    assert (api.file, api.line) == ("provider_base/services/webapp.json", 60)
    domain = node.origin("webapp.domain")
    assert domain is not None and domain.expression
    assert node.get("webapp.domain") == "= provider.domain"  # kept, never evaluated


def test_services_string_and_array_item_origin(corpus_dir: Path) -> None:
    p = Provider.load(corpus_dir / "leap" / "leap_cli-test-provider")
    vpn = p.effective("vpn1")
    assert vpn.services == ["openvpn"]
    assert vpn.get("openvpn.ports") == ["80", "443", "53", "1194"]
    item = vpn.origin("openvpn.ports.1")
    assert item is not None and item.builtin
    gateway = vpn.origin("openvpn.gateway_address")
    assert gateway is not None and str(gateway) == "nodes/vpn1.json:5"


def test_node_string_port_is_a_merge_mismatch(tmp_path: Path) -> None:
    root = write(tmp_path, {
        "provider.json": {"domain": "x.org"},
        "common.json": {"ssh": {"port": 22}},
        "nodes/web1.json": '{\n  "ip_address": "1.1.1.1",\n  "ssh": {\n    "port": "2222"\n  }\n}',
    })
    node = Provider.load(root).effective("web1")
    [err] = node.merge_errors
    assert err.key == "ssh.port" and err.child.line == 4 and err.parent is not None
    assert err.parent.file == "common.json"
