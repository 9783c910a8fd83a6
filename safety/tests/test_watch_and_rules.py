"""High-risk watch (days without a diary card raise an alert) and the clinic's own rules
and escalation settings, through the actions and the pages."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from core.actions import ActionError
from core.testing.personas import World
from diary.actions import SaveMode, save_card
from diary.cards import CardValues
from safety import configure, watch
from safety.alerts import settings_for
from safety.configure import RuleInput
from safety.models import Alert, RiskRule, RiskWatch, RuleKind
from safety.risk import rules_for

pytestmark = pytest.mark.django_db

# 09:00 in Amsterdam on Wednesday 12 March 2025 (the persona clinic's zone).
NOW = datetime(2025, 3, 12, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def fill(world: World, day: date) -> None:
    save_card(world.patient, world.patient_record, day, CardValues(), mode=SaveMode.EDIT)


def missed_alerts() -> list[Alert]:
    return list(Alert.objects.filter(rule__kind=RuleKind.DIARY_MISSED))


# --- the gap --------------------------------------------------------------------------------


@given(
    last=st.one_of(st.none(), st.dates(date(2024, 1, 1), date(2025, 12, 31))),
    start=st.dates(date(2024, 1, 1), date(2025, 12, 31)),
    ahead=st.integers(0, 60),
)
def test_a_gap_counts_whole_days_after_the_last_card_and_from_the_watch_on(
    last: date | None, start: date, ahead: int
) -> None:
    begin = max(last + timedelta(days=1), start) if last else start
    today = begin + timedelta(days=ahead)
    runs_from, missed = watch.gap(last, start, today)
    assert runs_from == begin
    assert missed == ahead


def test_three_whole_days_without_a_card_on_watch_raise_one_alert(
    world: World, frozen: Any
) -> None:
    fill(world, date(2025, 3, 11))
    watch.start_watch(world.therapist, world.patient_record, "Attempt last month")

    # 12th (today), 13th, 14th: not yet three whole days after the 11th
    frozen.move_to(datetime(2025, 3, 14, 22, 0, tzinfo=UTC))  # 23:00 on the 14th locally
    assert watch.check_missed_cards() == 0
    # Early on the 15th in Amsterdam (still the 14th in UTC): 12th, 13th and 14th missed
    frozen.move_to(datetime(2025, 3, 14, 23, 30, tzinfo=UTC))
    assert watch.check_missed_cards() == 1
    assert watch.check_missed_cards() == 0  # the same gap raises one alert
    frozen.move_to(datetime(2025, 3, 18, 9, 0, tzinfo=UTC))
    assert watch.check_missed_cards() == 0

    [alert] = missed_alerts()
    assert "No diary card for 3 days" in alert.reason
    assert "Attempt last month" in alert.reason
    assert alert.notices.get().email == world.therapist.email


def test_no_watch_no_alert_and_a_new_card_starts_a_new_gap(world: World, frozen: Any) -> None:
    frozen.move_to(datetime(2025, 3, 20, 9, 0, tzinfo=UTC))
    assert watch.check_missed_cards() == 0  # never a card, but not on watch

    watch.start_watch(world.therapist, world.patient_record, "Discharged from hospital")
    frozen.move_to(datetime(2025, 3, 24, 9, 0, tzinfo=UTC))  # 21st-23rd missed
    assert watch.check_missed_cards() == 1
    fill(world, date(2025, 3, 24))
    frozen.move_to(datetime(2025, 3, 26, 9, 0, tzinfo=UTC))
    assert watch.check_missed_cards() == 0
    frozen.move_to(datetime(2025, 3, 28, 9, 0, tzinfo=UTC))  # 25th-27th missed
    assert watch.check_missed_cards() == 1
    assert sorted(a.source_key for a in missed_alerts()) == [
        "diary-missed:2025-03-20",
        "diary-missed:2025-03-25",
    ]


def test_an_ended_watch_or_a_rule_switched_off_raises_nothing(world: World, frozen: Any) -> None:
    rules_for(world.organisation.pk)  # the clinic's rules exist
    watch.start_watch(world.therapist, world.patient_record, "Crisis")
    watch.end_watch(world.therapist, world.patient_record)
    frozen.move_to(datetime(2025, 3, 20, 9, 0, tzinfo=UTC))
    assert watch.check_missed_cards() == 0

    watch.start_watch(world.therapist, world.patient_record, "Crisis again")
    RiskRule.objects.filter(kind=RuleKind.DIARY_MISSED).update(is_active=False)
    frozen.move_to(datetime(2025, 3, 30, 9, 0, tzinfo=UTC))
    assert watch.check_missed_cards() == 0
    assert RiskWatch.objects.count() == 2


def test_a_watch_needs_a_reason_and_is_started_once(world: World) -> None:
    with pytest.raises(ActionError) as empty:
        watch.start_watch(world.therapist, world.patient_record, "  ")
    watch.start_watch(world.therapist, world.patient_record, "Recent attempt")
    with pytest.raises(ActionError):
        watch.start_watch(world.therapist, world.patient_record, "Again")
    assert empty.value.field == "reason"
    with pytest.raises(ActionError):
        watch.end_watch(world.therapist, world.other_patient_record)


def test_the_therapist_starts_and_ends_the_watch_from_the_safety_plan_page(
    world: World, client_for: Any
) -> None:
    client: Client = client_for(world.therapist)
    url = reverse("safety:patient_watch", kwargs={"patient_id": world.patient_record.public_id})
    plan = reverse("safety:patient_plan", kwargs={"patient_id": world.patient_record.public_id})

    client.post(url, {"reason": "<b>Attempt</b> in February"})
    html = client.get(plan).content.decode()
    assert "&lt;b&gt;Attempt&lt;/b&gt; in February" in html
    assert "End the watch" in html
    client.post(url, {"end": "1"})
    [ended] = RiskWatch.objects.all()
    assert ended.ended_by == world.therapist and ended.started_by == world.therapist
    # The patient reads their plan here too, but never the watch
    assert "High-risk watch" not in client_for(world.patient).get(plan).content.decode()


# --- rules and escalation --------------------------------------------------------------------


def test_the_defaults_cover_every_kind_of_rule(world: World) -> None:
    kinds = {rule.kind for rule in rules_for(world.organisation.pk)}
    assert kinds == set(RuleKind.values)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (RuleInput("", RuleKind.DIARY_URGE, 4, target_kind="suicide"), "name"),
        (RuleInput("Urge 6", RuleKind.DIARY_URGE, 6, target_kind="suicide"), "threshold"),
        (RuleInput("Urge", RuleKind.DIARY_URGE, 4, target_kind="gambling"), "target_kind"),
        (RuleInput("Fear", RuleKind.EMA_ANSWER, 80, question="Fear; DROP"), "question"),
        (RuleInput("Fear", RuleKind.EMA_ANSWER, 101, question="fear"), "threshold"),
        (RuleInput("Missed", RuleKind.DIARY_MISSED, 0), "threshold"),
        (RuleInput("Odd", "made_up", 1), "kind"),
    ],
)
def test_a_rule_that_cannot_work_is_refused_with_the_field_named(
    world: World, data: RuleInput, field: str
) -> None:
    before = RiskRule.objects.count()
    with pytest.raises(ActionError) as refused:
        configure.add_rule(world.admin, world.organisation, data)
    assert refused.value.field == field
    assert RiskRule.objects.count() == before


def test_an_added_check_in_rule_fires_and_a_changed_rule_keeps_its_kind(world: World) -> None:
    rule = configure.add_rule(
        world.admin,
        world.organisation,
        RuleInput("Fear 90 or more", RuleKind.EMA_ANSWER, 90, question="fear"),
    )
    assert rule in rules_for(world.organisation.pk)
    changed = configure.change_rule(
        world.admin,
        rule,
        RuleInput("Fear 95", RuleKind.DIARY_MISSED, 95, is_active=False, question="fear"),
    )
    assert (changed.kind, changed.threshold, changed.is_active) == (RuleKind.EMA_ANSWER, 95, False)
    assert changed not in rules_for(world.organisation.pk)


def test_the_admin_sets_escalation_and_adds_a_rule_on_the_pages(
    world: World, client_for: Any
) -> None:
    client: Client = client_for(world.admin)
    page = client.get(reverse("safety:rules")).content.decode()
    assert "Suicide urge 4 or 5 on the diary card" in page

    refused = client.post(reverse("safety:rules"), {"escalate_after_minutes": 2})
    assert refused.status_code == 200 and settings_for(world.organisation).pk
    client.post(
        reverse("safety:rules"),
        {"escalate_after_minutes": 20, "on_call_name": "Duty doctor", "on_call_email": "d@x.org"},
    )
    saved = settings_for(world.organisation)
    assert (saved.escalate_after_minutes, saved.on_call_email) == (20, "d@x.org")

    client.post(
        reverse("safety:add_rule"),
        {"name": "Shame 5", "kind": "diary_urge", "target_kind": "other", "threshold": 5,
         "is_active": "on"},
    )  # fmt: skip
    assert RiskRule.objects.filter(name="Shame 5", threshold=5).exists()


def test_another_clinics_rule_is_not_found(world: World, client_for: Any) -> None:
    rule = rules_for(world.organisation.pk)[0]
    url = reverse("safety:edit_rule", kwargs={"rule_id": rule.public_id})
    assert client_for(world.foreign_admin).get(url).status_code == 404
