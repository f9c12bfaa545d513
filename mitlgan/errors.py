"""The one base class of the library's errors that a user fixes, not a developer.

A missing or corrupt image, font or prepared dataset, an unknown dataset name, weights
that cannot be had, MNIST that cannot be read: each error class for such input derives
from :class:`UserInputError` (and from the built-in class it always had, so existing
``except OSError`` or ``except ValueError`` code still catches it). The reproductions'
command lines print such an error's message alone and exit with code 2; any other
exception is a bug and keeps its traceback. No TensorFlow import here.
"""


class UserInputError(Exception):
    """Bad input the user can fix; the message names the thing and what to do."""
