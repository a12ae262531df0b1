"""Fan-out: `leap-tui apply` of one change to 1, 10 and 50 sshd hosts, --parallel 16.

The hosts are real OpenSSH servers on loopback (127.0.0.1, one port each), started with the
test suite's own fixture code (tests/plugins/sshd_hosts.py): own host key each, one client
key, every host key in the inventory's known_hosts. Each run flips ``logging.level`` in the
local clace.toml (a change with no lock-out risk, so no confirm window) and runs the real
command line, `leap-tui apply --yes --parallel 16`, as a subprocess: the wall time includes
starting Python and importing paramiko, as the operator sees it. Target: 50 hosts within
2.5x the wall time of 1 host.

On 2 cores 50 hosts are CPU-bound, so the figure that says how well the run uses the
machine is wall / ((CPU of leap-tui + CPU of the sshd side) / cores): 1.00x would be both
cores busy from start to end. Target: <= 1.15x. The sshd hosts log at LogLevel VERBOSE,
which names every session they start: the SSH connections, remote commands (exec) and SFTP
sessions per host are counted from those logs, for the issue's "1 remote command per host".

The floor is what one host cannot go below: one paramiko connect (key exchange, auth) +
SFTP write + rename, timed in-process.
"""

from __future__ import annotations

import getpass
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks import REPO_ROOT, SAMPLES, Result, median, spread
from tests.plugins.sshd_hosts import SshdFarm, SshdHost, keygen

TARGET_RATIO = 2.5
TARGET_BUSY = 1.15  # wall / ((leap-tui + sshd CPU) / cores), 50 hosts
_PUSH = "# benchmark push "
TARGET_COMMANDS = 1  # remote commands (exec) per host per apply
# What sshd logs at LogLevel VERBOSE for each connection and each session it starts.
_ACCEPTED = re.compile(r"^Accepted publickey for ", re.MULTILINE)
_COMMAND = re.compile(r"^Starting session: command for ", re.MULTILINE)
_SFTP = re.compile(r"^Starting session: subsystem 'sftp' for ", re.MULTILINE)
LEAP_TUI = Path(sys.executable).with_name("leap-tui")


@dataclass
class PushWorld:
    """A client side (HOME, state, clace.toml) and the remote files of ``hosts``."""

    root: Path
    farm: SshdFarm
    hosts: list[SshdHost]
    clace: Path
    remote: Path
    known_hosts: Path
    user: str

    def remote_file(self, host: SshdHost) -> Path:
        return self.remote / host.name / "clace.toml"


def start_farm(base: Path, count: int) -> SshdFarm:
    Path("/run/sshd").mkdir(parents=True, exist_ok=True)  # sshd's privilege-separation dir
    base.mkdir(parents=True, exist_ok=True)
    client_key = base / "client_ed25519"
    farm = SshdFarm(base, client_key, keygen(client_key))
    for _ in range(count):
        farm.start_host(lambda _directory: "LogLevel VERBOSE\n")
    return farm


@dataclass(frozen=True)
class Sessions:
    """What the hosts' sshd logs say one run opened, summed over the hosts."""

    connections: int = 0
    commands: int = 0
    sftp: int = 0

    def per_host(self, hosts: int) -> str:
        return (f"{self.commands / hosts:g} remote command(s) (exec), {self.sftp / hosts:g} "
                f"SFTP session(s), {self.connections / hosts:g} SSH connection(s) per host")


def log_sizes(hosts: list[SshdHost]) -> list[int]:
    return [host.log.stat().st_size if host.log.exists() else 0 for host in hosts]


def sessions_since(hosts: list[SshdHost], sizes: list[int]) -> Sessions:
    connections = commands = sftp = 0
    for host, size in zip(hosts, sizes, strict=True):
        with host.log.open("rb") as handle:
            handle.seek(size)
            text = handle.read().decode(errors="replace")
        connections += len(_ACCEPTED.findall(text))
        commands += len(_COMMAND.findall(text))
        sftp += len(_SFTP.findall(text))
    return Sessions(connections, commands, sftp)


def make_world(root: Path, farm: SshdFarm) -> PushWorld:
    root.mkdir(parents=True, exist_ok=True)
    clace = root / "clace.toml"
    clace.write_bytes((SAMPLES / "clace.toml").read_bytes())
    remote = root / "remote"
    for host in farm.running:
        (remote / host.name).mkdir(parents=True)
        (remote / host.name / "clace.toml").write_bytes(clace.read_bytes())
    known = root / "known_hosts"
    known.write_text("".join(h.known_hosts_line() for h in farm.running))
    (root / "home" / ".ssh").mkdir(parents=True)
    return PushWorld(root, farm, list(farm.running), clace, remote, known, getpass.getuser())


def write_inventory(world: PushWorld, hosts: list[SshdHost]) -> Path:
    tables = [f'known_hosts = "{world.known_hosts}"', ""]
    for host in hosts:
        tables += ["[[host]]", f'name = "{host.name}"', 'address = "127.0.0.1"',
                   f"port = {host.port}", f'user = "{world.user}"',
                   f'identity_file = "{world.farm.client_key}"', "[[host.file]]",
                   'source = "clace"', f'target = "{world.remote_file(host)}"', ""]
    path = world.root / f"hosts-{len(hosts)}.toml"
    path.write_text("\n".join(tables))
    return path


def flip_change(world: PushWorld) -> bytes:
    """Edit the local clace.toml (INFO <-> DEBUG, and a comment numbering the push): every
    push has one change to carry to every host, also to hosts the previous push left out
    (without the number, a 10-host push after a 1-host one found 9 hosts unchanged)."""
    text = world.clace.read_text()
    if 'level = "INFO"' in text:
        text = text.replace('level = "INFO"', 'level = "DEBUG"')
    else:
        text = text.replace('level = "DEBUG"', 'level = "INFO"')
    body, _, last = text.rstrip("\n").rpartition("\n")
    number = last.removeprefix(_PUSH)
    text = (f"{body}\n{_PUSH}{int(number) + 1}\n" if last.startswith(_PUSH) and number.isdigit()
            else f"{text.rstrip(chr(10))}\n{_PUSH}1\n")
    world.clace.write_text(text)
    return text.encode()


@dataclass
class Push:
    wall: float
    client_cpu: float  # user + system seconds of the leap-tui process
    server_cpu: float  # user + system seconds of the hosts' sshd and what they ran
    output: str = ""  # what leap-tui printed (stdout and stderr)
    sessions: Sessions = Sessions()

    def busy_ratio(self, cores: int) -> float:
        """Wall time over the CPU time spread on every core: 1.0 is no core ever idle."""
        return self.wall / ((self.client_cpu + self.server_cpu) / cores)


def sshd_cpu(hosts: list[SshdHost]) -> float:
    """CPU seconds used so far by the hosts' sshd listeners and their reaped sessions."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for host in hosts:
        if host.process is None:
            continue
        fields = Path(f"/proc/{host.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
    return total / tick


def leap_apply(world: PushWorld, hosts: list[SshdHost], parallel: int = 16,
               extra: tuple[str, ...] = ()) -> Push:
    """One `leap-tui apply --yes [EXTRA...]`; raises if any host did not get the change."""
    inventory = write_inventory(world, hosts)
    wanted = flip_change(world)
    env = {**os.environ, "HOME": str(world.root / "home"),
           "LEAP_TUI_STATE_DIR": str(world.root / "state")}
    env.pop("SSH_AUTH_SOCK", None)
    command = [str(LEAP_TUI), "apply", "--clace", str(world.clace), "--inventory",
               str(inventory), "--yes", "--parallel", str(parallel), *extra]
    server_before = sshd_cpu(hosts)
    logged = log_sizes(hosts)
    with tempfile.TemporaryFile() as output:
        start = time.perf_counter()
        process = subprocess.Popen(command, env=env, cwd=REPO_ROOT, stdout=output,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        text = output.read().decode(errors="replace")
    time.sleep(0.05)  # let the listeners reap their last sessions before reading their CPU
    server = sshd_cpu(hosts) - server_before
    stale = [h.name for h in hosts if world.remote_file(h).read_bytes() != wanted]
    if process.returncode != 0 or stale:
        raise RuntimeError(f"leap-tui apply failed (exit {process.returncode}, not changed: "
                           f"{stale[:5]}): {text[-1500:]}")
    return Push(seconds, usage.ru_utime + usage.ru_stime, server, text,
                sessions_since(hosts, logged))


def paramiko_floor(world: PushWorld, runs: int) -> list[float]:
    """One connect + SFTP write + rename to one host, in-process (imports not counted)."""
    import paramiko

    host = world.hosts[0]
    key = paramiko.Ed25519Key.from_private_key_file(str(world.farm.client_key))
    target = world.remote_file(host)
    times = []
    for i in range(runs):
        start = time.perf_counter()
        client = paramiko.SSHClient()
        client.set_missing_host_key_policy(paramiko.RejectPolicy())
        client.load_host_keys(str(world.known_hosts))
        client.connect("127.0.0.1", host.port, world.user, pkey=key, allow_agent=False,
                       look_for_keys=False)
        try:
            sftp = client.open_sftp()
            temporary = f"{target}.floor-{i}.tmp"
            with sftp.open(temporary, "wb") as handle:
                handle.write(world.clace.read_bytes())
            sftp.posix_rename(temporary, str(target))
            sftp.close()
        finally:
            client.close()
        times.append(time.perf_counter() - start)
    return times


def main(sizes: tuple[int, ...] = (1, 10, 50), runs: int = 3) -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="leap-bench-fanout-") as tmp:
        farm = start_farm(Path(tmp) / "sshd", max(sizes))
        try:
            world = make_world(Path(tmp), farm)
            leap_apply(world, world.hosts[: max(sizes)])  # first contact: journal, caches
            pushes: dict[int, list[Push]] = {size: [] for size in sizes}
            for _ in range(runs):
                for size in sizes:
                    pushes[size].append(leap_apply(world, world.hosts[:size]))
            floor = paramiko_floor(world, max(runs, 5))
        finally:
            farm.stop_all()
    walls = {size: [p.wall for p in pushes[size]] for size in sizes}
    base = median(walls[sizes[0]])
    cores = os.cpu_count() or 1
    results = [Result(
        "floor: one paramiko connect + SFTP write + rename", "in-process, 1 loopback sshd, "
        "imports not counted", "reference", f"{median(floor) * 1000:.0f} ms",
        notes=[f"floor: {len(floor)} runs, {spread(floor)}"])]
    for size in sizes:
        wall = median(walls[size])
        ratio = wall / base
        last = size == max(sizes)
        results.append(Result(
            f"fan-out: apply to {size} host{'s' if size > 1 else ''}",
            "`leap-tui apply --yes --parallel 16`, one changed clace.toml, loopback sshd "
            "hosts, subprocess wall time",
            f"<= {TARGET_RATIO}x 1 host" if last else ("reference" if size == sizes[0] else ""),
            f"{wall:.2f} s", f"{ratio:.2f}x" if size != sizes[0] else "1.00x",
            ratio <= TARGET_RATIO if last else None,
            notes=[f"fan-out {size}: {runs} runs, {spread(walls[size])}; CPU: leap-tui "
                   f"{median([p.client_cpu for p in pushes[size]]):.2f} s, sshd side "
                   f"{median([p.server_cpu for p in pushes[size]]):.2f} s ({cores} cores: "
                   f"{(median([p.client_cpu + p.server_cpu for p in pushes[size]]) / cores):.2f}"
                   " s of wall at best); " + pushes[size][-1].sessions.per_host(size)]))
    results += busy_rows(pushes[max(sizes)], max(sizes), cores)
    return results


def busy_rows(pushes: list[Push], hosts: int, cores: int) -> list[Result]:
    """The issue's figures for the largest fan-out: how busy the cores were, and how many
    remote commands each host ran."""
    busy = [p.busy_ratio(cores) for p in pushes]
    ratio = median(busy)
    counted = pushes[-1].sessions
    per_host = counted.commands / hosts
    return [
        Result(f"fan-out: {hosts} hosts, wall / ((CPU of leap-tui + sshd side) / cores)",
               "the same runs as the row above: subprocess wall time over the CPU time of "
               "leap-tui and of the hosts' sshd (and what they ran), spread on "
               f"{cores} cores", f"<= {TARGET_BUSY}x", f"{ratio:.2f}x", "",
               ratio <= TARGET_BUSY,
               notes=[f"fan-out busy {hosts}: {len(busy)} runs, "
                      + ", ".join(f"{b:.2f}x" for b in busy)]),
        Result(f"fan-out: remote commands per host, {hosts} hosts",
               "sessions the hosts' sshd started during one apply (LogLevel VERBOSE: "
               "\"Starting session: command\"), divided by the hosts", f"{TARGET_COMMANDS}",
               f"{per_host:g}", "", per_host <= TARGET_COMMANDS,
               notes=[f"fan-out sessions {hosts}: {counted.per_host(hosts)}"]),
    ]


if __name__ == "__main__":
    for result in main():
        print(f"{result.figure:55} {result.measured:>10} {result.ratio:>6} {result.met_text}")
        for note in result.notes:
            print("   ", note)
