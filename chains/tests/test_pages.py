"""The chain pages: starting from a diary day, the worksheet form (buttons and autosave),
the shared view with comments, the care team's list, and who sees what."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from audit.models import AccessLog
from chains.models import ChainAnalysis, ChainLink, ChainStatus, LinkComment
from core.testing.factories import builtin_skill, make_chain
from core.testing.personas import World

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User | None], Client]


def detail_url(chain: ChainAnalysis) -> str:
    return reverse("chains:detail", kwargs={"chain_id": chain.public_id})


def worksheet_data(chain: ChainAnalysis, **extra: str) -> dict[str, str]:
    """The worksheet form as the page renders it for ``chain`` (all fields as stored)."""
    chain.refresh_from_db()
    data = {
        "version": str(chain.version),
        "problem_behaviour": chain.problem_behaviour,
        "prompting_event": chain.prompting_event,
    }
    for link in chain.links.all():
        prefix = f"link-{link.public_id}-"
        data.update({prefix + "kind": link.kind, prefix + "text": link.text})
    data.update(extra)
    return data


def texts(chain: ChainAnalysis) -> list[str]:
    return [link.text for link in ChainLink.objects.filter(chain=chain).order_by("position")]


# --- starting ------------------------------------------------------------------------------------


def test_the_diary_day_offers_a_chain_analysis_only_when_a_target_was_acted_on(
    world: World, acted_day: date, client_for: ClientFor
) -> None:
    client = client_for(world.patient)
    page = client.get(reverse("diary:card", kwargs={"day": acted_day.isoformat()})).content.decode()
    assert "Understand what happened (chain analysis)" in page
    assert f"/chains/new/?from={acted_day.isoformat()}" in page
    today = client.get(reverse("diary:today")).content.decode()
    assert "Understand what happened" not in today


def test_starting_from_a_diary_day_shows_the_day_and_prefills_the_behaviour(
    world: World, acted_day: date, client_for: ClientFor
) -> None:
    client = client_for(world.patient)
    response = client.get(reverse("chains:new"), {"from": acted_day.isoformat()})
    page = response.content.decode()
    assert 'value="Self-harm (scratched arm)"' in page
    assert "5.5 hours" in page and "Shame" in page
    # The one-tap safety plan and crisis page, as on every patient page.
    assert 'data-testid="safety-plan-link"' in page and 'data-testid="crisis-link"' in page

    response = client.post(
        reverse("chains:new"),
        {"problem_behaviour": "Self-harm (scratched arm)", "day": acted_day.isoformat()},
    )
    chain = ChainAnalysis.objects.get(patient=world.patient_record)
    assert response["Location"] == detail_url(chain)
    assert chain.day == acted_day and chain.day_snapshot["sleep_hours"] == "5.5"
    worksheet = client.get(detail_url(chain)).content.decode()
    assert 'data-testid="day-snapshot"' in worksheet


def test_a_malformed_day_is_not_found(world: World, client_for: ClientFor) -> None:
    response = client_for(world.patient).get(reverse("chains:new"), {"from": "yesterday"})
    assert response.status_code == 404


# --- the worksheet -------------------------------------------------------------------------------


def test_the_save_button_saves_every_section_and_link(world: World, client_for: ClientFor) -> None:
    chain = make_chain(world.patient_record)
    first = chain.links.order_by("position").first()
    assert first is not None
    data = worksheet_data(
        chain,
        vulnerabilities="Slept 4 hours",
        repair="Apologise to Sam",
        **{f"link-{first.public_id}-intensity": "70", f"link-{first.public_id}-text": "Shame"},
    )
    response = client_for(world.patient).post(detail_url(chain), {**data, "op": "save"})
    assert response.status_code == 302
    chain.refresh_from_db()
    first.refresh_from_db()
    assert (chain.vulnerabilities, chain.repair, chain.version) == (
        "Slept 4 hours",
        "Apologise to Sam",
        2,
    )
    assert (first.text, first.intensity) == ("Shame", 70)


def test_buttons_add_move_and_delete_links_without_javascript(
    world: World, client_for: ClientFor
) -> None:
    client = client_for(world.patient)
    chain = make_chain(world.patient_record, links=(("event", "A"), ("thought", "B")))

    # Add a link (and what was typed in the sections is kept)
    response = client.post(
        detail_url(chain),
        worksheet_data(
            chain, op="add", **{"new-kind": "feeling", "new-text": "C", "repair": "Call Sam"}
        ),
    )
    assert response["Location"].endswith("#new-link")
    assert texts(chain) == ["A", "B", "C"]
    chain.refresh_from_db()
    assert chain.repair == "Call Sam"

    # Move C up, then A down
    c = ChainLink.objects.get(chain=chain, text="C")
    response = client.post(detail_url(chain), worksheet_data(chain, op=f"up:{c.public_id}"))
    assert response["Location"].endswith(f"#link-{c.public_id}")
    assert texts(chain) == ["A", "C", "B"]
    a = ChainLink.objects.get(chain=chain, text="A")
    client.post(detail_url(chain), worksheet_data(chain, op=f"down:{a.public_id}"))
    assert texts(chain) == ["C", "A", "B"]

    # Delete B
    b = ChainLink.objects.get(chain=chain, text="B")
    client.post(detail_url(chain), worksheet_data(chain, op=f"delete:{b.public_id}"))
    assert texts(chain) == ["C", "A"]


def test_a_skill_is_picked_by_name_or_acronym_and_removed(
    world: World, client_for: ClientFor
) -> None:
    client = client_for(world.patient)
    chain = make_chain(world.patient_record)
    link = chain.links.order_by("position").first()
    assert link is not None
    tip = builtin_skill("tip")
    key = f"link-{link.public_id}-skill"

    client.post(
        detail_url(chain), worksheet_data(chain, op=f"skill:{link.public_id}", **{key: "tip"})
    )
    assert list(link.skills.all()) == [tip]
    page = client.get(detail_url(chain)).content.decode()
    assert (
        '<datalist id="skill-names">' in page
        and f"unskill:{link.public_id}:{tip.public_id}" in page
    )

    response = client.post(detail_url(chain), worksheet_data(chain, **{key: "Not a real skill"}))
    assert response.status_code == 200
    assert "no skill of that name" in response.content.decode()

    client.post(
        detail_url(chain), worksheet_data(chain, op=f"unskill:{link.public_id}:{tip.public_id}")
    )
    assert not link.skills.exists()


def test_field_errors_show_beside_the_field_and_save_nothing(
    world: World, client_for: ClientFor
) -> None:
    chain = make_chain(world.patient_record)
    first = chain.links.order_by("position").first()
    assert first is not None
    response = client_for(world.patient).post(
        detail_url(chain),
        worksheet_data(
            chain,
            problem_behaviour="",
            repair="kept?",
            **{f"link-{first.public_id}-intensity": "150"},
        ),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "This field is required." in page
    assert "less than or equal to 100" in page
    chain.refresh_from_db()
    assert chain.repair == "" and chain.version == 1


def test_autosave_answers_in_json_and_stops_at_a_stale_version(
    world: World, client_for: ClientFor
) -> None:
    client = client_for(world.patient)
    chain = make_chain(world.patient_record)
    headers = {"HTTP_X_AUTOSAVE": "1"}

    # An autosave never adds the link typed in "new link" (that takes the button)
    response = client.post(
        detail_url(chain),
        worksheet_data(chain, prompting_event="Text from Sam", **{"new-text": "half-typed"}),
        **headers,
    )
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["version"] == 2 and re.fullmatch(r"\d\d:\d\d", body["saved_at"])
    assert texts(chain) == ["Ashamed", "Went to my room"]

    # Another tab still at version 1
    stale = worksheet_data(chain, prompting_event="Older text", version="1")
    response = client.post(detail_url(chain), stale, **headers)
    assert response.status_code == 409
    assert json.loads(response.content)["version"] == 2
    chain.refresh_from_db()
    assert chain.prompting_event == "Text from Sam"

    # Invalid input: 400 with the field errors
    response = client.post(
        detail_url(chain), worksheet_data(chain, problem_behaviour=""), **headers
    )
    assert response.status_code == 400
    assert "problem_behaviour" in json.loads(response.content)["fields"]


def test_a_stale_save_without_javascript_keeps_what_was_typed(
    world: World, client_for: ClientFor
) -> None:
    client = client_for(world.patient)
    chain = make_chain(world.patient_record)
    client.post(detail_url(chain), worksheet_data(chain, repair="From the phone"))

    response = client.post(
        detail_url(chain), worksheet_data(chain, repair="From the laptop", version="1")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "changed somewhere else" in page and "From the laptop" in page
    assert 'name="version" value="2"' in page
    # Saving again on purpose keeps it
    client.post(detail_url(chain), worksheet_data(chain, repair="From the laptop", version="2"))
    chain.refresh_from_db()
    assert chain.repair == "From the laptop"


def test_share_then_read_only(world: World, client_for: ClientFor) -> None:
    client = client_for(world.patient)
    chain = make_chain(world.patient_record)
    response = client.post(detail_url(chain), worksheet_data(chain, op="share"))
    assert response["Location"] == reverse("chains:share", kwargs={"chain_id": chain.public_id})
    assert client.get(response["Location"]).status_code == 200
    client.post(response["Location"])
    chain.refresh_from_db()
    assert chain.status == ChainStatus.SHARED

    page = client.get(detail_url(chain)).content.decode()
    assert 'id="chain-form"' not in page and "Shared with your care team" in page
    response = client.post(detail_url(chain), worksheet_data(chain, repair="late change"))
    assert response.status_code == 302
    chain.refresh_from_db()
    assert chain.repair == ""


def test_discarding_a_draft(world: World, client_for: ClientFor) -> None:
    chain = make_chain(world.patient_record)
    response = client_for(world.patient).post(
        reverse("chains:discard", kwargs={"chain_id": chain.public_id})
    )
    assert response["Location"] == reverse("chains:mine")
    assert not ChainAnalysis.objects.filter(pk=chain.pk).exists()


# --- the care team -------------------------------------------------------------------------------


def test_the_therapist_never_sees_drafts(world: World, client_for: ClientFor) -> None:
    draft = make_chain(world.patient_record, problem_behaviour="Private draft")
    shared = make_chain(world.patient_record, shared=True, problem_behaviour="Shared one")
    client = client_for(world.therapist)

    assert client.get(detail_url(draft)).status_code == 404
    listing = client.get(
        reverse("chains:patient_chains", kwargs={"patient_id": world.patient_record.public_id})
    ).content.decode()
    assert "Shared one" in listing and "Private draft" not in listing
    assert client.get(detail_url(shared)).status_code == 200


def test_a_therapists_read_is_in_the_access_log(world: World, client_for: ClientFor) -> None:
    shared = make_chain(world.patient_record, shared=True)
    client_for(world.therapist).get(detail_url(shared))
    log = AccessLog.objects.filter(actor=world.therapist, resource="chains.view").get()
    assert log.patient_id == world.patient_record.pk


def test_the_patient_page_links_to_shared_chains(world: World, client_for: ClientFor) -> None:
    url = reverse("care:patient_detail", kwargs={"patient_id": world.patient_record.public_id})
    page = client_for(world.therapist).get(url).content.decode()
    assert (
        reverse("chains:patient_chains", kwargs={"patient_id": world.patient_record.public_id})
        in page
    )


def test_the_therapist_comments_on_a_link_and_the_patient_sees_it(
    world: World, client_for: ClientFor
) -> None:
    chain = make_chain(world.patient_record, shared=True)
    link = chain.links.order_by("position").first()
    assert link is not None
    url = reverse("chains:comment", kwargs={"chain_id": chain.public_id, "link_id": link.public_id})

    response = client_for(world.therapist).post(url, {"text": "<b>Notice</b> the shame here"})
    assert response["Location"].endswith(f"#link-{link.public_id}")
    assert LinkComment.objects.get(link=link).author == world.therapist

    page = client_for(world.patient).get(detail_url(chain)).content.decode()
    # Free text is escaped, never rendered as HTML
    assert "&lt;b&gt;Notice&lt;/b&gt; the shame here" in page
    assert "<b>Notice</b>" not in page

    # An empty comment: the error beside the field, nothing stored
    response = client_for(world.therapist).post(url, {"text": "   "})
    assert response.status_code == 400
    assert LinkComment.objects.count() == 1


def test_the_facilitator_reads_a_shared_chain_but_cannot_comment(
    world: World, client_for: ClientFor
) -> None:
    chain = make_chain(world.patient_record, shared=True)
    link = chain.links.first()
    assert link is not None
    client = client_for(world.facilitator)
    page = client.get(detail_url(chain)).content.decode()
    assert "Comment on this link" not in page
    url = reverse("chains:comment", kwargs={"chain_id": chain.public_id, "link_id": link.public_id})
    assert client.post(url, {"text": "hi"}).status_code == 404


def test_user_text_is_escaped_everywhere(world: World, client_for: ClientFor) -> None:
    evil = '<script>alert("x")</script>'
    chain = make_chain(
        world.patient_record,
        shared=True,
        problem_behaviour=evil,
        prompting_event=evil,
        links=(("thought", evil),),
    )
    for user, url in [
        (world.patient, detail_url(chain)),
        (world.therapist, detail_url(chain)),
        (world.patient, reverse("chains:mine")),
        (
            world.therapist,
            reverse("chains:patient_chains", kwargs={"patient_id": world.patient_record.public_id}),
        ),
    ]:
        page = client_for(user).get(url).content.decode()
        assert evil not in page, url
        assert "&lt;script&gt;" in page, url


# --- query counts --------------------------------------------------------------------------------


def _queries(client: Client, url: str) -> int:
    client.get(url)  # the first request of a session does some once-only work
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_pages_do_not_grow_queries_with_links_comments_or_chains(
    world: World, client_for: ClientFor
) -> None:
    therapist = client_for(world.therapist)
    patient = client_for(world.patient)
    small = make_chain(world.patient_record, shared=True, links=(("thought", "a"),))
    big = make_chain(
        world.patient_record, shared=True, links=tuple(("thought", f"t{n}") for n in range(8))
    )
    for link in big.links.all():
        link.skills.add(builtin_skill("tip"))
        LinkComment.objects.create(link=link, author=world.therapist, text="c")
    assert _queries(therapist, detail_url(small)) == _queries(therapist, detail_url(big))

    draft_small = make_chain(world.patient_record, links=(("thought", "a"),))
    draft_big = make_chain(
        world.patient_record, links=tuple(("thought", f"t{n}") for n in range(8))
    )
    for link in draft_big.links.all():
        link.skills.add(builtin_skill("stop"))
    assert _queries(patient, detail_url(draft_small)) == _queries(patient, detail_url(draft_big))

    listing = reverse(
        "chains:patient_chains", kwargs={"patient_id": world.patient_record.public_id}
    )
    before = _queries(therapist, listing)
    make_chain(world.patient_record, shared=True)
    assert _queries(therapist, listing) == before
    mine = reverse("chains:mine")
    before = _queries(patient, mine)
    make_chain(world.patient_record)
    assert _queries(patient, mine) == before
