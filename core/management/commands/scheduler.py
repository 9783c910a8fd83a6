"""Run the periodic scheduler: enqueue recurring jobs for the worker when they fall due."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from core.rounds import run_rounds
from core.scheduling import enqueue_due


class Command(BaseCommand):
    help = "Enqueue recurring background jobs when due (safe to run several at once)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--interval", type=float, default=30.0, help="Seconds between checks.")
        parser.add_argument("--once", action="store_true", help="Check once and exit.")

    def handle(self, *args: Any, interval: float, once: bool, **options: Any) -> None:
        def check() -> None:
            for name in enqueue_due():
                self.stdout.write(f"Enqueued {name}")

        run_rounds(check, loop=not once, interval=interval)
