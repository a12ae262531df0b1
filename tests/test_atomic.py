from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tui.core.atomic import atomic_write, is_read_only


def test_replaces_content_and_keeps_mode(tmp_path: Path) -> None:
    target = tmp_path / "clace.toml"
    target.write_bytes(b"old\n")
    target.chmod(0o640)
    atomic_write(target, b"new\n")
    assert target.read_bytes() == b"new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["clace.toml"]


def test_forced_mode_for_private_keys(tmp_path: Path) -> None:
    key = tmp_path / "default.key"
    atomic_write(key, b"secret", mode=0o600)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_failure_leaves_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "node.json"
    target.write_bytes(b"{}\n")

    def broken_replace(src: str, dst: object) -> None:
        raise OSError("disk went away")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        atomic_write(target, b'{"ssh": {"port": 2222}}\n')
    assert target.read_bytes() == b"{}\n"
    assert [p.name for p in tmp_path.iterdir()] == ["node.json"]


def test_a_symlink_is_followed_and_kept(tmp_path: Path) -> None:
    real = tmp_path / "real.toml"
    real.write_bytes(b"old\n")
    link = tmp_path / "link.toml"
    link.symlink_to(real.name)
    atomic_write(link, b"new\n")
    assert link.is_symlink()
    assert real.read_bytes() == b"new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.toml", "real.toml"]


def test_read_only_means_no_write_bit_even_for_root(tmp_path: Path) -> None:
    target = tmp_path / "clace.toml"
    assert not is_read_only(target)  # a file yet to be created
    target.write_bytes(b"x\n")
    assert not is_read_only(target)
    target.chmod(0o444)
    assert is_read_only(target)
    link = tmp_path / "link.toml"
    link.symlink_to(target.name)
    assert is_read_only(link)
