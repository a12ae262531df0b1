"""Review 2's findings on apply/rollback (H1-H3, M1-M3, L1, L3, L5-L7), each reproduced."""

from __future__ import annotations

import dataclasses
import os
import re
import signal
import stat
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.plugins.sshd_hosts import SSH_KEYGEN, RemoteEnv, SshdHost, descendants
from tests.test_remote_apply import NEW, OLD, backups, live_file, one_host
from tui.core.inventory import load_inventory
from tui.core.remote.changes import (
    LockoutRisk,
    effective_ssh_ports,
    ssh_port_risks,
    unshipped_port_moves,
)
from tui.core.remote.errors import RemoteError
from tui.core.remote.fleet import apply_fleet, rollback_fleet
from tui.core.remote.hostkeys import KnownHosts
from tui.core.remote.journal import Journal
from tui.core.remote.plan import plan
from tui.core.remote.protocol import HostOperation, RunOptions, journal_detail
from tui.core.remote.ssh import Endpoint, SshOptions
from tui.core.remote.step_confirm import confirm_endpoint
from tui.core.remote.step_swap import undo
from tui.core.remote.watchdog import Watchdog

Hosts = Callable[[int], list[SshdHost]]
SAMPLES = Path(__file__).resolve().parent.parent / "sample_configs"


def watchdog_processes(directory: Path) -> list[int]:
    """Live processes whose command line names a watchdog script in ``directory``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if str(directory) in cmdline and ".watchdog" in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


def stepped(options: RunOptions, data: bytes = NEW) -> HostOperation:
    (host_plan,) = plan(options.inventory, {"clace": data})
    operation = HostOperation(host_plan, options)
    operation.connect()
    operation.inspect()
    operation.stage()
    return operation


# -- H1: revert now stops the waiting watchdog ---------------------------------------------

def test_declined_change_leaves_no_watchdog_to_act_at_the_deadline(
        remote_env: RemoteEnv, sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    target = remote_env.remote / "created.toml"  # absent before: reverting removes it
    reloads = remote_env.root / "reloads"
    options = remote_env.options(one_host(remote_env, host, target,
                                          reload=f"echo r >> {reloads}"),
                                 confirm_within=2.0, confirm=lambda name, deadline: False)

    (result,) = apply_fleet(plan(options.inventory, {"clace": NEW}), options)

    assert result.status == "reverted"
    assert not target.exists()
    assert watchdog_processes(remote_env.remote) == []
    target.write_bytes(b"re-applied by the operator\n")
    time.sleep(3.0)  # past the deadline of the declined change
    assert target.read_bytes() == b"re-applied by the operator\n"
    assert reloads.read_text() == "r\nr\n"  # the apply's, then the revert's: no third
    assert sorted(p.name for p in remote_env.remote.iterdir()) == ["created.toml"]


# -- H2: a deploy host confirms where its watchdog is --------------------------------------

def sample_operation(tmp_path: Path, host: str) -> HostOperation:
    inventory = load_inventory(SAMPLES / "hosts.toml")
    options = RunOptions(ssh=SshOptions(KnownHosts([], tmp_path / "known_hosts")),
                         journal=Journal(tmp_path / "state"), inventory=inventory,
                         provider_root=SAMPLES / "provider")
    (host_plan,) = plan(inventory, {"clace": b"", "nodes/web1.json": b"{}",
                                    "nodes/vpn1.json": b"{}"}, [host])
    operation = HostOperation(host_plan, options)
    operation.endpoint = Endpoint(host, f"{host}.demo.example.org", 22, "leap")
    return operation


def test_deploy_host_proves_the_node_but_confirms_on_itself(tmp_path: Path) -> None:
    operation = sample_operation(tmp_path, "deploy")
    operation.risks = [LockoutRisk("node web1 ssh.port: 22 -> 2222", node="web1",
                                   old_ssh_port=22, new_ssh_port=2222)]

    endpoint, aliases, node, same_host = confirm_endpoint(operation)

    assert (endpoint.hostname, endpoint.port, node) == ("192.0.2.10", 2222, "web1")
    assert "192.0.2.10" in aliases  # the key known on port 22 proves the new port
    assert same_host is False  # so confirm_command runs over the deploy host's session


def test_host_moving_its_own_port_confirms_over_the_new_connection(tmp_path: Path) -> None:
    operation = sample_operation(tmp_path, "clace1")
    assert confirm_endpoint(operation)[3] is True  # no port move: this very host
    operation.host = dataclasses.replace(operation.host, leap_node="web1")
    inventory = operation.options.inventory
    operation.options.inventory = dataclasses.replace(
        inventory, hosts=(operation.host, *inventory.hosts[1:]))
    operation.risks = [LockoutRisk("r", node="web1", old_ssh_port=22, new_ssh_port=2222)]
    endpoint, _, _, same_host = confirm_endpoint(operation)
    assert endpoint.port == 2222 and same_host is True


# -- H3: ssh.port moved through common.json, services/ or tags/ ----------------------------

def provider(tmp_path: Path, common_port: int) -> Path:
    root = tmp_path / "provider"
    for rel, text in {
        "common.json": f'// shared\n{{"ssh": {{"port": {common_port}}}}}\n',
        "services/webapp.json": "{}\n",
        "tags/production.json": "{}\n",
        "nodes/web1.json": '{"ip_address": "127.0.0.1", "services": "webapp"}\n',
        "nodes/db1.json": '{"ip_address": "127.0.0.2", "tags": ["production"]}\n',
        "nodes/mx1.json": '{"ip_address": "127.0.0.3", "ssh": {"port": 22}}\n',
    }.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def test_every_shared_file_can_move_a_nodes_ssh_port(tmp_path: Path) -> None:
    root = provider(tmp_path, 22)
    assert effective_ssh_ports(root, {}) == {"db1": 22, "mx1": 22, "web1": 22}
    moved = {"common.json": b'{"ssh": {"port": 2222}}'}
    assert [r.reason for r in ssh_port_risks(root, {}, moved)] == [
        "node db1 ssh.port: 22 -> 2222", "node web1 ssh.port: 22 -> 2222"]  # mx1 sets its own
    service = ssh_port_risks(root, {}, {"services/webapp.json": b'{"ssh": {"port": 2200}}'})
    assert [(r.node, r.new_ssh_port) for r in service] == [("web1", 2200)]
    tag = ssh_port_risks(root, {}, {"tags/production.json": b'{"ssh": {"port": 2201}}'})
    assert [(r.node, r.old_ssh_port, r.new_ssh_port) for r in tag] == [("db1", 22, 2201)]


def test_port_move_in_a_file_no_host_ships_is_reported(tmp_path: Path) -> None:
    root = provider(tmp_path, 2222)  # edited on disk; the original said 22
    original = {"common.json": b'{"ssh": {"port": 22}}'}
    warnings = unshipped_port_moves(root, {"nodes/web1.json"}, original)
    assert warnings == [
        "node db1 ssh.port: 22 -> 2222, but no host in the inventory ships common.json: "
        "the move is not pushed",
        "node web1 ssh.port: 22 -> 2222, but no host in the inventory ships common.json: "
        "the move is not pushed"]
    assert unshipped_port_moves(root, {"common.json"}, original) == []


def test_common_json_port_move_gets_the_window_from_the_live_bytes(
        remote_env: RemoteEnv, sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    root = provider(remote_env.root, 2222)  # the local copy is already edited
    live = remote_env.remote / "common.json"
    live.write_text('{"ssh": {"port": 22}}\n')  # the host still has the old one
    remote_env.trust(host)
    inventory = remote_env.inventory(remote_env.host_toml(host, "deploy", [
        {"source": "common.json", "target": str(live)}]))
    options = remote_env.options(inventory, provider_root=root, dry_run=True)

    (result,) = apply_fleet(plan(options.inventory,
                                 {"common.json": (root / "common.json").read_bytes()}), options)

    assert result.status == "dry-run", result
    assert result.lockout == ["node db1 ssh.port: 22 -> 2222", "node web1 ssh.port: 22 -> 2222"]


# -- M1: a peer that stops answering does not hold the worker -----------------------------

@pytest.mark.timeout(30)
def test_stalled_peer_times_out_instead_of_hanging(remote_env: RemoteEnv,
                                                   sshd_host: SshdHost) -> None:
    target = live_file(remote_env)
    options = remote_env.options(one_host(remote_env, sshd_host, target))
    options.ssh.command_timeout = 1.5
    (host_plan,) = plan(options.inventory, {"clace": NEW})
    operation = HostOperation(host_plan, options)
    operation.connect()
    operation.live.sftp.stat(str(target))  # the SFTP channel is open
    assert operation.conn is not None
    transport = operation.conn.client.get_transport()
    assert transport is not None and transport.packetizer._Packetizer__keepalive_interval == 15  # type: ignore[attr-defined]
    sessions = descendants(sshd_host.process.pid)  # type: ignore[union-attr]
    for pid in sessions:
        os.kill(pid, signal.SIGSTOP)  # blackholed: the TCP link stays, nothing answers
    started = time.monotonic()
    try:
        with pytest.raises((OSError, RemoteError)):
            operation.inspect()
        with pytest.raises(RemoteError):
            operation.live.run("true")
    finally:
        for pid in sessions:
            os.kill(pid, signal.SIGCONT)
        operation.close()
    assert time.monotonic() - started < 10


# -- M2: a cut between two renames, or before the reload, reverts by itself ---------------

def test_cut_between_two_renames_reverts_by_itself(remote_env: RemoteEnv,
                                                   sshd_host: SshdHost) -> None:
    first, second = live_file(remote_env, "a.toml"), live_file(remote_env, "b.toml")
    remote_env.trust(sshd_host)
    inventory = remote_env.inventory(remote_env.host_toml(sshd_host, "h1", [
        {"source": "clace", "target": str(first)}, {"source": "clace", "target": str(second)}]))
    options = remote_env.options(inventory, safety_window=2.0)
    swaps: list[str] = []

    def on_event(name: str, stage: str, detail: str) -> None:
        if stage == "swap":
            swaps.append(detail)
            if len(swaps) == 2:
                sshd_host.kill_sessions()  # after the first rename, before the second

    options.on_event = on_event
    (result,) = apply_fleet(plan(options.inventory, {"clace": NEW}), options)

    assert result.status == "failed"
    assert re.fullmatch(r"connection lost during the swap: h1 will revert by itself at "
                        r"\d\d:\d\d:\d\d", result.message)
    assert first.read_bytes() == NEW and second.read_bytes() == OLD  # half-applied for now
    deadline = time.monotonic() + 8
    while (backups(first) or backups(second)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert (first.read_bytes(), second.read_bytes()) == (OLD, OLD)
    assert backups(first) == [] and backups(second) == []


def test_safety_net_is_confirmed_at_once_and_leaves_nothing(remote_env: RemoteEnv,
                                                             sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    target = live_file(remote_env)
    options = remote_env.options(one_host(remote_env, host, target, reload="true"),
                                 safety_window=2.0)
    events: list[str] = []
    options.on_event = lambda name, stage, detail: events.append(stage)

    (result,) = apply_fleet(plan(options.inventory, {"clace": NEW}), options)

    assert result.status == "applied" and result.lockout == []
    assert events.index("arm") < events.index("swap") < events.index("reload")
    assert "reconnect" not in events  # confirmed over the same session
    assert [e.result for e in Journal(remote_env.state).entries("h1")] == ["pending", "applied"]
    time.sleep(2.5)  # past the safety window: the watchdog was stopped
    assert target.read_bytes() == NEW
    assert [p.name for p in remote_env.remote.iterdir() if ".leap-tui." in p.name] == [
        backups(target)[0].name]
    assert watchdog_processes(remote_env.remote) == []


# -- M3: a failure after the backup leaves no backup behind -------------------------------

def test_failed_arming_leaves_no_backup_for_rollback_to_stick_on(
        remote_env: RemoteEnv, sshd_hosts: Hosts, monkeypatch: pytest.MonkeyPatch) -> None:
    (host,) = sshd_hosts(1)
    target = live_file(remote_env)
    options = remote_env.options(one_host(remote_env, host, target), confirm_within=5.0)
    monkeypatch.setattr(Watchdog, "launch_command", lambda self, window: "echo no setsid; exit 1")

    (result,) = apply_fleet(plan(options.inventory, {"clace": NEW}), options)

    assert result.status == "failed" and "arming the watchdog" in result.message
    assert target.read_bytes() == OLD
    assert sorted(p.name for p in remote_env.remote.iterdir()) == ["clace.toml"]
    (undone,) = rollback_fleet(options.inventory.hosts, options)
    assert undone.status == "failed" and "no leap-tui backup" in undone.message


# -- L1: the watchdog already reverting is waited for, never raced ------------------------

def test_undo_while_the_watchdog_reverts_waits_for_it(remote_env: RemoteEnv,
                                                      sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    target = live_file(remote_env)
    options = remote_env.options(one_host(remote_env, host, target), confirm_within=30.0)
    operation = stepped(options)
    operation.swap()
    watchdog = operation.watchdog
    assert watchdog is not None
    (backup,) = backups(target)
    # The watchdog won the decision and has put the file back, its reload still running.
    os.mkdir(watchdog.decided)
    os.replace(backup, target)

    def finish_revert() -> None:
        time.sleep(0.6)
        Path(watchdog.decided, "reverted").write_text("now\n")

    helper = threading.Thread(target=finish_revert)
    helper.start()
    try:
        undo(operation, [s for s in operation.files if s.swapped], "declined")
    finally:
        helper.join()
        operation.close()

    assert target.read_bytes() == OLD
    assert Journal(remote_env.state).entries("h1")[-1].result == "reverted"
    assert not Path(watchdog.decided).exists() and not Path(watchdog.script).exists()


# -- L3: the default keys' passphrase is asked, a wrong one asked again --------------------

def test_passphrase_of_a_default_key_is_asked_and_a_wrong_one_again(
        remote_env: RemoteEnv, sshd_host: SshdHost) -> None:
    key = remote_env.home / ".ssh" / "id_ed25519"
    subprocess.run([str(SSH_KEYGEN), "-q", "-t", "ed25519", "-N", "s3cret", "-f", str(key)],
                   check=True, capture_output=True)
    sshd_host.authorized_keys.write_text(key.with_suffix(".pub").read_text())
    target = live_file(remote_env)
    remote_env.trust(sshd_host)
    inventory = remote_env.inventory("\n".join([
        "[[host]]", 'name = "h1"', 'address = "127.0.0.1"', f"port = {sshd_host.port}",
        'user = "root"', "[[host.file]]", 'source = "clace"', f'target = "{target}"']))
    options = remote_env.options(inventory)
    answers = ["wrong", "s3cret"]
    asked: list[str] = []

    def ask(path: str) -> str:
        asked.append(path)
        return answers.pop(0)

    options.ssh.ask_passphrase = ask
    (result,) = apply_fleet(plan(options.inventory, {"clace": NEW}), options)

    assert result.status == "applied", result
    assert asked == [str(key), str(key)]
    assert target.read_bytes() == NEW


# -- L5: a short tail of command output in the journal ------------------------------------

def test_journal_keeps_only_a_short_tail_of_command_output(remote_env: RemoteEnv,
                                                           sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    target = live_file(remote_env)
    secret = "TOKEN-" + "x" * 400 + "-END"
    options = remote_env.options(one_host(remote_env, host, target,
                                          reload=f"echo {secret}; exit 9"))

    (result,) = apply_fleet(plan(options.inventory, {"clace": NEW}), options)

    assert [f.code for f in result.findings] == ["AP008"]
    entry = Journal(remote_env.state).entries("h1")[-1]
    assert entry.result == "reverted"
    assert len(entry.detail) <= 160 and "x" * 200 not in entry.detail
    assert entry.detail.startswith("reload failed (exit 9)")
    assert journal_detail("short") == "short"


# -- L6: the state directory is private from the first write ------------------------------

def test_state_directory_is_private_whatever_is_written_first(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)
    try:
        journal = Journal(tmp_path / "fresh" / "state")
        journal.store_blob(b"a whole configuration\n")
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE((tmp_path / "fresh" / "state").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "fresh" / "state" / "blobs").stat().st_mode) == 0o700


# -- L7: temporary uploads of an interrupted run are swept --------------------------------

def test_stale_upload_leftovers_are_swept(remote_env: RemoteEnv, sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    target = live_file(remote_env)
    now = time.strftime('%Y%m%dT%H%M%S')
    stale = remote_env.remote / ".other.toml.leap-tui.20250101T000000.000000Z.tmp"
    recent = remote_env.remote / f".other.toml.leap-tui.{now}Z.tmp"
    ours = remote_env.remote / f".clace.toml.leap-tui.{now}Z.tmp"
    for leftover in (stale, recent, ours):
        leftover.write_bytes(b"half an upload")
    an_hour_ago = time.time() - 3600
    os.utime(stale, (an_hour_ago, an_hour_ago))
    options = remote_env.options(one_host(remote_env, host, target))

    (result,) = apply_fleet(plan(options.inventory, {"clace": NEW}), options)

    assert result.status == "applied"
    assert not stale.exists()
    assert recent.exists()  # may be another run's upload of a file this run does not lock
    assert not ours.exists()  # this run holds clace.toml's lock: nobody else uploads it
