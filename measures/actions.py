"""Every write of the measures app: assigning, planning, therapy sessions (a questionnaire
before each), saving answers, submitting (scored by the one engine, with the risk rules in
the same transaction), recomputing, licensed item text."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, User
from care.models import Patient
from core.actions import ActionError, action
from measures.definitions import Definition, DefinitionError, parse_licensed_text
from measures.models import (
    OPEN_STATUSES,
    Administration,
    AdministrationStatus,
    Assignment,
    Frequency,
    Instrument,
    InstrumentVersion,
    LicensedItemText,
    Score,
    TherapySession,
)
from measures.scoring import AnswerError, ReliableChange, reliable_change, score
from measures.sessions import NonexistentTime, opens_at, wall_clock_to_instant
from safety.risk import evaluate_questionnaire

MAX_EVERY = 52
#: Before each session: the questionnaire opens 1 hour to 7 days before it.
MAX_HOURS_BEFORE = 168
DEFAULT_HOURS_BEFORE = 24
MAX_NOTE = 300


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
    hours_before: int = DEFAULT_HOURS_BEFORE,
) -> Assignment:
    """Ask ``patient`` to fill in ``instrument`` once, every ``every`` days or weeks, or
    before each of their therapy sessions (opening ``hours_before`` each starts). The first
    questionnaire is planned at once (due ``first_due_at``, default now; before each
    session: when the next session's questionnaire opens)."""
    if frequency not in Frequency.values:
        raise ActionError(_("Choose how often."), field="frequency")
    if not _whole(every, 1, MAX_EVERY):
        raise ActionError(_("Choose a number from 1 to %(n)d.") % {"n": MAX_EVERY}, field="every")
    if not _whole(hours_before, 1, MAX_HOURS_BEFORE):
        raise ActionError(
            _("Choose a number of hours from 1 to %(n)d.") % {"n": MAX_HOURS_BEFORE},
            field="hours_before",
        )
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
        every=every if frequency in (Frequency.DAYS, Frequency.WEEKS) else 1,
        hours_before=hours_before if frequency == Frequency.SESSION else DEFAULT_HOURS_BEFORE,
        next_due_at=first_due_at or now,
        assigned_by=actor,
        created_at=now,
    )
    if frequency == Frequency.SESSION:
        assignment.next_due_at = _next_session_due(assignment, now)
        assignment.save(update_fields=["next_due_at"])
    plan_assignment(assignment, now)
    return assignment


def _whole(value: object, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _still_open(assignment: Assignment, now: datetime) -> bool:
    """Whether the assignment's last questionnaire can still be filled in."""
    return (
        assignment.administrations.filter(status__in=OPEN_STATUSES)
        .exclude(closes_at__lte=now)
        .exists()
    )


def plan_assignment(assignment: Assignment, now: datetime) -> Administration | None:
    """Plan the assignment's next questionnaire if it is due (one open at a time: while the
    last one waits, the schedule moves on without adding another)."""
    due = assignment.next_due_at
    if due is None or due > now or assignment.stopped_at is not None:
        return None
    if assignment.frequency == Frequency.SESSION:
        return _plan_before_session(assignment, due, now)
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
    if not claimed or _still_open(assignment, now):
        return None
    return Administration.objects.create(
        patient=assignment.patient,
        assignment=assignment,
        version=current_version(assignment.instrument),
        due_at=due,
    )


# --- before each session -----------------------------------------------------------------


def _unplanned_sessions(assignment: Assignment, now: datetime) -> Any:
    """The patient's coming sessions (not cancelled) without a questionnaire from this
    assignment yet, soonest first."""
    return (
        TherapySession.objects.filter(
            patient_id=assignment.patient_id, cancelled_at__isnull=True, starts_at__gt=now
        )
        .exclude(administrations__assignment=assignment)
        .order_by("starts_at", "id")
    )


def _next_session_due(assignment: Assignment, now: datetime) -> datetime | None:
    """When the questionnaire before the patient's next unplanned session opens."""
    first = _unplanned_sessions(assignment, now).first()
    return None if first is None else opens_at(first.starts_at, assignment.hours_before)


def _plan_before_session(
    assignment: Assignment, due: datetime, now: datetime
) -> Administration | None:
    """Open the questionnaire of each session whose window has begun (it closes when the
    session starts); the due time moves on to the next session's opening."""
    window = timedelta(hours=assignment.hours_before)
    sessions = list(_unplanned_sessions(assignment, now))
    opening = [s for s in sessions if s.starts_at - window <= now]
    later = [s for s in sessions if s.starts_at - window > now]
    following = opens_at(later[0].starts_at, assignment.hours_before) if later else None
    claimed = Assignment.objects.filter(pk=assignment.pk, next_due_at=due).update(
        next_due_at=following
    )
    assignment.next_due_at = following
    if not claimed:
        return None
    planned = None
    for session in opening:
        if _still_open(assignment, now):  # sessions less than the window apart share one
            break
        planned = Administration.objects.create(
            patient_id=assignment.patient_id,
            assignment=assignment,
            session=session,
            version=current_version(assignment.instrument),
            due_at=opens_at(session.starts_at, assignment.hours_before),
            closes_at=session.starts_at,
        )
    return planned


def _replan_sessions(patient: Patient, now: datetime) -> None:
    """After a session changed: each "before each session" assignment of the patient falls
    due at its next session's opening, and is planned at once if that has passed."""
    active = Assignment.objects.select_for_update().filter(
        patient=patient, frequency=Frequency.SESSION, stopped_at__isnull=True
    )
    for assignment in active.select_related("instrument"):
        assignment.next_due_at = _next_session_due(assignment, now)
        assignment.save(update_fields=["next_due_at"])
        plan_assignment(assignment, now)


def _session_start(patient: Patient, starts_at: datetime | None, now: datetime) -> datetime:
    if starts_at is None:
        raise ActionError(_("Enter the date and time the session starts."), field="starts_at")
    try:
        instant = wall_clock_to_instant(starts_at, ZoneInfo(patient.time_zone))
    except NonexistentTime as exc:
        raise ActionError(
            _(
                "This time does not exist on that day in %(zone)s: the clocks go forward. "
                "Choose another time."
            )
            % {"zone": patient.time_zone},
            field="starts_at",
        ) from exc
    if instant <= now:
        raise ActionError(_("Choose a time in the future."), field="starts_at")
    return instant


def _refuse_double_booking(
    patient: Patient, starts_at: datetime, session: TherapySession | None = None
) -> None:
    taken = TherapySession.objects.filter(
        patient=patient, starts_at=starts_at, cancelled_at__isnull=True
    )
    if session is not None:
        taken = taken.exclude(pk=session.pk)
    if taken.exists():
        raise ActionError(_("The patient already has a session at this time."), field="starts_at")


def _session_note(note: str) -> str:
    text = note.strip()
    if len(text) > MAX_NOTE:
        raise ActionError(
            _("Keep the note to %(n)d characters or fewer.") % {"n": MAX_NOTE}, field="note"
        )
    return text


@action
def add_session(
    actor: User, patient: Patient, starts_at: datetime | None, note: str = ""
) -> TherapySession:
    """Book a therapy session. ``starts_at`` is a wall-clock time in the patient's time zone
    (naive), or an instant (aware). Questionnaires assigned "before each session" follow."""
    now = timezone.now()
    instant = _session_start(patient, starts_at, now)
    _refuse_double_booking(patient, instant)
    session = TherapySession.objects.create(
        patient=patient,
        starts_at=instant,
        note=_session_note(note),
        created_by=actor,
        created_at=now,
    )
    _replan_sessions(patient, now)
    return session


@action
def change_session(
    actor: User, session: TherapySession, starts_at: datetime | None, note: str = ""
) -> TherapySession:
    """Move a session or change its note. Its questionnaire, if the patient has not started
    it, moves with it (and is reminded about again); a started one closes at the new time."""
    now = timezone.now()
    locked = TherapySession.objects.select_for_update().get(pk=session.pk)
    if locked.is_cancelled:
        raise ActionError(_("This session was cancelled."))
    if locked.starts_at <= now:
        raise ActionError(_("This session has started; it can no longer be changed."))
    locked.starts_at = _session_start(session.patient, starts_at, now)
    _refuse_double_booking(session.patient, locked.starts_at, locked)
    locked.note = _session_note(note)
    locked.save(update_fields=["starts_at", "note", "updated_at"])
    for administration in locked.administrations.select_related("assignment").filter(
        status__in=OPEN_STATUSES
    ):
        administration.closes_at = locked.starts_at
        fields = ["closes_at", "updated_at"]
        if administration.status == AdministrationStatus.DUE and administration.assignment:
            administration.due_at = opens_at(
                locked.starts_at, administration.assignment.hours_before
            )
            administration.reminded_at = administration.reminder_claimed_at = None
            fields += ["due_at", "reminded_at", "reminder_claimed_at"]
        administration.save(update_fields=fields)
    _replan_sessions(session.patient, now)
    locked.patient = session.patient
    return locked


@action
def cancel_session(actor: User, session: TherapySession) -> TherapySession:
    """Cancel a session: its questionnaire is withdrawn unless the patient has started it
    (answers given are kept and can still be sent until the session's time). Cancelling
    again changes nothing."""
    now = timezone.now()
    locked = TherapySession.objects.select_for_update().get(pk=session.pk)
    if locked.is_cancelled:
        locked.patient = session.patient
        return locked
    if locked.starts_at <= now:
        raise ActionError(_("This session has started; it can no longer be cancelled."))
    locked.cancelled_at, locked.cancelled_by = now, actor
    locked.save(update_fields=["cancelled_at", "cancelled_by", "updated_at"])
    for administration in locked.administrations.filter(status=AdministrationStatus.DUE):
        administration.status = AdministrationStatus.WITHDRAWN
        administration.save(update_fields=["status", "updated_at"])
    _replan_sessions(session.patient, now)
    locked.patient = session.patient
    return locked


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


def _refuse_closed(administration: Administration) -> None:
    if administration.status == AdministrationStatus.WITHDRAWN:
        raise ActionError(_("This questionnaire was withdrawn: its session was cancelled."))
    if not administration.is_open(timezone.now()):
        raise ActionError(_("This questionnaire closed when the session started."))


def _locked_open(administration: Administration) -> Administration:
    locked = Administration.objects.select_for_update().get(pk=administration.pk)
    if locked.is_submitted:
        raise ActionError(_("This questionnaire was already sent."))
    _refuse_closed(locked)
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
    _refuse_closed(locked)
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
