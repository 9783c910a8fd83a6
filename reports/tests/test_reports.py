"""Progress reports end to end on the server: the PDF and what it holds, free text only
when asked for, long periods in the background, the audited download and the API."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from audit.models import AccessLog
from care.models import Patient
from core.actions import ActionError
from core.testing.factories import make_administration, make_token
from core.testing.personas import World
from diary.actions import ensure_card_items
from diary.cards import local_today
from diary.models import CardEmotion, CardTarget, DiaryCard, Emotion, Target
from ema.actions import default_questionnaire
from ema.models import Prompt, PromptResponse, PromptStatus, Schedule, ScheduleKind
from reports.actions import SYNC_MAX_DAYS, request_report
from reports.models import ReportRequest, ReportStatus

NOTE = "Argued with my sister about the flat"
PDFTOPPM = shutil.which("pdftoppm")
PDFTOTEXT = shutil.which("pdftotext")
needs_poppler = pytest.mark.skipif(
    not (PDFTOPPM and PDFTOTEXT),
    reason="pdftoppm/pdftotext (poppler-utils) are not installed: apt-get install poppler-utils",
)


def fill_history(patient: Patient, today: date, days: int = 10) -> None:
    """``days`` diary cards ending yesterday (misery 3, suicide urge 1, a note on each) and
    two answered check-ins a day on the same days."""
    ensure_card_items(None, patient)
    misery = Emotion.objects.get(patient=patient, name="Emotional misery")
    suicide = Target.objects.get(patient=patient, kind="suicide")
    zone = ZoneInfo(patient.time_zone)
    schedule = Schedule.objects.create(
        patient=patient,
        questionnaire=default_questionnaire(),
        kind=ScheduleKind.FIXED,
        times=["09:00", "18:00"],
        start_date=today - timedelta(days=days),
    )
    for n in range(1, days + 1):
        day = today - timedelta(days=n)
        at = datetime.combine(day, time(20), zone)
        card = DiaryCard.objects.create(
            patient=patient, date=day, skills_used=5, note=NOTE, first_saved_at=at
        )
        CardEmotion.objects.create(card=card, emotion=misery, rating=3)
        CardTarget.objects.create(card=card, target=suicide, urge=1, acted=False)
        for hour, sad in ((9, 20 + n), (18, 60 - n)):
            scheduled = datetime.combine(day, time(hour), zone)
            prompt = Prompt.objects.create(
                schedule=schedule,
                patient=patient,
                questionnaire=schedule.questionnaire,
                scheduled_at=scheduled,
                expires_at=scheduled + timedelta(hours=1),
                status=PromptStatus.ANSWERED,
                answered_at=scheduled,
            )
            assert patient.user is not None
            PromptResponse.objects.create(
                prompt=prompt,
                answers={"sad": sad, "happy": 50},
                submitted_at=scheduled,
                answered_by=patient.user,
            )


def pdf_text(pdf: bytes) -> str:
    assert PDFTOTEXT is not None
    done = subprocess.run(  # noqa: S603 (a fixed program and arguments)
        [PDFTOTEXT, "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return done.stdout.decode()


def page_count(pdf: bytes, tmp_path: Any) -> int:
    source = tmp_path / "report.pdf"
    source.write_bytes(pdf)
    assert PDFTOPPM is not None
    subprocess.run(  # noqa: S603 (a fixed program and arguments)
        [PDFTOPPM, "-r", "30", "-png", str(source), str(tmp_path / "page")], check=True
    )
    return len(list(tmp_path.glob("page-*.png")))


@pytest.fixture
def history(world: World) -> date:
    today = local_today(world.patient_record.time_zone)
    fill_history(world.patient_record, today)
    # A PHQ-9 of 2 on each of the first eight items: 16
    make_administration(
        world.patient_record, answers={str(n): 2 for n in range(1, 9)} | {"9": 0}, submit=True
    )
    return today


def ask(world: World, today: date, days: int, **options: Any) -> ReportRequest:
    return request_report(
        world.therapist,
        world.patient_record,
        first=today - timedelta(days=days - 1),
        last=today,
        **options,
    )


@needs_poppler
def test_short_report_is_written_at_once_with_the_patients_figures(
    world: World, history: date, tmp_path: Any
) -> None:
    report = ask(world, history, 14)
    assert report.status == ReportStatus.READY
    pdf = bytes(report.pdf or b"")
    assert pdf.startswith(b"%PDF")
    assert page_count(pdf, tmp_path) == report.pages >= 2
    text = pdf_text(pdf)
    # 10 cards over 14 days, 20 of 20 check-ins, the PHQ-9 total of 16
    assert re.search(r"Diary cards \(one a day\)\s+10\s+14\s+71", text)
    assert re.search(r"Check-ins answered \(of those due\)\s+20\s+20\s+100", text)
    assert re.search(r"PHQ-9\s+\d+ \w+\s+\d{4}\s+16\b", text)
    words = " ".join(text.split())
    assert "supports clinical judgement; none of them is a diagnosis" in words
    assert "PAC threshold c =" in words
    assert words.count("In a crisis:") == report.pages  # the clinic's numbers on every page
    # No free text unless asked for
    assert NOTE not in text


@needs_poppler
def test_diary_notes_only_when_the_clinician_ticks_include_notes(
    world: World, history: date
) -> None:
    report = ask(world, history, 14, include_notes=True)
    text = pdf_text(bytes(report.pdf or b""))
    assert "Diary notes" in text
    assert NOTE in text


def test_long_period_is_queued_then_written_by_the_task(
    world: World, history: date, django_capture_on_commit_callbacks: Any
) -> None:
    # When a clinician asks for more than SYNC_MAX_DAYS
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = ask(world, history, SYNC_MAX_DAYS + 1)
    # Then it is queued, with no PDF yet
    assert report.status == ReportStatus.QUEUED
    assert report.pdf is None
    assert len(callbacks) == 1
    # When the worker runs the task (the immediate backend in tests), it is written once
    callbacks[0]()
    report.refresh_from_db()
    assert report.status == ReportStatus.READY
    assert bytes(report.pdf or b"").startswith(b"%PDF")
    from reports.tasks import generate_report

    assert generate_report.call(report.pk) == ReportStatus.READY  # idempotent


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [(0, -1, "last"), (-1, 1, "last"), (-800, 0, "first")],
)
def test_periods_are_checked(world: World, first: int, last: int, field: str) -> None:
    today = local_today(world.patient_record.time_zone)
    with pytest.raises(ActionError) as refused:
        request_report(
            world.therapist,
            world.patient_record,
            first=today + timedelta(days=first),
            last=today + timedelta(days=last),
        )
    assert refused.value.field == field


def test_page_asks_and_the_download_is_an_audited_read(
    world: World, history: date, client_for: Callable[[User | None], Client]
) -> None:
    client = client_for(world.therapist)
    url = reverse("reports:patient", kwargs={"patient_id": world.patient_record.public_id})
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"first": (history - timedelta(days=6)).isoformat(), "last": history.isoformat()}
    )
    assert response.status_code == 302
    report = ReportRequest.objects.get()
    page = client.get(url)
    download = reverse(
        "reports:download",
        kwargs={"patient_id": world.patient_record.public_id, "report_id": report.public_id},
    )
    assert download in page.content.decode()
    before = AccessLog.objects.filter(resource="reports.download").count()
    pdf = client.get(download)
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert "no-store" in pdf["Cache-Control"]
    assert pdf.content.startswith(b"%PDF")
    log = AccessLog.objects.filter(resource="reports.download")
    assert log.count() == before + 1
    assert log.latest("created_at").object_id == str(report.public_id)


def test_the_patient_detail_page_links_to_reports_for_the_team_only(
    world: World, client_for: Callable[[User | None], Client]
) -> None:
    url = reverse("care:patient_detail", kwargs={"patient_id": world.patient_record.public_id})
    link = reverse("reports:patient", kwargs={"patient_id": world.patient_record.public_id})
    assert link in client_for(world.therapist).get(url).content.decode()
    assert link not in client_for(world.patient).get(url).content.decode()


def test_api_request_is_idempotent_and_downloads(world: World, history: date) -> None:
    _token, secret = make_token(world.therapist)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    url = f"/api/v1/reports/patients/{world.patient_record.public_id}/reports"
    body = {"first": (history - timedelta(days=6)).isoformat(), "last": history.isoformat()}
    first = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="r-1")
    again = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="r-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert ReportRequest.objects.count() == 1
    data = first.json()
    assert data["status"] == "ready"
    status = client.get(f"{url}/{data['id']}")
    assert status.json()["download_url"] == data["download_url"]
    pdf = client.get(data["download_url"])
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert AccessLog.objects.filter(resource="reports.download", object_id=data["id"]).exists()
