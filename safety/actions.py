"""Every write of the safety app. Each is an ``@action``: one transaction, actor recorded."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.actions import ActionError, action
from safety.models import SafetyPlanVersion
from safety.plans import PlanContent

if TYPE_CHECKING:
    from accounts.models import User
    from care.models import Patient


def current_version(patient: Patient) -> SafetyPlanVersion | None:
    return SafetyPlanVersion.objects.filter(patient=patient).order_by("-number").first()


@action
def save_plan(
    actor: User,
    patient: Patient,
    content: PlanContent,
    *,
    based_on: int,
    shared_sections: frozenset[str] | None = None,
) -> SafetyPlanVersion:
    """Save ``content`` as the patient's next plan version.

    ``based_on`` is the version the writer started from (0 for none): if someone saved a
    newer one meanwhile, the save is refused, so that neither person's words are lost.
    ``shared_sections`` (what supporters see) is the patient's choice: ``None`` keeps it.
    """
    latest = (
        SafetyPlanVersion.objects.select_for_update().filter(patient=patient).order_by("-number")
    ).first()
    number = latest.number if latest else 0
    if based_on != number:
        raise ActionError(
            _(
                "The plan was changed (version %(number)d) since you opened it. Your text is "
                "still in the form: open the plan again in a new tab, then add your changes."
            )
            % {"number": number},
            field="based_on",
        )
    if shared_sections is None:
        shared_sections = latest.shared if latest else frozenset()
    if (
        latest is not None
        and latest.content == content.to_json()
        and latest.shared == shared_sections
    ):
        return latest  # nothing changed: no new version
    try:
        with transaction.atomic():
            return SafetyPlanVersion.objects.create(
                patient=patient,
                number=number + 1,
                content=content.to_json(),
                shared_sections=sorted(shared_sections),
                saved_by=actor,
            )
    except IntegrityError as exc:  # a first plan saved at the same moment by someone else
        raise ActionError(
            _("The plan was changed since you opened it. Open it again, then add your changes."),
            field="based_on",
        ) from exc
