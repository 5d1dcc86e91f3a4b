"""User-facing errors: one line that says what is wrong, where, and how to fix it."""

from __future__ import annotations

#: Exit codes (documented in the README): 0 ok, 1 unexpected bug, 2 bad input or usage,
#: 3 Label Studio unreachable or refused, 4 validation failed in --strict mode.
EXIT_BAD_INPUT = 2
EXIT_SERVER = 3
EXIT_VALIDATION = 4


class QuotekitError(Exception):
    """An error the user can fix; the CLI prints ``str(exc)`` on one line and exits ``exit_code``."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: str, exit_code: int | None = None):
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class BadInputError(QuotekitError):
    exit_code = EXIT_BAD_INPUT


class ServerError(QuotekitError):
    exit_code = EXIT_SERVER


class ValidationFailed(QuotekitError):
    exit_code = EXIT_VALIDATION
