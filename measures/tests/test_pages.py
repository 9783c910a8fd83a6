"""The pages: the patient fills in, saves and comes back, sends and reads a plain summary;
item 9 goes to the safety plan; the clinician's chart with bands and markers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from core.testing.factories import make_administration
from core.testing.personas import World
from safety.flow import SESSION_KEY

pytestmark = pytest.mark.django_db

Clients = Callable[[User | None], Client]


def form(values: list[int | None], intent: str) -> dict[str, Any]:
    data: dict[str, Any] = {"intent": intent}
    for number, value in enumerate(values, start=1):
        if value is not None:
            data[f"item_{number}"] = str(value)
    return data


def test_fill_save_return_and_send(world: World, client_for: Clients) -> None:
    administration = make_administration(world.patient_record)
    client = client_for(world.patient)
    url = reverse("measures:fill", args=[administration.public_id])
    page = client.get(url)
    assert page.status_code == 200
    assert "Little interest or pleasure in doing things" in page.content.decode()
    assert 'data-testid="measures-crisis"' in page.content.decode()
    # Save three answers and come back: they are ticked
    saved = client.post(url, form([1, 2, 0], "save"))
    assert saved.status_code == 302 and saved["Location"] == reverse("measures:mine")
    again = client.get(url).content.decode()
    assert 'value="2" id="id_item_2_2" checked' in again or 'value="2" checked' in again
    # Send the rest
    sent = client.post(url, form([1, 2, 0, 1, 1, 1, 1, 0, 0], "submit"))
    result_url = reverse("measures:result", args=[administration.public_id])
    assert sent.status_code == 302 and sent["Location"] == result_url
    summary = client.get(result_url).content.decode()
    assert "add up to 7 on a scale from 0 to 27" in summary and "not a diagnosis" in summary
    assert "Mild" in summary  # PHQ-9 shows its band to the patient


def test_item_9_sends_the_patient_to_the_safety_plan(world: World, client_for: Clients) -> None:
    administration = make_administration(world.patient_record)
    client = client_for(world.patient)
    url = reverse("measures:fill", args=[administration.public_id])
    sent = client.post(url, form([0] * 8 + [2], "submit"))
    assert sent.status_code == 302 and sent["Location"] == reverse("safety:plan")
    assert client.session[SESSION_KEY] is True


def test_clinician_page_draws_bands_baseline_and_markers(world: World, client_for: Clients) -> None:
    for values in ([2] * 9, [2] * 9, [1] * 8 + [0]):
        make_administration(
            world.patient_record,
            answers={str(n): v for n, v in enumerate(values, start=1)},
            submit=True,
        )
    client = client_for(world.therapist)
    url = reverse("measures:patient", args=[world.patient_record.public_id])
    html = client.get(url).content.decode()
    assert html.count('data-testid="severity-band"') == 5
    assert html.count('data-testid="baseline"') == 1
    assert html.count('data-testid="reliable-change-marker"') == 1
    assert "Recovered" in html and "support clinical judgement" in html

    # The page's queries do not grow with the number of scores
    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            client.get(url)
        return len(context.captured_queries)

    before = count()
    make_administration(
        world.patient_record, answers={str(n): 1 for n in range(1, 10)}, submit=True
    )
    assert count() == before


def test_assign_from_the_page(world: World, client_for: Clients) -> None:
    client = client_for(world.therapist)
    url = reverse("measures:assign", args=[world.patient_record.public_id])
    done = client.post(url, {"instrument": "gad7", "frequency": "days", "every": 3})
    assert done.status_code == 302
    refused = client.post(url, {"instrument": "bsl23", "frequency": "once", "every": 1})
    assert refused.status_code == 400  # not a choice: the clinic has no licensed text
    mine = client_for(world.patient).get(reverse("measures:mine")).content.decode()
    assert "Fill in GAD-7" in mine
