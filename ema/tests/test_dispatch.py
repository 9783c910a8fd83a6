"""The dispatcher claims due prompts, sends each once, and logs every delivery attempt."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import mail
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from care.models import Patient
from ema.delivery import deliver
from ema.dispatch import LEASE, claim_due, dispatch_due
from ema.models import Channel, Delivery, DeliveryOutcome, Prompt, PromptStatus, Schedule
from ema.questionnaires import DEFAULT_QUESTIONS
from ema.tests.builders import make_ema_patient, make_prompt, make_schedule, minutes

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 10, 10, 0, tzinfo=UTC)


@pytest.fixture
def schedule() -> Schedule:
    """A schedule of a patient who wants neither phone notifications nor e-mail."""
    patient = make_ema_patient(push_enabled=False, email_enabled=False)
    return make_schedule(patient, expires_after_minutes=30)


def deliveries(prompt: Prompt) -> list[tuple[str, str]]:
    return [(d.channel, d.outcome) for d in Delivery.objects.filter(prompt=prompt)]


# --- claiming -----------------------------------------------------------------------------


def test_only_due_unexpired_and_unclaimed_prompts_are_claimed(schedule: Schedule) -> None:
    # Given prompts in every state around 10:00
    due = make_prompt(schedule, NOW - minutes(1))
    due_now = make_prompt(schedule, NOW)
    lapsed_claim = make_prompt(schedule, NOW - minutes(20), claimed_at=NOW - LEASE - minutes(1))
    not_yet = make_prompt(schedule, NOW + minutes(1))
    expired = make_prompt(schedule, NOW - minutes(31))
    claimed = make_prompt(schedule, NOW - minutes(2), claimed_at=NOW - minutes(1))
    sent = make_prompt(schedule, NOW - minutes(3), status=PromptStatus.SENT, sent_at=NOW)
    answered = make_prompt(schedule, NOW - minutes(4), status=PromptStatus.ANSWERED)
    cancelled = make_prompt(schedule, NOW - minutes(5), status=PromptStatus.CANCELLED)

    # When a dispatcher claims at 10:00
    ids = claim_due(NOW)

    # Then it takes the due ones, and those whose earlier claim has lapsed, oldest first
    assert ids == [lapsed_claim.pk, due.pk, due_now.pk]
    for prompt in (due, due_now, lapsed_claim):
        prompt.refresh_from_db()
        assert prompt.claimed_at == NOW and prompt.status == PromptStatus.PLANNED
    for prompt in (not_yet, expired, claimed, sent, answered, cancelled):
        before = prompt.claimed_at
        prompt.refresh_from_db()
        assert prompt.claimed_at == before
    # And a second dispatcher at the same moment gets none of them
    assert claim_due(NOW) == []


def test_a_claim_takes_at_most_one_batch_oldest_first(schedule: Schedule) -> None:
    prompts = [make_prompt(schedule, NOW - minutes(n)) for n in range(5)]

    assert claim_due(NOW, batch=2) == [prompts[4].pk, prompts[3].pk]
    assert claim_due(NOW, batch=2) == [prompts[2].pk, prompts[1].pk]
    assert claim_due(NOW, batch=2) == [prompts[0].pk]


# --- sending ------------------------------------------------------------------------------


def test_due_prompts_are_sent_once_and_marked_sent(schedule: Schedule) -> None:
    due = [make_prompt(schedule, NOW - minutes(n)) for n in range(3)]
    later = make_prompt(schedule, NOW + minutes(5))

    assert dispatch_due(NOW, batch=2) == 3
    assert dispatch_due(NOW) == 0

    for prompt in due:
        prompt.refresh_from_db()
        assert prompt.status == PromptStatus.SENT
        assert prompt.sent_at == NOW
        assert prompt.claimed_at is None
        assert deliveries(prompt) == [(Channel.IN_APP, DeliveryOutcome.SENT)]
    later.refresh_from_db()
    assert later.status == PromptStatus.PLANNED and not deliveries(later)


def test_an_expired_prompt_becomes_missed_and_is_not_sent(schedule: Schedule) -> None:
    # Given a prompt that was never sent, one sent but not answered, and one answered
    unsent = make_prompt(schedule, NOW - minutes(40))
    unanswered = make_prompt(schedule, NOW - minutes(35), status=PromptStatus.SENT)
    answered = make_prompt(schedule, NOW - minutes(33), status=PromptStatus.ANSWERED)
    open_prompt = make_prompt(schedule, NOW - minutes(10), status=PromptStatus.SENT)

    # When the dispatcher runs after their 30 minutes have passed
    assert dispatch_due(NOW) == 0

    # Then the two unanswered ones are missed; the answered and the open one are untouched
    statuses = {p.pk: p.status for p in Prompt.objects.all()}
    assert statuses == {
        unsent.pk: PromptStatus.MISSED,
        unanswered.pk: PromptStatus.MISSED,
        answered.pk: PromptStatus.ANSWERED,
        open_prompt.pk: PromptStatus.SENT,
    }
    assert not Delivery.objects.exists()


# --- a dispatcher that dies -----------------------------------------------------------------


def test_a_crashed_dispatchers_prompts_are_sent_by_the_next_after_the_lease(
    schedule: Schedule,
) -> None:
    prompts = [make_prompt(schedule, NOW - minutes(n)) for n in range(4)]

    # Given a dispatcher that claimed the prompts at 10:00 and died before sending any
    with time_machine.travel(NOW, tick=False):
        assert len(claim_due()) == 4

    # When another dispatcher runs before the lease has run out
    with time_machine.travel(NOW + LEASE - timedelta(seconds=1), tick=False):
        early = dispatch_due()

    # Then it leaves them alone (the first may still be working on them)
    assert early == 0
    assert not Delivery.objects.exists()

    # When one runs after the lease
    with time_machine.travel(NOW + LEASE + timedelta(seconds=1), tick=False):
        late = dispatch_due()
        again = dispatch_due()

    # Then it sends every prompt, exactly once
    assert (late, again) == (4, 0)
    for prompt in prompts:
        prompt.refresh_from_db()
        assert prompt.status == PromptStatus.SENT
        assert deliveries(prompt) == [(Channel.IN_APP, DeliveryOutcome.SENT)]


def test_a_dispatcher_overtaken_after_its_lease_does_not_send_again(schedule: Schedule) -> None:
    # Given a dispatcher so slow that, while it delivers the first of its batch, its lease
    # runs out and a second dispatcher takes over the whole batch
    prompts = [make_prompt(schedule, NOW - minutes(n)) for n in range(3)]
    takeover: list[int] = []

    def slow(prompt: Prompt, now: datetime) -> None:
        deliver(prompt, now)
        if not takeover:
            takeover.append(dispatch_due(NOW + LEASE + timedelta(seconds=1)))

    # When the slow dispatcher carries on with the rest of its batch
    first = dispatch_due(NOW, send=slow)

    # Then the second sent what the first had not reached, and the first skipped those
    assert (first, takeover) == (1, [2])
    counts = Counter(
        Delivery.objects.filter(channel=Channel.IN_APP).values_list("prompt_id", flat=True)
    )
    assert counts == {prompt.pk: 1 for prompt in prompts}
    assert set(Prompt.objects.values_list("status", flat=True)) == {PromptStatus.SENT}


def test_a_failed_delivery_leaves_the_prompt_for_the_next_dispatcher(schedule: Schedule) -> None:
    prompt = make_prompt(schedule, NOW - minutes(1))

    def broken(prompt: Prompt, now: datetime) -> None:
        deliver(prompt, now)
        raise RuntimeError("database went away mid-delivery")

    with pytest.raises(RuntimeError):
        dispatch_due(NOW, send=broken)

    # Nothing of the failed attempt was kept: not the status, not the delivery log
    prompt.refresh_from_db()
    assert prompt.status == PromptStatus.PLANNED and prompt.claimed_at == NOW
    assert not Delivery.objects.exists()
    assert dispatch_due(NOW + LEASE + timedelta(seconds=1)) == 1
    assert deliveries(prompt) == [(Channel.IN_APP, DeliveryOutcome.SENT)]


# --- the channels ---------------------------------------------------------------------------


def prompt_for(patient: Patient) -> Prompt:
    return make_prompt(make_schedule(patient), NOW - minutes(1))


def test_without_a_push_subscription_push_is_logged_as_skipped() -> None:
    prompt = prompt_for(make_ema_patient(push_enabled=True, email_enabled=False))

    dispatch_due(NOW)

    assert deliveries(prompt) == [
        (Channel.IN_APP, DeliveryOutcome.SENT),
        (Channel.PUSH, DeliveryOutcome.SKIPPED),
    ]
    assert Delivery.objects.get(channel=Channel.PUSH).detail == "no subscription"


def test_with_default_settings_there_is_in_app_and_push_but_no_email() -> None:
    prompt = prompt_for(make_ema_patient())

    dispatch_due(NOW)

    assert [channel for channel, _ in deliveries(prompt)] == [Channel.IN_APP, Channel.PUSH]
    assert mail.outbox == []


def test_email_is_sent_only_when_the_patient_asked_for_it_and_says_nothing_clinical() -> None:
    patient = make_ema_patient(push_enabled=False, email_enabled=True)
    prompt = prompt_for(patient)
    assert patient.user is not None

    dispatch_due(NOW)

    assert deliveries(prompt) == [
        (Channel.IN_APP, DeliveryOutcome.SENT),
        (Channel.EMAIL, DeliveryOutcome.SENT),
    ]
    [message] = mail.outbox
    link = django_settings.SITE_URL + reverse("ema:pending")
    assert message.to == [patient.user.email]
    assert message.subject == "wisemind"
    assert message.body == f"You have a check-in waiting.\n\n{link}\n"
    assert not message.alternatives and not message.attachments
    # Nothing of the questionnaire, the patient or the schedule is in the message
    text = message.subject + message.body
    for question in DEFAULT_QUESTIONS:
        assert question["text"] not in text
    for private in (patient.given_name, patient.family_name, prompt.questionnaire.name):
        assert private not in text


def test_a_failed_email_is_logged_and_the_prompt_still_counts_as_sent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    prompt = prompt_for(make_ema_patient(push_enabled=False, email_enabled=True))

    def refuse(*args: object, **kwargs: object) -> int:
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("ema.delivery.send_mail", refuse)
    assert dispatch_due(NOW) == 1

    assert deliveries(prompt) == [
        (Channel.IN_APP, DeliveryOutcome.SENT),
        (Channel.EMAIL, DeliveryOutcome.FAILED),
    ]
    assert "mail server down" in Delivery.objects.get(channel=Channel.EMAIL).detail
    prompt.refresh_from_db()
    assert prompt.status == PromptStatus.SENT


@pytest.mark.parametrize("who", ["no login", "deactivated login"])
def test_a_patient_who_cannot_log_in_gets_the_prompt_in_the_app_only(who: str) -> None:
    patient = make_ema_patient(login=who != "no login", push_enabled=True, email_enabled=True)
    if patient.user is not None:
        patient.user.is_active = False
        patient.user.save(update_fields=["is_active"])
    prompt = prompt_for(patient)

    assert dispatch_due(NOW) == 1

    assert deliveries(prompt) == [(Channel.IN_APP, DeliveryOutcome.SENT)]
    assert mail.outbox == []


def test_the_attempt_time_is_the_dispatch_time() -> None:
    prompt = prompt_for(make_ema_patient(push_enabled=False, email_enabled=True))
    with time_machine.travel(NOW, tick=False):
        dispatch_due()
    assert {d.attempted_at for d in Delivery.objects.filter(prompt=prompt)} == {NOW}


# --- any mix of prompts -----------------------------------------------------------------------

prompt_states = st.lists(
    st.fixed_dictionaries(
        {
            "scheduled": st.integers(-90, 30),  # minutes from now
            "status": st.sampled_from(list(PromptStatus)),
            "claim_age": st.none() | st.integers(0, 15),  # minutes since a dispatcher claimed it
        }
    ),
    max_size=12,
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(states=prompt_states, batch=st.integers(1, 5))
def test_any_mix_of_prompts_is_sent_exactly_as_the_rules_say(
    states: list[dict[str, Any]], batch: int, schedule: Schedule
) -> None:
    with transaction.atomic():
        prompts = []
        for n, state in enumerate(states):
            claim_age = state["claim_age"]
            prompts.append(
                make_prompt(
                    schedule,
                    NOW + minutes(state["scheduled"]) + timedelta(seconds=n),
                    status=state["status"],
                    claimed_at=None if claim_age is None else NOW - minutes(claim_age),
                )
            )

        def sendable(prompt: Prompt) -> bool:
            return (
                prompt.status == PromptStatus.PLANNED
                and prompt.scheduled_at <= NOW < prompt.expires_at
                and (prompt.claimed_at is None or prompt.claimed_at < NOW - LEASE)
            )

        expected = {p.pk for p in prompts if sendable(p)}
        # Two dispatchers, one after the other, in small batches
        sent = dispatch_due(NOW, batch=batch) + dispatch_due(NOW, batch=batch)

        assert sent == len(expected)
        per_prompt = Counter(Delivery.objects.values_list("prompt_id", flat=True))
        assert per_prompt == dict.fromkeys(expected, 1)
        for prompt in prompts:
            before = prompt.status
            prompt.refresh_from_db()
            if prompt.pk in expected:
                assert prompt.status == PromptStatus.SENT and prompt.sent_at == NOW
            elif before in (PromptStatus.PLANNED, PromptStatus.SENT) and prompt.expires_at <= NOW:
                assert prompt.status == PromptStatus.MISSED
            else:
                assert prompt.status == before
        transaction.set_rollback(True)
