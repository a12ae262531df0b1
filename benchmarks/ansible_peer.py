"""Versus a peer: the same push (copy with backup, 10 hosts) by ansible and by leap-tui.

ansible-core comes from PyPI into its own venv (created here when missing, with pip), never
into the project's. Both push the edited clace.toml to the same 10 loopback sshd hosts: ansible
with the copy module (backup=yes, forks 16, an inventory of ansible_host=127.0.0.1 and
ansible_port per host, the generated client key), leap-tui with `apply --yes --parallel 16`.
Host key checking is off only in this benchmark's own ansible.cfg, for throwaway sshd
instances on loopback; leap-tui checks the keys as always. Each ansible run gets a fresh
ControlPath directory, so that neither tool reuses an SSH connection of an earlier run.
Target: leap-tui at least 5x faster.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import Result, median, spread
from benchmarks.fanout import PushWorld, flip_change, leap_apply, make_world, start_farm
from tests.plugins.sshd_hosts import SshdHost

TARGET_SPEEDUP = 5.0
ANSIBLE_VENV = Path(tempfile.gettempdir()) / "bench-ansible-venv"
HOSTS = 10
# ansible's copy of the file sits beside leap-tui's: leap-tui would rightly call a file that
# another tool changed drift (AP003) and stop.
ANSIBLE_FILE = "clace-ansible.toml"


def _peer_file(world: PushWorld, host: SshdHost) -> Path:
    return world.remote_file(host).with_name(ANSIBLE_FILE)


def ansible_bin(venv: Path = ANSIBLE_VENV) -> Path:
    return venv / "bin" / "ansible"


def ensure_ansible(venv: Path = ANSIBLE_VENV) -> Path:
    """The ansible command of ``venv``, installing ansible-core there first if needed."""
    if not ansible_bin(venv).exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "ansible-core"],
                       check=True)
    return ansible_bin(venv)


def write_ansible_files(world: PushWorld, hosts: int = HOSTS) -> Path:
    """ansible.cfg and inventory.ini for the first ``hosts`` hosts; returns the cfg path."""
    lines = [f"{h.name} ansible_host=127.0.0.1 ansible_port={h.port} ansible_user={world.user} "
             f"ansible_ssh_private_key_file={world.farm.client_key}"
             for h in world.hosts[:hosts]]
    inventory = world.root / "inventory.ini"
    inventory.write_text("[targets]\n" + "\n".join(lines) + "\n")
    config = world.root / "ansible.cfg"
    config.write_text(
        "[defaults]\n"
        f"inventory = {inventory}\n"
        "forks = 16\n"
        # Throwaway sshd instances on loopback, keys generated a second ago: only here.
        "host_key_checking = False\n"
        f"interpreter_python = {sys.base_exec_prefix}/bin/python3\n"
        "retry_files_enabled = False\n"
        "gathering = explicit\n")
    return config


def ansible_push(world: PushWorld, ansible: Path, config: Path, run: int) -> float:
    wanted = flip_change(world)
    dest = f"{world.remote}/{{{{ inventory_hostname }}}}/{ANSIBLE_FILE}"
    env = {**os.environ, "ANSIBLE_CONFIG": str(config), "HOME": str(world.root / "home"),
           "ANSIBLE_SSH_CONTROL_PATH_DIR": str(world.root / f"cp-{run}"),
           "ANSIBLE_LOCAL_TEMP": str(world.root / "ansible-tmp")}
    env.pop("SSH_AUTH_SOCK", None)
    command = [str(ansible), "targets", "-m", "copy", "-a",
               f"src={world.clace} dest={dest} backup=yes"]
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    seconds = time.perf_counter() - start
    stale = [h.name for h in world.hosts[:HOSTS] if _peer_file(world, h).read_bytes() != wanted]
    if done.returncode != 0 or stale:
        raise RuntimeError(f"ansible failed (exit {done.returncode}, not changed: {stale}): "
                           f"{(done.stdout + done.stderr)[-1500:]}")
    return seconds


def main(runs: int = 3, install: bool = True, hosts: int = HOSTS,
         venv: Path = ANSIBLE_VENV) -> list[Result]:
    if not install and not ansible_bin(venv).exists():
        return [Result("vs a peer: ansible copy (backup=yes, forks 16)", "", "leap-tui >= 5x",
                       "not measured", notes=[f"ansible not installed in {venv}"])]
    ansible = ensure_ansible(venv)
    version = subprocess.run([str(ansible), "--version"], capture_output=True,
                             text=True).stdout.splitlines()[0]
    with tempfile.TemporaryDirectory(prefix="leap-bench-peer-") as tmp:
        farm = start_farm(Path(tmp) / "sshd", hosts)
        try:
            world = make_world(Path(tmp), farm)
            config = write_ansible_files(world, hosts)
            for host in world.hosts:
                _peer_file(world, host).write_bytes(world.clace.read_bytes())
            leap_apply(world, world.hosts[:hosts])  # first contact for both
            ansible_push(world, ansible, config, 0)
            peer, ours = [], []
            for run in range(1, runs + 1):
                peer.append(ansible_push(world, ansible, config, run))
                ours.append(leap_apply(world, world.hosts[:hosts]).wall)
        finally:
            farm.stop_all()
    speedup = median(peer) / median(ours)
    return [
        Result(f"vs a peer: ansible copy to {hosts} hosts",
               f"`ansible -m copy -a 'src=... dest=... backup=yes'`, forks 16 ({version}, own "
               "venv), fresh ControlPath per run, subprocess wall time",
               "reference", f"{median(peer):.2f} s",
               notes=[f"ansible: {runs} runs, {spread(peer)}"]),
        Result(f"vs a peer: leap-tui apply to {hosts} hosts",
               "`leap-tui apply --yes --parallel 16`, same hosts, same file, backup kept",
               f">= {TARGET_SPEEDUP:.0f}x faster than ansible", f"{median(ours):.2f} s",
               f"{speedup:.1f}x faster", speedup >= TARGET_SPEEDUP,
               notes=[f"leap-tui vs ansible: {runs} runs, {spread(ours)}"]),
    ]


if __name__ == "__main__":
    for result in main():
        print(f"{result.figure:45} {result.measured:>8} {result.ratio:>12} {result.met_text}")
        for note in result.notes:
            print("   ", note)
