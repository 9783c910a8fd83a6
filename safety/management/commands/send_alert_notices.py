"""Escalate unacknowledged risk alerts and e-mail every unsent alert notice (at least once)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from core.rounds import run_rounds
from safety.alerts import dispatch_notices


class Command(BaseCommand):
    help = (
        "Escalate risk alerts nobody acknowledged in time and send the alert e-mails that "
        "are due. Safe to run in several processes at once; the worker also runs it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="Keep running until stopped.")
        parser.add_argument(
            "--interval", type=float, default=15.0, help="Seconds between rounds with --loop."
        )

    def handle(self, *args: Any, loop: bool, interval: float, **options: Any) -> None:
        def send() -> None:
            sent = dispatch_notices()
            if sent or not loop:
                self.stdout.write(f"Sent {sent} alert notice{'' if sent == 1 else 's'}.")
                self.stdout.flush()

        run_rounds(send, loop=loop, interval=interval)
