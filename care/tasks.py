"""Background jobs for care. Jobs take ids and can safely run twice."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from care.models import SupporterLink


@task()
def send_supporter_added(link_id: int) -> bool:
    """Tell an existing account that a patient added them as a supporter.

    The e-mail names the person and links to the app; it says nothing clinical.
    """
    link = (
        SupporterLink.objects.current()
        .select_related("patient", "supporter")
        .filter(pk=link_id, supporter__is_active=True)
        .first()
    )
    if link is None:
        return False
    supporter = link.supporter
    with translation.override(supporter.language):
        context = {
            "supporter": supporter,
            "patient_name": link.patient.display_name,
            "link": settings.SITE_URL + reverse("care:shared_list"),
        }
        subject = render_to_string("care/email/supporter_added_subject.txt", context).strip()
        body = render_to_string("care/email/supporter_added.txt", context)
    send_mail(subject, body, None, [supporter.email])
    return True
