"""`leap-tui export ansible DIR`, run with ansible-core against real sshd hosts: the files
land, copy's backups exist, the reload ran once, and a lock-out change that cannot be
confirmed is reverted by the watchdog on the host.

ansible-playbook is a test dependency (pyproject's test extra). Its ssh reads only this
test's files: an empty ssh_config (-F) and the test's known_hosts; host keys are checked.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.plugins.requirements import missing
from tests.plugins.sshd_hosts import RemoteEnv, SshdHost, free_port
from tui.cli import main

Hosts = Callable[[int], list[SshdHost]]
OLD = b'[http]\nhost = "127.0.0.1"\nport = 25223\n'
NEW = b'[http]\nhost = "127.0.0.1"\nport = 25223\n\n[logging]\nlevel = "WARN"\n'
PLAYBOOK = Path(sys.executable).with_name("ansible-playbook")


def ansible_playbook(env: RemoteEnv, project: Path, *extra: str,
                     known_hosts: bool = True) -> subprocess.CompletedProcess[str]:
    """The play, its ssh reading only this test's files; ``known_hosts=False``: no
    UserKnownHostsFile given (ssh's default, an empty ~/.ssh/known_hosts under HOME)."""
    if not PLAYBOOK.exists():
        missing(f"{PLAYBOOK} not found: `make install` installs ansible-core (test extra)")
    ssh_config = env.root / "ansible_ssh_config"
    ssh_config.write_text("")
    control = Path(tempfile.mkdtemp(prefix="lt-cp-", dir="/tmp"))  # ControlPath is short
    environment = {
        **os.environ, "HOME": str(env.home), "LC_ALL": "C.UTF-8",
        "ANSIBLE_HOME": str(env.root / "ansible-home"),
        "ANSIBLE_LOCAL_TEMP": str(env.root / "ansible-tmp"),
        "ANSIBLE_SSH_CONTROL_PATH_DIR": str(control),
        "ANSIBLE_PYTHON_INTERPRETER": f"{sys.base_exec_prefix}/bin/python3",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_SSH_ARGS": (f"-F {ssh_config} "
                             + (f"-o UserKnownHostsFile={env.known_hosts} " if known_hosts
                                else "")
                             + f"-o GlobalKnownHostsFile={env.root / 'no-global-known-hosts'} "
                             "-o ControlMaster=auto -o ControlPersist=10s"),
    }
    environment.pop("SSH_AUTH_SOCK", None)
    try:
        return subprocess.run([str(PLAYBOOK), "-i", str(project / "inventory.yml"),
                               str(project / "apply.yml"), *extra], env=environment,
                              capture_output=True, text=True, timeout=300,
                              stdin=subprocess.DEVNULL, cwd=project)
    finally:
        shutil.rmtree(control, ignore_errors=True)


def minimal_provider(env: RemoteEnv, node_port: int | None = None) -> Path:
    root = env.root / "provider"
    (root / "nodes").mkdir(parents=True)
    (root / "files").mkdir()
    (root / "provider.json").write_text('{"domain": "example.org"}\n')
    (root / "common.json").write_text('{"ssh": {"port": 22}}\n')
    (root / "files" / "motd.txt").write_text("welcome\n")
    if node_port is not None:
        (root / "nodes" / "n1.json").write_text(json.dumps(
            {"ip_address": "127.0.0.1", "ssh": {"port": node_port}}) + "\n")
    return root


def test_exported_playbook_pushes_with_backups_and_a_handler(
        remote_env: RemoteEnv, sshd_hosts: Hosts, capsys: pytest.CaptureFixture[str]) -> None:
    hosts = sshd_hosts(2)
    remote_env.trust(*hosts)
    marker = remote_env.root / "reloads.log"
    tables = []
    for number, host in enumerate(hosts):
        (remote_env.remote / f"e{number}.toml").write_bytes(OLD)
        tables.append(remote_env.host_toml(host, f"e{number}", [
            {"source": "clace", "target": str(remote_env.remote / f"e{number}.toml"),
             "validate": "grep -q '^\\[http\\]' {path}",
             "reload": f"echo e{number} >> {marker}"},
            {"source": "files/motd.txt", "target": str(remote_env.remote / f"motd{number}")}],
            extra='groups = ["edge"]'))
    inventory = remote_env.inventory(*tables)
    clace = remote_env.root / "clace.toml"
    clace.write_bytes(NEW)
    project = remote_env.root / "project"
    args = ["export", "ansible", str(project), "--inventory", str(inventory), "--clace",
            str(clace), "--provider", str(minimal_provider(remote_env)), "--allow-errors",
            "--confirm-within", "60"]

    assert main(args) == 0
    written = capsys.readouterr().out.splitlines()
    assert str(project / "apply.yml") in written and str(project / "files/clace.toml") in written
    document = yaml.safe_load((project / "inventory.yml").read_text())
    e0 = document["all"]["hosts"]["e0"]
    assert (e0["ansible_host"], e0["ansible_port"]) == ("127.0.0.1", hosts[0].port)
    assert [f["guard"] for f in e0["leap_tui_files"]] == [True, False]
    assert document["all"]["children"]["edge"]["hosts"] == {"e0": None, "e1": None}

    done = ansible_playbook(remote_env, project)

    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    for number in range(2):
        live = remote_env.remote / f"e{number}.toml"
        assert live.read_bytes() == NEW
        (backup,) = [p for p in remote_env.remote.iterdir()
                     if p.name.startswith(f"e{number}.toml.") and p.name.endswith("~")]
        assert backup.read_bytes() == OLD
        assert (remote_env.remote / f"motd{number}").read_text() == "welcome\n"
    assert sorted(marker.read_text().split()) == ["e0", "e1"]  # the handler, once per host
    # Confirmed: the watchdog's state and script are gone.
    assert not [p for p in remote_env.remote.iterdir() if ".leap-tui-ansible." in p.name]
    # The directory is an export now: exporting again replaces it; anything else refuses.
    assert main(args) == 0
    capsys.readouterr()
    other = remote_env.root / "other"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    assert main([*args[:2], str(other), *args[3:]]) == 2
    assert "not empty and not an earlier `leap-tui export`" in capsys.readouterr().err


def test_a_lockout_change_that_is_not_confirmed_reverts(
        remote_env: RemoteEnv, sshd_host: SshdHost, capsys: pytest.CaptureFixture[str]) -> None:
    """ssh.port moves to a port nothing will listen on, and the reload takes sshd down: the
    play cannot confirm, cannot revert over the old port either, so the watchdog on the host
    puts the node file back at the deadline."""
    remote_env.trust(sshd_host)
    provider = minimal_provider(remote_env, node_port=sshd_host.port)
    git = ["git", "-C", str(provider), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "provider"], check=True)
    live = remote_env.remote / "n1.json"
    before = (provider / "nodes" / "n1.json").read_bytes()
    live.write_bytes(before)
    new_port = free_port()
    (provider / "nodes" / "n1.json").write_text(json.dumps(
        {"ip_address": "127.0.0.1", "ssh": {"port": new_port}}) + "\n")
    pidfile = sshd_host.directory / "sshd.pid"
    inventory = remote_env.inventory(remote_env.host_toml(None, "n1", [
        {"source": "nodes/n1.json", "target": str(live),
         "reload": f"kill $(cat {pidfile})"}], extra='leap_node = "n1"'))
    project = remote_env.root / "project"
    assert main(["export", "ansible", str(project), "--inventory", str(inventory),
                 "--provider", str(provider), "--allow-errors", "--confirm-within", "8"]) == 0
    capsys.readouterr()
    n1 = yaml.safe_load((project / "inventory.yml").read_text())["all"]["hosts"]["n1"]
    # Connect where sshd listens now (the last commit); confirm on the edited port.
    assert (n1["ansible_port"], n1["leap_tui_ssh_port_after"]) == (sshd_host.port, new_port)

    done = ansible_playbook(remote_env, project)

    assert done.returncode != 0
    assert "wait_for_connection" in done.stdout or "Wait for the host" in done.stdout
    # The watchdog reverts at its deadline, whenever the play gave up: wait for it.
    limit = time.monotonic() + 90
    while live.read_bytes() != before and time.monotonic() < limit:
        time.sleep(0.5)
    assert live.read_bytes() == before, done.stdout[-3000:]
    # Reverted, and nothing of the watchdog is left: its state and its script are gone.
    limit = time.monotonic() + 30
    while (leftovers := [p.name for p in remote_env.remote.iterdir()
                         if ".leap-tui-ansible." in p.name]) and time.monotonic() < limit:
        time.sleep(0.2)
    assert leftovers == []
    assert [p for p in remote_env.remote.iterdir() if p.name.endswith("~")]  # copy's backup


def test_the_inventorys_known_hosts_goes_with_the_hosts(
        remote_env: RemoteEnv, sshd_hosts: Hosts, capsys: pytest.CaptureFixture[str]) -> None:
    """hosts.toml `known_hosts = "..."`: the play's ssh checks host keys against it too, as
    leap-tui does; ~/.ssh/known_hosts (empty here) is not where the keys are."""
    (host,) = sshd_hosts(1)
    remote_env.trust(host)  # into the inventory's known_hosts file only
    live = remote_env.remote / "k0.toml"
    live.write_bytes(OLD)
    inventory = remote_env.inventory(remote_env.host_toml(host, "k0", [
        {"source": "clace", "target": str(live)}]))
    clace = remote_env.root / "clace.toml"
    clace.write_bytes(NEW)
    project = remote_env.root / "project"
    assert main(["export", "ansible", str(project), "--inventory", str(inventory), "--clace",
                 str(clace), "--allow-errors", "--confirm-within", "60"]) == 0
    capsys.readouterr()
    k0 = yaml.safe_load((project / "inventory.yml").read_text())["all"]["hosts"]["k0"]
    assert k0["ansible_ssh_common_args"] == (
        f"-o 'UserKnownHostsFile={remote_env.known_hosts} ~/.ssh/known_hosts "
        "~/.ssh/known_hosts2'")

    done = ansible_playbook(remote_env, project, known_hosts=False)

    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert live.read_bytes() == NEW
    assert not [p for p in remote_env.remote.iterdir() if ".leap-tui-ansible." in p.name]


def test_the_watchdog_window_starts_at_the_copy(tmp_path: Path) -> None:
    """Ansible's slow tasks before the copy do not count against the window: the watchdog
    waits for a kept file to change, then counts; unchanged, it stands down."""
    from tui.core.export.ansible_playbook import watchdog_script

    script = tmp_path / "watchdog.sh"
    script.write_text(watchdog_script())
    live = tmp_path / "live.toml"
    live.write_bytes(OLD)
    state = tmp_path / "live.toml.leap-tui-ansible.1"
    subprocess.run(["/bin/sh", str(script), "keep", str(state), str(live)], check=True)
    waiting = subprocess.Popen(["/bin/sh", str(script), "wait", str(state), "1", "600"])
    try:
        time.sleep(3)  # three windows long, and no file changed: nothing to revert yet
        assert waiting.poll() is None and state.is_dir() and live.read_bytes() == OLD
        live.write_bytes(NEW)  # the play's copy
        assert waiting.wait(60) == 0
    finally:
        if waiting.poll() is None:
            waiting.kill()
    assert live.read_bytes() == OLD  # not confirmed within 1 s of the copy: reverted
    assert not state.exists() and not script.exists()

    script.write_text(watchdog_script())
    subprocess.run(["/bin/sh", str(script), "keep", str(state), str(live)], check=True)
    # Nothing pushed within SETUP (a copy failed): the watchdog stands down, reverts nothing.
    assert subprocess.run(["/bin/sh", str(script), "wait", str(state), "1", "1"],
                          timeout=60).returncode == 0
    assert live.read_bytes() == OLD and not state.exists() and not script.exists()
