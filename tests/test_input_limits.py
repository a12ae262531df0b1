"""Inputs bounded: every configuration file read is capped by size (refused in one line,
exit 2, before it is read), journal lines too, and a long value is cut short in every
message that names it."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tui.cli import main
from tui.core.clip import clip_message, quoted
from tui.core.textfile import MAX_CONFIG_BYTES, MAX_INVENTORY_BYTES, size_text
from tui.core.user_config import load_user_config

MINIMAL = Path(__file__).parent / "data" / "leap_minimal"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def sparse(path: Path, size: int, head: bytes = b"") -> Path:
    """A file of ``size`` bytes that takes no room on disk (refused by its size unread)."""
    with path.open("wb") as handle:
        handle.write(head)
        handle.truncate(size)
    return path


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LEAP_TUI_STATE_DIR", str(tmp_path / "state"))
    return tmp_path


def test_a_huge_clace_file_is_refused_in_one_line(here: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    sparse(here / "clace.toml", 200 * 1024 * 1024, b'[http]\nhost = "')
    for argv in (["check", "--clace", "clace.toml"], ["set", "clace.toml", "http.port", "1"],
                 ["get", "clace.toml", "http.port"], ["ports", "--clace", "clace.toml"]):
        status, _, err = run(capsys, *argv)
        assert status == 2, argv
        limit = size_text(MAX_CONFIG_BYTES)
        assert err == ("leap-tui: clace.toml: too large to be a configuration file: 200.0 MiB "
                       f"(209715200 bytes), over leap-tui's limit of {limit}\n"), argv
    assert os.path.getsize(here / "clace.toml") == 200 * 1024 * 1024  # untouched


def test_just_under_the_cap_is_read(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    value = "x" * (MAX_CONFIG_BYTES - 100)
    (here / "clace.toml").write_text(f'[http]\nport = 25222\nhost = "{value}"\n')
    status, out, _ = run(capsys, "check", "--clace", "clace.toml")
    assert status == 1  # CL013: the value is no host name; said in a short line
    (line,) = out.splitlines()
    assert line.startswith("clace.toml:3:1: CL013 error HTTP host: 'xxxx")
    assert "x…'" in line and len(line) < 250


def test_provider_files_and_the_user_config_are_capped(
        here: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    provider = here / "provider"
    shutil.copytree(MINIMAL, provider)
    sparse(provider / "nodes" / "web1.json", 107 * 1024 * 1024, b'{"ip_address": "')
    status, _, err = run(capsys, "check", "--provider", "provider")
    assert status == 2 and err.startswith("leap-tui: provider/nodes/web1.json: too large")
    assert "107.0 MiB" in err and err.count("\n") == 1
    config = sparse(here / "config.toml", MAX_CONFIG_BYTES + 1, b"theme = ")
    with pytest.raises(Exception, match="too large to be a configuration file") as refused:
        load_user_config(config)
    assert str(refused.value).startswith(f"{config}: too large")


def test_inventories_are_capped_higher(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (here / "clace.toml").write_text('[http]\nhost = "127.0.0.1"\nport = 25222\n')
    # An inventory over the documents' cap but under its own is read (big fleets; here a
    # long comment makes the size, hosts make the work).
    hosts = "#" + "x" * MAX_CONFIG_BYTES + "\n" + "".join(
        f'[[host]]\nname = "h{n}"\naddress = "10.{n // 65536}.{n // 256 % 256}.'
        f'{n % 256}"\n[[host.file]]\nsource = "clace"\ntarget = "/etc/c.toml"\n'
        for n in range(2_000))
    (here / "hosts.toml").write_text(hosts)
    assert os.path.getsize(here / "hosts.toml") > MAX_CONFIG_BYTES
    status, _, err = run(capsys, "export", "ansible", "out", "--inventory", "hosts.toml",
                         "--clace", "clace.toml")
    assert status == 0, err
    sparse(here / "big.toml", MAX_INVENTORY_BYTES + 1, b"[[host]]\n")
    sparse(here / "big.ini", MAX_INVENTORY_BYTES + 1, b"[web]\n")
    for name in ("big.toml", "big.ini"):
        status, _, err = run(capsys, "apply", "--inventory", name, "--clace", "clace.toml",
                             "--dry-run")
        assert status == 2 and err == (f"leap-tui: {name}: too large to be a configuration "
                                       "file: 16.0 MiB (16777217 bytes), over leap-tui's "
                                       "limit of 16.0 MiB\n")


def test_long_values_are_cut_in_every_message(here: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    provider = here / "provider"
    shutil.copytree(MINIMAL, provider)
    (provider / "nodes" / "web1.json").write_text(json.dumps(
        {"ip_address": "y" * 500_000, "services": ["webapp"]}))
    status, out, _ = run(capsys, "check", "--provider", "provider", "--format", "json")
    (lp009,) = [f for f in json.loads(out)["findings"] if f["code"] == "LP009"]
    assert len(lp009["message"]) < 200 and "y…" in lp009["message"]
    status, _, err = run(capsys, "set", "provider/nodes/web1.json", "ssh.port", "a" * 300)
    assert status == 2 and len(err) < 200 and "a…" in err
    assert quoted("z" * 1000).endswith("z…'") and len(quoted("z" * 1000)) == 80
    path = "/srv/" + "/".join(["dir"] * 30) + "/clace.toml"  # a long path stays whole
    assert clip_message(f"cannot read {path}: {'w' * 300}") == (
        f"cannot read {path}: {'w' * 79}…")
