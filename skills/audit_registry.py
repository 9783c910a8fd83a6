"""Which skills models keep a change history (django-auditlog).

Built-in skills change only through ``load_skills`` (the content files are under
version control); a clinic's own skills and the practice log are recorded.
"""

from auditlog.registry import auditlog

from skills.models import Practice, Skill

auditlog.register(Skill)
auditlog.register(Practice)
