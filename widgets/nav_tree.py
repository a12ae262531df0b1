"""The workspace tree: files and the sections edited in them, with a mark on unsaved files."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

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

    def add_file_node(self, parent: TreeNode[str], label: str, target: str, *,
                      data: str | None = None, leaf: bool = False) -> TreeNode[str]:
        """A node that stands for a file: it carries the unsaved mark for ``target``."""
        node = parent.add_leaf(label, data=data) if leaf else parent.add(label, data=data,
                                                                           expand=True)
        self.base_labels[node.id] = label
        self.node_targets[node.id] = target
        return node

    def mark_unsaved(self, targets: set[str]) -> None:
        for node_id, target in self.node_targets.items():
            node = self.get_node_by_id(node_id)  # type: ignore[arg-type]
            label = (UNSAVED_MARK if target in targets else "") + self.base_labels[node_id]
            if str(node.label) != label:
                node.set_label(label)

    def clear(self) -> NavTree:
        self.base_labels.clear()
        self.node_targets.clear()
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
