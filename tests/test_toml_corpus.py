"""The toml-test conformance corpus: every valid file round-trips byte-identical through a
save, every invalid one is a ConfigError with file, line and column — the 7 that TOML 1.1
allows (tomlkit accepts them; corpus toml-test/SOURCES.txt lists them) included, with a
message saying that Clace's TOML 1.0 parser rejects them."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

from tui.core.clace_config import ClaceConfig, join_key
from tui.core.errors import ConfigError

ALLOWED_BY_TOML_1_1 = {
    "invalid/datetime/no-secs.toml",
    "invalid/inline-table/linebreak-1.toml",
    "invalid/inline-table/linebreak-2.toml",
    "invalid/inline-table/linebreak-3.toml",
    "invalid/inline-table/linebreak-4.toml",
    "invalid/inline-table/trailing-comma.toml",
    "invalid/string/basic-byte-escapes.toml",
}


def _files(root: Path, kind: str) -> list[Path]:
    files = sorted((root / kind).rglob("*.toml"))
    assert files, f"no {kind} files under {root}"
    return files


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def test_sources_name_the_seven_toml_1_1_files(corpus_dir: Path) -> None:
    sources = (corpus_dir / "toml-test" / "SOURCES.txt").read_text(encoding="utf-8")
    assert "7 invalid/*.toml files parse" in sources
    assert "linebreak-1.toml .. linebreak-4.toml" in sources
    for name in ALLOWED_BY_TOML_1_1 - {
        "invalid/inline-table/linebreak-2.toml",
        "invalid/inline-table/linebreak-3.toml",
        "invalid/inline-table/linebreak-4.toml",
    }:
        assert name in sources


def test_every_valid_file_saves_byte_identical(corpus_dir: Path, tmp_path: Path) -> None:
    root = corpus_dir / "toml-test"
    differing = []
    for source in _files(root, "valid"):
        data = source.read_bytes()
        copy = tmp_path / "copy.toml"
        copy.write_bytes(data)
        cfg = ClaceConfig.load(copy)
        if cfg.is_modified or cfg.text != data.decode("utf-8"):
            differing.append(str(source.relative_to(root)))
            continue
        cfg.save()
        if copy.read_bytes() != data:
            differing.append(str(source.relative_to(root)))
    assert differing == []


def test_every_valid_file_reads_the_values_tomllib_reads(corpus_dir: Path) -> None:
    """Round-tripping bytes is not enough: the values must be the right ones too."""
    root = corpus_dir / "toml-test"
    wrong = []
    for source in _files(root, "valid"):
        cfg = ClaceConfig.load(source)
        expected = tomllib.loads(source.read_text(encoding="utf-8"))
        got = {key: cfg.raw(join_key([key])) for key in cfg.keys_of("")}
        if not _same(got, expected):
            wrong.append(str(source.relative_to(root)))
    assert wrong == []


def test_invalid_files_are_config_errors_with_position(corpus_dir: Path) -> None:
    root = corpus_dir / "toml-test"
    loaded = set()
    unlocated = []
    toml_1_1: dict[str, str] = {}
    for source in _files(root, "invalid"):
        name = str(source.relative_to(root))
        try:
            ClaceConfig.load(source)
        except ConfigError as error:
            located = (
                error.file == str(source)
                and isinstance(error.line, int)
                and error.line >= 1
                and isinstance(error.column, int)
                and error.column >= 1
                and "\n" not in str(error)
            )
            if not located:
                unlocated.append(f"{name}: {error!r} line={error.line} col={error.column}")
            if name in ALLOWED_BY_TOML_1_1:
                toml_1_1[name] = error.message
        else:
            loaded.add(name)
    assert unlocated == []
    assert loaded == set()
    assert toml_1_1.keys() == ALLOWED_BY_TOML_1_1
    for name, message in toml_1_1.items():
        assert "TOML 1.1" in message and "Clace's TOML 1.0 parser rejects it" in message, name
