"""The apply preflight checks the host's cert_location; the CLI warns about unshipped port moves."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.plugins.sshd_hosts import RemoteEnv, SshdHost
from tests.test_certs_support import ec_key, make_cert, write_pair
from tui.cli import main
from tui.core.findings import Severity

Hosts = Callable[[int], list[SshdHost]]
LIVE = b'[http]\nhost = "127.0.0.1"\nport = 25223\n'


def dry_run(env: RemoteEnv, host: SshdHost, https: str) -> object:
    """The dry-run result of shipping a Clace file with ``https`` as its [https] body."""
    from tui.core.remote.fleet import apply_fleet
    from tui.core.remote.plan import load_sources, plan

    env.trust(host)
    target = env.remote / "clace.toml"
    target.write_bytes(LIVE)
    inventory_path = env.inventory(env.host_toml(host, "web1", [
        {"source": "clace", "target": str(target)}]))
    clace = env.root / "edited.toml"
    clace.write_bytes(LIVE + b"\n[https]\n" + https.encode() + b"\n")
    options = env.options(inventory_path, dry_run=True)
    inventory = options.inventory
    sources = load_sources(inventory, inventory.hosts, clace=clace, provider=None)
    (result,) = apply_fleet(plan(inventory, sources), options, parallel=1)
    assert result.status == "dry-run", result.message
    assert target.read_bytes() == LIVE
    return result


def test_an_expired_pair_on_the_host_is_ce002_in_the_dry_run(
        remote_env: RemoteEnv, sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    certs = remote_env.remote / "certs"
    now = datetime.now(UTC)
    key = ec_key()
    expired = make_cert(key, names=("example.com",), not_before=now - timedelta(days=400),
                        not_after=now - timedelta(days=2))
    write_pair(certs, "example.com", key, expired)
    write_pair(certs, "default", key,
               make_cert(key, names=("example.com",), not_before=now - timedelta(days=1)))
    result = dry_run(remote_env, host, f'cert_location = "{certs}"')
    expiry = [f for f in result.findings if f.code == "CE002"]  # type: ignore[attr-defined]
    assert [f.severity for f in expiry] == [Severity.ERROR]
    assert expiry[0].file == f"web1:{certs}/example.com.crt"
    # The same report as `leap-tui certs`, for the host's files.
    report = result.certificates  # type: ignore[attr-defined]
    assert report.startswith(f"Certificates in web1:{certs}")
    assert "expired 2 days ago" in report and "What the server serves:" in report


def test_a_missing_directory_is_a_note_not_a_failure(
        remote_env: RemoteEnv, sshd_hosts: Hosts, capsys: pytest.CaptureFixture[str]) -> None:
    (host,) = sshd_hosts(1)
    missing = remote_env.remote / "no-such-dir"
    result = dry_run(remote_env, host, f'cert_location = "{missing}"')
    (finding,) = result.findings  # type: ignore[attr-defined]
    assert finding.code == "CE004" and finding.severity is Severity.INFO
    assert "does not exist" in finding.message and finding.file == f"web1:{missing}"
    assert result.certificates == ""  # type: ignore[attr-defined]
    assert "Traceback" not in capsys.readouterr().err


def test_an_unset_variable_on_the_host_is_reported_unchecked(
        remote_env: RemoteEnv, sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    result = dry_run(remote_env, host, 'cert_location = "$LEAP_TUI_UNSET_VAR/certs"')
    (finding,) = result.findings  # type: ignore[attr-defined]
    assert finding.code == "CE004" and "absolute path" in finding.message


def test_certmagic_gets_only_the_ce010_note(remote_env: RemoteEnv, sshd_hosts: Hosts) -> None:
    (host,) = sshd_hosts(1)
    certs = remote_env.remote / "certs"
    key = ec_key()
    write_pair(certs, "example.com", key, make_cert(key, names=("other.org",)))
    result = dry_run(remote_env, host,
                     f'cert_location = "{certs}"\nservice_email = "ops@example.com"')
    assert [f.code for f in result.findings] == ["CE010"]  # type: ignore[attr-defined]


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t",
                    *args], check=True, capture_output=True)


def test_cli_warns_about_a_port_move_no_host_ships(
        remote_env: RemoteEnv, sshd_hosts: Hosts, capsys: pytest.CaptureFixture[str]) -> None:
    (host,) = sshd_hosts(1)
    remote_env.trust(host)
    root = remote_env.root / "provider"
    (root / "nodes").mkdir(parents=True)
    (root / "common.json").write_text('{"ssh": {"port": 22}}\n')
    (root / "nodes" / "web1.json").write_text('{"ip_address": "127.0.0.1"}\n')
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "start")
    (root / "common.json").write_text('{"ssh": {"port": 2222}}\n')
    target = remote_env.remote / "web1.json"
    inventory = remote_env.inventory(remote_env.host_toml(host, "web1", [
        {"source": "nodes/web1.json", "target": str(target)}]))
    args = ["apply", "--inventory", str(inventory), "--provider", str(root), "--dry-run"]

    assert main(args) == 0
    out = " ".join(capsys.readouterr().err.split())  # warnings are status: stderr
    assert "warning: node web1 ssh.port: 22 -> 2222" in out
    assert "ships common.json: the move is not pushed" in out

    _git(root, "commit", "-q", "-am", "edited")
    assert main(args) == 0
    assert "warning: node" not in capsys.readouterr().err

    (root / ".git").rename(root / "not-git")
    assert main(args) == 0
    assert "not a git checkout" in " ".join(capsys.readouterr().err.split())
