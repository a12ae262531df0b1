"""One file the operator edits by key: a Clace TOML or a JSON file of a LEAP provider.

Behind `leap-tui get/set`: a dotted key, a value parsed to the field's type, the checks
run before and after so that only the findings the change produced are reported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tui.core.clace_checks import check_clace
from tui.core.clace_config import ClaceConfig, parse_field_value
from tui.core.errors import ConfigError
from tui.core.findings import Finding
from tui.core.leap_checks import check_provider
from tui.core.leap_provider import Provider


@dataclass
class EditTarget:
    display: str
    clace: ClaceConfig | None = None
    provider: Provider | None = None
    rel: str | None = None  # the file inside the provider, for LEAP targets

    def check(self) -> list[Finding]:
        if self.clace is not None:
            return check_clace(self.clace)
        assert self.provider is not None
        return check_provider(self.provider)

    def node(self) -> str | None:
        if self.provider is None or self.rel is None:
            return None
        for name in self.provider.node_names():
            if self.provider.node_file(name) == self.rel:
                return name
        return None

    def get(self, key: str) -> tuple[object, str]:
        """The effective value and where it comes from."""
        if self.clace is not None:
            where = "set in the file" if self.clace.is_set(key) else "default"
            return self.clace.get(key), where
        assert self.provider is not None and self.rel is not None
        node = self.node()
        if node is not None:
            effective = self.provider.effective(node)
            origin = effective.origin(key)
            where = "not set" if origin is None else _origin_text(origin.file, origin.line)
            return effective.get(key), where
        value = self.provider.get_raw(self.rel, key)
        return value, "set in the file" if value is not None else "not set"

    def parse(self, key: str, text: str) -> object:
        if self.clace is not None:
            return parse_field_value(key, text)
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text

    def set(self, key: str, value: object) -> None:
        if self.clace is not None:
            self.clace.set(key, value)
            return
        assert self.provider is not None and self.rel is not None
        self.provider.set_value(self.rel, key, value)

    def save(self) -> None:
        if self.clace is not None:
            self.clace.save()
        elif self.provider is not None and self.rel is not None:
            self.provider.save([self.rel])


def _origin_text(file: str, line: int | None) -> str:
    return f"{file}:{line}" if line is not None else file


def open_target(file: str, provider_dir: str | None = None) -> EditTarget:
    """Open FILE for get/set; a .json file belongs to the provider that holds it."""
    if file.endswith(".toml"):
        return EditTarget(display=file, clace=ClaceConfig.load(Path(file)))
    if provider_dir is not None:
        root = Path(provider_dir)
        path = Path(file) if Path(file).is_absolute() else root / file
        if not path.exists() and Path(file).exists():
            path = Path(file)
    else:
        path = Path(file)
        found = _provider_root(path)
        if found is None:
            raise ConfigError(file, "not inside a LEAP provider (no provider.json above it); "
                              "give --provider DIR")
        root = found
    if not path.is_file():
        raise ConfigError(file, "no such file in the provider")
    provider = Provider.load(root)
    try:
        rel = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise ConfigError(file, f"not inside the provider {root}") from None
    if rel not in provider.files:
        raise ConfigError(file, "not a configuration file of the provider")
    return EditTarget(display=rel, provider=provider, rel=rel)


def _provider_root(path: Path) -> Path | None:
    for directory in path.resolve().parents:
        if (directory / "provider.json").is_file():
            return directory
    return None


def new_findings(before: list[Finding], after: list[Finding]) -> list[Finding]:
    """Findings present after the change and not before (line numbers may shift)."""
    seen = {(f.code, f.file, f.path, f.node, f.message) for f in before}
    return [f for f in after if (f.code, f.file, f.path, f.node, f.message) not in seen]
