"""The diary pages: the patient's card for today and yesterday, the clinician's week grid and
trend, and the card's settings."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from audit.models import AccessLog
from care.models import Patient
from core.testing.personas import World
from diary.actions import SaveMode, add_target, ensure_card_items, retire_item, save_card
from diary.cards import CardValues, TargetValue
from diary.models import CardRevision, CardTarget, DiaryCard, Emotion, Target

pytestmark = pytest.mark.django_db

#: Wednesday 12 March 2025, 10:00 in Amsterdam (the persona patient's zone).
NOW = datetime(2025, 3, 12, 9, 0, tzinfo=UTC)
TODAY = date(2025, 3, 12)
YESTERDAY = date(2025, 3, 11)
MONDAY = date(2025, 3, 10)
#: The grid page's queries: session, user, device, patient, care-team check, access log; the
#: week's emotions, targets, cards and their rows; the trend's cards, rows and targets; the
#: "may configure" check. The same however many cards there are.
WEEK_GRID_QUERIES = 16

ClientFor = Callable[[User | None], Client]


@pytest.fixture(autouse=True)
def frozen_time() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def patient(world: World) -> Patient:
    ensure_card_items(None, world.patient_record)
    return world.patient_record


def item_id(patient: Patient, name: str) -> str:
    item = (
        Target.objects.filter(patient=patient, name=name).first()
        or Emotion.objects.filter(patient=patient, name=name).first()
    )
    assert item is not None, name
    return str(item.public_id)


def card_url(day: date) -> str:
    return reverse("diary:card", args=[day.isoformat()])


def week_url(patient: Patient, monday: date | None = None) -> str:
    url = reverse("diary:week", args=[patient.public_id])
    return f"{url}?week={monday.isoformat()}" if monday else url


def save_on(
    frozen_time: time_machine.Coordinates,
    world: World,
    day: date,
    values: CardValues,
) -> DiaryCard:
    """The patient saves ``day``'s card at 21:00 UTC that day (then the clock comes back)."""
    frozen_time.move_to(datetime(day.year, day.month, day.day, 21, tzinfo=UTC))
    try:
        return save_card(world.patient, world.patient_record, day, values, mode=SaveMode.EDIT)
    finally:
        frozen_time.move_to(NOW)


class _Table(HTMLParser):
    """The text of every row of the first ``<table>``: one list of cell texts per row."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.depth = 0
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.depth += 1
        elif self.depth == 1 and tag == "tr":
            self.rows.append([])
        elif self.depth == 1 and tag in {"td", "th"}:
            self.cell = []
        elif self.cell is not None and tag == "br":
            self.cell.append(" / ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.depth -= 1
        elif tag in {"td", "th"} and self.cell is not None:
            self.rows[-1].append(re.sub(r"\s+", " ", "".join(self.cell)).strip())
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def grid_of(response: Any) -> dict[str, dict[str, str]]:
    """The week grid as {row heading: {column heading: cell text}}."""
    parser = _Table()
    parser.feed(response.content.decode())
    header, *rows = parser.rows
    return {row[0]: dict(zip(header[1:], row[1:], strict=False)) for row in rows}


# --- the patient's card ------------------------------------------------------------------------


def test_patient_fills_todays_card_through_the_form(
    world: World, patient: Patient, client_for: ClientFor
) -> None:
    client = client_for(world.patient)
    page = client.get(reverse("diary:today"))
    assert page.status_code == 200
    assert page.context["day"] == TODAY
    assert page.context["editable"]

    # When the patient taps through the card and saves
    response = client.post(
        reverse("diary:today"),
        {
            f"emotion_{item_id(patient, 'Sadness')}": "4",
            f"emotion_{item_id(patient, 'Joy')}": "1",
            f"urge_{item_id(patient, 'Alcohol or drugs')}": "3",
            f"acted_{item_id(patient, 'Alcohol or drugs')}": "yes",
            f"detail_{item_id(patient, 'Alcohol or drugs')}": "two beers",
            "skills_used": "5",
            "skills": "TIP, check the facts",
            "prescribed_meds_taken": "yes",
            "sleep_hours": "7.5",
            "note": "Went for a walk.",
        },
        follow=True,
    )

    # Then the card is saved, the page says so, and shows the saved values
    assert response.redirect_chain == [(card_url(TODAY), 302)]
    assert "Saved. Thank you for filling in your card." in response.content.decode()
    card = DiaryCard.objects.get(patient=patient, date=TODAY)
    assert card.skills_used == 5
    assert card.skills == ["TIP", "check the facts"]
    assert card.prescribed_meds_taken is True
    assert card.sleep_hours == Decimal("7.5")
    assert card.note == "Went for a walk."
    assert not card.is_late
    row = CardTarget.objects.get(card=card, target__name="Alcohol or drugs")
    assert (row.urge, row.acted, row.detail) == (3, True, "two beers")
    form = response.context["form"]
    assert form.initial[f"emotion_{item_id(patient, 'Sadness')}"] == "4"
    assert form.initial["note"] == "Went for a walk."
    [revision] = CardRevision.objects.filter(card=card)
    assert (revision.saved_by, revision.mode) == (world.patient, "edit")


def test_saving_the_form_again_replaces_the_values(
    world: World, patient: Patient, client_for: ClientFor
) -> None:
    client = client_for(world.patient)
    sadness = f"emotion_{item_id(patient, 'Sadness')}"
    client.post(reverse("diary:today"), {sadness: "5", "note": "first"})

    client.post(reverse("diary:today"), {sadness: "2"})

    card = DiaryCard.objects.get(patient=patient, date=TODAY)
    assert card.emotions.get(emotion__name="Sadness").rating == 2
    assert card.note == ""


def test_saving_the_form_keeps_filled_in_session(
    world: World, patient: Patient, client_for: ClientFor
) -> None:
    # Given a card marked as filled in during a session (through the app)
    save_card(world.patient, patient, TODAY, CardValues(filled_in_session=True), mode=SaveMode.EDIT)
    # When the patient corrects it on the web form, which does not ask that question
    sadness = f"emotion_{item_id(patient, 'Sadness')}"
    client_for(world.patient).post(reverse("diary:today"), {sadness: "1"})
    # Then the card still says so
    assert DiaryCard.objects.get(patient=patient, date=TODAY).filled_in_session is True


def test_out_of_range_value_is_shown_beside_its_field_and_nothing_is_saved(
    world: World, patient: Patient, client_for: ClientFor
) -> None:
    sadness = f"emotion_{item_id(patient, 'Sadness')}"

    response = client_for(world.patient).post(
        reverse("diary:today"), {sadness: "6", "sleep_hours": "25"}
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {sadness, "sleep_hours"}
    assert not DiaryCard.objects.exists()


def test_yesterday_link_opens_yesterdays_card_and_saving_it_is_late(
    world: World, patient: Patient, client_for: ClientFor
) -> None:
    client = client_for(world.patient)
    today = client.get(reverse("diary:today")).content.decode()
    assert f'href="{card_url(YESTERDAY)}"' in today

    page = client.get(card_url(YESTERDAY))
    assert page.status_code == 200
    assert "<h1>Yesterday's card</h1>" in page.content.decode()
    assert page.context["editable"]

    response = client.post(card_url(YESTERDAY), {"skills_used": "3"}, follow=True)

    assert response.redirect_chain == [(card_url(YESTERDAY), 302)]
    card = DiaryCard.objects.get(patient=patient, date=YESTERDAY)
    assert card.is_late
    assert "Saved after the day had ended." in response.content.decode()
    recent = {item.date: item.state for item in response.context["recent"]}
    assert recent[YESTERDAY] == "late"


def test_card_from_three_days_ago_is_read_only(
    world: World, patient: Patient, client_for: ClientFor, frozen_time: time_machine.Coordinates
) -> None:
    # Given a card saved on its day, three days ago
    sunday = TODAY - timedelta(days=3)
    sadness = item_id(patient, "Sadness")
    save_on(frozen_time, world, sunday, CardValues(emotions={sadness: 4}, note="Sunday"))
    client = client_for(world.patient)

    # When the patient opens it, and tries to change it anyway
    page = client.get(card_url(sunday))
    response = client.post(card_url(sunday), {f"emotion_{sadness}": "1", "note": "changed"})

    # Then it is shown without a form, and the post changes nothing
    assert page.status_code == response.status_code == 200
    html = page.content.decode()
    assert 'id="diary-form"' not in html
    assert "Cards from before yesterday can be read but not changed." in html
    assert "<dd>4</dd>" in html
    assert 'id="diary-form"' not in response.content.decode()
    card = DiaryCard.objects.get(patient=patient, date=sunday)
    assert card.note == "Sunday"
    assert card.emotions.get(emotion__name="Sadness").rating == 4
    assert CardRevision.objects.filter(card=card).count() == 1


def test_missing_old_day_says_it_cannot_be_added_and_tomorrow_is_not_found(
    world: World, patient: Patient, client_for: ClientFor
) -> None:
    client = client_for(world.patient)

    old = client.get(card_url(TODAY - timedelta(days=5)))
    client.post(card_url(TODAY - timedelta(days=5)), {"skills_used": "3"})

    assert "There is no card for this day." in old.content.decode()
    assert not DiaryCard.objects.exists()
    assert client.get(card_url(TODAY + timedelta(days=1))).status_code == 404
    assert client.get("/diary/not-a-date/").status_code == 404


def test_recent_days_list_days_without_a_card_as_no_card(
    world: World, patient: Patient, client_for: ClientFor, frozen_time: time_machine.Coordinates
) -> None:
    save_on(frozen_time, world, MONDAY, CardValues(skills_used=1))
    save_card(world.patient, patient, TODAY, CardValues(skills_used=2), mode=SaveMode.EDIT)

    response = client_for(world.patient).get(reverse("diary:today"))

    states = {item.date: item.state for item in response.context["recent"]}
    assert len(states) == 14
    assert states[TODAY] == "saved"
    assert states[YESTERDAY] == "missing"
    assert states[MONDAY] == "saved"
    html = response.content.decode()
    assert html.count(">No card</span>") == 12
    assert html.count(">Saved</span>") == 2


@pytest.mark.parametrize("persona", ["therapist", "facilitator", "outsider_clinician", "admin"])
def test_only_the_patient_has_a_card_to_fill(
    world: World, client_for: ClientFor, persona: str
) -> None:
    response = client_for(getattr(world, persona)).get(reverse("diary:today"))

    assert response.status_code == 403
    assert not DiaryCard.objects.exists()


# --- the clinician's week grid -----------------------------------------------------------------


@pytest.fixture
def week(world: World, patient: Patient, frozen_time: time_machine.Coordinates) -> Target:
    """Monday's and today's cards (Tuesday missed), and a target added on Wednesday."""
    sadness, self_harm = item_id(patient, "Sadness"), item_id(patient, "Self-harm")
    save_on(
        frozen_time,
        world,
        MONDAY,
        CardValues(
            emotions={sadness: 4},
            targets={self_harm: TargetValue(urge=3, acted=True, detail="scratched")},
            skills_used=2,
            prescribed_meds_taken=False,
            sleep_hours=Decimal("5.5"),
            note="<script>alert('x')</script>",
        ),
    )
    added = add_target(
        world.therapist,
        patient,
        name="Skipping meals",
        kind="other",
        asks_detail=False,
        starting=TODAY,
    )
    save_card(
        world.patient,
        patient,
        TODAY,
        CardValues(
            emotions={sadness: 1},
            targets={
                self_harm: TargetValue(urge=0, acted=False),
                str(added.public_id): TargetValue(urge=2),
            },
            skills_used=6,
            prescribed_meds_taken=True,
        ),
        mode=SaveMode.EDIT,
    )
    return added


def test_week_grid_shows_values_not_on_card_and_missed_days(
    world: World, patient: Patient, week: Target, client_for: ClientFor
) -> None:
    response = client_for(world.therapist).get(week_url(patient))

    assert response.status_code == 200
    grid = grid_of(response)
    monday, tuesday, wednesday = grid["Mon 10 Mar"], grid["Tue 11 Mar"], grid["Wed 12 Mar"]
    assert monday["Sadness"] == "4"
    assert monday["Joy"] == "–"
    assert monday["Urge: Self-harm"] == "3"
    assert monday["Acted: Self-harm"] == "scratched"
    assert monday["Urge: Skipping meals"] == "n/a"
    assert monday["Skills"] == "2"
    assert monday["Meds"] == "not taken"
    assert monday["Sleep"] == "5.5"
    assert wednesday["Sadness"] == "1"
    assert wednesday["Urge: Self-harm"] == "0"
    assert wednesday["Acted: Self-harm"] == "no"
    assert wednesday["Urge: Skipping meals"] == "2"
    assert wednesday["Skills"] == "6"
    assert wednesday["Meds"] == "taken"
    assert list(tuesday.values()) == ["No card for this day"]
    # Days still to come are not "missed"
    assert list(grid["Thu 13 Mar"].values()) == ["—"]
    # A day without a card spans the whole row (8 emotions, 4 urges, 4 acted, 5 others)
    spans = re.findall(r'<td colspan="(\d+)"', response.content.decode())
    assert len(monday) == 21
    assert spans == ["21"] * 5


def test_week_grid_shows_the_note_as_text(
    world: World, patient: Patient, week: Target, client_for: ClientFor
) -> None:
    html = client_for(world.therapist).get(week_url(patient)).content.decode()

    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


def test_week_links_go_back_and_forward_but_not_past_this_week(
    world: World, patient: Patient, week: Target, client_for: ClientFor
) -> None:
    client = client_for(world.therapist)

    this_week = client.get(week_url(patient)).content.decode()
    previous = client.get(week_url(patient, MONDAY - timedelta(days=7)))
    mid_week = client.get(week_url(patient, MONDAY - timedelta(days=4)))

    assert 'href="?week=2025-03-03">Previous week' in this_week
    assert "Next week" not in this_week
    assert "Diary cards, 10 Mar – 16 Mar 2025" in this_week
    html = previous.content.decode()
    assert "Diary cards, 3 Mar – 9 Mar 2025" in html
    assert 'href="?week=2025-02-24">Previous week' in html
    assert 'href="?week=2025-03-10">Next week' in html
    assert set(grid_of(previous)) == {
        "Mon 3 Mar",
        "Tue 4 Mar",
        "Wed 5 Mar",
        "Thu 6 Mar",
        "Fri 7 Mar",
        "Sat 8 Mar",
        "Sun 9 Mar",
    }
    assert all(list(row.values()) == ["No card for this day"] for row in grid_of(previous).values())
    # Any day of a week shows that week, from its Monday
    assert mid_week.context["grid"].monday == date(2025, 3, 3)


def test_trend_chart_is_an_accessible_image(
    world: World, patient: Patient, week: Target, client_for: ClientFor
) -> None:
    html = client_for(world.therapist).get(week_url(patient)).content.decode()

    [svg] = re.findall(r"<svg .*?</svg>", html, flags=re.S)
    assert 'role="img"' in svg
    assert 'aria-labelledby="trend-title trend-desc"' in svg
    assert '<title id="trend-title">Trend over 28 days</title>' in svg
    desc = re.search(r'<desc id="trend-desc">(.*?)</desc>', svg)
    assert desc is not None
    assert "Self-harm: highest 3, most recent 0, on 2 of 28 days" in desc.group(1)
    assert "Skipping meals: highest 2, most recent 2, on 1 of 28 days" in desc.group(1)
    assert "Suicide: no data" in desc.group(1)
    assert "Skills used (0–7): highest 6, most recent 6, on 2 of 28 days" in desc.group(1)


def test_item_names_are_escaped_in_the_grid_and_the_chart(
    world: World, patient: Patient, client_for: ClientFor
) -> None:
    add_target(
        world.therapist,
        patient,
        name="<b>Bold</b>",
        kind="other",
        asks_detail=False,
        starting=TODAY,
    )

    html = client_for(world.therapist).get(week_url(patient)).content.decode()

    assert "<b>Bold</b>" not in html
    assert "Urge: &lt;b&gt;Bold&lt;/b&gt;" in html
    assert '<text x="4" y="' in html
    assert "&lt;b&gt;Bold&lt;/b&gt;</text>" in html


@pytest.mark.parametrize("persona", ["therapist", "facilitator"])
def test_every_read_of_the_grid_is_in_the_access_log(
    world: World, patient: Patient, client_for: ClientFor, persona: str
) -> None:
    client = client_for(getattr(world, persona))

    for monday in (None, MONDAY - timedelta(days=7)):
        assert client.get(week_url(patient, monday)).status_code == 200

    rows = AccessLog.objects.filter(resource="diary.view_cards").order_by("id")
    assert [(row.actor, row.patient) for row in rows] == [(getattr(world, persona), patient)] * 2
    assert rows[1].path == week_url(patient, MONDAY - timedelta(days=7))


@pytest.mark.parametrize(
    "persona", ["outsider_clinician", "other_patient", "supporter", "researcher", "admin"]
)
def test_grid_of_someone_elses_patient_is_not_found_and_not_logged(
    world: World, patient: Patient, client_for: ClientFor, persona: str
) -> None:
    response = client_for(getattr(world, persona)).get(week_url(patient))

    assert response.status_code == 404
    assert not AccessLog.objects.filter(resource="diary.view_cards").exists()


def _grid_queries(client: Client, url: str) -> int:
    client.get(url)  # warm up: first-request work (session touch) is not the grid
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


def test_week_grid_queries_do_not_grow_with_the_cards(
    world: World, patient: Patient, client_for: ClientFor, frozen_time: time_machine.Coordinates
) -> None:
    client = client_for(world.therapist)
    url = week_url(patient)
    sadness, self_harm = item_id(patient, "Sadness"), item_id(patient, "Self-harm")
    one = CardValues(emotions={sadness: 2}, targets={self_harm: TargetValue(urge=1)})

    # Given one card
    save_on(frozen_time, world, MONDAY, one)
    with_one = _grid_queries(client, url)

    # When the four weeks of the trend are full, with the items changed on the way
    retire_item(world.therapist, Target.objects.get(name="Suicide"), from_day=MONDAY)
    add_target(
        world.therapist, patient, name="Isolating", kind="other", asks_detail=False, starting=MONDAY
    )
    for back in range(1, 28):
        day = TODAY - timedelta(days=back)
        if day != MONDAY:
            save_on(frozen_time, world, day, one)
    save_card(world.patient, patient, TODAY, one, mode=SaveMode.EDIT)
    with_many = _grid_queries(client, url)

    # Then the page runs the same, pinned, number of queries
    assert with_one == with_many == WEEK_GRID_QUERIES


def test_patient_record_links_to_the_diary(
    world: World, patient: Patient, client_for: ClientFor
) -> None:
    record = reverse("care:patient_detail", args=[patient.public_id])

    html = client_for(world.therapist).get(record).content.decode()

    assert f'<a href="{week_url(patient)}">Diary cards</a>' in html


# --- the card's settings ------------------------------------------------------------------------


def settings_url(patient: Patient) -> str:
    return reverse("diary:settings", args=[patient.public_id])


def retire_url(patient: Patient, item: str) -> str:
    return reverse("diary:retire_item", args=[patient.public_id, item])


def test_therapist_adds_a_target_that_appears_on_todays_card(
    world: World, patient: Patient, client_for: ClientFor
) -> None:
    therapist = client_for(world.therapist)
    assert therapist.get(settings_url(patient)).status_code == 200

    response = therapist.post(
        settings_url(patient),
        {"name": "Skipping meals", "kind": "other", "asks_detail": "on", "add_target": "1"},
        follow=True,
    )

    assert "The target is on the card from today." in response.content.decode()
    target = Target.objects.get(patient=patient, name="Skipping meals")
    assert (target.active_from, target.retired_on, target.asks_detail) == (TODAY, None, True)
    card = client_for(world.patient).get(reverse("diary:today")).content.decode()
    assert "Urge: Skipping meals" in card
    assert f'name="detail_{target.public_id}"' in card
    # but yesterday's card did not ask about it
    assert (
        "Urge: Skipping meals"
        not in client_for(world.patient).get(card_url(YESTERDAY)).content.decode()
    )


def test_a_target_already_on_the_card_is_refused_beside_the_name(
    world: World, patient: Patient, client_for: ClientFor
) -> None:
    response = client_for(world.therapist).post(
        settings_url(patient), {"name": "self-harm ", "kind": "self_harm", "add_target": "1"}
    )

    assert response.status_code == 200
    assert response.context["target_form"].errors == {
        "name": ["This target is already on the card."]
    }
    assert Target.objects.filter(patient=patient).count() == 3


def test_therapist_adds_an_emotion(world: World, patient: Patient, client_for: ClientFor) -> None:
    client_for(world.therapist).post(
        settings_url(patient), {"name": "Loneliness", "add_emotion": "1"}
    )

    assert Emotion.objects.get(patient=patient, name="Loneliness").active_from == TODAY
    card = client_for(world.patient).get(reverse("diary:today")).content.decode()
    assert "<legend>Loneliness</legend>" in card


def test_therapist_retires_a_target_from_today_and_yesterday_keeps_it(
    world: World, patient: Patient, client_for: ClientFor
) -> None:
    suicide = item_id(patient, "Suicide")

    response = client_for(world.therapist).post(retire_url(patient, suicide), follow=True)

    assert (
        "“Suicide” is off the card from today; earlier cards keep it." in response.content.decode()
    )
    assert Target.objects.get(public_id=suicide).retired_on == TODAY
    patient_client = client_for(world.patient)
    assert "Urge: Suicide" not in patient_client.get(reverse("diary:today")).content.decode()
    assert "Urge: Suicide" in patient_client.get(card_url(YESTERDAY)).content.decode()


def test_retiring_needs_a_post(world: World, patient: Patient, client_for: ClientFor) -> None:
    response = client_for(world.therapist).get(retire_url(patient, item_id(patient, "Suicide")))

    assert response.status_code == 405
    assert Target.objects.get(name="Suicide").retired_on is None


def test_facilitator_reads_the_grid_but_cannot_configure_the_card(
    world: World, patient: Patient, client_for: ClientFor
) -> None:
    facilitator = client_for(world.facilitator)
    suicide = item_id(patient, "Suicide")

    grid = facilitator.get(week_url(patient))
    page = facilitator.get(settings_url(patient))
    added = facilitator.post(
        settings_url(patient), {"name": "Skipping meals", "kind": "other", "add_target": "1"}
    )
    retired = facilitator.post(retire_url(patient, suicide))

    assert grid.status_code == 200
    assert settings_url(patient) not in grid.content.decode()
    assert page.status_code == added.status_code == retired.status_code == 404
    assert not Target.objects.filter(name="Skipping meals").exists()
    assert Target.objects.get(public_id=suicide).retired_on is None


def test_item_of_another_patient_cannot_be_retired(
    world: World, patient: Patient, client_for: ClientFor
) -> None:
    ensure_card_items(None, world.other_patient_record)
    theirs = item_id(world.other_patient_record, "Suicide")

    response = client_for(world.therapist).post(retire_url(patient, theirs))

    assert response.status_code == 404
    assert Target.objects.get(public_id=theirs).retired_on is None
