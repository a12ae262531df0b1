"""The TUI's apply screen shows a host's preflight findings in its dry run, and skips it."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.plugins.requirements import missing
from tests.plugins.sshd_hosts import RemoteEnv, SshdHost
from tests.tui.test_apply_pilot import apply_until_ready, make_app, old_bytes
from widgets.host_results import HostResultsTable, result_detail

Hosts = Callable[[int], list[SshdHost]]


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "remote-ro"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        missing(f"cannot mount a tmpfs for the read-only test: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


@pytest.mark.timeout(60)
async def test_the_dry_run_lists_preflight_errors_and_skips_the_host(
        samples: Path, remote_env: RemoteEnv, sshd_hosts: Hosts, read_only_dir: Path) -> None:
    (host,) = sshd_hosts(1)
    target = read_only_dir / "clace.toml"
    target.write_bytes(old_bytes(samples))
    subprocess.run(["mount", "-o", "remount,ro", str(read_only_dir)], check=True)
    remote_env.trust(host)
    inventory = remote_env.inventory(remote_env.host_toml(host, "h1", [
        {"source": "clace", "target": str(target)}]))
    app = make_app(samples, inventory)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await apply_until_ready(pilot, app)
        assert screen.phase == "blocked", screen.status_text
        table = screen.query_one(HostResultsTable)
        (result,) = table.results
        assert result.status == "failed"
        detail = result_detail(result)
        assert f"PF005 h1:{read_only_dir} is on a read-only file system" in detail
        assert result.message.startswith("preflight: ")
        assert "cannot be applied to" in screen.status_text
    assert target.read_bytes() == old_bytes(samples)
