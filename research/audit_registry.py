"""Consents and exports keep a change history (django-auditlog): who agreed or withdrew and
when; who exported which organisation's table, with its row and participant counts. The
pseudonym key is never registered: its bytes must not be copied anywhere."""

from auditlog.registry import auditlog

from research.models import ResearchConsent, ResearchExport

auditlog.register(ResearchConsent)
auditlog.register(ResearchExport)
