"""The resolution follows the server's order (SOURCES.txt, issue 5) in every case."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_certs_support import ec_key, make_cert, rsa_key, write_pair
from tui.core.certs import CertSource, Resolution, inspect_dir, resolve


def answer(directory: Path, domain: str, **settings: object) -> Resolution:
    return resolve(inspect_dir(directory), domain, **settings)  # type: ignore[arg-type]


@pytest.fixture
def certs(tmp_path: Path) -> Path:
    write_pair(tmp_path, "default", ec_key("P-384"),
               make_cert(ec_key("P-384"), names=("host.example.net", "192.0.2.10")))
    write_pair(tmp_path, "example.com", rsa_key())
    return tmp_path


def test_domain_pair_by_full_server_name(certs: Path) -> None:
    result = answer(certs, "example.com")
    assert result.source is CertSource.DOMAIN
    assert result.crt_path == f"{certs}/example.com.crt"
    assert result.key_path == f"{certs}/example.com.key"
    assert result.server_name == "example.com"
    assert result.handshake_fails is False and result.covers_name is True
    assert "example.com.crt and example.com.key exist" in result.reason


def test_server_name_is_compared_lower_case_without_trailing_dot(certs: Path) -> None:
    assert answer(certs, "Example.COM.").source is CertSource.DOMAIN


def test_service_email_looks_up_the_files_first_as_the_page_says(certs: Path) -> None:
    """The page: "With this config, the certificates folder is looked up for any custom
    certificates for the domain. If not found, certmagic is used to create the
    certificate." Clace v0.1.10 changed that: said as information, never as an error."""
    found = answer(certs, "example.com", service_email="ops@example.com")
    assert found.source is CertSource.DOMAIN
    assert found.crt_path == f"{certs}/example.com.crt"
    assert "v0.1.10" in found.reason and "certmagic alone" in found.reason
    result = answer(certs, "other.example.org", service_email="ops@example.com")
    assert result.source is CertSource.CERTMAGIC
    assert result.crt_path is None and result.key_path is None
    assert answer(certs, "", service_email="ops@example.com").source is CertSource.CERTMAGIC


def test_other_names_get_the_default_pair(certs: Path) -> None:
    result = answer(certs, "www.example.com")
    assert result.source is CertSource.DEFAULT
    assert result.crt_path == f"{certs}/default.crt"
    assert result.reason.startswith("no www.example.com.crt/.key")
    assert result.covers_name is False


def test_lookup_off_serves_default_for_every_name(certs: Path) -> None:
    result = answer(certs, "example.com", enable_cert_lookup=False)
    assert result.source is CertSource.DEFAULT
    assert "enable_cert_lookup is false" in result.reason


def test_clients_by_ip_get_the_default_pair(certs: Path) -> None:
    write_pair(certs, "192.0.2.10", ec_key(), make_cert(ec_key(), names=("192.0.2.10",)))
    result = answer(certs, "192.0.2.10")
    assert result.source is CertSource.DEFAULT
    assert result.server_name is None
    assert "IP address" in result.reason
    assert result.covers_name is True  # the default names the address
    assert answer(certs, "").source is CertSource.DEFAULT
    assert answer(certs, "").covers_name is None


def test_half_a_domain_pair_falls_back_to_default(certs: Path) -> None:
    write_pair(certs, "a.example.com", ec_key(), with_key=False)
    result = answer(certs, "a.example.com")
    assert result.source is CertSource.DEFAULT
    assert result.reason.startswith("a.example.com.key is missing")


def test_broken_domain_pair_fails_the_handshake_without_fallback(certs: Path) -> None:
    write_pair(certs, "a.example.com", ec_key(), make_cert(ec_key("P-256", 1)))
    result = answer(certs, "a.example.com")
    assert result.source is CertSource.DOMAIN
    assert result.handshake_fails is True
    assert "no fallback" in result.reason
    (certs / "b.example.com.crt").write_bytes(b"garbage")
    (certs / "b.example.com.key").write_bytes(b"garbage")
    assert answer(certs, "b.example.com").handshake_fails is True


def test_broken_default_pair_fails_the_handshake(tmp_path: Path) -> None:
    write_pair(tmp_path, "default", ec_key(), make_cert(rsa_key()))
    result = answer(tmp_path, "example.com")
    assert result.source is CertSource.DEFAULT and result.handshake_fails is True


def test_no_default_pair_is_generated_at_first_request(tmp_path: Path) -> None:
    write_pair(tmp_path, "example.com", ec_key())
    result = answer(tmp_path, "other.example.com")
    assert result.source is CertSource.GENERATED
    assert result.crt_path == f"{tmp_path}/default.crt"
    assert result.key_path == f"{tmp_path}/default.key"
    assert "generates a self-signed pair" in result.reason
    assert result.covers_name is False  # no SANs in what the server generates
    assert result.handshake_fails is False


def test_lone_default_file_is_overwritten(tmp_path: Path) -> None:
    write_pair(tmp_path, "default", ec_key(), with_crt=False)
    result = answer(tmp_path, "")
    assert result.source is CertSource.GENERATED
    assert "default.crt is missing" in result.reason
    assert "overwriting default.key" in result.reason
    write_pair(tmp_path / "other", "default", ec_key(), with_key=False)
    assert "overwriting default.crt" in answer(tmp_path / "other", "").reason


def test_bare_label_file_serves_the_domain_as_the_page_says(tmp_path: Path) -> None:
    """The page: "if a file example.crt and example.key are found in te certificates
    folder, those are used for example.com domain." The full name wins when both exist."""
    write_pair(tmp_path, "example", ec_key(), make_cert(ec_key(), names=("example.com",)))
    found = answer(tmp_path, "example.com")
    assert found.source is CertSource.DOMAIN and found.crt_path == f"{tmp_path}/example.crt"
    assert found.covers_name is True
    assert "page's naming" in found.reason and "example.com.crt" in found.reason
    write_pair(tmp_path, "example.com", ec_key(), make_cert(ec_key(), names=("example.com",)))
    assert answer(tmp_path, "example.com").crt_path == f"{tmp_path}/example.com.crt"


def test_format_text_names_the_file_and_source(certs: Path) -> None:
    text = answer(certs, "example.com").format_text()
    assert text.startswith(f"example.com -> {certs}/example.com.crt [domain]: ")
    assert answer(certs, "").format_text().startswith("(no server name) -> ")


@pytest.mark.parametrize(
    ("pattern", "host", "expected"),
    [
        ("example.com", "EXAMPLE.com.", True),
        ("*.example.com", "app.example.com", True),
        ("*.example.com", "example.com", False),
        ("*.example.com", "a.b.example.com", False),
        ("*.example.com", ".example.com", False),
        ("app.example.com", "example.com", False),
    ],
)
def test_certificate_name_matching(pattern: str, host: str, expected: bool) -> None:
    from tui.core.certs.domains import name_matches

    assert name_matches(pattern, host) is expected
