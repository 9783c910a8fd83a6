"""API operations for the safety plan: the patient's own, and the care team's."""

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from ninja import Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate
from pydantic import EmailStr, Field

from audit.recording import record_read
from care.models import Patient
from core.actions import ActionError
from core.idempotency import idempotent
from core.requests import AuthenticatedRequest
from policy.api import operation
from safety import actions, configure, watch
from safety import alerts as alert_actions
from safety.access import (
    access_alert,
    access_own_plan,
    access_patient_plan,
    access_rule,
    own_organisation,
)
from safety.configure import RuleInput
from safety.models import Alert, RiskRule, RiskWatch, RuleKind, SafetyPlanVersion
from safety.plans import PlanContent, PlanError, Section, parse_plan, parse_shared
from safety.queries import alerts_for
from safety.risk import rules_for

router = Router(tags=["safety"])


class ContactOut(Schema):
    name: str
    phone: str
    note: str


class PlanOut(Schema):
    version: int = Field(description="0 while no plan has been written")
    saved_at: datetime | None
    saved_by: str | None
    warning_signs: list[str]
    coping: list[str]
    distraction: list[ContactOut]
    help: list[ContactOut]
    professionals: list[ContactOut]
    safe_environment: list[str]
    reasons: list[str]
    shared_sections: list[str] = Field(description="sections supporters may see")


class PlanIn(Schema):
    based_on: int = Field(
        ge=0, description="the version you edited (0 for the first plan); stale edits get 400"
    )
    warning_signs: list[str] = []
    coping: list[str] = []
    distraction: list[dict[str, str]] = []
    help: list[dict[str, str]] = []
    professionals: list[dict[str, str]] = []
    safe_environment: list[str] = []
    reasons: list[str] = []


class OwnPlanIn(PlanIn):
    shared_sections: list[str] | None = Field(
        None, description="sections supporters may see; omit to keep the current choice"
    )


class VersionOut(Schema):
    version: int = Field(validation_alias="number")
    saved_at: datetime
    saved_by: str | None

    @staticmethod
    def resolve_saved_by(obj: SafetyPlanVersion) -> str | None:
        return obj.saved_by.full_name if obj.saved_by else None


def plan_out(version: SafetyPlanVersion | None) -> PlanOut:
    content = version.plan if version else PlanContent()
    body: dict[str, Any] = content.to_json()
    return PlanOut(
        version=version.number if version else 0,
        saved_at=version.saved_at if version else None,
        saved_by=version.saved_by.full_name if version and version.saved_by else None,
        shared_sections=sorted(version.shared) if version else [],
        **body,
    )


def _content(payload: PlanIn) -> PlanContent:
    try:
        return parse_plan({section: getattr(payload, section) for section in Section.values})
    except PlanError as exc:
        raise ActionError(exc.message, field=exc.field) from exc


def _save(
    request: AuthenticatedRequest,
    patient: Patient,
    payload: PlanIn,
    shared: frozenset[str] | None,
) -> Status[PlanOut]:
    version = actions.save_plan(
        request.user, patient, _content(payload), based_on=payload.based_on, shared_sections=shared
    )
    return Status(200, plan_out(version))


@router.get("/safety/plan", response=PlanOut, operation_id="get_own_safety_plan")
@operation("safety.use_own_plan")
def get_own_safety_plan(request: AuthenticatedRequest) -> PlanOut:
    """The signed-in patient's safety plan (version 0 and empty sections if none yet)."""
    return plan_out(actions.current_version(access_own_plan(request)))


@router.put("/safety/plan", response=PlanOut, operation_id="save_own_safety_plan")
@operation("safety.use_own_plan")
@idempotent
def save_own_safety_plan(request: AuthenticatedRequest, payload: OwnPlanIn) -> Status[PlanOut]:
    """Save the patient's plan as a new version. ``based_on`` must be the current version."""
    patient = access_own_plan(request)
    shared = None
    if payload.shared_sections is not None:
        try:
            shared = parse_shared(payload.shared_sections)
        except PlanError as exc:
            raise ActionError(exc.message, field=exc.field) from exc
    return _save(request, patient, payload, shared)


@router.get(
    "/patients/{patient_id}/safety-plan",
    response=PlanOut,
    operation_id="get_patient_safety_plan",
)
@operation("accounts.use_app", object_perm="safety.view_plan")
def get_patient_safety_plan(request: AuthenticatedRequest, patient_id: str) -> PlanOut:
    """A patient's current safety plan (care team; an audited read)."""
    patient = access_patient_plan(request, patient_id, "safety.view_plan")
    return plan_out(actions.current_version(patient))


@router.put(
    "/patients/{patient_id}/safety-plan",
    response=PlanOut,
    operation_id="save_patient_safety_plan",
)
@operation("accounts.use_app", object_perm="safety.edit_plan")
@idempotent
def save_patient_safety_plan(
    request: AuthenticatedRequest, patient_id: str, payload: PlanIn
) -> Status[PlanOut]:
    """Save a patient's plan as a new version (a clinician on their team). What supporters
    see stays the patient's choice."""
    patient = access_patient_plan(request, patient_id, "safety.edit_plan")
    return _save(request, patient, payload, None)


@router.get(
    "/patients/{patient_id}/safety-plan/versions",
    response=list[VersionOut],
    operation_id="list_safety_plan_versions",
)
@operation("accounts.use_app", object_perm="safety.view_plan")
@paginate(PageNumberPagination)
def list_safety_plan_versions(request: AuthenticatedRequest, patient_id: str) -> Any:
    """Every saved version of a patient's plan, newest first: who saved it and when."""
    patient = access_patient_plan(request, patient_id, "safety.view_plan")
    return SafetyPlanVersion.objects.filter(patient=patient).select_related("saved_by")


# --- risk alerts ------------------------------------------------------------------------------


class AlertOut(Schema):
    id: UUID = Field(validation_alias="public_id")
    patient_id: UUID
    patient_name: str
    rule: str
    reason: str
    status: str
    level: int
    created_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    resolved_at: datetime | None
    resolved_by: str | None
    resolution: str

    @staticmethod
    def resolve_patient_id(obj: Alert) -> UUID:
        return obj.patient.public_id

    @staticmethod
    def resolve_patient_name(obj: Alert) -> str:
        return obj.patient.display_name

    @staticmethod
    def resolve_rule(obj: Alert) -> str:
        return obj.rule.name

    @staticmethod
    def resolve_acknowledged_by(obj: Alert) -> str | None:
        return obj.acknowledged_by.full_name if obj.acknowledged_by else None

    @staticmethod
    def resolve_resolved_by(obj: Alert) -> str | None:
        return obj.resolved_by.full_name if obj.resolved_by else None


class ResolveIn(Schema):
    resolution: str = Field(min_length=1, max_length=2000, description="what was done")


@router.get("/alerts", response=list[AlertOut], operation_id="list_my_alerts")
@operation("safety.view_alerts")
@paginate(PageNumberPagination)
def list_my_alerts(request: AuthenticatedRequest) -> Any:
    """Open and acknowledged alerts about patients on your care team, newest first. The
    list is an audited read of each patient whose alerts it holds."""
    shown = alerts_for(request.user).select_related("resolved_by")
    patients = {alert.patient_id: alert.patient for alert in shown}
    for patient in patients.values():
        record_read(request, resource="safety.handle_alert", patient=patient, object_id="alerts")
    return shown


@router.post("/alerts/{alert_id}/acknowledge", response=AlertOut, operation_id="acknowledge_alert")
@operation("safety.view_alerts", object_perm="safety.handle_alert")
def acknowledge_alert(request: AuthenticatedRequest, alert_id: str) -> AlertOut:
    """Acknowledge an open alert: you are on it, and it stops escalating."""
    found = access_alert(request, alert_id)
    return AlertOut.from_orm(alert_actions.acknowledge(request.user, found))


@router.post("/alerts/{alert_id}/resolve", response=AlertOut, operation_id="resolve_alert")
@operation("safety.view_alerts", object_perm="safety.handle_alert")
def resolve_alert(request: AuthenticatedRequest, alert_id: str, payload: ResolveIn) -> AlertOut:
    """Resolve an alert with what was done (it is acknowledged too if nobody had)."""
    found = access_alert(request, alert_id)
    return AlertOut.from_orm(alert_actions.resolve(request.user, found, payload.resolution))


# --- the clinic's rules and escalation ---------------------------------------------------------


class RuleOut(Schema):
    id: UUID = Field(validation_alias="public_id")
    key: str
    name: str
    kind: str
    target_kind: str
    question: str
    threshold: int
    is_active: bool


class RuleIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    kind: RuleKind
    threshold: int = Field(ge=0, le=100)
    is_active: bool = True
    target_kind: str = Field("", max_length=20, description="a diary target kind")
    question: str = Field("", max_length=60, description="a check-in question key")


class AlertSettingsOut(Schema):
    escalate_after_minutes: int
    on_call_name: str
    on_call_email: str


class AlertSettingsIn(Schema):
    escalate_after_minutes: int = Field(ge=5, le=1440)
    on_call_name: str = Field("", max_length=120)
    on_call_email: EmailStr | Literal[""] = ""


def _rule_input(payload: RuleIn) -> RuleInput:
    return RuleInput(**payload.dict())


@router.get("/alerts/rules", response=list[RuleOut], operation_id="list_risk_rules")
@operation("safety.configure_rules")
def list_risk_rules(request: AuthenticatedRequest) -> Any:
    """Your clinic's risk rules (the defaults included), active or not."""
    organisation = own_organisation(request)
    rules_for(organisation.pk)
    return RiskRule.objects.filter(organisation=organisation).order_by("kind", "name")


@router.post("/alerts/rules", response={201: RuleOut}, operation_id="add_risk_rule")
@operation("safety.configure_rules")
@idempotent
def add_risk_rule(request: AuthenticatedRequest, payload: RuleIn) -> Status[RuleOut]:
    """Add a rule. Levels: urges 1–5, check-in answers 1–100, days without a card 1–30."""
    rule = configure.add_rule(request.user, own_organisation(request), _rule_input(payload))
    return Status(201, RuleOut.from_orm(rule))


@router.put("/alerts/rules/{rule_id}", response=RuleOut, operation_id="change_risk_rule")
@operation("safety.configure_rules")
def change_risk_rule(request: AuthenticatedRequest, rule_id: str, payload: RuleIn) -> RuleOut:
    """Change a rule's name, level, what it looks at, or switch it off (its kind stays)."""
    rule = access_rule(request, rule_id)
    return RuleOut.from_orm(configure.change_rule(request.user, rule, _rule_input(payload)))


@router.get("/alerts/settings", response=AlertSettingsOut, operation_id="get_alert_settings")
@operation("safety.configure_rules")
def get_alert_settings(request: AuthenticatedRequest) -> Any:
    """How long an unacknowledged alert waits before it escalates, and the on-call contact."""
    return alert_actions.settings_for(own_organisation(request))


@router.put("/alerts/settings", response=AlertSettingsOut, operation_id="change_alert_settings")
@operation("safety.configure_rules")
def change_alert_settings(request: AuthenticatedRequest, payload: AlertSettingsIn) -> Any:
    return configure.change_alert_settings(
        request.user,
        own_organisation(request),
        escalate_after_minutes=payload.escalate_after_minutes,
        on_call_name=payload.on_call_name,
        on_call_email=payload.on_call_email,
    )


# --- high-risk watch ---------------------------------------------------------------------------


class WatchOut(Schema):
    on_watch: bool
    reason: str = ""
    started_at: datetime | None = None
    started_by: str | None = None


class WatchIn(Schema):
    reason: str = Field(min_length=1, max_length=300)


def _watch_out(found: RiskWatch | None) -> WatchOut:
    if found is None or found.ended_at is not None:
        return WatchOut(on_watch=False)
    return WatchOut(
        on_watch=True,
        reason=found.reason,
        started_at=found.started_at,
        started_by=found.started_by.full_name if found.started_by else None,
    )


@router.get(
    "/patients/{patient_id}/high-risk-watch", response=WatchOut, operation_id="get_high_risk_watch"
)
@operation("accounts.use_app", object_perm="safety.set_watch")
def get_high_risk_watch(request: AuthenticatedRequest, patient_id: str) -> WatchOut:
    """Whether the patient is on high-risk watch (days without a card then raise alerts)."""
    patient = access_patient_plan(request, patient_id, "safety.set_watch")
    return _watch_out(watch.current_watch(patient))


@router.post(
    "/patients/{patient_id}/high-risk-watch",
    response=WatchOut,
    operation_id="start_high_risk_watch",
)
@operation("accounts.use_app", object_perm="safety.set_watch")
def start_high_risk_watch(
    request: AuthenticatedRequest, patient_id: str, payload: WatchIn
) -> WatchOut:
    patient = access_patient_plan(request, patient_id, "safety.set_watch")
    return _watch_out(watch.start_watch(request.user, patient, payload.reason))


@router.delete(
    "/patients/{patient_id}/high-risk-watch",
    response=WatchOut,
    operation_id="end_high_risk_watch",
)
@operation("accounts.use_app", object_perm="safety.set_watch")
def end_high_risk_watch(request: AuthenticatedRequest, patient_id: str) -> WatchOut:
    patient = access_patient_plan(request, patient_id, "safety.set_watch")
    watch.end_watch(request.user, patient)
    return WatchOut(on_watch=False)
