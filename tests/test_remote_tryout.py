"""What a new operator met over SSH, against real sshd hosts: a ProxyCommand that never
connects, a LEAP node unreachable on every port tried, a rollback with nothing left, the
history's stamps, many agent keys."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.plugins.requirements import missing
from tests.plugins.sshd_hosts import RemoteEnv, SshdFarm, SshdHost, free_port, keygen
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


def test_history_names_only_backups_rollback_can_find_and_nothing_left_is_ap018(
        remote_env: RemoteEnv, sshd_hosts: Hosts, capsys: pytest.CaptureFixture[str]) -> None:
    (host,) = sshd_hosts(1)
    remote_env.trust(host)
    live = remote_env.remote / "h0.toml"
    live.write_bytes(OLD)
    inventory = remote_env.inventory(remote_env.host_toml(host, "h0", [
        {"source": "clace", "target": str(live)}]))
    clace = remote_env.root / "clace.toml"
    clace.write_bytes(NEW)
    assert main(["apply", "--inventory", str(inventory), "--clace", str(clace), "--yes"]) == 0
    assert main(["rollback", "--inventory", str(inventory), "--yes"]) == 0
    assert live.read_bytes() == OLD
    capsys.readouterr()

    assert main(["history"]) == 0
    rows = records(capsys.readouterr().out)  # time host action file result ... backup
    assert [(r[2], r[4]) for r in rows] == [("rollback", "rolled-back"), ("apply", "applied")]
    assert rows[0][7] == "-"  # the rollback's copy of what it replaced is not kept
    stamp = rows[1][7].removesuffix(" (restored: gone)")
    assert rows[1][7].endswith(" (restored: gone)")
    leftovers = [p.name for p in remote_env.remote.iterdir() if ".leap-tui." in p.name]
    assert leftovers == []  # what history calls gone is gone: no stamp to restore

    status = main(["rollback", "--inventory", str(inventory), "--yes"])
    (record,) = records(capsys.readouterr().out)
    assert status == 1 and record[1] == "failed"
    assert record[4].startswith(f"AP018 nothing to roll back on h0: no leap-tui backup of {live} "
                                "is left (each rollback uses one up)")
    status = main(["rollback", "--inventory", str(inventory), "--to", stamp, "--yes"])
    (record,) = records(capsys.readouterr().out)
    assert status == 1 and record[4].startswith(
        f"AP018 nothing to roll back on h0: no backup of {live} matching {stamp}")
    assert live.read_bytes() == OLD


def test_too_many_agent_keys_is_said_as_ssh_says_it(
        remote_env: RemoteEnv, sshd_farm: SshdFarm, monkeypatch: pytest.MonkeyPatch) -> None:
    """sshd hangs up after MaxAuthTries failed keys: "Too many authentication failures",
    not a bare "authentication failed"."""
    from tests.test_ssh_config_sshd import SSH_ADD, SSH_AGENT, ssh_agent
    from tui.core.remote.errors import AuthError

    if not (SSH_AGENT.exists() and SSH_ADD.exists()):
        missing("ssh-agent/ssh-add not found: the test needs OpenSSH's client")
    host = sshd_farm.start_host(lambda _: "MaxAuthTries 2\n")
    try:
        remote_env.trust_user(host)
        strangers = [remote_env.root / f"stranger{n}" for n in range(3)]
        for key in strangers:
            keygen(key)
        with ssh_agent(remote_env.root, *strangers) as agent:
            monkeypatch.setenv("SSH_AUTH_SOCK", str(agent))
            with pytest.raises(AuthError) as refused:
                remote_env.reach("127.0.0.1", port=host.port)
    finally:
        host.stop()
    message = str(refused.value)
    assert message.startswith("h1: 127.0.0.1 closed the connection: Too many authentication "
                              "failures (as root")
    assert "IdentitiesOnly yes" in refused.value.hint
