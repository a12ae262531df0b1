"""What a provider inherits when no LEAP platform directory is at hand.

A user's provider usually sits alone (leap_platform lives elsewhere, or on another
machine), so the port facts of leap_platform's provider_base are written here as data.
When the Leapfile names a platform directory that exists, its provider_base/ JSON files are
loaded instead (see ``find_platform`` and ``BaseLayers``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from tui.core.errors import ConfigError
from tui.core.jsonc import JsoncDocument
from tui.core.textfile import read_text

REQUIRED = "REQUIRED"

KNOWN_SERVICES: frozenset[str] = frozenset(
    {
        "couchdb", "dns", "monitor", "mx", "obfsproxy", "openvpn", "soledad", "static",
        "tor", "tor_exit", "tor_hidden_service", "tor_relay", "webapp",
    }
)
"""leap_platform's services; names starting with "_" are partials mixed into them."""

KNOWN_TAGS: frozenset[str] = frozenset({"development", "local", "production", "vm"})

BUILTIN_COMMON: dict[str, object] = {
    "ip_address": None,
    "environment": None,
    "services": [],
    "tags": [],
    "ssh": {"port": 22, "mosh": {"ports": "60000:61000", "enabled": False}},
}

BUILTIN_PROVIDER: dict[str, object] = {
    "domain": REQUIRED,
    "name": {"en": REQUIRED},
    "description": {"en": REQUIRED},
    "contacts": {"default": [REQUIRED]},
    "languages": ["en"],
    "default_language": "en",
    "enrollment_policy": "open",
}

BUILTIN_SERVICES: dict[str, dict[str, object]] = {
    "webapp": {"api": {"port": 4430}, "nickserver": {"port": 6425}},
    "soledad": {"soledad": {"port": 2323}},
    "openvpn": {
        "openvpn": {
            "gateway_address": REQUIRED,
            "ports": ["80", "443", "53", "1194"],
            "protocols": ["tcp", "udp"],
        }
    },
    "couchdb": {"couch": {"port": 5984}},
}

BUILTIN_TAGS: dict[str, dict[str, object]] = {
    "development": {"environment": "development"},
    "local": {"environment": "local"},
    "production": {"environment": "production"},
    "vm": {},
}

_LEAPFILE_PLATFORM = re.compile(
    r"""^\s*@platform_directory_path\s*=\s*(?:"([^"#{]*)"|'([^']*)')\s*(?:#.*)?$""", re.M
)


@dataclass
class BaseLayers:
    """provider_base: common, provider, services and tags, each a value and a line lookup.

    ``source`` is the platform directory, or None for the built-in defaults.
    """

    common: dict[str, object]
    provider: dict[str, object]
    services: dict[str, dict[str, object]]
    tags: dict[str, dict[str, object]]
    source: Path | None = None
    docs: dict[str, JsoncDocument] = field(default_factory=dict)

    @property
    def service_names(self) -> frozenset[str]:
        return frozenset(self.services) | (KNOWN_SERVICES if self.source is None else frozenset())

    @property
    def tag_names(self) -> frozenset[str]:
        return frozenset(self.tags) | (KNOWN_TAGS if self.source is None else frozenset())


def json_files(directory: Path) -> list[Path]:
    """Every ``*.json`` entry of ``directory`` (dotfiles aside, as LEAP's glob), sorted.

    Entries that are not regular files (a dangling link, a FIFO, a directory named
    x.json) are listed too: reading them gives the error that names the oddity, where a
    skip would let a check pass on a provider it never read. For the same reason a
    directory that cannot be listed is a ConfigError.
    """
    try:
        with os.scandir(directory) as entries:
            names = [e.name for e in entries
                     if e.name.endswith(".json") and not e.name.startswith(".")]
    except PermissionError:
        raise ConfigError(str(directory), "permission denied: cannot list the directory") from None
    except OSError as exc:
        raise ConfigError(
            str(directory), f"cannot list the directory: {exc.strerror or exc}"
        ) from None
    # One directory: sorting the names is sorting the paths (and much cheaper).
    return [directory / name for name in sorted(names)]


def builtin_layers() -> BaseLayers:
    return BaseLayers(BUILTIN_COMMON, BUILTIN_PROVIDER, BUILTIN_SERVICES, BUILTIN_TAGS)


def find_platform(provider_root: Path) -> Path | None:
    """The platform directory a Leapfile names as a plain string, if it holds provider_base/.

    Ruby expressions (``File.expand_path(...)``, ``ENV[...]``) are not evaluated: those
    providers fall back to the built-in defaults.
    """
    leapfile = provider_root / "Leapfile"
    try:
        text = read_text(leapfile)
    except ConfigError:  # absent, unreadable, not a regular file: the built-in defaults
        return None
    match = _LEAPFILE_PLATFORM.search(text)
    if not match:
        return None
    raw = match.group(1) if match.group(1) is not None else match.group(2)
    candidate = (provider_root / Path(raw).expanduser()).resolve()
    return candidate if (candidate / "provider_base").is_dir() else None


def load_platform(platform: Path) -> BaseLayers:
    """provider_base of a LEAP platform directory (or a provider_base directory itself).

    ConfigError when one of its JSON files cannot be parsed.
    """
    base = platform / "provider_base" if (platform / "provider_base").is_dir() else platform
    docs: dict[str, JsoncDocument] = {}

    def load(rel: str) -> dict[str, object]:
        path = base / rel
        if not os.path.lexists(path):
            return {}
        # origins keep the short label; errors name the real file (L2: unambiguous)
        doc = JsoncDocument.parse(read_text(path, str(path)), str(path))
        docs[f"provider_base/{rel}"] = doc
        return doc.value if isinstance(doc.value, dict) else {}

    def load_dir(sub: str) -> dict[str, dict[str, object]]:
        found: dict[str, dict[str, object]] = {}
        directory = base / sub
        if directory.is_dir():
            for path in json_files(directory):
                found[path.stem] = load(f"{sub}/{path.name}")
        return found

    return BaseLayers(
        common=load("common.json"),
        provider=load("provider.json"),
        services=load_dir("services"),
        tags=load_dir("tags"),
        source=base,
        docs=docs,
    )


