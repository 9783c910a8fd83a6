#!/usr/bin/env python
"""Django's command-line utility; the installed ``wisemind`` command does the same."""

import sys

from core.cli import main

if __name__ == "__main__":
    sys.exit(main())
