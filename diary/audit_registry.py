"""Which diary models keep a change history (django-auditlog).

Cards are not registered here: their rows are written in bulk, which auditlog does not
see. Every save of a card appends a ``CardRevision`` with the whole card instead, so
what the patient entered first, and every later change, stay readable.
"""

from auditlog.registry import auditlog

from diary.models import Emotion, Target

auditlog.register(Target)
auditlog.register(Emotion)
