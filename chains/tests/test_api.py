"""The chain-analysis API: the same rules as the pages, for the app."""

from __future__ import annotations

from datetime import date

import pytest

from chains.models import ChainAnalysis, ChainStatus, LinkComment
from core.testing.api import ApiClient, api_error
from core.testing.factories import builtin_skill, make_chain, make_organisation, make_skill
from core.testing.personas import World

pytestmark = pytest.mark.django_db


def test_create_from_a_diary_day_is_idempotent(world: World, acted_day: date) -> None:
    api = ApiClient(world.patient)
    key = {"HTTP_IDEMPOTENCY_KEY": "chain-1"}
    first = api.post("/chains", {"day": acted_day.isoformat()}, **key)
    again = api.post("/chains", {"day": acted_day.isoformat()}, **key)
    assert first.status_code == 201, first.content
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert ChainAnalysis.objects.count() == 1
    data = first.json()
    assert data["problem_behaviour"] == "Self-harm (scratched arm)"
    assert data["day_snapshot"]["sleep_hours"] == "5.5"
    assert data["status"] == "draft" and data["version"] == 1
    assert api.post("/chains", {"problem_behaviour": "Other"}, **key).status_code == 409


def test_create_without_a_behaviour_or_a_day_names_the_field(world: World) -> None:
    response = ApiClient(world.patient).post("/chains", {})
    assert "problem_behaviour" in api_error(response, 400)["fields"]


def test_update_with_a_stale_version_is_a_conflict(world: World) -> None:
    chain = make_chain(world.patient_record)
    api = ApiClient(world.patient)
    url = f"/chains/{chain.public_id}"
    ok = api.put(url, {"version": 1, "prompting_event": "A text from my ex"})
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = api.put(url, {"version": 1, "prompting_event": "Older"})
    assert api_error(stale, 409)["code"] == "conflict"
    chain.refresh_from_db()
    assert chain.prompting_event == "A text from my ex"
    # Fields left out are kept; an empty behaviour is refused by the schema
    assert api.put(url, {"version": 2, "problem_behaviour": ""}).status_code == 422


def test_links_are_added_edited_moved_and_deleted(world: World) -> None:
    chain = make_chain(world.patient_record, links=(("event", "A"), ("thought", "B")))
    api = ApiClient(world.patient)
    base = f"/chains/{chain.public_id}/links"
    tip = builtin_skill("tip")

    added = api.post(
        base, {"kind": "feeling", "text": "C", "intensity": 90, "skills": [str(tip.public_id)]}
    )
    assert added.status_code == 201, added.content
    links = added.json()["links"]
    assert [link["text"] for link in links] == ["A", "B", "C"]
    assert links[2]["skills"] == [{"id": str(tip.public_id), "name": "TIP"}]

    c = links[2]["id"]
    moved = api.post(f"{base}/{c}/move", {"position": 0})
    assert [link["text"] for link in moved.json()["links"]] == ["C", "A", "B"]
    assert [link["position"] for link in moved.json()["links"]] == [0, 1, 2]

    edited = api.put(f"{base}/{c}", {"kind": "feeling", "text": "Shame", "skills": []})
    assert edited.json()["links"][0]["text"] == "Shame"
    assert edited.json()["links"][0]["skills"] == []

    assert api.delete(f"{base}/{c}").status_code == 204
    chain.refresh_from_db()
    assert [link.text for link in chain.links.order_by("position")] == ["A", "B"]


def test_a_skill_from_another_clinic_is_refused(world: World) -> None:
    chain = make_chain(world.patient_record)
    theirs = make_skill(make_organisation())
    response = ApiClient(world.patient).post(
        f"/chains/{chain.public_id}/links",
        {"kind": "thought", "text": "x", "skills": [str(theirs.public_id)]},
    )
    assert "skills" in api_error(response, 400)["fields"]


def test_share_then_the_therapist_reads_and_comments(world: World) -> None:
    chain = make_chain(world.patient_record)
    patient, therapist = ApiClient(world.patient), ApiClient(world.therapist)
    # A draft does not exist for the therapist
    assert therapist.get(f"/chains/{chain.public_id}").status_code == 404
    assert therapist.get(f"/patients/{world.patient_record.public_id}/chains").json()["items"] == []

    shared = patient.post(f"/chains/{chain.public_id}/share")
    assert shared.status_code == 200 and shared.json()["status"] == ChainStatus.SHARED
    assert api_error(patient.put(f"/chains/{chain.public_id}", {"version": 2}), 400)

    listed = therapist.get(f"/patients/{world.patient_record.public_id}/chains").json()["items"]
    assert [item["id"] for item in listed] == [str(chain.public_id)]
    link_id = therapist.get(f"/chains/{chain.public_id}").json()["links"][0]["id"]
    comment = therapist.post(
        f"/chains/{chain.public_id}/links/{link_id}/comments", {"text": "Let's look at this."}
    )
    assert comment.status_code == 201 and comment.json()["by_patient"] is False
    reply = patient.post(f"/chains/{chain.public_id}/links/{link_id}/comments", {"text": "OK"})
    assert reply.json()["by_patient"] is True
    comments = patient.get(f"/chains/{chain.public_id}").json()["links"][0]["comments"]
    assert [c["text"] for c in comments] == ["Let's look at this.", "OK"]
    assert LinkComment.objects.count() == 2


def test_the_supporter_and_other_patients_see_nothing(world: World) -> None:
    chain = make_chain(world.patient_record, shared=True)
    for user in (world.supporter, world.other_patient, world.outsider_clinician):
        assert ApiClient(user).get(f"/chains/{chain.public_id}").status_code in (403, 404)
