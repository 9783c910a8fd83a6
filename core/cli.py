"""The ``wisemind`` command: Django's management commands, with wisemind's settings.

``wisemind run --demo`` sets up and serves the demo; ``wisemind migrate``,
``wisemind seed_demo``, ``wisemind db_worker`` and every other management command
work as with ``manage.py``. ``wisemind analyze`` (the researchers' index computation,
:mod:`analytics.cli`) runs without Django.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv
    if len(args) > 1 and args[1] == "analyze":  # researchers' analysis: no Django needed
        from analytics.cli import run

        return run(args[2:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv if argv is not None else sys.argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
