"""Which safety models keep a change history (django-auditlog): who changed a rule, the
escalation settings, an alert's status or a high-risk watch, and when. Safety-plan
versions are never changed, only added; their creation is recorded too."""

from auditlog.registry import auditlog

from safety.models import Alert, AlertSettings, RiskRule, RiskWatch, SafetyPlanVersion

auditlog.register(SafetyPlanVersion)
auditlog.register(RiskRule)
auditlog.register(AlertSettings)
auditlog.register(Alert)
auditlog.register(RiskWatch)
