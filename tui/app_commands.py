"""What the operator can look up: the help screen's key list and the command palette."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from themes import OFFERED_THEMES
from tui.app_remote import RemoteActions

PLAIN_KEY_PLACE = "not in a text field"


def is_plain_key(key: str) -> bool:
    """A key a text field types (a letter, ?, /): it acts only outside text fields."""
    return len(key) == 1 or key in ("question_mark", "slash", "space")


class Commands(RemoteActions):
    def action_help(self) -> None:
        from tui.core.rules import all_rules
        from tui.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.binding_catalog(), all_rules()))

    def binding_classes(self) -> list[tuple[str, tuple[type, ...]]]:
        from tui.screens.help import binding_places
        from tui.screens.main import MainScreen

        return binding_places(type(self), MainScreen)

    def binding_catalog(self) -> list[tuple[str, str, str, str]]:
        """(keys as remapped, action, id, where it acts): every binding once, whatever has
        focus. The app's plain keys are typed in a text field, so they say so."""
        rows: list[tuple[str, str, str, str]] = []
        seen: set[tuple[str, str]] = set()
        for where, classes in self.binding_classes():
            for cls in classes:
                for binding in cls.__dict__.get("BINDINGS", []):
                    if not isinstance(binding, Binding) or not binding.description:
                        continue
                    keys = [k.strip() for k in (self._keymap.get(binding.id, binding.key)
                                                if binding.id else binding.key).split(",")]
                    place = where
                    if where == "everywhere" and all(is_plain_key(k) for k in keys):
                        place = PLAIN_KEY_PLACE
                    keys = [k for k in keys if (k, place) not in seen]
                    if not keys:
                        continue
                    seen.update((k, place) for k in keys)
                    shown = ", ".join(self.get_key_display(Binding(k, binding.action))
                                      for k in keys)
                    rows.append((shown, binding.description, binding.id or "", place))
        return rows

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Each of the app's actions on this screen once, with its keys; then the themes.

        Only bindings with an id (the app's own, remappable ones) are offered: a widget's
        internals (a table's cursor keys) are not commands. Textual's own system commands
        are left out: its Quit would skip the unsaved-changes question, its Keys panel
        lists widget internals, and the themes are offered below.
        """
        keys: dict[str, list[str]] = {}
        offered: dict[str, tuple[Binding, object]] = {}
        for active in screen.active_bindings.values():
            binding = active.binding
            if not binding.id or not binding.description or binding.action.startswith("cursor"):
                continue
            if not (binding.show or isinstance(active.node, App | Screen)):
                continue  # a widget's own movement keys (the tree's Left/Right)
            if not active.enabled and not self.disabled_reason(binding.action):
                continue
            keys.setdefault(binding.action, []).append(self.get_key_display(binding))
            offered.setdefault(binding.action, (binding, active.node))
        for action, (binding, node) in offered.items():
            reason = self.disabled_reason(action)
            help_text = reason or binding.tooltip or binding.description
            yield SystemCommand(
                binding.description + (" (off)" if reason else ""),
                f"{help_text} — key: {', '.join(keys[action])}",
                lambda action=action, node=node: self.call_next(self._run_command, action,
                                                                 node),
            )
        for name in OFFERED_THEMES:
            yield SystemCommand(f"Theme: {name}", f"Switch to the {name} theme",
                                lambda name=name: setattr(self, "theme", name))

    async def _run_command(self, action: str, node: object) -> None:
        reason = self.disabled_reason(action)
        if reason:
            self.notify(reason, severity="warning", timeout=5)
            return
        await self.run_action(action, node)  # type: ignore[arg-type]
