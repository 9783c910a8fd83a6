"""Every write of the chain-analysis worksheet.

Each change to a draft raises its ``version`` by one. ``save_chain`` takes the version
the writer last saw and refuses with ``StaleVersion`` when the chain has moved on since
(another tab, the app) and the save would change something, so one save never silently
overwrites another. Link changes lock the chain row, so two reorders cannot interleave.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from care.models import Patient
from chains.models import (
    ALTERNATIVE_MAX,
    BEHAVIOUR_MAX,
    COMMENT_MAX,
    INTENSITY_MAX,
    LINK_TEXT_MAX,
    LINKS_MAX,
    SECTION_MAX,
    SECTIONS,
    SKILLS_PER_LINK_MAX,
    ChainAnalysis,
    ChainLink,
    ChainStatus,
    LinkComment,
    LinkKind,
)
from chains.prefill import behaviour_from, card_of_day, day_snapshot
from core.actions import ActionError, action
from diary.cards import local_today
from skills.models import Skill


class StaleVersion(ActionError):
    """The chain changed since the writer loaded it; ``current`` is its version now."""

    def __init__(self, current: int) -> None:
        super().__init__(
            _(
                "This chain was changed somewhere else (another window or the app) after you "
                "opened it. Nothing was overwritten."
            ),
            field="version",
        )
        self.current = current


@dataclass(frozen=True)
class LinkValues:
    kind: str
    text: str
    intensity: int | None = None
    alternative: str = ""


# --- checks --------------------------------------------------------------------------------------


def _text(value: str, limit: int, field: str, *, required: bool = False) -> str:
    value = value.strip()
    if required and not value:
        raise ActionError(_("This field is required."), field=field)
    if len(value) > limit:
        raise ActionError(
            _("Keep this to %(n)d characters (it has %(m)d).") % {"n": limit, "m": len(value)},
            field=field,
        )
    return value


def _link_values(values: LinkValues, prefix: str = "") -> LinkValues:
    if values.kind not in LinkKind.values:
        raise ActionError(_("Choose what kind of link this is."), field=f"{prefix}kind")
    intensity = values.intensity
    if intensity is not None and (
        isinstance(intensity, bool) or not 0 <= intensity <= INTENSITY_MAX
    ):
        raise ActionError(_("Choose a number from 0 to 100."), field=f"{prefix}intensity")
    return LinkValues(
        kind=values.kind,
        text=_text(values.text, LINK_TEXT_MAX, f"{prefix}text", required=True),
        intensity=intensity,
        alternative=_text(values.alternative, ALTERNATIVE_MAX, f"{prefix}alternative"),
    )


def _check_skill(chain: ChainAnalysis, skill: Skill, field: str = "skills") -> None:
    if not skill.is_active or skill.organisation_id not in (None, chain.patient.organisation_id):
        raise ActionError(_("This skill is not in your library."), field=field)


def _lock_draft(chain: ChainAnalysis) -> ChainAnalysis:
    """The chain's row, locked for this transaction; refuses a chain already shared."""
    locked = ChainAnalysis.objects.select_for_update().select_related("patient").get(pk=chain.pk)
    if locked.status != ChainStatus.DRAFT:
        raise ActionError(_("This chain has been shared and can no longer be changed."))
    return locked


def _bump(chain: ChainAnalysis) -> None:
    """One more version of ``chain`` (locked by the caller); updates the instance."""
    now = timezone.now()
    ChainAnalysis.objects.filter(pk=chain.pk).update(version=F("version") + 1, updated_at=now)
    chain.version += 1
    chain.updated_at = now


def _renumber(chain: ChainAnalysis, ordered: Sequence[ChainLink]) -> None:
    changed = []
    for position, link in enumerate(ordered):
        if link.position != position:
            link.position = position
            changed.append(link)
    if changed:
        ChainLink.objects.bulk_update(changed, ["position"])


def _links(chain: ChainAnalysis) -> list[ChainLink]:
    return list(ChainLink.objects.filter(chain=chain).order_by("position", "id"))


# --- the chain -----------------------------------------------------------------------------------


@action
def start_chain(
    actor: User, patient: Patient, *, problem_behaviour: str = "", day: date | None = None
) -> ChainAnalysis:
    """Start a draft. From a diary day, the day's card is copied into the snapshot and, if
    no behaviour is given, the targets acted on that day become the problem behaviour."""
    snapshot: dict[str, object] = {}
    card = None
    if day is not None:
        if day > local_today(patient.time_zone):
            raise ActionError(_("This day has not happened yet."), field="day")
        card = card_of_day(patient, day)
        if card is None:
            raise ActionError(_("There is no diary card for this day."), field="day")
        snapshot = day_snapshot(card)
        if not problem_behaviour.strip():
            problem_behaviour = behaviour_from(snapshot)
    behaviour = _text(problem_behaviour, BEHAVIOUR_MAX, "problem_behaviour", required=True)
    return ChainAnalysis.objects.create(
        patient=patient,
        problem_behaviour=behaviour,
        day=day,
        from_card=card,
        day_snapshot=snapshot,
        created_by=actor,
    )


@action
def save_chain(
    actor: User,
    chain: ChainAnalysis,
    *,
    version: int,
    sections: Mapping[str, str],
    links: Mapping[str, LinkValues] | None = None,
) -> ChainAnalysis:
    """Save the worksheet's text (any of ``SECTIONS``) and, optionally, edits of existing
    links (by public id), as one new version. ``version`` is the one the writer loaded: a
    save based on an older one is refused, unless it changes nothing (a button pressed just
    as the autosave of the same text got back: nothing can be overwritten)."""
    locked = _lock_draft(chain)
    stale = version != locked.version
    try:
        texts = _section_texts(sections)
        edits = _link_edits(locked, links or {})
    except ActionError:
        if stale:
            raise StaleVersion(locked.version) from None
        raise
    if stale:
        if any(getattr(locked, name) != value for name, value in texts.items()) or any(
            _link_state(link) != _link_state(clean) for link, clean in edits
        ):
            raise StaleVersion(locked.version)
        return locked
    for name, value in texts.items():
        setattr(locked, name, value)
    if texts:
        locked.save(update_fields=list(texts))
    for link, clean in edits:
        link.kind, link.text = clean.kind, clean.text
        link.intensity, link.alternative = clean.intensity, clean.alternative
        link.updated_at = timezone.now()
    if edits:
        ChainLink.objects.bulk_update(
            [link for link, _clean in edits],
            ["kind", "text", "intensity", "alternative", "updated_at"],
        )
    _bump(locked)
    return locked


def _section_texts(sections: Mapping[str, str]) -> dict[str, str]:
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        raise ActionError(_("Unknown section: %(s)s.") % {"s": ", ".join(sorted(unknown))})
    return {
        name: _text(value, BEHAVIOUR_MAX, name, required=True)
        if name == "problem_behaviour"
        else _text(value, SECTION_MAX, name)
        for name, value in sections.items()
    }


def _link_edits(
    chain: ChainAnalysis, links: Mapping[str, LinkValues]
) -> list[tuple[ChainLink, LinkValues]]:
    """Each edited link with its checked values."""
    if not links:
        return []
    existing = {str(link.public_id): link for link in _links(chain)}
    edits = []
    for public_id, values in links.items():
        link = existing.get(public_id)
        if link is None:
            raise ActionError(_("This link is no longer in the chain."), field="links")
        edits.append((link, _link_values(values, prefix=f"link-{public_id}-")))
    return edits


def _link_state(link: ChainLink | LinkValues) -> tuple[str, str, int | None, str]:
    return (link.kind, link.text, link.intensity, link.alternative)


@action
def share_chain(actor: User, chain: ChainAnalysis) -> ChainAnalysis:
    """Share a finished chain with the care team; from then on it is read-only."""
    locked = _lock_draft(chain)
    if not ChainLink.objects.filter(chain=locked).exists():
        raise ActionError(
            _("Add at least one link to the chain before you share it."), field="links"
        )
    locked.status = ChainStatus.SHARED
    locked.shared_at = timezone.now()
    locked.version += 1
    locked.save(update_fields=["status", "shared_at", "version", "updated_at"])
    return locked


@action
def discard_chain(actor: User, chain: ChainAnalysis) -> None:
    """Delete a draft (a shared chain is part of the record and stays)."""
    locked = _lock_draft(chain)
    locked.delete()


# --- links ---------------------------------------------------------------------------------------


@action
def add_link(
    actor: User,
    chain: ChainAnalysis,
    values: LinkValues,
    *,
    skills: Sequence[Skill] = (),
    position: int | None = None,
) -> ChainLink:
    """Add a link at ``position`` (0 is first; the end if ``None``)."""
    locked = _lock_draft(chain)
    clean = _link_values(values)
    ordered = _links(locked)
    if len(ordered) >= LINKS_MAX:
        raise ActionError(_("A chain holds at most %(n)d links.") % {"n": LINKS_MAX}, field="text")
    if len(skills) > SKILLS_PER_LINK_MAX:
        raise ActionError(
            _("Pick at most %(n)d skills for one link.") % {"n": SKILLS_PER_LINK_MAX},
            field="skills",
        )
    for skill in skills:
        _check_skill(locked, skill)
    link = ChainLink.objects.create(
        chain=locked,
        position=len(ordered),
        kind=clean.kind,
        text=clean.text,
        intensity=clean.intensity,
        alternative=clean.alternative,
    )
    if skills:
        link.skills.set(skills)
    if position is not None:
        ordered.insert(max(0, min(position, len(ordered))), link)
        _renumber(locked, ordered)
    _bump(locked)
    return link


@action
def update_link(
    actor: User, link: ChainLink, values: LinkValues, *, skills: Sequence[Skill] | None = None
) -> ChainLink:
    """Change a link's kind, text, intensity and free-text alternative, and (if given) its
    skills."""
    locked = _lock_draft(link.chain)
    clean = _link_values(values)
    link.kind, link.text = clean.kind, clean.text
    link.intensity, link.alternative = clean.intensity, clean.alternative
    link.save(update_fields=["kind", "text", "intensity", "alternative", "updated_at"])
    if skills is not None:
        if len(skills) > SKILLS_PER_LINK_MAX:
            raise ActionError(
                _("Pick at most %(n)d skills for one link.") % {"n": SKILLS_PER_LINK_MAX},
                field="skills",
            )
        for skill in skills:
            _check_skill(locked, skill)
        link.skills.set(skills)
    _bump(locked)
    link.chain = locked
    return link


@action
def move_link(actor: User, link: ChainLink, position: int) -> ChainLink:
    """Move a link to ``position`` (0 is first; clamped to the chain); the others close up."""
    locked = _lock_draft(link.chain)
    ordered = [other for other in _links(locked) if other.pk != link.pk]
    target = max(0, min(position, len(ordered)))
    current = next(other for other in _links(locked) if other.pk == link.pk)
    ordered.insert(target, current)
    _renumber(locked, ordered)
    _bump(locked)
    current.chain = locked
    return current


@action
def delete_link(actor: User, link: ChainLink) -> None:
    locked = _lock_draft(link.chain)
    ChainLink.objects.filter(pk=link.pk).delete()
    _renumber(locked, _links(locked))
    _bump(locked)


@action
def add_link_skill(actor: User, link: ChainLink, skill: Skill) -> None:
    """Add a skill from the library as a skilful alternative to this link."""
    locked = _lock_draft(link.chain)
    _check_skill(locked, skill, field=f"link-{link.public_id}-skill")
    if link.skills.filter(pk=skill.pk).exists():
        return
    if link.skills.count() >= SKILLS_PER_LINK_MAX:
        raise ActionError(
            _("Pick at most %(n)d skills for one link.") % {"n": SKILLS_PER_LINK_MAX},
            field=f"link-{link.public_id}-skill",
        )
    link.skills.add(skill)
    _bump(locked)


@action
def remove_link_skill(actor: User, link: ChainLink, skill: Skill) -> None:
    locked = _lock_draft(link.chain)
    link.skills.remove(skill)
    _bump(locked)


# --- comments ------------------------------------------------------------------------------------


@action
def comment_on_link(actor: User, link: ChainLink, text: str) -> LinkComment:
    """Comment on one link of a shared chain (the care team's clinicians, or the patient)."""
    if link.chain.status != ChainStatus.SHARED:
        raise ActionError(_("Comments can be added once the chain is shared."))
    return LinkComment.objects.create(
        link=link, author=actor, text=_text(text, COMMENT_MAX, "text", required=True)
    )


# --- the worksheet page: one form, one transaction -----------------------------------------------


@dataclass(frozen=True)
class WorksheetStep:
    """What a button on the worksheet asks for besides saving: ``add`` a link, move a link
    ``up`` or ``down``, ``delete`` it, or ``unskill`` (take a skill off a link)."""

    verb: str = "save"
    link: ChainLink | None = None
    skill: Skill | None = None


@action
def save_worksheet(
    actor: User,
    chain: ChainAnalysis,
    *,
    version: int,
    sections: Mapping[str, str],
    links: Mapping[str, LinkValues],
    new_link: LinkValues | None = None,
    new_skills: Mapping[str, Skill] | None = None,
    step: WorksheetStep | None = None,
) -> ChainAnalysis:
    """Everything one press of a worksheet button does, all or nothing: save the text
    (refused on a stale ``version``), add the skills typed under links, add the new link,
    then the button's own step. A change to the links must be based on the current version
    (what the writer saw); saving or sharing unchanged text need not (see ``save_chain``)."""
    step_changes_links = step is not None and step.verb not in ("save", "share")
    if new_link is not None or new_skills or step_changes_links:
        current = _lock_draft(chain).version
        if version != current:
            raise StaleVersion(current)
    saved = save_chain(actor, chain, version=version, sections=sections, links=links)
    by_id = {str(link.public_id): link for link in _links(saved)}
    for link_id, skill in (new_skills or {}).items():
        link = by_id[link_id]
        link.chain = saved
        add_link_skill(actor, link, skill)
    if new_link is not None:
        add_link(actor, saved, new_link)
    step = step or WorksheetStep()
    if step.link is not None:
        step.link.chain = saved
        if step.verb in ("up", "down"):
            position = next(i for i, other in enumerate(_links(saved)) if other.pk == step.link.pk)
            move_link(actor, step.link, position - 1 if step.verb == "up" else position + 1)
        elif step.verb == "delete":
            delete_link(actor, step.link)
        elif step.verb == "unskill" and step.skill is not None:
            remove_link_skill(actor, step.link, step.skill)
    saved.refresh_from_db()
    return saved
