"""The worksheet's writes: starting from a diary day, versions, link order, skills, sharing
and comments."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from chains import actions
from chains.actions import LinkValues, StaleVersion
from chains.models import ChainAnalysis, ChainLink, ChainStatus
from core.actions import ActionError
from core.testing.factories import builtin_skill, make_chain, make_organisation, make_skill
from core.testing.personas import World
from diary.cards import local_today

pytestmark = pytest.mark.django_db


def texts(chain: ChainAnalysis) -> list[str]:
    return [link.text for link in ChainLink.objects.filter(chain=chain).order_by("position")]


def positions(chain: ChainAnalysis) -> list[int]:
    return list(
        ChainLink.objects.filter(chain=chain)
        .order_by("position")
        .values_list("position", flat=True)
    )


# --- starting from a diary day -------------------------------------------------------------------


def test_starting_from_a_diary_day_copies_the_card_and_the_acted_on_behaviour(
    world: World, acted_day: date
) -> None:
    chain = actions.start_chain(world.patient, world.patient_record, day=acted_day)

    assert chain.problem_behaviour == "Self-harm (scratched arm)"
    assert chain.day == acted_day
    assert chain.from_card is not None and chain.from_card.date == acted_day
    snapshot = chain.day_snapshot
    assert snapshot["date"] == acted_day.isoformat()
    assert snapshot["acted"] == [{"name": "Self-harm", "detail": "scratched arm", "urge": 4}]
    assert {"name": "Alcohol or drugs", "urge": 2} in snapshot["urges"]
    assert snapshot["emotions"] == [
        {"name": "Sadness", "rating": 3},
        {"name": "Shame", "rating": 4},
    ]
    assert snapshot["sleep_hours"] == "5.5"


def test_a_given_behaviour_wins_over_the_prefill(world: World, acted_day: date) -> None:
    chain = actions.start_chain(
        world.patient, world.patient_record, problem_behaviour="  Hit the wall ", day=acted_day
    )
    assert chain.problem_behaviour == "Hit the wall"
    assert chain.day_snapshot["acted"][0]["name"] == "Self-harm"


def test_the_snapshot_does_not_follow_later_changes_to_the_card(
    world: World, acted_day: date
) -> None:
    chain = actions.start_chain(world.patient, world.patient_record, day=acted_day)
    chain.from_card.sleep_hours = 9  # type: ignore[union-attr]
    chain.from_card.save()  # type: ignore[union-attr]
    chain.refresh_from_db()
    assert chain.day_snapshot["sleep_hours"] == "5.5"


@pytest.mark.parametrize("offset, message", [(1, "not happened"), (-5, "no diary card")])
def test_a_day_without_a_card_or_in_the_future_is_refused(
    world: World, offset: int, message: str
) -> None:
    day = local_today(world.patient_record.time_zone) + timedelta(days=offset)
    with pytest.raises(ActionError, match=message) as caught:
        actions.start_chain(world.patient, world.patient_record, problem_behaviour="x", day=day)
    assert caught.value.field == "day"
    assert not ChainAnalysis.objects.exists()


@pytest.mark.parametrize("behaviour", ["", "   ", "x" * 301])
def test_the_problem_behaviour_is_required_and_limited(world: World, behaviour: str) -> None:
    with pytest.raises(ActionError) as caught:
        actions.start_chain(world.patient, world.patient_record, problem_behaviour=behaviour)
    assert caught.value.field == "problem_behaviour"


# --- versions ------------------------------------------------------------------------------------


def test_a_save_raises_the_version_and_a_stale_version_is_refused(world: World) -> None:
    chain = make_chain(world.patient_record)
    assert chain.version == 1

    saved = actions.save_chain(
        world.patient, chain, version=1, sections={"prompting_event": "  A text from my ex "}
    )
    assert saved.version == 2
    assert saved.prompting_event == "A text from my ex"

    # A second writer still holding version 1 overwrites nothing.
    with pytest.raises(StaleVersion) as caught:
        actions.save_chain(world.patient, chain, version=1, sections={"prompting_event": "Older"})
    assert caught.value.current == 2
    chain.refresh_from_db()
    assert (chain.prompting_event, chain.version) == ("A text from my ex", 2)


def test_a_stale_save_that_changes_nothing_is_not_a_conflict(world: World) -> None:
    # Given a chain whose text was autosaved (version 2)
    chain = make_chain(world.patient_record)
    link = chain.links.first()
    assert link is not None
    same_link = {str(link.public_id): LinkValues(link.kind, link.text)}
    actions.save_chain(world.patient, chain, version=1, sections={"prompting_event": "Sam"})
    # When a button press still carrying version 1 posts the same text
    saved = actions.save_chain(
        world.patient, chain, version=1, sections={"prompting_event": " Sam "}, links=same_link
    )
    # Then nothing is refused, and nothing is written: the version stays
    assert saved.version == 2
    # But any difference, in the text or a link, is a conflict
    with pytest.raises(StaleVersion):
        actions.save_chain(world.patient, chain, version=1, sections={"prompting_event": "Al"})
    changed_link = {str(link.public_id): LinkValues(link.kind, link.text + "!")}
    with pytest.raises(StaleVersion):
        actions.save_chain(world.patient, chain, version=1, sections={}, links=changed_link)
    # And so is a stale save naming a link deleted since, or with invalid text
    with pytest.raises(StaleVersion):
        actions.save_chain(
            world.patient,
            chain,
            version=1,
            sections={},
            links={str(uuid.uuid4()): same_link[str(link.public_id)]},
        )
    with pytest.raises(StaleVersion):
        actions.save_chain(world.patient, chain, version=1, sections={"problem_behaviour": ""})
    chain.refresh_from_db()
    assert (chain.prompting_event, chain.version) == ("Sam", 2)


def test_a_stale_worksheet_may_share_but_not_change_the_links(world: World) -> None:
    chain = make_chain(world.patient_record)
    actions.save_chain(world.patient, chain, version=1, sections={"prompting_event": "Sam"})
    unchanged = {"sections": {"prompting_event": "Sam"}, "links": {}}
    # Sharing (or saving) unchanged text from a page at version 1 goes through
    for verb in ("save", "share"):
        step = actions.WorksheetStep(verb=verb)
        actions.save_worksheet(world.patient, chain, version=1, step=step, **unchanged)
    # Adding or moving a link from it does not: the page does not show the links as they are
    link = chain.links.first()
    assert link is not None
    with pytest.raises(StaleVersion):
        actions.save_worksheet(
            world.patient, chain, version=1, new_link=LinkValues("thought", "Late"), **unchanged
        )
    with pytest.raises(StaleVersion):
        step = actions.WorksheetStep(verb="up", link=link)
        actions.save_worksheet(world.patient, chain, version=1, step=step, **unchanged)
    chain.refresh_from_db()
    assert chain.version == 2 and chain.links.count() == 2


def test_every_link_change_raises_the_version(world: World) -> None:
    chain = make_chain(world.patient_record)
    link = chain.links.first()
    assert link is not None
    actions.add_link(world.patient, chain, LinkValues("thought", "They hate me"))
    actions.move_link(world.patient, link, 2)
    actions.delete_link(world.patient, link)
    chain.refresh_from_db()
    assert chain.version == 4


def test_saving_edits_links_by_id_in_one_version(world: World) -> None:
    chain = make_chain(world.patient_record)
    first, second = ChainLink.objects.filter(chain=chain).order_by("position")
    actions.save_chain(
        world.patient,
        chain,
        version=1,
        sections={},
        links={
            str(first.public_id): LinkValues("feeling", " Shame ", 80, "Opposite action"),
            str(second.public_id): LinkValues("action", "Went to my room"),
        },
    )
    first.refresh_from_db()
    assert (first.text, first.intensity, first.alternative) == ("Shame", 80, "Opposite action")
    chain.refresh_from_db()
    assert chain.version == 2


@pytest.mark.parametrize(
    "values, field",
    [
        (LinkValues("dream", "x"), "kind"),
        (LinkValues("thought", "  "), "text"),
        (LinkValues("thought", "x", intensity=101), "intensity"),
        (LinkValues("thought", "x" * 1001), "text"),
    ],
)
def test_link_values_are_checked(world: World, values: LinkValues, field: str) -> None:
    chain = make_chain(world.patient_record)
    with pytest.raises(ActionError) as caught:
        actions.add_link(world.patient, chain, values)
    assert caught.value.field == field


# --- link order ----------------------------------------------------------------------------------


def test_links_are_added_at_the_end_or_at_a_position(world: World) -> None:
    chain = make_chain(world.patient_record, links=(("event", "A"), ("thought", "B")))
    actions.add_link(world.patient, chain, LinkValues("action", "D"))
    actions.add_link(world.patient, chain, LinkValues("feeling", "C"), position=2)
    actions.add_link(world.patient, chain, LinkValues("event", "Start"), position=0)
    assert texts(chain) == ["Start", "A", "B", "C", "D"]
    assert positions(chain) == [0, 1, 2, 3, 4]


@pytest.mark.parametrize(
    "moved, to, expected",
    [
        ("A", 2, ["B", "C", "A", "D"]),
        ("D", 0, ["D", "A", "B", "C"]),
        ("B", 1, ["A", "B", "C", "D"]),
        ("C", 99, ["A", "B", "D", "C"]),  # clamped to the end
    ],
)
def test_moving_a_link_closes_up_the_others(
    world: World, moved: str, to: int, expected: list[str]
) -> None:
    chain = make_chain(
        world.patient_record,
        links=(("event", "A"), ("thought", "B"), ("feeling", "C"), ("action", "D")),
    )
    link = ChainLink.objects.get(chain=chain, text=moved)
    actions.move_link(world.patient, link, to)
    assert texts(chain) == expected
    assert positions(chain) == [0, 1, 2, 3]


def test_deleting_a_link_renumbers_the_rest(world: World) -> None:
    chain = make_chain(
        world.patient_record, links=(("event", "A"), ("thought", "B"), ("feeling", "C"))
    )
    actions.delete_link(world.patient, ChainLink.objects.get(chain=chain, text="A"))
    assert texts(chain) == ["B", "C"]
    assert positions(chain) == [0, 1]


def test_worksheet_steps_move_up_and_down(world: World) -> None:
    chain = make_chain(
        world.patient_record, links=(("event", "A"), ("thought", "B"), ("feeling", "C"))
    )
    b = ChainLink.objects.get(chain=chain, text="B")
    saved = actions.save_worksheet(
        world.patient,
        chain,
        version=1,
        sections={},
        links={},
        step=actions.WorksheetStep("up", b),
    )
    assert texts(chain) == ["B", "A", "C"]
    actions.save_worksheet(
        world.patient,
        chain,
        version=saved.version,
        sections={},
        links={},
        new_link=LinkValues("action", "D"),
        step=actions.WorksheetStep("down", b),
    )
    assert texts(chain) == ["A", "B", "C", "D"]


def test_a_worksheet_press_is_all_or_nothing(world: World) -> None:
    chain = make_chain(world.patient_record)
    with pytest.raises(ActionError):
        actions.save_worksheet(
            world.patient,
            chain,
            version=1,
            sections={"prompting_event": "Saved only with the link"},
            links={},
            new_link=LinkValues("thought", "x", intensity=500),
        )
    chain.refresh_from_db()
    assert (chain.prompting_event, chain.version) != ("Saved only with the link", 2)
    assert chain.version == 1


# --- skills --------------------------------------------------------------------------------------


def test_skills_from_the_library_are_picked_per_link(world: World) -> None:
    chain = make_chain(world.patient_record)
    link = ChainLink.objects.filter(chain=chain).first()
    assert link is not None
    tip, stop = builtin_skill("tip"), builtin_skill("stop")
    clinic = make_skill(world.organisation, name="Our grounding")
    for skill in (tip, stop, clinic, tip):  # twice is harmless
        actions.add_link_skill(world.patient, link, skill)
    assert set(link.skills.all()) == {tip, stop, clinic}
    actions.remove_link_skill(world.patient, link, stop)
    assert set(link.skills.all()) == {tip, clinic}


def test_another_clinics_skill_cannot_be_picked(world: World) -> None:
    chain = make_chain(world.patient_record)
    link = ChainLink.objects.filter(chain=chain).first()
    assert link is not None
    theirs = make_skill(make_organisation())
    with pytest.raises(ActionError, match="not in your library"):
        actions.add_link_skill(world.patient, link, theirs)
    assert not link.skills.exists()


# --- sharing and comments ------------------------------------------------------------------------


def test_sharing_makes_the_chain_read_only(world: World) -> None:
    chain = make_chain(world.patient_record)
    shared = actions.share_chain(world.patient, chain)
    assert shared.status == ChainStatus.SHARED and shared.shared_at is not None
    link = ChainLink.objects.filter(chain=chain).first()
    assert link is not None
    with pytest.raises(ActionError, match="shared"):
        actions.save_chain(world.patient, chain, version=shared.version, sections={"repair": "x"})
    with pytest.raises(ActionError, match="shared"):
        actions.add_link(world.patient, chain, LinkValues("thought", "x"))
    with pytest.raises(ActionError, match="shared"):
        actions.delete_link(world.patient, link)
    with pytest.raises(ActionError, match="shared"):
        actions.discard_chain(world.patient, chain)


def test_a_chain_without_links_cannot_be_shared(world: World) -> None:
    chain = make_chain(world.patient_record, links=())
    with pytest.raises(ActionError, match="at least one link"):
        actions.share_chain(world.patient, chain)
    chain.refresh_from_db()
    assert chain.is_draft


def test_comments_only_on_shared_chains(world: World) -> None:
    draft = make_chain(world.patient_record)
    link = ChainLink.objects.filter(chain=draft).first()
    assert link is not None
    with pytest.raises(ActionError, match="once the chain is shared"):
        actions.comment_on_link(world.therapist, link, "Too early")

    shared = make_chain(world.patient_record, shared=True)
    link = ChainLink.objects.filter(chain=shared).first()
    assert link is not None
    comment = actions.comment_on_link(world.therapist, link, "  What did you feel here? ")
    assert comment.text == "What did you feel here?"
    with pytest.raises(ActionError):
        actions.comment_on_link(world.therapist, link, " ")
