"""A section's fields as the editor shows them, and what clearing each kind of field does.

Imported when the files have loaded (with the core behind it), never for the first frame.
"""

from __future__ import annotations

from tui.core import sections as sec
from widgets.field_row import FieldModel

# What clearing a field does, for the help line under the editor.
CLEARING = {
    "port": "Emptied, the port cannot be saved: type one, or F4 to inherit it.",
    "list": "Emptied, the list is saved as []; F4 inherits it instead.",
    "port_list": "Emptied, the list is saved as []; F4 inherits it instead.",
    "bool": "Space or Enter flips it; F4 inherits it.",
}
CLEARING_TEXT = 'Emptied, it is saved as "" (empty); F4 removes it to inherit the default.'


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


def clearing(model: FieldModel) -> str:
    return CLEARING.get(model.kind, CLEARING_TEXT)
