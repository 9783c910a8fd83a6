"""Saving a day's card: rows per item, entries merge, edits replace, one card per day, history."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection

from care.models import Patient
from core.actions import ActionError
from core.testing.personas import World
from diary import actions
from diary.actions import SaveMode, add_target, ensure_card_items, retire_item, save_card
from diary.cards import CardValues, TargetValue, local_today
from diary.models import (
    CardEmotion,
    CardRevision,
    CardSource,
    CardTarget,
    DiaryCard,
    Emotion,
    Target,
    TargetKind,
)
from diary.queries import NOT_ON_CARD, week_grid

pytestmark = pytest.mark.django_db

#: Wednesday 12 March 2025, 10:00 in Amsterdam (the persona patient's zone).
NOW = datetime(2025, 3, 12, 9, 0, tzinfo=UTC)
TODAY = date(2025, 3, 12)
YESTERDAY = date(2025, 3, 11)


@pytest.fixture(autouse=True)
def frozen_time() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def target_id(patient: Patient, name: str) -> str:
    return str(Target.objects.get(patient=patient, name=name).public_id)


def emotion_id(patient: Patient, name: str) -> str:
    return str(Emotion.objects.get(patient=patient, name=name).public_id)


@pytest.fixture
def patient(world: World) -> Patient:
    ensure_card_items(None, world.patient_record)
    return world.patient_record


def card_of(patient: Patient, day: date = TODAY) -> DiaryCard:
    return DiaryCard.objects.get(patient=patient, date=day)


def urge(card: DiaryCard, name: str) -> int | None:
    return CardTarget.objects.get(card=card, target__name=name).urge


def rating(card: DiaryCard, name: str) -> int | None:
    return CardEmotion.objects.get(card=card, emotion__name=name).rating


# --- creating and changing a card ---------------------------------------------------------------


def test_first_save_creates_a_row_for_every_active_item_even_unrated(
    world: World, patient: Patient
) -> None:
    values = CardValues(
        emotions={emotion_id(patient, "Sadness"): 3},
        targets={target_id(patient, "Self-harm"): TargetValue(urge=2, acted=False)},
        skills_used=5,
        sleep_hours=Decimal("7.5"),
    )

    card = save_card(world.patient, patient, TODAY, values, mode=SaveMode.EDIT)

    assert card.date == TODAY
    assert card.first_saved_at == NOW
    assert not card.is_late
    assert card.source == CardSource.WEB
    assert card.skills_used == 5
    assert card.sleep_hours == Decimal("7.5")
    ratings = dict(CardEmotion.objects.filter(card=card).values_list("emotion__name", "rating"))
    assert ratings == {
        "Sadness": 3,
        "Anger": None,
        "Fear": None,
        "Shame": None,
        "Guilt": None,
        "Joy": None,
        "Emotional misery": None,
        "Physical misery": None,
    }
    urges = dict(CardTarget.objects.filter(card=card).values_list("target__name", "urge"))
    assert urges == {"Suicide": None, "Self-harm": 2, "Alcohol or drugs": None}


def test_first_save_gives_a_new_patient_the_default_items(world: World) -> None:
    patient = world.other_patient_record
    assert not patient.diary_targets.exists()

    card = save_card(
        world.other_patient, patient, TODAY, CardValues(skills_used=1), mode=SaveMode.ENTRY
    )

    assert CardTarget.objects.filter(card=card).count() == 3
    assert CardEmotion.objects.filter(card=card).count() == 8


def test_entries_of_one_day_keep_the_highest_urge_and_rating(
    world: World, patient: Patient
) -> None:
    sadness, self_harm = emotion_id(patient, "Sadness"), target_id(patient, "Self-harm")

    # Given a morning entry with a strong urge that was acted on
    save_card(
        world.patient,
        patient,
        TODAY,
        CardValues(
            emotions={sadness: 2},
            targets={self_harm: TargetValue(urge=4, acted=True, detail="scratched")},
            note="Hard morning.",
        ),
        mode=SaveMode.ENTRY,
        source=CardSource.API,
    )

    # When an evening entry reports a weaker urge, not acted on, but more sadness
    save_card(
        world.patient,
        patient,
        TODAY,
        CardValues(
            emotions={sadness: 5},
            targets={self_harm: TargetValue(urge=1, acted=False)},
            note="Calmer now.",
        ),
        mode=SaveMode.ENTRY,
        source=CardSource.API,
    )

    # Then the day keeps its highest values, and "acted on" stays yes
    card = card_of(patient)
    assert DiaryCard.objects.filter(patient=patient).count() == 1
    assert urge(card, "Self-harm") == 4
    assert rating(card, "Sadness") == 5
    row = CardTarget.objects.get(card=card, target__name="Self-harm")
    assert row.acted is True
    assert row.detail == "scratched"
    assert card.note == "Hard morning.\n\nCalmer now."


def test_edit_replaces_the_values_so_a_mistake_can_be_lowered(
    world: World, patient: Patient
) -> None:
    self_harm = target_id(patient, "Self-harm")
    save_card(
        world.patient,
        patient,
        TODAY,
        CardValues(targets={self_harm: TargetValue(urge=5, acted=True)}, note="typo"),
        mode=SaveMode.EDIT,
    )

    # When the patient corrects the card
    save_card(
        world.patient,
        patient,
        TODAY,
        CardValues(targets={self_harm: TargetValue(urge=1, acted=False)}),
        mode=SaveMode.EDIT,
    )

    card = card_of(patient)
    assert urge(card, "Self-harm") == 1
    assert CardTarget.objects.get(card=card, target__name="Self-harm").acted is False
    assert card.note == ""


def test_edit_of_yesterdays_card_keeps_it_on_time_and_its_first_saved_at(
    world: World, patient: Patient, frozen_time: time_machine.Coordinates
) -> None:
    # Given Wednesday's card saved on Wednesday
    save_card(world.patient, patient, TODAY, CardValues(skills_used=2), mode=SaveMode.EDIT)

    # When the patient changes it on Thursday
    frozen_time.move_to(NOW + timedelta(days=1))
    save_card(world.patient, patient, TODAY, CardValues(skills_used=6), mode=SaveMode.EDIT)

    # Then it is still the card that was saved on its day
    card = card_of(patient)
    assert card.skills_used == 6
    assert not card.is_late
    assert card.first_saved_at == NOW


def test_yesterdays_card_first_saved_today_is_late(world: World, patient: Patient) -> None:
    late = save_card(world.patient, patient, YESTERDAY, CardValues(), mode=SaveMode.EDIT)
    on_time = save_card(world.patient, patient, TODAY, CardValues(), mode=SaveMode.EDIT)

    assert late.is_late
    assert not on_time.is_late


@pytest.mark.parametrize(
    "day", [TODAY - timedelta(days=2), TODAY - timedelta(days=30), TODAY + timedelta(days=1)]
)
def test_cards_outside_today_and_yesterday_are_refused(
    world: World, patient: Patient, day: date
) -> None:
    with pytest.raises(ActionError) as refused:
        save_card(world.patient, patient, day, CardValues(skills_used=3), mode=SaveMode.ENTRY)

    assert refused.value.field == "date"
    assert not DiaryCard.objects.exists()
    assert not CardRevision.objects.exists()


def test_refusal_is_in_the_patients_zone_not_the_servers(world: World) -> None:
    # At 23:30 UTC on 10 March it is already 11 March in Auckland
    patient = world.patient_record
    patient.time_zone = "Pacific/Auckland"
    patient.save(update_fields=["time_zone"])

    with time_machine.travel(datetime(2025, 3, 10, 23, 30, tzinfo=UTC), tick=False):
        card = save_card(
            world.patient, patient, date(2025, 3, 11), CardValues(), mode=SaveMode.EDIT
        )
        with pytest.raises(ActionError):
            save_card(world.patient, patient, date(2025, 3, 9), CardValues(), mode=SaveMode.EDIT)

    assert not card.is_late


# --- items that are not on the day's card --------------------------------------------------------


def _other_patients_emotion(world: World) -> str:
    ensure_card_items(None, world.other_patient_record)
    return emotion_id(world.other_patient_record, "Sadness")


def _retired_target(world: World) -> str:
    target = Target.objects.get(patient=world.patient_record, name="Suicide")
    retire_item(world.therapist, target, from_day=TODAY)
    return str(target.public_id)


@pytest.mark.parametrize(
    ("field", "make_key"),
    [
        ("emotions", lambda world: str(uuid.uuid4())),
        ("emotions", _other_patients_emotion),
        ("targets", lambda world: str(uuid.uuid4())),
        ("targets", _retired_target),
    ],
    ids=["unknown emotion", "another patient's emotion", "unknown target", "retired target"],
)
def test_item_not_on_the_days_card_is_refused_and_nothing_is_written(
    world: World, patient: Patient, field: str, make_key: Any
) -> None:
    # Given a card saved earlier today
    sadness = emotion_id(patient, "Sadness")
    save_card(world.patient, patient, TODAY, CardValues(emotions={sadness: 2}), mode=SaveMode.ENTRY)
    key = make_key(world)

    # When an entry names an item that is not on today's card
    values = (
        CardValues(emotions={sadness: 5, key: 3})
        if field == "emotions"
        else CardValues(emotions={sadness: 5}, targets={key: TargetValue(urge=3)})
    )
    with pytest.raises(ActionError) as refused:
        save_card(world.patient, patient, TODAY, values, mode=SaveMode.ENTRY)

    # Then the error names the item, and the card is as it was
    assert refused.value.field == f"{field}.{key}"
    assert rating(card_of(patient), "Sadness") == 2
    assert CardRevision.objects.count() == 1


def test_a_target_retired_today_can_still_be_rated_on_yesterdays_card(
    world: World, patient: Patient
) -> None:
    suicide = _retired_target(world)

    card = save_card(
        world.patient,
        patient,
        YESTERDAY,
        CardValues(targets={suicide: TargetValue(urge=1)}),
        mode=SaveMode.EDIT,
    )

    assert urge(card, "Suicide") == 1
    assert not CardTarget.objects.filter(card__date=TODAY).exists()


def test_items_that_change_keep_old_cards_readable(
    world: World, patient: Patient, frozen_time: time_machine.Coordinates
) -> None:
    self_harm = target_id(patient, "Self-harm")

    # Given Tuesday's card, with an urge for self-harm, saved on Tuesday
    frozen_time.move_to(NOW - timedelta(days=1))
    save_card(
        world.patient,
        patient,
        YESTERDAY,
        CardValues(targets={self_harm: TargetValue(urge=3, acted=False)}),
        mode=SaveMode.EDIT,
    )

    # When, on Wednesday, the therapist replaces that target with a reworded one
    frozen_time.move_to(NOW)
    retire_item(world.therapist, Target.objects.get(public_id=self_harm), from_day=TODAY)
    reworded = add_target(
        world.therapist,
        patient,
        name="Hurting myself",
        kind=TargetKind.SELF_HARM,
        asks_detail=True,
        starting=TODAY,
    )
    save_card(
        world.patient,
        patient,
        TODAY,
        CardValues(targets={str(reworded.public_id): TargetValue(urge=2)}),
        mode=SaveMode.EDIT,
    )

    # Then Tuesday's card keeps the old wording and Wednesday's has the new one
    tuesday, wednesday = card_of(patient, YESTERDAY), card_of(patient, TODAY)
    assert urge(tuesday, "Self-harm") == 3
    assert not CardTarget.objects.filter(card=tuesday, target=reworded).exists()
    assert urge(wednesday, "Hurting myself") == 2
    assert not CardTarget.objects.filter(card=wednesday, target__name="Self-harm").exists()
    # And the week grid shows each where it applied, "not on card" where it did not
    grid = week_grid(patient, date(2025, 3, 10))
    names = [target.name for target in grid.targets]
    old, new = names.index("Self-harm"), names.index("Hurting myself")
    rows = {row.date: row for row in grid.rows}
    assert rows[YESTERDAY].urges[old] == 3
    assert rows[YESTERDAY].urges[new] == NOT_ON_CARD
    assert rows[TODAY].urges[old] == NOT_ON_CARD
    assert rows[TODAY].urges[new] == 2
    # And Tuesday's card can still be corrected with the old target, not the new one
    save_card(
        world.patient,
        patient,
        YESTERDAY,
        CardValues(targets={self_harm: TargetValue(urge=2)}),
        mode=SaveMode.EDIT,
    )
    assert urge(card_of(patient, YESTERDAY), "Self-harm") == 2
    with pytest.raises(ActionError):
        save_card(
            world.patient,
            patient,
            YESTERDAY,
            CardValues(targets={str(reworded.public_id): TargetValue(urge=1)}),
            mode=SaveMode.EDIT,
        )


def test_item_added_after_the_card_was_saved_gets_a_row_on_the_next_save(
    world: World, patient: Patient
) -> None:
    # Given this morning's card, then a target the therapist adds at noon
    save_card(world.patient, patient, TODAY, CardValues(skills_used=1), mode=SaveMode.ENTRY)
    added = add_target(
        world.therapist,
        patient,
        name="Skipping meals",
        kind=TargetKind.OTHER,
        asks_detail=False,
        starting=TODAY,
    )

    # When the evening entry rates it
    save_card(
        world.patient,
        patient,
        TODAY,
        CardValues(targets={str(added.public_id): TargetValue(urge=4)}),
        mode=SaveMode.ENTRY,
    )

    # Then today's card has a row for it
    assert urge(card_of(patient), "Skipping meals") == 4
    assert CardTarget.objects.filter(card=card_of(patient)).count() == 4


# --- history -------------------------------------------------------------------------------------


def test_every_save_appends_a_revision_with_actor_mode_and_values(
    world: World, patient: Patient
) -> None:
    sadness = emotion_id(patient, "Sadness")

    # Given an app entry by the patient, then a correction in session by the therapist
    save_card(
        world.patient,
        patient,
        TODAY,
        CardValues(emotions={sadness: 4}, sleep_hours=Decimal("6.5")),
        mode=SaveMode.ENTRY,
        source=CardSource.API,
    )
    save_card(
        world.therapist,
        patient,
        TODAY,
        CardValues(emotions={sadness: 2}, filled_in_session=True),
        mode=SaveMode.EDIT,
    )

    # Then both saves are in the history, in order, each as saved
    first, second = CardRevision.objects.filter(card=card_of(patient))
    assert (first.saved_by, first.mode, first.source) == (world.patient, "entry", "api")
    assert first.values["emotions"] == {sadness: 4}
    assert first.values["sleep_hours"] == "6.5"
    assert (second.saved_by, second.mode, second.source) == (world.therapist, "edit", "web")
    assert second.values["emotions"] == {sadness: 2}
    assert second.values["filled_in_session"] is True
    assert second.values["sleep_hours"] is None


def test_revision_of_an_entry_holds_the_merged_card(world: World, patient: Patient) -> None:
    sadness, joy = emotion_id(patient, "Sadness"), emotion_id(patient, "Joy")
    save_card(world.patient, patient, TODAY, CardValues(emotions={sadness: 4}), mode=SaveMode.ENTRY)
    save_card(world.patient, patient, TODAY, CardValues(emotions={joy: 2}), mode=SaveMode.ENTRY)

    latest = CardRevision.objects.filter(card=card_of(patient)).last()

    assert latest is not None
    assert latest.values["emotions"][sadness] == 4
    assert latest.values["emotions"][joy] == 2


# --- the risk hook -------------------------------------------------------------------------------


def test_risk_rules_see_the_card_as_just_saved(
    world: World, patient: Patient, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[dict[str, int | None]] = []

    def evaluate(card: DiaryCard, rows: list[CardTarget]) -> list[str]:
        # The rows handed over are the rows stored, with their targets
        passed = {row.target.name: row.urge for row in rows}
        assert passed == {row.target.name: row.urge for row in card.targets.all()}
        seen.append(passed)
        return []

    monkeypatch.setattr(actions, "evaluate_diary_card", evaluate)
    suicide = target_id(patient, "Suicide")

    # Given a card, and a target the therapist added after it was first saved
    save_card(
        world.patient,
        patient,
        TODAY,
        CardValues(targets={suicide: TargetValue(urge=1)}),
        mode=SaveMode.ENTRY,
    )
    added = add_target(
        world.therapist, patient, name="Isolating", kind="other", asks_detail=False, starting=TODAY
    )

    # When the next entry raises the suicide urge and rates the new target
    save_card(
        world.patient,
        patient,
        TODAY,
        CardValues(
            targets={suicide: TargetValue(urge=5), str(added.public_id): TargetValue(urge=3)}
        ),
        mode=SaveMode.ENTRY,
    )

    # Then the rules saw every row with the values just saved
    assert seen[0]["Suicide"] == 1
    assert seen[1] == {"Suicide": 5, "Self-harm": None, "Alcohol or drugs": None, "Isolating": 3}


def test_risk_rules_run_in_the_saving_transaction(
    world: World, patient: Patient, monkeypatch: pytest.MonkeyPatch
) -> None:
    sadness = emotion_id(patient, "Sadness")
    save_card(world.patient, patient, TODAY, CardValues(emotions={sadness: 1}), mode=SaveMode.ENTRY)

    def broken(card: DiaryCard, rows: list[CardTarget]) -> list[str]:
        raise RuntimeError("risk rules failed")

    monkeypatch.setattr(actions, "evaluate_diary_card", broken)

    # When the rules fail, neither a change nor a new card is kept
    with pytest.raises(RuntimeError):
        save_card(
            world.patient, patient, TODAY, CardValues(emotions={sadness: 5}), mode=SaveMode.ENTRY
        )
    with pytest.raises(RuntimeError):
        save_card(world.patient, patient, YESTERDAY, CardValues(skills_used=2), mode=SaveMode.EDIT)

    assert rating(card_of(patient), "Sadness") == 1
    assert CardRevision.objects.count() == 1
    assert not DiaryCard.objects.filter(date=YESTERDAY).exists()
    assert not CardTarget.objects.filter(card__date=YESTERDAY).exists()


# --- two entries at once (PostgreSQL) ------------------------------------------------------------


def _race(
    world: World, entries: list[CardValues], monkeypatch: pytest.MonkeyPatch, hold: str
) -> None:
    """Save ``entries`` for today from one thread each, all held at ``hold`` until all got there.

    ``hold`` is the function of ``diary.actions`` each thread waits after (its first call), so
    that every thread has seen the same state of the database before any of them writes.
    """
    original = getattr(actions, hold)
    gate = threading.Barrier(len(entries), timeout=10)
    held = threading.local()

    def waiting(*args: Any, **kwargs: Any) -> Any:
        first = not getattr(held, "done", False)
        held.done = True
        if hold == "ensure_card_items" and first:
            gate.wait()
        result = original(*args, **kwargs)
        if hold != "ensure_card_items" and first:
            gate.wait()
        return result

    monkeypatch.setattr(actions, hold, waiting)
    failures: list[BaseException] = []

    def save(values: CardValues) -> None:
        try:
            patient = Patient.objects.get(pk=world.patient_record.pk)
            save_card(world.patient, patient, TODAY, values, mode=SaveMode.ENTRY)
        except BaseException as exc:  # surfaced below, in the test's thread
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(values,)) for values in entries]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


POSTGRESQL_ONLY = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers, so two saves cannot overlap; needs PostgreSQL",
)


@pytest.mark.django_db(transaction=True)
@POSTGRESQL_ONLY
def test_two_entries_at_once_make_one_card_with_the_merged_values(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given two entries of the same day that both find no card yet
    patient = world.patient_record
    ensure_card_items(None, patient)
    sadness, joy = emotion_id(patient, "Sadness"), emotion_id(patient, "Joy")
    self_harm = target_id(patient, "Self-harm")
    entries = [
        CardValues(
            emotions={sadness: 4, joy: 1},
            targets={self_harm: TargetValue(urge=2, acted=True)},
            note="first",
        ),
        CardValues(
            emotions={sadness: 2, joy: 3},
            targets={self_harm: TargetValue(urge=5, acted=False)},
            note="second",
        ),
    ]

    # When both are saved at the same moment
    _race(world, entries, monkeypatch, hold="_locked_card")

    # Then there is one card, holding the highest of each, and both saves are in its history
    card = DiaryCard.objects.get(patient=patient)
    assert rating(card, "Sadness") == 4
    assert rating(card, "Joy") == 3
    assert urge(card, "Self-harm") == 5
    assert CardTarget.objects.get(card=card, target__name="Self-harm").acted is True
    assert sorted(card.note.split("\n\n")) == ["first", "second"]
    assert CardRevision.objects.filter(card=card).count() == 2
    assert CardTarget.objects.filter(card=card).count() == 3


@pytest.mark.django_db(transaction=True)
@POSTGRESQL_ONLY
def test_two_first_entries_at_once_give_one_set_of_default_items(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a patient who has no targets or emotions yet
    patient = world.patient_record
    assert not patient.diary_targets.exists()

    # When their first two entries arrive at the same moment
    _race(
        world,
        [CardValues(skills_used=2), CardValues(skills_used=6)],
        monkeypatch,
        hold="ensure_card_items",
    )

    # Then they have the default items once, and one card
    assert Target.objects.filter(patient=patient).count() == 3
    assert Emotion.objects.filter(patient=patient).count() == 8
    card = DiaryCard.objects.get(patient=patient)
    assert card.skills_used == 6
    assert CardTarget.objects.filter(card=card).count() == 3


def test_entries_whose_appended_text_no_longer_fits_are_refused_with_the_field(
    world: World,
) -> None:
    # Given a day whose alcohol field is nearly full after several entries
    patient = world.patient_record
    today = local_today(patient.time_zone)
    for n in range(5):
        save_card(
            world.patient,
            patient,
            today,
            CardValues(alcohol=f"drink {n} " + "x" * 30),
            mode=SaveMode.ENTRY,
        )
    # When one more entry would overflow it
    with pytest.raises(ActionError) as error:
        save_card(world.patient, patient, today, CardValues(alcohol="y" * 60), mode=SaveMode.ENTRY)
    # Then the refusal names the field, and the card keeps what it had
    assert error.value.field == "alcohol"
    assert DiaryCard.objects.get(patient=patient, date=today).alcohol.count("drink") == 5
