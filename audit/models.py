"""The access log: one row for every read of clinical data. Rows are append-only.

Changes to data are recorded separately by django-auditlog (``auditlog.LogEntry``).
Neither table can be edited or deleted through the product: there are no views
that write them apart from inserts, the model refuses updates and deletes, and a
database trigger refuses UPDATE (and DELETE on PostgreSQL) underneath.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import signals
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an audit row."""


class AppendOnlyQuerySet(models.QuerySet["AccessLog"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit rows cannot be changed.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Audit rows cannot be deleted.")


def _refuse_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    raise AppendOnlyError("Audit rows cannot be deleted.")


def protect_change_log() -> None:
    """Make django-auditlog's ``LogEntry`` append-only in the ORM, as ``AccessLog`` is.

    ``LogEntry`` is a third-party model, so it is guarded from outside, once, from
    ``AuditConfig.ready``: saving a stored row or deleting one raises before any SQL
    runs, its default manager's querysets refuse ``update()`` and ``delete()``, and a
    ``pre_delete`` receiver refuses deletes that cascade from another model.
    """
    from auditlog.models import LogEntry

    if getattr(LogEntry, "_append_only", False):
        return
    insert_only = LogEntry.save

    def save(self: LogEntry, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit rows cannot be changed.")
        insert_only(self, *args, **kwargs)

    def delete(self: LogEntry, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit rows cannot be deleted.")

    LogEntry.save = save  # type: ignore[method-assign]
    LogEntry.delete = delete  # type: ignore[method-assign,assignment]
    signals.pre_delete.connect(_refuse_delete, sender=LogEntry, dispatch_uid="audit_logentry")
    manager = LogEntry._default_manager
    manager._queryset_class = type(  # type: ignore[attr-defined]
        "AppendOnlyLogEntryQuerySet",
        (AppendOnlyQuerySet, manager._queryset_class),  # type: ignore[attr-defined]
        {},
    )
    LogEntry._append_only = True  # type: ignore[attr-defined]


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    API = "api", _("API")
    SYSTEM = "system", _("System")


class AccessLog(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    actor_email = models.EmailField()
    actor_role = models.CharField(max_length=20)
    patient = models.ForeignKey(
        "care.Patient", on_delete=models.PROTECT, related_name="+", null=True
    )
    resource = models.CharField(max_length=100, help_text="What was read, e.g. care.patient")
    object_id = models.CharField(max_length=64, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=300, blank=True)
    break_glass = models.ForeignKey(
        "care.BreakGlassGrant", on_delete=models.PROTECT, related_name="reads", null=True
    )

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["patient", "created_at"]),
            models.Index(fields=["actor", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.actor_email} read {self.resource} {self.object_id} at {self.created_at}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit rows cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit rows cannot be deleted.")
