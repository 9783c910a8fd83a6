"""Which account models keep a change history (django-auditlog)."""

from auditlog.registry import auditlog
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ApiToken, Organisation, User

auditlog.register(User, exclude_fields=["password", "last_login", "updated_at"])
auditlog.register(Organisation, exclude_fields=["updated_at"])
auditlog.register(ApiToken, include_fields=["name", "expires_at", "revoked_at"])
auditlog.register(TOTPDevice, include_fields=["name", "confirmed"])
