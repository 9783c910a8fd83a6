"""The clinician's patient analytics page and its API: the period (presets, custom dates,
clear errors), the data shaped for the charts (gaps not zeros, per emotion and target, the
engine's weekly indices, questionnaire bands, treatment events without text, trends and
what-helps observations), an audited read by the care team only, and a fixed number of
queries however long the history."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from analytics.patient import (
    MAX_DAYS,
    NOTE,
    Period,
    PeriodError,
    chart_payload,
    chart_texts,
    choose_period,
    diary_of,
    patient_analytics,
)
from analytics.staticfiles import PLOTLY, bundle_version, inline_style_ids, package_data
from audit.models import AccessLog
from core.testing.api import ApiClient
from core.testing.factories import make_administration
from core.testing.personas import World
from diary.cards import local_today
from diary.models import DiaryCard, Target
from measures.tests.test_chart_events import SECRET, history
from reports.tests.test_reports import fill_history

Clients = Callable[[User | None], Client]
TODAY = date(2026, 3, 31)


# --- the period ------------------------------------------------------------------------------


def test_the_default_is_the_last_90_days_ending_today() -> None:
    assert choose_period(None, None, None, TODAY) == Period(date(2026, 1, 1), TODAY)
    assert choose_period("30", None, None, TODAY) == Period(date(2026, 3, 2), TODAY)
    assert choose_period("90", None, None, TODAY).days == 90


def test_custom_dates_are_used_when_given() -> None:
    chosen = choose_period("custom", date(2026, 2, 1), date(2026, 2, 28), TODAY)
    assert chosen == Period(date(2026, 2, 1), date(2026, 2, 28))
    assert choose_period(None, date(2026, 2, 1), date(2026, 2, 2), TODAY).days == 2


@pytest.mark.parametrize(
    ("preset", "first", "last", "field", "words"),
    [
        ("7", None, None, "range", "Choose one of the periods"),
        ("custom", None, date(2026, 2, 1), "first", "Enter the first day"),
        ("custom", date(2026, 2, 1), None, "last", "Enter the last day"),
        ("custom", date(2026, 3, 1), date(2026, 4, 1), "last", "cannot end after today"),
        ("custom", date(2026, 3, 2), date(2026, 3, 1), "first", "on or before the last day"),
        ("custom", TODAY - timedelta(days=MAX_DAYS), TODAY, "first", "at most 731 days"),
    ],
)
def test_a_period_that_cannot_be_shown_says_why(
    preset: str, first: date | None, last: date | None, field: str, words: str
) -> None:
    with pytest.raises(PeriodError) as raised:
        choose_period(preset, first, last, TODAY)
    assert raised.value.field == field
    assert words in raised.value.message


# --- the data ----------------------------------------------------------------------------------


@pytest.fixture
def today(world: World) -> date:
    return local_today(world.patient_record.time_zone)


@pytest.mark.django_db
def test_missed_days_are_gaps_and_each_emotion_and_target_has_its_series(
    world: World, today: date
) -> None:
    # Given ten days of cards ending yesterday, and one of them deleted
    patient = world.patient_record
    fill_history(patient, today, days=10)
    DiaryCard.objects.filter(patient=patient, date=today - timedelta(days=4)).delete()
    DiaryCard.objects.filter(patient=patient, date=today - timedelta(days=2)).update(
        sleep_hours=7.5, prescribed_meds_taken=False
    )
    DiaryCard.objects.filter(patient=patient, date=today - timedelta(days=3)).update(
        prescribed_meds_taken=True
    )
    period = Period(today - timedelta(days=13), today)

    diary = diary_of(patient, period)

    # Then every day of the period has a value or None (never 0 for a missing day)
    assert len(diary.days) == 14 and diary.cards == 9
    misery = next(s for s in diary.emotions if s.label == "Emotional misery")
    assert misery.values[:3] == [None] * 3  # before the first card
    assert misery.values[-1] is None  # today: no card yet
    assert misery.values[-5] is None  # the deleted card: a gap, not 0
    assert misery.values[-2] == 3.0 and misery.rated_days == 9
    suicide = Target.objects.get(patient=patient, kind="suicide")
    urge = next(s for s in diary.urges if s.label == suicide.name)
    assert urge.rated_days == 9 and set(urge.values) == {None, 1.0}
    assert diary.skills_used.values[-2] == 5.0
    assert diary.sleep_hours.values[-3] == 7.5
    assert diary.medication.values[-3] == 0.0 and diary.medication.values[-4] == 1.0
    assert diary.adherence == (1, 2)


@pytest.mark.django_db
def test_the_payload_has_the_engines_weekly_indices_scores_and_events(
    world: World, today: date
) -> None:
    # Given diary cards and two check-ins a day, a PHQ-9, and treatment events
    patient = world.patient_record
    fill_history(patient, today, days=10)
    history(world, timezone.now() - timedelta(days=21))
    period = Period(today - timedelta(days=29), today)

    analytics = patient_analytics(patient, period)
    payload = chart_payload(analytics)

    # Then it is plain JSON, on one time axis: the period's first day to the day after
    assert json.loads(json.dumps(payload)) == payload
    assert payload["axis"] == [period.first.isoformat(), (today + timedelta(days=1)).isoformat()]
    assert payload["note"] == NOTE and "not a diagnosis" in NOTE
    # Check-ins: one point per scheduled check-in, the weekly indices from the engine
    sad = next(i for i in payload["ema"]["items"] if i["item"] == "sad")
    assert len(sad["times"]) == 20 and all(v is not None for v in sad["values"])
    weekly = next(i for i in payload["ema"]["instability"] if i["item"] == "sad")
    assert weekly["weeks"] and weekly["pac_rule"]
    for week in weekly["weeks"]:
        if week["mssd"] is not None:
            assert week["rmssd"] == pytest.approx(math.sqrt(week["mssd"]), rel=1e-12)
    # Questionnaires: PHQ-9 with its severity bands
    phq9 = next(s for s in payload["scores"] if s["key"] == "phq9")
    assert phq9["range"] == [0.0, 27.0] and len(phq9["values"]) == 3
    assert phq9["bands"][0]["lower"] == 0.0
    assert phq9["bands"][-1]["upper"] == 27.0
    # Treatment events: each kind, an alert as an instant and a label only
    kinds = {e["kind"] for e in payload["events"]}
    assert kinds == {"session", "alert", "watch", "plan"}
    assert SECRET not in json.dumps(payload)
    assert analytics.shows_risk_data
    # Trends state their window and method; what-helps follows the minimum-data rule
    assert payload["trends"]["window_days"] == 28
    assert "not an alert" in payload["trends"]["caveat"]
    assert all("28-day windows" in t["method"] for t in payload["trends"]["series"])
    observations = payload["helps"]["observations"]
    assert observations and all(o["estimate"] is None for o in observations)  # 9 pairs < 14
    assert all("Not enough data yet" in o["sentence"] for o in observations)
    # Every chart has words
    texts = chart_texts(analytics)
    assert "Emotional misery: rated on 10 of 30 days" in texts["emotions"]
    assert texts["score-phq9"].startswith("PHQ-9 scores: 3 in this period")
    assert "Risk alert raised" in texts["events"]


@pytest.mark.django_db
def test_an_observation_with_enough_days_has_an_interval(world: World, today: date) -> None:
    # Given 30 days on which more skills went with lower misery the next day
    patient = world.patient_record
    fill_history(patient, today, days=30)
    for n, card in enumerate(DiaryCard.objects.filter(patient=patient).order_by("date")):
        card.skills_used = n % 4
        card.save(update_fields=["skills_used"])
        card.emotions.update(rating=3 - (n - 1) % 4 if n else 3)

    analytics = patient_analytics(patient, Period(today - timedelta(days=40), today))

    found = next(o for o in analytics.helps if o.outcome == "Emotional misery")
    assert found.result.n == 29
    sentence = found.sentence
    assert sentence.startswith("On days after you used more skills, your emotional misery")
    assert "95 % CI" in sentence


def test_each_skill_practised_on_enough_days_is_an_observation(world: World, today: date) -> None:
    # Given 30 days of cards: "TIPP" (written either way) on every other day, followed by
    # lower misery; "Wise mind" once only
    patient = world.patient_record
    fill_history(patient, today, days=30)
    for n, card in enumerate(DiaryCard.objects.filter(patient=patient).order_by("date")):
        card.skills = ["TIPP" if n % 4 == 0 else "tipp "] if n % 2 == 0 else []
        if n == 5:
            card.skills = ["Wise mind"]
        card.save(update_fields=["skills"])
        card.emotions.update(rating=1 if n % 2 == 1 else 4)

    analytics = patient_analytics(patient, Period(today - timedelta(days=40), today))

    # Then one series per skill, grouped ignoring case and spaces, missed days as gaps
    assert [s.label for s in analytics.diary.practised] == ["TIPP", "Wise mind"]
    tipp = analytics.diary.practised[0].values
    assert sorted({v for v in tipp if v is not None}) == [0.0, 1.0]
    assert tipp.count(None) == len(tipp) - 30
    # And TIPP is compared with the days without it; "Wise mind" (1 day) is left out
    found = [o for o in analytics.helps if "TIPP" in o.sentence]
    misery = next(o for o in found if o.outcome == "Emotional misery")
    assert misery.result.kind == "difference"
    assert misery.result.n_with == 15 and misery.result.n_without == 14
    assert misery.result.estimate == pytest.approx(-3.0)
    assert misery.sentence.startswith(
        "On days after you practised “TIPP”, your emotional misery was on average 3.0 lower"
    )
    assert not any("Wise mind" in o.sentence for o in analytics.helps)


# --- the page and the API ------------------------------------------------------------------------


def url_of(world: World, **query: str) -> str:
    url = reverse("analytics:patient", args=[world.patient_record.public_id])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.mark.django_db
def test_the_care_team_sees_the_charts_and_the_read_is_audited(
    world: World, client_for: Clients, today: date
) -> None:
    fill_history(world.patient_record, today, days=10)
    history(world, timezone.now() - timedelta(days=21))
    response = client_for(world.therapist).get(url_of(world))
    assert response.status_code == 200
    html = response.content.decode()
    # The charts' data travels as JSON (no inline script), the bundle from our own origin
    assert 'id="analytics-data" type="application/json"' in html
    assert f"/static/{PLOTLY}" in html and "cdn" not in html.lower()
    assert 'class="no-inline-styles"' in html
    assert html.count('role="img"') >= 7
    assert "not a diagnosis" in html and 'data-testid="alert-emergency"' in html
    assert "This is an exploratory trend" in html
    assert SECRET not in html
    assert AccessLog.objects.filter(
        resource="analytics.view_patient", patient=world.patient_record
    ).exists()


@pytest.mark.django_db
def test_presets_and_custom_dates_and_errors_on_the_page(
    world: World, client_for: Clients, today: date
) -> None:
    client = client_for(world.therapist)
    html = client.get(url_of(world, range="30")).content.decode()
    first = (today - timedelta(days=29)).strftime("%-d %b %Y")
    assert f"From {first} to" in html and "(30 days)" in html
    custom = url_of(world, range="custom", first="2026-01-05", last="2026-01-11")
    assert "(7 days)" in client.get(custom).content.decode()
    bad = client.get(url_of(world, range="custom", first="2026-01-11", last="2026-01-05"))
    assert bad.status_code == 400
    assert "The first day must be on or before the last day." in bad.content.decode()
    assert 'id="analytics-data"' not in bad.content.decode()
    garbled = client.get(url_of(world, range="custom", first="soon", last="2026-01-05"))
    assert garbled.status_code == 400 and "Enter a valid date." in garbled.content.decode()


@pytest.mark.django_db
def test_only_the_care_team_and_break_glass_see_the_page(world: World, client_for: Clients) -> None:
    url = url_of(world)
    assert client_for(world.facilitator).get(url).status_code == 200
    for someone in (world.patient, world.outsider_clinician, world.supporter, world.admin):
        assert client_for(someone).get(url).status_code == 404
    assert client_for(world.researcher).get(url).status_code in (403, 404)


@pytest.mark.django_db
def test_the_patient_page_and_the_caseload_link_to_the_charts(
    world: World, client_for: Clients
) -> None:
    link = url_of(world)
    detail = reverse("care:patient_detail", args=[world.patient_record.public_id])
    assert link in client_for(world.therapist).get(detail).content.decode()
    assert link not in client_for(world.patient).get(detail).content.decode()
    assert link in client_for(world.therapist).get(reverse("care:caseload")).content.decode()


@pytest.mark.django_db
def test_the_api_returns_the_data_the_page_charts(
    world: World, client_for: Clients, today: date
) -> None:
    fill_history(world.patient_record, today, days=10)
    make_administration(
        world.patient_record, answers={str(n): 1 for n in range(1, 10)}, submit=True
    )
    html = client_for(world.therapist).get(url_of(world, range="30")).content.decode()
    start = html.index('id="analytics-data" type="application/json">') + len(
        'id="analytics-data" type="application/json">'
    )
    page = json.loads(html[start : html.index("</script>", start)])
    api = ApiClient(world.therapist)
    path = f"/analytics/patients/{world.patient_record.public_id}"
    answer = api.get(path, {"range": "30"})
    assert answer.status_code == 200
    assert answer.json() == page
    wrong = api.get(path, {"range": "custom", "first": "2026-01-11", "last": "2026-01-05"})
    assert wrong.status_code == 422
    assert wrong.json()["error"]["fields"]["first"] == [
        "The first day must be on or before the last day."
    ]


@pytest.mark.django_db
def test_the_pages_queries_do_not_grow_with_the_history(
    world: World, client_for: Clients, today: date
) -> None:
    client = client_for(world.therapist)
    url = url_of(world, range="365")

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    # Given a short history
    fill_history(world.patient_record, today - timedelta(days=60), days=5)
    history(world, timezone.now() - timedelta(days=100))
    count()  # the first request also loads the session and caches
    before = count()
    # When months more of diary cards, check-ins and events are added
    fill_history(world.patient_record, today, days=45)
    history(world, timezone.now() - timedelta(days=50))
    # Then the page runs the same number of queries (pinned)
    assert count() == before == 15


# --- the bundle -----------------------------------------------------------------------------------


def test_the_plotly_bundle_and_its_css_are_the_same_version() -> None:
    folder = package_data()
    assert folder is not None
    version = bundle_version(folder / "plotly.min.js")
    css = Path(__file__).resolve().parents[1] / "static" / "analytics" / "plotly.css"
    assert css.read_text().startswith(f"/* plotly.js v{version}:"), (
        "The plotly package changed: run scripts/plotly_css.py (ADR 0021)"
    )
    # The one <style> it adds on load (map styles) is found, so the page can pre-empt it
    assert len(inline_style_ids()) == 1


def test_the_finder_gives_collectstatic_the_bundle_and_nothing_else() -> None:
    from django.contrib.staticfiles import finders

    from analytics.staticfiles import PlotlyFinder

    listed = [(path, storage.prefix) for path, storage in PlotlyFinder().list(None)]
    assert listed == [("plotly.min.js", "vendor/plotly")]
    found = finders.find(PLOTLY)
    assert isinstance(found, str) and found.endswith("package_data/plotly.min.js")
    assert PlotlyFinder().find("vendor/plotly/widgetbundle.js") is None
