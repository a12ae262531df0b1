"""The operator's own settings: chosen theme and key remaps (config.toml in the config dir).

    theme = "leap-high-contrast"

    [keymap]          # binding id = keys
    save = "ctrl+w"
    apply = "A,f5"
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core.errors import ConfigError
from tui.core.textfile import read_optional_text

if TYPE_CHECKING:
    import tomlkit


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


def _parse(text: str, file: str) -> tomlkit.TOMLDocument:
    # Imported here: most operators have no config file, and the TUI reads this one before
    # its first frame (tomlkit and the TOML 1.0 checker would cost it about 10 ms).
    import tomlkit
    from tomlkit.exceptions import ParseError

    from tui.core.toml10 import check_toml10

    check_toml10(text, file)
    try:
        return tomlkit.parse(text)
    except ParseError as error:
        message = str(error).split(" at line")[0]
        raise ConfigError(file, message, error.line, error.col + 1) from None
    except Exception as error:  # whatever tomlkit raises: one line, never a traceback
        raise ConfigError(file, f"cannot read: {error or type(error).__name__}", 1, 1) from None


def load_user_config(path: Path | None = None) -> UserConfig:
    path = path or config_path()
    text = read_optional_text(path)
    if text is None:
        return UserConfig()
    doc = _parse(text.removeprefix("\ufeff"), str(path)).unwrap()
    theme = doc.get("theme")
    keymap = doc.get("keymap", {})
    return UserConfig(
        theme=theme if isinstance(theme, str) else None,
        keymap={str(k): str(v) for k, v in keymap.items()} if isinstance(keymap, dict) else {},
    )


def save_theme(theme: str, path: Path | None = None) -> None:
    """Remember the theme, keeping everything else in the file as it was.

    A file that cannot be read or parsed is left alone (OSError): replacing it would lose
    the operator's other settings.
    """
    import tomlkit

    from tui.core.atomic import atomic_write

    path = path or config_path()
    try:
        text = read_optional_text(path)
        doc = tomlkit.document() if text is None else _parse(text, str(path))
    except ConfigError as error:
        raise OSError(errno.EINVAL, f"{error} (not overwriting it)") from None
    doc["theme"] = theme
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, doc.as_string().encode("utf-8"))
