"""The one exception every reproduction raises for bad input, and how a command line
tells a user's mistake from a bug (a leaf module: the runner, the worker folders and
the Python API all import it; it imports only the library's leaf ``mitlgan.errors``,
and only when asked)."""

import os
import sys

DEBUG_ENV = "MITLGAN_DEBUG"  # MITLGAN_DEBUG=1: tracebacks of user errors on the console too


class UsageError(Exception):
    """Bad input (a flag, a file, a font, a dataset); the message says what to do."""


def is_user_error(error: BaseException) -> bool:
    """A :class:`UsageError`, or a library error for input the user fixes
    (:class:`mitlgan.errors.UserInputError`: a corrupt image, an unknown dataset...)."""
    from mitlgan.errors import UserInputError

    return isinstance(error, (UsageError, UserInputError))


def wants_traceback(argv=None) -> bool:
    """``--debug`` on the command line or ``MITLGAN_DEBUG`` set (not 0): show user
    errors with their traceback."""
    argv = sys.argv[1:] if argv is None else argv
    return "--debug" in argv or os.environ.get(DEBUG_ENV, "0") not in ("", "0")
