"""``python -m reproductions.palindrome``: see :mod:`reproductions.palindrome.run`."""

import sys

from reproductions.palindrome.run import main

if __name__ == "__main__":
    sys.exit(main())
