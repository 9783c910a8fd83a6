"""Export questionnaires, responses and scores as FHIR R4.

    wisemind export_fhir --patient PUBLIC_ID [--output FILE]       # a Bundle (JSON)
    wisemind export_fhir --organisation SLUG [--output FILE]       # bulk NDJSON

Validated with ``fhir.resources`` (R4B models, wire-compatible with R4). An operator's
export is outside any user's session, so it is not in the access log; keep the files as
clinical data.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from care.models import Patient
from core.ids import parse_public_id
from measures.fhir import ndjson_lines, patient_bundle


class Command(BaseCommand):
    help = "Export questionnaire data as a FHIR R4 Bundle (one patient) or NDJSON (a clinic)."

    def add_arguments(self, parser: Any) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--patient", help="The patient's public id.")
        group.add_argument("--organisation", help="The clinic's slug (bulk NDJSON).")
        parser.add_argument("--output", type=Path, help="A file to write (default: stdout).")

    def handle(self, *args: Any, patient: str | None, organisation: str | None,
               output: Path | None, **options: Any) -> None:  # fmt: skip
        lines = self._lines(patient, organisation)
        if output is None:
            for line in lines:
                self.stdout.write(line)
            return
        with output.open("w", encoding="utf-8") as out:
            for line in lines:
                out.write(line + "\n")

    def _lines(self, patient: str | None, organisation: str | None) -> Iterator[str]:
        if patient is not None:
            try:
                public_id = parse_public_id(patient)
            except Http404 as exc:
                raise CommandError(f"{patient!r} is not a patient id.") from exc
            found = Patient.objects.filter(public_id=public_id).first()
            if found is None:
                raise CommandError(f"No patient with the id {patient!r}.")
            return iter([json.dumps(patient_bundle(found), ensure_ascii=False, indent=2)])
        patients = Patient.objects.filter(organisation__slug=organisation).order_by("id")
        if not patients.exists():
            raise CommandError(f"No patients in a clinic with the slug {organisation!r}.")
        return ndjson_lines(patients)
