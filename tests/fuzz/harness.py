"""Run every CLI command on mutated files, in process, and judge each run.

A run passes when it exits 0, 1 or 2, prints no traceback (nor lets an exception out of
``main``), finishes within the time limit, and leaves every file of the work directory as
it was - except the file a successful ``set`` edits, which must then still parse.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import random
import shutil
import signal
import socket
import stat
import traceback
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.fuzz.mutate import corpus_files, mutate
from tests.test_certs_support import cert_pem, ec_key, key_pem, make_cert
from tui.cli import main
from tui.core.clace_config import ClaceConfig
from tui.core.errors import ConfigError
from tui.core.leap_provider import Provider

CASE_SECONDS = 20.0
KIND_WEIGHTS = {"clace": 40, "json": 35, "inventory": 10, "pem": 10, "other": 5}


class _Hang(BaseException):
    """Raised by the alarm: the case did not finish in time."""


@dataclass
class FuzzReport:
    cases: int = 0
    commands: Counter[str] = field(default_factory=Counter)
    exits: Counter[int] = field(default_factory=Counter)
    tracebacks: list[str] = field(default_factory=list)
    hangs: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    bad_exits: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return self.tracebacks + self.hangs + self.changed + self.bad_exits

    def summary(self) -> str:
        return (f"{self.cases} cases ({dict(sorted(self.commands.items()))}); exits "
                f"{dict(sorted(self.exits.items()))}; tracebacks {len(self.tracebacks)}, "
                f"hangs {len(self.hangs)}, files changed {len(self.changed)}, "
                f"bad exit codes {len(self.bad_exits)}")


class Workspace:
    """A work directory with one file of each kind the commands read."""

    def __init__(self, root: Path, repo: Path) -> None:
        self.root = root
        self.clace = root / "clace.toml"
        self.provider = root / "provider"
        self.inventory = root / "hosts.toml"
        self.certs = root / "certs"
        shutil.copytree(repo / "sample_configs" / "provider", self.provider)
        self.clace.write_bytes((repo / "sample_configs" / "clace.toml").read_bytes().replace(
            b"[https]\n", b'[https]\ncert_location = "certs"\n', 1))
        hosts = (repo / "sample_configs" / "hosts.toml").read_text()
        hosts = "\n".join(
            'address = "127.0.0.1"\nport = 1' if line.startswith("address =") else line
            for line in hosts.splitlines()
        )
        self.inventory.write_text(hosts + "\n")
        self.certs.mkdir()
        for name in ("example.com", "default"):
            key = ec_key(index=len(name))
            (self.certs / f"{name}.crt").write_bytes(
                cert_pem(make_cert(key, names=(name if "." in name else "localhost",))))
            (self.certs / f"{name}.key").write_bytes(key_pem(key))
            os.chmod(self.certs / f"{name}.key", 0o600)
        self.targets = {
            "clace": [self.clace],
            "json": [self.provider / "nodes" / "web1.json", self.provider / "common.json",
                     self.provider / "provider.json"],
            "inventory": [self.inventory],
            "pem": [self.certs / "example.com.crt", self.certs / "example.com.key",
                    self.certs / "default.crt"],
        }

    def commands(self, kind: str, target: Path) -> list[list[str]]:
        c, p, i, d = str(self.clace), str(self.provider), str(self.inventory), str(self.certs)
        apply = ["apply", "--dry-run", "--yes", "--clace", c, "--provider", p, "--inventory", i]
        rollback = ["rollback", "--yes", "--provider", p, "--inventory", i]
        if kind == "clace":
            return [["check", "--clace", c], ["check", "--clace", c, "--format", "json"],
                    ["get", c, "https.port"], ["set", c, "https.port", "8443"],
                    ["ports", "--clace", c], ["certs", "--clace", c], apply]
        if kind == "json":
            rel = str(target)
            return [["check", "--provider", p], ["check", "--provider", p, "--format", "json"],
                    ["get", rel, "ssh.port"], ["set", rel, "ssh.port", "2222"],
                    ["ports", "--provider", p], apply, rollback]
        if kind == "inventory":
            return [apply, rollback]
        if kind == "pem":
            return [["certs", "--dir", d], ["certs", "--dir", d, "--format", "json"],
                    ["certs", "--clace", c, "--domain", "example.com"]]
        return [["rules"], ["history"], ["history", "--all"]]

    def snapshot(self) -> dict[str, tuple[str, str]]:
        state: dict[str, tuple[str, str]] = {}
        for directory, dirs, files in os.walk(self.root):
            for name in dirs + files:
                path = os.path.join(directory, name)
                mode = os.lstat(path).st_mode
                if stat.S_ISREG(mode):
                    with open(path, "rb") as handle:
                        digest = hashlib.sha256(handle.read()).hexdigest()
                    state[path] = ("file", digest)
                elif stat.S_ISLNK(mode):
                    state[path] = ("link", os.readlink(path))
                else:
                    state[path] = (oct(stat.S_IFMT(mode)), "")
        return state

    def parses(self, path: Path) -> bool:
        try:
            if path == self.clace:
                ClaceConfig.load(path)
            else:
                Provider.load(self.provider)
        except ConfigError:
            return False
        return True


@contextlib.contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    def ring(signum: int, frame: object) -> None:
        raise _Hang()

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_cli(argv: list[str]) -> tuple[int | None, str, str | None, bool]:
    """(exit status, stdout+stderr, traceback or None, hung)."""
    out, err = io.StringIO(), io.StringIO()
    status: int | None = None
    failure: str | None = None
    hung = False
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            with _alarm(CASE_SECONDS):
                status = main(argv)
        except SystemExit as exit_:
            status = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None
                                                                        else 2)
        except _Hang:
            hung = True
        except BaseException:
            failure = traceback.format_exc()
    return status, out.getvalue() + err.getvalue(), failure, hung


def judge(report: FuzzReport, ws: Workspace, label: str, argv: list[str],
          target: Path | None) -> None:
    before = ws.snapshot()
    status, output, failure, hung = run_cli(argv)
    report.cases += 1
    report.commands[argv[0]] += 1
    where = f"{label}: leap-tui {' '.join(argv)}"
    if hung:
        report.hangs.append(where)
        return
    if failure is not None or "Traceback (most recent call last)" in output:
        report.tracebacks.append(f"{where}\n{failure or output}")
        return
    report.exits[status if status is not None else -1] += 1
    if status not in (0, 1, 2):
        report.bad_exits.append(f"{where}: exit {status}")
    after = ws.snapshot()
    changed = sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))
    if argv[0] == "set" and status == 0 and target is not None:
        if changed != [str(target)]:
            report.changed.append(f"{where}: set changed {changed}")
        elif not ws.parses(target):
            report.changed.append(f"{where}: set wrote a file that does not parse")
    elif changed:
        report.changed.append(f"{where}: changed {changed}")


def run_random(ws: Workspace, shared: Path, repo: Path, *, cases: int, seed: int) -> FuzzReport:
    """``cases`` runs: a corpus file of a kind, mutated, in that kind's target, one command."""
    report = FuzzReport()
    seeds = corpus_files(shared, repo)
    kinds = list(KIND_WEIGHTS)
    for index in range(cases):
        rng = random.Random(f"{seed}:{index}")
        kind = rng.choices(kinds, weights=[KIND_WEIGHTS[k] for k in kinds])[0]
        if kind == "other":
            judge(report, ws, f"seed {seed} case {index}", rng.choice(ws.commands(kind, ws.root)),
                  None)
            continue
        target = rng.choice(ws.targets[kind])
        original = target.read_bytes()
        source_name, source = ("(the file itself)", original)
        if kind in seeds and rng.random() < 0.7:
            source_name, source = rng.choice(seeds[kind])
        mutation = mutate(source, rng)
        target.write_bytes(mutation.data)
        try:
            argv = rng.choice(ws.commands(kind, target))
            label = f"seed {seed} case {index} ({source_name}: {', '.join(mutation.steps)})"
            judge(report, ws, label, argv, target)
        finally:
            target.write_bytes(original)
    return report


def _make_odd(path: Path, kind: str, keep: list[socket.socket]) -> None:
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    elif kind == "socket":
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(str(path))
        keep.append(server)
    elif kind == "directory":
        path.mkdir()
    elif kind == "dangling":
        path.symlink_to(path.parent / "does-not-exist")
    elif kind == "loop":
        path.symlink_to(path)
    elif kind == "link-to-device":
        device = path.parent / f".{path.name}.device"
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        path.symlink_to(device)


ODD_KINDS = ("fifo", "device", "socket", "directory", "dangling", "loop", "link-to-device")


def run_odd_files(ws: Workspace) -> FuzzReport:
    """Each target replaced by a FIFO, a device node, a socket, a directory or odd links."""
    report = FuzzReport()
    for kind, targets in ws.targets.items():
        for target in targets:
            original = target.read_bytes()
            for odd in ODD_KINDS:
                keep: list[socket.socket] = []
                target.unlink()
                _make_odd(target, odd, keep)
                try:
                    for argv in ws.commands(kind, target):
                        judge(report, ws, f"{target.name} as {odd}", argv, None)
                finally:
                    for server in keep:
                        server.close()
                    if target.is_dir() and not target.is_symlink():
                        target.rmdir()
                    else:
                        target.unlink()
                    for extra in target.parent.glob(f".{target.name}.device"):
                        extra.unlink()
                    target.write_bytes(original)
    return report




def isolate(env: dict[str, str], home: Path) -> None:
    """Point every place a command reads or writes outside the work dir at ``home``."""
    for name in ("CL_HOME", "CL_CONFIG_FILE", "OPENRUN_HOME", "SSH_AUTH_SOCK"):
        env.pop(name, None)
    env["HOME"] = str(home)
    env["LEAP_TUI_STATE_DIR"] = str(home / "state")
    env["LEAP_TUI_CONFIG_DIR"] = str(home / "config")
