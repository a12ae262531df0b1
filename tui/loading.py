"""What the TUI loads after its first frame, in a worker thread: the files, their first
check and the tree of sections.

The app paints its frame (header, empty tree, footer, "loading …") before any of the core
is imported, then runs ``load`` off the event loop and fills the screen with its result;
keys typed meanwhile are held and replayed (tui/key_routing.py). Nothing here touches a
widget: the result is plain data the main screen turns into widgets.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.core.workspace import Workspace
    from tui.session import EditSession


# The widgets the filled screen adds (with Textual's DataTable behind the findings).
EDITOR_WIDGETS = ("widgets.field_row", "widgets.findings_pane", "tui.screens.field_models")


@dataclass(frozen=True)
class TreeItem:
    """One node of the workspace tree: a section (``data`` is its id) or a group of them."""

    label: str
    data: str | None = None
    target: str | None = None  # the file whose unsaved mark the node carries
    leaf: bool = False
    children: tuple[TreeItem, ...] = field(default_factory=tuple)


@dataclass
class Loaded:
    session: EditSession
    tree: list[TreeItem]


def loading_text(paths: Sequence[Path | None]) -> str:
    """What the first frame says while the files load."""
    named = [str(p) for p in paths if p is not None]
    return f"Loading {', '.join(named)}…" if named else "Loading…"


def load(clace: Path | None, provider: Path | None, inventory: Path | None) -> Loaded:
    """Open the files, check them once and lay out the tree (the worker's whole job)."""
    from tui.session import EditSession

    session = EditSession(clace, provider, inventory)
    session.check()
    tree = tree_items(session.workspace)
    _import_editor_widgets()
    return Loaded(session, tree)


def tree_items(workspace: Workspace) -> list[TreeItem]:
    """The Clace file with its three sections, then the provider: common, and each node
    under each of its services (a node without one under "(no service)")."""
    from tui.core.sections import CLACE_TARGET

    items: list[TreeItem] = []
    if workspace.clace is not None:
        items.append(TreeItem(
            f"Clace ({workspace.clace.path.name})", target=CLACE_TARGET,
            children=(TreeItem("HTTP", "clace:http", leaf=True),
                      TreeItem("HTTPS", "clace:https", leaf=True),
                      TreeItem("Certificates", "clace:certs", leaf=True))))
    provider = workspace.provider
    if provider is not None:
        children: list[TreeItem] = []
        if provider.common is not None:
            children.append(TreeItem("common", "leap:common", provider.common.rel, leaf=True))
        groups: dict[str, list[TreeItem]] = {}
        for name in provider.node_names():
            node = TreeItem(name, f"node:{name}", provider.node_file(name), leaf=True)
            for service in provider.effective(name).services or ["(no service)"]:
                groups.setdefault(service, []).append(node)
        children += [TreeItem(service, children=tuple(nodes))
                     for service, nodes in groups.items()]
        items.append(TreeItem(f"LEAP ({provider.root.name})", children=tuple(children)))
    return items


def _import_editor_widgets() -> None:
    """The field rows and the findings pane, imported here rather than by the event loop
    when the screen is filled."""
    for module in EDITOR_WIDGETS:
        importlib.import_module(module)
