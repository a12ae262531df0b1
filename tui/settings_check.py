"""The operator's theme and keymap checked at start-up, one line per problem.

A wrong setting never stops the app: the line names the setting, says what is used
instead, and the app starts with the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from textual.binding import Binding

from tui.core.user_config import UserConfig, config_path
from widgets.ordered_input import EDITING_KEYS


def _keys(text: str) -> list[str]:
    return [key.strip() for key in text.split(",") if key.strip()]


def check_settings(config: UserConfig, themes: Iterable[str],
                   places: Sequence[tuple[str, tuple[type, ...]]]) -> list[str]:
    """Problems with ``config``'s theme and keymap; ``places`` as help.binding_places."""
    where = str(config_path())
    problems: list[str] = []
    known_themes = sorted(themes)
    if config.theme is not None and config.theme not in known_themes:
        problems.append(f"{where}: theme = {config.theme!r} is not a theme (one of "
                        f"{', '.join(known_themes)}); the default is used.")
    bindings: dict[str, list[tuple[str, Binding]]] = {}  # place -> (id, binding)
    for place, classes in places:
        for cls in classes:
            for binding in cls.__dict__.get("BINDINGS", []):
                if isinstance(binding, Binding) and binding.id:
                    bindings.setdefault(place, []).append((binding.id, binding))
    known_ids = {binding_id for rows in bindings.values() for binding_id, _ in rows}
    for binding_id in config.keymap:
        if binding_id not in known_ids:
            problems.append(f"{where}: [keymap] {binding_id} is not an action id (the ids "
                            "are in the ? help); it is ignored.")
    problems += _clashes(config.keymap, bindings, where)
    for binding_id, keys in config.keymap.items():
        taken = [key for key in _keys(keys) if key in EDITING_KEYS]
        if taken and binding_id in known_ids:
            problems.append(f"{where}: [keymap] {binding_id} = {keys!r} takes "
                            f"{', '.join(taken)} from the text fields' line editing.")
    return problems


def _clashes(keymap: dict[str, str], bindings: dict[str, list[tuple[str, Binding]]],
             where: str) -> list[str]:
    """Two actions on one key where both act, when the keymap put them there."""
    everywhere = bindings.get("everywhere", [])
    problems: list[str] = []
    reported: set[tuple[str, frozenset[str]]] = set()
    for place, rows in bindings.items():
        scope = rows if place == "everywhere" else [*everywhere, *rows]
        on_key: dict[str, dict[str, str]] = {}  # key -> action -> id
        for binding_id, binding in scope:
            for key in _keys(keymap.get(binding_id, binding.key)):
                on_key.setdefault(key, {}).setdefault(binding.action, binding_id)
        for key, actions in on_key.items():
            ids = frozenset(actions.values())
            if len(actions) < 2 or not ids & set(keymap) or (key, ids) in reported:
                continue
            reported.add((key, ids))
            problems.append(f"{where}: [keymap] puts {' and '.join(sorted(ids))} on the one "
                            f"key {key} ({place}); only one of them acts. Give one of them "
                            "another key.")
    return problems
