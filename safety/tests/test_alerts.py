"""Risk rules and alerts: raised with the answer, once per answer, e-mailed at least once,
escalated while unacknowledged, acknowledged and resolved with who and when."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from audit.models import AccessLog
from core.actions import ActionError
from core.testing.api import ApiClient, api_error
from core.testing.personas import World
from diary.actions import SaveMode, ensure_card_items, save_card
from diary.cards import CardValues, TargetValue
from diary.models import Target
from ema.actions import answer_prompt
from ema.models import PromptStatus
from ema.tests.checkin_data import ANSWERS, amsterdam, make_prompt, make_schedule
from safety import alerts
from safety.models import Alert, AlertNotice, AlertSettings, AlertStatus, NoticeStatus, RiskRule
from safety.risk import rules_for

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 3, 12, 9, 0, tzinfo=UTC)
TODAY = date(2025, 3, 12)


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def target_id(world: World, name: str) -> str:
    ensure_card_items(None, world.patient_record)
    return str(Target.objects.get(patient=world.patient_record, name=name).public_id)


def card(world: World, **targets: TargetValue) -> None:
    values = CardValues(targets={target_id(world, name): v for name, v in targets.items()})
    save_card(world.patient, world.patient_record, TODAY, values, mode=SaveMode.EDIT)


def test_a_card_under_every_threshold_raises_nothing(world: World) -> None:
    card(world, Suicide=TargetValue(urge=3), **{"Self-harm": TargetValue(urge=5)})
    assert not Alert.objects.exists()


def test_a_high_suicide_urge_raises_one_alert_and_queues_an_email_to_the_therapist(
    world: World,
) -> None:
    card(world, Suicide=TargetValue(urge=4))
    card(world, Suicide=TargetValue(urge=5))  # the same day's card saved again

    [alert] = Alert.objects.all()
    assert alert.status == AlertStatus.OPEN
    assert "Suicide urge 4 of 5" in alert.reason
    assert alert.escalate_at == NOW + timedelta(minutes=60)
    [notice] = AlertNotice.objects.all()
    assert (notice.email, notice.level, notice.status) == (
        world.therapist.email,
        0,
        NoticeStatus.PENDING,
    )


def test_self_harm_acted_on_raises_an_alert_with_the_details(world: World) -> None:
    card(world, **{"Self-harm": TargetValue(urge=2, acted=True, detail="cut, once")})
    [alert] = Alert.objects.all()
    assert "Self-harm acted on" in alert.reason and "cut, once" in alert.reason


def test_a_rule_the_clinic_switched_off_does_not_fire(world: World) -> None:
    rules_for(world.organisation.pk)
    RiskRule.objects.filter(key="diary-suicide-urge").update(is_active=False)
    card(world, Suicide=TargetValue(urge=5))
    assert not Alert.objects.exists()


def test_an_alert_is_lost_with_a_card_that_is_not_saved(world: World) -> None:
    # Same transaction: a refused save (a day that can no longer be edited) raises nothing.
    values = CardValues(targets={target_id(world, "Suicide"): TargetValue(urge=5)})
    with pytest.raises(ActionError):
        save_card(world.patient, world.patient_record, date(2025, 3, 1), values, mode="edit")
    assert not Alert.objects.exists()


def test_notices_are_sent_once_and_a_dead_workers_claims_are_sent_after_the_lease(
    world: World, mailoutbox: list[EmailMessage]
) -> None:
    card(world, Suicide=TargetValue(urge=5))
    # A worker claimed the notice, then died before sending it
    claimed = alerts.claim_notices(NOW)
    assert len(claimed) == 1
    assert alerts.dispatch_notices(NOW + timedelta(minutes=1)) == 0  # still under its lease
    assert mailoutbox == []

    sent = alerts.dispatch_notices(NOW + alerts.LEASE + timedelta(seconds=1))
    again = alerts.dispatch_notices(NOW + alerts.LEASE + timedelta(minutes=2))

    assert (sent, again) == (1, 0)
    assert [m.to for m in mailoutbox] == [[world.therapist.email]]
    assert "Pat" not in mailoutbox[0].body  # no clinical detail in e-mail
    assert AlertNotice.objects.get().status == NoticeStatus.SENT


def test_unacknowledged_alerts_escalate_along_the_team_then_to_on_call(
    world: World, mailoutbox: list[EmailMessage], frozen: Any
) -> None:
    AlertSettings.objects.create(
        organisation=world.organisation,
        escalate_after_minutes=30,
        on_call_name="Duty psychiatrist",
        on_call_email="oncall@example.org",
    )
    card(world, Suicide=TargetValue(urge=5))
    alerts.dispatch_notices(NOW)

    alerts.dispatch_notices(NOW + timedelta(minutes=29))
    assert [m.to[0] for m in mailoutbox] == [world.therapist.email]
    alerts.dispatch_notices(NOW + timedelta(minutes=31))  # next on the team
    alerts.dispatch_notices(NOW + timedelta(minutes=62))  # then on call
    alerts.dispatch_notices(NOW + timedelta(minutes=200))  # nobody left

    assert [m.to[0] for m in mailoutbox] == [
        world.therapist.email,
        world.facilitator.email,
        "oncall@example.org",
    ]
    alert = Alert.objects.get()
    assert alert.level == 2 and alert.escalate_at is None


def test_acknowledging_stops_the_escalation_and_resolving_records_what_was_done(
    world: World, mailoutbox: list[EmailMessage]
) -> None:
    card(world, Suicide=TargetValue(urge=5))
    alert = Alert.objects.get()
    alerts.acknowledge(world.therapist, alert)
    alerts.dispatch_notices(NOW + timedelta(hours=5))
    with pytest.raises(ActionError):
        alerts.acknowledge(world.facilitator, alert)
    with pytest.raises(ActionError) as empty:
        alerts.resolve(world.therapist, alert, "   ")
    alerts.resolve(world.therapist, alert, "Called Pat; went through the safety plan.")

    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED
    assert (alert.acknowledged_by, alert.resolved_by) == (world.therapist, world.therapist)
    assert alert.resolution.startswith("Called Pat")
    assert empty.value.field == "resolution"
    assert AlertNotice.objects.count() == 1  # never escalated


def test_the_patient_sees_the_safety_plan_at_once_after_a_triggering_card(
    world: World, client_for: Any
) -> None:
    client: Client = client_for(world.patient)
    response = client.post(
        reverse("diary:today"), {f"urge_{target_id(world, 'Suicide')}": "5"}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("safety:plan")
    html = response.content.decode()
    assert "Your care team has been told" in html
    assert "emergency number" in html


def test_the_team_sees_the_alert_once_and_acknowledges_it(world: World, client_for: Any) -> None:
    card(world, Suicide=TargetValue(urge=5))
    card(world, Suicide=TargetValue(urge=5, acted=True))  # a second rule, a second alert
    therapist: Client = client_for(world.therapist)

    inbox = therapist.get(reverse("safety:alerts"))
    alert = Alert.objects.get(rule__key="diary-suicide-urge")
    page = therapist.post(
        reverse("safety:alert", kwargs={"alert_id": alert.public_id}),
        {"acknowledge": "1"},
        follow=True,
    )

    assert inbox.content.decode().count(str(alert.public_id)) == 1
    assert len(inbox.context["alerts"]) == 2
    assert "emergency" in inbox.content.decode()
    alert.refresh_from_db()
    assert alert.acknowledged_by == world.therapist
    assert "Acknowledged" in page.content.decode()
    assert AccessLog.objects.filter(resource="safety.handle_alert").count() >= 3
    outsider = client_for(world.outsider_clinician).get(reverse("safety:alerts"))
    assert outsider.context["alerts"] == []


def test_a_check_in_answer_over_the_threshold_raises_an_alert_and_one_under_does_not(
    world: World,
) -> None:
    schedule = make_schedule(world.patient_record)
    calm = make_prompt(schedule, amsterdam(9), status=PromptStatus.SENT)
    urgent = make_prompt(schedule, amsterdam(9, 30), status=PromptStatus.SENT)

    answer_prompt(world.patient, calm, {**ANSWERS, "urge_self_harm": 69})
    assert not Alert.objects.exists()
    answer_prompt(world.patient, urgent, {**ANSWERS, "urge_self_harm": 70})

    [alert] = Alert.objects.all()
    assert alert.rule.key == "ema-self-harm-urge"
    assert "How strong is any urge to hurt yourself right now?" in alert.reason


def test_the_command_sends_what_is_due(world: World, mailoutbox: list[EmailMessage]) -> None:
    card(world, Suicide=TargetValue(urge=5))
    out = StringIO()
    call_command("send_alert_notices", stdout=out)
    assert out.getvalue() == "Sent 1 alert notice.\n"
    assert len(mailoutbox) == 1


def test_the_api_tells_the_app_to_show_the_safety_plan(world: World) -> None:
    api = ApiClient(world.patient)
    body = {"date": TODAY.isoformat(), "targets": {target_id(world, "Suicide"): {"urge": 1}}}
    calm = api.post("/diary/entries", body)
    body["targets"] = {target_id(world, "Suicide"): {"urge": 5}}
    urgent = api.post("/diary/entries", body)

    assert calm.json()["show_safety_plan"] is False
    assert urgent.json()["show_safety_plan"] is True
    assert Alert.objects.count() == 1


def test_the_alert_api_lists_acknowledges_and_resolves(world: World) -> None:
    card(world, Suicide=TargetValue(urge=5))
    api = ApiClient(world.therapist)

    listed = api.get("/alerts").json()["items"]
    [item] = listed
    acknowledged = api.post(f"/alerts/{item['id']}/acknowledge")
    twice = api.post(f"/alerts/{item['id']}/acknowledge")
    empty = api.post(f"/alerts/{item['id']}/resolve", {"resolution": ""})
    resolved = api.post(f"/alerts/{item['id']}/resolve", {"resolution": "Phoned; safe."})

    assert item["patient_id"] == str(world.patient_record.public_id)
    assert item["status"] == "open" and "Suicide urge 5" in item["reason"]
    assert acknowledged.json()["acknowledged_by"] == world.therapist.full_name
    api_error(twice, 400)
    assert "resolution" in api_error(empty, 422)["fields"]
    assert resolved.json()["status"] == "resolved"
    assert api.get("/alerts").json()["items"] == []
    assert ApiClient(world.outsider_clinician).get("/alerts").json()["items"] == []
