"""Which care models keep a change history (django-auditlog)."""

from auditlog.registry import auditlog

from care.models import BreakGlassGrant, CareTeamMember, Patient, SupporterLink

auditlog.register(Patient, exclude_fields=["updated_at"])
auditlog.register(CareTeamMember)
auditlog.register(SupporterLink, exclude_fields=["updated_at"])
auditlog.register(BreakGlassGrant)
