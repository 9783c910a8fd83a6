"""Showing the patient their safety plan right after an answer that raised an alert.

The save sets a flag in the session and redirects to the plan. The diary card page is
sent by script (so that it can be queued offline) and reloads itself after a save without
seeing where the server redirected; it finds the flag and goes on to the plan. The plan
page clears the flag.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from safety.risk import SAFETY_PLAN_MESSAGE

SESSION_KEY = "wisemind_show_safety_plan"


def show_safety_plan(request: HttpRequest) -> HttpResponse:
    """The answer to a save that raised an alert: the plan, with the reason why."""
    messages.warning(request, SAFETY_PLAN_MESSAGE)
    request.session[SESSION_KEY] = True
    return redirect("safety:plan")


def safety_plan_pending(request: HttpRequest) -> HttpResponse | None:
    """A redirect to the plan if a save asked for it and the plan has not been shown yet."""
    if request.session.get(SESSION_KEY):
        return redirect("safety:plan")
    return None


def safety_plan_shown(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
