"""The one exception every reproduction raises for bad input (a leaf module: the runner,
the worker folders and the Python API all import it, and it imports nothing)."""


class UsageError(Exception):
    """Bad input found before anything was written; the message says what to do."""
