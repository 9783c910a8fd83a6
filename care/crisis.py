"""Crisis resources shown on the crisis page, on every risk-related screen and in the API."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from accounts.models import Organisation


@dataclass(frozen=True)
class CrisisResources:
    organisation_name: str
    emergency_number: str
    crisis_line_name: str
    crisis_line_number: str
    crisis_text_number: str
    notes: str
    configured: bool

    @staticmethod
    def tel(number: str) -> str:
        """A tap-to-call ``tel:`` target: digits and a leading + only."""
        cleaned = "".join(ch for ch in number if ch.isdigit() or ch == "+")
        return f"tel:{cleaned}" if cleaned else ""

    @property
    def emergency_tel(self) -> str:
        return self.tel(self.emergency_number)

    @property
    def crisis_line_tel(self) -> str:
        return self.tel(self.crisis_line_number)

    @property
    def crisis_text_sms(self) -> str:
        cleaned = self.tel(self.crisis_text_number)
        return cleaned.replace("tel:", "sms:") if cleaned else ""


def default_organisation() -> Organisation | None:
    """The organisation whose numbers anonymous visitors see."""
    slug = getattr(settings, "DEFAULT_ORGANISATION_SLUG", "")
    if slug:
        return Organisation.objects.filter(slug=slug).first()
    organisations = list(Organisation.objects.all()[:2])
    return organisations[0] if len(organisations) == 1 else None


def crisis_resources(organisation: Organisation | None) -> CrisisResources:
    if organisation is None:
        return CrisisResources("", "", "", "", "", "", configured=False)
    return CrisisResources(
        organisation_name=organisation.name,
        emergency_number=organisation.emergency_number,
        crisis_line_name=organisation.crisis_line_name,
        crisis_line_number=organisation.crisis_line_number,
        crisis_text_number=organisation.crisis_text_number,
        notes=organisation.crisis_notes,
        configured=organisation.crisis_configured,
    )
