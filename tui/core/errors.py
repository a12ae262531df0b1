"""The one error type for input the core cannot use: it always names file, line and column."""

from __future__ import annotations

from tui.core.clip import clip_message


class ConfigError(Exception):
    """A file that cannot be read or parsed.

    ``str()`` is a single line, ``file:line:column: message``, fit for a terminal, a log
    or a status bar; never a traceback. An empty ``file`` is a problem with no file behind
    it (a command-line option): ``str()`` is then the message alone.
    """

    def __init__(
        self, file: str, message: str, line: int | None = None, column: int | None = None
    ) -> None:
        self.file = file
        self.message = clip_message(" ".join(message.split()))
        self.line = line
        self.column = column
        # Other files of the same load that do not parse either (a provider has many).
        self.more: list[ConfigError] = []
        super().__init__(str(self))

    def all_errors(self) -> list[ConfigError]:
        return [self, *self.more]

    def __str__(self) -> str:
        if not self.file:
            return self.message
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"
