"""The library: search and filters, favourites, a clinic's own skills, and the coach page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from core.testing.api import ApiClient
from core.testing.factories import builtin_skill, make_skill
from core.testing.personas import World
from skills.actions import record_practice, set_favourite
from skills.models import Favourite, Skill

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User | None], Client]


def names(response: Any) -> list[str]:
    return [skill.name for skill in response.context["skills"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "dear man"}, "DEAR MAN"),  # by name
        ({"q": "accepts"}, "Wise Mind ACCEPTS"),  # by acronym
        ({"q": "five senses"}, "Self-soothe"),  # by summary
    ],
)
def test_search_finds_by_name_acronym_and_summary(
    world: World, client_for: ClientFor, query: dict[str, str], expected: str
) -> None:
    response = client_for(world.patient).get("/skills/", query)
    assert expected in names(response)


def test_filter_by_module_and_situation(world: World, client_for: ClientFor) -> None:
    client = client_for(world.therapist)
    by_module = client.get("/skills/", {"module": "interpersonal_effectiveness"})
    assert "DEAR MAN" in names(by_module) and "TIP" not in names(by_module)
    crisis = client.get("/skills/", {"situation": "crisis"})
    assert "TIP" in names(crisis) and "DEAR MAN" not in names(crisis)
    both = client.get("/skills/", {"situation": "ask_for_something", "module": "mindfulness"})
    assert names(both) == ["Effectively"]


def test_an_unknown_filter_value_shows_the_whole_library(
    world: World, client_for: ClientFor
) -> None:
    response = client_for(world.patient).get("/skills/", {"module": "nonsense"})
    assert response.status_code == 200
    assert len(names(response)) == Skill.objects.filter(organisation=None).count()


def test_favourites_come_first_and_can_be_shown_alone(world: World, client_for: ClientFor) -> None:
    client = client_for(world.patient)
    # Given the patient stars Opposite Action on its page
    opposite = builtin_skill("opposite-action")
    response = client.post(f"/skills/{opposite.public_id}/favourite/", {"favourite": "1"})
    assert response.status_code == 302
    # Then it comes first in the library, and alone among favourites
    assert names(client.get("/skills/"))[0] == "Opposite Action"
    assert names(client.get("/skills/", {"favourites": "on"})) == ["Opposite Action"]
    page = client.get(f"/skills/{opposite.public_id}/").content.decode()
    assert "In favourites" in page
    # And un-starring removes it
    client.post(f"/skills/{opposite.public_id}/favourite/", {"favourite": "0"})
    assert not Favourite.objects.exists()


def test_favourites_are_each_patients_own(world: World) -> None:
    set_favourite(world.patient, world.patient_record, builtin_skill("tip"), favourite=True)
    mine = ApiClient(world.patient).get("/skills", {"favourites": "true"}).json()["items"]
    theirs = ApiClient(world.other_patient).get("/skills", {"favourites": "true"}).json()
    assert [item["name"] for item in mine] == ["TIP"]
    assert theirs["items"] == []


def test_the_library_page_makes_a_fixed_number_of_queries(
    world: World, client_for: ClientFor
) -> None:
    client = client_for(world.patient)
    for slug in ("tip", "stop", "give"):
        set_favourite(world.patient, world.patient_record, builtin_skill(slug), favourite=True)
    client.get("/skills/")  # warm the session
    with CaptureQueriesContext(connection) as first:
        client.get("/skills/")
    make_skill(world.organisation)
    set_favourite(world.patient, world.patient_record, builtin_skill("fast"), favourite=True)
    with CaptureQueriesContext(connection) as second:
        client.get("/skills/")
    assert len(second) == len(first)


def test_the_api_lists_and_shows_skills(world: World) -> None:
    api = ApiClient(world.supporter)
    listed = api.get("/skills", {"q": "TIP", "module": "distress_tolerance"}).json()
    assert [item["slug"] for item in listed["items"]] == ["tip"]
    tip = listed["items"][0]
    assert tip["favourite"] is None  # not a patient
    detail = api.get(f"/skills/{tip['id']}").json()
    assert detail["steps"] and detail["caution"]
    assert api.get("/skills", {"module": "nonsense"}).status_code == 422


def test_favourite_and_unfavourite_through_the_api(world: World) -> None:
    api = ApiClient(world.patient)
    skill = builtin_skill("give")
    url = f"/skills/{skill.public_id}/favourite"
    assert api.put(url).json() == {"skill": str(skill.public_id), "favourite": True}
    assert api.put(url).status_code == 200  # twice is harmless
    assert api.get(f"/skills/{skill.public_id}").json()["favourite"] is True
    assert api.delete(url).json()["favourite"] is False
    assert not Favourite.objects.exists()


# --- a clinic's own skills --------------------------------------------------------------------


FORM = {
    "name": "Grounding with the feet",
    "acronym": "",
    "module": "distress_tolerance",
    "summary": "Coming back to the present through the soles of your feet.",
    "when": "When you feel far away or overwhelmed.",
    "steps": "Press your feet into the floor.\n\nNotice the pressure.\n",
    "example": "Ana presses her feet into the floor and feels steadier.",
    "minutes": "2",
    "situations": ["crisis", "present"],
    "references": "Northside Clinic's skills group handbook",
}


def test_a_patient_manager_adds_a_clinic_skill_seen_only_in_their_clinic(
    world: World, client_for: ClientFor
) -> None:
    response = client_for(world.therapist).post("/skills/new/", FORM)
    assert response.status_code == 302, response.context["form"].errors
    skill = Skill.objects.get(slug="grounding-with-the-feet")
    assert skill.organisation == world.organisation
    assert skill.steps == ["Press your feet into the floor.", "Notice the pressure."]
    assert skill.created_by == world.therapist
    assert "Grounding with the feet" in names(client_for(world.patient).get("/skills/"))
    assert "Grounding with the feet" not in names(client_for(world.foreign_admin).get("/skills/"))
    assert client_for(world.foreign_admin).get(f"/skills/{skill.public_id}/").status_code == 404


def test_a_clinic_skill_form_reports_each_problem(world: World, client_for: ClientFor) -> None:
    bad = {**FORM, "summary": "", "steps": "  \n ", "minutes": "0", "situations": ["nope"]}
    response = client_for(world.admin).post("/skills/new/", bad)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"summary", "minutes", "situations"} <= set(errors)
    assert not Skill.objects.filter(organisation__isnull=False).exists()


def test_a_clinic_skill_cannot_take_a_built_in_name(world: World, client_for: ClientFor) -> None:
    response = client_for(world.admin).post("/skills/new/", {**FORM, "name": "TIP"})
    assert response.status_code == 200
    assert "already has a skill" in str(response.context["form"].errors["name"])


def test_a_clinic_skill_name_has_no_comma(world: World, client_for: ClientFor) -> None:
    # The diary card's form separates skills with commas.
    response = client_for(world.admin).post("/skills/new/", {**FORM, "name": "Stop, breathe"})
    assert response.status_code == 200
    assert "comma" in str(response.context["form"].errors["name"])


def test_a_clinic_skill_with_empty_steps_is_refused(world: World, client_for: ClientFor) -> None:
    response = client_for(world.admin).post("/skills/new/", {**FORM, "steps": "\n \n"})
    assert response.status_code == 200
    assert "steps" in response.context["form"].errors


# --- the coach page ---------------------------------------------------------------------------


def test_the_coach_page_proposes_skills_with_reasons_and_the_safety_plan(
    world: World, client_for: ClientFor
) -> None:
    client = client_for(world.patient)
    assert client.get("/skills/coach/").status_code == 200
    response = client.post(
        "/skills/coach/",
        {"distress": "85", "emotion": "anger", "urge": "self_harm", "situation": "none"},
    )
    html = response.content.decode()
    proposals = response.context["proposals"]
    assert [skill.slug for _p, skill in proposals][:2] == ["tip", "stop"]
    assert "calm your body first" in html
    assert "Open my safety plan" in html
    assert "Log a practice" in html


def test_the_coach_page_says_what_is_wrong(world: World, client_for: ClientFor) -> None:
    response = client_for(world.patient).post("/skills/coach/", {"distress": "150"})
    assert response.status_code == 200
    assert "distress" in response.context["form"].errors
    assert response.context["advice"] is None


def test_the_coach_api_says_when_it_has_learnt_from_the_person(world: World) -> None:
    soothe = builtin_skill("self-soothe")
    for before, after in ((90, 30), (80, 30), (85, 40), (70, 70)):
        record_practice(
            world.patient,
            world.patient_record,
            soothe,
            practised_at=timezone.now(),
            distress_before=before,
            distress_after=after,
        )
    response = ApiClient(world.patient).post("/skills/coach", {"distress": 90})
    data = response.json()
    assert data["personalised"] is True
    first = data["proposals"][0]
    assert first["slug"] == "self-soothe"
    assert first["personal"] == {"practices": 4, "helped": 3}
    assert first["tier"] == "crisis"
    assert data["safety_plan"] is False
    invalid = ApiClient(world.patient).post("/skills/coach", {"distress": 90, "urge": "x"})
    assert invalid.status_code == 422
