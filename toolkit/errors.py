"""User-facing errors: one line that says what is wrong, where, and how to fix it."""

from __future__ import annotations

#: Exit codes (documented in the README): 0 ok, 1 unexpected bug, 2 bad input or usage (also
#: input Label Studio refuses: a 400/413/422 answer to an import, create or update), 3 Label
#: Studio unreachable, failing or refusing the token, 4 validation failed in --strict mode.
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


class OutputError(QuotekitError):
    """An output could not be written (disk full, permissions); the previous output is intact."""

    exit_code = EXIT_BAD_INPUT

    @classmethod
    def from_os_error(cls, path, exc: OSError) -> "OutputError":
        reason = exc.strerror or exc.__class__.__name__
        return cls(f"cannot write {path}: {reason}; free some space or choose another output "
                   "(the previous output, if any, is unchanged)")


class ValidationFailed(QuotekitError):
    exit_code = EXIT_VALIDATION
