"""Assigning, planning, saving and returning, submitting (scored with its definition
version, risk rules in the same transaction), recomputing, reminders."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from core.actions import ActionError
from core.testing.factories import make_administration, shipped_instrument
from core.testing.personas import World
from measures import actions
from measures.definitions import parse_definition
from measures.loading import sync_definitions
from measures.models import (
    Administration,
    AdministrationStatus,
    Instrument,
    InstrumentVersion,
    Score,
)
from measures.tasks import send_due_reminders
from safety.models import Alert
from safety.risk import questionnaire_source

pytestmark = pytest.mark.django_db

PHQ_MODERATE = {str(n): v for n, v in enumerate([2, 2, 2, 2, 2, 0, 0, 0, 0], start=1)}


def phq(values: list[int]) -> dict[str, Any]:
    return {str(n): v for n, v in enumerate(values, start=1)}


def test_save_and_return_then_submit_scores_with_the_definition_version(world: World) -> None:
    # Given a PHQ-9 assigned once
    assignment = actions.assign_instrument(
        world.therapist, world.patient_record, shipped_instrument("phq9")
    )
    administration = assignment.administrations.get()
    # When the patient answers three questions and comes back later for the rest
    actions.save_answers(world.patient, administration, {"1": 2, "2": "2", "3": None})
    administration.refresh_from_db()
    assert administration.status == AdministrationStatus.IN_PROGRESS
    assert administration.answers == {"1": 2, "2": 2, "3": None}
    done = actions.submit_administration(
        world.patient, administration, {"3": 2, "4": 2, "5": 2, "6": 0, "7": 0, "8": 0, "9": 0}
    )
    # Then the score is the engine's, stored with the version used
    assert done.score.value == 10 and done.score.band == "Moderate"
    assert done.score.version == administration.version and done.score.is_current
    assert done.alerts == [] and not done.alerted
    # And sending again returns the first result (idempotent)
    again = actions.submit_administration(world.patient, administration, {"9": 3})
    assert again.repeated and again.score.pk == done.score.pk
    assert Score.objects.count() == 1 and not Alert.objects.exists()


def test_an_answer_that_is_not_offered_is_refused_and_nothing_is_saved(world: World) -> None:
    administration = make_administration(world.patient_record)
    with pytest.raises(ActionError, match="not among the choices"):
        actions.save_answers(world.patient, administration, {"1": 7})
    administration.refresh_from_db()
    assert administration.answers == {} and administration.status == AdministrationStatus.DUE


def test_phq9_item_9_raises_an_alert_in_the_submitting_transaction(world: World) -> None:
    administration = make_administration(world.patient_record)
    done = actions.submit_administration(world.patient, administration, phq([0] * 8 + [1]))
    assert done.alerts == ["Any answer above “not at all” on PHQ-9 item 9"] and done.alerted
    alert = Alert.objects.get(patient=world.patient_record)
    assert alert.source_key == questionnaire_source(administration)
    assert "PHQ-9 item 9" in alert.reason and "better off dead" in alert.reason
    # The suicidality item is looked at alone: a low total does not hide it.
    assert done.score.value == 1 and done.score.band == "None–minimal"


def test_a_failing_risk_rule_rolls_the_submission_back(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    administration = make_administration(world.patient_record)

    def broken(*args: Any) -> None:
        raise RuntimeError("alert store unavailable")

    monkeypatch.setattr("safety.alerts.raise_alert", broken)
    with pytest.raises(RuntimeError):
        actions.submit_administration(world.patient, administration, phq([0] * 8 + [2]))
    administration.refresh_from_db()
    assert not administration.is_submitted and not Score.objects.exists()


def test_missing_items_give_no_score_and_say_why(world: World) -> None:
    administration = make_administration(world.patient_record)
    done = actions.submit_administration(world.patient, administration, {"1": 1, "2": 1})
    assert done.score.value is None
    assert done.score.detail["reason"] == "2 of 9 items answered; at least 9 are needed"


def test_reliable_change_is_stored_beside_each_score(world: World) -> None:
    # Given PHQ-9 scores of 18 (baseline), 11 and 8, a week apart
    start = timezone.now() - timedelta(days=21)
    scores = []
    for week, values in enumerate([[2] * 9, [2] * 5 + [1] + [0] * 3, [1] * 8 + [0]]):
        with time_machine.travel(start + timedelta(weeks=week), tick=False):
            scores.append(
                actions.submit_administration(
                    world.patient, make_administration(world.patient_record), phq(values)
                ).score
            )
    assert [s.value for s in scores] == [18, 11, 8]
    assert scores[0].change == {}
    second, third = scores[1].change, scores[2].change
    # 18 → 11: −7 ≥ 6 points, but 11 is still at or above the cut-off of 10
    assert second["baseline"]["label"] == second["previous"]["label"] == "reliable_improvement"
    # 11 → 8: −3, no reliable change; 18 → 8: −10 and below 10: recovered (IAPT)
    assert third["previous"]["label"] == "no_reliable_change"
    assert third["baseline"]["label"] == "recovered"
    assert third["baseline"]["criterion"] == "cutoff"
    assert third["baseline"]["formula"].startswith("Published threshold")
    assert third["baseline"]["reliability"] == 0.84 and third["baseline"]["threshold"] == 6


def test_recompute_keeps_the_old_score_with_its_version(world: World) -> None:
    administration = make_administration(world.patient_record, answers=None)
    first = actions.submit_administration(world.patient, administration, PHQ_MODERATE).score
    # Given a new PHQ-9 definition version whose bands moved
    data = InstrumentVersion.objects.get(instrument__key="phq9").parsed().as_data()
    data["version"] = "2"
    data["bands"][2]["lower"] = 11
    sync_definitions(Instrument, InstrumentVersion, [parse_definition(data)])
    # When the clinician recomputes
    assert actions.recompute_scores(world.therapist, world.patient_record) == 1
    assert actions.recompute_scores(world.therapist, world.patient_record) == 0
    # Then the new score is current and the old one stays with version 1
    first.refresh_from_db()
    current = Score.objects.get(administration=administration, is_current=True)
    assert not first.is_current and first.version.version == "1" and first.band == "Moderate"
    assert current.version.version == "2" and current.band == "Mild" and current.value == 10


def test_recompute_works_out_the_change_again(world: World) -> None:
    # Given PHQ-9 scores of 18 then 11 (reliable improvement, still ≥ 10)
    for values in ([2] * 9, [2] * 5 + [1] + [0] * 3):
        make_administration(world.patient_record, answers=phq(values), submit=True)
    # When a new version moves the caseness cut-off to 12 and the scores are recomputed
    data = InstrumentVersion.objects.get(instrument__key="phq9").parsed().as_data()
    data["version"] = "2"
    data["change"]["cutoff"] = 12
    sync_definitions(Instrument, InstrumentVersion, [parse_definition(data)])
    assert actions.recompute_scores(world.therapist, world.patient_record) == 2
    # Then 18 → 11 now crosses the cut-off: recovered, by version 2's rules
    latest = Score.objects.filter(is_current=True).order_by("observed_at").last()
    assert latest is not None and latest.version.version == "2"
    assert latest.change["baseline"]["label"] == "recovered"
    assert latest.change["baseline"]["criterion_point"] == 12


def test_a_schedule_plans_one_open_questionnaire_at_a_time(world: World) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assignment = actions.assign_instrument(
            world.therapist,
            world.patient_record,
            shipped_instrument("gad7"),
            frequency="days",
            every=7,
        )
    assert assignment.administrations.count() == 1
    # A week later the first is still open: no second one piles up
    with time_machine.travel(start + timedelta(days=7, minutes=1), tick=False):
        assert actions.plan_due() == 0
    open_one = assignment.administrations.get()
    actions.submit_administration(world.patient, open_one, {str(n): 1 for n in range(1, 8)})
    with time_machine.travel(start + timedelta(days=14, minutes=1), tick=False):
        assert actions.plan_due() == 1
        assert actions.plan_due() == 0
    assert assignment.administrations.count() == 2
    actions.stop_assignment(world.therapist, assignment)
    with time_machine.travel(start + timedelta(days=30), tick=False):
        assert actions.plan_due() == 0


def test_a_licensed_instrument_needs_the_clinics_item_text(world: World) -> None:
    msi = shipped_instrument("msi_bpd")
    with pytest.raises(ActionError, match="licensed"):
        actions.assign_instrument(world.therapist, world.patient_record, msi)
    actions.load_licensed_text(
        None,
        world.organisation,
        msi,
        {
            "instrument": "msi_bpd",
            "note": "Licensed by McLean to this clinic",
            "items": {str(n): f"Licensed question {n}" for n in range(1, 11)},
        },
    )
    assignment = actions.assign_instrument(world.therapist, world.patient_record, msi)
    administration = assignment.administrations.get()
    definition = actions.definition_for(administration.version, world.organisation.pk)
    assert definition.items[0].text == "Licensed question 1"
    # Another clinic's patients still cannot get it
    other = actions.definition_for(administration.version, world.other_organisation.pk)
    assert not other.has_item_text


def test_reminders_are_discreet_and_sent_once(world: World) -> None:
    from ema.models import EmaSettings

    EmaSettings.objects.create(patient=world.patient_record, push_enabled=False, email_enabled=True)
    administration = make_administration(world.patient_record, due_at=timezone.now())
    assert send_due_reminders() == 1
    assert send_due_reminders() == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "questionnaire waiting" in message.body and "PHQ" not in message.body
    administration.refresh_from_db()
    assert administration.reminded_at is not None
    assert Administration.objects.filter(reminded_at__isnull=True).count() == 0
