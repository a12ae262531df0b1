"""Fleets end to end against real sshd hosts: LEAP nodes as hosts, an Ansible inventory
with groups, --limit (and a pattern that selects nothing), rolling waves with a dead host."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.plugins.sshd_hosts import RemoteEnv, SshdHost, free_port
from tui.cli import main

Hosts = Callable[[int], list[SshdHost]]
OLD = b'[http]\nhost = "127.0.0.1"\nport = 25223\n'
NEW = b'[http]\nhost = "127.0.0.1"\nport = 25223\n\n[logging]\nlevel = "WARN"\n'


def provider(env: RemoteEnv, nodes: dict[str, tuple[int, str, str]]) -> Path:
    """A provider whose nodes are on 127.0.0.1: name -> (ssh.port, service, tag)."""
    root = env.root / "provider"
    (root / "nodes").mkdir(parents=True)
    (root / "provider.json").write_text('{"domain": "example.org"}\n')
    (root / "common.json").write_text('{"ssh": {"port": 22}}\n')
    for name, (port, service, tag) in nodes.items():
        (root / "nodes" / f"{name}.json").write_text(json.dumps(
            {"ip_address": "127.0.0.1", "ssh": {"port": port}, "services": [service],
             "tags": [tag]}, indent=2) + "\n")
    return root


def clace_file(env: RemoteEnv) -> Path:
    path = env.root / "clace.toml"
    path.write_bytes(NEW)
    return path


def json_out(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    document: dict[str, object] = json.loads(capsys.readouterr().out)
    return document


def test_leap_nodes_are_hosts_and_an_explicit_host_wins(
        remote_env: RemoteEnv, sshd_hosts: Hosts, capsys: pytest.CaptureFixture[str]) -> None:
    h1, h2, h3 = sshd_hosts(3)
    remote_env.trust(h1, h2, h3)
    root = provider(remote_env, {"n1": (h1.port, "webapp", "production"),
                                 "n2": (h2.port, "webapp", "production"),
                                 "n3": (h3.port, "openvpn", "staging"),
                                 "gone": (free_port(), "openvpn", "production")})
    remote = remote_env.remote
    for name in ("n1", "n2", "n3"):
        (remote / f"{name}-clace.toml").write_bytes(OLD)
    # In a directory of its own: the "hosts" share this machine's file system, and a host
    # that finds another's safety-net watchdog armed beside its target (n2's, two files, in
    # this same run) rightly refuses to touch that directory.
    (remote / "web-one").mkdir()
    explicit = remote / "web-one" / "explicit.toml"
    explicit.write_bytes(OLD)
    inventory = remote_env.inventory(
        # n1 has a [[host]] of its own: it keeps it (and its files).
        remote_env.host_toml(h1, "web-one", [{"source": "clace", "target": str(explicit)}],
                             extra='leap_node = "n1"'),
        "[fleet]",
        f'identity_file = "{remote_env.client_key}"',
        "[[fleet.file]]",
        'source = "nodes/{node}.json"',
        f'target = "{remote}/{{node}}.json"',
        "[[fleet.file]]",
        'hosts = "service:webapp"',
        'source = "clace"',
        f'target = "{remote}/{{host}}-clace.toml"',
        'validate = "test -s {path}"')
    # --allow-errors: every node shares 127.0.0.1, which `check` rightly calls an error.
    base = ["apply", "--inventory", str(inventory), "--provider", str(root),
            "--clace", str(clace_file(remote_env)), "--yes", "--allow-errors",
            "--format", "json"]

    # tag:production: web-one (node n1), n2 and the dead node; the dead one fails alone.
    assert main([*base, "--limit", "tag:production:!gone"]) == 0
    document = json_out(capsys)
    hosts = {h["host"]: h for h in document["hosts"]}  # type: ignore[union-attr, index]
    assert list(hosts) == ["web-one", "n2"]
    assert explicit.read_bytes() == NEW  # the explicit host's own file, not the rule's
    assert not (remote / "n1.json").exists()
    assert (remote / "n2.json").read_bytes() == (root / "nodes" / "n2.json").read_bytes()
    assert (remote / "n2-clace.toml").read_bytes() == NEW
    assert not (remote / "n3.json").exists()  # not selected

    # service:openvpn: n3 gets its node file but no Clace file (that rule is for webapp).
    assert main([*base, "--limit", "service:openvpn:!gone"]) == 0
    assert [h["host"] for h in json_out(capsys)["hosts"]] == ["n3"]  # type: ignore[index]
    assert (remote / "n3.json").is_file()
    assert (remote / "n3-clace.toml").read_bytes() == OLD
    # A node host is reached at ip_address:ssh.port; one that is down fails alone (AP007).
    assert main([*base[:-2], "--limit", "gone"]) == 1
    out = capsys.readouterr().out
    assert "gone" in out and "AP007" in out


def test_ansible_inventory_groups_and_limit_patterns(
        remote_env: RemoteEnv, sshd_hosts: Hosts, capsys: pytest.CaptureFixture[str]) -> None:
    h1, h2, h3 = sshd_hosts(3)
    remote_env.trust(h1, h2, h3)
    key = remote_env.client_key
    (remote_env.root / "hosts.ini").write_text(
        "[web]\n"
        f"web1 ansible_host=127.0.0.1 ansible_port={h1.port}\n"
        f"web2 ansible_host=127.0.0.1 ansible_port={h2.port} http_port=8080\n"
        "[db]\n"
        f"db1 ansible_host=127.0.0.1 ansible_port={h3.port}\n"
        "[prod:children]\nweb\ndb\n"
        f"[prod:vars]\nansible_user=root\nansible_ssh_private_key_file={key}\n")
    for name in ("web1", "web2", "db1"):
        (remote_env.remote / f"{name}.toml").write_bytes(OLD)
    inventory = remote_env.inventory(
        'ansible_inventory = "hosts.ini"',
        "[fleet]",
        "[[fleet.file]]",
        'source = "clace"',
        f'target = "{remote_env.remote}/{{host}}.toml"')
    base = ["apply", "--inventory", str(inventory), "--clace", str(clace_file(remote_env)),
            "--yes"]

    # A pattern that selects nothing: an error that says so, before anything connects.
    assert main([*base, "--limit", "mail*"]) == 2
    err = capsys.readouterr().err
    assert "--limit 'mail*' selects no host (of 3); nothing matches 'mail*'" in err
    assert "ignored 1 variable(s) leap-tui does not use: http_port" in err
    assert main([*base, "--limit", "web:&db"]) == 2
    assert "selects no host" in capsys.readouterr().err

    assert main([*base, "--limit", "prod:!db"]) == 0
    records = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert [(r[0], r[1]) for r in records] == [("web1", "applied"), ("web2", "applied")]
    assert len(records[0]) == 6  # one wave: no wave column
    assert (remote_env.remote / "db1.toml").read_bytes() == OLD

    # The same hosts through rollback; HOST names and --limit combine.
    assert main(["rollback", "--inventory", str(inventory), "--yes", "--limit", "web",
                 "web2"]) == 0
    assert (remote_env.remote / "web2.toml").read_bytes() == OLD
    assert (remote_env.remote / "web1.toml").read_bytes() == NEW


def test_rolling_waves_stop_after_max_fail(
        remote_env: RemoteEnv, sshd_hosts: Hosts, capsys: pytest.CaptureFixture[str]) -> None:
    hosts = sshd_hosts(3)
    remote_env.trust(*hosts)
    tables = [remote_env.host_toml(None, "dead", [
        {"source": "clace", "target": str(remote_env.remote / "dead.toml")}],
        port=free_port(), extra='groups = ["edge"]')]
    for number, host in enumerate(hosts):
        target = remote_env.remote / f"r{number}.toml"
        target.write_bytes(OLD)
        tables.append(remote_env.host_toml(host, f"r{number}", [
            {"source": "clace", "target": str(target)}], extra='groups = ["edge"]'))
    inventory = remote_env.inventory(*tables)
    base = ["apply", "--inventory", str(inventory), "--clace", str(clace_file(remote_env)),
            "--yes", "--limit", "edge"]

    # Waves of 2: [dead, r0], [r1, r2]; one failure is --max-fail 1: wave 2 never starts.
    assert main([*base, "--batch", "2", "--max-fail", "1", "--format", "json"]) == 1
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    got = [(h["host"], h["status"], h["wave"]) for h in document["hosts"]]
    assert got == [("dead", "failed", 1), ("r0", "applied", 1), ("r1", "skipped", 2),
                   ("r2", "skipped", 2)]
    assert document["waves"] == [{"wave": 1, "hosts": ["dead", "r0"]},
                                 {"wave": 2, "hosts": ["r1", "r2"]}]
    assert document["stopped"] == "1 host(s) failed by wave 1 (--max-fail 1)"
    assert "wave 2/2: 2 host(s): 2 skipped" in captured.err
    assert [(remote_env.remote / f"r{i}.toml").read_bytes() for i in range(3)] == [
        NEW, OLD, OLD]

    # 50% of 4 hosts: waves of 2 again; without --max-fail a wave that is not all failures
    # goes on. Piped, each record ends with the host's wave.
    assert main([*base, "--batch", "50%"]) == 1
    records = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert [(r[0], r[1], r[-1]) for r in records] == [
        ("dead", "failed", "1"), ("r0", "unchanged", "1"), ("r1", "applied", "2"),
        ("r2", "applied", "2")]


@pytest.mark.parametrize(("flags", "message"), [
    (["--batch", "0"], "--batch '0'"),
    (["--batch", "150%"], "--batch '150%'"),
    (["--batch", "x"], "--batch 'x'"),
    (["--max-fail", "0"], "--max-fail must be at least 1"),
])
def test_bad_rolling_flags_exit_2(remote_env: RemoteEnv, capsys: pytest.CaptureFixture[str],
                                  flags: list[str], message: str) -> None:
    inventory = remote_env.inventory(remote_env.host_toml(None, "x", [
        {"source": "clace", "target": str(remote_env.remote / "x.toml")}], port=2222))
    args = ["apply", "--inventory", str(inventory), "--clace", str(clace_file(remote_env)),
            "--yes", *flags]
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_only_a_provider_its_nodes_are_the_hosts(remote_env: RemoteEnv,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """No --inventory: the nodes are hosts (checked offline: a pattern selecting none)."""
    root = provider(remote_env, {"a1": (2201, "webapp", "production")})
    assert main(["apply", "--provider", str(root), "--yes", "--limit", "b*"]) == 2
    err = capsys.readouterr().err
    assert "--limit 'b*' selects no host (of 1)" in err
    # tag: without a provider: said so, since no host can have a tag then.
    inventory = remote_env.inventory(remote_env.host_toml(None, "x", [
        {"source": "clace", "target": str(remote_env.remote / "x.toml")}], port=2222))
    assert main(["rollback", "--inventory", str(inventory), "--yes", "--limit",
                 "tag:production"]) == 2
    assert "need the LEAP provider" in capsys.readouterr().err
    assert main(["rollback", "--yes"]) == 2
    assert "--inventory FILE is required (or --provider DIR" in capsys.readouterr().err
