"""Real OpenSSH servers on 127.0.0.1 for the apply/rollback tests: several sshd = several hosts.

Each instance has its own directory with a generated ed25519 host key, sshd_config, pid
file, log and authorized_keys (one generated client key for the session). The "hosts" are
this machine, so remote target files live in each test's tmp_path.

Without /usr/sbin/sshd the tests skip with the reason; with CI set they fail instead.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.plugins.requirements import missing as requirement_missing

SSHD = Path("/usr/sbin/sshd")
SSH_KEYGEN = Path("/usr/bin/ssh-keygen")


def require_sshd() -> None:
    missing = [str(p) for p in (SSHD, SSH_KEYGEN) if not p.exists()]
    if not missing:
        return
    requirement_missing(f"{', '.join(missing)} not found: the SSH tests need OpenSSH's server")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.02)
    raise RuntimeError(f"sshd did not listen on 127.0.0.1:{port}")


def keygen(path: Path) -> str:
    subprocess.run([str(SSH_KEYGEN), "-q", "-t", "ed25519", "-N", "", "-C", "leap-tui-test",
                    "-f", str(path)], check=True, capture_output=True)
    return path.with_suffix(".pub").read_text().strip()


def descendants(pid: int) -> list[int]:
    """Child processes (recursively) of ``pid``, from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat_text = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat_text.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found: list[int] = []
    todo = [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


@dataclass
class SshdHost:
    """One running sshd; ``name`` is its inventory name in tests."""

    name: str
    port: int
    directory: Path
    host_key_pub: str
    authorized_keys: Path
    process: subprocess.Popen[bytes] | None = None
    extra_pidfiles: list[Path] = field(default_factory=list)
    extra_config: str = ""  # more sshd_config lines (TrustedUserCAKeys, HostCertificate...)

    @property
    def host_key_path(self) -> Path:
        return self.directory / "ssh_host_ed25519_key"

    @property
    def log(self) -> Path:
        return self.directory / "sshd.log"

    def known_hosts_line(self, port: int | None = None) -> str:
        port = self.port if port is None else port
        name = "127.0.0.1" if port == 22 else f"[127.0.0.1]:{port}"
        key_type, key = self.host_key_pub.split()[:2]
        return f"{name} {key_type} {key}\n"

    def write_config(self, port: int, path: Path, pidfile: Path) -> Path:
        path.write_text(
            f"Port {port}\n"
            "ListenAddress 127.0.0.1\n"
            f"HostKey {self.host_key_path}\n"
            f"PidFile {pidfile}\n"
            f"AuthorizedKeysFile {self.authorized_keys}\n"
            "UsePAM no\n"
            "StrictModes no\n"
            "PermitRootLogin prohibit-password\n"
            "PubkeyAuthentication yes\n"
            "PasswordAuthentication no\n"
            "KbdInteractiveAuthentication no\n"
            "UseDNS no\n"
            "PrintMotd no\n"
            "AllowTcpForwarding yes\n"
            "MaxStartups 200\n"
            "MaxSessions 50\n"
            "Subsystem sftp internal-sftp\n"
            # The login shell must not run this machine's ~/.bashrc (slow, and not a host's).
            f"SetEnv HOME={self.directory}\n"
            + self.extra_config
        )
        subprocess.run([str(SSHD), "-t", "-f", str(path)], check=True, capture_output=True)
        return path

    def start(self) -> None:
        config = self.write_config(self.port, self.directory / "sshd_config",
                                   self.directory / "sshd.pid")
        self.process = subprocess.Popen(
            [str(SSHD), "-D", "-f", str(config), "-E", str(self.log)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port)

    def second_listener_config(self, port: int) -> tuple[Path, Path]:
        """A config for the same host (same key) on another port, and its pid file:
        what a reload that moves sshd runs (``sshd -f CONFIG`` daemonizes)."""
        pidfile = self.directory / f"sshd-{port}.pid"
        self.extra_pidfiles.append(pidfile)
        return self.write_config(port, self.directory / f"sshd_config-{port}", pidfile), pidfile

    def shim(self, name: str, script: str) -> Path:
        """Put a script named ``name`` first on the PATH of this host's SSH sessions (bash
        reads ~/.bashrc when sshd runs it): a fault injected into one command. Only for a
        host of the test's own (``sshd_host``)."""
        shims = self.directory / "shims"
        shims.mkdir(exist_ok=True)
        path = shims / name
        path.write_text("#!/bin/sh\n" + script)
        path.chmod(0o755)
        (self.directory / ".bashrc").write_text(f'PATH="{shims}:$PATH"\n')
        return path

    def kill_sessions(self) -> int:
        """Cut every open SSH session (the per-connection sshd children) with SIGKILL."""
        assert self.process is not None
        killed = 0
        for pid in descendants(self.process.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
                killed += 1
        return killed

    def stop(self) -> None:
        for pidfile in self.extra_pidfiles:
            with contextlib.suppress(OSError, ValueError):
                os.kill(int(pidfile.read_text().strip()), signal.SIGTERM)
        if self.process is not None and self.process.poll() is None:
            self.kill_sessions()
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


@dataclass
class SshdFarm:
    base: Path
    client_key: Path
    client_pub: str
    running: list[SshdHost] = field(default_factory=list)
    counter: int = 0

    def start_host(self, extra_config: Callable[[Path], str] | None = None) -> SshdHost:
        """A new sshd; ``extra_config(directory)`` gives more sshd_config lines (the host's
        directory holds its key, for a certificate to be made beside it)."""
        self.counter += 1
        directory = self.base / f"host{self.counter}"
        directory.mkdir()
        pub = keygen(directory / "ssh_host_ed25519_key")
        authorized = directory / "authorized_keys"
        authorized.write_text(self.client_pub + "\n")
        host = SshdHost(f"host{self.counter}", free_port(), directory, pub, authorized,
                        extra_config=extra_config(directory) if extra_config else "")
        host.start()
        self.running.append(host)
        return host

    def stop_all(self) -> None:
        for host in self.running:
            host.stop()


@pytest.fixture(scope="session")
def sshd_farm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshdFarm]:
    require_sshd()
    Path("/run/sshd").mkdir(parents=True, exist_ok=True)  # sshd's privilege-separation dir
    base = tmp_path_factory.mktemp("sshd")
    client_key = base / "client_ed25519"
    farm = SshdFarm(base, client_key, keygen(client_key))
    try:
        yield farm
    finally:
        farm.stop_all()


@pytest.fixture(scope="session")
def sshd_hosts(sshd_farm: SshdFarm) -> Callable[[int], list[SshdHost]]:
    """``sshd_hosts(n)``: n running servers shared by the session (started on first use)."""
    shared: list[SshdHost] = []

    def take(count: int) -> list[SshdHost]:
        while len(shared) < count:
            shared.append(sshd_farm.start_host())
        return shared[:count]

    return take


@pytest.fixture
def sshd_host(sshd_farm: SshdFarm) -> Iterator[SshdHost]:
    """A server of this test's own, stopped after it (for tests that cut or move it)."""
    host = sshd_farm.start_host()
    try:
        yield host
    finally:
        host.stop()


@pytest.fixture
def client_key(sshd_farm: SshdFarm) -> Path:
    return sshd_farm.client_key


@dataclass
class RemoteEnv:
    """One test's private world: HOME (known_hosts, ssh config), journal dir, remote files."""

    root: Path
    client_key: Path
    home: Path
    state: Path
    known_hosts: Path
    remote: Path

    def trust(self, *hosts: SshdHost) -> None:
        with self.known_hosts.open("a") as handle:
            for host in hosts:
                handle.write(host.known_hosts_line())

    def host_toml(self, host: SshdHost | None, name: str, files: list[dict[str, str]], *,
                  port: int | None = None, extra: str = "") -> str:
        lines = ["[[host]]", f'name = "{name}"']
        if port is None and host is not None:
            port = host.port
        if port is not None:
            lines.append('address = "127.0.0.1"')
            lines.append(f"port = {port}")
        lines += ['user = "root"', f'identity_file = "{self.client_key}"']
        if extra:
            lines.append(extra)
        for spec in files:
            lines.append("[[host.file]]")
            lines += [f"{key} = {_toml_string(value)}" for key, value in spec.items()]
        return "\n".join(lines) + "\n"

    def inventory(self, *tables: str) -> Path:
        path = self.root / "hosts.toml"
        path.write_text(f'known_hosts = "{self.known_hosts}"\n\n' + "\n".join(tables))
        return path

    def options(self, inventory: Path, **overrides: Any) -> Any:
        """RunOptions for this test: its known_hosts, its journal, no ~/.ssh/config."""
        from tui.core.inventory import load_inventory
        from tui.core.remote.hostkeys import KnownHosts
        from tui.core.remote.journal import Journal
        from tui.core.remote.protocol import RunOptions
        from tui.core.remote.ssh import SshOptions

        ssh = SshOptions(KnownHosts([], self.known_hosts),
                         ssh_config=overrides.pop("ssh_config", None),
                         accept_host_key=overrides.pop("accept_host_key", None),
                         connect_timeout=3.0)
        return RunOptions(ssh=ssh, journal=Journal(self.state),
                          inventory=load_inventory(inventory), **overrides)


    def trust_user(self, *hosts: SshdHost) -> None:
        """Record the hosts' keys in ~/.ssh/known_hosts (ssh's UserKnownHostsFile)."""
        with self.user_known_hosts.open("a") as handle:
            for host in hosts:
                handle.write(host.known_hosts_line())

    @property
    def ssh_config(self) -> Path:
        return self.home / ".ssh" / "config"

    @property
    def user_known_hosts(self) -> Path:
        """ssh's default UserKnownHostsFile under this test's HOME."""
        return self.home / ".ssh" / "known_hosts"

    def reach(self, address: str, config: str | None = None, *, port: int | None = None,
              user: str | None = "root", identity_file: str | None = "client",
              known_hosts: Any = None, **ssh: Any) -> str:
        """Connect as leap-tui does to ``address`` (an ssh_config alias, or an address
        with ``port``), run ``echo reached`` and return its output; RemoteError if refused.

        ``config`` is written to ~/.ssh/config; ``identity_file="client"`` is the suite's
        client key (None: ssh_config's, or the agent's).
        """
        from tui.core.inventory import HostSpec
        from tui.core.remote.hostkeys import KnownHosts
        from tui.core.remote.ssh import SshOptions, connect, resolve_endpoint

        if config is not None:
            self.ssh_config.write_text(config)
        key = str(self.client_key) if identity_file == "client" else identity_file
        spec = HostSpec("h1", address, port=port, user=user, identity_file=key)
        options = SshOptions(known_hosts if known_hosts is not None else KnownHosts(),
                             ssh_config=self.ssh_config if config is not None else None,
                             connect_timeout=ssh.pop("connect_timeout", 5.0), **ssh)
        endpoint = resolve_endpoint(spec, ssh_config=options.ssh_config)
        connection = connect(endpoint, options)
        try:
            return connection.run("echo reached").output.strip()
        finally:
            connection.close()


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.fixture
def remote_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sshd_farm: SshdFarm) -> RemoteEnv:
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    state = tmp_path / "state"
    remote = tmp_path / "remote"
    remote.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("LEAP_TUI_STATE_DIR", str(state))
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    known = tmp_path / "known_hosts"
    known.write_text("")
    return RemoteEnv(tmp_path, sshd_farm.client_key, home, state, known, remote)
