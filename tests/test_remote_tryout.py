"""What a new operator met over SSH, against real sshd hosts: a ProxyCommand that never
connects, a LEAP node unreachable on every port tried, a rollback with nothing left, the
history's stamps, many agent keys."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.plugins.sshd_hosts import RemoteEnv, SshdHost, free_port
from tui.cli import main

Hosts = Callable[[int], list[SshdHost]]
OLD = b'[http]\nhost = "127.0.0.1"\nport = 25223\n'
NEW = b'[http]\nhost = "127.0.0.1"\nport = 25223\n\n[logging]\nlevel = "WARN"\n'


PROVIDER_JSON = ('{"domain": "example.org", "name": {"en": "Example"}, "description": '
                 '{"en": "Example"}, "contacts": {"default": ["root@example.org"]}}\n')


def records(out: str) -> list[list[str]]:
    return [line.split("\t") for line in out.splitlines()]


def sleeping_proxies() -> list[int]:
    """Processes running `sleep 600` (the ProxyCommand below), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "cmdline").read_bytes() == b"sleep\x00600\x00":
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_a_proxy_command_that_never_connects_says_so(
        remote_env: RemoteEnv, sshd_hosts: Hosts, capsys: pytest.CaptureFixture[str]) -> None:
    (host,) = sshd_hosts(1)
    remote_env.trust(host)
    target = remote_env.remote / "h0.toml"
    target.write_bytes(OLD)
    remote_env.ssh_config.write_text(
        f"Host h0\n  HostName 127.0.0.1\n  Port {host.port}\n  ProxyCommand sleep 600\n"
        "  ConnectTimeout 1\n")
    inventory = remote_env.root / "hosts.toml"
    inventory.write_text(f'known_hosts = "{remote_env.known_hosts}"\n[[host]]\nname = "h0"\n'
                         f'address = "h0"\nuser = "root"\n'
                         f'identity_file = "{remote_env.client_key}"\n'
                         f'[[host.file]]\nsource = "clace"\ntarget = "{target}"\n')
    clace = remote_env.root / "clace.toml"
    clace.write_bytes(NEW)
    before = set(sleeping_proxies())

    status = main(["apply", "--inventory", str(inventory), "--clace", str(clace), "--yes"])

    captured = capsys.readouterr()
    assert status == 1, captured.err
    (record,) = records(captured.out)
    assert record[1] == "failed"
    assert record[4].startswith(
        "AP007 h0: ProxyCommand 'sleep 600' did not connect within 1 s")
    assert "Traceback" not in captured.err and "_closed" not in captured.out
    assert set(sleeping_proxies()) - before == set()  # the command was ended, not left behind
    assert target.read_bytes() == OLD


def test_an_unreachable_node_names_every_port_tried(
        remote_env: RemoteEnv, sshd_hosts: Hosts, capsys: pytest.CaptureFixture[str]) -> None:
    sshd_hosts(1)  # the suite's sshd farm is up: only this node's address is dead
    moved = free_port()
    root = remote_env.root / "provider"
    (root / "nodes").mkdir(parents=True)
    (root / "provider.json").write_text(PROVIDER_JSON)
    (root / "common.json").write_text("{}\n")
    # 127.0.0.2: loopback, where nothing listens (the sshd hosts bind 127.0.0.1 only).
    (root / "nodes" / "web1.json").write_text(
        f'{{"ip_address": "127.0.0.2", "ssh": {{"port": {moved}}}}}\n')
    inventory = remote_env.inventory(remote_env.host_toml(None, "web1", [
        {"source": "nodes/web1.json", "target": str(remote_env.remote / "web1.json")}],
        extra='leap_node = "web1"'))

    status = main(["apply", "--inventory", str(inventory), "--provider", str(root), "--yes"])

    captured = capsys.readouterr()
    assert status == 1, captured.err
    (record,) = records(captured.out)
    assert record[4].startswith(
        f"AP007 web1: cannot reach 127.0.0.2 on any port tried (port {moved}: Connection "
        "refused; port 22: Connection refused)")


def test_a_missing_target_directory_is_named_and_the_dry_run_shows_the_diff(
        remote_env: RemoteEnv, sshd_hosts: Hosts, capsys: pytest.CaptureFixture[str]) -> None:
    (host,) = sshd_hosts(1)
    remote_env.trust(host)
    missing = remote_env.remote / "leap" / "nodes"  # as /etc/leap/nodes on a fresh host
    inventory = remote_env.inventory(remote_env.host_toml(host, "h0", [
        {"source": "clace", "target": str(missing / "h0.toml")}]))
    clace = remote_env.root / "clace.toml"
    clace.write_bytes(NEW)

    status = main(["apply", "--inventory", str(inventory), "--clace", str(clace),
                   "--dry-run"])

    captured = capsys.readouterr()
    assert status == 1  # the apply would stop there
    assert f"+++ h0{missing}/h0.toml\t" in captured.out and '+level = "WARN"' in captured.out
    message = (f"PF007 error h0:{missing} does not exist (the nearest directory that exists: "
               f"{remote_env.remote}); leap-tui does not create directories")
    assert "not writable" not in captured.err
    assert " ".join(message.split()[2:]) in captured.err
    assert f"create it on the host first: mkdir -p {missing}" in captured.err
    assert not (remote_env.remote / "leap").exists()  # nothing created, even by the apply:

    status = main(["apply", "--inventory", str(inventory), "--clace", str(clace), "--yes"])
    (record,) = records(capsys.readouterr().out)
    assert status == 1 and record[1] == "failed" and record[4].startswith("PF007 h0:")
    assert not (remote_env.remote / "leap").exists()
