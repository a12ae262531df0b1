from __future__ import annotations

from tui.core.history import EditHistory


def test_typing_in_one_field_is_one_step() -> None:
    history = EditHistory()
    history.record("clace", "https.port", "port = 25224", "port = 4")
    history.record("clace", "https.port", "port = 4", "port = 44")
    history.record("clace", "https.port", "port = 44", "port = 443")
    change = history.undo()
    assert change is not None
    assert (change.before, change.after) == ("port = 25224", "port = 443")
    assert history.undo() is None


def test_redo_after_undo_and_new_edit_clears_redo() -> None:
    history = EditHistory()
    history.record("clace", "http.port", "a", "b")
    history.record("nodes/web1.json", "ssh.port", "x", "y")
    undone = history.undo()
    assert undone is not None and undone.target == "nodes/web1.json"
    redone = history.redo()
    assert redone is not None and redone.after == "y"
    history.undo()
    history.record("clace", "http.port", "b", "c")
    assert not history.can_redo


def test_typing_back_to_the_start_leaves_nothing_to_undo() -> None:
    history = EditHistory()
    history.record("clace", "http.port", "1", "12")
    history.record("clace", "http.port", "12", "1")
    assert not history.can_undo


def test_close_group_separates_steps() -> None:
    history = EditHistory()
    history.record("clace", "http.port", "1", "2")
    history.close_group()
    history.record("clace", "http.port", "2", "3")
    first = history.undo()
    assert first is not None and first.before == "2"
    assert history.can_undo
