"""Load the demo organisation (idempotent: a second run changes nothing)."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from dashboard.days import rebuild_all
from demo.chains import ensure_chain
from demo.coaching import ensure_coaching
from demo.history import HISTORY_DAYS, app_patients, ensure_history
from demo.measures import ensure_measures
from demo.people import DEMO_PASSWORD, STAFF, ensure_people
from demo.people import DOMAIN as DEMO_DOMAIN
from demo.practices import ensure_practices
from demo.research import ensure_research_consents
from demo.safety import ensure_safety, primary_therapist

DEFAULT_SEED = 20261122


class Command(BaseCommand):
    help = (
        "Create the synthetic demo organisation, its staff, patients and supporters, and six "
        "months of diary cards and EMA check-ins for the patients who use the app."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print log-ins.")
        parser.add_argument(
            "--history-days",
            type=int,
            default=HISTORY_DAYS,
            help=f"Days of diary and EMA history before today (default {HISTORY_DAYS}; 0: none).",
        )
        parser.add_argument(
            "--patients",
            type=int,
            default=30,
            help="How many patients (default 30; benchmarks ask for more).",
        )

    def handle(
        self,
        *args: Any,
        seed: int,
        quiet_logins: bool,
        history_days: int,
        patients: int,
        **options: Any,
    ) -> None:
        if settings.IS_PRODUCTION:
            # Demo accounts share a published password: never in a production database.
            raise CommandError("The demo organisation cannot be loaded in production mode.")
        if history_days < 0 or patients < 1:
            raise CommandError("--history-days must be 0 or more and --patients at least 1.")
        started = time.perf_counter()
        with transaction.atomic():
            counts = ensure_people(seed, patients)
            history = ensure_history(seed, patient_count=patients, days=history_days)
            users = app_patients(seed, patients)
            practices = ensure_practices(seed, users)
            # The third patient with a log-in is the one whose course deteriorates.
            safety = ensure_safety(seed, users, users[2] if len(users) >= 3 else None)
            featured = users[0] if users else None
            therapist = primary_therapist(featured) if featured else None
            chains = ensure_chain(featured, therapist) if featured else 0
            coaching = ensure_coaching(featured, therapist) if featured else 0
            measures = ensure_measures(featured, therapist) if featured else 0
            consents = ensure_research_consents(seed, users)
            # Last, so that the caseload dashboard's daily table has everything above.
            patient_days = rebuild_all()
        self.stdout.write(
            f"Demo organisation ready: {counts['staff']} staff, {counts['patients']} patients, "
            f"{counts['supporters']} supporter links (seed {seed})."
        )
        if history.patients:
            self.stdout.write(
                f"Added {history_days} days of history for {history.patients} patients: "
                f"{history.cards} diary cards, {history.prompts} check-ins "
                f"({history.responses} answered) in {time.perf_counter() - started:.1f} s."
            )
        if practices:
            self.stdout.write(f"Added {practices} skills practices, from the cards' skills.")
        if safety.plans:
            self.stdout.write(
                f"Added {safety.plans} safety plans; the clinic's risk rules over their cards and "
                f"recent check-ins raised {safety.alerts} alerts ({safety.open_alerts} still open)."
            )
        if chains:
            self.stdout.write("Added a shared chain analysis with the therapist's comments.")
        if coaching:
            self.stdout.write(f"Added {coaching} coaching requests and the clinicians' hours.")
        if consents:
            self.stdout.write(f"{consents} patients agree to research use of their data.")
        if measures:
            self.stdout.write(
                f"Added {measures} PHQ-9 results and a GAD-7 waiting to be filled in."
            )
        self.stdout.write(f"Filled the caseload dashboard's daily table ({patient_days} rows).")
        if quiet_logins:
            return
        rows = [(spec.key, spec.email) for spec in STAFF]
        rows.insert(0, ("patient", f"patient@{DEMO_DOMAIN}"))
        rows.append(("supporter", f"supporter@{DEMO_DOMAIN}"))
        self.stdout.write("")
        self.stdout.write(f"Demo log-ins (password for all: {DEMO_PASSWORD}):")
        for role, email in rows:
            self.stdout.write(f"  {role:<12} {email}")
