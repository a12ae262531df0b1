"""Provider: loading real provider directories, byte-exact edits, caches, saving."""

from __future__ import annotations

import difflib
import json
import shutil
from pathlib import Path

import pytest

from tui.core.errors import ConfigError
from tui.core.leap_defaults import find_platform
from tui.core.leap_provider import Provider

PROVIDERS = ["leap_cli-test-provider", "platform-ci-provider", "puppet-test-provider"]


def copy_provider(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


@pytest.mark.parametrize("name", PROVIDERS)
@pytest.mark.parametrize("with_platform", [False, True])
def test_corpus_providers_load(corpus_dir: Path, name: str, with_platform: bool) -> None:
    platform = corpus_dir / "leap" / "provider_base" if with_platform else None
    p = Provider.load(corpus_dir / "leap" / name, platform=platform)
    assert p.node_names()
    for node in p.node_names():
        eff = p.effective(node)
        assert eff.get("ssh.port") == 22
        assert eff.services
    assert (p.base.source is not None) == with_platform


def test_files_are_classified(corpus_dir: Path) -> None:
    p = Provider.load(corpus_dir / "leap" / "leap_cli-test-provider")
    assert p.provider_file is not None and p.common is not None
    assert sorted(p.services) == ["dns"]
    assert sorted(p.tags) == ["local", "production", "saopaulo", "seattle"]
    assert p.node_file("ns1") == "nodes/ns1.json"
    assert p.effective("ns1").tags == ["seattle"]
    assert p.get_raw("nodes/ns1.json", "ip_address") == "1.1.1.1"
    assert p.get_raw("nodes/ns1.json", "nope") is None
    assert p.modified_files() == []


def test_set_ssh_port_on_ns1_inserts_minimal_lines_and_keeps_comments(
    corpus_dir: Path, tmp_path: Path
) -> None:
    root = copy_provider(corpus_dir / "leap" / "leap_cli-test-provider", tmp_path / "p")
    p = Provider.load(root)
    before = {rel: p.text(rel) for rel in p.files}
    p.set_value("nodes/ns1.json", "ssh.port", 2222)
    assert p.modified_files() == ["nodes/ns1.json"]
    for rel in p.files:
        if rel != "nodes/ns1.json":
            assert p.text(rel) == before[rel]
    old, new = before["nodes/ns1.json"], p.text("nodes/ns1.json")
    assert new.startswith("//\n// this is a comment\n//\n{")
    diff = [
        line for line in difflib.ndiff(old.splitlines(), new.splitlines())
        if line[:1] in "+-"
    ]
    assert diff == [
        '-   "tags": "seattle"', '+   "tags": "seattle",',
        '+   "ssh": {', '+     "port": 2222', "+   }",
    ]
    assert p.effective("ns1").get("ssh.port") == 2222
    # a second edit of an existing value changes exactly one line
    p.set_value("nodes/ns1.json", "ssh.port", 2200)
    changed = [
        (a, b) for a, b in zip(new.splitlines(), p.text("nodes/ns1.json").splitlines(),
                               strict=True) if a != b
    ]
    assert changed == [('    "port": 2222', '    "port": 2200')]


def test_save_writes_only_modified_files_atomically(corpus_dir: Path, tmp_path: Path) -> None:
    root = copy_provider(corpus_dir / "leap" / "leap_cli-test-provider", tmp_path / "p")
    untouched = (root / "nodes" / "web1.json").stat().st_mtime_ns
    p = Provider.load(root)
    p.set_value("nodes/ns1.json", "ssh.port", 2222)
    p.save()
    assert p.modified_files() == []
    assert (root / "nodes" / "web1.json").stat().st_mtime_ns == untouched
    assert Provider.load(root).effective("ns1").get("ssh.port") == 2222
    assert p.original_text("nodes/ns1.json") == (root / "nodes/ns1.json").read_text()


def test_unset_and_replace_text(corpus_dir: Path, tmp_path: Path) -> None:
    root = copy_provider(corpus_dir / "leap" / "leap_cli-test-provider", tmp_path / "p")
    p = Provider.load(root)
    original = p.text("nodes/vpn1.json")
    p.unset_value("nodes/vpn1.json", "openvpn.filter_dns")
    assert p.get_raw("nodes/vpn1.json", "openvpn.filter_dns") is None
    assert p.effective("vpn1").get("openvpn.gateway_address") == "3.3.3.3"
    with pytest.raises(ConfigError) as info:
        p.replace_text("nodes/vpn1.json", "{ broken")
    # the error names the provider too (L2), so it stays unambiguous next to other files
    assert info.value.file == str(root / "nodes" / "vpn1.json") and info.value.line == 1
    assert p.get_raw("nodes/vpn1.json", "openvpn.filter_dns") is None
    p.replace_text("nodes/vpn1.json", original)
    assert p.modified_files() == []
    assert p.effective("vpn1").get("openvpn.filter_dns") is True


def test_set_value_creates_a_new_file(tmp_path: Path) -> None:
    (tmp_path / "nodes").mkdir()
    (tmp_path / "provider.json").write_text('{"domain": "x.org"}\n')
    (tmp_path / "nodes" / "a.json").write_text('{"services": "webapp", "ip_address": "1.1.1.1"}')
    p = Provider.load(tmp_path)
    p.set_value("services/webapp.json", "api.port", 4431)
    assert p.modified_files() == ["services/webapp.json"]
    assert p.effective("a").get("api.port") == 4431
    p.save()
    assert json.loads((tmp_path / "services" / "webapp.json").read_text()) == {
        "api": {"port": 4431}
    }
    with pytest.raises(ConfigError):
        p.set_value("secrets.json", "x", 1)


def test_edit_invalidates_only_what_it_must(corpus_dir: Path) -> None:
    p = Provider.load(corpus_dir / "leap" / "leap_cli-test-provider")
    web1, ns1 = p.effective("web1"), p.effective("ns1")
    assert p.effective("web1") is web1  # cached
    p.set_value("nodes/web1.json", "ssh.port", 2222)
    assert p.effective("web1") is not web1
    assert p.effective("ns1") is ns1
    p.set_value("common.json", "ssh.port", 23)
    assert p.effective("ns1") is not ns1
    assert p.effective("ns1").get("ssh.port") == 23
    assert p.effective("web1").get("ssh.port") == 2222


def test_bad_files_raise_config_error(tmp_path: Path) -> None:
    (tmp_path / "nodes").mkdir()
    (tmp_path / "nodes" / "bad.json").write_text('{\n  "ip_address": "1.1.1.1",,\n}\n')
    with pytest.raises(ConfigError) as info:
        Provider.load(tmp_path)
    assert (info.value.file, info.value.line) == (str(tmp_path / "nodes" / "bad.json"), 2)
    (tmp_path / "nodes" / "bad.json").write_text("[1, 2]")
    with pytest.raises(ConfigError, match="JSON object"):
        Provider.load(tmp_path)
    (tmp_path / "nodes" / "bad.json").write_bytes(b'{"a": "\xff"}')
    with pytest.raises(ConfigError, match="UTF-8"):
        Provider.load(tmp_path)
    with pytest.raises(ConfigError, match="not a directory"):
        Provider.load(tmp_path / "missing")


def test_leapfile_plain_string_platform(tmp_path: Path, corpus_dir: Path) -> None:
    platform = tmp_path / "leap_platform"
    shutil.copytree(corpus_dir / "leap" / "provider_base", platform / "provider_base")
    root = tmp_path / "provider"
    (root / "nodes").mkdir(parents=True)
    (root / "Leapfile").write_text('@platform_directory_path = "../leap_platform"\n')
    (root / "nodes" / "n.json").write_text('{"services": "webapp", "ip_address": "1.1.1.1"}')
    assert find_platform(root) == platform.resolve()
    p = Provider.load(root)
    assert p.base.source == platform.resolve() / "provider_base"
    assert p.effective("n").get("webapp.domain") == "= provider.domain"
    # a Ruby expression is not evaluated: built-in defaults instead
    (root / "Leapfile").write_text("@platform_directory_path = File.expand_path('..')\n")
    assert find_platform(root) is None
    assert Provider.load(root).effective("n").get("webapp.domain") is None
