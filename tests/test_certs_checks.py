from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.test_certs_support import NOW, ec_key, key_pem, make_cert, rsa_key, write_pair
from tui.core.certs import CERT_RULES, check_cert_dir, inspect_dir
from tui.core.findings import Finding, Severity


def codes(findings: list[Finding]) -> list[str]:
    return sorted(f.code for f in findings)


def check(directory: Path, **settings: object) -> list[Finding]:
    return check_cert_dir(inspect_dir(directory), now=NOW, **settings)  # type: ignore[arg-type]


def healthy_default(directory: Path) -> None:
    write_pair(directory, "default", ec_key("P-384"), make_cert(ec_key("P-384"), names=("h",)))


def only(findings: list[Finding], code: str) -> Finding:
    matching = [f for f in findings if f.code == code]
    assert len(matching) == 1, findings
    return matching[0]


def test_a_healthy_directory_has_no_findings(tmp_path: Path) -> None:
    healthy_default(tmp_path)
    write_pair(tmp_path, "example.com", rsa_key())
    assert check(tmp_path) == []


def test_rules_are_listed_with_their_severity() -> None:
    assert sorted(CERT_RULES) == [f"CE{n:03d}" for n in range(1, 14)]
    assert all(text.split(":")[0] in {"error", "warning", "info"} for text in CERT_RULES.values())


def test_ce001_key_does_not_match(tmp_path: Path) -> None:
    healthy_default(tmp_path)
    _, key_path = write_pair(tmp_path, "example.com", ec_key(), make_cert(ec_key("P-256", 1)))
    finding = only(check(tmp_path), "CE001")
    assert finding.severity is Severity.ERROR
    assert finding.file == str(key_path)
    assert finding.path == "example.com"
    assert finding.line is None and finding.hint


def test_ce001_rsa_key_against_ec_certificate(tmp_path: Path) -> None:
    healthy_default(tmp_path)
    write_pair(tmp_path, "example.com", rsa_key(), make_cert(ec_key()))
    assert codes(check(tmp_path)) == ["CE001"]


def test_ce002_expired_is_an_error(tmp_path: Path) -> None:
    healthy_default(tmp_path)
    expired = make_cert(rsa_key(), not_before=NOW - timedelta(days=100), days=90)
    crt_path, _ = write_pair(tmp_path, "example.com", rsa_key(), expired)
    finding = only(check(tmp_path), "CE002")
    assert finding.severity is Severity.ERROR
    assert "expired" in finding.message
    assert finding.file == str(crt_path)


def test_ce002_expiring_within_30_days_is_a_warning(tmp_path: Path) -> None:
    healthy_default(tmp_path)
    soon = make_cert(ec_key(), not_before=NOW - timedelta(days=80), days=89)
    write_pair(tmp_path, "example.com", ec_key(), soon)
    finding = only(check(tmp_path), "CE002")
    assert finding.severity is Severity.WARNING
    assert "expires in 9 days" in finding.message


def test_ce002_boundary_and_not_yet_valid(tmp_path: Path) -> None:
    healthy_default(tmp_path)
    fine = make_cert(ec_key(), not_before=NOW - timedelta(days=1), days=31)
    write_pair(tmp_path, "example.com", ec_key(), fine)
    assert check(tmp_path) == []
    future = make_cert(ec_key(), not_before=NOW + timedelta(days=2), days=90)
    write_pair(tmp_path, "example.com", ec_key(), future)
    finding = only(check(tmp_path), "CE002")
    assert finding.severity is Severity.ERROR and "not valid before" in finding.message


def test_ce003_certificate_for_another_domain(tmp_path: Path) -> None:
    healthy_default(tmp_path)
    wrong = make_cert(ec_key(), names=("other.org",))
    write_pair(tmp_path, "example.com", ec_key(), wrong)
    finding = only(check(tmp_path), "CE003")
    assert finding.severity is Severity.WARNING
    assert "other.org" in finding.message and finding.path == "example.com"


def test_ce003_cn_alone_does_not_cover(tmp_path: Path) -> None:
    healthy_default(tmp_path)
    cn_only = make_cert(ec_key(), names=(), common_name="example.com")
    write_pair(tmp_path, "example.com", ec_key(), cn_only)
    assert "no SAN" in only(check(tmp_path), "CE003").message


def test_ce003_wildcard_covers_one_label_only(tmp_path: Path) -> None:
    healthy_default(tmp_path)
    wildcard = make_cert(ec_key(), names=("*.example.com",))
    write_pair(tmp_path, "app.example.com", ec_key(), wildcard)
    write_pair(tmp_path, "a.b.example.com", ec_key(), wildcard)
    write_pair(tmp_path, "example.com", ec_key(), wildcard)
    flagged = sorted(f.path for f in check(tmp_path) if f.code == "CE003")
    assert flagged == ["a.b.example.com", "example.com"]


def test_ce004_garbage_and_truncated_files(tmp_path: Path) -> None:
    healthy_default(tmp_path)
    (tmp_path / "garbage.example.com.crt").write_bytes(b"\x00\x01garbage")
    (tmp_path / "garbage.example.com.key").write_bytes(key_pem(ec_key()))
    truncated = key_pem(ec_key())[:60]
    (tmp_path / "cut.example.com.crt").write_bytes(
        (tmp_path / "default.crt").read_bytes()
    )
    (tmp_path / "cut.example.com.key").write_bytes(truncated)
    found = [f for f in check(tmp_path) if f.code == "CE004"]
    assert {f.file for f in found} == {
        str(tmp_path / "garbage.example.com.crt"), str(tmp_path / "cut.example.com.key"),
    }
    assert all(f.severity is Severity.ERROR and "\n" not in f.message for f in found)
    assert any("truncated PEM" in f.message for f in found)


def test_ce005_world_readable_key(tmp_path: Path) -> None:
    healthy_default(tmp_path)
    _, key_path = write_pair(tmp_path, "example.com", ec_key(), key_mode=0o644)
    finding = only(check(tmp_path), "CE005")
    assert finding.severity is Severity.WARNING
    assert finding.hint == f"chmod 600 {key_path}"
    key_path.chmod(0o640)
    assert "CE005" in codes(check(tmp_path))
    key_path.chmod(0o600)
    assert "CE005" not in codes(check(tmp_path))


def test_ce006_crt_without_key_and_key_without_crt(tmp_path: Path) -> None:
    healthy_default(tmp_path)
    write_pair(tmp_path, "a.example.com", ec_key(), with_key=False)
    write_pair(tmp_path, "b.example.com", ec_key(), with_crt=False)
    found = [f for f in check(tmp_path) if f.code == "CE006"]
    assert {(f.path, f.file) for f in found} == {
        ("a.example.com", str(tmp_path / "a.example.com.crt")),
        ("b.example.com", str(tmp_path / "b.example.com.key")),
    }
    assert all(f.severity is Severity.ERROR for f in found)


def test_ce006_whatever_the_lookup_settings(tmp_path: Path) -> None:
    healthy_default(tmp_path)
    write_pair(tmp_path, "a.example.com", ec_key(), with_key=False)
    lookup_off = only(check(tmp_path, enable_cert_lookup=False), "CE006")
    assert lookup_off.severity is Severity.ERROR
    assert "enable_cert_lookup is false" in lookup_off.message
    certmagic = only(check(tmp_path, service_email="ops@acme.test"), "CE006")
    assert "service_email" in certmagic.message
    assert "serves the default pair" in only(check(tmp_path), "CE006").message


def test_ce006_for_a_lone_default_file_only_when_certmagic_serves(tmp_path: Path) -> None:
    write_pair(tmp_path, "default", ec_key(), with_crt=False)
    assert only(check(tmp_path, service_email="ops@acme.test"), "CE006").path == "default"
    assert "CE006" not in codes(check(tmp_path))  # CE008 says it, with the consequence


def test_ce007_no_default_pair(tmp_path: Path) -> None:
    write_pair(tmp_path, "example.com", ec_key())
    finding = only(check(tmp_path), "CE007")
    assert finding.severity is Severity.INFO
    assert finding.file == str(tmp_path / "default.crt")
    # The server generates the default whether or not domain lookup is on.
    assert "CE007" in codes(check(tmp_path, enable_cert_lookup=False))
    # With certmagic, no file is used: nothing is generated.
    assert "CE007" not in codes(check(tmp_path, service_email="ops@example.com"))


def test_ce008_default_key_without_default_crt(tmp_path: Path) -> None:
    _, key_path = write_pair(tmp_path, "default", ec_key(), with_crt=False)
    finding = only(check(tmp_path), "CE008")
    assert finding.severity is Severity.ERROR
    assert finding.file == str(key_path)
    assert "overwrite default.key" in finding.message
    assert "CE007" not in codes(check(tmp_path))
    assert "CE006" not in codes(check(tmp_path))


def test_ce008_default_crt_without_default_key(tmp_path: Path) -> None:
    crt_path, _ = write_pair(tmp_path, "default", ec_key(), with_key=False)
    finding = only(check(tmp_path), "CE008")
    assert finding.file == str(crt_path)


def test_ce009_default_without_san(tmp_path: Path) -> None:
    no_san = make_cert(ec_key("P-384"), names=(), common_name=None, organization="Clace Server")
    crt_path, _ = write_pair(tmp_path, "default", ec_key("P-384"), no_san)
    finding = only(check(tmp_path), "CE009")
    assert finding.severity is Severity.WARNING
    assert finding.file == str(crt_path) and "no subject alternative name" in finding.message


def test_ce009_expired_self_signed_default_is_kept_by_the_server(tmp_path: Path) -> None:
    old = make_cert(ec_key(), names=("h",), not_before=NOW - timedelta(days=400), days=365)
    write_pair(tmp_path, "default", ec_key(), old)
    found = check(tmp_path)
    assert codes(found) == ["CE002", "CE009"]
    assert "never renews" in only(found, "CE009").message


def test_ce009_not_for_an_expired_ca_issued_default(tmp_path: Path) -> None:
    old = make_cert(ec_key(), names=("h",), not_before=NOW - timedelta(days=400), days=365,
                    issuer_key=rsa_key())
    write_pair(tmp_path, "default", ec_key(), old)
    assert codes(check(tmp_path)) == ["CE002"]


def test_ce010_certmagic_leaves_files_unused(tmp_path: Path) -> None:
    write_pair(tmp_path, "default", ec_key(), with_crt=False)
    write_pair(tmp_path, "example.com", ec_key(), with_key=False)
    found = check(tmp_path, service_email="ops@example.com")
    # Lookup problems (CE007, CE008) are moot with certmagic; the note says why. Half
    # pairs stay errors, like the other faults of the files themselves (CE001, CE002).
    assert codes(found) == ["CE006", "CE006", "CE010"]
    assert only(found, "CE010").file == str(tmp_path)


def test_ce010_not_for_an_empty_directory(tmp_path: Path) -> None:
    assert check(tmp_path, service_email="ops@example.com") == []


def test_ce011_pairs_no_client_asks_for(tmp_path: Path) -> None:
    healthy_default(tmp_path)
    write_pair(tmp_path, "example", ec_key())
    write_pair(tmp_path, "10.0.0.1", ec_key(), make_cert(ec_key(), names=("10.0.0.1",)))
    write_pair(tmp_path, "localhost", ec_key())
    found = [f for f in check(tmp_path) if f.code == "CE011"]
    assert sorted(f.path for f in found) == ["10.0.0.1", "example"]
    assert all(f.severity is Severity.INFO for f in found)


def test_ce012_lookup_off_leaves_domain_pairs_unused(tmp_path: Path) -> None:
    healthy_default(tmp_path)
    write_pair(tmp_path, "example.com", ec_key(), make_cert(ec_key(), names=("other.org",)))
    found = check(tmp_path, enable_cert_lookup=False)
    assert codes(found) == ["CE012"]
    assert "example.com" in found[0].message
    assert "CE012" not in codes(check(tmp_path))


def test_ce013_wildcard_in_a_domain_file(tmp_path: Path) -> None:
    healthy_default(tmp_path)
    wildcard = make_cert(ec_key(), names=("example.com", "*.example.com"))
    write_pair(tmp_path, "example.com", ec_key(), wildcard)
    finding = only(check(tmp_path), "CE013")
    assert finding.severity is Severity.INFO and "*.example.com" in finding.message


def test_findings_sorted_errors_first(tmp_path: Path) -> None:
    write_pair(tmp_path, "example.com", ec_key(), key_mode=0o644, with_crt=False)
    write_pair(tmp_path, "x.example.com", ec_key(), make_cert(rsa_key(), names=("x.example.com",)))
    severities = [f.severity.rank for f in check(tmp_path)]
    assert severities == sorted(severities)
    assert codes(check(tmp_path)) == ["CE001", "CE005", "CE006", "CE007"]
