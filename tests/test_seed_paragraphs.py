"""One test per paragraph of the seed pages that states a port, a default or a rule.

Each test quotes its sentence (``said``: checked verbatim against ../shared/seeds/) and
asserts that the tool agrees with it; the pages' own example configurations draw no
error, and no warning the page does not itself ask for.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.test_certs_support import NOW, ec_key, make_cert, write_pair
from tests.test_leap_checks import provider, web
from tui.core.certs import CertSource, check_cert_dir, inspect_dir, resolve
from tui.core.clace_checks import check_clace
from tui.core.clace_config import ClaceConfig
from tui.core.clace_schema import CLACE_FIELDS
from tui.core.findings import Finding, Severity
from tui.core.leap_checks import check_provider
from tui.core.leap_provider import Provider
from tui.core.port_catalog import PAGE_PORTS
from tui.core.portmap import provider_port_rows

CLACE, LEAP = "clace-networking.md", "leap-ports.md"

HTTPS_EXAMPLE = """\
# HTTPS port binding related Config
[https]
host = "0.0.0.0" # bind to all interfaces (if port is >= 0)
port = 25224 # port for HTTPS
enable_cert_lookup = true # enable looking for certificate files on disk before using Let's Encrypt
service_email = "" # email address for registering with Let's Encrypt. Set a value to enable automatic certs
use_staging = true # use Let's Encrypt staging server
cert_location = "$CL_HOME/config/certificates" # where to look for existing certificate files
storage_location = "$CL_HOME/run/certmagic" # where to cache dynamically created certificates
"""  # noqa: E501

AUTO_EXAMPLE = """\
# HTTPS port binding related Config
[https]
host = "0.0.0.0"
port = 443
enable_cert_lookup = true
service_email = "MY_EMAIL@example.com" # CHANGE to your email address
use_staging = true # CHANGE to false for production
cert_location = "$CL_HOME/config/certificates"
storage_location = "$CL_HOME/run/certmagic"
"""


Said = Callable[[str, str], None]


@pytest.fixture
def said(seeds_dir: Path) -> Said:
    """said(page, sentence): the sentence is the page's own, word for word."""

    def check(page: str, sentence: str) -> None:
        text = (seeds_dir / page).read_text(encoding="utf-8")
        text = " ".join(text.replace("<code>", "").replace("</code>", "").split())
        assert " ".join(sentence.split()) in text

    return check


def clace(tmp_path: Path, text: str) -> list[Finding]:
    path = tmp_path / "clace.toml"
    path.write_text(text)
    return check_clace(ClaceConfig.load(path))


def codes(findings: list[Finding], severity: Severity | None = None) -> set[str]:
    return {f.code for f in findings if severity is None or f.severity is severity}


# --- Clace: Networking: Ports and Certificates -----------------------------------------------


def test_http_defaults(tmp_path: Path, said: Said) -> None:
    said(CLACE, "For HTTP requests, by default the Clace service listens on port 25223, on the "
         "localhost(127.0.0.1) interface.")
    assert (CLACE_FIELDS["http.port"].default, CLACE_FIELDS["http.host"].default) == (
        25223, "127.0.0.1")
    example = ('[http]\nhost = "127.0.0.1" # bind to localhost by default for HTTP\n'
               "port = 25223 # default port for HTTP\n")
    assert clace(tmp_path, example) == []


def test_http_port_0_and_minus_1_and_all_interfaces(tmp_path: Path, said: Said) -> None:
    said(CLACE, "Port 0 means bind to any available port. Port -1 means disable HTTP access. "
         "Use host as `0.0.0.0` to bind to all available interfaces.")
    port_0 = clace(tmp_path, "[http]\nport = 0\n")  # allowed; the page's own caveat as warning
    assert "CL003" in codes(port_0) and codes(port_0, Severity.ERROR) == set()
    assert "CL004" in codes(clace(tmp_path, "[http]\nport = -1\n"), Severity.INFO)
    # 0.0.0.0 is a valid host; the only note is that plaintext HTTP is then reachable
    assert codes(clace(tmp_path, '[http]\nhost = "0.0.0.0"\n'), Severity.ERROR) == set()


def test_https_defaults_and_the_pages_example(tmp_path: Path, said: Said) -> None:
    said(CLACE, "For HTTPS requests, the Clace service listens on port 25224 by default, on "
         "the any(0.0.0.0) interface.")
    assert (CLACE_FIELDS["https.port"].default, CLACE_FIELDS["https.host"].default) == (
        25224, "0.0.0.0")
    assert clace(tmp_path, HTTPS_EXAMPLE) == []


def test_https_port_0_and_minus_1(tmp_path: Path, said: Said) -> None:
    said(CLACE, "Port 0 means bind to any available port. Port -1 means disable HTTPS access.")
    assert "CL003" in codes(clace(tmp_path, "[https]\nport = 0\n"))
    assert "CL004" in codes(clace(tmp_path, "[https]\nport = -1\n"))
    assert "CL005" in codes(clace(tmp_path, "[http]\nport = -1\n[https]\nport = -1\n"))


def test_certificate_lookup_order(tmp_path: Path, said: Said) -> None:
    said(CLACE, "During the first HTTPS request, `$CL_HOME/config/certificates` is looked up "
         "for a crt and key file in the PEM format matching the domain name as passed to the "
         "server.")
    said(CLACE, "If no domain specific certificate is found, then the default certificate "
         "`default.crt` and `default.key` are looked up. If found, that is used.")
    said(CLACE, "If default certificate is not found, and Lets Encrypt based certificate "
         "creation is disabled (the default), then a self-signed certificate is auto created "
         "in the certificates folder.")
    certs = tmp_path / "certificates"
    write_pair(certs, "app.example.com", ec_key())
    directory = inspect_dir(certs)
    assert resolve(directory, "app.example.com").source is CertSource.DOMAIN
    assert resolve(directory, "other.example.com").source is CertSource.GENERATED
    assert "CE007" in codes(check_cert_dir(directory, now=NOW), Severity.INFO)
    write_pair(certs, "default", ec_key(), make_cert(ec_key(), names=("other.example.com",)))
    assert resolve(inspect_dir(certs), "other.example.com").source is CertSource.DEFAULT


def test_example_crt_serves_example_com(tmp_path: Path, said: Said) -> None:
    said(CLACE, "For example, if a file example.crt and example.key are found in te "
         "certificates folder, those are used for example.com domain.")
    certs = tmp_path / "certificates"
    key = ec_key()
    write_pair(certs, "example", key, make_cert(key, names=("example.com",)))
    write_pair(certs, "default", ec_key())
    directory = inspect_dir(certs)
    served = resolve(directory, "example.com")
    assert served.source is CertSource.DOMAIN and served.crt_path.endswith("/example.crt")
    findings = check_cert_dir(directory, now=NOW)
    assert codes(findings, Severity.ERROR) | codes(findings, Severity.WARNING) == set()
    note = next(f for f in findings if f.code == "CE011")
    assert note.severity is Severity.INFO and "example.com.crt" in note.message


def test_automatic_certificate_prerequisites(tmp_path: Path, said: Said) -> None:
    said(CLACE, "The https config is using 443 as the port number.")
    said(CLACE, "Port 443 is reachable from the public internet.")
    auto = AUTO_EXAMPLE.replace("MY_EMAIL@example.com", "ops@ops-team.org")
    assert "CL008" in codes(clace(tmp_path, auto.replace("port = 443", "port = 8443")))
    assert "CL011" in codes(clace(tmp_path, auto.replace('"0.0.0.0"', '"127.0.0.1"')))
    assert codes(clace(tmp_path, auto), Severity.ERROR) == set()


def test_the_pages_automatic_configuration(tmp_path: Path, said: Said) -> None:
    """Nothing wrong: what the page asks for itself (CHANGE the address, privileged ports
    need the setup it describes) is information, so `check --strict` passes it."""
    said(CLACE, "Once the pre-requisites are met, set the `service_email` config parameter to "
         "your email address.")
    found = clace(tmp_path, AUTO_EXAMPLE)
    assert codes(found, Severity.ERROR) == set() and codes(found, Severity.WARNING) == set()
    assert {"CL018", "CL002"} <= codes(found, Severity.INFO)


def test_start_with_staging(tmp_path: Path, said: Said) -> None:
    said(CLACE, "Test out the certificate creation. If the certificate is getting created, "
         "change `use_staging` to false.")
    said(CLACE, "Start the configuration with staging `use_staging = true`, change to "
         "production config `use_staging = false` after ensuring that DNS and networking is "
         "working fine.")
    found = [f for f in clace(tmp_path, AUTO_EXAMPLE) if f.code == "CL010"]
    assert [f.severity for f in found] == [Severity.INFO]
    assert "use_staging = false" in found[0].hint


def test_lookup_before_certmagic(tmp_path: Path, said: Said) -> None:
    said(CLACE, "With this config, the certificates folder is looked up for any custom "
         "certificates for the domain. If not found, certmagic is used to create the "
         "certificate.")
    cl016 = [f for f in clace(tmp_path, AUTO_EXAMPLE) if f.code == "CL016"]
    assert [f.severity for f in cl016] == [Severity.INFO] and "v0.1.10" in cl016[0].message
    certs = tmp_path / "certificates"
    write_pair(certs, "example.com", ec_key())
    directory = inspect_dir(certs)
    email = "ops@ops-team.org"
    assert resolve(directory, "example.com", service_email=email).source is CertSource.DOMAIN
    assert resolve(directory, "other.org", service_email=email).source is CertSource.CERTMAGIC
    ce010 = [f for f in check_cert_dir(directory, now=NOW, service_email=email)
             if f.code == "CE010"]
    assert ce010[0].severity is Severity.INFO and "serve the names they are for" in (
        ce010[0].message)


def test_lookup_off_serves_default_for_all(tmp_path: Path, said: Said) -> None:
    said(CLACE, "If enable_cert_lookup is false, and service_email also is unset (certmagic "
         "is disabled), then the `default.crt` certificate is used for all requests.")
    assert "CL012" in codes(clace(tmp_path, "[https]\nenable_cert_lookup = false\n"))
    certs = tmp_path / "certificates"
    write_pair(certs, "example.com", ec_key())
    write_pair(certs, "default", ec_key())
    served = resolve(inspect_dir(certs), "example.com", enable_cert_lookup=False)
    assert served.source is CertSource.DEFAULT


def test_privileged_ports(tmp_path: Path, said: Said) -> None:
    said(CLACE, "On Linux, binding to low ports is disabled for non-root users.")
    said(CLACE, "This would be required after any new build or update of the Clace binary.")
    found = [f for f in clace(tmp_path, "[http]\nport = 80\n") if f.code == "CL002"]
    assert "setcap cap_net_bind_service=+ep" in found[0].hint and "update" in found[0].hint


def test_notes(tmp_path: Path, said: Said) -> None:
    said(CLACE, "Please provide a valid email address in service_email.")
    said(CLACE, "Clients would have to be updated after every server restarted to point to "
         "the new port.")
    bad_email = AUTO_EXAMPLE.replace("MY_EMAIL@example.com", "not an address")
    assert "CL009" in codes(clace(tmp_path, bad_email), Severity.ERROR)
    port_0 = [f for f in clace(tmp_path, "[https]\nport = 0\n") if f.code == "CL003"]
    assert "restart" in port_0[0].message


# --- LEAP: Ports ---------------------------------------------------------------------------


def test_every_row_of_both_tables_is_in_the_port_map(tmp_path: Path, said: Said) -> None:
    said(LEAP, "Some ports must be *publicly open*, meaning that these should be accessible "
         "from the public internet. Other ports are *privately open*, meaning that they must "
         "be accessible to sysadmins or to the other nodes in the provider's infrastructure.")
    p = provider(tmp_path, {"nodes/all.json": {
        "ip_address": "10.0.0.9", "services": ["webapp", "mx", "soledad", "couchdb", "openvpn"],
        "openvpn": {"gateway_address": "10.0.0.10"}}})
    rows = [r for r in provider_port_rows(p) if r.node == "all"]
    for spec in PAGE_PORTS:
        for port in spec.ports:
            shown = [r for r in rows if r.name == spec.name and str(r.port) == str(port)]
            assert shown and all(r.public is spec.public for r in shown), (spec.name, port)
    assert codes(check_provider(p), Severity.ERROR) == set()


@pytest.mark.parametrize(("key", "name"), [("smtp.port", "SMTP"), ("webapp.http_port", "HTTP"),
                                           ("https.port", "HTTPS")])
def test_fixed_ports_are_not_configurable(tmp_path: Path, said: Said, key: str, name: str) -> None:
    said(LEAP, "This is required for all server-to-server SMTP email relay. This is not "
         "configurable.")
    group, _, leaf = key.partition(".")
    p = provider(tmp_path, {"nodes/web1.json": web(**{group: {leaf: 8000}})})
    found = [f for f in check_provider(p) if f.code == "LP006"]
    assert found and name in found[0].message


@pytest.mark.parametrize(("sentence", "key", "default"), [
    ("This can be changed via the configuration property soledad.port.", "soledad.port", 2323),
    ("This can be changed via the configuration property nickserver.port.",
     "nickserver.port", 6425),
    ("For now, this can be changed via the configuration property api.port.", "api.port", 4430),
    ("You can modify this using the configuration property ssh.port.", "ssh.port", 22),
])
def test_configurable_ports(tmp_path: Path, said: Said, sentence: str, key: str,
                           default: int) -> None:
    said(LEAP, sentence)
    p = provider(tmp_path, {"nodes/web1.json": web(services=["webapp", "soledad", "couchdb"])})
    assert p.effective("web1").get(key) == default
    group, _, leaf = key.partition(".")
    p = provider(tmp_path / "bad", {"nodes/web1.json": web(
        services=["webapp", "soledad", "couchdb"], **{group: {leaf: 70000}})})
    assert any(f.code == "LP001" and f.path == key for f in check_provider(p))


def test_openvpn_ports_open_on_the_gateway_address(tmp_path: Path, said: Said) -> None:
    said(LEAP, "By default, OpenVPN gateways will listen on all those ports.")
    said(LEAP, "Note that these ports must be open for openvpn.gateway_address, not for "
         "ip_address.")
    p = provider(tmp_path)
    vpn = [r for r in provider_port_rows(p) if r.node == "vpn1" and r.name == "OpenVPN"]
    assert {str(r.port) for r in vpn} == {"80", "443", "53", "1194"}
    assert {r.address for r in vpn} == {"10.0.0.4"}
    same = provider(tmp_path / "same", {"nodes/vpn1.json": {
        "ip_address": "10.0.0.3", "services": "openvpn",
        "openvpn": {"gateway_address": "10.0.0.3"}}})
    assert any(f.code == "LP005" and "own ip_address" in f.message
               for f in check_provider(same))


def test_ssh_port_is_never_blocked(tmp_path: Path, said: Said) -> None:
    said(LEAP, "It is important that this port is never blocked, or you will lose access to "
         "deploy to this node.")
    p = provider(tmp_path, {"nodes/web1.json": web(ssh={"port": 443})})
    assert any(f.code == "LP004" for f in check_provider(p))
    moved = provider(tmp_path / "moved", {"nodes/web1.json": web(ssh={"port": 2222})})
    assert any(f.code == "LP014" and "firewall" in f.message for f in check_provider(moved))


def test_stunnel_range(tmp_path: Path, said: Said) -> None:
    said(LEAP, "This is the range of ports that might be used for the encrypted stunnel "
         "connections between two nodes. These port numbers are automatically generated, but "
         "will fall somewhere in the specified range.")
    p = provider(tmp_path, {"nodes/db1.json": {
        "ip_address": "10.0.0.2", "services": ["couchdb", "soledad"],
        "soledad": {"port": 15984}}})
    rows = [r for r in provider_port_rows(p) if r.node == "db1" and r.name == "Stunnel"]
    assert {str(r.port) for r in rows} == {"10000-20000", "15984"}
    found = check_provider(p)
    assert any(f.code == "LP003" and f.path == "soledad.port" for f in found)
    assert any(f.code == "LP011" and "stunnel" in f.message for f in found)


def test_leaps_own_providers_draw_no_error(corpus_dir: Path) -> None:
    """LEAP's test and CI providers are what leap accepts: no error (tor's DirPort is not
    on a relay that is not an exit relay, as site_tor::relay sets it up)."""
    for name in ("leap_cli-test-provider", "platform-ci-provider"):
        p = Provider.load(corpus_dir / "leap" / name)
        assert codes(check_provider(p), Severity.ERROR) == set(), name
    # Directories LEAP itself refuses as providers: no provider.json (leap_cli bails:
    # assert_files_exist!(provider.json, common.json)).
    for name in ("puppet-test-provider", "compiled-client-view"):
        found = check_provider(Provider.load(corpus_dir / "leap" / name))
        assert codes(found, Severity.ERROR) == {"LP013"}, name
