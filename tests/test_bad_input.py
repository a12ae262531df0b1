"""Hostile files: never a traceback, never a hang, never a non-regular file replaced.

FIFOs, device nodes and sockets are made inside the test's temp dir (never /dev/...).
"""

from __future__ import annotations

import json
import os
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui.cli import main
from tui.core.atomic import NotRegularFileError, atomic_write
from tui.core.clace_config import ClaceConfig
from tui.core.errors import ConfigError
from tui.core.inventory import load_inventory
from tui.core.jsonc import JsoncDocument
from tui.core.leap_provider import Provider
from tui.core.user_config import load_user_config, save_theme

MINIMAL = Path(__file__).parent / "data" / "leap_minimal"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def odd_files(tmp_path: Path) -> Iterator[dict[str, Path]]:
    """A FIFO, a character device (1,3 like /dev/null, but here), a socket, a directory."""
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    device = tmp_path / "device.toml"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    sock_path = tmp_path / "socket.toml"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(sock_path))
    directory = tmp_path / "dir.toml"
    directory.mkdir()
    try:
        yield {"FIFO": fifo, "character device": device, "socket": sock_path,
               "directory": directory}
    finally:
        server.close()


def test_reading_anything_but_a_regular_file_is_one_line(
    odd_files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    for kind, path in odd_files.items():
        with pytest.raises(ConfigError, match=f"not a regular file: an? {kind}"):
            ClaceConfig.load(path)
        status, out, err = run(capsys, "check", "--clace", str(path), "--format", "json")
        assert status == 2 and "Traceback" not in out + err
        assert json.loads(out)["file"] == str(path)
        for loader in (load_inventory, load_user_config):
            with pytest.raises(ConfigError, match="not a regular file"):
                loader(path)


def test_a_symlink_to_a_device_is_refused_too(
    odd_files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    link = tmp_path / "link.toml"
    link.symlink_to(odd_files["character device"])
    status, _, err = run(capsys, "set", str(link), "http.port", "8080")
    assert status == 2 and "not a regular file" in err
    assert stat.S_ISCHR(odd_files["character device"].stat().st_mode)


def test_the_atomic_writer_never_replaces_a_non_regular_file(
    odd_files: dict[str, Path], tmp_path: Path
) -> None:
    dangling = tmp_path / "dangling.toml"
    dangling.symlink_to(tmp_path / "nowhere" / "x.toml")
    targets = {**odd_files, "link to a device": tmp_path / "l1", "link to nothing": dangling}
    targets["link to a device"].symlink_to(odd_files["character device"])
    before = {name: os.lstat(path) for name, path in targets.items()}
    for name, path in targets.items():
        with pytest.raises(NotRegularFileError):
            atomic_write(path, b"data\n")
        after = os.lstat(path)
        assert (after.st_ino, after.st_mode) == (before[name].st_ino, before[name].st_mode), name
    assert not (tmp_path / "nowhere").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".leap-tui.tmp")]


def test_the_atomic_writer_follows_a_link_to_a_regular_file(tmp_path: Path) -> None:
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    real = real_dir / "clace.toml"
    real.write_text("old\n")
    link = tmp_path / "clace.toml"
    link.symlink_to(real)
    atomic_write(link, b"new\n")
    assert link.is_symlink() and real.read_text() == "new\n"
    assert sorted(p.name for p in real_dir.iterdir()) == ["clace.toml"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clace.toml", "real"]


def test_every_odd_entry_of_a_provider_is_named(tmp_path: Path) -> None:
    root = tmp_path / "provider"
    root.mkdir()
    for name in ("provider.json", "common.json"):
        (root / name).write_text((MINIMAL / name).read_text())
    (root / "services").write_text("not a directory\n")
    nodes = root / "nodes"
    nodes.mkdir()
    (nodes / "good.json").write_text('{"ip_address": "10.0.0.1"}\n')
    (nodes / "dangling.json").symlink_to(nodes / "missing.json")
    os.mkfifo(nodes / "fifo.json")
    (nodes / "dir.json").mkdir()
    (nodes / "latin1.json").write_bytes(b'{"ip_address": "caf\xe9"}\n')
    (nodes / ".hidden.json").write_text("not read: LEAP's glob skips dotfiles too\n")
    with pytest.raises(ConfigError) as caught:
        Provider.load(root)
    found = {Path(e.file).name: e.message for e in caught.value.all_errors()}
    assert set(found) == {"services", "dangling.json", "fifo.json", "dir.json", "latin1.json"}
    assert "not a directory" in found["services"]
    assert "does not exist" in found["dangling.json"]
    assert "FIFO" in found["fifo.json"] and "directory" in found["dir.json"]
    assert "UTF-8" in found["latin1.json"]


def test_a_huge_json_integer_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "provider"
    root.mkdir()
    (root / "provider.json").write_text((MINIMAL / "provider.json").read_text())
    (root / "nodes").mkdir()
    (root / "nodes" / "big.json").write_text('{"ssh": {"port": ' + "9" * 5000 + "}}\n")
    status, out, err = run(capsys, "check", "--provider", str(root), "--format", "json")
    assert status == 2 and "Traceback" not in out + err
    assert json.loads(out)["line"] == 1 and "5000 digits" in err


@pytest.mark.parametrize("depth", [101, 5000])
def test_deep_nesting_is_a_clear_error(tmp_path: Path, depth: int) -> None:
    with pytest.raises(ConfigError, match="100 levels"):
        JsoncDocument.parse('{"a": ' + "[" * depth + "]" * depth + "}", "x.json")
    path = tmp_path / "deep.toml"
    path.write_text("a = " + "[" * depth + "]" * depth + "\n")
    with pytest.raises(ConfigError, match="100 levels") as caught:
        ClaceConfig.load(path)
    assert (caught.value.line, caught.value.column) == (1, 5 + 100)


def test_a_user_config_that_does_not_parse_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('theme = "x"\n[keymap\n')
    with pytest.raises(ConfigError) as caught:
        load_user_config(path)
    assert (caught.value.line, caught.value.column) == (2, 8)
    with pytest.raises(OSError, match="not overwriting"):
        save_theme("other", path)
    assert path.read_text() == 'theme = "x"\n[keymap\n'
