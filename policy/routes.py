"""Declare and enforce the policy of every page.

Every view reachable from the URL configuration is wrapped by one of these
decorators; the authorization-matrix test fails for a route that is not.

* ``page(perm)`` — signed in, second factor passed (for staff), and ``perm``
  granted. ``object_perm`` names the permission the view's ``access_*`` call
  checks on the object in the URL (documentation for the matrix; the
  ``access_*`` function enforces it and answers 404 for "missing" and "not yours").
* ``public`` — no sign-in needed (log-in, password reset, crisis page).
* ``signed_in_any_factor`` — signed in, second factor not yet required (the pages that
  set up or ask for the second factor, and log-out).

Views behind ``page`` and ``signed_in_any_factor`` take a
``core.requests.AuthenticatedRequest`` (its ``user`` is a ``User``); public views take an
``HttpRequest``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Concatenate, ParamSpec, TypeAlias, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect

from core.requests import AuthenticatedRequest, is_signed_in
from policy.twofactor import has_confirmed_device, needs_second_factor

P = ParamSpec("P")
#: Any view: a function, or a class-based view's ``as_view()`` (which returns HttpResponseBase).
V = TypeVar("V", bound=Callable[..., HttpResponseBase])
#: A view that may assume a signed-in user: what ``page`` and ``signed_in_any_factor`` wrap.
SignedInView: TypeAlias = Callable[Concatenate[AuthenticatedRequest, P], HttpResponseBase]
#: The wrapped view the URL configuration calls with any request (signed in or not).
GuardedView: TypeAlias = Callable[Concatenate[HttpRequest, P], HttpResponseBase]


@dataclass(frozen=True)
class RoutePolicy:
    login: bool
    second_factor: bool
    perm: str | None = None
    object_perm: str | None = None

    def describe(self) -> str:
        if not self.login:
            return "public"
        parts = [self.perm or "signed in"]
        if self.object_perm:
            parts.append(f"object: {self.object_perm}")
        if not self.second_factor:
            parts.append("before second factor")
        return ", ".join(parts)


def _declare(view: V, route_policy: RoutePolicy) -> V:
    # A function attribute the authorization-matrix test reads; callables do not declare it.
    view.route_policy = route_policy  # type: ignore[attr-defined]
    return view


def page(
    perm: str | None = None, *, object_perm: str | None = None
) -> Callable[[SignedInView[P]], GuardedView[P]]:
    route_policy = RoutePolicy(login=True, second_factor=True, perm=perm, object_perm=object_perm)

    def decorator(view: SignedInView[P]) -> GuardedView[P]:
        @wraps(view)
        def wrapped(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
            if not is_signed_in(request):
                return redirect_to_login(request.get_full_path())
            if needs_second_factor(request):
                target = (
                    "accounts:2fa_verify"
                    if has_confirmed_device(request.user)
                    else "accounts:2fa_setup"
                )
                response = redirect(target)
                response["Location"] += "?next=" + _safe_next(request)
                return response
            if perm is not None and not request.user.has_perm(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return _declare(wrapped, route_policy)

    return decorator


def signed_in_any_factor(view: SignedInView[P]) -> GuardedView[P]:
    route_policy = RoutePolicy(login=True, second_factor=False)

    @wraps(view)
    def wrapped(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        if not is_signed_in(request):
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return _declare(wrapped, route_policy)


def public(view: V) -> V:
    return _declare(view, RoutePolicy(login=False, second_factor=False))


def _safe_next(request: HttpRequest) -> str:
    from urllib.parse import quote

    return quote(request.get_full_path(), safe="/")
