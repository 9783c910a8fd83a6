"""API operations for patients, care teams, supporter sharing and break-glass access."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate
from pydantic import EmailStr

from accounts.models import User
from care import actions
from care.access import (
    access_care_team_member,
    access_own_patient_profile,
    access_own_supporter_link,
    access_patient,
    access_shared_link,
)
from care.models import CareTeamMember, Patient, SupporterLink
from care.queries import caseload_for, patients_for_admin, search_patients
from care.schemas import (
    BreakGlassIn,
    BreakGlassOut,
    PatientIn,
    PatientOut,
    PatientSummaryOut,
    SharedWithMeOut,
    SharingIn,
    SupporterIn,
    SupporterLinkOut,
    TeamMemberIn,
    TeamMemberOut,
)
from core.actions import ActionError
from core.idempotency import idempotent
from core.requests import AuthenticatedRequest
from policy.api import operation

router = Router(tags=["care"])


class SearchQuery(Schema):
    q: str = ""


def _patient_out(patient: Patient) -> PatientOut:
    team = list(patient.care_team.current().select_related("member"))
    data: dict[str, Any] = {
        field: getattr(patient, field) for field in PatientOut.model_fields if field != "care_team"
    }
    return PatientOut(**data, care_team=[TeamMemberOut.from_orm(member) for member in team])


# --- lists --------------------------------------------------------------------------------------


@router.get("/caseload", response=list[PatientSummaryOut], operation_id="caseload")
@operation("care.view_caseload")
@paginate(PageNumberPagination)
def caseload(request: AuthenticatedRequest, filters: Query[SearchQuery]) -> QuerySet[Patient]:
    return search_patients(caseload_for(request.user), filters.q)


@router.get("/patients", response=list[PatientSummaryOut], operation_id="list_patients")
@operation("care.list_patients")
@paginate(PageNumberPagination)
def list_patients(request: AuthenticatedRequest, filters: Query[SearchQuery]) -> QuerySet[Patient]:
    return search_patients(patients_for_admin(request.user), filters.q)


# --- one patient ----------------------------------------------------------------------------------


@router.post("/patients", response={201: PatientOut}, operation_id="create_patient")
@operation("care.create_patient")
@idempotent
def create_patient(request: AuthenticatedRequest, payload: PatientIn) -> Status[PatientOut]:
    user = request.user
    organisation = user.organisation
    if organisation is None:  # whoever may create patients belongs to an organisation
        raise Http404
    data = payload.model_dump()
    data["email"] = data["email"] or ""
    patient = actions.create_patient_and_invite(user, organisation=organisation, **data)
    return Status(201, _patient_out(patient))


@router.get("/patients/{patient_id}", response=PatientOut, operation_id="get_patient")
@operation("accounts.use_app", object_perm="care.view_patient")
def get_patient(request: AuthenticatedRequest, patient_id: str) -> PatientOut:
    return _patient_out(access_patient(request, patient_id, "care.view_patient"))


@router.post(
    "/patients/{patient_id}/care-team",
    response={201: TeamMemberOut},
    operation_id="add_care_team_member",
)
@operation("care.list_patients", object_perm="care.manage_care_team")
@idempotent
def add_care_team_member(
    request: AuthenticatedRequest, patient_id: str, payload: TeamMemberIn
) -> Status[TeamMemberOut]:
    patient = access_patient(request, patient_id, "care.manage_care_team")
    member = User.objects.filter(
        public_id=payload.member_id, organisation_id=patient.organisation_id
    ).first()
    if member is None:
        raise ActionError(_("Choose an active clinician of this organisation."), field="member_id")
    try:
        membership = actions.add_to_care_team(
            request.user,
            patient,
            member=member,
            team_role=payload.team_role,
        )
    except ActionError as exc:
        if exc.field == "member":
            # Name the input as this API's body does.
            raise ActionError(exc.message, field="member_id") from exc
        raise
    return Status(201, TeamMemberOut.from_orm(membership))


@router.delete(
    "/patients/{patient_id}/care-team/{member_id}",
    response={204: None},
    operation_id="remove_care_team_member",
)
@operation("care.list_patients", object_perm="care.manage_care_team")
def remove_care_team_member(
    request: AuthenticatedRequest, patient_id: str, member_id: str
) -> Status[None]:
    patient = access_patient(request, patient_id, "care.manage_care_team")
    membership: CareTeamMember = access_care_team_member(request, patient, member_id)
    actions.remove_from_care_team(request.user, membership)
    return Status(204, None)


class InviteIn(Schema):
    email: EmailStr | None = None


@router.post("/patients/{patient_id}/invite", response={202: None}, operation_id="invite_patient")
@operation("care.list_patients", object_perm="care.invite_patient")
def invite_patient(
    request: AuthenticatedRequest, patient_id: str, payload: InviteIn
) -> Status[None]:
    patient = access_patient(request, patient_id, "care.invite_patient")
    actions.invite_patient(request.user, patient, email=payload.email)
    return Status(202, None)


@router.post(
    "/patients/{patient_id}/break-glass",
    response={201: BreakGlassOut},
    operation_id="break_glass",
)
@operation("care.list_patients", object_perm="care.break_glass")
def break_glass(
    request: AuthenticatedRequest, patient_id: str, payload: BreakGlassIn
) -> Status[Any]:
    patient = access_patient(request, patient_id, "care.break_glass")
    grant = actions.break_glass(request.user, patient, reason=payload.reason)
    return Status(201, grant)


# --- the patient's own record and supporters -----------------------------------------------------


@router.get("/me/patient", response=PatientOut, operation_id="my_patient_record")
@operation("care.view_own_care")
def my_patient_record(request: AuthenticatedRequest) -> PatientOut:
    return _patient_out(access_own_patient_profile(request))


@router.get("/me/supporters", response=list[SupporterLinkOut], operation_id="list_my_supporters")
@operation("care.manage_own_supporters")
@paginate(PageNumberPagination)
def list_my_supporters(request: AuthenticatedRequest) -> QuerySet[SupporterLink]:
    patient = access_own_patient_profile(request)
    return patient.supporter_links.current().select_related("supporter")


@router.post("/me/supporters", response={201: SupporterLinkOut}, operation_id="invite_supporter")
@operation("care.manage_own_supporters")
@idempotent
def invite_supporter(
    request: AuthenticatedRequest, payload: SupporterIn
) -> Status[SupporterLinkOut]:
    patient = access_own_patient_profile(request)
    link = actions.invite_supporter(
        request.user,
        patient,
        email=payload.email,
        full_name=payload.full_name,
        relationship=payload.relationship,
        scopes=[str(scope) for scope in payload.scopes],
    )
    return Status(201, SupporterLinkOut.from_orm(link))


@router.put(
    "/me/supporters/{link_id}/sharing",
    response=SupporterLinkOut,
    operation_id="update_sharing",
)
@operation("care.manage_own_supporters", object_perm="own supporter link")
def update_sharing(
    request: AuthenticatedRequest, link_id: str, payload: SharingIn
) -> SupporterLink:
    link = access_own_supporter_link(request, link_id)
    scopes = [str(scope) for scope in payload.scopes]
    return actions.update_sharing(request.user, link, scopes=scopes)


@router.delete("/me/supporters/{link_id}", response={204: None}, operation_id="withdraw_supporter")
@operation("care.manage_own_supporters", object_perm="own supporter link")
def withdraw_supporter(request: AuthenticatedRequest, link_id: str) -> Status[None]:
    link = access_own_supporter_link(request, link_id)
    actions.withdraw_supporter(request.user, link)
    return Status(204, None)


# --- supporters ---------------------------------------------------------------------------------


@router.get("/shared", response=list[SharedWithMeOut], operation_id="shared_with_me")
@operation("care.view_shared_with_me")
@paginate(PageNumberPagination)
def shared_with_me(request: AuthenticatedRequest) -> QuerySet[SupporterLink]:
    return SupporterLink.objects.current().filter(supporter=request.user).select_related("patient")


@router.get("/shared/{patient_id}", response=SharedWithMeOut, operation_id="shared_patient")
@operation("care.view_shared_with_me", object_perm="care.view_as_supporter")
def shared_patient(request: AuthenticatedRequest, patient_id: str) -> SupporterLink:
    return access_shared_link(request, patient_id)
