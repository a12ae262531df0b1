"""The files of a LEAP provider: which file is which, and the ``services``/``tags`` names
they give (see :mod:`tui.core.leap_provider`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tui.core.errors import ConfigError
from tui.core.jsonc import JsoncDocument

_REL = re.compile(r"^(?:(services|tags|nodes)/)?([^/.]+(?:\.[^/]+)?)\.json$")


@dataclass
class ProviderFile:
    """One JSON file of the provider. ``original`` is its text as on disk (last load/save)."""

    rel: str
    path: Path
    doc: JsoncDocument
    original: str = ""
    kind: str = ""  # "provider", "common", "services", "tags" or "nodes"
    name: str = ""  # the service/tag/node name ("" for provider/common)
    env: str | None = None  # ENV of an X.ENV.json variant


def split_rel(rel: str) -> tuple[str, str, str | None] | None:
    """(kind, name, env) of a provider file's rel path; None when it is not one."""
    match = _REL.match(rel)
    if not match:
        return None
    group, stem = match.group(1), match.group(2)
    if group == "nodes":
        return "nodes", stem, None
    name, _, env = stem.partition(".")
    if group is None:
        if name not in ("provider", "common"):
            return None
        return name, "", env or None
    return group, name, env or None


def parse_object(text: str, label: str) -> JsoncDocument:
    """``label`` names the file in errors: the provider root and the rel path, so that an
    error stays unambiguous when several providers (or a Clace file) are checked at once."""
    doc = JsoncDocument.parse(text, label)
    if not isinstance(doc.value, dict):
        line = doc.line_of(())
        raise ConfigError(label, "a LEAP configuration file must hold a JSON object", line, 1)
    return doc


def names_error(value: object) -> str | None:
    """Why ``services``/``tags`` is not a string or a list of strings (None when it is)."""
    if value is None or isinstance(value, str):
        return None
    if isinstance(value, list):
        bad = [item for item in value if not isinstance(item, str)]
        return None if not bad else f"holds {bad[0]!r}, not a name"
    return f"is {value!r}, not a name or a list of names"


def names_of(value: object) -> list[str]:
    """``services``/``tags`` as LEAP reads them: a list, or a single string (anything else
    is reported by the checks, see ``names_error``)."""
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    names: list[str] = []
    for item in items:
        if isinstance(item, str) and item not in names:
            names.append(item)
    return names
