"""Ansible inventories in: INI and YAML as Ansible documents them, group_vars/host_vars,
variable precedence, connection variables, one note for what leap-tui does not use."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.core.errors import ConfigError
from tui.core.hosts import load_hosts
from tui.core.hosts.ansible_hosts import inventory_format
from tui.core.inventory import HostSpec

INI = """\
# hosts before any group are ungrouped
mail.example.org

[web]
web[01:03] ansible_host=10.0.0.1 http_port=8080
web-[a:b] ansible_host="10.0.1.1"  # a comment

[db]
db1:2222 ansible_user=postgres ansible_ssh_common_args='-o ProxyJump=ops@bastion:2200'
db2 ansible_ssh_extra_args="-J bastion2 -o ControlMaster=auto"

[web:vars]
ansible_user=deploy
ntp_server=ntp.example.org

[prod:children]
web
db

[prod:vars]
ansible_user=root
ansible_ssh_private_key_file=~/.ssh/prod
"""

YAML = """\
all:
  vars:
    ansible_user: root
  hosts:
    mail.example.org:
  children:
    web:
      hosts:
        web[1:5:2]:
          ansible_port: 2201
        w9:2299:
      vars:
        ansible_user: deploy
    prod:
      children:
        web:
        db:
          hosts:
            db1:
              ansible_host: 192.0.2.5
              leap_node: db1
              ansible_become: true
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def by_name(hosts: tuple[HostSpec, ...]) -> dict[str, HostSpec]:
    return {h.name: h for h in hosts}


def test_ini_hosts_groups_ranges_and_precedence(tmp_path: Path) -> None:
    inventory = load_hosts(write(tmp_path, "hosts", INI))
    hosts = by_name(inventory.hosts)
    assert list(hosts) == ["mail.example.org", "web01", "web02", "web03", "web-a", "web-b",
                           "db1", "db2"]
    assert hosts["mail.example.org"].groups == ()
    assert hosts["mail.example.org"].address == "mail.example.org"  # as Ansible: the name
    web = hosts["web02"]
    assert (web.address, web.port, web.user) == ("10.0.0.1", None, "deploy")  # child wins
    assert web.groups == ("prod", "web")
    assert web.identity_file == "~/.ssh/prod"
    assert hosts["web-b"].address == "10.0.1.1"
    db1 = hosts["db1"]
    assert (db1.port, db1.user, db1.proxy_jump) == (2222, "postgres", "ops@bastion:2200")
    assert hosts["db2"].proxy_jump == "bastion2" and hosts["db2"].user == "root"
    # One note for every variable leap-tui does not use, not an error.
    assert inventory.notes == (f"{tmp_path / 'hosts'}: ignored 2 variable(s) leap-tui does "
                               "not use: http_port, ntp_server",)


def test_yaml_hosts_children_vars_strides_and_ports(tmp_path: Path) -> None:
    inventory = load_hosts(write(tmp_path, "hosts.yml", YAML))
    hosts = by_name(inventory.hosts)
    assert list(hosts) == ["mail.example.org", "web1", "web3", "web5", "w9", "db1"]
    assert (hosts["web3"].port, hosts["web3"].user) == (2201, "deploy")
    assert hosts["w9"].port == 2299
    assert hosts["web1"].groups == ("prod", "web")
    assert (hosts["db1"].address, hosts["db1"].user) == ("192.0.2.5", "root")
    assert hosts["db1"].leap_node == "db1"
    # Without [[fleet.file]] rules, a LEAP node gets the default rule: its own node file.
    assert [(f.source, f.target) for f in hosts["db1"].files] == [
        ("nodes/db1.json", "/etc/leap/nodes/db1.json")]
    assert hosts["web1"].files == ()
    assert inventory.notes == (f"{tmp_path / 'hosts.yml'}: ignored 1 variable(s) leap-tui "
                               "does not use: ansible_become",)


def test_group_vars_and_host_vars_beside_the_inventory(tmp_path: Path) -> None:
    write(tmp_path, "inventory", "[web]\nweb1\nweb2\n")
    (tmp_path / "group_vars").mkdir()
    (tmp_path / "group_vars" / "all.yml").write_text("ansible_user: ops\n")
    (tmp_path / "group_vars" / "web").mkdir()
    (tmp_path / "group_vars" / "web" / "10-port.yaml").write_text("ansible_port: 2022\n")
    (tmp_path / "host_vars").mkdir()
    (tmp_path / "host_vars" / "web2").write_text("---\nansible_port: 2200\n")
    (tmp_path / "host_vars" / "web1.yml").write_text("$ANSIBLE_VAULT;1.1;AES256\n6162\n")
    inventory = load_hosts(tmp_path / "inventory")
    hosts = by_name(inventory.hosts)
    assert (hosts["web1"].user, hosts["web1"].port) == ("ops", 2022)
    assert hosts["web2"].port == 2200  # host_vars over group_vars
    assert any("Ansible Vault" in note for note in inventory.notes)


def test_hosts_not_reached_over_ssh_are_left_out_with_a_note(tmp_path: Path) -> None:
    inventory = load_hosts(write(tmp_path, "hosts.ini",
                                 "localhost ansible_connection=local\nweb1\n"))
    assert [h.name for h in inventory.hosts] == ["web1"]
    assert "localhost (ansible_connection=local)" in inventory.notes[0]


@pytest.mark.parametrize(("text", "message"), [
    ("[web\nweb1\n", "not a section header"),
    ("[web:hosts2]\nweb1\n", "expected :vars or :children"),
    ("web1 ansible_port\n", "expected key=value"),
    ("web1 ansible_port=99999\n", "ansible_port '99999' is not 1-65535"),
    ("web1 ansible_host='{{ lookup(\"env\", \"X\") }}'\n", "template"),
    ("web1 ansible_ssh_common_args='-o ProxyCommand=nc %h %p'\n",
     "-o ProxyCommand=nc is not supported"),
    ("web1 ansible_ssh_common_args='-p 2222'\n", "'-p' is not supported"),
    ("web[a:3]\n", "neither a numeric nor an alphabetic range"),
    ("[web:vars]\njust-a-word\n", "expects key=value"),
])
def test_bad_ini_is_one_error_naming_the_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_hosts(write(tmp_path, "hosts.ini", text))
    assert message in caught.value.message
    assert caught.value.file == str(tmp_path / "hosts.ini")
    assert caught.value.line is not None


@pytest.mark.parametrize(("text", "message"), [
    ("all:\n  hosts: [web1, web2]\n", "hosts must be a mapping"),
    ("all:\n  hosts:\n    web1: 3\n", "must be a mapping"),
    ("all:\n  children:\n    web:\n      hosts:\n        web1:\n    x: [\n", "invalid YAML"),
    ("- web1\n", "mapping of group names"),
])
def test_bad_yaml_is_one_error(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_hosts(write(tmp_path, "hosts.yaml", text))
    assert message in caught.value.message


def test_the_format_is_told_by_extension_then_content() -> None:
    assert inventory_format(Path("x.toml"), "") == "toml"
    assert inventory_format(Path("hosts"), "# hi\n[[host]]\nname = 'a'\n") == "toml"
    assert inventory_format(Path("hosts"), 'known_hosts = "k"\n') == "toml"
    assert inventory_format(Path("hosts"), "---\nall:\n") == "yaml"
    assert inventory_format(Path("hosts"), "all:\n  hosts:\n") == "yaml"
    assert inventory_format(Path("hosts"), "[web]\nweb1 ansible_port=22\n") == "ini"
    assert inventory_format(Path("hosts"), "web1:2222\n") == "ini"
