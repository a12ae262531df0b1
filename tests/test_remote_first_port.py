"""The first connection of a leap_node host without an inventory port, when ssh.port moves.

The provider on disk already holds the new port; sshd still listens on the old one until
the apply's reload. The first connection must go where sshd listens now.
"""

from __future__ import annotations

from pathlib import Path

from tests.plugins.sshd_hosts import RemoteEnv, SshdHost, free_port
from tui.core.remote.fleet import apply_fleet
from tui.core.remote.journal import Journal
from tui.core.remote.plan import plan
from tui.core.remote.protocol import HostOperation
from tui.core.remote.step_connect import first_ports


def node_file(port: int, comment: str = "") -> bytes:
    return (f'// web1{comment}\n{{\n  "ip_address": "127.0.0.1",\n'
            f'  "ssh": {{"port": {port}}}\n}}\n').encode()


def provider_with(env: RemoteEnv, data: bytes) -> Path:
    root = env.root / "provider"
    (root / "nodes").mkdir(parents=True, exist_ok=True)
    (root / "common.json").write_text('{"ssh": {"port": 22}}\n')
    (root / "provider.json").write_text('{"domain": "example.org"}\n')
    (root / "nodes" / "web1.json").write_bytes(data)
    return root


def portless_inventory(env: RemoteEnv, live: Path, reload: str) -> Path:
    # No address and no port: both come from the LEAP node.
    return env.inventory(env.host_toml(None, "web1", [
        {"source": "nodes/web1.json", "target": str(live), "reload": reload}],
        extra='leap_node = "web1"'))


def test_first_connection_uses_the_port_last_applied(remote_env: RemoteEnv,
                                                     sshd_host: SshdHost) -> None:
    new_port = free_port()
    live = remote_env.remote / "web1.json"
    live.write_bytes(node_file(sshd_host.port))
    remote_env.trust(sshd_host)
    config, _ = sshd_host.second_listener_config(new_port)

    # The previous apply, made while the provider said the live port: the journal holds it.
    applied = node_file(sshd_host.port, " (tidied)")
    provider = provider_with(remote_env, applied)
    inventory = portless_inventory(remote_env, live, "true")
    options = remote_env.options(inventory, provider_root=provider)
    (first,) = apply_fleet(plan(options.inventory, {"nodes/web1.json": applied}), options)
    assert first.status == "applied", first
    assert live.read_bytes() == applied

    # Now the operator moves ssh.port on disk; the reload starts sshd there.
    moved = node_file(new_port)
    (provider / "nodes" / "web1.json").write_bytes(moved)
    inventory = portless_inventory(remote_env, live, f"/usr/sbin/sshd -f {config}")
    events: list[tuple[str, str]] = []
    options = remote_env.options(inventory, provider_root=provider, lockout_window=15.0,
                                 on_event=lambda host, stage, detail: events.append(
                                     (stage, detail)))

    (result,) = apply_fleet(plan(options.inventory, {"nodes/web1.json": moved}), options)

    assert result.status == "applied", result
    assert live.read_bytes() == moved
    connects = [detail for stage, detail in events if stage == "connect" and detail]
    assert connects == [f"root@127.0.0.1:{sshd_host.port}"]
    assert result.lockout == [f"node web1 ssh.port: {sshd_host.port} -> {new_port}"]
    assert ("reconnect", f"root@127.0.0.1:{new_port}") in events
    assert [e.result for e in Journal(remote_env.state).entries("web1")][-1] == "confirmed"


def test_without_a_journal_the_edited_port_then_22(remote_env: RemoteEnv,
                                                   sshd_host: SshdHost) -> None:
    live = remote_env.remote / "web1.json"
    provider = provider_with(remote_env, node_file(sshd_host.port))
    inventory = portless_inventory(remote_env, live, "true")
    options = remote_env.options(inventory, provider_root=provider)
    (planned,) = plan(options.inventory, {"nodes/web1.json": node_file(sshd_host.port)})
    operation = HostOperation(planned, options)

    from tui.core.remote.ssh import resolve_endpoint

    endpoint = resolve_endpoint(planned.host, ssh_config=None,
                                node_defaults=("127.0.0.1", sshd_host.port))
    assert first_ports(operation, endpoint, "127.0.0.1") == [sshd_host.port, 22]


def test_an_inventory_port_is_the_only_one_tried(remote_env: RemoteEnv,
                                                 sshd_host: SshdHost) -> None:
    live = remote_env.remote / "web1.json"
    provider = provider_with(remote_env, node_file(sshd_host.port))
    inventory = remote_env.inventory(remote_env.host_toml(sshd_host, "web1", [
        {"source": "nodes/web1.json", "target": str(live)}], extra='leap_node = "web1"'))
    options = remote_env.options(inventory, provider_root=provider)
    (planned,) = plan(options.inventory, {"nodes/web1.json": b"{}"})

    from tui.core.remote.ssh import resolve_endpoint

    endpoint = resolve_endpoint(planned.host, ssh_config=None, node_defaults=("127.0.0.1", 1))
    assert first_ports(HostOperation(planned, options), endpoint, "127.0.0.1") == [sshd_host.port]
