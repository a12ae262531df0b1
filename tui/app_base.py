"""What the app's parts (editing, remote, commands) share: the session and the main screen.

The session exists once the loading worker is done (tui/loading.py): the first frame is
painted before the files are read. Until then every key is held (tui/key_routing.py), so
the actions that use the session do not run before it is there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.key_routing import OrderedKeys
from tui.screens.main import MainScreen

if TYPE_CHECKING:
    from tui.core.findings import Finding
    from tui.core.history import EditHistory
    from tui.core.workspace import Workspace
    from tui.session import EditSession


class AppBase(OrderedKeys):
    _session: EditSession | None = None

    @property
    def loaded(self) -> bool:
        """The files are loaded and checked: the session is there."""
        return self._session is not None

    @property
    def session(self) -> EditSession:
        assert self._session is not None, "the files are not loaded yet"
        return self._session

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
        if main is not None and main.is_mounted and main.loaded:
            main.commit_pending()
