"""hosts.toml parsing, and the lock-out detection and LEAP defaults the apply relies on."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.core.errors import ConfigError
from tui.core.inventory import FileSpec, load_inventory, parse_inventory
from tui.core.remote.changes import (
    inherited_ssh_port,
    lockout_risks,
    node_connection_defaults,
    node_file_ssh_port,
    pinned_host_key_lines,
)
from tui.core.remote.plan import load_sources, plan


def test_sample_inventory_loads(repo_root: Path) -> None:
    inventory = load_inventory(repo_root / "sample_configs" / "hosts.toml")
    assert [h.name for h in inventory.hosts] == ["clace1", "deploy"]
    clace1 = inventory.host("clace1")
    assert clace1.user == "root" and clace1.port is None
    assert clace1.files[0] == FileSpec("clace", "/var/lib/clace/clace.toml", "test -s {path}",
                                       "systemctl reload clace")
    assert [f.node_name for f in inventory.host("deploy").files] == ["web1", "vpn1"]
    assert inventory.sources() == {"clace", "nodes/web1.json", "nodes/vpn1.json"}


def test_full_host_table(tmp_path: Path) -> None:
    text = (
        'known_hosts = "team_known_hosts"\n'
        '[[host]]\nname = "web1"\naddress = "web1-alias"\nport = 2222\nuser = "ops"\n'
        'identity_file = "~/.ssh/id_ed25519"\nleap_node = "web1"\n'
        '[[host.file]]\nsource = "nodes/web1.json"\ntarget = "/srv/p/nodes/web1.json"\n'
        'reload = "leap deploy web1"\n'
    )
    inventory = parse_inventory(text, tmp_path / "hosts.toml")
    assert inventory.known_hosts == tmp_path / "team_known_hosts"
    (host,) = inventory.hosts
    assert (host.address, host.port, host.user, host.leap_node) == ("web1-alias", 2222, "ops",
                                                                     "web1")
    assert host.line == 2
    assert host.files[0].validate is None and host.files[0].reload == "leap deploy web1"


@pytest.mark.parametrize(("text", "message", "line"), [
    ('[[host]]\nname = "a"\naddress = "x"\n[[host]]\nname = "a"\naddress = "y"\n',
     "listed twice", 4),
    ('[[host]]\naddress = "x"\n', "missing required key 'name'", 1),
    ('[[host]]\nname = "a"\n', "needs an address", 1),
    ('[[host]]\nname = "a"\naddress = "x"\nport = 70000\n', "port must be", 1),
    ('[[host]]\nname = "a"\naddress = "x"\nprot = 22\n',
     "unknown key 'prot' in [[host]] (did you mean 'port'?)", 4),
    ('[[host]]\nname = "a"\naddress = "x"\n[[host.file]]\nsource = "clace"\ntarget = "/t"\n'
     'reolad = "x"\n', "unknown key 'reolad' in host 'a': [[host.file]] (did you mean "
     "'reload'?)", 7),
    ('[[host]]\nname = "a"\naddress = "x"\n[[host.file]]\nsource = "clace"\ntarget = "rel"\n',
     "absolute file path", 1),
    ('[[host]]\nname = "a"\naddress = "x"\n[[host.file]]\nsource = "../x"\ntarget = "/t"\n',
     "inside the provider", 1),
    ('hosts = 1\n', "unknown key 'hosts'", None),
])
def test_bad_inventory_is_one_line_error(tmp_path: Path, text: str, message: str,
                                         line: int | None) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_inventory(text, tmp_path / "hosts.toml")
    assert message in caught.value.message
    assert caught.value.line == line


def test_toml_syntax_error_has_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "hosts.toml"
    path.write_text('[[host]]\nname = "a"\naddress = \n')
    with pytest.raises(ConfigError) as caught:
        load_inventory(path)
    assert (caught.value.line, caught.value.column) == (3, 11)
    assert "\n" not in str(caught.value)


def test_missing_inventory_and_unknown_host(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_inventory(tmp_path / "nope.toml")
    inventory = parse_inventory('[[host]]\nname = "a"\naddress = "x"\n', tmp_path / "h.toml")
    with pytest.raises(ConfigError, match="no host named b"):
        inventory.select(["b"])


def test_plan_reads_sources_from_disk(tmp_path: Path) -> None:
    provider = tmp_path / "provider"
    (provider / "nodes").mkdir(parents=True)
    (provider / "nodes" / "web1.json").write_bytes(b'{"ip_address": "192.0.2.1"}\n')
    clace = tmp_path / "clace.toml"
    clace.write_bytes(b"[http]\nport = 1\n")
    inventory = parse_inventory(
        '[[host]]\nname = "a"\naddress = "x"\n'
        '[[host.file]]\nsource = "clace"\ntarget = "/c.toml"\n'
        '[[host.file]]\nsource = "nodes/web1.json"\ntarget = "/w.json"\n', tmp_path / "h.toml")
    sources = load_sources(inventory, inventory.hosts, clace=clace, provider=provider)
    (host_plan,) = plan(inventory, sources)
    assert [c.new for c in host_plan.changes] == [b"[http]\nport = 1\n",
                                                  b'{"ip_address": "192.0.2.1"}\n']
    with pytest.raises(ConfigError, match="--provider"):
        load_sources(inventory, inventory.hosts, clace=clace, provider=None)
    with pytest.raises(ConfigError, match=r"cannot read nodes/web1\.json"):
        load_sources(inventory, inventory.hosts, clace=clace, provider=tmp_path)


NODE = FileSpec("nodes/web1.json", "/srv/nodes/web1.json")
CLACE = FileSpec("clace", "/etc/clace.toml")


def test_ssh_port_change_is_lockout_prone() -> None:
    old = b'// web1\n{"ssh": {"port": 22}}\n'
    new = b'// web1\n  // moved\n{"ssh": {"port": 2222}}\n'
    (risk,) = lockout_risks(NODE, old, new)
    assert (risk.node, risk.old_ssh_port, risk.new_ssh_port) == ("web1", 22, 2222)
    assert lockout_risks(NODE, old, old + b"\n") == []


def test_ssh_port_inherited_counts_when_the_key_is_added_or_removed() -> None:
    plain = b'{"ip_address": "192.0.2.1"}\n'
    moved = b'{"ip_address": "192.0.2.1", "ssh": {"port": 2222}}\n'
    (added,) = lockout_risks(NODE, plain, moved, inherited_ssh_port=22)
    assert (added.old_ssh_port, added.new_ssh_port) == (22, 2222)
    (removed,) = lockout_risks(NODE, moved, plain, inherited_ssh_port=22)
    assert (removed.old_ssh_port, removed.new_ssh_port) == (2222, 22)
    same = b'{"ip_address": "192.0.2.1", "ssh": {"port": 22}}\n'
    assert lockout_risks(NODE, plain, same, inherited_ssh_port=22) == []


def test_listener_change_is_lockout_prone_and_other_keys_are_not() -> None:
    old = b'[http]\nhost = "127.0.0.1"\nport = 25223\n[https]\nport = 25224\n'
    assert [r.reason for r in lockout_risks(CLACE, old, old.replace(b"25224", b"443"))] == [
        "Clace listener https.port: 25224 -> 443"]
    assert len(lockout_risks(CLACE, old, old.replace(b"127.0.0.1", b"0.0.0.0"))) == 1
    assert lockout_risks(CLACE, old, old + b"[logging]\nlevel = 'INFO'\n") == []
    assert lockout_risks(CLACE, None, old) == []  # a first install locks nobody out


def test_node_defaults_and_pinned_keys_from_the_provider_files(tmp_path: Path) -> None:
    (tmp_path / "nodes").mkdir()
    (tmp_path / "common.json").write_text('// all nodes\n{"ssh": {"port": 2200}}\n')
    (tmp_path / "nodes" / "web1.json").write_text('// web1\n{"ip_address": "192.0.2.10"}\n')
    assert node_connection_defaults(None, "web1", tmp_path) == ("192.0.2.10", 2200)
    assert inherited_ssh_port(tmp_path) == 2200
    assert inherited_ssh_port(None) == 22
    assert node_file_ssh_port(b"not json") is None
    keys = tmp_path / "files" / "nodes" / "web1"
    keys.mkdir(parents=True)
    (keys / "web1_ssh.pub").write_text("ssh-ed25519 AAAAC3Nza web1\n\n")
    assert pinned_host_key_lines(tmp_path, "web1") == ["ssh-ed25519 AAAAC3Nza web1"]
    assert pinned_host_key_lines(tmp_path, "db1") == []


def test_node_defaults_through_a_provider_object() -> None:
    class Effective:
        def get(self, path: str) -> object:
            return {"ip_address": "198.51.100.7", "ssh.port": 4422}.get(path)

    class Provider:
        def effective(self, node: str) -> Effective:
            return Effective()

    assert node_connection_defaults(Provider(), "web1") == ("198.51.100.7", 4422)


def test_node_defaults_with_the_sample_provider(repo_root: Path) -> None:
    from tui.core.remote.changes import load_provider

    root = repo_root / "sample_configs" / "provider"
    provider = load_provider(root)
    assert provider is not None  # tui.core.leap_provider, not the fallback reader
    address, port = node_connection_defaults(provider, "web1", None)
    assert (address, port) == ("192.0.2.10", 22)
