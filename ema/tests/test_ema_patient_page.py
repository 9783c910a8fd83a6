"""The clinician's check-in page for one patient: schedules, compliance, coming check-ins, recent
answers (escaped), adding, editing and stopping a schedule."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from care.models import Patient
from core.testing.personas import World
from ema.models import Prompt, PromptResponse, PromptStatus, Questionnaire, Schedule
from ema.tests.checkin_data import ANSWERS, NOW, amsterdam, make_prompt, make_schedule

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User | None], Client]

#: The add-schedule form, filled in for fixed times.
FIXED_FORM = {
    "kind": "fixed",
    "times": "9:00, 13:00; 20:30",
    "windows": "",
    "prompts_per_window": "1",
    "min_gap_minutes": "30",
    "every_minutes": "60",
    "start_date": "2025-03-12",
    "end_date": "",
    "expires_after_minutes": "30",
}


@pytest.fixture(autouse=True)
def frozen_time() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def therapist_client(world: World, client_for: ClientFor) -> Client:
    return client_for(world.therapist)


def page_url(patient: Patient) -> str:
    return reverse("ema:patient", args=[patient.public_id])


def section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


def rows(html: str) -> list[list[str]]:
    """The text of each body row's cells (header cell included) in an HTML fragment."""
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return [
        [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells]
        for cells in (
            re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
        )
    ]


def answered(schedule: Schedule, at: Any, *, late: bool = False, **answers: Any) -> Prompt:
    prompt = make_prompt(schedule, at, status=PromptStatus.ANSWERED, is_late=late, answered_at=at)
    PromptResponse.objects.create(
        prompt=prompt,
        answers={**ANSWERS, **answers},
        submitted_at=at + timedelta(minutes=80 if late else 4),
        answered_by=schedule.patient.user,
    )
    return prompt


def test_the_therapist_adds_a_schedule_and_sees_its_coming_checkins(
    world: World, therapist_client: Client
) -> None:
    patient = world.patient_record

    response = therapist_client.post(page_url(patient), FIXED_FORM, follow=True)

    assert response.redirect_chain == [(page_url(patient), 302)]
    html = response.content.decode()
    assert "The schedule is on; its coming check-ins are planned." in html
    schedule = Schedule.objects.get(patient=patient)
    assert schedule.times == ["09:00", "13:00", "20:30"]
    assert rows(section(html, "schedules-heading")) == [
        ["At fixed times", "09:00, 13:00, 20:30", "12 Mar 2025 – no end", "30", "Active"]
    ]
    coming = re.sub(r"<[^>]+>|\s+", " ", section(html, "upcoming-heading"))
    assert re.findall(r"(\w{3} \d+ \w{3}) +(\d\d:\d\d)", coming)[:4] == [
        ("Wed 12 Mar", "13:00"),
        ("Wed 12 Mar", "20:30"),
        ("Thu 13 Mar", "09:00"),
        ("Thu 13 Mar", "13:00"),
    ]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"times": "9 o'clock"}, "times", "“9 o'clock” is not a time"),
        ({"times": ""}, "times", "Add at least one time."),
        (
            {"kind": "random", "windows": "09:00-10:00", "prompts_per_window": "3",
             "min_gap_minutes": "45"},
            "windows",
            "The window 09:00–10:00 is too short for 3 prompts at least 45 minutes apart.",
        ),
        ({"kind": "random", "windows": "morning"}, "windows", "“morning” is not a window"),
        ({"end_date": "2025-03-01"}, "end_date", "The last day is before the first."),
        ({"expires_after_minutes": "2"}, "expires_after_minutes", "greater than or equal to 5"),
    ],
)  # fmt: skip
def test_a_wrong_schedule_is_explained_beside_its_field(
    world: World, therapist_client: Client, change: dict[str, str], field: str, message: str
) -> None:
    response = therapist_client.post(page_url(world.patient_record), {**FIXED_FORM, **change})

    assert response.status_code == 200
    html = response.content.decode()
    errors = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', html, re.S)
    assert errors is not None, f"no errors shown beside {field}"
    assert message.replace("'", "&#x27;") in errors.group(1)
    assert f'aria-describedby="id_{field}_helptext id_{field}_error"' in html or (
        f'aria-describedby="id_{field}_error"' in html
    )
    assert not Schedule.objects.exists()


def test_compliance_is_counted_per_schedule_and_in_total(
    world: World, therapist_client: Client
) -> None:
    schedule = make_schedule(world.patient_record)
    for days in (1, 2, 3):
        answered(schedule, amsterdam(9, day=NOW.date() - timedelta(days=days)))
    answered(schedule, amsterdam(13, day=NOW.date() - timedelta(days=1)), late=True)
    make_prompt(schedule, amsterdam(13, day=NOW.date() - timedelta(days=2)), status="missed")

    html = therapist_client.get(page_url(world.patient_record)).content.decode()

    compliance = section(html, "compliance-heading")
    assert rows(compliance) == [["At fixed times: 09:00, 13:00", "5", "3", "1", "1", "80%"]]
    total = compliance[compliance.index("<tfoot>") :]
    assert re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", total) == [
        "All schedules",
        "5",
        "3",
        "1",
        "1",
        "80%",
    ]


def test_recent_answers_show_each_question_with_labels_and_escape_text(
    world: World, therapist_client: Client
) -> None:
    # Given a questionnaire with a free-text question, answered with markup
    questionnaire = Questionnaire.objects.create(
        slug="with-note",
        name="With a note",
        questions=[
            {"id": "sad", "type": "scale", "text": "Sad", "min": 0, "max": 100},
            {"id": "company", "type": "choice", "text": "With", "options": [
                {"value": "alone", "label": "Nobody"}, {"value": "friends", "label": "Friends"}]},
            {"id": "note", "type": "text", "text": "Note", "required": False},
        ],
    )  # fmt: skip
    schedule = make_schedule(world.patient_record, questionnaire=questionnaire)
    prompt = make_prompt(schedule, amsterdam(9, 0), status=PromptStatus.ANSWERED, is_late=True)
    PromptResponse.objects.create(
        prompt=prompt,
        answers={"sad": 35, "company": "friends", "note": "<script>alert('x')</script>"},
        submitted_at=amsterdam(9, 50),
        answered_by=world.patient,
    )

    # When the therapist opens the page
    html = therapist_client.get(page_url(world.patient_record)).content.decode()

    # Then the answer is a row with the question's answers, and the note is shown as text
    answers = section(html, "answers-heading")
    assert re.findall(r'<th scope="col">([^<]*)</th>', answers) == [
        "Asked",
        "Answered",
        "Sad",
        "With",
        "Note",
    ]
    escaped = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"
    assert rows(answers) == [["Wed 12 Mar 09:00", "09:50 late", "35", "Friends", escaped]]
    assert "<script>alert" not in html


def test_the_page_runs_the_same_queries_however_many_answers(
    world: World, therapist_client: Client
) -> None:
    schedule = make_schedule(world.patient_record, times=["09:00", "13:00", "18:00"])
    url = page_url(world.patient_record)

    def queries() -> int:
        therapist_client.get(url)  # warm up: the session's first-request work
        with CaptureQueriesContext(connection) as captured:
            assert therapist_client.get(url).status_code == 200
        return len(captured.captured_queries)

    answered(schedule, amsterdam(9, day=NOW.date() - timedelta(days=1)))
    with_one = queries()
    for days in range(2, 12):
        for hour in (9, 13, 18):
            answered(schedule, amsterdam(hour, day=NOW.date() - timedelta(days=days)))

    assert queries() == with_one


def test_a_facilitator_reads_the_page_but_cannot_add_a_schedule(
    world: World, client_for: ClientFor
) -> None:
    client = client_for(world.facilitator)

    page = client.get(page_url(world.patient_record)).content.decode()
    posted = client.post(page_url(world.patient_record), FIXED_FORM)

    assert "Compliance, last 28 days" in page
    assert "Add a schedule" not in page
    assert posted.status_code == 404
    assert not Schedule.objects.exists()


def test_the_patient_record_links_to_checkins_for_the_care_team(
    world: World, client_for: ClientFor
) -> None:
    record = reverse("care:patient_detail", args=[world.patient_record.public_id])
    link = f'<a href="{page_url(world.patient_record)}">Check-ins (EMA)</a>'

    assert link in client_for(world.therapist).get(record).content.decode()
    assert link in client_for(world.facilitator).get(record).content.decode()


# --- editing and stopping ----------------------------------------------------------------------


def test_the_therapist_edits_a_schedule_and_its_checkins_are_planned_again(
    world: World, therapist_client: Client
) -> None:
    therapist_client.post(page_url(world.patient_record), FIXED_FORM)
    schedule = Schedule.objects.get()
    url = reverse("ema:schedule", args=[world.patient_record.public_id, schedule.public_id])
    page = therapist_client.get(url).content.decode()
    assert 'value="09:00, 13:00, 20:30"' in page

    response = therapist_client.post(
        url, {**FIXED_FORM, "kind": "interval", "windows": "10:00 - 16:00", "every_minutes": "120"}
    )

    assert response.status_code == 302
    schedule.refresh_from_db()
    assert (schedule.kind, schedule.times, schedule.windows) == (
        "interval",
        [],
        [["10:00", "16:00"]],
    )
    today = [
        p.scheduled_at
        for p in Prompt.objects.filter(schedule=schedule, status=PromptStatus.PLANNED)
        if p.scheduled_at.date() == NOW.date()
    ]
    assert today == [amsterdam(12), amsterdam(14), amsterdam(16)]


def test_a_wrong_edit_is_explained_and_nothing_changes(
    world: World, therapist_client: Client
) -> None:
    schedule = make_schedule(world.patient_record)
    url = reverse("ema:schedule", args=[world.patient_record.public_id, schedule.public_id])

    response = therapist_client.post(
        url, {**FIXED_FORM, "kind": "interval", "windows": "10:00-11:00, 12:00-13:00"}
    )

    html = response.content.decode()
    assert "Give one window to prompt in at intervals." in html
    assert "<p>At fixed times: 09:00, 13:00</p>" in html
    schedule.refresh_from_db()
    assert schedule.kind == "fixed"


def test_stopping_a_schedule_cancels_its_coming_checkins(
    world: World, therapist_client: Client
) -> None:
    schedule = make_schedule(world.patient_record)
    coming = make_prompt(schedule, amsterdam(13))
    url = reverse("ema:stop_schedule", args=[world.patient_record.public_id, schedule.public_id])

    response = therapist_client.post(url, follow=True)

    html = response.content.decode()
    assert "The schedule has stopped; no more check-ins come from it." in html
    assert rows(section(html, "schedules-heading"))[0][-1] == "Stopped"
    coming.refresh_from_db()
    assert coming.status == PromptStatus.CANCELLED
    edit = reverse("ema:schedule", args=[world.patient_record.public_id, schedule.public_id])
    assert "This schedule has stopped." in therapist_client.get(edit).content.decode()
