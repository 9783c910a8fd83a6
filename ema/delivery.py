"""Deliver one prompt on each of its channels, and log every attempt with its outcome.

Notifications are discreet: they say a check-in is waiting, never what it asks.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from ema.models import Channel, Delivery, DeliveryOutcome, EmaSettings, Prompt, PushSubscription
from ema.push import PushGone, send_push, vapid_keys

logger = logging.getLogger(__name__)


def _log(prompt: Prompt, channel: str, outcome: str, at: datetime, detail: str = "") -> Delivery:
    return Delivery.objects.create(
        prompt=prompt, channel=channel, outcome=outcome, attempted_at=at, detail=detail[:300]
    )


def _push_unavailable() -> str:
    """Why this server cannot send web push (no or broken VAPID keys), or "" if it can."""
    try:
        return "" if vapid_keys() is not None else "web push is not configured (no VAPID keys)"
    except ImproperlyConfigured as exc:
        logger.error("Web push is misconfigured: %s", exc)
        return f"web push is misconfigured: {exc}"


def deliver(prompt: Prompt, now: datetime) -> None:
    """In the app always; by web push and e-mail when the patient wants them."""
    _log(prompt, Channel.IN_APP, DeliveryOutcome.SENT, now)
    user = prompt.patient.user
    if user is None or not user.is_active:
        return
    try:
        ema_settings: EmaSettings | None = prompt.patient.ema_settings  # the dispatcher joins it
    except EmaSettings.DoesNotExist:
        ema_settings = None
    push_enabled = ema_settings.push_enabled if ema_settings else True
    email_enabled = ema_settings.email_enabled if ema_settings else False
    link = settings.SITE_URL + reverse("ema:pending")
    with translation.override(user.language):
        title = _("wisemind")
        body = _("You have a check-in waiting.")
    if push_enabled:
        subscriptions = list(PushSubscription.objects.filter(user=user, revoked_at__isnull=True))
        if not subscriptions:
            _log(prompt, Channel.PUSH, DeliveryOutcome.SKIPPED, now, "no subscription")
        elif problem := _push_unavailable():
            # The server's configuration, not the subscriptions: their failure counts stay.
            _log(prompt, Channel.PUSH, DeliveryOutcome.SKIPPED, now, problem)
            subscriptions = []
        payload = json.dumps({"title": title, "body": body, "url": reverse("ema:pending")})
        for subscription in subscriptions:
            try:
                send_push(subscription, payload)
            except PushGone as exc:
                subscription.revoked_at = now
                subscription.save(update_fields=["revoked_at"])
                _log(prompt, Channel.PUSH, DeliveryOutcome.FAILED, now, f"subscription gone: {exc}")
            except Exception as exc:  # a push service error must not stop the other channels
                logger.warning("Push for prompt %s failed: %s", prompt.pk, exc)
                subscription.failures += 1
                subscription.save(update_fields=["failures"])
                _log(prompt, Channel.PUSH, DeliveryOutcome.FAILED, now, str(exc))
            else:
                subscription.last_success_at = now
                subscription.failures = 0
                subscription.save(update_fields=["last_success_at", "failures"])
                _log(prompt, Channel.PUSH, DeliveryOutcome.SENT, now)
    if email_enabled:
        try:
            send_mail(title, f"{body}\n\n{link}\n", None, [user.email])
        except Exception as exc:
            logger.warning("E-mail for prompt %s failed: %s", prompt.pk, exc)
            _log(prompt, Channel.EMAIL, DeliveryOutcome.FAILED, now, str(exc))
        else:
            _log(prompt, Channel.EMAIL, DeliveryOutcome.SENT, now)
