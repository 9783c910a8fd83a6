"""A study loads its own questionnaire: validated whole, versioned, never half-stored."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from core.testing.factories import make_organisation
from ema.models import Questionnaire

pytestmark = pytest.mark.django_db

QUESTIONS = [
    {"id": "lonely", "type": "scale", "text": "How lonely do you feel?", "min": 0, "max": 5},
    {
        "id": "where",
        "type": "choice",
        "text": "Where are you?",
        "options": [{"value": "home", "label": "Home"}, {"value": "out", "label": "Out"}],
    },
]


def load(tmp_path: Path, data: object, slug: str = "evening") -> str:
    path = tmp_path / "q.json"
    path.write_text(json.dumps(data))
    out = StringIO()
    call_command(
        "load_questionnaire", str(path), "--organisation", "study", "--slug", slug, stdout=out
    )
    return out.getvalue()


def test_valid_definition_is_loaded_and_versioned(tmp_path: Path) -> None:
    org = make_organisation(slug="study")
    assert "v1" in load(tmp_path, {"name": "Evening", "questions": QUESTIONS})
    assert "nothing changed" in load(tmp_path, {"name": "Evening", "questions": QUESTIONS})
    changed = [
        *QUESTIONS,
        {"id": "note", "type": "text", "text": "Anything else?", "required": False},
    ]
    assert "v2" in load(tmp_path, {"name": "Evening", "questions": changed})
    versions = Questionnaire.objects.filter(organisation=org, slug="evening")
    assert sorted(versions.values_list("version", flat=True)) == [1, 2]


def test_every_problem_is_reported_and_nothing_is_stored(tmp_path: Path) -> None:
    make_organisation(slug="study")
    broken = [
        {"id": "Bad Id", "type": "scale", "text": "x", "min": 0, "max": 5},
        {"id": "ok", "type": "choice", "text": "y", "options": []},
        {"id": "ok", "type": "nonsense", "text": ""},
    ]
    with pytest.raises(CommandError) as error:
        load(tmp_path, {"name": "Broken", "questions": broken})
    message = str(error.value)
    assert "question 1" in message
    assert "ok: options" in message
    assert "used twice" in message
    assert "unknown type" in message
    assert not Questionnaire.objects.filter(slug="evening").exists()


def test_clinician_gives_a_schedule_with_the_organisations_questionnaire(
    tmp_path: Path, world: object, client_for: object
) -> None:
    from django.urls import reverse

    from core.testing.personas import World

    assert isinstance(world, World)
    # Given the clinic loaded its own questionnaire
    world.organisation.slug = "study"
    world.organisation.save(update_fields=["slug"])
    load(tmp_path, {"name": "Evening", "questions": QUESTIONS})
    own = Questionnaire.objects.get(organisation=world.organisation, slug="evening")
    # When the therapist adds a schedule with it
    client = client_for(world.therapist)  # type: ignore[operator]
    page = reverse("ema:patient", args=[world.patient_record.public_id])
    response = client.post(
        page,
        {
            "questionnaire": str(own.public_id),
            "kind": "fixed",
            "times": "09:00, 21:00",
            "prompts_per_window": 1,
            "min_gap_minutes": 30,
            "every_minutes": 60,
            "start_date": "2030-01-01",
            "expires_after_minutes": 30,
        },
    )
    # Then the schedule asks that questionnaire, and another clinic's would be refused
    assert response.status_code == 302, response.content
    schedule = world.patient_record.ema_schedules.get()
    assert schedule.questionnaire == own
