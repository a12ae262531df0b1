"""The remote preflight against real sshd hosts: ports in use, low ports, certificate files."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.plugins.requirements import missing
from tests.plugins.sshd_hosts import RemoteEnv, SshdHost, free_port, wait_for_port
from tests.test_certs_support import ec_key, make_cert, write_pair
from tui.cli import main
from tui.core.findings import Severity
from tui.core.remote.fleet import apply_fleet
from tui.core.remote.outcome import HostResult
from tui.core.remote.plan import plan
from tui.core.remote.preflight import parse_facts

Hosts = Callable[[int], list[SshdHost]]


def clace(port: int, https: str = "") -> bytes:
    return (f'[http]\nhost = "127.0.0.1"\nport = {port}\n'
            + (f"\n[https]\n{https}\n" if https else "")).encode()


def run(env: RemoteEnv, host: SshdHost, old: bytes, new: bytes,
        **options: object) -> tuple[HostResult, Path]:
    env.trust(host)
    target = env.remote / "clace.toml"
    target.write_bytes(old)
    inventory = env.inventory(env.host_toml(host, "h1", [
        {"source": "clace", "target": str(target)}]))
    run_options = env.options(inventory, **options)
    (result,) = apply_fleet(plan(run_options.inventory, {"clace": new}), run_options)
    return result, target


@pytest.fixture
def held_port() -> Iterator[tuple[int, int]]:
    """A port the test's own process listens on: (port, pid)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1], os.getpid()


def test_a_port_held_by_another_process_stops_the_host(
        remote_env: RemoteEnv, sshd_hosts: Hosts, held_port: tuple[int, int]) -> None:
    (host,) = sshd_hosts(1)
    port, pid = held_port
    old = clace(free_port())

    preview, target = run(remote_env, host, old, clace(port), dry_run=True)
    assert preview.status == "failed"
    (finding,) = [f for f in preview.findings if f.code == "PF001"]
    assert finding.severity is Severity.ERROR
    assert re.fullmatch(rf"http\.port {port} is already bound on h1 by \S+ \(pid {pid}\) on "
                        rf"127\.0\.0\.1:{port}", finding.message), finding.message
    assert "+port = " in preview.diff  # the diff is still shown

    stopped, _ = run(remote_env, host, old, clace(port))
    assert stopped.status == "failed" and stopped.message.startswith("preflight: http.port")
    assert target.read_bytes() == old
    assert sorted(p.name for p in remote_env.remote.iterdir()) == ["clace.toml"]

    forced, _ = run(remote_env, host, old, clace(port), allow_errors=True)
    assert forced.status == "applied"
    assert [f.code for f in forced.findings] == ["PF001"]
    assert target.read_bytes() == clace(port)


def test_apply_dry_run_lists_the_preflight_findings(
        remote_env: RemoteEnv, sshd_hosts: Hosts, held_port: tuple[int, int],
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "300")
    (host,) = sshd_hosts(1)
    port, _ = held_port
    remote_env.trust(host)
    target = remote_env.remote / "clace.toml"
    target.write_bytes(clace(free_port()))
    inventory = remote_env.inventory(remote_env.host_toml(host, "h1", [
        {"source": "clace", "target": str(target)}]))
    edited = remote_env.root / "edited.toml"
    edited.write_bytes(clace(port))
    args = ["apply", "--inventory", str(inventory), "--clace", str(edited)]
    assert main([*args, "--dry-run"]) == 1
    captured = capsys.readouterr()
    out = " ".join((captured.out + captured.err).split())
    assert f"PF001 http.port {port} is already bound on h1" in out
    assert "(stop that service, or choose another port)" in out
    assert main([*args, "--yes"]) == 1
    assert main([*args, "--yes", "--allow-errors"]) == 0
    assert target.read_bytes() == clace(port)


@pytest.fixture
def unprivileged_server() -> Iterator[int]:
    """A 'server' listening as uid 65534 without capabilities: its port."""
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        missing("setpriv (util-linux) is needed to run a listener as another user")
    port = free_port()
    code = ("import socket,time;s=socket.socket();s.bind(('127.0.0.1',"
            f"{port}));s.listen();time.sleep(120)")
    process = subprocess.Popen([setpriv, "--reuid=65534", "--regid=65534", "--clear-groups",
                                sys.executable, "-c", code])
    try:
        wait_for_port(port)
        yield port
    finally:
        process.kill()
        process.wait(5)


def test_a_low_port_the_server_may_not_bind_stops_the_host(
        remote_env: RemoteEnv, sshd_hosts: Hosts, unprivileged_server: int) -> None:
    (host,) = sshd_hosts(1)
    old = clace(unprivileged_server)
    result, _ = run(remote_env, host, old, clace(80), dry_run=True)
    codes = [f.code for f in result.findings]
    assert "PF002" in codes, result.findings
    finding = result.findings[codes.index("PF002")]
    assert re.fullmatch(r"http\.port 80 is below 1024, but the server on h1 \(\S+, pid \d+, "
                        r"uid 65534\) is not root and has no cap_net_bind_service",
                        finding.message), finding.message
    assert finding.hint.startswith("setcap cap_net_bind_service=+ep /")
    # The same move with a server running as root: allowed.
    fine, _ = run(remote_env, host, clace(free_port()), clace(80), dry_run=True)
    assert "PF002" not in [f.code for f in fine.findings]


@pytest.fixture
def open_dir() -> Iterator[Path]:
    """A world-searchable directory (the test's tmp_path sits under a 0700 one)."""
    path = Path(tempfile.mkdtemp(prefix="leap-tui-certs-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        shutil.rmtree(path)


def test_certificates_missing_or_unreadable_by_the_server_stop_the_host(
        remote_env: RemoteEnv, sshd_hosts: Hosts, unprivileged_server: int,
        open_dir: Path) -> None:
    from datetime import UTC, datetime, timedelta

    (host,) = sshd_hosts(1)
    certs = open_dir / "certs"
    key = ec_key()
    now = datetime.now(UTC)
    write_pair(certs, "default", key, make_cert(key, names=("example.com",),
                                                not_before=now - timedelta(days=1)))
    certs.chmod(0o755)
    (certs / "default.crt").chmod(0o644)
    (certs / "default.key").chmod(0o600)  # root's alone: the server (uid 65534) cannot read
    old = clace(unprivileged_server)
    new = clace(unprivileged_server, f'port = {free_port()}\ncert_location = "{certs}"')

    result, _ = run(remote_env, host, old, new, dry_run=True)

    problems = [f for f in result.findings if f.code == "PF003"]
    assert len(problems) == 1
    assert re.fullmatch(rf"h1:{re.escape(str(certs))}/default\.key is not readable by the "
                        rf"server \(\S+, pid {_pid_of(unprivileged_server)}, uid 65534\): "
                        r"mode 600, owner 0:0", problems[0].message), problems[0].message
    assert result.status == "failed"

    (certs / "default.key").chmod(0o644)
    (certs / "default.crt").unlink()  # a missing certificate file
    result, _ = run(remote_env, host, old, new, dry_run=True)
    assert [f.message for f in result.findings if f.code == "PF003"] == [
        f"h1:{certs}/default.crt is missing: the pair default cannot be served"]


def _pid_of(port: int) -> int:
    out = subprocess.run(["ss", "-ltnpH", f"sport = :{port}"], capture_output=True,
                         text=True).stdout
    return int(out.split("pid=", 1)[1].split(",", 1)[0])


def test_facts_are_read_from_ss_or_proc_net_tcp() -> None:
    ss = ("@@leap-tui-preflight ss\n"
          "LISTEN 0 128 0.0.0.0:443 0.0.0.0:* "
          "users:((\"nginx\",pid=7,fd=6),(\"nginx\",pid=8,fd=6))\n"
          "LISTEN 0 128 [::ffff:127.0.0.1]:8080 [::]:*\n"
          "LISTEN 0 128 127.0.0.53%lo:53 0.0.0.0:*\n")
    facts = parse_facts(ss, [])
    assert [(s.address, s.port, s.holders) for s in facts.sockets or ()] == [
        ("", 443, (("nginx", 7), ("nginx", 8))), ("127.0.0.1", 8080, ()), ("127.0.0.53", 53, ())]
    assert facts.holders_of(443, "10.0.0.1") and not facts.holders_of(8080, "10.0.0.1")
    proc = ("@@leap-tui-preflight proc-net\n"
            "  sl  local_address rem_address   st\n"
            "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000\n"
            "   1: 00000000:0050 00000000:0000 0A 00000000:00000000\n"
            "   2: 0100007F:1F91 0100007F:0050 01 00000000:00000000\n")
    facts = parse_facts(proc, [])
    assert [(s.address, s.port) for s in facts.sockets or ()] == [("127.0.0.1", 8080), ("", 80)]
    assert parse_facts("", []).sockets is None  # neither answered: "not checked"


def test_listening_processes_are_named_by_one_ls_and_getcap_once_per_program() -> None:
    output = ("@@leap-tui-preflight proc 7\nUid:\t33\t33\t33\t33\nCapEff:\t0000000000000000\n"
              "@@leap-tui-preflight proc 8\nUid:\t0\t0\t0\t0\n"
              "@@leap-tui-preflight exe\n"
              "lrwxrwxrwx 1 www www 0 Dec  5 22:00 /proc/7/exe -> /opt/my server/clace\n"
              "lrwxrwxrwx 1 root root 0 Dec  5 22:00 /proc/8/exe -> /usr/sbin/sshd\n"
              "@@leap-tui-preflight getcap /opt/my server/clace\n"
              "/opt/my server/clace cap_net_bind_service=ep\n"
              "@@leap-tui-preflight getcap /usr/sbin/sshd\n")
    processes = parse_facts(output, []).processes
    assert (processes[7].exe, processes[7].uid) == ("/opt/my server/clace", 33)
    assert processes[7].can_bind_low_ports  # by getcap, not by uid or CapEff
    assert (processes[8].exe, processes[8].getcap) == ("/usr/sbin/sshd", "")
