"""The styles of bad / warning / good / informative text, the same in every widget.

The colours are picked so that a 16-colour terminal (TERM=xterm, the Linux console) shows
them as its own red, yellow, green and cyan: Rich's nearest-colour match on those
terminals turned the named "red" and "yellow" into magenta and bright red, so that
warnings looked worse than errors. With NO_COLOR set, Textual greys every colour by its
luminance, and a red became nearly the colour of the background; there the tones are told
by weight and reverse video instead. The words and icons beside them stay the
main signal either way.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from tui.core.findings import Severity


@dataclass(frozen=True)
class Tones:
    bad: str
    warn: str
    good: str
    info: str

    def severity(self, severity: Severity) -> str:
        return {Severity.ERROR: self.bad, Severity.WARNING: self.warn,
                Severity.INFO: self.info}[severity]


COLOUR = Tones(bad="bold #d70000", warn="#af8700", good="#00af00", info="#00afaf")
NO_COLOUR = Tones(bad="bold reverse", warn="bold", good="", info="")


def tones_for(environ: dict[str, str] | os._Environ[str]) -> Tones:
    """NO_COLOR (any non-empty value, as no-color.org says) picks the colourless tones."""
    return NO_COLOUR if environ.get("NO_COLOR") else COLOUR


TONES = tones_for(os.environ)
