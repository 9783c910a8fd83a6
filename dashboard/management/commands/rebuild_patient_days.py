"""Rebuild the dashboard's daily table from the whole history (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from dashboard.days import rebuild_all


class Command(BaseCommand):
    help = "Recompute every patient's daily rows (diary cards, urges, check-ins) from scratch."

    def handle(self, *args: Any, **options: Any) -> None:
        written = rebuild_all()
        self.stdout.write(f"Rebuilt the daily table: {written} patient-days.")
