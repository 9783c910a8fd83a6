"""Load a study's or clinic's own momentary questionnaire from a JSON file.

    wisemind load_questionnaire my-study.json --organisation riverside --slug evening

The file holds ``{"name": "...", "questions": [...]}`` in the format described in
``ema/questionnaires.py``. Every problem is reported with the question it is in, and
nothing is stored unless the whole definition is valid. Loading a changed definition
under the same slug creates the next version; schedules keep the version they use.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Max

from accounts.models import Organisation
from ema.models import Questionnaire
from ema.questionnaires import validate_definition


class Command(BaseCommand):
    help = "Load a momentary questionnaire definition (JSON) for an organisation."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--organisation", required=True, help="The organisation's slug.")
        parser.add_argument("--slug", required=True, help="A short name, e.g. 'evening'.")

    def handle(self, *args: Any, file: Path, organisation: str, slug: str, **options: Any) -> None:
        org = Organisation.objects.filter(slug=organisation).first()
        if org is None:
            raise CommandError(f"No organisation with the slug {organisation!r}.")
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        if not isinstance(data, dict) or not isinstance(data.get("name"), str):
            raise CommandError('The file must hold {"name": "...", "questions": [...]}.')
        problems = validate_definition(data.get("questions"))
        if problems:
            raise CommandError("The questionnaire is not valid:\n  " + "\n  ".join(problems))
        with transaction.atomic():
            current = Questionnaire.objects.select_for_update().filter(organisation=org, slug=slug)
            latest = current.order_by("-version").first()
            if (
                latest is not None
                and latest.questions == data["questions"]
                and latest.name == data["name"]
            ):
                self.stdout.write(f"{slug} v{latest.version} is already loaded; nothing changed.")
                return
            version = (current.aggregate(v=Max("version"))["v"] or 0) + 1
            Questionnaire.objects.create(
                organisation=org,
                slug=slug,
                version=version,
                name=data["name"].strip(),
                questions=data["questions"],
            )
        self.stdout.write(self.style.SUCCESS(f"Loaded {slug} v{version} for {org.name}."))
