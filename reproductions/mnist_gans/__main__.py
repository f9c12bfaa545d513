"""``python -m reproductions.mnist_gans``: see :mod:`reproductions.mnist_gans.run`."""

import sys

from reproductions.mnist_gans.run import main

if __name__ == "__main__":
    sys.exit(main())
