"""Recurring EMA jobs: plan the coming days' prompts; deliver those that are due."""

from __future__ import annotations

from django_tasks import task

from ema.dispatch import dispatch_due
from ema.planning import plan_all


@task()
def plan_prompts() -> int:
    """Create the coming days' prompts of every active schedule (idempotent)."""
    return plan_all()


@task()
def dispatch_prompts() -> int:
    """Deliver due prompts (safe with several workers) and mark expired ones missed."""
    return dispatch_due()
