"""Pages: the patient's chains, starting one (from a diary day), the worksheet (one form;
autosaved by ``chains/worksheet.js``), sharing, the shared chain with its comments, and the
care team's list of a patient's shared chains."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chains import actions
from chains.access import (
    access_chain,
    access_commentable_chain,
    access_link,
    access_own_chain,
    access_own_chains,
    access_patient_chains,
    is_author,
)
from chains.forms import CommentForm, StartChainForm, WorksheetForm, parse_step
from chains.models import SECTIONS, ChainAnalysis, ChainLink, LinkKind
from chains.prefill import behaviour_from, card_of_day, day_snapshot
from chains.queries import chain_links, library_for, own_chains, shared_chains
from core.actions import ActionError
from core.forms import add_action_error
from core.requests import AuthenticatedRequest
from policy.routes import page

#: The request header ``chains/worksheet.js`` sends with an autosave (answered in JSON).
AUTOSAVE_HEADER = "X-Autosave"


def _day(value: str | None) -> date | None:
    if not value:
        return None
    day = parse_date(value)
    if day is None:
        raise Http404
    return day


@page("chains.write_own")
def mine(request: AuthenticatedRequest) -> HttpResponse:
    patient = access_own_chains(request)
    return render(request, "chains/mine.html", {"chains": own_chains(patient)})


@page("chains.write_own")
def new(request: AuthenticatedRequest) -> HttpResponse:
    patient = access_own_chains(request)
    day = _day(request.POST.get("day") if request.method == "POST" else request.GET.get("from"))
    card = card_of_day(patient, day) if day else None
    snapshot = day_snapshot(card) if card else None
    form = StartChainForm(
        request.POST if request.method == "POST" else None,
        initial={
            "problem_behaviour": behaviour_from(snapshot) if snapshot else "",
            "day": day if card else None,
        },
    )
    if form.is_bound and form.is_valid():
        try:
            chain = actions.start_chain(
                request.user,
                patient,
                problem_behaviour=form.cleaned_data["problem_behaviour"],
                day=form.cleaned_data["day"],
            )
        except ActionError as exc:
            add_action_error(form, exc)
        else:
            return redirect("chains:detail", chain_id=chain.public_id)
    context = {"form": form, "snapshot": snapshot, "day": day, "no_card": day and card is None}
    return render(request, "chains/new.html", context)


@page("accounts.use_app", object_perm="chains.view")
def detail(request: AuthenticatedRequest, chain_id: str) -> HttpResponse:
    """The author's draft is the worksheet; a shared chain is read-only, with comments."""
    chain = access_chain(request, chain_id)
    if is_author(request, chain) and chain.is_draft:
        return _worksheet(request, chain)
    if request.method == "POST":
        if not is_author(request, chain):
            raise PermissionDenied
        messages.info(request, _("This chain has been shared and can no longer be changed."))
        return redirect("chains:detail", chain_id=chain.public_id)
    return _shared(request, chain)


def _worksheet_form(
    request: AuthenticatedRequest, chain: ChainAnalysis, links: list[ChainLink], data: object
) -> WorksheetForm:
    initial: dict[str, object] = {name: getattr(chain, name) for name in SECTIONS}
    initial["version"] = chain.version
    return WorksheetForm(data, initial=initial, links=links, skills=library_for(request.user))


def _worksheet(request: AuthenticatedRequest, chain: ChainAnalysis) -> HttpResponse:
    links = chain_links(chain)
    autosave = request.headers.get(AUTOSAVE_HEADER) == "1"
    form = _worksheet_form(
        request, chain, links, request.POST if request.method == "POST" else None
    )
    if form.is_bound:
        if form.is_valid():
            step = parse_step(request.POST.get("op", "save"), links)
            try:
                saved = actions.save_worksheet(
                    request.user,
                    chain,
                    version=form.cleaned_data["version"],
                    sections=form.sections(),
                    links=form.link_values(),
                    # An autosave keeps what is there; adding and moving need a button.
                    new_link=None if autosave else form.new_link(),
                    new_skills=None if autosave else form.new_skills,
                    step=None if autosave else step,
                )
            except actions.StaleVersion as exc:
                if autosave:
                    return JsonResponse(
                        {"message": exc.message, "version": exc.current}, status=409
                    )
                # Show what they typed, against the current version: saving again keeps it.
                data = request.POST.copy()
                data["version"] = str(exc.current)
                form = _worksheet_form(request, chain, chain_links(chain), data)
                form.is_valid()
                form.add_error(None, exc.message + " " + _("Save again to keep what you see here."))
            except ActionError as exc:
                if autosave:
                    return JsonResponse({"message": exc.message, "field": exc.field}, status=400)
                add_action_error(form, exc)
            else:
                if autosave:
                    saved_at = timezone.localtime(saved.updated_at).strftime("%H:%M")
                    return JsonResponse({"version": saved.version, "saved_at": saved_at})
                return _after_step(request, saved, step)
        elif autosave:
            message = _("Not saved yet: check the fields marked in red.")
            return JsonResponse({"message": message, "fields": form.errors}, status=400)
    context = {
        "chain": chain,
        "form": form,
        "links": form.link_fields(),
        "library": library_for(request.user),
        "kinds": LinkKind.choices,
    }
    return render(request, "chains/worksheet.html", context)


def _after_step(
    request: AuthenticatedRequest, chain: ChainAnalysis, step: actions.WorksheetStep
) -> HttpResponse:
    if step.verb == "share":
        return redirect("chains:share", chain_id=chain.public_id)
    url = reverse("chains:detail", kwargs={"chain_id": chain.public_id})
    if step.link is not None and step.verb != "delete":
        return redirect(f"{url}#link-{step.link.public_id}")
    if step.verb == "delete":
        messages.success(request, _("The link was deleted."))
        return redirect(f"{url}#chain-heading")
    if request.POST.get("op") == "add":
        return redirect(f"{url}#new-link")
    messages.success(request, _("Saved."))
    return redirect(url)


def _shared(
    request: AuthenticatedRequest,
    chain: ChainAnalysis,
    failed: tuple[ChainLink, CommentForm] | None = None,
) -> HttpResponse:
    links = chain_links(chain)
    can_comment = request.user.has_perm("chains.comment", chain.patient)
    if can_comment:
        for link in links:
            if failed and failed[0].pk == link.pk:
                link.comment_form = failed[1]  # type: ignore[attr-defined]
            else:
                link.comment_form = CommentForm(  # type: ignore[attr-defined]
                    auto_id=f"id_comment-{link.public_id}-%s"
                )
    context = {
        "chain": chain,
        "links": links,
        "own": is_author(request, chain),
        "can_comment": can_comment,
    }
    return render(request, "chains/shared.html", context, status=400 if failed else 200)


@page("chains.write_own")
def share(request: AuthenticatedRequest, chain_id: str) -> HttpResponse:
    chain = access_own_chain(request, chain_id)
    if not chain.is_draft:
        return redirect("chains:detail", chain_id=chain.public_id)
    error = None
    if request.method == "POST":
        try:
            actions.share_chain(request.user, chain)
        except ActionError as exc:
            error = exc.message
        else:
            messages.success(request, _("Shared with your care team."))
            return redirect("chains:detail", chain_id=chain.public_id)
    context = {"chain": chain, "link_count": chain.links.count(), "error": error}
    return render(request, "chains/share.html", context, status=400 if error else 200)


@require_POST
@page("chains.write_own")
def discard(request: AuthenticatedRequest, chain_id: str) -> HttpResponse:
    chain = access_own_chain(request, chain_id)
    try:
        actions.discard_chain(request.user, chain)
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("chains:detail", chain_id=chain.public_id)
    messages.success(request, _("The draft was deleted."))
    return redirect("chains:mine")


@require_POST
@page("accounts.use_app", object_perm="chains.comment")
def comment(request: AuthenticatedRequest, chain_id: str, link_id: str) -> HttpResponse:
    chain = access_commentable_chain(request, chain_id)
    link = access_link(chain, link_id)
    form = CommentForm(request.POST, auto_id=f"id_comment-{link.public_id}-%s")
    if form.is_valid():
        try:
            actions.comment_on_link(request.user, link, form.cleaned_data["text"])
        except ActionError as exc:
            add_action_error(form, exc)
        else:
            messages.success(request, _("Comment added."))
            url = reverse("chains:detail", kwargs={"chain_id": chain.public_id})
            return redirect(f"{url}#link-{link.public_id}")
    return _shared(request, chain, failed=(link, form))


@page("accounts.use_app", object_perm="chains.view")
def patient_chains(request: AuthenticatedRequest, patient_id: str) -> HttpResponse:
    patient = access_patient_chains(request, patient_id)
    context = {"patient": patient, "chains": shared_chains(patient)}
    return render(request, "chains/patient_chains.html", context)
