"""Run an operator command's work once, or in rounds until stopped (scheduler, dispatcher)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.db import close_old_connections


def run_rounds(work: Callable[[], object], *, loop: bool, interval: float) -> None:
    """Call ``work`` once, or every ``interval`` seconds until interrupted.

    The database connection is refreshed between rounds only (never before the first), so
    a long-running loop does not keep a connection the database has dropped.
    """
    try:
        while True:
            work()
            if not loop:
                return
            time.sleep(interval)
            close_old_connections()
    except KeyboardInterrupt:
        return
