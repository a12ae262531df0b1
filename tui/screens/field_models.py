"""A section's fields as the editor shows them, and what clearing each kind of field does.

Imported when the files have loaded (with the core behind it), never for the first frame.
"""

from __future__ import annotations

from tui.core import sections as sec
from widgets.field_row import FieldModel

# What emptying a field would do, for the help line under the editor while it has a value;
# EMPTIED, what it does now, once it is empty. The line follows the field after every key.
CLEARING = {
    "port": "Emptying it stops saving until a port is typed; F4 inherits it instead.",
    "list": "Emptying it saves []; F4 inherits it instead.",
    "port_list": "Emptying it saves []; F4 inherits it instead.",
    "bool": "Space or Enter flips it; F4 inherits it.",
}
CLEARING_TEXT = 'Emptying it saves "" (empty); F4 removes it to inherit the default.'
EMPTIED = {
    "port": "Emptied, the port cannot be saved: type one, or F4 to inherit it.",
    "list": "Emptied, the list is saved as []; F4 inherits it instead.",
    "port_list": "Emptied, the list is saved as []; F4 inherits it instead.",
}
EMPTIED_TEXT = 'Emptied, it is saved as "" (empty); F4 removes it to inherit the default.'


def clearing_help(kind: str, text: str) -> str:
    """The help line's sentence about emptying a field of ``kind`` that shows ``text``."""
    if kind == "bool" or text.strip():
        return CLEARING.get(kind, CLEARING_TEXT)
    return EMPTIED.get(kind, EMPTIED_TEXT)


def field_model(info: sec.FieldInfo) -> FieldModel:
    minimum = -1 if info.key.startswith(("http.", "https.")) else 1
    return FieldModel(
        key=info.key,
        label=info.key.split(".", 1)[1] if minimum == -1 else info.key,
        kind=info.kind,
        text=sec.display_text(info),
        origin=info.origin,
        note=info.note,
        overridden=info.overridden,
        computed=info.computed,
        minimum=minimum,
    )
