from __future__ import annotations

import os
import stat
from datetime import timedelta
from pathlib import Path

import pytest

from tests.test_certs_support import NOW, ec_key, write_pair
from tui.core.atomic import atomic_write
from tui.core.certs import (
    PairExistsError,
    certificate_names,
    check_cert_dir,
    create_self_signed,
    inspect_dir,
    resolve,
)
from tui.core.errors import ConfigError


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_creates_a_pair_for_a_domain(tmp_path: Path) -> None:
    created = create_self_signed(tmp_path, "Example.com", now=NOW)
    assert created.crt_path == tmp_path / "example.com.crt"
    assert created.key_path == tmp_path / "example.com.key"
    assert mode(created.key_path) == 0o600
    assert mode(created.crt_path) == 0o644
    info = created.info
    assert info.common_name == "example.com"
    assert info.dns_names == ("example.com",)
    assert info.self_signed and info.key_type == "EC P-256"
    assert info.not_after - NOW == timedelta(days=365)
    assert info.serial != 1
    pair = inspect_dir(tmp_path).pair("example.com")
    assert pair is not None and pair.usable
    assert resolve(inspect_dir(tmp_path), "example.com").covers_name is True


def test_serials_are_random(tmp_path: Path) -> None:
    first = create_self_signed(tmp_path / "a", "example.com").info.serial
    second = create_self_signed(tmp_path / "b", "example.com").info.serial
    assert first != second
    assert first.bit_length() > 64


def test_wildcard_adds_the_subdomain_name(tmp_path: Path) -> None:
    info = create_self_signed(tmp_path, "example.com", wildcard=True).info
    assert info.dns_names == ("example.com", "*.example.com")
    assert info.covers("app.example.com") and info.covers("example.com")


def test_default_pair_has_names_and_passes_the_checks(tmp_path: Path) -> None:
    created = create_self_signed(tmp_path, "default", now=NOW)
    assert created.crt_path.name == "default.crt"
    assert created.info.dns_names == ("localhost",)
    assert created.info.ip_addresses == ("127.0.0.1", "::1")
    create_self_signed(tmp_path, "example.com", now=NOW)
    assert check_cert_dir(inspect_dir(tmp_path), now=NOW) == []


def test_default_with_names_and_wildcard(tmp_path: Path) -> None:
    info = create_self_signed(
        tmp_path, "default", extra_names=["example.com", "192.0.2.1"], wildcard=True
    ).info
    assert info.dns_names == ("example.com", "*.example.com")
    assert info.ip_addresses == ("192.0.2.1",)
    with pytest.raises(ConfigError, match="wildcard default"):
        certificate_names("default", wildcard=True)


def test_never_overwrites_without_force(tmp_path: Path) -> None:
    _, key_path = write_pair(tmp_path, "example.com", ec_key(), with_crt=False, key_mode=0o644)
    before = key_path.read_bytes()
    with pytest.raises(PairExistsError, match=r"example\.com\.key already exists"):
        create_self_signed(tmp_path, "example.com")
    assert key_path.read_bytes() == before
    assert not (tmp_path / "example.com.crt").exists()

    created = create_self_signed(tmp_path, "example.com", force=True)
    assert key_path.read_bytes() != before
    assert mode(key_path) == 0o600
    assert created.crt_path.exists()


def test_key_is_private_whatever_the_umask(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, int | None]] = []

    def recording(path: Path, data: bytes, *, mode: int | None = None) -> None:
        calls.append((path.name, mode))
        atomic_write(path, data, mode=mode)

    monkeypatch.setattr("tui.core.certs.create.atomic_write", recording)
    old_umask = os.umask(0)
    try:
        created = create_self_signed(tmp_path, "example.com")
    finally:
        os.umask(old_umask)
    assert calls == [("example.com.key", 0o600), ("example.com.crt", 0o644)]
    assert mode(created.key_path) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["example.com.crt", "example.com.key"]


def test_creates_the_directory(tmp_path: Path) -> None:
    created = create_self_signed(tmp_path / "config" / "certificates", "default")
    assert created.key_path.exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../etc/passwd", "not a host name"),
        ("*.example.com", "not a host name"),
        ("", "empty domain"),
        ("10.0.0.1", "send no server name"),
        ("exa mple.com", "not a host name"),
    ],
)
def test_bad_names_are_refused(tmp_path: Path, name: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        create_self_signed(tmp_path, name)
    assert list(tmp_path.iterdir()) == []


def test_bad_extra_names_and_days(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a host name"):
        certificate_names("example.com", extra_names=["bad/name"])
    with pytest.raises(ConfigError, match="at least 1"):
        create_self_signed(tmp_path, "example.com", days=0)


def test_never_creates_a_directory_named_after_an_unset_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The TUI's certificate action and `certs new` both end here."""
    monkeypatch.chdir(tmp_path)
    for unset in ("$CL_HOME/config/certificates", "${CL_HOME}/c", "certs/$NOPE"):
        with pytest.raises(ConfigError, match="not set here"):
            create_self_signed(Path(unset), "default")
    assert list(tmp_path.iterdir()) == []
