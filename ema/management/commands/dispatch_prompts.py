"""Deliver the EMA prompts that are due: once, or in a loop (several may run at once)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from core.rounds import run_rounds
from ema.dispatch import BATCH, dispatch_due


class Command(BaseCommand):
    help = (
        "Send due EMA prompts and mark expired ones missed. Safe to run in several "
        "processes at once: each prompt is sent by one of them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="Keep running until stopped.")
        parser.add_argument(
            "--interval", type=float, default=15.0, help="Seconds between rounds with --loop."
        )
        parser.add_argument(
            "--batch", type=int, default=BATCH, help="Prompts claimed per transaction."
        )

    def handle(self, *args: Any, loop: bool, interval: float, batch: int, **options: Any) -> None:
        def dispatch() -> None:
            sent = dispatch_due(batch=batch)
            if sent or not loop:
                self.stdout.write(f"Sent {sent} prompt{'' if sent == 1 else 's'}.")
                self.stdout.flush()

        run_rounds(dispatch, loop=loop, interval=interval)
