"""Every permission in wisemind, in one place.

Names follow ``<app>.<verb>_<thing>``. Permissions without an object answer
"may this user use this kind of page at all"; permissions with a patient object
answer "may this user do this for this patient". Views and API operations never
decide access themselves: they declare a permission (``policy.routes``,
``policy.api``) and fetch protected objects through ``access_*`` functions that
ask these rules.
"""

from __future__ import annotations

from care.models import SharingScope
from policy.predicates import (
    has_active_break_glass,
    has_patient_profile,
    is_clinician,
    is_current_supporter,
    is_facilitator,
    is_org_admin,
    is_patient,
    is_researcher,
    is_signed_in,
    is_supporter,
    is_the_patient,
    may_manage_patients,
    on_care_team,
    same_organisation,
    shares_with_supporter,
)
from policy.typed_rules import Predicate, set_perm

is_clinical_staff = is_clinician | is_facilitator
is_patient_manager = is_org_admin | (is_clinician & may_manage_patients)

#: The patient's clinical record: the patient, their current care team, or an admin who
#: has recorded a break-glass reason that has not yet expired.
reads_clinical_record = same_organisation & (
    is_the_patient | (is_clinical_staff & on_care_team) | (is_org_admin & has_active_break_glass)
)

#: Permissions whose granted reads are clinical data and are written to the access log.
CLINICAL_READS: frozenset[str] = frozenset(
    {
        "care.view_patient",
        "care.view_as_supporter",
        "diary.view_cards",
        "ema.view_responses",
        "skills.view_practices",
        "safety.view_plan",
        "safety.handle_alert",
        "coaching.view_requests",
        "chains.view",
        "measures.view_results",
        "reports.download",
        "analytics.view_patient",
        *(f"care.view_shared_{scope}" for scope in SharingScope.values),
    }
)

PERMISSIONS: dict[str, Predicate] = {
    # --- any signed-in user -------------------------------------------------------------
    "accounts.use_app": is_signed_in,
    "accounts.manage_own_tokens": is_signed_in,
    "accounts.edit_own_profile": is_signed_in,
    # --- role home pages ----------------------------------------------------------------
    "care.view_caseload": is_clinician,
    "care.view_facilitation": is_facilitator,
    "care.view_own_care": is_patient & has_patient_profile,
    "care.manage_own_supporters": is_patient & has_patient_profile,
    "care.view_shared_with_me": is_supporter,
    "accounts.view_research_home": is_researcher,
    # --- organisation administration ----------------------------------------------------
    "accounts.manage_staff": is_org_admin,
    "accounts.manage_organisation": is_org_admin,
    "audit.view_audit_trail": is_org_admin,
    "care.list_patients": is_patient_manager,
    "care.create_patient": is_patient_manager,
    # --- one patient ----------------------------------------------------------------------
    "care.view_patient": reads_clinical_record,
    # Administrative details (name, contact, care team, invitation), no clinical data.
    "care.view_patient_admin": same_organisation & is_patient_manager,
    "care.manage_care_team": same_organisation & is_patient_manager,
    "care.invite_patient": same_organisation & is_patient_manager,
    "care.break_glass": same_organisation & is_org_admin,
    # What a supporter sees of one patient: only what that patient shares with them now.
    "care.view_as_supporter": is_supporter & is_current_supporter,
    **{
        f"care.view_shared_{scope}": is_supporter & shares_with_supporter(scope)
        for scope in SharingScope.values
    },
    # --- diary cards ----------------------------------------------------------------------
    "diary.fill_own_card": is_patient & has_patient_profile,
    "diary.view_cards": reads_clinical_record,
    # Clinicians on the team change which targets and emotions the card asks about.
    "diary.configure_card": same_organisation & is_clinician & on_care_team,
    # --- momentary assessment (EMA) ---------------------------------------------------------
    "ema.answer_own_prompts": is_patient & has_patient_profile,
    "ema.view_responses": reads_clinical_record,
    # Clinicians on the team give a patient schedules. (Researchers will, for participants
    # who consented to a study, once studies exist.)
    "ema.manage_schedules": same_organisation & is_clinician & on_care_team,
    # --- skills ------------------------------------------------------------------------------
    # The library is for everyone signed in; practising (favourites, the log, the coach) is
    # the patient's own; the care team reads the log; a clinic adds its own skills.
    "skills.view_library": is_signed_in,
    "skills.practise": is_patient & has_patient_profile,
    "skills.view_practices": reads_clinical_record,
    "skills.add_clinic_skill": is_patient_manager,
    # --- safety plan ------------------------------------------------------------------------
    "safety.use_own_plan": is_patient & has_patient_profile,
    "safety.view_plan": reads_clinical_record,
    # Written together: the patient, and the clinicians on their team.
    "safety.edit_plan": same_organisation & (is_the_patient | (is_clinician & on_care_team)),
    # --- risk alerts ------------------------------------------------------------------------
    "safety.view_alerts": is_clinical_staff,
    "safety.handle_alert": same_organisation & is_clinical_staff & on_care_team,
    "safety.configure_rules": is_org_admin,
    # Putting a patient on high-risk watch (missed cards then raise alerts): their clinicians.
    "safety.set_watch": same_organisation & is_clinician & on_care_team,
    # --- chain analysis -------------------------------------------------------------------
    # The patient writes their own; the clinical record's readers see a chain once it is
    # shared (drafts are the patient's alone: ``chains.access`` enforces that); the patient
    # and the clinicians on their team comment on a shared chain's links.
    "chains.write_own": is_patient & has_patient_profile,
    "chains.view": reads_clinical_record,
    "chains.comment": same_organisation & (is_the_patient | (is_clinician & on_care_team)),
    # --- between-session coaching -----------------------------------------------------------
    # The patient asks their therapist and replies in the thread; the clinicians on their
    # team read (an audited clinical read), answer and close; every clinician sets their own
    # coaching hours. Supporters, facilitators and other patients: nothing.
    "coaching.ask": is_patient & has_patient_profile,
    "coaching.view_requests": same_organisation
    & (is_the_patient | (is_clinician & on_care_team) | (is_org_admin & has_active_break_glass)),
    "coaching.reply": same_organisation & is_the_patient,
    "coaching.answer": same_organisation & is_clinician & on_care_team,
    "coaching.view_inbox": is_clinician,
    "coaching.set_availability": is_clinician,
    # --- measurement-based care -------------------------------------------------------------
    # The instrument catalogue (definitions, licences; no patient data) is for staff; the
    # patient fills in their own questionnaires; the clinical record's readers see scores
    # (an audited clinical read) and export them as FHIR; the clinicians on the team assign
    # questionnaires and recompute scores; a clinic's administrator exports the clinic's
    # questionnaire data in bulk (each patient's read is recorded in the access log).
    "measures.view_instruments": is_clinician | is_org_admin,
    "measures.fill_own": is_patient & has_patient_profile,
    "measures.view_results": reads_clinical_record,
    "measures.assign": same_organisation & is_clinician & on_care_team,
    # The clinicians on the team book, move and cancel the patient's therapy sessions
    # (questionnaires "before each session" follow them); the record's readers see them.
    "measures.manage_sessions": same_organisation & is_clinician & on_care_team,
    "measures.export_clinic": is_org_admin,
    # --- progress reports -------------------------------------------------------------------
    # A PDF for a case review or a referral: the clinicians on the patient's team ask for
    # one and download it (an audited clinical read). Not the patient, supporters,
    # facilitators, researchers or an admin (a break-glass read is of the record itself).
    "reports.request": same_organisation & is_clinician & on_care_team,
    "reports.download": same_organisation & is_clinician & on_care_team,
    # --- research ---------------------------------------------------------------------------
    # A patient agrees to (or withdraws from) research use of their de-identified data:
    # only themselves, never a clinician on their behalf. A researcher downloads the
    # de-identified tables of their own organisation's consenting patients only
    # (``research.access`` scopes the export to ``user.organisation``); no clinical record.
    "research.manage_own_consent": is_patient & has_patient_profile,
    "research.export_deidentified": is_researcher,
    # --- patient analytics ------------------------------------------------------------------
    # The clinician's charts of one patient (diary, check-ins, scores, treatment events,
    # trends): the clinical staff on the care team, or an admin with an active break-glass
    # grant (an audited clinical read). Not the patient (their own progress page is theirs),
    # supporters, researchers or staff off the team.
    "analytics.view_patient": same_organisation
    & ((is_clinical_staff & on_care_team) | (is_org_admin & has_active_break_glass)),
}

for _name, _predicate in PERMISSIONS.items():
    set_perm(_name, _predicate)
