"""The researcher's downloads: their organisation's consenting patients only, audited."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import polars as pl
import pytest
from django.urls import reverse

from accounts.models import Role
from audit.models import AccessLog
from core.testing.factories import make_token, make_user
from core.testing.personas import World
from research.models import ExportChannel, ResearchExport
from research.pseudonyms import organisation_key, pseudonym
from research.tests.builders import add_card, consenting, research_patient


@pytest.fixture
def data(world: World) -> dict[str, Any]:
    """world.patient consents; other_patient withdrew; a patient elsewhere consents."""
    patient = consenting(world.patient_record)
    add_card(patient, date(2026, 3, 2), skills_used=3, note="Nobody else reads this")
    add_card(patient, date(2026, 3, 3), skills_used=4)
    withdrawn = consenting(world.other_patient_record, withdrawn=True)
    add_card(withdrawn, date(2026, 3, 2), skills_used=1)
    elsewhere = research_patient(world.other_organisation)
    add_card(elsewhere, date(2026, 3, 2), skills_used=6)
    return {"patient": patient, "withdrawn": withdrawn, "elsewhere": elsewhere}


def _expected_person(world: World) -> str:
    return pseudonym(organisation_key(world.organisation.pk), world.patient_record.public_id)


def test_researcher_downloads_own_clinics_consenting_patients(
    world: World, data: dict[str, Any], client_for: Any
) -> None:
    # Given the researcher of world.organisation on their workspace
    client = client_for(world.researcher)
    home = client.get(reverse("accounts:research_home")).content.decode()
    assert "1 patient of this clinic has agreed" in home
    url = reverse("research:download", kwargs={"table": "diary", "file_format": "csv"})
    assert url in home

    # When they download the diary table
    response = client.get(url)

    # Then it is a CSV of the one consenting patient of their clinic, under a pseudonym
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, private"
    assert "wisemind-diary-deidentified.csv" in response["Content-Disposition"]
    frame = pl.read_csv(io.BytesIO(response.content))
    assert frame["person"].unique().to_list() == [_expected_person(world)]
    assert frame["skills_used"].to_list() == [3, 4]
    body = response.content.decode()
    for record in data.values():
        for text in (record.given_name, record.family_name, str(record.public_id)):
            assert text not in body
    assert "Nobody else reads this" not in body

    # And the export is recorded: who, which organisation and table, how many rows and people
    recorded = ResearchExport.objects.get()
    assert (recorded.actor, recorded.organisation, recorded.table) == (
        world.researcher,
        world.organisation,
        "diary",
    )
    assert (recorded.rows, recorded.participants, recorded.channel) == (2, 1, ExportChannel.WEB)
    read = AccessLog.objects.get(resource="research.export_deidentified")
    assert (read.actor, read.patient, read.object_id) == (
        world.researcher,
        None,
        str(recorded.public_id),
    )


def test_api_gives_the_same_table_as_parquet(
    world: World, data: dict[str, Any], client: Any
) -> None:
    _token, secret = make_token(world.researcher)
    response = client.get(
        reverse("api:export_research_data", kwargs={"table": "diary"}),
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 200
    frame = pl.read_parquet(io.BytesIO(response.content))
    assert frame["person"].unique().to_list() == [_expected_person(world)]
    assert ResearchExport.objects.get().channel == ExportChannel.API
    csv = client.get(
        reverse("api:export_research_data", kwargs={"table": "ema"}) + "?file_format=csv",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert csv.status_code == 200
    assert csv.content.startswith(b"person,study_day,seconds")


def test_a_researcher_elsewhere_gets_only_their_clinic(
    world: World, data: dict[str, Any], client_for: Any
) -> None:
    foreign = make_user(Role.RESEARCHER, world.other_organisation)
    response = client_for(foreign).get(
        reverse("research:download", kwargs={"table": "diary", "file_format": "csv"})
    )
    frame = pl.read_csv(io.BytesIO(response.content))
    elsewhere = data["elsewhere"]
    key = organisation_key(world.other_organisation.pk)
    assert frame["person"].to_list() == [pseudonym(key, elsewhere.public_id)]
    assert frame["skills_used"].to_list() == [6]
    # The same patient would have an unrelated pseudonym in another organisation.
    assert pseudonym(key, world.patient_record.public_id) != _expected_person(world)


def test_unknown_table_or_format_is_404(world: World, client_for: Any) -> None:
    client = client_for(world.researcher)
    for table, file_format in (("notes", "csv"), ("diary", "xlsx")):
        url = reverse("research:download", kwargs={"table": table, "file_format": file_format})
        assert client.get(url).status_code == 404
    assert not ResearchExport.objects.exists()


@pytest.mark.parametrize("persona", ["therapist", "admin", "patient", "supporter"])
def test_only_researchers_download(world: World, persona: str, client_for: Any) -> None:
    url = reverse("research:download", kwargs={"table": "ema", "file_format": "parquet"})
    assert client_for(getattr(world, persona)).get(url).status_code == 403
