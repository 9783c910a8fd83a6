"""The demo: most app patients agree to research, so the demo researcher sees data."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import Organisation
from demo.history import app_patients
from demo.people import ORG_SLUG
from research.export import diary_table, ema_table
from research.models import ResearchConsent

pytestmark = pytest.mark.django_db
SEED = 20261122


def test_demo_researcher_has_consenting_patients_data() -> None:
    out = StringIO()
    call_command("seed_demo", "--history-days", "5", "--quiet-logins", stdout=out)
    assert "patients agree to research use of their data" in out.getvalue()
    patients = app_patients(SEED, 30)
    consents = ResearchConsent.objects.current()
    assert 0 < consents.count() < len(patients)
    # The featured patient (patient@…) has not chosen yet: the demo shows the consent page.
    assert not consents.filter(patient=patients[0]).exists()
    organisation = Organisation.objects.get(slug=ORG_SLUG)
    diary, ema = diary_table(organisation.pk), ema_table(organisation.pk)
    assert diary.participants == consents.count()
    assert diary.rows > 0 and ema.rows > 0

    # A second load changes nothing
    before = list(ResearchConsent.objects.values_list("pk", "withdrawn_at"))
    call_command("seed_demo", "--history-days", "5", "--quiet-logins", stdout=StringIO())
    assert list(ResearchConsent.objects.values_list("pk", "withdrawn_at")) == before
