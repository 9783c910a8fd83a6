"""The ``wisemind`` command: Django's management commands, with wisemind's settings.

``wisemind run --demo`` sets up and serves the demo; ``wisemind migrate``,
``wisemind seed_demo``, ``wisemind db_worker`` and every other management command
work as with ``manage.py``.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv if argv is not None else sys.argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
