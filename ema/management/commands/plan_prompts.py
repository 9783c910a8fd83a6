"""Create the coming days' EMA prompts of every active schedule: once, or in a loop."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from core.rounds import run_rounds
from ema.planning import plan_all


class Command(BaseCommand):
    help = "Plan the coming days' EMA prompts of every active schedule (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="Keep running until stopped.")
        parser.add_argument(
            "--interval", type=float, default=1800.0, help="Seconds between rounds with --loop."
        )

    def handle(self, *args: Any, loop: bool, interval: float, **options: Any) -> None:
        def plan() -> None:
            planned = plan_all()
            self.stdout.write(f"Planned {planned} prompt{'' if planned == 1 else 's'}.")
            self.stdout.flush()

        run_rounds(plan, loop=loop, interval=interval)
