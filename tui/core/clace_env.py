"""Paths in a Clace config as the server resolves them: ``$CL_HOME`` and other variables.

Clace expands ``$VAR`` and ``${VAR}`` in its path settings (Go's ``os.ExpandEnv``; a
leading ``~`` is not special to it). ``$CL_HOME`` has a default: when the server starts
with a config file and no ``CL_HOME`` in its environment, it takes the absolute directory
of that file (cmd/clace/main.go, ``getConfigPath``), and it runs from that directory, so
a relative path is relative to it. OpenRun, the renamed Clace, does the same with
``$OPENRUN_HOME``.

Two choices of ours: a variable that is set nowhere is left as written (the server would
make it empty), so that a message can name it; and nothing that creates a directory
accepts a path that still holds one (see :func:`unresolved`), or it would create a
directory literally named ``$CL_HOME``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

HOME_VARIABLES = ("CL_HOME", "OPENRUN_HOME")

_VARIABLE_RE = re.compile(r"\$(?:\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))")


def server_env(config_path: Path | None, env: Mapping[str, str] | None = None) -> dict[str, str]:
    """``env`` (default: ours) with $CL_HOME defaulted the way the server defaults it."""
    values = dict(os.environ if env is None else env)
    if config_path is not None:
        home = os.path.abspath(os.path.dirname(os.path.abspath(config_path)))
        for name in HOME_VARIABLES:
            if not values.get(name):
                values[name] = home
    return values


def variables_in(value: str) -> set[str]:
    """The names of the ``$VAR`` / ``${VAR}`` references in ``value``."""
    return {a or b for a, b in _VARIABLE_RE.findall(value)}


def expand_value(value: str, env: Mapping[str, str]) -> str:
    """``$VAR`` and ``${VAR}`` replaced by their values; unset ones stay as written."""

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        return env.get(name, match.group(0))

    return _VARIABLE_RE.sub(substitute, value)


def server_path(value: str, env: Mapping[str, str]) -> Path:
    """The directory or file a path setting names on the server (relative to $CL_HOME)."""
    expanded = Path(expand_value(value, env))
    home = env.get("CL_HOME") or env.get("OPENRUN_HOME")
    if not expanded.is_absolute() and home:
        return Path(home) / expanded
    return expanded


def unresolved(path: Path | str) -> set[str]:
    """The variables a path still names after expansion (set nowhere)."""
    return variables_in(str(path))
