"""check_clace: every CL rule fires where it must and stays silent where it must not."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.core.clace_checks import CLACE_RULES, check_clace
from tui.core.clace_config import ClaceConfig
from tui.core.clace_hosts import classify_host, hosts_overlap
from tui.core.findings import Finding, Severity, has_errors

REAL_FILES = [
    "clace.default.2023-09-seed.toml",
    "clace.default.2024-04.toml",
    "clace.default.latest.toml",
    "openrun.default.latest.toml",
]

# A quiet baseline: no rule fires on it (loopback HTTP, HTTPS with lookup, no email).
QUIET = """\
[http]
host = "127.0.0.1"
port = 25222

[https]
host = "0.0.0.0"
port = 25223
"""

AUTO = """\
[http]
host = "127.0.0.1"
port = 25222

[https]
host = "0.0.0.0"
port = 443
service_email = "ops@acme.test"
use_staging = false
enable_cert_lookup = false
"""


def check(tmp_path: Path, text: str) -> list[Finding]:
    path = tmp_path / "clace.toml"
    path.write_text(text, encoding="utf-8")
    return check_clace(ClaceConfig.load(path))


def codes(tmp_path: Path, text: str) -> list[str]:
    return sorted(f.code for f in check(tmp_path, text))


def only(tmp_path: Path, text: str, code: str) -> Finding:
    found = [f for f in check(tmp_path, text) if f.code == code]
    assert len(found) == 1, found
    return found[0]


def test_baselines_are_quiet(tmp_path: Path) -> None:
    assert codes(tmp_path, QUIET) == []
    assert codes(tmp_path, AUTO) == ["CL002"]  # 443 is privileged; nothing else


@pytest.mark.parametrize("name", REAL_FILES)
def test_real_default_files_have_no_error(corpus_dir: Path, name: str) -> None:
    findings = check_clace(ClaceConfig.load(corpus_dir / "clace" / name))
    assert not has_errors(findings), [f.format_text() for f in findings]
    assert not [f for f in findings if f.code == "CL014"]


def test_findings_carry_file_path_line_and_hint(tmp_path: Path) -> None:
    finding = only(tmp_path, QUIET.replace("port = 25223", "port = 70000"), "CL001")
    assert finding.file == str(tmp_path / "clace.toml")
    assert finding.path == "https.port"
    assert finding.line == 7
    assert finding.severity is Severity.ERROR
    assert finding.hint


def test_rules_table_lists_every_code() -> None:
    assert sorted(CLACE_RULES) == [f"CL{n:03d}" for n in range(0, 22)]
    assert all(text and "\n" not in text for text in CLACE_RULES.values())


# --- ports -----------------------------------------------------------------------------------


def test_cl001_port_out_of_range_or_not_an_integer(tmp_path: Path) -> None:
    assert "CL001" in codes(tmp_path, QUIET.replace("port = 25222", "port = -2"))
    assert "CL001" in codes(tmp_path, QUIET.replace("port = 25223", "port = 65536"))
    finding = only(tmp_path, QUIET.replace("port = 25223", "port = 443.5"), "CL001")
    assert "not an integer" in finding.message
    assert "CL001" not in codes(tmp_path, QUIET.replace("port = 25223", "port = 65535"))


def test_cl002_privileged_port_hint_mentions_setcap_and_updates(tmp_path: Path) -> None:
    finding = only(tmp_path, QUIET.replace("port = 25222", "port = 80"), "CL002")
    # Information: the page's own recommended config binds 443 after its setup step.
    assert finding.severity is Severity.INFO and finding.path == "http.port"
    assert "sudo setcap cap_net_bind_service=+ep /path/to/clace" in finding.hint
    assert "again after every update" in finding.hint
    assert "CL002" not in codes(tmp_path, QUIET.replace("port = 25222", "port = 1024"))


def test_cl003_port_zero(tmp_path: Path) -> None:
    finding = only(tmp_path, QUIET.replace("port = 25223", "port = 0"), "CL003")
    assert "restart" in finding.message and finding.path == "https.port"


def test_cl004_disabled_listener_and_cl005_both_disabled(tmp_path: Path) -> None:
    one = codes(tmp_path, QUIET.replace("port = 25222", "port = -1"))
    assert one == ["CL004"]
    both = QUIET.replace("port = 25222", "port = -1").replace("port = 25223", "port = -1")
    assert codes(tmp_path, both) == ["CL004", "CL004", "CL005"]
    assert only(tmp_path, both, "CL005").severity is Severity.ERROR


def test_cl006_same_port_overlapping_addresses(tmp_path: Path) -> None:
    same = QUIET.replace("port = 25222", "port = 25223")
    assert "CL006" in codes(tmp_path, same)  # 127.0.0.1 inside 0.0.0.0
    apart = same.replace('host = "0.0.0.0"', 'host = "192.0.2.10"')
    assert "CL006" not in codes(tmp_path, apart)
    v6_all = same.replace('host = "0.0.0.0"', 'host = "[::]"')
    assert "CL006" in codes(tmp_path, v6_all)
    random_both = QUIET.replace("port = 25222", "port = 0").replace("port = 25223", "port = 0")
    assert "CL006" not in codes(tmp_path, random_both)


def test_cl007_http_beyond_localhost(tmp_path: Path) -> None:
    assert "CL007" in codes(tmp_path, QUIET.replace('host = "127.0.0.1"', 'host = "0.0.0.0"'))
    assert "CL007" in codes(tmp_path, QUIET.replace('host = "127.0.0.1"', 'host = ""'))
    for loopback in ("localhost", "127.0.0.2", "[::1]"):
        text = QUIET.replace('host = "127.0.0.1"', f'host = "{loopback}"')
        assert "CL007" not in codes(tmp_path, text), loopback
    disabled = QUIET.replace('host = "127.0.0.1"', 'host = "0.0.0.0"').replace(
        "port = 25222", "port = -1"
    )
    assert "CL007" not in codes(tmp_path, disabled)


# --- automatic certificates ------------------------------------------------------------------


def test_cl008_automatic_certificates_need_443(tmp_path: Path) -> None:
    finding = only(tmp_path, AUTO.replace("port = 443", "port = 8443"), "CL008")
    assert finding.path == "https.port" and finding.severity is Severity.ERROR
    assert "CL008" in codes(tmp_path, AUTO.replace("port = 443", "port = 0"))
    without_port = AUTO.replace("port = 443\n", "")  # the default 25224 is not 443 either
    assert "CL008" in codes(tmp_path, without_port)
    assert "CL008" not in codes(tmp_path, AUTO)


def test_cl008_service_email_with_https_disabled_is_a_warning(tmp_path: Path) -> None:
    finding = only(tmp_path, AUTO.replace("port = 443", "port = -1"), "CL008")
    assert finding.severity is Severity.WARNING
    assert finding.path == "https.service_email" and "disabled" in finding.message
    assert "CL008" not in codes(tmp_path, QUIET.replace("port = 25223", "port = -1"))


def test_cl009_service_email_not_an_address(tmp_path: Path) -> None:
    finding = only(tmp_path, AUTO.replace("ops@acme.test", "ops at acme"), "CL009")
    assert finding.path == "https.service_email"
    assert "CL009" in codes(tmp_path, AUTO.replace("ops@acme.test", "ops@acme"))
    assert "CL009" not in codes(tmp_path, AUTO)


def test_cl010_staging_certificates(tmp_path: Path) -> None:
    assert "CL010" in codes(tmp_path, AUTO.replace("use_staging = false", "use_staging = true"))
    assert "CL010" in codes(tmp_path, AUTO.replace("use_staging = false\n", ""))  # default true
    assert "CL010" not in codes(tmp_path, AUTO)
    no_email = QUIET + "use_staging = true\n"
    assert "CL010" not in codes(tmp_path, no_email)


def test_cl011_automatic_certificates_on_loopback(tmp_path: Path) -> None:
    text = AUTO.replace('host = "0.0.0.0"', 'host = "127.0.0.1"')
    assert only(tmp_path, text, "CL011").path == "https.host"
    assert "CL011" in codes(tmp_path, AUTO.replace('host = "0.0.0.0"', 'host = "localhost"'))
    assert "CL011" not in codes(tmp_path, AUTO)


def test_cl012_no_lookup_and_no_email_serves_default_crt(tmp_path: Path) -> None:
    text = QUIET + "enable_cert_lookup = false\n"
    finding = only(tmp_path, text, "CL012")
    assert finding.severity is Severity.INFO and "default.crt" in finding.message
    assert "CL012" not in codes(tmp_path, AUTO)  # email set: certmagic, not default.crt


def test_cl013_host_neither_address_nor_name(tmp_path: Path) -> None:
    finding = only(tmp_path, QUIET.replace('host = "127.0.0.1"', 'host = "::1"'), "CL013")
    assert '"[::1]"' in finding.hint
    for bad in ("256.1.1.1", "1.2.3", "http://example.org", "127.0.0.1:80", "bad_host!", "[zz]"):
        text = QUIET.replace('host = "127.0.0.1"', f'host = "{bad}"')
        assert "CL013" in codes(tmp_path, text), bad
    for good in ("example.org", "[::1]", "10.0.0.1", "localhost"):
        text = QUIET.replace('host = "127.0.0.1"', f'host = "{good}"')
        assert "CL013" not in codes(tmp_path, text), good


def test_cl014_unknown_key_with_suggestion(tmp_path: Path) -> None:
    finding = only(tmp_path, QUIET + "servce_email = 'x@y.org'\n", "CL014")
    assert finding.path == "https.servce_email"
    assert "service_email" in finding.hint
    assert finding.line == 8
    assert "CL014" not in codes(tmp_path, QUIET + "disable_client_certs = true\nmkcert_path = ''\n")
    # Only [http]/[https] are inspected: an unknown key elsewhere is not CL014.
    assert "CL014" not in codes(tmp_path, QUIET + "[logging]\nlevle = 'INFO'\n")


def test_cl015_wrong_types(tmp_path: Path) -> None:
    port = only(tmp_path, QUIET.replace("port = 25223", 'port = "443"'), "CL015")
    assert port.path == "https.port" and "without quotes" in port.hint
    flag = only(tmp_path, QUIET + 'use_staging = "no"\n', "CL015")
    assert "use_staging = false" in flag.hint
    host = only(tmp_path, QUIET.replace('host = "0.0.0.0"', "host = 0"), "CL015")
    assert host.path == "https.host"
    assert "CL015" in codes(tmp_path, "http = 5\n")
    # A wrong type silences the rules that would judge the default instead.
    email_port = AUTO.replace("port = 443", 'port = "443"')
    assert "CL008" not in codes(tmp_path, email_port)


def test_cl016_lookup_unused_with_automatic_certificates(tmp_path: Path) -> None:
    text = AUTO.replace("enable_cert_lookup = false", "enable_cert_lookup = true")
    assert only(tmp_path, text, "CL016").path == "https.enable_cert_lookup"
    assert "CL016" not in codes(tmp_path, AUTO)
    assert "CL016" not in codes(tmp_path, QUIET)


def test_cl017_redirect_needs_https_on_443(tmp_path: Path) -> None:
    redirect = QUIET.replace("port = 25222", "port = 25222\nredirect_to_https = true")
    warning = only(tmp_path, redirect, "CL017")
    assert warning.severity is Severity.WARNING and "443" in warning.message
    error = only(tmp_path, redirect.replace("port = 25223", "port = -1"), "CL017")
    assert error.severity is Severity.ERROR
    assert "CL017" not in codes(tmp_path, redirect.replace("port = 25223", "port = 443"))
    assert "CL017" not in codes(tmp_path, QUIET)


# --- rules beyond the table ------------------------------------------------------------------


def test_cl018_example_address_from_the_page(tmp_path: Path) -> None:
    text = AUTO.replace("ops@acme.test", "MY_EMAIL@example.com")
    assert only(tmp_path, text, "CL018").path == "https.service_email"
    assert "CL018" not in codes(tmp_path, AUTO)


def test_cl019_misspelled_section(tmp_path: Path) -> None:
    finding = only(tmp_path, QUIET + "[htps]\nport = 443\n", "CL019")
    assert "[https]" in finding.hint and finding.line == 8
    assert "CL019" not in codes(tmp_path, QUIET + "[logging]\nlevel = 'INFO'\n")
    assert "CL019" not in codes(tmp_path, QUIET + "[hosts]\nweb = 1\n")


def test_cl020_listener_setting_in_the_wrong_place(tmp_path: Path) -> None:
    top = only(tmp_path, "service_email = 'a@b.org'\n" + QUIET, "CL020")
    assert top.path == "service_email" and "[https]" in top.hint
    misplaced = QUIET + "\n[security]\nport = 443\n"
    assert only(tmp_path, misplaced, "CL020").path == "security.port"
    assert "CL020" not in codes(tmp_path, QUIET + "\n[security]\nsession_max_age = 1\n")


def test_cl021_empty_certificate_paths(tmp_path: Path) -> None:
    assert only(tmp_path, QUIET + 'cert_location = ""\n', "CL021").path == "https.cert_location"
    storage = AUTO + 'storage_location = ""\n'
    assert only(tmp_path, storage, "CL021").path == "https.storage_location"
    assert "CL021" not in codes(tmp_path, AUTO + 'cert_location = ""\n')  # unused with certmagic


# --- hosts -----------------------------------------------------------------------------------


def test_host_classification_and_overlap() -> None:
    assert classify_host("").is_all_interfaces
    assert classify_host("[::]").is_all_interfaces
    assert classify_host("0.0.0.0").is_all_ipv4
    assert classify_host("localhost").is_loopback
    assert classify_host("[::1]").is_loopback
    assert not classify_host("::1").is_valid
    assert hosts_overlap(classify_host("0.0.0.0"), classify_host("10.1.1.1"))
    assert not hosts_overlap(classify_host("0.0.0.0"), classify_host("[::1]"))
    assert hosts_overlap(classify_host("localhost"), classify_host("127.0.0.1"))
    assert not hosts_overlap(classify_host("10.0.0.1"), classify_host("10.0.0.2"))
    assert hosts_overlap(classify_host("Web.Example"), classify_host("web.example."))


# --- repeated checks after edits in place -----------------------------------------------------


def test_each_keystroke_edit_is_rechecked(corpus_dir: Path) -> None:
    """Typing digits edits the model in place; every check sees the value of that moment.

    (How fast this is lives in benchmarks/, not here: nothing in the suite is timed.)
    """
    cfg = ClaceConfig.load(corpus_dir / "clace" / "openrun.default.latest.toml")
    assert not any(f.code == "CL002" for f in check_clace(cfg))
    for port in range(400, 420):
        cfg.set("https.port", port)
        findings = check_clace(cfg)
        assert [f.path for f in findings if f.code == "CL002"] == ["https.port"]
    cfg.set("https.port", 25223)
    assert not any(f.code == "CL002" for f in check_clace(cfg))
