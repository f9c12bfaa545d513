"""Running a reproduction's ``main(argv)`` in-process and capturing what it prints."""

import contextlib
import io


def run_main(main, argv):
    """(exit code, stdout, stderr) of ``main(argv)``; argparse's SystemExit becomes the code."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exit_:
            code = exit_.code
    return code, out.getvalue(), err.getvalue()
