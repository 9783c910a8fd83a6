"""Which EMA models keep a change history (django-auditlog). Prompts and deliveries are
operational records with their own timestamps; responses are written once."""

from auditlog.registry import auditlog

from ema.models import EmaSettings, Questionnaire, Schedule

auditlog.register(Schedule, exclude_fields=["updated_at"])
auditlog.register(EmaSettings, exclude_fields=["updated_at"])
auditlog.register(Questionnaire)
