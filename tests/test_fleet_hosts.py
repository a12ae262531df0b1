"""Which hosts a fleet has and how they are reached: LEAP nodes as hosts, [fleet] rules,
the Ansible connection variables as leap-tui's SSH resolution sees them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tui.core.errors import ConfigError
from tui.core.hosts import choose, load_hosts
from tui.core.leap_provider import Provider
from tui.core.remote.ssh import resolve_endpoint


def make_provider(root: Path, nodes: dict[str, dict[str, object]]) -> Provider:
    (root / "nodes").mkdir(parents=True)
    (root / "provider.json").write_text('{"domain": "example.org"}\n')
    (root / "common.json").write_text('{"ssh": {"port": 22}}\n')
    for name, body in nodes.items():
        (root / "nodes" / f"{name}.json").write_text(json.dumps(body))
    return Provider.load(root)


NODES: dict[str, dict[str, object]] = {
    "web1": {"ip_address": "192.0.2.10", "services": ["webapp"], "tags": ["production"]},
    "vpn1": {"ip_address": "192.0.2.20", "ssh": {"port": 2222}, "services": ["openvpn"]},
    "mx1": {"ip_address": "192.0.2.30", "services": "mx"},
}


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_nodes_become_hosts_unless_a_host_table_claims_them(tmp_path: Path) -> None:
    provider = make_provider(tmp_path / "p", NODES)
    inventory = load_hosts(write(tmp_path / "hosts.toml", """
[[host]]
name = "mail"
address = "mail.example.org"
leap_node = "mx1"
  [[host.file]]
  source = "clace"
  target = "/srv/clace.toml"

[fleet]
user = "admin"

  [[fleet.file]]
  source = "nodes/{node}.json"
  target = "/srv/leap/{node}.json"
  reload = "leap-apply {node}"

  [[fleet.file]]
  hosts = "service:webapp"
  source = "clace"
  target = "/var/lib/clace/clace.toml"
"""), tmp_path / "p", provider)
    hosts = {h.name: h for h in inventory.hosts}
    assert list(hosts) == ["mail", "vpn1", "web1"]  # mx1 is "mail"'s node
    assert [f.target for f in hosts["mail"].files] == ["/srv/clace.toml"]
    assert [(f.source, f.target, f.reload) for f in hosts["vpn1"].files] == [
        ("nodes/vpn1.json", "/srv/leap/vpn1.json", "leap-apply {node}")]
    assert [f.source for f in hosts["web1"].files] == ["nodes/web1.json", "clace"]
    assert (hosts["web1"].address, hosts["web1"].leap_node, hosts["web1"].user) == (
        None, "web1", "admin")
    picked, notes = choose(inventory, [], "service:openvpn,tag:production", provider)
    assert [h.name for h in picked] == ["vpn1", "web1"] and notes == []


def test_without_a_fleet_table_hosts_toml_is_the_whole_fleet(tmp_path: Path) -> None:
    provider = make_provider(tmp_path / "p", NODES)
    inventory = load_hosts(write(tmp_path / "hosts.toml", '[[host]]\nname = "a"\n'
                                 'address = "a.example.org"\n'), tmp_path / "p", provider)
    assert [h.name for h in inventory.hosts] == ["a"]


def test_a_hosts_toml_with_a_byte_order_mark_reads_as_without_it(tmp_path: Path) -> None:
    """Found by the fuzz suite (seed 7): hosts.toml starting with a BOM passed the [[host]]
    reader, which drops it, and then the [fleet] reader's tomllib raised a traceback."""
    provider = make_provider(tmp_path / "p", NODES)
    text = '[[host]]\nname = "a"\naddress = "a.example.org"\n[fleet]\nuser = "admin"\n'
    plain = load_hosts(write(tmp_path / "plain.toml", text), tmp_path / "p", provider)
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    marked = load_hosts(path, tmp_path / "p", provider)
    assert [(h.name, h.user) for h in marked.hosts] == [(h.name, h.user) for h in plain.hosts]
    assert [h.name for h in marked.hosts] == ["a", "mx1", "vpn1", "web1"]


@pytest.mark.parametrize(("name", "text"), [
    ("hosts.ini", "[web]\nweb1 ansible_host=192.0.2.10 ansible_port=2222\n"),
    ("hosts.yml", "all:\n  hosts:\n    web1:\n      ansible_host: 192.0.2.10\n"
                  "      ansible_port: 2222\n"),
])
def test_an_ansible_inventory_with_a_byte_order_mark_reads_as_without_it(
        tmp_path: Path, name: str, text: str) -> None:
    """A BOM was read as part of the first line: "[web]" became a host named '\\ufeff[web]'."""
    path = tmp_path / name
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    hosts = load_hosts(path, None).hosts
    assert [(h.name, h.address, h.port) for h in hosts] == [("web1", "192.0.2.10", 2222)]


def test_provider_alone_node_hosts_get_the_default_rule(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    provider = make_provider(tmp_path / "p", NODES)
    inventory = load_hosts(None, tmp_path / "p", provider)
    vpn = inventory.host("vpn1")
    assert [(f.source, f.target) for f in vpn.files] == [
        ("nodes/vpn1.json", "/etc/leap/nodes/vpn1.json")]
    # Reached at ip_address:ssh.port as root (LEAP deploys as root) unless ssh_config says.
    monkeypatch.setattr("getpass.getuser", lambda: "operator")
    endpoint = resolve_endpoint(vpn, ssh_config=None, node_defaults=("192.0.2.20", 2222))
    assert (endpoint.hostname, endpoint.port, endpoint.user) == ("192.0.2.20", 2222, "root")
    config = write(tmp_path / "ssh_config", "Host 192.0.2.20\n  User ops\n")
    endpoint = resolve_endpoint(vpn, ssh_config=config, node_defaults=("192.0.2.20", 2222))
    assert endpoint.user == "ops"


def test_an_ansible_jump_is_as_ssh_dash_j(tmp_path: Path) -> None:
    inventory = load_hosts(write(tmp_path / "hosts.ini",
                                 "web1 ansible_host=10.0.0.5 ansible_user=deploy "
                                 "ansible_ssh_common_args='-o ProxyJump=ops@bastion:2200'\n"))
    config = write(tmp_path / "ssh_config", "Host 10.0.0.5\n  ProxyCommand nc %h %p\n"
                   "Host bastion\n  IdentityFile ~/.ssh/bastion\n")
    endpoint = resolve_endpoint(inventory.host("web1"), ssh_config=config)
    assert endpoint.settings.proxy_command is None  # the command line's -J comes first
    (jump,) = endpoint.jumps
    assert (jump.hostname, jump.port, jump.user) == ("bastion", 2200, "ops")
    assert endpoint.user == "deploy"


def test_ansible_hosts_named_as_nodes_are_those_nodes(tmp_path: Path) -> None:
    provider = make_provider(tmp_path / "p", NODES)
    inventory = load_hosts(write(tmp_path / "hosts.yml", "all:\n  hosts:\n    web1:\n"
                                 "    other:\n      leap_node: vpn1\n"), tmp_path / "p",
                           provider)
    assert [(h.name, h.leap_node) for h in inventory.hosts] == [("web1", "web1"),
                                                                ("other", "vpn1")]
    picked, _ = choose(inventory, [], "tag:production", provider)
    assert [h.name for h in picked] == ["web1"]
    with pytest.raises(ConfigError, match="leap_node 'nope' is not a node"):
        load_hosts(write(tmp_path / "bad.yml", "all:\n  hosts:\n    x:\n      leap_node: nope\n"),
                   tmp_path / "p", provider)


@pytest.mark.parametrize(("fleet", "message"), [
    ('[fleet]\nnodes = "yes"\n', "nodes must be true or false"),
    ("[fleet]\ncolour = 1\n", "unknown key 'colour' in [fleet]"),
    ('[fleet]\n[[fleet.file]]\nsource = "clace"\n', "needs source and target"),
    ('[fleet]\n[[fleet.file]]\nsource = "clace"\ntarget = "rel/{node}"\n',
     "must be an absolute file path"),
    ('[fleet]\n[[fleet.file]]\nsource = "nodes/{name}.json"\ntarget = "/x"\n',
     "only {node} and {host}"),
    ('[fleet]\n[[fleet.file]]\nsource = "../x"\ntarget = "/x"\n', "inside the provider"),
    ('ansible_inventory = 3\n', "ansible_inventory must be a path"),
    ('[[host]]\nname = "a"\naddress = "a"\ngroups = "web"\n', "groups must be a list"),
])
def test_bad_fleet_tables_are_one_error(tmp_path: Path, fleet: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_hosts(write(tmp_path / "hosts.toml", fleet))
    assert message in caught.value.message
