"""Writes of the research app: a patient agrees or withdraws, and an export is recorded.

Consent is the patient's own act: the actions refuse anyone but the patient's own log-in,
so a clinician or an administrator cannot agree on a patient's behalf. Both are
idempotent: agreeing while agreed, or withdrawing while not agreed, changes nothing.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.models import User
from care.models import Patient
from core.actions import action
from research.models import ResearchConsent, ResearchExport

#: The version of the consent text the page shows (``research/consent.html``). Raise it
#: when the wording changes; each consent keeps the version it was given under.
CONSENT_TEXT_VERSION = "1"


def _check_own(actor: User, patient: Patient) -> None:
    if patient.user_id is None or actor.pk != patient.user_id:
        raise PermissionDenied("Only the patient can agree to or withdraw from research.")


@action
def grant_consent(actor: User, patient: Patient) -> ResearchConsent:
    """The patient agrees; returns the standing consent (the same one when already agreed)."""
    _check_own(actor, patient)
    # Two clicks at once: the second waits here for the first, then finds its consent.
    Patient.objects.select_for_update().only("pk").get(pk=patient.pk)
    current = ResearchConsent.objects.current().filter(patient=patient).first()
    if current is not None:
        return current
    return ResearchConsent.objects.create(
        patient=patient,
        organisation_id=patient.organisation_id,
        text_version=CONSENT_TEXT_VERSION,
        granted_at=timezone.now(),
    )


@action
def withdraw_consent(actor: User, patient: Patient) -> ResearchConsent | None:
    """The patient withdraws; returns the consent withdrawn, or ``None`` if none stood."""
    _check_own(actor, patient)
    current = ResearchConsent.objects.select_for_update().current().filter(patient=patient).first()
    if current is None:
        return None
    current.withdrawn_at = timezone.now()
    current.save(update_fields=["withdrawn_at"])
    return current


@action
def record_export(
    actor: User | None,
    *,
    organisation_id: int,
    table: str,
    file_format: str,
    channel: str,
    rows: int,
    participants: int,
) -> ResearchExport:
    """The audit event of one export (also in the change history, with its actor)."""
    return ResearchExport.objects.create(
        organisation_id=organisation_id,
        actor=actor,
        table=table,
        file_format=file_format,
        channel=channel,
        rows=rows,
        participants=participants,
    )
