"""The one error type of the kit: a message for the user plus a hint.

Library code raises :class:`NewskitError`; only the CLI layer turns it into one
line on stderr and exit code 1.
"""

from __future__ import annotations


class NewskitError(Exception):
    """A problem the user can fix: what went wrong (and where), plus what to try."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __reduce__(self):  # keep the hint when a Ray worker sends the error back to the driver
        return (type(self), (self.message, self.hint))

    def one_line(self) -> str:
        """The error as the single line the CLI prints."""
        text = " ".join(self.message.split())
        if self.hint:
            text += f" (hint: {' '.join(self.hint.split())})"
        return f"error: {text}"

    def __str__(self) -> str:
        return self.one_line()
