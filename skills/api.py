"""API operations for the skills library, favourites, the practice log and the coach."""

from typing import Literal

from django.utils import timezone
from ninja import Query, Router, Status
from ninja.pagination import PageNumberPagination, paginate

from core.idempotency import idempotent
from core.requests import AuthenticatedRequest
from policy.api import operation
from skills import actions, coach
from skills.access import (
    access_own_practices,
    access_patient_practices,
    access_skill,
    own_patient,
    visible_skills,
)
from skills.models import Practice, PracticeSource, Skill
from skills.queries import (
    LibraryQuery,
    SkillSummary,
    coach_histories,
    is_favourite,
    library,
    practice_summary,
)
from skills.schemas import (
    CoachIn,
    CoachOut,
    FavouriteOut,
    PersonalRecordOut,
    PracticeIn,
    PracticeOut,
    ProposalOut,
    SkillOut,
    SkillQuery,
    SkillSummaryOut,
)
from skills.views import safety_plan_url

router = Router(tags=["skills"])

TIERS: dict[int, Literal["crisis", "situation", "general"]] = {
    coach.CRISIS: "crisis",
    coach.SITUATION: "situation",
    coach.GENERAL: "general",
}


def skill_out(skill: Skill, favourite: bool | None) -> SkillOut:
    return SkillOut(
        id=skill.public_id,
        slug=skill.slug,
        name=skill.name,
        acronym=skill.acronym,
        module=skill.module,
        summary=skill.summary,
        when=skill.when,
        steps=list(skill.steps),
        example=skill.example,
        minutes=skill.minutes,
        situations=list(skill.situations),
        references=list(skill.references),
        caution=skill.caution,
        clinic_skill=skill.organisation_id is not None,
        favourite=favourite,
    )


def practice_out(practice: Practice) -> PracticeOut:
    return PracticeOut(
        id=practice.public_id,
        skill=practice.skill.public_id,
        skill_name=practice.skill.name,
        practised_at=practice.practised_at,
        day=practice.day,
        distress_before=practice.distress_before,
        distress_after=practice.distress_after,
        note=practice.note,
        on_card=practice.on_card,
    )


def summary_out(row: SkillSummary) -> SkillSummaryOut:
    return SkillSummaryOut(
        skill=row.skill.public_id,
        skill_name=row.skill.name,
        count=row.count,
        helped=row.helped,
        mean_before=round(row.mean_before, 1),
        mean_after=round(row.mean_after, 1),
        mean_change=round(row.mean_after - row.mean_before, 1),
        last=row.last,
    )


# --- the library (everyone signed in) ------------------------------------------------------------


@router.get("/skills", response=list[SkillOut], operation_id="list_skills")
@operation("skills.view_library")
@paginate(PageNumberPagination)
def list_skills(request: AuthenticatedRequest, query: Query[SkillQuery]) -> list[SkillOut]:
    """Search the library; a patient's favourites come first."""
    patient = own_patient(request) if request.user.has_perm("skills.practise") else None
    skills = library(
        request.user,
        LibraryQuery(
            text=query.q,
            module=query.module or "",
            situation=query.situation or "",
            favourites_only=query.favourites,
        ),
        patient,
    )
    return [
        skill_out(skill, getattr(skill, "is_favourite", None) if patient else None)
        for skill in skills
    ]


# --- the patient's own practice and coach (static paths before /skills/{skill_id}) ---------------


@router.post("/skills/practices", response={201: PracticeOut}, operation_id="record_practice")
@operation("skills.practise")
@idempotent
def record_practice(request: AuthenticatedRequest, payload: PracticeIn) -> Status[PracticeOut]:
    """Log a practice. While that day's diary card can still be filled (today, yesterday),
    the skill is added to the card's skills. Send an ``Idempotency-Key`` so that a retry is
    stored once."""
    patient = own_patient(request)
    skill = access_skill(request, payload.skill)
    practice = actions.record_practice(
        request.user,
        patient,
        skill,
        practised_at=payload.practised_at or timezone.now(),
        distress_before=payload.distress_before,
        distress_after=payload.distress_after,
        note=payload.note,
        source=PracticeSource.API,
    )
    return Status(201, practice_out(practice))


@router.get("/skills/practices", response=list[PracticeOut], operation_id="list_my_practices")
@operation("skills.practise")
@paginate(PageNumberPagination)
def list_my_practices(request: AuthenticatedRequest) -> list[PracticeOut]:
    """The patient's own practices, newest first."""
    patient = access_own_practices(request)
    practices = Practice.objects.filter(patient=patient).select_related("skill")
    return [practice_out(practice) for practice in practices]


@router.post("/skills/coach", response=CoachOut, operation_id="coach_proposals")
@operation("skills.practise")
def coach_proposals(request: AuthenticatedRequest, payload: CoachIn) -> CoachOut:
    """A few skills to try now, each with a reason, re-ranked by what has helped this
    person once they have practised a skill enough (see ``docs/skills.md``). A POST, so that
    how someone feels stays out of URLs and server logs; it stores nothing."""
    patient = access_own_practices(request)
    builtin = {s.slug: s for s in visible_skills(request.user).filter(organisation=None)}
    advice = coach.advise(
        coach.State(
            distress=payload.distress,
            emotion=payload.emotion,
            urge=payload.urge,
            situation=payload.situation,
        ),
        coach_histories(patient),
        frozenset(builtin),
    )
    return CoachOut(
        proposals=[
            ProposalOut(
                skill=builtin[p.slug].public_id,
                slug=p.slug,
                name=builtin[p.slug].name,
                reason=p.reason,
                rule=p.rule,
                tier=TIERS[p.tier],
                personal=(
                    PersonalRecordOut(practices=p.history.count, helped=p.history.helped)
                    if p.history
                    else None
                ),
            )
            for p in advice.proposals
        ],
        safety_plan=advice.safety_plan,
        safety_plan_url=safety_plan_url(),
        personalised=advice.personalised,
    )


# --- one skill ---------------------------------------------------------------------------------


@router.get("/skills/{skill_id}", response=SkillOut, operation_id="get_skill")
@operation("skills.view_library")
def get_skill(request: AuthenticatedRequest, skill_id: str) -> SkillOut:
    skill = access_skill(request, skill_id)
    if request.user.has_perm("skills.practise"):
        return skill_out(skill, is_favourite(own_patient(request), skill))
    return skill_out(skill, None)


@router.put("/skills/{skill_id}/favourite", response=FavouriteOut, operation_id="favourite_skill")
@operation("skills.practise")
def favourite_skill(request: AuthenticatedRequest, skill_id: str) -> FavouriteOut:
    """Star a skill (doing it twice is harmless)."""
    skill = access_skill(request, skill_id)
    actions.set_favourite(request.user, own_patient(request), skill, favourite=True)
    return FavouriteOut(skill=skill.public_id, favourite=True)


@router.delete(
    "/skills/{skill_id}/favourite", response=FavouriteOut, operation_id="unfavourite_skill"
)
@operation("skills.practise")
def unfavourite_skill(request: AuthenticatedRequest, skill_id: str) -> FavouriteOut:
    skill = access_skill(request, skill_id)
    actions.set_favourite(request.user, own_patient(request), skill, favourite=False)
    return FavouriteOut(skill=skill.public_id, favourite=False)


# --- the care team -----------------------------------------------------------------------------


@router.get(
    "/patients/{patient_id}/skills/practices",
    response=list[PracticeOut],
    operation_id="list_patient_practices",
)
@operation("accounts.use_app", object_perm="skills.view_practices")
@paginate(PageNumberPagination)
def list_patient_practices(request: AuthenticatedRequest, patient_id: str) -> list[PracticeOut]:
    """A patient's practices, newest first."""
    patient = access_patient_practices(request, patient_id)
    practices = Practice.objects.filter(patient=patient).select_related("skill")
    return [practice_out(practice) for practice in practices]


@router.get(
    "/patients/{patient_id}/skills/summary",
    response=list[SkillSummaryOut],
    operation_id="patient_practice_summary",
)
@operation("accounts.use_app", object_perm="skills.view_practices")
def patient_practice_summary(
    request: AuthenticatedRequest, patient_id: str
) -> list[SkillSummaryOut]:
    """Per skill: how often, how often distress went down, mean before and after."""
    patient = access_patient_practices(request, patient_id)
    return [summary_out(row) for row in practice_summary(patient)]
