"""The demo's practice log follows its diary cards, and a second load adds nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from diary.models import DiaryCard
from skills.models import Practice

pytestmark = pytest.mark.django_db


def test_the_demo_has_practices_of_the_skills_its_cards_name() -> None:
    out = StringIO()
    call_command("seed_demo", "--history-days", "14", "--quiet-logins", stdout=out)
    practices = list(Practice.objects.select_related("skill"))
    assert practices
    assert "skills practices" in out.getvalue()
    for practice in practices[:50]:
        card = DiaryCard.objects.get(patient=practice.patient, date=practice.day)
        assert practice.skill.name in card.skills
        assert 0 <= practice.distress_after <= 100
    call_command("seed_demo", "--history-days", "14", "--quiet-logins", stdout=StringIO())
    assert Practice.objects.count() == len(practices)
