from __future__ import annotations

import os
import stat
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.test_certs_support import (
    NOW,
    cert_pem,
    ec_key,
    key_pem,
    make_cert,
    rsa_key,
    write_pair,
)
from tui.core.certs import (
    LocalDirReader,
    PemError,
    SFTPDirReader,
    inspect_dir,
    inspect_reader,
    parse_certificate,
    parse_private_key,
)
from tui.core.certs.inspect import key_matches_certificate, pem_blocks
from tui.core.errors import ConfigError


def test_certificate_details_rsa(tmp_path: Path) -> None:
    key = rsa_key()
    cert = make_cert(key, names=("example.com", "www.example.com", "10.0.0.5"), days=90)
    info = parse_certificate(cert_pem(cert))
    assert info.common_name == "example.com"
    assert info.subject == "CN=example.com"
    assert info.dns_names == ("example.com", "www.example.com")
    assert info.ip_addresses == ("10.0.0.5",)
    assert info.self_signed is True
    assert info.key_type == "RSA" and info.key_bits == 2048
    assert info.not_after - info.not_before == timedelta(days=90)
    assert info.days_left(NOW) == 89
    assert len(info.fingerprint_sha256.split(":")) == 32


def test_certificate_issued_by_a_ca_is_not_self_signed() -> None:
    leaf = make_cert(ec_key(), names=("app.example.com",), issuer_key=ec_key("P-384"))
    info = parse_certificate(cert_pem(leaf))
    assert info.self_signed is False
    assert info.issuer == "CN=Test CA"
    assert info.key_type == "EC P-256" and info.key_bits == 256


def test_chain_file_uses_the_first_certificate_as_leaf() -> None:
    ca_key = ec_key("P-384")
    leaf = make_cert(ec_key(), names=("leaf.example.com",), issuer_key=ca_key)
    ca = make_cert(ca_key, names=("ca.example",))
    info = parse_certificate(cert_pem(leaf, ca))
    assert info.dns_names == ("leaf.example.com",)
    assert info.chain_length == 2


def test_certificate_like_clace_generates_has_no_cn_and_no_san() -> None:
    key = ec_key("P-384")
    cert = make_cert(key, names=(), common_name=None, organization="Clace Server", days=365)
    info = parse_certificate(cert_pem(cert))
    assert info.common_name is None
    assert info.has_san is False
    assert info.subject == "O=Clace Server"
    assert info.key_type == "EC P-384" and info.key_bits == 384


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"hello, this is not a certificate\n", "no -----BEGIN"),
        (b"\x30\x82\x01\x0a\xff\xfe\x00", "binary data"),
        (b"-----BEGIN CERTIFICATE-----\nMIIB\n", "truncated PEM"),
        (b"-----BEGIN CERTIFICATE-----\nnot base64 at all!!\n-----END CERTIFICATE-----\n",
         "malformed certificate"),
    ],
)
def test_garbage_certificates_give_a_one_line_reason(data: bytes, reason: str) -> None:
    with pytest.raises(PemError) as caught:
        parse_certificate(data)
    assert reason in str(caught.value)
    assert "\n" not in str(caught.value)


def test_truncated_body_of_a_real_certificate() -> None:
    pem = cert_pem(make_cert(ec_key()))
    lines = pem.splitlines(keepends=True)
    cut = b"".join(lines[:3] + lines[-1:])  # BEGIN, two body lines, END
    with pytest.raises(PemError, match="malformed certificate"):
        parse_certificate(cut)


def test_key_in_the_crt_file_is_named() -> None:
    with pytest.raises(PemError, match=r"no CERTIFICATE block \(found PRIVATE KEY\)"):
        parse_certificate(key_pem(ec_key()))


def test_private_key_formats() -> None:
    assert parse_private_key(key_pem(rsa_key())).key_type == "RSA"
    assert parse_private_key(key_pem(rsa_key(), traditional=True)).key_bits == 2048
    sec1 = key_pem(ec_key("P-384"), traditional=True)
    assert b"BEGIN EC PRIVATE KEY" in sec1
    assert parse_private_key(sec1).key_type == "EC P-384"
    # `openssl ecparam -genkey` writes the curve parameters first: Go skips them, so do we.
    params = b"-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
    assert parse_private_key(params + key_pem(ec_key())).key_type == "EC P-256"


def test_encrypted_and_wrong_keys_are_refused() -> None:
    with pytest.raises(PemError, match="encrypted private key"):
        parse_private_key(key_pem(ec_key(), password=b"secret"))
    with pytest.raises(PemError, match="encrypted private key"):
        parse_private_key(key_pem(rsa_key(), traditional=True, password=b"secret"))
    with pytest.raises(PemError, match=r"no PRIVATE KEY block \(found CERTIFICATE\)"):
        parse_private_key(cert_pem(make_cert(ec_key())))
    with pytest.raises(PemError, match="malformed private key"):
        parse_private_key(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")


def test_key_matching() -> None:
    cert = cert_pem(make_cert(ec_key()))
    assert key_matches_certificate(cert, key_pem(ec_key())) is True
    assert key_matches_certificate(cert, key_pem(ec_key("P-256", 1))) is False
    assert key_matches_certificate(cert, key_pem(rsa_key())) is False


def test_pem_blocks_in_order() -> None:
    data = cert_pem(make_cert(ec_key())) + key_pem(ec_key())
    assert [label for label, _ in pem_blocks(data)] == ["CERTIFICATE", "PRIVATE KEY"]


def test_inspect_dir_pairs_files(tmp_path: Path) -> None:
    write_pair(tmp_path, "default", ec_key("P-384"))
    write_pair(tmp_path, "example.com", rsa_key())
    write_pair(tmp_path, "lonely.example.com", ec_key(), with_key=False)
    write_pair(tmp_path, "mismatch.example.com", ec_key(), make_cert(rsa_key()))
    (tmp_path / "notes.txt").write_text("not a certificate")
    (tmp_path / ".crt").write_text("no name")
    (tmp_path / "sub.crt").mkdir()

    cert_dir = inspect_dir(tmp_path)

    assert [p.name for p in cert_dir.pairs] == [
        "default", "example.com", "lonely.example.com", "mismatch.example.com",
    ]
    assert cert_dir.location == str(tmp_path)
    example = cert_dir.pair("example.com")
    assert example is not None and example.usable
    assert example.crt is not None and example.crt.path == f"{tmp_path}/example.com.crt"
    assert example.key is not None and example.key.mode == 0o600
    lonely = cert_dir.pair("lonely.example.com")
    assert lonely is not None and lonely.key is None and not lonely.complete
    assert lonely.problem == "lonely.example.com.key is missing"
    mismatch = cert_dir.pair("mismatch.example.com")
    assert mismatch is not None and mismatch.key_matches is False and not mismatch.usable


def test_inspect_records_garbage_and_unreadable_files(tmp_path: Path) -> None:
    (tmp_path / "bad.example.com.crt").write_bytes(b"garbage")
    (tmp_path / "bad.example.com.key").write_bytes(key_pem(ec_key()))
    os.symlink(tmp_path / "gone.pem", tmp_path / "dangling.example.com.crt")
    cert_dir = inspect_dir(tmp_path)
    bad = cert_dir.pair("bad.example.com")
    assert bad is not None and bad.crt is not None
    assert bad.crt.error is not None and "not PEM" in bad.crt.error
    assert bad.key_matches is None and bad.complete and not bad.usable
    dangling = cert_dir.pair("dangling.example.com")
    assert dangling is not None and dangling.crt is not None
    assert dangling.crt.error == "cannot read: no such file (dangling link?)"


class UnreadableKeys(LocalDirReader):
    """As a non-root server user sees a root-owned 0600 key (tests may run as root)."""

    def read(self, name: str) -> bytes:
        if name.endswith(".key"):
            raise PermissionError(13, "Permission denied", name)
        return super().read(name)


def test_unreadable_key_is_recorded(tmp_path: Path) -> None:
    write_pair(tmp_path, "example.com", ec_key())
    pair = inspect_reader(UnreadableKeys(tmp_path)).pair("example.com")
    assert pair is not None and pair.key is not None
    assert pair.key.error == "cannot read: permission denied"
    assert pair.key_matches is None and pair.cert is not None


def test_missing_directory_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="directory does not exist"):
        inspect_dir(tmp_path / "nope")
    (tmp_path / "file").write_text("x")
    with pytest.raises(ConfigError, match="cannot list"):
        inspect_dir(tmp_path / "file")


def test_symlinked_files_are_followed(tmp_path: Path) -> None:
    real = tmp_path / "real"
    crt, key = write_pair(real, "example.com", ec_key())
    certs = tmp_path / "certs"
    certs.mkdir()
    os.symlink(crt, certs / "example.com.crt")
    os.symlink(key, certs / "example.com.key")
    pair = inspect_dir(certs).pair("example.com")
    assert pair is not None and pair.usable
    assert pair.key is not None and pair.key.mode == 0o600


class FakeAttr:
    def __init__(self, filename: str, st_mode: int | None) -> None:
        self.filename = filename
        self.st_mode = st_mode


class LocalSFTP:
    """paramiko.SFTPClient's reading calls, over the local file system."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def listdir_attr(self, path: str = ".") -> list[Any]:
        self.calls.append(f"listdir_attr {path}")
        return [FakeAttr(name, os.lstat(os.path.join(path, name)).st_mode)
                for name in os.listdir(path)]

    def stat(self, path: str) -> Any:
        self.calls.append(f"stat {path}")
        return FakeAttr(os.path.basename(path), os.stat(path).st_mode)

    def open(self, filename: str, mode: str = "r") -> Any:
        self.calls.append(f"open {filename}")
        return open(filename, mode)


def test_sftp_reader_gives_the_same_pairs_as_the_local_one(tmp_path: Path) -> None:
    write_pair(tmp_path, "default", ec_key("P-384"), key_mode=0o644)
    write_pair(tmp_path, "example.com", rsa_key())
    (tmp_path / "junk.crt").write_bytes(b"junk")
    (tmp_path / "subdir.key").mkdir()
    os.symlink(tmp_path / "example.com.crt", tmp_path / "alias.example.com.crt")
    sftp = LocalSFTP()

    remote = inspect_reader(SFTPDirReader(sftp, str(tmp_path), display_prefix="web1:"))
    local = inspect_reader(LocalDirReader(tmp_path))

    assert remote.location == f"web1:{tmp_path}"
    assert [p.name for p in remote.pairs] == [p.name for p in local.pairs]
    for remote_pair, local_pair in zip(remote.pairs, local.pairs, strict=True):
        assert remote_pair.cert == local_pair.cert
        assert remote_pair.key_matches == local_pair.key_matches
        remote_mode = remote_pair.key.mode if remote_pair.key else None
        assert remote_mode == (local_pair.key.mode if local_pair.key else None)
    default = remote.default
    assert default is not None and default.key is not None
    assert default.key.path == f"web1:{tmp_path}/default.key"
    assert stat.S_IMODE(default.key.mode or 0) == 0o644
    assert f"stat {tmp_path}/alias.example.com.crt" in sftp.calls


def test_sftp_reader_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="directory does not exist"):
        inspect_reader(SFTPDirReader(LocalSFTP(), str(tmp_path / "missing")))


def test_key_types_the_server_cannot_load_are_refused() -> None:
    from cryptography.hazmat.primitives.asymmetric import dsa

    with pytest.raises(PemError, match="DSA keys are not supported"):
        parse_private_key(key_pem(dsa.generate_private_key(key_size=1024)))


def test_days_since_expiry_counts_whole_days_after_not_after() -> None:
    from datetime import UTC, datetime, timedelta

    from tests.test_certs_support import cert_pem, ec_key, make_cert
    from tui.core.certs import parse_certificate
    from tui.core.certs.report import expired_words

    now = datetime.now(UTC).replace(microsecond=0)
    key = ec_key()
    minutes_ago = parse_certificate(cert_pem(make_cert(
        key, not_before=now - timedelta(days=90), not_after=now - timedelta(minutes=5))))
    assert minutes_ago.days_left(now) == -1
    assert minutes_ago.days_since_expiry(now) == 0
    assert expired_words(minutes_ago.days_since_expiry(now)) == "expired today"
    days_ago = parse_certificate(cert_pem(make_cert(
        key, not_before=now - timedelta(days=90), not_after=now - timedelta(days=2, hours=1))))
    assert days_ago.days_since_expiry(now) == 2
    assert expired_words(2) == "expired 2 days ago" and expired_words(1) == "expired 1 day ago"
