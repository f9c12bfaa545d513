"""``python -m reproductions.dcgan``: see :mod:`reproductions.dcgan.run`."""

import sys

from reproductions.dcgan.run import main

if __name__ == "__main__":
    sys.exit(main())
