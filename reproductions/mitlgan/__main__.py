"""``python -m reproductions.mitlgan``: see :mod:`reproductions.mitlgan.run`."""

import sys

from reproductions.mitlgan.run import main

if __name__ == "__main__":
    sys.exit(main())
