"""The shape of a Clace file as the server decodes it (CL001/CL015 types, CL014 unknown
keys, CL019 misspelled sections, CL020 keys in the wrong table): what BurntSushi/toml
would refuse or silently ignore. Part of :func:`tui.core.clace_checks.check_clace`."""

from __future__ import annotations

import difflib
import re
from typing import Protocol

from tui.core.clace_config import ClaceConfig, join_key
from tui.core.clace_schema import (
    CLACE_FIELDS,
    KNOWN_KEYS,
    is_known_key,
    is_known_section,
    value_has_kind,
)
from tui.core.clip import clip, quoted
from tui.core.findings import Severity

LISTENERS = (("http", "HTTP"), ("https", "HTTPS"))
_FIELD_NAMES = frozenset(spec.name for spec in CLACE_FIELDS.values())
_SECTIONS_WITH_KEYS = frozenset(s for s in KNOWN_KEYS if s and "." not in s) - {"http", "https"}


class Add(Protocol):
    """Records one finding (the check_clace closure)."""

    def __call__(
        self, code: str, key: str, message: str, hint: str = "", *, severity: Severity | None = None
    ) -> None: ...


def check_types(cfg: ClaceConfig, add: Add) -> set[str]:
    """CL015/CL001 for values the server cannot decode; returns the keys found broken."""
    broken: set[str] = set()
    for section, _ in LISTENERS:
        if cfg.is_set(section) and not cfg.is_table(section):
            add("CL015", section, f"{section} must be a table ([{section}]), not a value", "")
            broken.update(k for k in CLACE_FIELDS if k.startswith(section + "."))
    for key, spec in CLACE_FIELDS.items():
        if key in broken:
            continue
        value = cfg.raw(key)
        if value is None or value_has_kind(spec.kind, value):
            continue
        broken.add(key)
        written = _toml(value)
        if spec.kind == "port" and isinstance(value, float):
            add("CL001", key, f"{spec.label} {written} is not an integer", "use -1..65535")
        elif spec.kind == "port":
            digits = value.strip() if isinstance(value, str) else ""
            hint = ""
            if re.fullmatch(r"[+-]?\d+", digits):
                hint = f"write {spec.name} = {digits} without quotes"
            add("CL015", key, f"{spec.label} must be an integer, not {written}", hint)
        elif spec.kind == "bool":
            add(
                "CL015",
                key,
                f"{spec.label} must be true or false, not {written}",
                f"write {spec.name} = {_guess_bool(value)} (unquoted)",
            )
        else:
            add(
                "CL015",
                key,
                f"{spec.label} must be a string, not {written}",
                f'quote it: {spec.name} = "{clip(str(value))}"',
            )
    return broken


def check_unknown_keys(cfg: ClaceConfig, add: Add) -> None:
    for section, _ in LISTENERS:
        known = KNOWN_KEYS[section]
        for key in cfg.keys_of(section):
            if key in known:
                continue
            close = difflib.get_close_matches(key.lower(), sorted(known), n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else "Clace ignores unknown keys"
            add(
                "CL014",
                f"{section}.{join_key([key])}",
                f"unknown key {quoted(key)} in [{section}]: the server ignores it silently",
                hint,
            )


def check_sections(cfg: ClaceConfig, add: Add) -> None:
    """CL019 misspelled [http]/[https] tables, CL020 their keys written elsewhere."""
    for top in cfg.keys_of(""):
        if top in ("http", "https"):
            continue
        key = join_key([top])
        is_table = cfg.is_table(key)
        known_top = top in KNOWN_KEYS[""] or is_known_section((top,))
        if not known_top and is_table:
            close = _close_listener_section(top)
            if close:
                add(
                    "CL019",
                    key,
                    f"[{top}] is not a Clace section: its keys are ignored and "
                    f"[{close[0]}] keeps its defaults",
                    f"did you mean [{close[0]}]?",
                )
        elif not known_top and top in _FIELD_NAMES:
            _misplaced(add, (), top)
        elif is_table and top in _SECTIONS_WITH_KEYS:
            for name in cfg.keys_of(key):
                if name in _FIELD_NAMES and not is_known_key((top,), name):
                    _misplaced(add, (top,), name)


# A table name within 0.75 of "http" or "https" (difflib's ratio) is 3 to 8 characters
# long and shares at least 3 of their letters: others are not compared at all (a file may
# hold a hundred thousand tables).
_LISTENER_SECTIONS = ("http", "https")


def _close_listener_section(top: str) -> list[str]:
    """[``close``] when ``top`` reads as a misspelled [http]/[https], the closer one."""
    lowered = top.lower()
    if not 3 <= len(lowered) <= 8 or sum(c in "htps" for c in lowered) < 3:
        return []
    best: tuple[float, str] | None = None
    for name in _LISTENER_SECTIONS:
        # As difflib.get_close_matches compares (the ratio is not symmetric): the candidate
        # first, the word second; ties go to the larger name.
        matcher = difflib.SequenceMatcher(None, name, lowered)
        if matcher.real_quick_ratio() >= 0.75 and matcher.quick_ratio() >= 0.75:
            score = matcher.ratio()
            if score >= 0.75 and (best is None or (score, name) > best):
                best = (score, name)
    return [best[1]] if best else []


def _misplaced(add: Add, section: tuple[str, ...], key: str) -> None:
    owners = [s for s, _ in LISTENERS if f"{s}.{key}" in CLACE_FIELDS]
    where = f"[{join_key(section)}]" if section else "the top level"
    add(
        "CL020",
        join_key([*section, key]),
        f"{key!r} at {where} is not read by the server: it is a "
        + " / ".join(f"[{o}]" for o in owners)
        + " setting",
        f"move it under [{owners[0]}]",
    )


def _guess_bool(value: object) -> str:
    if isinstance(value, str) and value.strip().lower() in ("yes", "on", "1", "true", "y"):
        return "true"
    if isinstance(value, str) and value.strip().lower() in ("no", "off", "0", "false", "n"):
        return "false"
    return "true or false"


def _toml(value: object) -> str:
    if isinstance(value, str):
        return f'"{clip(value)}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return str(value)
