"""ClaceConfig: typed fields with defaults, byte-exact load/save, edits that touch one line."""

from __future__ import annotations

import datetime
import difflib
import math
import os
import stat
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.core import textfile
from tui.core.clace_config import (
    ClaceConfig,
    HttpSettings,
    HttpsSettings,
    expand_value,
    join_key,
    parse_field_value,
    split_key,
    toml_literal,
)
from tui.core.clace_schema import CLACE_FIELDS, KNOWN_KEYS, is_known_key, is_known_section
from tui.core.errors import ConfigError

REAL_FILES = [
    "clace.default.2023-09-seed.toml",
    "clace.default.2024-04.toml",
    "clace.default.latest.toml",
    "openrun.default.latest.toml",
]

ALIGNED = """\
[http]
host = "127.0.0.1"        # bind to localhost by default for HTTP
port = 25222              # default port for HTTP
redirect_to_https = false # redirect HTTP to HTTPS

# HTTPS port binding related Config
[https]
host = "0.0.0.0"  # all interfaces
port = 25223      # port for HTTPS
"""


def write(tmp_path: Path, text: str, name: str = "clace.toml") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def load(tmp_path: Path, text: str) -> ClaceConfig:
    return ClaceConfig.load(write(tmp_path, text))


def changed_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


# --- typed fields and defaults -------------------------------------------------------------


def test_absent_keys_read_as_the_documented_defaults(tmp_path: Path) -> None:
    cfg = load(tmp_path, "# nothing configured\n")
    assert cfg.http == HttpSettings(host="127.0.0.1", port=25223, redirect_to_https=False)
    assert cfg.https == HttpsSettings(
        host="0.0.0.0",
        port=25224,
        enable_cert_lookup=True,
        service_email="",
        use_staging=True,
        cert_location="$CL_HOME/config/certificates",
        storage_location="$CL_HOME/run/certmagic",
        mkcert_path="",
        disable_client_certs=True,
    )
    assert not cfg.is_set("https.port")
    assert cfg.get("https.port") == 25224
    assert cfg.raw("https.port") is None


def test_values_in_the_file_win_over_defaults(tmp_path: Path) -> None:
    cfg = load(
        tmp_path,
        '[http]\nhost = "0.0.0.0"\nport = 80\nredirect_to_https = true\n'
        '[https]\nport = 443\nservice_email = "ops@example.org"\nuse_staging = false\n'
        "cert_location = '/etc/clace/certs'\n",
    )
    assert cfg.http == HttpSettings("0.0.0.0", 80, True)
    assert cfg.https.port == 443
    assert cfg.https.service_email == "ops@example.org"
    assert cfg.https.use_staging is False
    assert cfg.https.cert_location == "/etc/clace/certs"
    assert cfg.https.host == "0.0.0.0"  # still the default
    assert cfg.is_set("https.use_staging")


def test_a_wrongly_typed_value_reads_as_the_default_but_raw_shows_it(tmp_path: Path) -> None:
    cfg = load(tmp_path, '[https]\nport = "443"\nuse_staging = "no"\n[http]\nport = true\n')
    assert cfg.https.port == 25224
    assert cfg.https.use_staging is True
    assert cfg.http.port == 25223  # a boolean is not a port, although Python calls it an int
    assert cfg.raw("https.port") == "443"
    assert cfg.get("https.port") == 25224
    assert cfg.raw("https.use_staging") == "no"


def test_field_specs_cover_the_modelled_keys_in_order_with_notes() -> None:
    assert list(CLACE_FIELDS) == [
        "http.host",
        "http.port",
        "http.redirect_to_https",
        "https.host",
        "https.port",
        "https.enable_cert_lookup",
        "https.service_email",
        "https.use_staging",
        "https.cert_location",
        "https.storage_location",
        "https.mkcert_path",
        "https.disable_client_certs",
    ]
    assert CLACE_FIELDS["http.port"].default == 25223
    assert CLACE_FIELDS["https.port"].default == 25224
    for key in ("http.port", "https.port"):
        note = CLACE_FIELDS[key].note
        assert "2023-09-22" in note and "25222" in note and "25223" in note
    assert "-1 disables" in CLACE_FIELDS["https.port"].note
    assert all(spec.note and spec.label for spec in CLACE_FIELDS.values())


# --- the real default files ----------------------------------------------------------------


@pytest.mark.parametrize("name", REAL_FILES)
def test_real_default_files_load_and_save_byte_identical(
    corpus_dir: Path, tmp_path: Path, name: str
) -> None:
    data = (corpus_dir / "clace" / name).read_bytes()
    copy = tmp_path / name
    copy.write_bytes(data)
    cfg = ClaceConfig.load(copy)
    assert cfg.text == data.decode("utf-8")
    assert not cfg.is_modified
    cfg.save()
    assert copy.read_bytes() == data


def test_real_files_ports_follow_their_era(corpus_dir: Path) -> None:
    seed = ClaceConfig.load(corpus_dir / "clace" / "clace.default.2023-09-seed.toml")
    latest = ClaceConfig.load(corpus_dir / "clace" / "clace.default.latest.toml")
    openrun = ClaceConfig.load(corpus_dir / "clace" / "openrun.default.latest.toml")
    assert (seed.http.port, seed.https.port) == (25223, 25224)
    assert (latest.http.port, latest.https.port) == (25222, 25223)
    assert openrun.https.cert_location == "$OPENRUN_HOME/config/certificates"
    assert latest.raw("app_config.cors.max_age") == "2678400"
    assert latest.raw('plugin."fs.in".db_connection') == "sqlite:$CL_HOME/metadata/clace_fs.db"
    assert openrun.raw("permissions.allow.1.plugin") == "container.in"


def _walk_keys(node: object, section: tuple[str, ...]) -> list[tuple[tuple[str, ...], str]]:
    """(section, key) for every leaf key; app_config's dotted keys stay whole."""
    found: list[tuple[tuple[str, ...], str]] = []
    if not isinstance(node, dict):
        return found
    for key, value in node.items():
        if section == ("app_config",) and isinstance(value, dict):
            found.extend((section, f"{key}.{sub}") for sub in value)
        elif isinstance(value, dict) and is_known_section((*section, key)):
            found.extend(_walk_keys(value, (*section, key)))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for element in value:
                found.extend(_walk_keys(element, (*section, key)))
        else:
            found.append((section, key))
    return found


@pytest.mark.parametrize("name", REAL_FILES)
def test_every_key_of_the_real_files_is_known(corpus_dir: Path, name: str) -> None:
    import tomllib

    data = tomllib.loads((corpus_dir / "clace" / name).read_text(encoding="utf-8"))
    unknown = [
        (".".join(section), key)
        for section, key in _walk_keys(data, ())
        if not is_known_key(section, key)
    ]
    assert unknown == []


def test_known_keys_span_the_versions() -> None:
    assert {"server_url", "server_uri", "admin_user", "skip_cert_check"} <= KNOWN_KEYS[""]
    assert is_known_key(("plugin", "anything.in"), "db_connection")
    assert is_known_key(("bindings", "install"), "sqlserver")
    assert not is_known_key(("https",), "prot")
    assert not is_known_section(("htps",))


# --- edits ---------------------------------------------------------------------------------


def test_port_edit_changes_one_line_and_keeps_the_aligned_comment(tmp_path: Path) -> None:
    cfg = load(tmp_path, ALIGNED)
    cfg.set("https.port", 443)
    diff = changed_lines(ALIGNED, cfg.text)
    assert diff == [
        "-port = 25223      # port for HTTPS",
        "+port = 443        # port for HTTPS",
    ]
    assert cfg.is_modified


def test_a_longer_value_pushes_the_comment_but_keeps_one_space(tmp_path: Path) -> None:
    cfg = load(tmp_path, ALIGNED)
    cfg.set("http.host", "my-very-long-hostname.example.org")
    assert 'host = "my-very-long-hostname.example.org" # bind to localhost' in cfg.text
    assert len(changed_lines(ALIGNED, cfg.text)) == 2


def test_unaligned_comments_keep_their_single_space(tmp_path: Path) -> None:
    text = "[https]\nport = 25224 # port for HTTPS\nuse_staging = true # staging server\n"
    cfg = load(tmp_path, text)
    cfg.set("https.port", 443)
    assert cfg.text.splitlines()[1] == "port = 443 # port for HTTPS"


def test_a_shrinking_value_keeps_a_column_shared_with_a_neighbour(tmp_path: Path) -> None:
    cfg = load(tmp_path, ALIGNED)
    cfg.set("http.redirect_to_https", True)
    assert "redirect_to_https = true  # redirect HTTP to HTTPS" in cfg.text


def test_literal_strings_stay_literal_and_key_spelling_is_kept(tmp_path: Path) -> None:
    text = "[https]\n'cert_location'='/old/path' # certs\n"
    cfg = load(tmp_path, text)
    cfg.set("https.cert_location", "/new/path")
    assert cfg.text == "[https]\n'cert_location'='/new/path' # certs\n"
    cfg.set("https.cert_location", "it's")  # cannot be literal: falls back to basic quotes
    assert cfg.raw("https.cert_location") == "it's"
    assert "\"it's\"" in cfg.text


def test_a_new_key_goes_after_the_last_key_of_its_table(corpus_dir: Path, tmp_path: Path) -> None:
    source = (corpus_dir / "clace" / "clace.default.2023-09-seed.toml").read_text()
    cfg = load(tmp_path, source)
    cfg.set("http.redirect_to_https", True)
    lines = cfg.text.splitlines()
    assert lines[lines.index("port = 25223 # default port for HTTP") + 1] == (
        "redirect_to_https = true"
    )
    assert changed_lines(source, cfg.text) == ["+redirect_to_https = true"]
    assert cfg.http.redirect_to_https is True
    assert cfg.line_of("http.redirect_to_https") == lines.index("redirect_to_https = true") + 1


def test_a_new_key_takes_the_indentation_of_its_table(tmp_path: Path) -> None:
    cfg = load(tmp_path, "[https]\n  port = 443\n\n[logging]\n  level = 'INFO'\n")
    cfg.set("https.host", "0.0.0.0")
    assert cfg.text == (
        "[https]\n  port = 443\n  host = \"0.0.0.0\"\n\n[logging]\n  level = 'INFO'\n"
    )


def test_a_missing_table_is_appended(tmp_path: Path) -> None:
    cfg = load(tmp_path, "[http]\nport = 80\n")
    cfg.set("https.port", 443)
    assert cfg.text == "[http]\nport = 80\n\n[https]\nport = 443\n"
    cfg2 = load(tmp_path, "")
    cfg2.set("https.service_email", "a@b.org")
    assert cfg2.text == '[https]\nservice_email = "a@b.org"\n'


def test_dotted_and_inline_tables_are_edited_where_they_are(tmp_path: Path) -> None:
    cfg = load(tmp_path, "https.port = 8443\nhttp = { port = 8080 }\n")
    cfg.set("https.port", 443)
    cfg.set("https.host", "127.0.0.1")
    cfg.set("http.host", "0.0.0.0")
    assert cfg.https.port == 443 and cfg.https.host == "127.0.0.1"
    assert cfg.http.host == "0.0.0.0" and cfg.http.port == 8080
    lines = cfg.text.splitlines()
    assert len(lines) == 3  # one new line for the dotted key, the inline table grew in place
    assert lines[0] == "https.port = 443"
    assert lines[2] == 'https.host = "127.0.0.1"'
    reloaded = ClaceConfig.parse(cfg.text, tmp_path / "again.toml")
    assert reloaded.http == cfg.http and reloaded.https == cfg.https


def test_unset_removes_exactly_the_key_line(corpus_dir: Path, tmp_path: Path) -> None:
    source = (corpus_dir / "clace" / "clace.default.latest.toml").read_text()
    cfg = load(tmp_path, source)
    cfg.unset("https.mkcert_path")
    cfg.unset("https.not_there")  # absent keys are left alone
    assert changed_lines(source, cfg.text) == [
        '-mkcert_path = ""                               '
        "# mkcert binary path, set to disable to disable mkcert"
    ]
    assert cfg.https.mkcert_path == ""


def test_crlf_files_stay_crlf_through_edits(tmp_path: Path) -> None:
    text = "[http]\r\nport = 80 # plain\r\n\r\n[https]\r\nport = 443\r\n"
    cfg = load(tmp_path, text)
    cfg.set("http.port", 8080)
    cfg.set("http.host", "0.0.0.0")
    cfg.set("metadata.auto_upgrade", True)
    rendered = cfg.text
    assert rendered.count("\n") == rendered.count("\r\n")
    assert "port = 8080 # plain\r\nhost = \"0.0.0.0\"\r\n" in rendered
    assert "[metadata]\r\nauto_upgrade = true\r\n" in rendered


def test_a_bom_survives_save(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    data = b"\xef\xbb\xbf[http]\nport = 80\n"
    path.write_bytes(data)
    cfg = ClaceConfig.load(path)
    assert cfg.http.port == 80
    cfg.save()
    assert path.read_bytes() == data
    cfg.set("http.port", 81)
    cfg.save()
    assert path.read_bytes() == b"\xef\xbb\xbf[http]\nport = 81\n"


def test_save_is_atomic_keeps_mode_and_resets_modified(tmp_path: Path) -> None:
    path = write(tmp_path, ALIGNED)
    os.chmod(path, 0o640)
    cfg = ClaceConfig.load(path)
    cfg.set("http.port", 8080)
    assert cfg.original_text == ALIGNED
    cfg.save()
    assert cfg.original_text == cfg.text
    assert not cfg.is_modified
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert ClaceConfig.load(path).http.port == 8080
    assert [p.name for p in tmp_path.iterdir()] == ["clace.toml"]  # no temp file left


def test_replace_text_reparses_and_rejects_bad_text_unchanged(tmp_path: Path) -> None:
    cfg = load(tmp_path, ALIGNED)
    cfg.replace_text("[https]\nport = 8443\n")
    assert cfg.https.port == 8443
    assert cfg.line_of("https.port") == 2
    with pytest.raises(ConfigError) as caught:
        cfg.replace_text("[https]\nport = = 1\n")
    assert caught.value.line == 2 and caught.value.column is not None
    assert cfg.https.port == 8443
    assert cfg.text == "[https]\nport = 8443\n"
    assert cfg.original_text == ALIGNED


def test_set_refuses_paths_through_values_and_unsupported_types(tmp_path: Path) -> None:
    cfg = load(tmp_path, "http = 5\n")
    with pytest.raises(ValueError, match="http is not a table"):
        cfg.set("http.port", 80)
    with pytest.raises(TypeError):
        cfg.set("https.port", object())
    with pytest.raises(ValueError):
        cfg.set("", 1)
    assert cfg.text == "http = 5\n"


# --- lines and key paths -------------------------------------------------------------------


def test_line_of_keys_tables_and_arrays_of_tables(corpus_dir: Path) -> None:
    cfg = ClaceConfig.load(corpus_dir / "clace" / "openrun.default.latest.toml")
    lines = cfg.text.split("\n")

    def line_text(key: str) -> str:
        line = cfg.line_of(key)
        assert line is not None, key
        return lines[line - 1]

    assert line_text("https.port").startswith("port = 25223")
    assert line_text("https") == "[https]"
    assert line_text('plugin."fs.in".db_connection') == (
        'db_connection = "sqlite:$OPENRUN_HOME/metadata/clace_fs.db"'
    )
    assert line_text("permissions.allow.2.arguments") == 'arguments = ["regex:^<CONTAINER_URL>"]'
    assert line_text("app_config.cors.max_age").startswith('cors.max_age = "2678400"')
    # An absent key points at its table; an absent table at nothing.
    assert cfg.line_of("https.nope") == cfg.line_of("https")
    assert cfg.line_of("nosuch.key") is None


def test_line_of_skips_multiline_values() -> None:
    text = (
        'a = """\n[fake]\nport = 1\n"""\n'
        "b = [\n  1, # [not.a.table]\n  2,\n]\n"
        "[real]\nport = 2\n"
    )
    cfg = ClaceConfig.parse(text, Path("m.toml"))
    assert cfg.line_of("b") == 5
    assert cfg.line_of("real.port") == 10
    assert cfg.line_of("fake.port") is None


def test_key_paths_split_and_join_with_quotes() -> None:
    assert split_key('plugin."store.in".db_connection') == ("plugin", "store.in", "db_connection")
    assert split_key("https.port") == ("https", "port")
    assert join_key(("plugin", "store.in", "db")) == 'plugin."store.in".db'
    assert split_key(join_key(("a b", 'q"x'))) == ("a b", 'q"x')
    assert split_key(join_key(("new\nline", "tab\tbell\x07"))) == ("new\nline", "tab\tbell\x07")


# --- errors --------------------------------------------------------------------------------


def test_syntax_errors_name_file_line_and_1_based_column(tmp_path: Path) -> None:
    path = write(tmp_path, "[http]\nport = ?\n")
    with pytest.raises(ConfigError) as caught:
        ClaceConfig.load(path)
    error = caught.value
    assert (error.file, error.line, error.column) == (str(path), 2, 8)
    assert str(error).startswith(f"{path}:2:8: ")
    assert "\n" not in str(error)


def test_duplicate_tables_are_located(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, "[a]\nb = 1\n\n[a.b]\nc = 2\n")
    assert (caught.value.line, caught.value.column) == (4, 1)


def test_non_utf8_is_a_config_error_with_position(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'[https]\nservice_email = "caf\xe9@example.org"\n')
    with pytest.raises(ConfigError) as caught:
        ClaceConfig.load(path)
    assert (caught.value.line, caught.value.column) == (2, 21)
    assert "UTF-8" in caught.value.message


def test_unreadable_files_are_config_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        ClaceConfig.load(tmp_path / "missing.toml")
    with pytest.raises(ConfigError, match="directory"):
        ClaceConfig.load(tmp_path)
    path = write(tmp_path, "[http]\n")

    def denied(name: object, flags: int, mode: int = 0o777) -> int:
        raise PermissionError(13, "Permission denied", str(name))

    # Tests may run as root, where chmod 000 does not stop a read.
    monkeypatch.setattr(textfile.os, "open", denied)
    with pytest.raises(ConfigError, match="permission denied") as caught:
        ClaceConfig.load(path)
    assert caught.value.file == str(path)


# --- expansion and value parsing -----------------------------------------------------------


def test_expand_variables_as_the_server_does(tmp_path: Path) -> None:
    cfg = load(tmp_path, '[https]\ncert_location = "$CL_HOME/config/certificates"\n')
    env = {"CL_HOME": "/srv/clace", "OPENRUN_HOME": "/srv/or", "HOME": "/home/op"}
    assert cfg.expand(cfg.https.cert_location, env=env) == "/srv/clace/config/certificates"
    assert cfg.expand("${OPENRUN_HOME}/run", env=env) == "/srv/or/run"
    assert cfg.expand("~/certs", env=env) == "~/certs"  # Go's os.ExpandEnv leaves ~ alone
    assert cfg.expand("$CL_HOME/x", env={}) == "$CL_HOME/x"  # unset: left as written
    assert expand_value("a~b/$NOPE", env) == "a~b/$NOPE"


def test_cl_home_defaults_to_the_directory_of_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """cmd/clace/main.go getConfigPath: no CL_HOME and a config file -> the file's directory
    (made absolute); the server runs from there, so relative paths start there too."""
    monkeypatch.delenv("CL_HOME", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "etc").mkdir()
    write(tmp_path / "etc", "[https]\n")
    cfg = ClaceConfig.load(Path("etc") / "clace.toml")
    assert cfg.expand("$CL_HOME/config") == f"{tmp_path}/etc/config"
    assert cfg.server_path("run/certmagic") == tmp_path / "etc" / "run" / "certmagic"
    monkeypatch.setenv("CL_HOME", "/srv/clace")
    assert cfg.server_path("$CL_HOME/config/certificates") == Path(
        "/srv/clace/config/certificates")


def test_parse_field_value_by_kind() -> None:
    assert parse_field_value("https.port", "443") == 443
    assert parse_field_value("https.port", "-1") == -1
    assert parse_field_value("https.use_staging", "False") is False
    assert parse_field_value("https.service_email", "a@b.org") == "a@b.org"
    assert parse_field_value("https.host", "443") == "443"
    with pytest.raises(ValueError, match="integer"):
        parse_field_value("https.port", "44x")
    with pytest.raises(ValueError, match="true or false"):
        parse_field_value("http.redirect_to_https", "yes")
    assert parse_field_value("logging.max_backups", "10") == 10
    assert parse_field_value("logging.level", "INFO") == "INFO"
    assert parse_field_value("logging.level", '"DEBUG"') == "DEBUG"
    assert parse_field_value("system.allowed_env", '["HOME"]') == ["HOME"]
    assert parse_field_value("metadata.d", "{a = 1}") == {"a": 1}


@pytest.mark.parametrize("text", ["1_000", "٤٤٣", "443.0", "0x1bb", ""])
def test_a_port_is_ascii_digits_only(text: str) -> None:
    with pytest.raises(ValueError, match=r"https\.port takes an integer"):
        parse_field_value("https.port", text)


@pytest.mark.parametrize("text", ["yes", "1", "enabled", "garbage", ""])
def test_a_boolean_is_true_or_false_only(text: str) -> None:
    with pytest.raises(ValueError, match="use_staging takes true or false"):
        parse_field_value("https.use_staging", text)


def test_tables_are_written_inline(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[metadata]\nx = 1 # kept\n\n[https]\nport = 443\n")
    cfg = ClaceConfig.load(path)
    cfg.set("metadata.d", {"a": 1, "b": {"c": [1, 2]}})
    cfg.set("metadata.x", {"y": "z"})
    cfg.set("metadata.l", [{"a": 1}])
    assert cfg.text == (
        "[metadata]\nx = {y = \"z\"} # kept\nd = {a = 1, b = {c = [1, 2]}}\nl = [{a = 1}]\n"
        "\n[https]\nport = 443\n"
    )
    assert ClaceConfig.parse(cfg.text, path).raw("metadata.d") == {"a": 1, "b": {"c": [1, 2]}}


def test_toml_literal_of_dates_and_infinity() -> None:
    when = datetime.datetime(1979, 5, 27, 7, 32, tzinfo=datetime.UTC)
    assert toml_literal(when) == "1979-05-27T07:32:00Z"
    assert toml_literal(math.inf) == "inf"
    assert toml_literal({"when": datetime.date(2024, 1, 2)}) == "{when = 2024-01-02}"


# --- properties ----------------------------------------------------------------------------

PORTS = st.integers(min_value=-(2**63), max_value=2**63 - 1)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(port=PORTS)
def test_any_port_round_trips_and_changes_one_line(tmp_path: Path, port: int) -> None:
    path = write(tmp_path, ALIGNED, "prop.toml")
    cfg = ClaceConfig.load(path)
    cfg.set("https.port", port)
    cfg.save()
    again = ClaceConfig.load(path)
    assert again.raw("https.port") == port
    diff = changed_lines(ALIGNED, again.text)
    if port == 25223:
        assert diff == []
    else:
        assert len(diff) == 2 and diff[1].startswith(f"+port = {port}")
        assert diff[1].endswith("# port for HTTPS")


@settings(max_examples=60, deadline=None)
@given(value=st.text(st.characters(exclude_categories=["Cs"]), max_size=40))
def test_any_string_round_trips_through_the_text(value: str) -> None:
    cfg = ClaceConfig.parse("[https]\nservice_email = \"\" # mail\n", Path("p.toml"))
    cfg.set("https.service_email", value)
    again = ClaceConfig.parse(cfg.text, Path("p.toml"))
    assert again.raw("https.service_email") == value
    assert again.line_of("https.service_email") == 2
    assert len(cfg.text.split("\n")) == 3
