"""The domain core of leap-tui: config models, checks, certificates and remote apply.

Nothing under this package may import Textual: the command line and the TUI are two
faces over this core (a test enforces it).
"""
