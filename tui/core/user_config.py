"""The operator's own settings: chosen theme and key remaps (config.toml in the config dir).

    theme = "leap-high-contrast"

    [keymap]          # binding id = keys
    save = "ctrl+w"
    apply = "A,f5"
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import tomlkit
from tomlkit.exceptions import ParseError

from tui.core.atomic import atomic_write
from tui.core.errors import ConfigError


def config_dir() -> Path:
    override = os.environ.get("LEAP_TUI_CONFIG_DIR")
    if override:
        return Path(override)
    from platformdirs import user_config_dir

    return Path(user_config_dir("leap-tui"))


def config_path() -> Path:
    return config_dir() / "config.toml"


@dataclass
class UserConfig:
    theme: str | None = None
    keymap: dict[str, str] = field(default_factory=dict)


def load_user_config(path: Path | None = None) -> UserConfig:
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return UserConfig()
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(str(path), f"cannot read: {error}") from None
    try:
        doc = tomlkit.parse(text).unwrap()
    except ParseError as error:
        message = str(error).split(" at line")[0]
        raise ConfigError(str(path), message, error.line, error.col + 1) from None
    theme = doc.get("theme")
    keymap = doc.get("keymap", {})
    return UserConfig(
        theme=theme if isinstance(theme, str) else None,
        keymap={str(k): str(v) for k, v in keymap.items()} if isinstance(keymap, dict) else {},
    )


def save_theme(theme: str, path: Path | None = None) -> None:
    """Remember the theme, keeping everything else in the file as it was."""
    path = path or config_path()
    try:
        doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ParseError, UnicodeDecodeError):
        doc = tomlkit.document()
    doc["theme"] = theme
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, doc.as_string().encode("utf-8"))
