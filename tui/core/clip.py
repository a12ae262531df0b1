"""Long values cut short in messages: a finding or an error names a value, it never
carries it whole (a 10 MB value once made a 10 MB CL013 message).

``quoted(value)`` is a value as a message quotes it, cut at ``VALUE_LIMIT`` characters with
"…". ``clip_message`` is the net under every Finding and ConfigError message: a run of
more than ``RUN_LIMIT`` characters without a space (a value shown unquoted; no path or
word is that long) is cut to ``VALUE_LIMIT``, and a message to ``MESSAGE_LIMIT``.
"""

from __future__ import annotations

import re

VALUE_LIMIT = 80
RUN_LIMIT = 200
MESSAGE_LIMIT = 2000
ELLIPSIS = "…"
_LONG_RUN = re.compile(rf"\S{{{RUN_LIMIT + 1},}}")


def clip(text: str, limit: int = VALUE_LIMIT) -> str:
    """``text``, or its first ``limit - 1`` characters and "…"."""
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def quoted(value: object, limit: int = VALUE_LIMIT) -> str:
    """A value as a message quotes it (``repr``), cut at ``limit`` characters."""
    text = repr(value)
    if len(text) <= limit:
        return text
    closing = text[-1] if text[-1] in "'\"" else ""
    return text[: limit - 1 - len(closing)] + ELLIPSIS + closing


def clip_message(message: str) -> str:
    if len(message) <= RUN_LIMIT:
        return message
    message = _LONG_RUN.sub(lambda match: clip(match.group()), message)
    return clip(message, MESSAGE_LIMIT)
