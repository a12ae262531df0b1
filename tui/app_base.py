"""What the app's parts (editing, remote, commands) share: the session and the main screen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.key_routing import OrderedKeys
from tui.screens.main import MainScreen
from tui.session import EditSession

if TYPE_CHECKING:
    from tui.core.findings import Finding
    from tui.core.history import EditHistory
    from tui.core.workspace import Workspace


class AppBase(OrderedKeys):
    session: EditSession

    @property
    def workspace(self) -> Workspace:
        return self.session.workspace

    @property
    def findings(self) -> list[Finding]:
        return self.session.findings

    @property
    def history(self) -> EditHistory:
        return self.session.history

    @property
    def main_screen(self) -> MainScreen | None:
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        return None

    def flush_edits(self) -> None:
        main = self.main_screen
        if main is not None and main.is_mounted:
            main.commit_pending()
