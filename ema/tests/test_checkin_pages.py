"""The patient's check-in pages: what is waiting, answering one through the form, the
settings; and the banner and menu item that lead there."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.models import User
from core.testing.personas import World
from ema.models import EmaSettings, Prompt, PromptResponse, PromptStatus, Questionnaire, Schedule
from ema.tests.checkin_data import NOW, amsterdam, make_prompt, make_schedule

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User | None], Client]

#: The default questionnaire's answers as the form posts them.
FORM = {
    "q_sad": "40",
    "q_anxious": "55",
    "q_angry": "10",
    "q_happy": "30",
    "q_urge_self_harm": "0",
    "q_activity": "work",
    "q_company": "colleagues",
}


@pytest.fixture(autouse=True)
def frozen_time() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def schedule(world: World) -> Schedule:
    return make_schedule(world.patient_record)


@pytest.fixture
def prompt(schedule: Schedule) -> Prompt:
    """Due at 09:45 in Amsterdam, answerable until 10:15; it is 10:00 now."""
    return make_prompt(schedule, amsterdam(9, 45), status=PromptStatus.SENT)


@pytest.fixture
def patient_client(world: World, client_for: ClientFor) -> Client:
    return client_for(world.patient)


def answer_url(prompt: Prompt) -> str:
    return reverse("ema:answer", args=[prompt.public_id])


def text_of(html: str) -> str:
    """The page's text without tags, with whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- what is waiting --------------------------------------------------------------------------


def test_open_checkins_say_when_they_are_due_and_until_when(
    patient_client: Client, schedule: Schedule, prompt: Prompt
) -> None:
    expired = make_prompt(schedule, amsterdam(8, 0), status=PromptStatus.MISSED)
    make_prompt(schedule, amsterdam(13, 0))

    html = patient_client.get(reverse("ema:pending")).content.decode()

    text = text_of(html)
    assert "Check-in due 09:45, answer by 10:15" in text
    assert "Check-in due 08:00 You can still answer this today." in text
    assert "13:00" not in text
    assert html.index(answer_url(prompt)) < html.index(answer_url(expired))


def test_with_nothing_waiting_the_page_says_so_neutrally(patient_client: Client) -> None:
    html = patient_client.get(reverse("ema:pending")).content.decode()

    assert "Nothing is waiting for you right now." in html


def test_todays_card_shows_a_banner_while_a_checkin_waits(
    patient_client: Client, prompt: Prompt
) -> None:
    html = patient_client.get(reverse("diary:today")).content.decode()

    banner = f'<a class="button" href="{reverse("ema:pending")}">You have a check-in waiting</a>'
    assert banner in html
    assert html.index(banner) < html.index("<h1>")


def test_todays_card_has_no_banner_when_nothing_waits(
    patient_client: Client, schedule: Schedule
) -> None:
    make_prompt(schedule, amsterdam(13, 0))

    html = patient_client.get(reverse("diary:today")).content.decode()

    assert "check-in waiting" not in html


def test_the_patients_menu_has_checkins_after_today(patient_client: Client) -> None:
    html = patient_client.get(reverse("ema:pending")).content.decode()

    nav = html[html.index('<nav class="main-nav"') :]
    links = re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav[: nav.index("</nav>")])
    assert links[:2] == [("/diary/", "Today"), ("/checkins/", "Check-ins")]
    assert 'href="/checkins/" aria-current="page"' in nav


# --- answering ------------------------------------------------------------------------------------


def test_the_form_shows_sliders_with_their_ends_and_choices_as_radios(
    patient_client: Client, prompt: Prompt
) -> None:
    html = patient_client.get(answer_url(prompt)).content.decode()

    assert (
        '<label for="id_q_sad" id="id_q_sad_label">How sad do you feel right now?</label>' in html
    )
    # The slider has no name until it is moved (a range input always has a value: an
    # untouched one must not be sent as its midpoint); without scripts a number box is sent
    slider = re.search(r'<input type="range" data-name="q_sad"[^>]*>', html)
    assert slider is not None
    assert " name=" not in slider.group()
    for attribute in ('min="0"', 'max="100"', 'aria-describedby="id_q_sad_ends"'):
        assert attribute in slider.group()
    typed = re.search(r'<noscript><input type="number" name="q_sad"[^>]*></noscript>', html)
    assert typed is not None
    for attribute in ('min="0"', 'max="100"', 'value=""', 'aria-labelledby="id_q_sad_label"'):
        assert attribute in typed.group()
    assert '<output id="id_q_sad_value" for="id_q_sad" aria-hidden="true">50</output>' in html
    assert re.search(
        r'id="id_q_sad_ends">\s*<span>0: Not at all</span>\s*<span>100: Extremely</span>', html
    )
    assert "<legend>Who are you with?</legend>" in html
    assert 'type="radio" name="q_company" value="alone"' in html
    assert "Due 09:45, answer by 10:15." in html


def test_the_patient_answers_through_the_form(
    world: World, patient_client: Client, prompt: Prompt
) -> None:
    response = patient_client.post(answer_url(prompt), FORM, follow=True)

    assert response.redirect_chain == [(reverse("ema:pending"), 302)]
    assert "Thank you. Your answers are saved." in response.content.decode()
    saved = PromptResponse.objects.get(prompt=prompt)
    assert saved.answers == {
        "sad": 40,
        "anxious": 55,
        "angry": 10,
        "happy": 30,
        "urge_self_harm": 0,
        "activity": "work",
        "company": "colleagues",
    }
    assert saved.answered_by == world.patient
    prompt.refresh_from_db()
    assert (prompt.status, prompt.is_late) == (PromptStatus.ANSWERED, False)


def test_an_unanswered_question_is_shown_beside_it_and_nothing_is_saved(
    patient_client: Client, prompt: Prompt
) -> None:
    form = {key: value for key, value in FORM.items() if key != "q_company"}

    response = patient_client.post(answer_url(prompt), {**form, "q_sad": "140"})

    assert response.status_code == 200
    html = response.content.decode()
    company = html[html.index("<legend>Who are you with?</legend>") :]
    assert "Please answer this question." in company[: company.index("</fieldset>")]
    sad = html[html.index('<label for="id_q_sad"') : html.index('<label for="id_q_anxious"')]
    assert "Ensure this value is less than or equal to 100." in sad
    assert not PromptResponse.objects.exists()


def test_every_kind_of_question_is_asked_and_saved(world: World, patient_client: Client) -> None:
    # Given a study questionnaire with a 0–5 scale, a multi-choice and a text question
    questionnaire = Questionnaire.objects.create(
        slug="study",
        name="Study",
        questions=[
            {"id": "calm", "type": "scale", "text": "How calm?", "min": 0, "max": 5,
             "min_label": "Not calm", "max_label": "Very calm"},
            {"id": "skills", "type": "multi", "text": "Skills used?", "required": False,
             "options": [{"value": 1, "label": "TIP"}, {"value": 2, "label": "Opposite action"},
                         {"value": 3, "label": "Check the facts"}]},
            {"id": "note", "type": "text", "text": "Anything else?", "required": False},
        ],
    )  # fmt: skip
    schedule = make_schedule(world.patient_record, questionnaire=questionnaire)
    prompt = make_prompt(schedule, amsterdam(9, 45))
    page = patient_client.get(answer_url(prompt)).content.decode()
    assert "<legend>How calm?</legend>" in page
    assert "0 = Not calm, 5 = Very calm" in page
    assert 'type="checkbox" name="q_skills" value="2"' in page
    assert '<textarea name="q_note"' in page

    # When the patient taps 4, two skills and writes a note
    form = {"q_calm": "4", "q_skills": ["1", "3"], "q_note": "  Walked the dog. "}
    response = patient_client.post(answer_url(prompt), form)

    # Then the answers keep the options' own values
    assert response.status_code == 302
    assert PromptResponse.objects.get().answers == {
        "calm": 4,
        "skills": [1, 3],
        "note": "Walked the dog.",
    }


def test_an_expired_checkin_is_answered_late(
    patient_client: Client, prompt: Prompt, frozen_time: time_machine.Coordinates
) -> None:
    frozen_time.move_to(amsterdam(20, 0))
    assert (
        "You can still answer this today."
        in patient_client.get(answer_url(prompt)).content.decode()
    )

    patient_client.post(answer_url(prompt), FORM)

    prompt.refresh_from_db()
    assert (prompt.status, prompt.is_late) == (PromptStatus.ANSWERED, True)


def test_an_answered_checkin_leads_back_to_the_list(patient_client: Client, prompt: Prompt) -> None:
    patient_client.post(answer_url(prompt), FORM)

    response = patient_client.get(answer_url(prompt), follow=True)

    assert response.redirect_chain == [(reverse("ema:pending"), 302)]
    assert "You have already answered this check-in. Thank you." in response.content.decode()


def test_a_checkin_of_an_earlier_day_is_closed(
    world: World,
    client_for: ClientFor,
    prompt: Prompt,
    frozen_time: time_machine.Coordinates,
) -> None:
    frozen_time.move_to(amsterdam(8, 0, day=NOW.date().replace(day=13)))

    response = client_for(world.patient).post(answer_url(prompt), FORM, follow=True)

    assert "This check-in closed at the end of its day." in response.content.decode()
    assert not PromptResponse.objects.exists()


@pytest.mark.parametrize("status", [PromptStatus.PLANNED, PromptStatus.CANCELLED])
def test_a_checkin_that_is_not_due_is_not_found(
    patient_client: Client, schedule: Schedule, status: str
) -> None:
    later = make_prompt(schedule, amsterdam(13, 0), status=status)

    assert patient_client.get(answer_url(later)).status_code == 404


def test_someone_elses_checkin_is_not_found(
    world: World, client_for: ClientFor, prompt: Prompt
) -> None:
    response = client_for(world.other_patient).post(answer_url(prompt), FORM)

    assert response.status_code == 404
    assert not PromptResponse.objects.exists()


# --- settings -------------------------------------------------------------------------------------


def test_settings_are_saved_and_the_coming_checkins_respect_quiet_hours(
    world: World, patient_client: Client, schedule: Schedule
) -> None:
    late_night = make_prompt(schedule, amsterdam(23, 30))
    noon = make_prompt(schedule, amsterdam(12, 0))
    form: dict[str, Any] = {"sleep_start": "23:00", "sleep_end": "07:00", "email_enabled": "on"}

    response = patient_client.post(reverse("ema:settings"), form, follow=True)

    assert "Saved. Check-ins follow your new settings." in response.content.decode()
    settings = EmaSettings.objects.get(patient=world.patient_record)
    assert (str(settings.sleep_start), str(settings.sleep_end)) == ("23:00:00", "07:00:00")
    assert (settings.push_enabled, settings.email_enabled) == (False, True)
    remaining = set(Prompt.objects.values_list("pk", flat=True))
    assert late_night.pk not in remaining
    assert noon.pk not in remaining  # re-planned: the schedule's own times now
    assert 'value="23:00"' in response.content.decode()


def test_half_a_quiet_window_is_refused_beside_the_field(
    world: World, patient_client: Client
) -> None:
    response = patient_client.post(reverse("ema:settings"), {"sleep_start": "23:00"})

    html = response.content.decode()
    wake = html[html.index('<label for="id_sleep_end">') :]
    assert "Give both when you go to sleep and when you wake." in wake[: wake.index("</div>")]
    assert not EmaSettings.objects.exists()


def test_the_settings_page_offers_phone_notifications_without_inline_script(
    patient_client: Client,
) -> None:
    html = patient_client.get(reverse("ema:settings")).content.decode()

    assert 'data-key-url="/api/v1/ema/push/key"' in html
    assert 'data-subscribe-url="/api/v1/ema/push/subscriptions"' in html
    assert re.search(r'<script src="[^"]*ema/push\.js" defer></script>', html)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
