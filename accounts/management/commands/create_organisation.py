"""Create an organisation and its first clinic admin, who receives an invitation e-mail."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.text import slugify

from accounts.actions import invite_user
from accounts.models import Organisation, Role
from core.actions import ActionError


class Command(BaseCommand):
    help = (
        "Create an organisation and invite its first clinic admin by e-mail. "
        "Example: wisemind create_organisation 'Riverside Clinic' --admin-email a@clinic.org "
        "--admin-name 'Ada Admin' --time-zone Europe/Amsterdam"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("name")
        parser.add_argument("--slug", default="")
        parser.add_argument("--time-zone", default="UTC")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-name", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["slug"] or slugify(options["name"])
        if Organisation.objects.filter(slug=slug).exists():
            raise CommandError(f"An organisation with the slug {slug!r} already exists.")
        organisation = Organisation(name=options["name"], slug=slug, time_zone=options["time_zone"])
        try:
            organisation.full_clean()
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{k}: {', '.join(v)}" for k, v in exc.message_dict.items())
            ) from exc
        try:
            with transaction.atomic():
                organisation.save()
                admin = invite_user(
                    None,
                    organisation=organisation,
                    email=options["admin_email"],
                    full_name=options["admin_name"],
                    role=Role.ADMIN,
                )
        except ActionError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {organisation.name} ({slug}). {admin.email} is invited as clinic admin "
                "and sets a password from the e-mailed link. Set the crisis numbers under "
                "Organisation settings after logging in."
            )
        )
