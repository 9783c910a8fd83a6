"""The authorization matrix: for every page and API operation, who may use it.

Each route (URL name for pages, ``operationId`` for the API) has one or more
entries. An entry says how to call the route for a persona (URL arguments, body)
and which personas are allowed; everyone else must be refused. The test
``tests/test_authorization_matrix.py`` tries every entry with every persona and
fails if a route exists without an entry, or an entry names a route that does
not exist.

Targets: ``world.patient_record`` is the record under test. For the patient
persona it is their own record; for ``other_patient`` it is someone else's.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts.models import Role, User
from care.models import BreakGlassGrant, TeamRole
from core.testing.factories import builtin_skill, make_chain, make_skill, make_token, make_user
from core.testing.personas import SIGNED_IN, World
from diary.actions import ensure_card_items
from diary.cards import local_today
from ema.actions import create_schedule
from ema.models import Prompt, Schedule
from safety.alerts import raise_alert
from safety.risk import Finding, rules_for
from safety.watch import start_watch

Kwargs = Callable[[World, User | None], dict[str, Any]]

ADMINS = frozenset({"admin", "foreign_admin"})
PATIENTS = frozenset({"patient", "other_patient"})
SUPPORTERS = frozenset({"supporter", "supporter_without_consent"})
CLINICIANS = frozenset({"therapist", "outsider_clinician"})
PATIENT_MANAGERS = frozenset({"admin", "therapist"})  # of world.patient's organisation
#: Who reads world.patient's clinical record: the patient and their care team.
RECORD_READERS = frozenset({"patient", "therapist", "facilitator"})
EVERYONE = frozenset(SIGNED_IN | {"anonymous"})
#: Who writes world.patient's safety plan: the patient and the clinician on their team.
PLAN_WRITERS = frozenset({"patient", "therapist"})
CLINICAL_STAFF = frozenset({"therapist", "outsider_clinician", "facilitator"})
#: Who handles alerts about world.patient: the clinical staff on their care team.
ALERT_HANDLERS = frozenset({"therapist", "facilitator"})


@dataclass(frozen=True)
class Entry:
    allow: frozenset[str]
    method: str = "GET"
    kwargs: Kwargs | None = None
    data: Callable[[World], dict[str, Any]] | None = None
    variant: str = "own"
    #: Statuses that count as success for an allowed persona.
    ok: tuple[int, ...] = (200,)


def _patient(world: World, user: User | None) -> dict[str, Any]:
    return {"patient_id": world.patient_record.public_id}


def _patient_with_break_glass(world: World, user: User | None) -> dict[str, Any]:
    now = timezone.now()
    BreakGlassGrant.objects.create(
        patient=world.patient_record,
        user=world.admin,
        reason="Matrix test: urgent safety concern",
        created_at=now,
        expires_at=now + timedelta(hours=1),
    )
    return _patient(world, user)


def _team_place(world: World, user: User | None) -> dict[str, Any]:
    return {"patient_id": world.patient_record.public_id, "member_id": world.team_place.public_id}


def _link(world: World, user: User | None) -> dict[str, Any]:
    return {"link_id": world.supporter_link.public_id}


def _staff_member(world: World, user: User | None) -> dict[str, Any]:
    return {"user_id": world.therapist.public_id}


def _invited_staff(world: World, user: User | None) -> dict[str, Any]:
    return {"user_id": world.invited_user.public_id}


def _own_token(world: World, user: User | None) -> dict[str, Any]:
    owner = user or world.patient
    token, _secret = make_token(owner, name="matrix")
    return {"token_id": token.public_id}


def _someone_elses_token(world: World, user: User | None) -> dict[str, Any]:
    stranger = make_user(Role.SUPPORTER, world.organisation)
    token, _secret = make_token(stranger, name="not yours")
    return {"token_id": token.public_id}


def _invitation(world: World, user: User | None) -> dict[str, Any]:
    return world.invitation_kwargs()


def _reset_link(world: World, user: User | None) -> dict[str, Any]:
    return world.invitation_kwargs()


def _watched_patient(world: World, user: User | None) -> dict[str, Any]:
    start_watch(world.therapist, world.patient_record, "Matrix test watch")
    return _patient(world, user)


def _rule(world: World, user: User | None) -> dict[str, Any]:
    return {"rule_id": rules_for(world.patient_record.organisation_id)[0].public_id}


def _alert(world: World, user: User | None) -> dict[str, Any]:
    rule = rules_for(world.patient_record.organisation_id)[0]
    finding = Finding(rule, f"matrix:{uuid.uuid4()}", "Matrix test alert")
    alert = raise_alert(world.patient_record, finding)
    assert alert is not None
    return {"alert_id": alert.public_id}


def _local_today(world: World) -> date:
    return local_today(world.patient_record.time_zone)


def _today(world: World, user: User | None) -> dict[str, Any]:
    return {"day": _local_today(world).isoformat()}


def _diary_item(world: World, user: User | None) -> dict[str, Any]:
    ensure_card_items(None, world.patient_record)
    target = world.patient_record.diary_targets.first()
    assert target is not None
    return {"patient_id": world.patient_record.public_id, "item_id": target.public_id}


def _ema_schedule_of(world: World) -> Schedule:
    schedule = Schedule.objects.filter(patient=world.patient_record).first()
    if schedule is None:
        schedule = create_schedule(
            world.therapist,
            world.patient_record,
            kind="fixed",
            times=["09:00", "13:00"],
            start_date=_local_today(world),
        )
    return schedule


def _ema_schedule(world: World, user: User | None) -> dict[str, Any]:
    return {
        "patient_id": world.patient_record.public_id,
        "schedule_id": _ema_schedule_of(world).public_id,
    }


def _open_prompt(world: World, user: User | None) -> dict[str, Any]:
    """A check-in of world.patient that is due now."""
    schedule = _ema_schedule_of(world)
    now = timezone.now()
    prompt = Prompt.objects.create(
        schedule=schedule,
        patient=world.patient_record,
        questionnaire_id=schedule.questionnaire_id,
        scheduled_at=now,
        expires_at=now + timedelta(minutes=30),
    )
    return {"prompt_id": prompt.public_id}


def _checkin_answers(world: World) -> dict[str, Any]:
    scales = dict.fromkeys(["sad", "anxious", "angry", "happy", "urge_self_harm"], 10)
    return {"answers": {**scales, "activity": "rest", "company": "alone"}}


def _skill(world: World, user: User | None) -> dict[str, Any]:
    return {"skill_id": builtin_skill().public_id}


def _clinic_skill(world: World, user: User | None) -> dict[str, Any]:
    """A skill of world.patient's clinic (the other clinic's admin must not see it)."""
    return {"skill_id": make_skill(world.organisation).public_id}


def _practice_form(world: World) -> dict[str, Any]:
    zone = ZoneInfo(world.patient_record.time_zone)
    when = timezone.now().astimezone(zone) - timedelta(minutes=5)
    return {
        "practised_at": when.strftime("%Y-%m-%dT%H:%M"),
        "distress_before": 60,
        "distress_after": 35,
    }


def _practice_body(world: World) -> dict[str, Any]:
    return {"skill": str(builtin_skill().public_id), "distress_before": 60, "distress_after": 35}


_PUSH_ENDPOINT = "https://push.example.org/send/matrix"


def _draft_chain(world: World, user: User | None) -> dict[str, Any]:
    """A draft chain analysis of world.patient (only they may see it)."""
    return {"chain_id": make_chain(world.patient_record).public_id}


def _empty_draft_chain(world: World, user: User | None) -> dict[str, Any]:
    """A draft without links, so that saving the worksheet needs only its text."""
    return {"chain_id": make_chain(world.patient_record, links=()).public_id}


def _shared_chain(world: World, user: User | None) -> dict[str, Any]:
    return {"chain_id": make_chain(world.patient_record, shared=True).public_id}


def _shared_chain_with_break_glass(world: World, user: User | None) -> dict[str, Any]:
    _patient_with_break_glass(world, user)
    return _shared_chain(world, user)


def _draft_link(world: World, user: User | None) -> dict[str, Any]:
    chain = make_chain(world.patient_record)
    link = chain.links.first()
    assert link is not None
    return {"chain_id": chain.public_id, "link_id": link.public_id}


def _shared_link(world: World, user: User | None) -> dict[str, Any]:
    chain = make_chain(world.patient_record, shared=True)
    link = chain.links.first()
    assert link is not None
    return {"chain_id": chain.public_id, "link_id": link.public_id}


#: Who comments on world.patient's shared chains: the patient and the clinician on the team.
CHAIN_COMMENTERS = frozenset({"patient", "therapist"})
_PATIENT_ONLY = frozenset({"patient"})


# --- pages (URL names) ----------------------------------------------------------------------

# --- coaching ------------------------------------------------------------------------------------
#: Who reads (and, for clinicians, answers) world.patient's coaching requests: the patient and
#: the clinician on their team (not the facilitator: coaching is the therapist's).
COACHING_READERS = frozenset({"patient", "therapist"})


def _coaching_request(world: World, user: User | None) -> dict[str, Any]:
    from core.testing.factories import make_coaching_request

    return {"request_id": make_coaching_request(world.patient_record).public_id}


def _coaching_request_with_break_glass(world: World, user: User | None) -> dict[str, Any]:
    _patient_with_break_glass(world, user)
    return _coaching_request(world, user)


def _other_patients_coaching_request(world: World, user: User | None) -> dict[str, Any]:
    """A request of other_patient, whose primary therapist is outsider_clinician."""
    from core.testing.factories import make_coaching_request

    return {"request_id": make_coaching_request(world.other_patient_record).public_id}


def _coaching_ask_form(world: World) -> dict[str, Any]:
    return {
        "distress": 75,
        "emotion": "anger",
        "emotion_intensity": 4,
        "urge": "none",
        "urge_intensity": 0,
        "situation": "Matrix test",
        "token": str(uuid.uuid4()),
    }


def _coaching_hours_form(world: World) -> dict[str, Any]:
    return {
        "time_zone": "Europe/Amsterdam",
        "answer_within_minutes": 60,
        "day_0": "09:00-17:00",
    }


# --- measurement-based care ---------------------------------------------------------------------
#: Who sees the instrument catalogue (no patient data): clinicians and clinic administrators.
INSTRUMENT_READERS = CLINICIANS | ADMINS


def _questionnaire(world: World, user: User | None) -> dict[str, Any]:
    """A PHQ-9 of world.patient, due now and not yet sent."""
    from core.testing.factories import make_administration

    return {"administration_id": make_administration(world.patient_record).public_id}


def _sent_questionnaire(world: World, user: User | None) -> dict[str, Any]:
    from core.testing.factories import make_administration

    answers = dict.fromkeys([str(n) for n in range(1, 10)], 1)
    sent = make_administration(world.patient_record, answers=answers, submit=True)
    return {"administration_id": sent.public_id}


def _questionnaire_api(world: World, user: User | None) -> dict[str, Any]:
    return {"questionnaire_id": _questionnaire(world, user)["administration_id"]}


def _assignment(world: World, user: User | None) -> dict[str, Any]:
    from core.testing.factories import shipped_instrument
    from measures.actions import assign_instrument

    assignment = assign_instrument(
        world.therapist, world.patient_record, shipped_instrument("gad7"), frequency="weeks"
    )
    return {"patient_id": world.patient_record.public_id, "assignment_id": assignment.public_id}


def _phq9_answers(world: World) -> dict[str, Any]:
    return {"answers": dict.fromkeys([str(n) for n in range(1, 10)], 0)}


def _in_three_days() -> str:
    return (timezone.now() + timedelta(days=3)).replace(tzinfo=None).strftime("%Y-%m-%dT%H:%M")


def _therapy_session(world: World, user: User | None) -> dict[str, Any]:
    """A therapy session of world.patient, three days ahead."""
    from measures.actions import add_session

    session = add_session(world.therapist, world.patient_record, timezone.now() + timedelta(days=3))
    return {"patient_id": world.patient_record.public_id, "session_id": session.public_id}


def _session_form(world: World) -> dict[str, Any]:
    return {"starts_at": _in_three_days(), "note": "Weekly session"}


#: Who asks for and downloads world.patient's progress report: the clinician on their team.
REPORT_READERS = frozenset({"therapist"})


def _ready_report(world: World, user: User | None) -> dict[str, Any]:
    """A written progress report of world.patient (stand-in bytes: nothing is rendered)."""
    from reports.models import ReportRequest, ReportStatus

    today = _local_today(world)
    report = ReportRequest.objects.create(
        patient=world.patient_record,
        requested_by=world.therapist,
        first=today - timedelta(days=6),
        last=today,
        status=ReportStatus.READY,
        pdf=b"%PDF-1.7 matrix",
        pages=1,
    )
    return {"patient_id": world.patient_record.public_id, "report_id": report.public_id}


def _report_period(world: World) -> dict[str, Any]:
    today = _local_today(world)
    return {"first": (today - timedelta(days=6)).isoformat(), "last": today.isoformat()}


#: Who downloads de-identified research data: the researcher (of world.organisation).
RESEARCHERS = frozenset({"researcher"})


def _research_table(table: str, file_format: str) -> Kwargs:
    """A research download, with world.patient consenting to research."""

    def kwargs(world: World, user: User | None) -> dict[str, Any]:
        from research.models import ResearchConsent

        ResearchConsent.objects.get_or_create(
            patient=world.patient_record,
            organisation=world.organisation,
            withdrawn_at=None,
            defaults={"text_version": "1", "granted_at": timezone.now()},
        )
        return {"table": table, "file_format": file_format}

    return kwargs


def _research_api_table(table: str) -> Kwargs:
    page_kwargs = _research_table(table, "parquet")

    def kwargs(world: World, user: User | None) -> dict[str, Any]:
        return {"table": page_kwargs(world, user)["table"]}

    return kwargs


PAGES: dict[str, list[Entry]] = {
    "home": [Entry(allow=SIGNED_IN, ok=(302,))],
    "crisis": [Entry(allow=EVERYONE)],
    "health": [Entry(allow=EVERYONE)],
    "manifest": [Entry(allow=EVERYONE)],
    "service_worker": [Entry(allow=EVERYONE)],
    "offline": [Entry(allow=EVERYONE)],
    "accounts:login": [Entry(allow=EVERYONE, ok=(200, 302))],
    "accounts:logout": [Entry(allow=SIGNED_IN, method="POST", ok=(302,))],
    "accounts:password_reset": [Entry(allow=EVERYONE, ok=(200, 302))],
    "accounts:password_reset_done": [Entry(allow=EVERYONE)],
    "accounts:password_reset_confirm": [Entry(allow=EVERYONE, kwargs=_reset_link, ok=(200, 302))],
    "accounts:password_reset_complete": [Entry(allow=EVERYONE)],
    "accounts:accept_invitation": [Entry(allow=EVERYONE, kwargs=_invitation)],
    "accounts:2fa_setup": [Entry(allow=SIGNED_IN, ok=(200, 302))],
    "accounts:2fa_verify": [Entry(allow=SIGNED_IN, ok=(200, 302))],
    "accounts:profile": [Entry(allow=SIGNED_IN)],
    "accounts:tokens": [Entry(allow=SIGNED_IN)],
    "accounts:token_revoke": [
        Entry(allow=SIGNED_IN, method="POST", kwargs=_own_token, ok=(302,)),
        Entry(
            allow=frozenset(),
            method="POST",
            kwargs=_someone_elses_token,
            variant="someone else's",
        ),
    ],
    "accounts:research_home": [Entry(allow=frozenset({"researcher"}))],
    # --- research: the patient's own consent; the researcher's de-identified downloads ------
    "research:consent": [
        Entry(allow=PATIENTS),
        Entry(
            allow=PATIENTS,
            method="POST",
            data=lambda world: {"decision": "grant"},
            ok=(302,),
            variant="grant own",
        ),
    ],
    # Only the researcher, and only of their own organisation's consenting patients
    # (research/tests/test_export_access.py checks the content).
    "research:download": [
        Entry(allow=RESEARCHERS, kwargs=_research_table("diary", "csv")),
        Entry(allow=RESEARCHERS, kwargs=_research_table("ema", "parquet"), variant="ema"),
    ],
    "accounts:staff_list": [Entry(allow=ADMINS)],
    "accounts:staff_invite": [Entry(allow=ADMINS)],
    "accounts:staff_edit": [Entry(allow=frozenset({"admin"}), kwargs=_staff_member)],
    "accounts:staff_reset_2fa": [
        Entry(allow=frozenset({"admin"}), method="POST", kwargs=_staff_member, ok=(302,))
    ],
    "accounts:staff_resend_invitation": [
        Entry(allow=frozenset({"admin"}), method="POST", kwargs=_invited_staff, ok=(302,))
    ],
    "accounts:organisation": [Entry(allow=ADMINS)],
    "audit:trail": [Entry(allow=ADMINS)],
    "care:me": [Entry(allow=PATIENTS)],
    "care:my_supporters": [Entry(allow=PATIENTS)],
    "care:supporter_sharing": [Entry(allow=frozenset({"patient"}), kwargs=_link)],
    "care:supporter_withdraw": [
        Entry(allow=frozenset({"patient"}), method="POST", kwargs=_link, ok=(302,))
    ],
    "care:shared_list": [Entry(allow=SUPPORTERS)],
    "care:shared_detail": [Entry(allow=frozenset({"supporter"}), kwargs=_patient)],
    "care:caseload": [Entry(allow=CLINICIANS)],
    "care:facilitation": [Entry(allow=frozenset({"facilitator"}))],
    "care:patient_list": [Entry(allow=ADMINS | {"therapist"})],
    "care:patient_new": [Entry(allow=ADMINS | {"therapist"})],
    "care:patient_detail": [
        Entry(allow=frozenset({"patient", "therapist", "facilitator"}), kwargs=_patient),
        Entry(
            allow=frozenset({"patient", "therapist", "facilitator", "admin"}),
            kwargs=_patient_with_break_glass,
            variant="admin has break-glass",
        ),
    ],
    "care:patient_manage": [Entry(allow=PATIENT_MANAGERS, kwargs=_patient)],
    "care:patient_invite": [
        Entry(allow=PATIENT_MANAGERS, method="POST", kwargs=_patient, ok=(302,))
    ],
    "care:break_glass": [Entry(allow=frozenset({"admin"}), kwargs=_patient)],
    "care:team_remove": [
        Entry(allow=PATIENT_MANAGERS, method="POST", kwargs=_team_place, ok=(302,))
    ],
    # --- diary -----------------------------------------------------------------------------
    "diary:today": [Entry(allow=PATIENTS)],
    "diary:card": [Entry(allow=PATIENTS, kwargs=_today)],
    "diary:week": [
        Entry(allow=RECORD_READERS, kwargs=_patient),
        Entry(
            allow=RECORD_READERS | {"admin"},
            kwargs=_patient_with_break_glass,
            variant="admin has break-glass",
        ),
    ],
    "diary:shared_summary": [Entry(allow=frozenset({"supporter"}), kwargs=_patient)],
    "diary:settings": [Entry(allow=frozenset({"therapist"}), kwargs=_patient)],
    "diary:retire_item": [
        Entry(allow=frozenset({"therapist"}), method="POST", kwargs=_diary_item, ok=(302,))
    ],
    # --- check-ins (EMA) --------------------------------------------------------------------
    "ema:pending": [Entry(allow=PATIENTS)],
    "ema:settings": [Entry(allow=PATIENTS)],
    "ema:answer": [Entry(allow=frozenset({"patient"}), kwargs=_open_prompt)],
    "ema:patient": [
        Entry(allow=RECORD_READERS, kwargs=_patient),
        Entry(
            allow=RECORD_READERS | {"admin"},
            kwargs=_patient_with_break_glass,
            variant="admin has break-glass",
        ),
    ],
    "ema:schedule": [Entry(allow=frozenset({"therapist"}), kwargs=_ema_schedule)],
    "ema:stop_schedule": [
        Entry(allow=frozenset({"therapist"}), method="POST", kwargs=_ema_schedule, ok=(302,))
    ],
    # --- safety plan ------------------------------------------------------------------------
    "safety:plan": [Entry(allow=PATIENTS)],
    "safety:edit": [
        Entry(allow=PATIENTS),
        Entry(
            allow=PATIENTS,
            method="POST",
            data=lambda world: {"based_on": 0, "coping": "Walk round the block"},
            ok=(302,),
            variant="save",
        ),
    ],
    "safety:patient_plan": [
        Entry(allow=RECORD_READERS, kwargs=_patient),
        Entry(
            allow=RECORD_READERS | {"admin"},
            kwargs=_patient_with_break_glass,
            variant="admin has break-glass",
        ),
    ],
    "safety:patient_edit": [
        Entry(allow=PLAN_WRITERS, kwargs=_patient),
        Entry(
            allow=PLAN_WRITERS,
            method="POST",
            kwargs=_patient,
            data=lambda world: {"based_on": 0, "coping": "Cold water on the face"},
            ok=(302,),
            variant="save",
        ),
    ],
    "safety:shared_plan": [Entry(allow=frozenset({"supporter"}), kwargs=_patient)],
    "safety:patient_watch": [
        Entry(
            allow=frozenset({"therapist"}),
            method="POST",
            kwargs=_patient,
            data=lambda world: {"reason": "Recent attempt"},
            ok=(302,),
        )
    ],
    "safety:rules": [
        Entry(allow=ADMINS),
        Entry(
            allow=ADMINS,
            method="POST",
            data=lambda world: {"escalate_after_minutes": 30},
            ok=(302,),
            variant="save",
        ),
    ],
    "safety:add_rule": [
        Entry(allow=ADMINS),
        Entry(
            allow=ADMINS,
            method="POST",
            data=lambda world: {
                "name": "Fear 90+",
                "kind": "ema_answer",
                "question": "fear",
                "threshold": 90,
                "is_active": "on",
            },
            ok=(302,),
            variant="save",
        ),
    ],
    "safety:edit_rule": [
        Entry(allow=frozenset({"admin"}), kwargs=_rule),
        Entry(
            allow=frozenset({"admin"}),
            method="POST",
            kwargs=_rule,
            data=lambda world: {"name": "Suicide urge 5", "threshold": 5, "target_kind": "suicide"},
            ok=(302,),
            variant="save",
        ),
    ],
    "safety:alerts": [Entry(allow=CLINICAL_STAFF)],
    "safety:alert": [
        Entry(allow=ALERT_HANDLERS, kwargs=_alert),
        Entry(
            allow=ALERT_HANDLERS,
            method="POST",
            kwargs=_alert,
            data=lambda world: {"acknowledge": "1"},
            ok=(302,),
            variant="acknowledge",
        ),
    ],
    # --- skills ---------------------------------------------------------------------------
    "skills:library": [Entry(allow=SIGNED_IN)],
    "skills:detail": [
        Entry(allow=SIGNED_IN, kwargs=_skill),
        Entry(allow=SIGNED_IN - {"foreign_admin"}, kwargs=_clinic_skill, variant="clinic skill"),
    ],
    "skills:favourite": [
        Entry(allow=PATIENTS, method="POST", kwargs=_skill, ok=(302,)),
        Entry(
            allow=PATIENTS, method="POST", kwargs=_clinic_skill, ok=(302,), variant="clinic skill"
        ),
    ],
    "skills:practise": [
        Entry(allow=PATIENTS, kwargs=_skill),
        Entry(
            allow=PATIENTS,
            method="POST",
            kwargs=_skill,
            data=_practice_form,
            ok=(302,),
            variant="save",
        ),
    ],
    "skills:my_practice": [Entry(allow=PATIENTS)],
    "skills:coach": [
        Entry(allow=PATIENTS),
        Entry(allow=PATIENTS, method="POST", data=lambda world: {"distress": 50}, variant="ask"),
    ],
    "skills:add_clinic_skill": [Entry(allow=ADMINS | {"therapist"})],
    "skills:patient_practices": [
        Entry(allow=RECORD_READERS, kwargs=_patient),
        Entry(
            allow=RECORD_READERS | {"admin"},
            kwargs=_patient_with_break_glass,
            variant="admin has break-glass",
        ),
    ],
    # --- chain analysis ---------------------------------------------------------------------
    "chains:mine": [Entry(allow=PATIENTS)],
    "chains:new": [
        Entry(allow=PATIENTS),
        Entry(
            allow=PATIENTS,
            method="POST",
            data=lambda world: {"problem_behaviour": "Shouted at my sister"},
            ok=(302,),
            variant="start",
        ),
    ],
    "chains:detail": [
        # A draft is the patient's alone; a shared chain is part of the clinical record.
        Entry(allow=_PATIENT_ONLY, kwargs=_draft_chain),
        Entry(allow=RECORD_READERS, kwargs=_shared_chain, variant="shared"),
        Entry(
            allow=RECORD_READERS | {"admin"},
            kwargs=_shared_chain_with_break_glass,
            variant="shared, admin has break-glass",
        ),
        Entry(
            allow=_PATIENT_ONLY,
            method="POST",
            kwargs=_empty_draft_chain,
            data=lambda world: {"version": 1, "problem_behaviour": "Scratched my arm"},
            ok=(302,),
            variant="save",
        ),
    ],
    "chains:share": [
        Entry(allow=_PATIENT_ONLY, kwargs=_draft_chain),
        Entry(allow=_PATIENT_ONLY, method="POST", kwargs=_draft_chain, ok=(302,), variant="share"),
    ],
    "chains:discard": [
        Entry(allow=_PATIENT_ONLY, method="POST", kwargs=_draft_chain, ok=(302,)),
    ],
    "chains:comment": [
        Entry(
            allow=CHAIN_COMMENTERS,
            method="POST",
            kwargs=_shared_link,
            data=lambda world: {"text": "What did you notice in your body here?"},
            ok=(302,),
        ),
        Entry(
            allow=frozenset(),
            method="POST",
            kwargs=_draft_link,
            data=lambda world: {"text": "Not yet shared"},
            variant="draft",
        ),
    ],
    "chains:patient_chains": [
        Entry(allow=RECORD_READERS, kwargs=_patient),
        Entry(
            allow=RECORD_READERS | {"admin"},
            kwargs=_patient_with_break_glass,
            variant="admin has break-glass",
        ),
    ],
    # --- coaching ---------------------------------------------------------------------------
    "coaching:mine": [Entry(allow=PATIENTS)],
    "coaching:ask": [
        Entry(allow=PATIENTS),
        Entry(allow=PATIENTS, method="POST", data=_coaching_ask_form, ok=(302,), variant="send"),
    ],
    "coaching:inbox": [Entry(allow=CLINICIANS)],
    "coaching:availability": [
        Entry(allow=CLINICIANS),
        Entry(
            allow=CLINICIANS, method="POST", data=_coaching_hours_form, ok=(302,), variant="save"
        ),
    ],
    "coaching:request": [
        Entry(allow=COACHING_READERS, kwargs=_coaching_request),
        Entry(
            allow=COACHING_READERS | {"admin"},
            kwargs=_coaching_request_with_break_glass,
            variant="admin has break-glass",
        ),
        Entry(
            allow=frozenset({"other_patient", "outsider_clinician"}),
            kwargs=_other_patients_coaching_request,
            variant="someone else's",
        ),
    ],
    "coaching:reply": [
        Entry(
            allow=frozenset({"patient"}),
            method="POST",
            kwargs=_coaching_request,
            data=lambda world: {"body": "Still struggling."},
            ok=(302,),
        )
    ],
    "coaching:answer": [
        Entry(
            allow=frozenset({"therapist"}),
            method="POST",
            kwargs=_coaching_request,
            data=lambda world: {"body": "Try TIP first, then call me."},
            ok=(302,),
        )
    ],
    "coaching:close": [
        Entry(allow=frozenset({"therapist"}), method="POST", kwargs=_coaching_request, ok=(302,))
    ],
    # --- measurement-based care -------------------------------------------------------------
    "measures:mine": [Entry(allow=PATIENTS)],
    "measures:fill": [
        Entry(allow=_PATIENT_ONLY, kwargs=_questionnaire),
        Entry(
            allow=_PATIENT_ONLY,
            method="POST",
            kwargs=_questionnaire,
            data=lambda world: {"intent": "save", "item_1": "1"},
            ok=(302,),
            variant="save",
        ),
    ],
    "measures:result": [Entry(allow=_PATIENT_ONLY, kwargs=_sent_questionnaire)],
    "measures:instruments": [Entry(allow=INSTRUMENT_READERS)],
    "measures:patient": [
        Entry(allow=RECORD_READERS, kwargs=_patient),
        Entry(
            allow=RECORD_READERS | {"admin"},
            kwargs=_patient_with_break_glass,
            variant="admin has break-glass",
        ),
    ],
    "measures:assign": [
        Entry(
            allow=frozenset({"therapist"}),
            method="POST",
            kwargs=_patient,
            data=lambda world: {"instrument": "gad7", "frequency": "once", "every": 1},
            ok=(302,),
        )
    ],
    "measures:stop": [
        Entry(allow=frozenset({"therapist"}), method="POST", kwargs=_assignment, ok=(302,))
    ],
    "measures:recompute": [
        Entry(allow=frozenset({"therapist"}), method="POST", kwargs=_patient, ok=(302,))
    ],
    "measures:export": [Entry(allow=RECORD_READERS, kwargs=_patient)],
    "measures:add_session": [
        Entry(
            allow=frozenset({"therapist"}),
            method="POST",
            kwargs=_patient,
            data=_session_form,
            ok=(302,),
        )
    ],
    "measures:edit_session": [
        Entry(allow=frozenset({"therapist"}), kwargs=_therapy_session),
        Entry(
            allow=frozenset({"therapist"}),
            method="POST",
            kwargs=_therapy_session,
            data=_session_form,
            ok=(302,),
            variant="change",
        ),
    ],
    "measures:cancel_session": [
        Entry(allow=frozenset({"therapist"}), method="POST", kwargs=_therapy_session, ok=(302,))
    ],
    # --- progress reports ---------------------------------------------------------------------
    "reports:patient": [
        Entry(allow=REPORT_READERS, kwargs=_patient),
        Entry(
            allow=REPORT_READERS,
            method="POST",
            kwargs=_patient,
            data=_report_period,
            ok=(302,),
            variant="request",
        ),
        Entry(
            allow=REPORT_READERS, kwargs=_patient_with_break_glass, variant="admin has break-glass"
        ),
    ],
    "reports:download": [Entry(allow=REPORT_READERS, kwargs=_ready_report)],
    # --- patient analytics (the care team's clinical staff; an admin with break-glass) --------
    "analytics:patient": [
        Entry(allow=ALERT_HANDLERS, kwargs=_patient),
        Entry(
            allow=ALERT_HANDLERS | {"admin"},
            kwargs=_patient_with_break_glass,
            variant="admin has break-glass",
        ),
    ],
    # Django Ninja's documentation and schema are public; its root URL always answers 404.
    "api:openapi-json": [Entry(allow=EVERYONE)],
    "api:openapi-view": [Entry(allow=EVERYONE)],
    "api:api-root": [Entry(allow=frozenset(), variant="always 404")],
}


# --- API operations (operationId) ---------------------------------------------------------------


def _member_body(world: World) -> dict[str, Any]:
    return {
        "member_id": str(world.outsider_clinician.public_id),
        "team_role": TeamRole.CASE_MANAGER,
    }


API: dict[str, list[Entry]] = {
    "me": [Entry(allow=SIGNED_IN)],
    # --- coaching ---------------------------------------------------------------------------
    "ask_for_coaching": [
        Entry(
            allow=PATIENTS,
            method="POST",
            data=lambda world: {"distress": 80, "emotion": "fear", "urge": "none"},
            ok=(201,),
        )
    ],
    "list_my_coaching_requests": [Entry(allow=PATIENTS)],
    "list_coaching_inbox": [Entry(allow=CLINICIANS)],
    "get_coaching_availability": [Entry(allow=CLINICIANS)],
    "set_coaching_availability": [
        Entry(
            allow=CLINICIANS,
            method="PUT",
            data=lambda world: {
                "time_zone": "Europe/Amsterdam",
                "windows": [{"weekday": 0, "start": "09:00", "end": "12:00"}],
            },
        )
    ],
    "get_coaching_request": [
        Entry(allow=COACHING_READERS, kwargs=_coaching_request),
        Entry(
            allow=frozenset({"other_patient", "outsider_clinician"}),
            kwargs=_other_patients_coaching_request,
            variant="someone else's",
        ),
    ],
    "reply_to_coaching_request": [
        Entry(
            allow=frozenset({"patient"}),
            method="POST",
            kwargs=_coaching_request,
            data=lambda world: {"body": "Still struggling."},
            ok=(201,),
        )
    ],
    "answer_coaching_request": [
        Entry(
            allow=frozenset({"therapist"}),
            method="POST",
            kwargs=_coaching_request,
            data=lambda world: {"body": "Try TIP first."},
            ok=(201,),
        )
    ],
    "close_coaching_request": [
        Entry(allow=frozenset({"therapist"}), method="POST", kwargs=_coaching_request)
    ],
    # --- measurement-based care -------------------------------------------------------------
    "list_instruments": [Entry(allow=INSTRUMENT_READERS)],
    "get_instrument": [Entry(allow=INSTRUMENT_READERS, kwargs=lambda world, user: {"key": "phq9"})],
    "list_my_questionnaires": [Entry(allow=PATIENTS)],
    "get_questionnaire": [Entry(allow=RECORD_READERS, kwargs=_questionnaire_api)],
    "save_questionnaire_answers": [
        Entry(
            allow=_PATIENT_ONLY,
            method="PUT",
            kwargs=_questionnaire_api,
            data=lambda world: {"answers": {"1": 2}},
        )
    ],
    "submit_questionnaire": [
        Entry(allow=_PATIENT_ONLY, method="POST", kwargs=_questionnaire_api, data=_phq9_answers)
    ],
    "list_patient_scores": [Entry(allow=RECORD_READERS, kwargs=_patient)],
    "list_assignments": [Entry(allow=RECORD_READERS, kwargs=_patient)],
    "assign_questionnaire": [
        Entry(
            allow=frozenset({"therapist"}),
            method="POST",
            kwargs=_patient,
            data=lambda world: {"instrument": "gad7", "frequency": "weeks", "every": 2},
            ok=(201,),
        )
    ],
    "stop_assignment": [Entry(allow=frozenset({"therapist"}), method="POST", kwargs=_assignment)],
    "recompute_scores": [Entry(allow=frozenset({"therapist"}), method="POST", kwargs=_patient)],
    "export_patient_fhir": [Entry(allow=RECORD_READERS, kwargs=_patient)],
    "list_sessions": [Entry(allow=RECORD_READERS, kwargs=_patient)],
    "add_session": [
        Entry(
            allow=frozenset({"therapist"}),
            method="POST",
            kwargs=_patient,
            data=lambda world: {"starts_at": _in_three_days(), "note": ""},
            ok=(201,),
        )
    ],
    "change_session": [
        Entry(
            allow=frozenset({"therapist"}),
            method="PUT",
            kwargs=_therapy_session,
            data=lambda world: {"starts_at": _in_three_days(), "note": "Moved"},
        )
    ],
    "cancel_session": [
        Entry(allow=frozenset({"therapist"}), method="POST", kwargs=_therapy_session)
    ],
    "export_clinic_ndjson": [Entry(allow=ADMINS)],
    "crisis_resources": [Entry(allow=SIGNED_IN)],
    "list_tokens": [Entry(allow=SIGNED_IN)],
    # Tokens cannot mint tokens (a browser session can): every token holder is refused.
    "create_token": [
        Entry(allow=frozenset(), method="POST", data=lambda world: {"name": "x", "days": 5})
    ],
    "revoke_token": [
        Entry(allow=SIGNED_IN, method="DELETE", kwargs=_own_token, ok=(204,)),
        Entry(
            allow=frozenset(),
            method="DELETE",
            kwargs=_someone_elses_token,
            variant="someone else's",
        ),
    ],
    "caseload": [Entry(allow=CLINICIANS)],
    "caseload_dashboard": [Entry(allow=CLINICIANS)],
    "list_patients": [Entry(allow=ADMINS | {"therapist"})],
    "create_patient": [
        Entry(
            allow=ADMINS | {"therapist"},
            method="POST",
            data=lambda world: {"given_name": "New", "family_name": "Person"},
            ok=(201,),
        )
    ],
    "get_patient": [
        Entry(allow=frozenset({"patient", "therapist", "facilitator"}), kwargs=_patient),
        Entry(
            allow=frozenset({"patient", "therapist", "facilitator", "admin"}),
            kwargs=_patient_with_break_glass,
            variant="admin has break-glass",
        ),
    ],
    "add_care_team_member": [
        Entry(allow=PATIENT_MANAGERS, method="POST", kwargs=_patient, data=_member_body, ok=(201,))
    ],
    "remove_care_team_member": [
        Entry(allow=PATIENT_MANAGERS, method="DELETE", kwargs=_team_place, ok=(204,))
    ],
    "invite_patient": [
        Entry(
            allow=PATIENT_MANAGERS,
            method="POST",
            kwargs=_patient,
            data=lambda world: {},
            # The world's patient already has an account: the action refuses with 400.
            ok=(400,),
        )
    ],
    "break_glass": [
        Entry(
            allow=frozenset({"admin"}),
            method="POST",
            kwargs=_patient,
            data=lambda world: {"reason": "Urgent: patient's family reports a safety concern"},
            ok=(201,),
        )
    ],
    "my_patient_record": [Entry(allow=PATIENTS)],
    "list_my_supporters": [Entry(allow=PATIENTS)],
    "invite_supporter": [
        Entry(
            allow=PATIENTS,
            method="POST",
            data=lambda world: {
                "full_name": "New Helper",
                "email": "helper@example.org",
                "scopes": ["safety_plan"],
            },
            ok=(201,),
        )
    ],
    "update_sharing": [
        Entry(
            allow=frozenset({"patient"}),
            method="PUT",
            kwargs=_link,
            data=lambda world: {"scopes": ["safety_plan"]},
        )
    ],
    "withdraw_supporter": [
        Entry(allow=frozenset({"patient"}), method="DELETE", kwargs=_link, ok=(204,))
    ],
    "shared_with_me": [Entry(allow=SUPPORTERS)],
    "shared_patient": [Entry(allow=frozenset({"supporter"}), kwargs=_patient)],
    # --- skills ---------------------------------------------------------------------------
    "list_skills": [Entry(allow=SIGNED_IN)],
    "get_skill": [
        Entry(allow=SIGNED_IN, kwargs=_skill),
        Entry(allow=SIGNED_IN - {"foreign_admin"}, kwargs=_clinic_skill, variant="clinic skill"),
    ],
    "favourite_skill": [Entry(allow=PATIENTS, method="PUT", kwargs=_skill)],
    "unfavourite_skill": [Entry(allow=PATIENTS, method="DELETE", kwargs=_skill)],
    "record_practice": [
        Entry(allow=PATIENTS, method="POST", data=_practice_body, ok=(201,)),
    ],
    "list_my_practices": [Entry(allow=PATIENTS)],
    "coach_proposals": [
        Entry(
            allow=PATIENTS,
            method="POST",
            data=lambda world: {"distress": 80, "urge": "self_harm"},
        )
    ],
    "list_patient_practices": [
        Entry(allow=RECORD_READERS, kwargs=_patient),
        Entry(
            allow=RECORD_READERS | {"admin"},
            kwargs=_patient_with_break_glass,
            variant="admin has break-glass",
        ),
    ],
    "patient_practice_summary": [Entry(allow=RECORD_READERS, kwargs=_patient)],
    # --- diary -----------------------------------------------------------------------------
    "diary_template": [Entry(allow=PATIENTS)],
    "add_diary_entry": [
        Entry(
            allow=PATIENTS,
            method="POST",
            data=lambda world: {"date": _local_today(world).isoformat(), "skills_used": 5},
            ok=(201,),
        )
    ],
    "edit_diary_card": [
        Entry(
            allow=PATIENTS,
            method="PUT",
            kwargs=lambda world, user: {"day": _local_today(world).isoformat()},
            data=lambda world: {"skills_used": 3},
        )
    ],
    "list_my_diary_cards": [Entry(allow=PATIENTS)],
    "list_patient_diary_cards": [Entry(allow=RECORD_READERS, kwargs=_patient)],
    "list_diary_items": [Entry(allow=RECORD_READERS, kwargs=_patient)],
    "add_diary_target": [
        Entry(
            allow=frozenset({"therapist"}),
            method="POST",
            kwargs=_patient,
            data=lambda world: {"name": "Skipping meals"},
            ok=(201,),
        )
    ],
    "add_diary_emotion": [
        Entry(
            allow=frozenset({"therapist"}),
            method="POST",
            kwargs=_patient,
            data=lambda world: {"name": "Loneliness"},
            ok=(201,),
        )
    ],
    "retire_diary_item": [Entry(allow=frozenset({"therapist"}), method="POST", kwargs=_diary_item)],
    # --- check-ins (EMA) --------------------------------------------------------------------
    "list_open_prompts": [Entry(allow=PATIENTS)],
    "answer_prompt": [
        Entry(
            allow=frozenset({"patient"}),
            method="POST",
            kwargs=_open_prompt,
            data=_checkin_answers,
            ok=(201,),
        )
    ],
    "get_ema_settings": [Entry(allow=PATIENTS)],
    "update_ema_settings": [
        Entry(
            allow=PATIENTS,
            method="PUT",
            data=lambda world: {"sleep_start": "23:00", "sleep_end": "07:00"},
        )
    ],
    # 404 (with the JSON error) for a patient when the server has no VAPID keys; the refused
    # personas get 403 before the keys are looked at.
    "push_public_key": [Entry(allow=PATIENTS, ok=(200, 404))],
    "register_push": [
        Entry(
            allow=PATIENTS,
            method="POST",
            data=lambda world: {"endpoint": _PUSH_ENDPOINT, "keys": {"p256dh": "k", "auth": "a"}},
            ok=(201,),
        )
    ],
    "unregister_push": [
        Entry(
            allow=PATIENTS,
            method="DELETE",
            data=lambda world: {"endpoint": _PUSH_ENDPOINT},
            ok=(204,),
        )
    ],
    "list_ema_schedules": [Entry(allow=RECORD_READERS, kwargs=_patient)],
    "create_ema_schedule": [
        Entry(
            allow=frozenset({"therapist"}),
            method="POST",
            kwargs=_patient,
            data=lambda world: {"kind": "fixed", "times": ["09:00", "13:00"]},
            ok=(201,),
        )
    ],
    "update_ema_schedule": [
        Entry(
            allow=frozenset({"therapist"}),
            method="PUT",
            kwargs=_ema_schedule,
            data=lambda world: {"expires_after_minutes": 45},
        )
    ],
    "stop_ema_schedule": [
        Entry(allow=frozenset({"therapist"}), method="POST", kwargs=_ema_schedule)
    ],
    "ema_compliance": [
        Entry(allow=RECORD_READERS, kwargs=_patient),
        Entry(
            allow=RECORD_READERS | {"admin"},
            kwargs=_patient_with_break_glass,
            variant="admin has break-glass",
        ),
    ],
    "list_ema_responses": [
        Entry(allow=RECORD_READERS, kwargs=_patient),
        Entry(
            allow=RECORD_READERS | {"admin"},
            kwargs=_patient_with_break_glass,
            variant="admin has break-glass",
        ),
    ],
    # --- safety plan ------------------------------------------------------------------------
    "get_own_safety_plan": [Entry(allow=PATIENTS)],
    "save_own_safety_plan": [
        Entry(
            allow=PATIENTS,
            method="PUT",
            data=lambda world: {"based_on": 0, "coping": ["Music, loud"]},
        )
    ],
    "get_patient_safety_plan": [
        Entry(allow=RECORD_READERS, kwargs=_patient),
        Entry(
            allow=RECORD_READERS | {"admin"},
            kwargs=_patient_with_break_glass,
            variant="admin has break-glass",
        ),
    ],
    "save_patient_safety_plan": [
        Entry(
            allow=PLAN_WRITERS,
            method="PUT",
            kwargs=_patient,
            data=lambda world: {"based_on": 0, "reasons": ["My sister"]},
        )
    ],
    "list_safety_plan_versions": [Entry(allow=RECORD_READERS, kwargs=_patient)],
    "list_my_alerts": [Entry(allow=CLINICAL_STAFF)],
    "list_risk_rules": [Entry(allow=ADMINS)],
    "add_risk_rule": [
        Entry(
            allow=ADMINS,
            method="POST",
            data=lambda world: {
                "name": "Anger 90+",
                "kind": "ema_answer",
                "question": "anger",
                "threshold": 90,
            },
            ok=(201,),
        )
    ],
    "change_risk_rule": [
        Entry(
            allow=frozenset({"admin"}),
            method="PUT",
            kwargs=_rule,
            data=lambda world: {
                "name": "Suicide urge 5",
                "kind": "diary_urge",
                "threshold": 5,
                "target_kind": "suicide",
            },
        )
    ],
    "get_alert_settings": [Entry(allow=ADMINS)],
    "change_alert_settings": [
        Entry(allow=ADMINS, method="PUT", data=lambda world: {"escalate_after_minutes": 45})
    ],
    "get_high_risk_watch": [Entry(allow=frozenset({"therapist"}), kwargs=_patient)],
    "start_high_risk_watch": [
        Entry(
            allow=frozenset({"therapist"}),
            method="POST",
            kwargs=_patient,
            data=lambda world: {"reason": "Recent attempt"},
        )
    ],
    "end_high_risk_watch": [
        Entry(allow=frozenset({"therapist"}), method="DELETE", kwargs=_watched_patient)
    ],
    "acknowledge_alert": [Entry(allow=ALERT_HANDLERS, method="POST", kwargs=_alert)],
    "resolve_alert": [
        Entry(
            allow=ALERT_HANDLERS,
            method="POST",
            kwargs=_alert,
            data=lambda world: {"resolution": "Phoned Pat; went through the plan."},
        )
    ],
    # --- chain analysis ---------------------------------------------------------------------
    "list_my_chains": [Entry(allow=PATIENTS)],
    "create_chain": [
        Entry(
            allow=PATIENTS,
            method="POST",
            data=lambda world: {"problem_behaviour": "Shouted at my sister"},
            ok=(201,),
        )
    ],
    "get_chain": [
        Entry(allow=_PATIENT_ONLY, kwargs=_draft_chain),
        Entry(allow=RECORD_READERS, kwargs=_shared_chain, variant="shared"),
        Entry(
            allow=RECORD_READERS | {"admin"},
            kwargs=_shared_chain_with_break_glass,
            variant="shared, admin has break-glass",
        ),
    ],
    "update_chain": [
        Entry(
            allow=_PATIENT_ONLY,
            method="PUT",
            kwargs=_draft_chain,
            data=lambda world: {"version": 1, "prompting_event": "A text from my ex"},
        )
    ],
    "delete_chain": [Entry(allow=_PATIENT_ONLY, method="DELETE", kwargs=_draft_chain, ok=(204,))],
    "share_chain": [Entry(allow=_PATIENT_ONLY, method="POST", kwargs=_draft_chain)],
    "add_chain_link": [
        Entry(
            allow=_PATIENT_ONLY,
            method="POST",
            kwargs=_draft_chain,
            data=lambda world: {"kind": "thought", "text": "Nobody wants me around"},
            ok=(201,),
        )
    ],
    "update_chain_link": [
        Entry(
            allow=_PATIENT_ONLY,
            method="PUT",
            kwargs=_draft_link,
            data=lambda world: {"kind": "feeling", "text": "Shame", "intensity": 80},
        )
    ],
    "move_chain_link": [
        Entry(
            allow=_PATIENT_ONLY,
            method="POST",
            kwargs=_draft_link,
            data=lambda world: {"position": 1},
        )
    ],
    "delete_chain_link": [
        Entry(allow=_PATIENT_ONLY, method="DELETE", kwargs=_draft_link, ok=(204,))
    ],
    "comment_on_chain_link": [
        Entry(
            allow=CHAIN_COMMENTERS,
            method="POST",
            kwargs=_shared_link,
            data=lambda world: {"text": "Let's look at this one together."},
            ok=(201,),
        )
    ],
    "list_patient_chains": [
        Entry(allow=RECORD_READERS, kwargs=_patient),
        Entry(
            allow=RECORD_READERS | {"admin"},
            kwargs=_patient_with_break_glass,
            variant="admin has break-glass",
        ),
    ],
    # --- progress reports -------------------------------------------------------------------
    "request_report": [
        Entry(allow=REPORT_READERS, method="POST", kwargs=_patient, data=_report_period, ok=(201,))
    ],
    "get_report": [Entry(allow=REPORT_READERS, kwargs=_ready_report)],
    "download_report": [Entry(allow=REPORT_READERS, kwargs=_ready_report)],
    # --- patient analytics ------------------------------------------------------------------
    "patient_analytics": [
        Entry(allow=ALERT_HANDLERS, kwargs=_patient),
        Entry(
            allow=ALERT_HANDLERS | {"admin"},
            kwargs=_patient_with_break_glass,
            variant="admin has break-glass",
        ),
    ],
    # --- research ------------------------------------------------------------------------
    "export_research_data": [
        Entry(allow=RESEARCHERS, kwargs=_research_api_table("diary")),
        Entry(allow=RESEARCHERS, kwargs=_research_api_table("ema"), variant="ema"),
    ],
}


@dataclass(frozen=True)
class Case:
    route: str
    entry: Entry
    persona: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        variant = "" if self.entry.variant == "own" else f"[{self.entry.variant}]"
        return f"{self.route}{variant}-{self.persona}"
