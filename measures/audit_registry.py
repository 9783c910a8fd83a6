"""Which measures models keep a change history (django-auditlog).

Assignments, therapy sessions, answers and scores are part of the clinical record; a
clinic's licensed item text shows who loaded which wording. Definitions are immutable
versions (never changed).
"""

from auditlog.registry import auditlog

from measures.models import Administration, Assignment, LicensedItemText, Score, TherapySession

auditlog.register(Assignment)
auditlog.register(Administration, exclude_fields=["reminder_claimed_at", "updated_at"])
auditlog.register(Score)
auditlog.register(LicensedItemText)
auditlog.register(TherapySession, exclude_fields=["updated_at"])
