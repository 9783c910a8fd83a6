"""``wisemind dispatch_prompts`` and ``wisemind plan_prompts``: once, or in a loop."""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from ema.models import Prompt, PromptStatus
from ema.tests.builders import make_ema_patient, make_prompt, make_schedule, minutes

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 10, 10, 0, tzinfo=UTC)


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_dispatch_prompts_sends_the_due_prompts_once() -> None:
    schedule = make_schedule(make_ema_patient(push_enabled=False))
    for n in range(3):
        make_prompt(schedule, NOW - minutes(n))

    with time_machine.travel(NOW, tick=False):
        first = run("dispatch_prompts", "--batch", "2")
        second = run("dispatch_prompts")

    assert (first, second) == ("Sent 3 prompts.\n", "Sent 0 prompts.\n")
    assert set(Prompt.objects.values_list("status", flat=True)) == {PromptStatus.SENT}


def test_plan_prompts_plans_every_active_schedule_once() -> None:
    make_schedule(make_ema_patient(), times=["09:00", "20:00"])
    make_schedule(make_ema_patient(), times=["21:00"], active=False)

    with time_machine.travel(datetime(2026, 6, 10, 5, 0, tzinfo=UTC), tick=False):
        first = run("plan_prompts")
        second = run("plan_prompts")

    assert (first, second) == ("Planned 6 prompts.\n", "Planned 0 prompts.\n")


@pytest.mark.parametrize(
    ("command", "work"),
    [("dispatch_prompts", "dispatch_due"), ("plan_prompts", "plan_all")],
)
def test_a_loop_refreshes_the_connection_between_rounds_only(
    monkeypatch: pytest.MonkeyPatch, command: str, work: str
) -> None:
    # Given a loop whose third pause is interrupted (Ctrl+C)
    module = f"ema.management.commands.{command}"
    events: list[str] = []

    def pause(seconds: float) -> None:
        events.append(f"sleep {seconds:g}")
        if events.count(f"sleep {seconds:g}") == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(f"{module}.{work}", lambda **kwargs: events.append("work") or 0)
    monkeypatch.setattr("core.rounds.close_old_connections", lambda: events.append("refresh"))
    monkeypatch.setattr("core.rounds.time.sleep", pause)

    # When it runs
    run(command, "--loop", "--interval", "7")

    # Then each round works first and refreshes the connection only after its pause
    assert events == [
        "work", "sleep 7", "refresh",
        "work", "sleep 7", "refresh",
        "work", "sleep 7",
    ]  # fmt: skip


def test_dispatch_prompts_in_a_loop_reports_only_rounds_that_sent_something(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    module = "ema.management.commands.dispatch_prompts"
    rounds = [2, 0, 1]
    monkeypatch.setattr(f"{module}.dispatch_due", lambda **kwargs: rounds.pop(0))
    monkeypatch.setattr("core.rounds.close_old_connections", lambda: None)

    def pause(seconds: float) -> None:
        if not rounds:
            raise KeyboardInterrupt

    monkeypatch.setattr("core.rounds.time.sleep", pause)

    assert run("dispatch_prompts", "--loop") == "Sent 2 prompts.\nSent 1 prompt.\n"
