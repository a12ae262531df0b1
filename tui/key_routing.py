"""Keys in the order they were typed, and an answer for every key that names an action.

Textual resolves a key in steps spread over several message queues: the app checks its
priority bindings at once, the focused widget gets the key later, and bindings of the
widget's ancestors are looked up once the key has bubbled back up. In a burst (keys that
arrive together over SSH), later keys overtake earlier ones: an editing key after the
characters typed behind it, ctrl+s before the last character reached the field, a letter
typed into the field that Escape was leaving (Textual issue #6605).

While a field (an InOrderEditor: OrderedInput, BoolSwitch) has focus, this mixin resolves
each key completely, before the next one, on the app's own queue: priority bindings, then
the field's editing keys, then the bindings from the field up to the app. Before a binding
runs, the app's ``flush_edits`` brings the model up to date with the field, so that a save,
an undo or a diff sees every character typed before it.

Keys typed before the app's files are loaded (the first frame is painted before they are:
tui/loading.py) are held, in order, and replayed one at a time once they are, each after
the effects of the one before (a section shown, a field focused) are in place: typed
ahead, "Enter, 8080, ctrl+s" lands in the first field and saves, as it would have later.

Two more things a terminal does to keys are undone here. Escape followed quickly by a
letter reaches Textual as one Alt key ("alt+x"): it is split back into Escape and the
letter, so that Escape leaves the field and the letter is not typed into it. And a key
whose action is off (apply without an inventory, save with nothing to save) answers with
``disabled_reason`` instead of doing nothing.
"""

from __future__ import annotations

import asyncio

from textual import events
from textual._dispatch_key import dispatch_key
from textual.actions import parse as parse_action
from textual.app import App

from widgets.ordered_input import InOrderEditor, OrderedInput


def split_alt(event: events.Key) -> list[events.Key]:
    """``alt+x`` with a printable character: Escape, then the character on its own."""
    character = event.character
    if not event.key.startswith("alt+") or character is None or len(character) != 1 or (
            not character.isprintable()):
        return [event]
    # The key the character has alone: "X", not "shift+x" (Textual names it so unmodified).
    plain = character if character.isalnum() else event.key.removeprefix("alt+")
    return [events.Key("escape", "\x1b"), events.Key(plain, character)]


# Rounds of "every queue handled" waited for after a replayed key, at most: a key's effects
# are a few messages deep (key -> binding -> message -> handler -> mount -> focus).
SETTLE_ROUNDS = 20
SETTLE_TIMEOUT = 5.0  # seconds a round may take (a message pump closed meanwhile never answers)
HeldEvent = events.Key | events.Paste
# Keys that, outside a field, move the typing elsewhere once their action ran: Enter on the
# tree, a port map row or a finding opens fields; / opens the findings filter. The keys typed
# behind them go where they lead.
OPENING_KEYS = frozenset({"enter", "slash"})


class OrderedKeys(App[None]):
    """The app's key handling; subclasses say how to flush edits and why an action is off."""

    _held: list[HeldEvent] | None = None  # keys held until release_keys(); None: they flow
    _replaying: HeldEvent | None = None  # the held key posted again, let through

    def hold_keys(self) -> None:
        """Keep every key from now on until release_keys()."""
        if self._held is None:
            self._held = []

    def release_keys(self) -> None:
        """Replay the held keys in order (in a worker), then let keys flow again."""
        if self._held is not None:
            self.run_worker(self._replay_held(), name="replay held keys", group="keys")

    @property
    def keys_held(self) -> bool:
        return self._held is not None

    async def _replay_held(self) -> None:
        held = self._held
        while held:
            event = held.pop(0)
            again: HeldEvent = (events.Paste(event.text) if isinstance(event, events.Paste)
                                else events.Key(event.key, event.character))
            again.set_sender(self)
            self._replaying = again
            self.post_message(again)
            await self.settled()
        self._held = self._replaying = None

    async def _release_when_settled(self) -> None:
        await self.settled()
        self.release_keys()

    async def settled(self) -> None:
        """Return when the app and every widget of its screen have handled the messages
        queued so far, and the messages that handling queued in turn."""
        for _ in range(SETTLE_ROUNDS):
            loop = asyncio.get_running_loop()
            pending = []
            for node in [self, *self.screen.walk_children(with_self=True)]:
                done: asyncio.Future[None] = loop.create_future()
                if node.call_later(done.set_result, None):
                    pending.append(done)
            if pending:
                await asyncio.wait(pending, timeout=SETTLE_TIMEOUT)
            if not any(node.message_queue_size
                       for node in [self, *self.screen.walk_children(with_self=True)]):
                return

    def _hold(self, event: events.Event) -> bool:
        """Keep a key or paste that arrives while keys are held; True if it was kept.
        The quit key, typed first, quits at once: there is nothing to save yet."""
        if (self._held is None or not isinstance(event, HeldEvent) or event.is_forwarded
                or event is self._replaying):
            return False
        if not self._held and isinstance(event, events.Key) and self._quits(event.key):
            self.exit()
            return True
        self._held.append(event)
        return True

    def _quits(self, key: str) -> bool:
        return any(binding.priority and parse_action(binding.action)[1] == "request_quit"
                   for _, bindings in self.screen._binding_chain
                   for binding in bindings.key_to_bindings.get(key, ()))

    def flush_edits(self) -> None:
        """Bring the model up to date with what the focused field shows."""

    def disabled_reason(self, action: str) -> str | None:
        """Why ``action`` is off now, or None. The Footer dims what has a reason."""
        return None

    async def on_event(self, event: events.Event) -> None:
        if self._hold(event):
            return
        if isinstance(event, events.Key) and not event.is_forwarded:
            for key in split_alt(event):
                await self._route_key(key)
            return
        if isinstance(event, events.Paste) and not event.is_forwarded and self._screen_stack:
            focused = self.focused
            if isinstance(focused, OrderedInput):
                focused._on_paste(event)  # in order with the keys around it
                return
        await super().on_event(event)

    async def _route_key(self, event: events.Key) -> None:
        focused = self.focused
        if not isinstance(focused, InOrderEditor) or self.screen.maximized is not None:
            opens = event.key in OPENING_KEYS and not self.keys_held
            await super().on_event(event)  # Textual's own way
            if opens:
                # The keys behind it wait for what it opens, or they would reach the
                # widget that had focus before (the tree) meanwhile.
                self.hold_keys()
                self.run_worker(self._release_when_settled(), name="keys after enter",
                                group="keys")
            return
        self.app_focus = True
        self.screen._clear_tooltip()
        if self._priority_bound(event.key):
            self.flush_edits()
            if await self._check_bindings(event.key, priority=True):
                return
        if await focused.edit_key(event):
            return
        self.flush_edits()
        if await self._check_bindings(event.key):
            return
        self.answer_disabled(event.key)

    def _priority_bound(self, key: str) -> bool:
        return any(binding.priority for _, bindings in self.screen._binding_chain
                   for binding in bindings.key_to_bindings.get(key, ()))

    async def _on_key(self, event: events.Key) -> None:
        """A key no widget used: a binding of the app, a reason why it is off, or nothing."""
        event.prevent_default()  # replaces App._on_key, which would look the key up again
        if await self._check_bindings(event.key):
            return
        if not self.answer_disabled(event.key):
            await dispatch_key(self, event)

    def answer_disabled(self, key: str) -> bool:
        """Tell why the action bound to ``key`` is off; False when none is."""
        for _namespace, bindings in self.screen._modal_binding_chain:
            for binding in bindings.key_to_bindings.get(key, ()):
                _, name, _ = parse_action(binding.action)
                reason = self.disabled_reason(name)
                if reason:
                    self.notify(reason, title=binding.description, severity="warning",
                                timeout=5)
                    return True
        return False
