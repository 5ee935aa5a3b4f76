#!/usr/bin/env python3
"""The plot command's entry point: plots/plot runs it under a Python 3 with matplotlib; the code
is the parbench package beside it (parbench/__init__.py says what is where).

    plots/plot --out DIR REPORT [REPORT...]
"""

import sys

try:
    from parbench.cli import run
except ModuleNotFoundError as missing:
    if missing.name != "matplotlib" and not str(missing.name).startswith("matplotlib."):
        raise
    sys.stderr.write("plot: this Python has no matplotlib; install it with: "
                     "apt-get install python3-matplotlib\n")
    sys.exit(77)

if __name__ == "__main__":
    run()
