"""Which coaching models keep a change history (django-auditlog).

Requests (status, closing) and messages are part of the clinical record; availability
changes show when a clinician said they could be reached.
"""

from auditlog.registry import auditlog

from coaching.models import Availability, CoachingMessage, CoachingRequest

auditlog.register(CoachingRequest, exclude_fields=["notice_claimed_at", "patient_seen_at"])
auditlog.register(CoachingMessage)
auditlog.register(Availability)
