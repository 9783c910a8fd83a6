"""The daily table: what a day holds, the full rebuild and the incremental refresh."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from care.models import Patient
from core.testing.factories import make_patient
from core.testing.personas import World
from dashboard.days import (
    MARK_KEY,
    PromptFact,
    local_midnight,
    rebuild_all,
    refresh_changed,
    summarise_days,
)
from dashboard.models import PatientDay, RefreshMark
from dashboard.tests.builders import add_cards, add_daily_prompts, add_prompt, targets_of
from diary.models import CardTarget, DiaryCard, Target, TargetKind
from ema.models import PromptStatus

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 3, 20, 18, 0, tzinfo=AMSTERDAM)
TODAY = date(2026, 3, 20)


@pytest.fixture
def frozen() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def rows_of(patient: Patient) -> dict[date, PatientDay]:
    return {row.date: row for row in PatientDay.objects.filter(patient=patient)}


def values_of(patient: Patient) -> list[tuple[object, ...]]:
    return list(
        PatientDay.objects.filter(patient=patient)
        .order_by("date")
        .values_list(
            "date",
            "has_card",
            "card_late",
            "suicide_urge",
            "self_harm_urge",
            "prompts_due",
            "prompts_answered",
        )
    )


# --- one day -------------------------------------------------------------------------------------


def test_a_day_holds_the_card_the_highest_urges_and_the_closed_check_ins(world: World) -> None:
    # Given a card with two suicide targets (urges 2 and 4) and a self-harm urge of 1
    patient = world.patient_record
    with time_machine.travel(NOW, tick=False):
        _suicide, _self_harm = targets_of(patient)
        second = Target.objects.create(
            patient=patient, kind=TargetKind.SUICIDE, name="Plan", active_from=date(2000, 1, 1)
        )
        (card,) = add_cards(patient, TODAY, [2], [1])
        CardTarget.objects.create(card=card, target=second, urge=4)
        DiaryCard.objects.filter(pk=card.pk).update(is_late=True)
        # and check-ins: answered, missed, expired unanswered, still open, cancelled, future
        morning = datetime(2026, 3, 20, 9, tzinfo=AMSTERDAM)
        add_prompt(patient, morning, PromptStatus.ANSWERED)
        add_prompt(patient, morning + timedelta(hours=1), PromptStatus.MISSED)
        add_prompt(patient, morning + timedelta(hours=2), PromptStatus.SENT)
        add_prompt(patient, NOW - timedelta(minutes=10), PromptStatus.SENT)
        add_prompt(patient, morning + timedelta(hours=3), PromptStatus.CANCELLED)
        add_prompt(patient, NOW + timedelta(hours=2), PromptStatus.PLANNED)

        # When the table is rebuilt
        rebuild_all()

    # Then today's row has the highest urge per kind and three closed check-ins, one answered
    row = rows_of(patient)[TODAY]
    assert (row.has_card, row.card_late, row.suicide_urge, row.self_harm_urge) == (
        True,
        True,
        4,
        1,
    )
    assert (row.prompts_due, row.prompts_answered) == (3, 1)


def test_a_day_without_a_card_has_no_urges(world: World, frozen: object) -> None:
    patient = world.patient_record
    add_cards(patient, TODAY - timedelta(days=1), [3, None], [None, None], skip=[1])
    rebuild_all()
    rows = rows_of(patient)
    assert rows[TODAY - timedelta(days=2)].suicide_urge == 3
    unrated = rows[TODAY - timedelta(days=1)]
    assert (unrated.has_card, unrated.suicide_urge, unrated.self_harm_urge) == (False, None, None)
    assert rows[TODAY].has_card is False


# --- days are the patient's local days, DST included ---------------------------------------------


def fact(at: datetime) -> PromptFact:
    return PromptFact(at, PromptStatus.ANSWERED, at + timedelta(minutes=30))


@pytest.mark.parametrize(
    ("first", "hours"),
    [(date(2026, 3, 29), 23), (date(2026, 10, 25), 25)],
    ids=["spring forward", "fall back"],
)
def test_a_dst_day_is_23_or_25_hours_of_the_patients_clock(first: date, hours: int) -> None:
    start = local_midnight(first, AMSTERDAM)
    end = local_midnight(first + timedelta(days=1), AMSTERDAM)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=hours)
    # Check-ins just after local midnight, late in the evening, and just after the next
    # midnight: the first two are the DST day's, the third the next day's.
    prompts = [
        fact(start + timedelta(minutes=15)),
        fact(end - timedelta(minutes=15)),
        fact(end + timedelta(minutes=15)),
    ]
    rows = summarise_days(
        1,
        first,
        first + timedelta(days=1),
        AMSTERDAM,
        cards={},
        urges={},
        prompts=prompts,
        now=end + timedelta(days=2),
    )
    assert [(r.date, r.prompts_due, r.prompts_answered) for r in rows] == [
        (first, 2, 2),
        (first + timedelta(days=1), 1, 1),
    ]


def test_check_ins_are_counted_on_the_patients_day_not_the_servers(world: World) -> None:
    # Given a patient in New Zealand, whose day starts 13 hours before UTC's in March
    patient = make_patient(world.organisation, time_zone="Pacific/Auckland")
    zone = ZoneInfo("Pacific/Auckland")
    with time_machine.travel(datetime(2026, 4, 5, 20, tzinfo=zone), tick=False):
        # DST ends in Auckland on 5 April 2026 at 03:00 (the day has 25 hours)
        add_prompt(patient, datetime(2026, 4, 5, 0, 30, tzinfo=zone), PromptStatus.ANSWERED)
        add_prompt(patient, datetime(2026, 4, 5, 23, 30, tzinfo=zone) - timedelta(days=1))
        rebuild_all()
    rows = rows_of(patient)
    assert rows[date(2026, 4, 5)].prompts_due == 1
    assert rows[date(2026, 4, 4)].prompts_due == 1


# --- the full rebuild ----------------------------------------------------------------------------


def test_the_rebuild_covers_the_whole_history_one_row_per_day(world: World, frozen: object) -> None:
    patient = world.patient_record
    add_cards(patient, TODAY - timedelta(days=30), [1] * 20)
    add_daily_prompts(patient, TODAY, 40)
    call_command("rebuild_patient_days", stdout=open("/dev/null", "w"))  # noqa: SIM115
    rows = rows_of(patient)
    assert min(rows) == TODAY - timedelta(days=49)
    assert max(rows) == TODAY
    assert len(rows) == 50
    assert sum(r.has_card for r in rows.values()) == 20
    assert sum(r.prompts_due for r in rows.values()) == 40
    assert sum(r.prompts_answered for r in rows.values()) == 20


def test_the_rebuild_is_idempotent_and_drops_rows_outside_the_history(
    world: World, frozen: object
) -> None:
    patient = world.patient_record
    add_cards(patient, TODAY, [2, 3, 4], [0, 1, 2])
    rebuild_all()
    before = values_of(patient)
    PatientDay.objects.create(patient=patient, date=date(2001, 1, 1), refreshed_at=NOW)

    rebuild_all()
    rebuild_all()

    assert values_of(patient) == before
    assert PatientDay.objects.filter(patient=patient).count() == len(before)


# --- the incremental refresh ----------------------------------------------------------------------


def test_the_first_refresh_is_a_full_rebuild(world: World, frozen: object) -> None:
    add_cards(world.patient_record, TODAY - timedelta(days=20), [1, 2])
    assert not RefreshMark.objects.exists()
    refresh_changed()
    assert RefreshMark.objects.get(key=MARK_KEY).since == NOW
    assert rows_of(world.patient_record)[TODAY - timedelta(days=20)].suicide_urge == 2


def test_the_refresh_recomputes_only_patients_whose_data_changed(world: World) -> None:
    patient, other = world.patient_record, world.other_patient_record
    with time_machine.travel(NOW - timedelta(hours=3), tick=False):
        add_cards(patient, TODAY - timedelta(days=1), [1])
        add_cards(other, TODAY - timedelta(days=1), [1])
    with time_machine.travel(NOW - timedelta(hours=2), tick=False):
        rebuild_all()
    untouched = rows_of(other)[TODAY].refreshed_at

    with time_machine.travel(NOW, tick=False):
        # When the patient sends today's card and the refresh runs
        add_cards(patient, TODAY, [4], [2])
        written = refresh_changed()

    # Then the patient's recent days are recomputed; the other patient's are not
    assert written == 3  # RECENT_DAYS
    today = rows_of(patient)[TODAY]
    assert (today.has_card, today.suicide_urge, today.self_harm_urge) == (True, 4, 2)
    assert rows_of(other)[TODAY].refreshed_at == untouched


def test_the_refresh_reaches_back_to_an_older_card_sent_from_offline(world: World) -> None:
    patient = world.patient_record
    with time_machine.travel(NOW - timedelta(hours=2), tick=False):
        rebuild_all()
    with time_machine.travel(NOW, tick=False):
        add_cards(patient, TODAY - timedelta(days=10), [5])
        refresh_changed()
    assert rows_of(patient)[TODAY - timedelta(days=10)].suicide_urge == 5


def test_the_refresh_counts_a_check_in_that_expired_since_the_last_run(world: World) -> None:
    patient = world.patient_record
    with time_machine.travel(NOW - timedelta(hours=1), tick=False):
        add_prompt(patient, NOW - timedelta(minutes=70), PromptStatus.SENT, minutes=60)
        rebuild_all()
        assert rows_of(patient)[TODAY].prompts_due == 0  # still open
    with time_machine.travel(NOW, tick=False):
        refresh_changed()
    assert (rows_of(patient)[TODAY].prompts_due, rows_of(patient)[TODAY].prompts_answered) == (
        1,
        0,
    )


def test_running_the_refresh_twice_changes_nothing_and_the_mark_never_goes_back(
    world: World,
) -> None:
    patient = world.patient_record
    with time_machine.travel(NOW - timedelta(hours=1), tick=False):
        rebuild_all()
    with time_machine.travel(NOW, tick=False):
        add_cards(patient, TODAY, [3])
        refresh_changed()
        first = values_of(patient)
        refresh_changed()  # a second run, e.g. a second worker at the same time
    assert values_of(patient) == first
    # A run that started earlier but finishes later leaves the later mark
    refresh_changed(NOW - timedelta(minutes=30))
    assert RefreshMark.objects.get(key=MARK_KEY).since == NOW
