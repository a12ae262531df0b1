"""Host keys, ssh_config, ProxyJump and the ssh.port move, against real sshd instances."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

from tests.plugins.sshd_hosts import RemoteEnv, SshdHost, keygen
from tui.core.remote.fleet import apply_fleet
from tui.core.remote.journal import Journal
from tui.core.remote.plan import plan

Hosts = Callable[[int], list[SshdHost]]
OLD = b"[http]\nport = 25223\n"
NEW = b"[http]\nport = 25223\n# new\n"


def clace_inventory(env: RemoteEnv, host: SshdHost, *, trust: bool = True,
                    extra: str = "") -> tuple[Path, Path]:
    target = env.remote / "clace.toml"
    target.write_bytes(OLD)
    if trust:
        env.trust(host)
    return env.inventory(env.host_toml(host, "h1", [
        {"source": "clace", "target": str(target)}], extra=extra)), target


def test_unknown_host_key_is_refused_with_its_fingerprint(remote_env: RemoteEnv,
                                                          sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    inventory, target = clace_inventory(remote_env, host, trust=False)
    options = remote_env.options(inventory)

    (result,) = apply_fleet(plan(options.inventory, {"clace": NEW}), options)

    assert result.status == "failed"
    (finding,) = result.findings
    assert finding.code == "AP001"
    assert f"[127.0.0.1]:{host.port}" in finding.message and "SHA256:" in finding.message
    assert remote_env.known_hosts.read_text() == ""
    assert target.read_bytes() == OLD


def test_unknown_host_key_accepted_explicitly_is_recorded(remote_env: RemoteEnv,
                                                          sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    inventory, target = clace_inventory(remote_env, host, trust=False)
    seen: list[tuple[str, str, str]] = []

    def accept(name: str, key_type: str, fingerprint: str) -> bool:
        seen.append((name, key_type, fingerprint))
        return True

    options = remote_env.options(inventory, accept_host_key=accept)
    (result,) = apply_fleet(plan(options.inventory, {"clace": NEW}), options)

    assert result.status == "applied"
    assert seen and seen[0][0] == f"[127.0.0.1]:{host.port}" and seen[0][1] == "ssh-ed25519"
    assert seen[0][2].startswith("SHA256:")
    assert remote_env.known_hosts.read_text() == host.known_hosts_line()
    assert target.read_bytes() == NEW


def test_changed_host_key_is_always_refused(remote_env: RemoteEnv, sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    inventory, target = clace_inventory(remote_env, host, trust=False)
    other = keygen(remote_env.root / "impostor").split()
    remote_env.known_hosts.write_text(f"# team keys\n[127.0.0.1]:{host.port} {other[0]} "
                                      f"{other[1]}\n")
    options = remote_env.options(inventory, accept_host_key=lambda *a: True)

    (result,) = apply_fleet(plan(options.inventory, {"clace": NEW}), options)

    assert result.status == "failed"
    assert [f.code for f in result.findings] == ["AP002"]
    assert "CHANGED" in result.message
    # The refusal says which line holds the old key (as `ssh` does).
    assert result.findings[0].hint.endswith(f"{remote_env.known_hosts}:2")
    assert target.read_bytes() == OLD
    assert remote_env.known_hosts.read_text().count("\n") == 2


def leap_provider(env: RemoteEnv, node: str, ssh_port: int, pinned: str | None = None) -> Path:
    root = env.root / "provider"
    (root / "nodes").mkdir(parents=True, exist_ok=True)
    (root / "common.json").write_text('//\n// inherited by all nodes\n{"ssh": {"port": 22}}\n')
    (root / "provider.json").write_text('{"domain": "example.org"}\n')
    (root / "nodes" / f"{node}.json").write_text(
        f'// {node}\n{{\n  "ip_address": "127.0.0.1",\n  "ssh": {{"port": {ssh_port}}}\n}}\n')
    if pinned is not None:
        keys = root / "files" / "nodes" / node
        keys.mkdir(parents=True)
        (keys / f"{node}_ssh.pub").write_text(pinned + "\n")
    return root


def test_leap_pinned_host_key_counts_as_known(remote_env: RemoteEnv, sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    provider = leap_provider(remote_env, "web1", host.port, pinned=host.host_key_pub)
    inventory, target = clace_inventory(remote_env, host, trust=False,
                                        extra='leap_node = "web1"')
    options = remote_env.options(inventory, provider_root=provider)

    (result,) = apply_fleet(plan(options.inventory, {"clace": NEW}), options)

    assert result.status == "applied", result
    assert remote_env.known_hosts.read_text() == host.known_hosts_line()

    wrong = keygen(remote_env.root / "other")
    (provider / "files" / "nodes" / "web1" / "web1_ssh.pub").write_text(wrong + "\n")
    remote_env.known_hosts.write_text("")
    (refused,) = apply_fleet(plan(options.inventory, {"clace": OLD}), options)
    assert [f.code for f in refused.findings] == ["AP002"]
    assert target.read_bytes() == NEW


def test_leap_node_gives_address_and_port(remote_env: RemoteEnv, sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    provider = leap_provider(remote_env, "web1", host.port)
    remote_env.trust(host)
    target = remote_env.remote / "clace.toml"
    inventory = remote_env.inventory(
        f'[[host]]\nname = "web1"\nleap_node = "web1"\nuser = "root"\n'
        f'identity_file = "{remote_env.client_key}"\n'
        f'[[host.file]]\nsource = "clace"\ntarget = "{target}"\n')
    options = remote_env.options(inventory, provider_root=provider)
    (result,) = apply_fleet(plan(options.inventory, {"clace": NEW}), options)
    assert result.status == "applied", result
    assert target.read_bytes() == NEW


def test_proxyjump_from_ssh_config(remote_env: RemoteEnv, sshd_hosts: Hosts,
                                   sshd_host: SshdHost) -> None:
    (final,) = sshd_hosts(1)
    jump = sshd_host
    remote_env.trust(final, jump)
    config = remote_env.home / ".ssh" / "config"
    config.write_text(
        f"Host inner\n  HostName 127.0.0.1\n  Port {final.port}\n"
        f"  ProxyJump root@127.0.0.1:{jump.port}\n"
        f"Host *\n  User root\n  IdentityFile {remote_env.client_key}\n")
    target = remote_env.remote / "clace.toml"
    inventory = remote_env.inventory(
        f'[[host]]\nname = "inner"\naddress = "inner"\n'
        f'[[host.file]]\nsource = "clace"\ntarget = "{target}"\n')
    options = remote_env.options(inventory, ssh_config=config)

    (result,) = apply_fleet(plan(options.inventory, {"clace": NEW}), options)

    assert result.status == "applied", result
    assert target.read_bytes() == NEW
    assert "Accepted publickey for root" in jump.log.read_text()


def node_move_setup(env: RemoteEnv, host: SshdHost, new_port: int, *,
                    start_new_sshd: bool) -> tuple[Path, Path, bytes]:
    provider = leap_provider(env, "web1", new_port)
    live = env.remote / "web1.json"
    old_node = (f'// web1\n{{\n  "ip_address": "127.0.0.1",\n  "ssh": {{"port": {host.port}}}\n'
                "}\n").encode()
    live.write_bytes(old_node)
    os.chmod(live, 0o600)
    if start_new_sshd:
        config, _ = host.second_listener_config(new_port)
        reload = f"/usr/sbin/sshd -f {config}"
    else:
        reload = "true"
    env.trust(host)
    inventory = env.inventory(env.host_toml(host, "web1", [
        {"source": "nodes/web1.json", "target": str(live), "reload": reload}],
        extra='leap_node = "web1"'))
    return inventory, provider, old_node


def test_ssh_port_change_is_confirmed_over_a_new_connection(remote_env: RemoteEnv,
                                                            sshd_host: SshdHost) -> None:
    from tests.plugins.sshd_hosts import free_port

    new_port = free_port()
    inventory, provider, _ = node_move_setup(remote_env, sshd_host, new_port,
                                             start_new_sshd=True)
    asked: list[str] = []

    def confirm(name: str, deadline: float) -> bool:
        asked.append(name)
        # By now a session on the new port has worked: that recorded its known-hosts name.
        assert f"[127.0.0.1]:{new_port} " in remote_env.known_hosts.read_text()
        return True

    options = remote_env.options(inventory, provider_root=provider, confirm=confirm,
                                 lockout_window=15.0)
    new_node = (provider / "nodes" / "web1.json").read_bytes()

    (result,) = apply_fleet(plan(options.inventory, {"nodes/web1.json": new_node}), options)

    assert result.status == "applied", result
    assert result.lockout == [f"node web1 ssh.port: {sshd_host.port} -> {new_port}"]
    assert asked == ["web1"]
    live = remote_env.remote / "web1.json"
    assert live.read_bytes() == new_node and (live.stat().st_mode & 0o777) == 0o600
    # The same host key, now also known under its new name.
    assert f"[127.0.0.1]:{new_port} ssh-ed25519" in remote_env.known_hosts.read_text()
    results = [e.result for e in Journal(remote_env.state).entries("web1")]
    assert results == ["pending", "confirmed"]
    time.sleep(1.2)
    assert live.read_bytes() == new_node


def test_ssh_port_change_to_an_unreachable_port_reverts(remote_env: RemoteEnv,
                                                        sshd_host: SshdHost) -> None:
    from tests.plugins.sshd_hosts import free_port

    new_port = free_port()
    inventory, provider, old_node = node_move_setup(remote_env, sshd_host, new_port,
                                                    start_new_sshd=False)
    options = remote_env.options(inventory, provider_root=provider, lockout_window=2.0)
    new_node = (provider / "nodes" / "web1.json").read_bytes()

    (result,) = apply_fleet(plan(options.inventory, {"nodes/web1.json": new_node}), options)

    assert result.status == "reverted"
    assert [f.code for f in result.findings] == ["AP009"]
    assert f"127.0.0.1:{new_port}" in result.message
    assert (remote_env.remote / "web1.json").read_bytes() == old_node
    assert f"[127.0.0.1]:{new_port}" not in remote_env.known_hosts.read_text()
    last = Journal(remote_env.state).entries("web1")[-1]
    assert last.result == "reverted"
    assert json.loads(last.to_json())["after"] == last.after


def test_known_hosts_where_finds_plain_and_hashed_names(tmp_path: Path) -> None:
    import paramiko

    from tui.core.remote.hostkeys import KnownHosts

    key, other = paramiko.ECDSAKey.generate(), paramiko.ECDSAKey.generate()
    entry = f"{key.get_name()} {key.get_base64()}"
    hashed = paramiko.HostKeys.hash_host("[10.0.0.7]:2222")
    team = tmp_path / "team_known_hosts"
    team.write_text(f"# comment\nweb1,10.0.0.5 {entry}\n{hashed} {entry}\n")
    store = KnownHosts([team], tmp_path / "mine")

    assert store.where("10.0.0.5", key) == f"{team}:2"
    assert store.where("[10.0.0.7]:2222", key) == f"{team}:3"
    assert store.where("[10.0.0.7]:2222", other) is None
    assert store.where("10.0.0.9", key) is None
