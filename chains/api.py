"""API operations of the chain-analysis worksheet: the patient writes and shares their
chains; the care team reads shared chains and comments link by link."""

from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from chains import actions
from chains.access import (
    access_chain,
    access_commentable_chain,
    access_link,
    access_own_chain,
    access_own_chains,
    access_patient_chains,
    own_patient,
)
from chains.models import ChainAnalysis, LinkComment
from chains.queries import chain_links, own_chains, shared_chains
from chains.schemas import (
    ChainCreateIn,
    ChainOut,
    ChainSummaryOut,
    ChainUpdateIn,
    CommentIn,
    CommentOut,
    LinkCreateIn,
    LinkIn,
    LinkMoveIn,
    LinkOut,
    SkillRefOut,
)
from core.actions import ActionError
from core.idempotency import idempotent
from core.requests import AuthenticatedRequest
from policy.api import operation
from skills.access import visible_skills
from skills.models import Skill

router = Router(tags=["chains"])


def _comment_out(comment: LinkComment, chain: ChainAnalysis) -> CommentOut:
    return CommentOut(
        id=comment.public_id,
        author=comment.author.full_name,
        by_patient=comment.author_id == chain.patient.user_id,
        text=comment.text,
        created_at=comment.created_at,
    )


def chain_out(chain: ChainAnalysis) -> ChainOut:
    return ChainOut(
        id=chain.public_id,
        patient=chain.patient.public_id,
        status=chain.status,  # type: ignore[arg-type]
        version=chain.version,
        problem_behaviour=chain.problem_behaviour,
        day=chain.day,
        day_snapshot=chain.day_snapshot or {},
        prompting_event=chain.prompting_event,
        vulnerabilities=chain.vulnerabilities,
        consequences_short=chain.consequences_short,
        consequences_long=chain.consequences_long,
        prevention=chain.prevention,
        repair=chain.repair,
        links=[
            LinkOut(
                id=link.public_id,
                position=link.position,
                kind=link.kind,  # type: ignore[arg-type]
                text=link.text,
                intensity=link.intensity,
                alternative=link.alternative,
                skills=[SkillRefOut(id=s.public_id, name=s.name) for s in link.skills.all()],
                comments=[_comment_out(c, chain) for c in link.comments.all()],
            )
            for link in chain_links(chain)
        ],
        created_at=chain.created_at,
        updated_at=chain.updated_at,
        shared_at=chain.shared_at,
    )


def summary_out(chain: ChainAnalysis) -> ChainSummaryOut:
    return ChainSummaryOut(
        id=chain.public_id,
        status=chain.status,  # type: ignore[arg-type]
        version=chain.version,
        problem_behaviour=chain.problem_behaviour,
        day=chain.day,
        link_count=getattr(chain, "link_count", 0),
        comment_count=getattr(chain, "comment_count", 0),
        created_at=chain.created_at,
        updated_at=chain.updated_at,
        shared_at=chain.shared_at,
    )


def _skills(request: AuthenticatedRequest, ids: list[UUID]) -> list[Skill]:
    """The library skills ``ids`` names; refuses any the user does not see."""
    found = list(visible_skills(request.user).filter(public_id__in=ids))
    if len(found) != len(set(ids)):
        raise ActionError(_("One of these skills is not in your library."), field="skills")
    return found


def _reloaded(chain: ChainAnalysis) -> ChainOut:
    chain.refresh_from_db()
    return chain_out(chain)


# --- the patient's own chains --------------------------------------------------------------------


@router.get("/chains", response=list[ChainSummaryOut], operation_id="list_my_chains")
@operation("chains.write_own")
@paginate(PageNumberPagination)
def list_my_chains(request: AuthenticatedRequest) -> list[ChainSummaryOut]:
    """The patient's chains, drafts and shared, newest first."""
    patient = access_own_chains(request)
    return [summary_out(chain) for chain in own_chains(patient)]


@router.post("/chains", response={201: ChainOut}, operation_id="create_chain")
@operation("chains.write_own")
@idempotent
def create_chain(request: AuthenticatedRequest, payload: ChainCreateIn) -> Status[ChainOut]:
    """Start a draft, optionally from a diary day (its card's acted-on targets, ratings and
    sleep are copied in). Send an ``Idempotency-Key`` so that a retry starts one chain."""
    chain = actions.start_chain(
        request.user,
        own_patient(request),
        problem_behaviour=payload.problem_behaviour,
        day=payload.day,
    )
    return Status(201, chain_out(chain))


@router.get("/chains/{chain_id}", response=ChainOut, operation_id="get_chain")
@operation("accounts.use_app", object_perm="chains.view")
def get_chain(request: AuthenticatedRequest, chain_id: str) -> ChainOut:
    """A chain with its links, skills and comments: the patient's own (draft or shared), or
    a shared chain of a patient whose record the user reads."""
    return chain_out(access_chain(request, chain_id))


@router.put("/chains/{chain_id}", response=ChainOut, operation_id="update_chain")
@operation("chains.write_own")
def update_chain(request: AuthenticatedRequest, chain_id: str, payload: ChainUpdateIn) -> ChainOut:
    """Change a draft's text. ``version`` is the version the change is based on: if the chain
    has changed since, the answer is 409 and nothing is saved (fetch it again)."""
    chain = access_own_chain(request, chain_id)
    sections = payload.model_dump(exclude={"version"}, exclude_none=True)
    try:
        saved = actions.save_chain(request.user, chain, version=payload.version, sections=sections)
    except actions.StaleVersion as exc:
        raise HttpError(409, exc.message) from exc
    return chain_out(saved)


@router.delete("/chains/{chain_id}", response={204: None}, operation_id="delete_chain")
@operation("chains.write_own")
def delete_chain(request: AuthenticatedRequest, chain_id: str) -> Status[None]:
    """Delete a draft (a shared chain stays)."""
    actions.discard_chain(request.user, access_own_chain(request, chain_id))
    return Status(204, None)


@router.post("/chains/{chain_id}/share", response=ChainOut, operation_id="share_chain")
@operation("chains.write_own")
def share_chain(request: AuthenticatedRequest, chain_id: str) -> ChainOut:
    """Share a draft with the care team; it becomes read-only."""
    chain = actions.share_chain(request.user, access_own_chain(request, chain_id))
    return chain_out(chain)


# --- links ---------------------------------------------------------------------------------------


@router.post("/chains/{chain_id}/links", response={201: ChainOut}, operation_id="add_chain_link")
@operation("chains.write_own")
@idempotent
def add_chain_link(
    request: AuthenticatedRequest, chain_id: str, payload: LinkCreateIn
) -> Status[ChainOut]:
    """Add a link (at ``position``, or at the end). Answers with the whole chain."""
    chain = access_own_chain(request, chain_id)
    values = actions.LinkValues(
        kind=payload.kind,
        text=payload.text,
        intensity=payload.intensity,
        alternative=payload.alternative,
    )
    actions.add_link(
        request.user,
        chain,
        values,
        skills=_skills(request, payload.skills),
        position=payload.position,
    )
    return Status(201, _reloaded(chain))


@router.put(
    "/chains/{chain_id}/links/{link_id}", response=ChainOut, operation_id="update_chain_link"
)
@operation("chains.write_own")
def update_chain_link(
    request: AuthenticatedRequest, chain_id: str, link_id: str, payload: LinkIn
) -> ChainOut:
    """Replace a link's kind, text, intensity, free-text alternative and skills."""
    chain = access_own_chain(request, chain_id)
    link = access_link(chain, link_id)
    values = actions.LinkValues(
        kind=payload.kind,
        text=payload.text,
        intensity=payload.intensity,
        alternative=payload.alternative,
    )
    actions.update_link(request.user, link, values, skills=_skills(request, payload.skills))
    return _reloaded(chain)


@router.post(
    "/chains/{chain_id}/links/{link_id}/move", response=ChainOut, operation_id="move_chain_link"
)
@operation("chains.write_own")
def move_chain_link(
    request: AuthenticatedRequest, chain_id: str, link_id: str, payload: LinkMoveIn
) -> ChainOut:
    """Move a link to ``position`` (0 is first); the others close up around it."""
    chain = access_own_chain(request, chain_id)
    actions.move_link(request.user, access_link(chain, link_id), payload.position)
    return _reloaded(chain)


@router.delete(
    "/chains/{chain_id}/links/{link_id}", response={204: None}, operation_id="delete_chain_link"
)
@operation("chains.write_own")
def delete_chain_link(request: AuthenticatedRequest, chain_id: str, link_id: str) -> Status[None]:
    chain = access_own_chain(request, chain_id)
    actions.delete_link(request.user, access_link(chain, link_id))
    return Status(204, None)


# --- comments and the care team ------------------------------------------------------------------


@router.post(
    "/chains/{chain_id}/links/{link_id}/comments",
    response={201: CommentOut},
    operation_id="comment_on_chain_link",
)
@operation("accounts.use_app", object_perm="chains.comment")
@idempotent
def comment_on_chain_link(
    request: AuthenticatedRequest, chain_id: str, link_id: str, payload: CommentIn
) -> Status[CommentOut]:
    """Comment on one link of a shared chain (a clinician on the team, or the patient)."""
    chain = access_commentable_chain(request, chain_id)
    link = access_link(chain, link_id)
    comment = actions.comment_on_link(request.user, link, payload.text)
    return Status(201, _comment_out(comment, chain))


@router.get(
    "/patients/{patient_id}/chains",
    response=list[ChainSummaryOut],
    operation_id="list_patient_chains",
)
@operation("accounts.use_app", object_perm="chains.view")
@paginate(PageNumberPagination)
def list_patient_chains(request: AuthenticatedRequest, patient_id: str) -> list[ChainSummaryOut]:
    """The chains a patient has shared with the care team, newest first."""
    patient = access_patient_chains(request, patient_id)
    return [summary_out(chain) for chain in shared_chains(patient)]
