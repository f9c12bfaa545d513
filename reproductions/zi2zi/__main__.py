"""``python -m reproductions.zi2zi``: see :mod:`reproductions.zi2zi.run`."""

import sys

from reproductions.zi2zi.run import main

if __name__ == "__main__":
    sys.exit(main())
