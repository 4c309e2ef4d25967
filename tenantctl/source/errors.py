"""The one kind of error a user can fix: the CLI prints it as plain lines and exits with its code, no traceback."""

from __future__ import annotations

EXIT_INVALID = 1  # the input is wrong (a tenant file, settings, a refused edit)
EXIT_USAGE = 2  # the command was called wrongly (an unknown revision, a missing variable, a bad option)


class UserError(Exception):
    """Something the user can fix; `lines()` is what they read, `exit_code` what scripts see."""

    exit_code = EXIT_INVALID

    def __init__(self, message: str = "", *, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code

    def lines(self) -> list[str]:
        """The text to print on stderr, one line each."""
        return [f"error: {line}" for line in str(self).splitlines() or ["failed"]]


class UsageError(UserError):
    """The command was called wrongly: exit 2."""

    exit_code = EXIT_USAGE
