"""Every write of the measures app: assigning, planning, saving answers, submitting (scored
by the one engine, with the risk rules in the same transaction), recomputing, licensed
item text."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, User
from care.models import Patient
from core.actions import ActionError, action
from measures.definitions import Definition, DefinitionError, parse_licensed_text
from measures.models import (
    Administration,
    AdministrationStatus,
    Assignment,
    Frequency,
    Instrument,
    InstrumentVersion,
    LicensedItemText,
    Score,
)
from measures.scoring import AnswerError, ReliableChange, reliable_change, score
from safety.risk import evaluate_questionnaire

MAX_EVERY = 52


def current_version(instrument: Instrument) -> InstrumentVersion:
    """The instrument's newest stored definition."""
    found = instrument.versions.order_by("-loaded_at", "-id").first()
    if found is None:
        raise ActionError(_("This questionnaire has no definition loaded."))
    return found


def licensed_text_for(organisation_id: int, instrument_id: int) -> LicensedItemText | None:
    return LicensedItemText.objects.filter(
        organisation_id=organisation_id, instrument_id=instrument_id
    ).first()


def definition_for(version: InstrumentVersion, organisation_id: int) -> Definition:
    """The version's definition with the clinic's licensed item text, if it has loaded one."""
    definition = version.parsed()
    if definition.item_text == "licensed":
        text = licensed_text_for(organisation_id, version.instrument_id)
        if text is not None:
            labels = {name: tuple(values) for name, values in text.option_labels.items()}
            definition = definition.with_item_text(text.items, labels)
    return definition


def _interval(frequency: str, every: int) -> timedelta | None:
    if frequency == Frequency.DAYS:
        return timedelta(days=every)
    if frequency == Frequency.WEEKS:
        return timedelta(weeks=every)
    return None


# --- assigning -------------------------------------------------------------------------------


@action
def assign_instrument(
    actor: User | None,
    patient: Patient,
    instrument: Instrument,
    *,
    frequency: str = Frequency.ONCE,
    every: int = 1,
    first_due_at: datetime | None = None,
) -> Assignment:
    """Ask ``patient`` to fill in ``instrument`` once or every ``every`` days or weeks; the
    first questionnaire is planned at once (due ``first_due_at``, default now)."""
    if frequency not in Frequency.values:
        raise ActionError(_("Choose how often."), field="frequency")
    if isinstance(every, bool) or not isinstance(every, int) or not 1 <= every <= MAX_EVERY:
        raise ActionError(_("Choose a number from 1 to %(n)d.") % {"n": MAX_EVERY}, field="every")
    if not instrument.is_active:
        raise ActionError(_("This questionnaire is not in use."), field="instrument")
    version = current_version(instrument)
    if not definition_for(version, patient.organisation_id).has_item_text:
        raise ActionError(
            _(
                "This questionnaire's wording is licensed: your clinic has not loaded its own "
                "copy of the item text, so it cannot be given to patients yet."
            ),
            field="instrument",
        )
    now = timezone.now()
    assignment = Assignment.objects.create(
        patient=patient,
        instrument=instrument,
        frequency=frequency,
        every=every if frequency != Frequency.ONCE else 1,
        next_due_at=first_due_at or now,
        assigned_by=actor,
        created_at=now,
    )
    plan_assignment(assignment, now)
    return assignment


def plan_assignment(assignment: Assignment, now: datetime) -> Administration | None:
    """Plan the assignment's next questionnaire if it is due (one open at a time: while the
    last one waits, the schedule moves on without adding another)."""
    due = assignment.next_due_at
    if due is None or due > now or assignment.stopped_at is not None:
        return None
    interval = _interval(assignment.frequency, assignment.every)
    following = None
    if interval is not None:
        following = due + interval
        while following <= now:  # a schedule that fell behind does not pile up
            following += interval
    # The conditional update claims the due time: a second planner changes no row.
    claimed = Assignment.objects.filter(pk=assignment.pk, next_due_at=due).update(
        next_due_at=following
    )
    assignment.next_due_at = following
    if not claimed:
        return None
    still_open = assignment.administrations.exclude(status=AdministrationStatus.SUBMITTED)
    if still_open.exists():
        return None
    return Administration.objects.create(
        patient=assignment.patient,
        assignment=assignment,
        version=current_version(assignment.instrument),
        due_at=due,
    )


def plan_due(now: datetime | None = None, batch: int = 500) -> int:
    """Plan every assignment whose next questionnaire is due; returns how many were planned."""
    now = now or timezone.now()
    due = (
        Assignment.objects.select_related("patient", "instrument")
        .filter(stopped_at__isnull=True, next_due_at__lte=now)
        .order_by("next_due_at", "id")[:batch]
    )
    return sum(plan_assignment(assignment, now) is not None for assignment in due)


@action
def stop_assignment(actor: User, assignment: Assignment) -> Assignment:
    """No more questionnaires from this assignment (an open one stays to be filled in)."""
    if assignment.stopped_at is None:
        assignment.stopped_at = timezone.now()
        assignment.stopped_by = actor
        assignment.next_due_at = None
        assignment.save(update_fields=["stopped_at", "stopped_by", "next_due_at"])
    return assignment


# --- answering -------------------------------------------------------------------------------


def _clean_answers(definition: Definition, answers: Mapping[str, Any]) -> dict[str, int | None]:
    cleaned: dict[str, int | None] = {}
    for item_id, value in answers.items():
        if value in (None, ""):
            cleaned[str(item_id)] = None
            continue
        if isinstance(value, str) and value.lstrip("-").isdigit():
            value = int(value)
        cleaned[str(item_id)] = value
    try:
        score(definition, cleaned)
    except AnswerError as exc:
        raise ActionError(
            _("Some answers are not among the choices: %(problems)s")
            % {"problems": "; ".join(exc.problems)},
            field="answers",
        ) from exc
    return cleaned


def _locked_open(administration: Administration) -> Administration:
    locked = Administration.objects.select_for_update().get(pk=administration.pk)
    if locked.is_submitted:
        raise ActionError(_("This questionnaire was already sent."))
    return locked


@action
def save_answers(
    actor: User, administration: Administration, answers: Mapping[str, Any]
) -> Administration:
    """Keep the patient's answers so far (they come back to it later)."""
    locked = _locked_open(administration)
    definition = locked.version.parsed()
    merged = {**locked.answers, **_clean_answers(definition, answers)}
    locked.answers = merged
    fields = ["answers", "status", "updated_at"]
    locked.status = AdministrationStatus.IN_PROGRESS
    if locked.started_at is None:
        locked.started_at = timezone.now()
        fields.append("started_at")
    locked.save(update_fields=fields)
    return locked


@dataclass(frozen=True)
class Submitted:
    administration: Administration
    score: Score
    alerts: list[str]
    repeated: bool = False

    @property
    def alerted(self) -> bool:
        from safety.risk import questionnaire_source, raised_alert_for

        source = questionnaire_source(self.administration)
        return raised_alert_for(self.administration.patient_id, source)


@action
def submit_administration(
    actor: User | None, administration: Administration, answers: Mapping[str, Any] | None = None
) -> Submitted:
    """Send the questionnaire: score it with its definition version and apply the clinic's
    risk rules in this transaction. Sending it again returns the first result."""
    locked = Administration.objects.select_for_update().get(pk=administration.pk)
    if locked.is_submitted:
        existing = locked.scores.get(is_current=True)
        return Submitted(locked, existing, [], repeated=True)
    definition = locked.version.parsed()
    merged = {**locked.answers, **_clean_answers(definition, answers or {})}
    if not any(value is not None for value in merged.values()):
        raise ActionError(_("Answer at least one question before sending."), field="answers")
    now = timezone.now()
    locked.answers = merged
    locked.status = AdministrationStatus.SUBMITTED
    locked.submitted_at = now
    locked.started_at = locked.started_at or now
    locked.save(update_fields=["answers", "status", "submitted_at", "started_at", "updated_at"])
    locked.patient = administration.patient
    new_score = _store_score(locked, locked.version, now)
    alerts = evaluate_questionnaire(
        locked, definition_for(locked.version, locked.patient.organisation_id)
    )
    return Submitted(locked, new_score, alerts)


# --- scores ----------------------------------------------------------------------------------


def _series(patient_id: int, instrument_id: int) -> list[Score]:
    return list(
        Score.objects.select_related("version")
        .filter(patient_id=patient_id, instrument_id=instrument_id, is_current=True)
        .exclude(value__isnull=True)
        .order_by("observed_at", "id")
    )


def change_for(
    definition: Definition, value: float, baseline: Score | None, previous: Score | None
) -> dict[str, Any]:
    """Reliable change of ``value`` against the baseline and the previous valid score."""
    out: dict[str, Any] = {}
    for against, earlier in (("baseline", baseline), ("previous", previous)):
        if earlier is None or earlier.value is None:
            continue
        result: ReliableChange | None = reliable_change(
            definition.change,
            earlier.value,
            value,
            higher_is_worse=definition.higher_is_worse,
            against=against,
        )
        if result is not None:
            out[against] = result.as_data()
    return out


def _store_score(
    administration: Administration, version: InstrumentVersion, now: datetime
) -> Score:
    definition = version.parsed()
    try:
        result = score(definition, administration.answers)
    except AnswerError as exc:  # a newer definition no longer fits the answers given
        detail: dict[str, Any] = {"score": None, "reason": "; ".join(exc.problems)}
        value, band, band_index = None, "", None
    else:
        detail = result.as_data()
        value = None if result.score is None else float(result.score)
        band, band_index = result.band_label, result.band
    observed_at = administration.submitted_at or now
    earlier = [
        s
        for s in _series(administration.patient_id, version.instrument_id)
        if s.administration_id != administration.pk and s.observed_at < observed_at
    ]
    change = (
        change_for(definition, value, earlier[0], earlier[-1])
        if value is not None and earlier
        else {}
    )
    Score.objects.filter(administration=administration, is_current=True).update(is_current=False)
    return Score.objects.create(
        administration=administration,
        patient_id=administration.patient_id,
        instrument_id=version.instrument_id,
        version=version,
        is_current=True,
        value=value,
        band=band,
        band_index=band_index,
        detail=detail,
        change=change,
        observed_at=observed_at,
        computed_at=now,
    )


def _refresh_changes(patient_id: int, instrument_id: int) -> None:
    """Work out every current score's reliable change again, oldest first (after a
    recompute the baseline and the previous score may be different ones)."""
    series = _series(patient_id, instrument_id)
    definitions: dict[int, Definition] = {}
    for index, one in enumerate(series):
        if one.version_id not in definitions:
            definitions[one.version_id] = one.version.parsed()
        assert one.value is not None  # noqa: S101 - the series holds valid scores only
        change = (
            change_for(definitions[one.version_id], one.value, series[0], series[index - 1])
            if index
            else {}
        )
        if change != one.change:
            Score.objects.filter(pk=one.pk).update(change=change)


@action
def recompute_scores(actor: User, patient: Patient) -> int:
    """Score the patient's questionnaires again with each instrument's newest definition
    where it differs from the one used; the old scores stay, with their version, and the
    reliable change of the current scores is worked out again. Returns how many scores
    were added."""
    now = timezone.now()
    added = 0
    submitted = (
        Administration.objects.select_related("version__instrument")
        .filter(patient=patient, status=AdministrationStatus.SUBMITTED)
        .order_by("submitted_at", "id")
    )
    newest: dict[int, InstrumentVersion] = {}
    for administration in submitted:
        instrument = administration.version.instrument
        if instrument.pk not in newest:
            newest[instrument.pk] = current_version(instrument)
        version = newest[instrument.pk]
        if administration.scores.filter(version=version).exists():
            continue
        _store_score(administration, version, now)
        added += 1
    if added:
        for instrument_id in newest:
            _refresh_changes(patient.pk, instrument_id)
    return added


# --- a clinic's licensed item text ------------------------------------------------------------


@action
def load_licensed_text(
    actor: User | None, organisation: Organisation, instrument: Instrument, data: Mapping[str, Any]
) -> LicensedItemText:
    """Store (or replace) a clinic's own item text for a licensed instrument; checked whole
    against the instrument's current definition (``DefinitionError`` lists every problem)."""
    definition = current_version(instrument).parsed()
    if definition.item_text != "licensed":
        raise DefinitionError([f"{instrument.key}: its item text is shipped; nothing to load"])
    text = parse_licensed_text(data, definition)
    found, _created = LicensedItemText.objects.update_or_create(
        organisation=organisation,
        instrument=instrument,
        defaults={
            "note": text.note,
            "items": dict(text.items),
            "option_labels": {k: list(v) for k, v in text.labels.items()},
            "loaded_at": timezone.now(),
        },
    )
    return found
