"""The workspace tree: files and the sections edited in them, with a mark on unsaved files."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

if TYPE_CHECKING:
    from tui.loading import TreeItem

# vim's mark for a modified buffer: text, not colour; first, where a narrow tree keeps it.
UNSAVED_MARK = "[+] "


class NavTree(Tree[str]):
    BINDINGS = [
        Binding("left", "collapse_or_parent", "Collapse / to parent", show=False,
                id="tree-collapse"),
        Binding("right", "expand_or_child", "Expand / to first child", show=False,
                id="tree-expand"),
    ]

    def __init__(self, label: str, **kwargs: object) -> None:
        super().__init__(label, **kwargs)  # type: ignore[arg-type]
        self.base_labels: dict[int, str] = {}  # node id -> label without the unsaved mark
        self.node_targets: dict[int, str] = {}  # node id -> the file its sections edit
        self._marked: set[str] = set()  # the targets whose nodes carry the mark
        self._laid_width = -1

    def add_file_node(self, parent: TreeNode[str], label: str, target: str, *,
                      data: str | None = None, leaf: bool = False) -> TreeNode[str]:
        """A node that stands for a file: it carries the unsaved mark for ``target``."""
        node = parent.add_leaf(label, data=data) if leaf else parent.add(label, data=data,
                                                                           expand=True)
        self.base_labels[node.id] = label
        self.node_targets[node.id] = target
        return node

    def add_items(self, parent: TreeNode[str], items: Iterable[TreeItem]) -> None:
        """``items`` (tui.loading's plain tree) under ``parent``, groups expanded."""
        for item in items:
            if item.target is not None:
                node = self.add_file_node(parent, item.label, item.target, data=item.data,
                                          leaf=item.leaf)
            elif item.leaf:
                node = parent.add_leaf(item.label, data=item.data)
            else:
                node = parent.add(item.label, data=item.data, expand=True)
            if item.children:
                self.add_items(node, item.children)

    def move_cursor_to(self, data: str) -> None:
        """The cursor on the first node (breadth first) that carries ``data``."""
        stack = list(self.root.children)
        while stack:
            node = stack.pop(0)
            if node.data == data:
                self.move_cursor(node)
                return
            stack.extend(node.children)

    def mark_unsaved(self, targets: set[str]) -> None:
        if targets == self._marked:
            return  # the usual keystroke: the same files edited as before
        changed = targets ^ self._marked
        self._marked = set(targets)
        widest = 0  # the widest relabelled line
        for node_id, target in self.node_targets.items():
            if target not in changed:
                continue
            node = self.get_node_by_id(node_id)  # type: ignore[arg-type]
            label = (UNSAVED_MARK if target in targets else "") + self.base_labels[node_id]
            if str(node.label) != label:
                node.set_label(label)
                widest = max(widest, self._line_width(node))
        self._widen_to(widest)

    def _line_width(self, node: TreeNode[str]) -> int:
        lines = self._tree_lines_cached
        if lines is None or not 0 <= node.line < len(lines):
            return 0  # not laid out yet: the next rebuild measures it
        guides = lines[node.line]._get_guide_width(self.guide_depth, self.show_root)
        return self.get_label_width(node) + guides

    def _widen_to(self, width: int) -> None:
        """Room for a line that a mark made wider (the horizontal scrollbar). Tree measures
        its lines when it rebuilds them all, not when a label changes: a rebuild for each
        mark would cost a 1,000-node tree a few ms a keystroke. A mark that goes leaves the
        width as it was until the next rebuild (a few columns of scroll, as before)."""
        if width > self.virtual_size.width:
            self.virtual_size = Size(width, self.virtual_size.height)

    def _on_resize(self, event: events.Resize) -> None:
        """A change of height alone keeps the tree's lines: Tree rebuilds them all on every
        resize, and the findings under the editor change the height as they come and go
        (a rebuild of a 1,000-node tree on each keystroke). Its line cache is keyed by
        width, so only a new width is left to Tree's own handler."""
        if event.size.width == self._laid_width:
            self._line_cache.grow(event.size.height)
            self.refresh()
            event.prevent_default()
        self._laid_width = event.size.width

    def clear(self) -> NavTree:
        self.base_labels.clear()
        self.node_targets.clear()
        self._marked.clear()
        super().clear()
        return self

    def action_collapse_or_parent(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.allow_expand and node.is_expanded:
            node.collapse()
        elif node.parent is not None and node.parent is not self.root:
            self.move_cursor(node.parent)

    def action_expand_or_child(self) -> None:
        node = self.cursor_node
        if node is None or not node.allow_expand:
            return
        if not node.is_expanded:
            node.expand()
        elif node.children:
            self.move_cursor(node.children[0])
