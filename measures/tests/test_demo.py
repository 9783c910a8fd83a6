"""The demo patient's questionnaire history: PHQ-9 falling to recovery, a GAD-7 waiting."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from measures.models import Administration, Assignment, Score

pytestmark = pytest.mark.django_db


def test_demo_has_a_phq9_course_with_reliable_change_once() -> None:
    call_command("seed_demo", history_days=0, patients=3, quiet_logins=True, stdout=StringIO())
    scores = list(Score.objects.filter(instrument__key="phq9").order_by("observed_at"))
    assert [s.value for s in scores] == [17, 16, 13, 10, 7, 5]
    assert scores[-1].change["baseline"]["label"] == "recovered"
    assert scores[3].change["baseline"]["label"] == "reliable_improvement"
    waiting = Administration.objects.exclude(status="submitted").get()
    assert waiting.version.instrument.key == "gad7"
    # A second run adds nothing
    call_command("seed_demo", history_days=0, patients=3, quiet_logins=True, stdout=StringIO())
    assert Score.objects.count() == 6 and Assignment.objects.count() == 2
