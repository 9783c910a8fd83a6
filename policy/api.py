"""Declare and enforce the policy of every API operation.

``@operation(perm)`` goes directly under the router decorator. The API's
authentication (token or verified session) has already identified the user;
this checks the object-less permission and records the declaration that the
authorization-matrix test reads. Object permissions are enforced by the same
``access_*`` functions the pages use. Operations take a
``core.requests.AuthenticatedRequest``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate, ParamSpec, TypeVar

from django.core.exceptions import PermissionDenied

from core.requests import AuthenticatedRequest
from policy.routes import RoutePolicy

P = ParamSpec("P")
R = TypeVar("R")
Op = TypeVar("Op", bound=Callable[..., Any])


def operation(
    perm: str | None = None, *, object_perm: str | None = None
) -> Callable[
    [Callable[Concatenate[AuthenticatedRequest, P], R]],
    Callable[Concatenate[AuthenticatedRequest, P], R],
]:
    route_policy = RoutePolicy(login=True, second_factor=True, perm=perm, object_perm=object_perm)

    def decorator(
        func: Callable[Concatenate[AuthenticatedRequest, P], R],
    ) -> Callable[Concatenate[AuthenticatedRequest, P], R]:
        # The API's authentication has run before Django Ninja calls this: a user is signed in.
        @wraps(func)
        def wrapped(request: AuthenticatedRequest, /, *args: P.args, **kwargs: P.kwargs) -> R:
            if perm is not None and not request.user.has_perm(perm):
                raise PermissionDenied
            return func(request, *args, **kwargs)

        # A function attribute the authorization-matrix test reads; callables do not declare it.
        wrapped.route_policy = route_policy  # type: ignore[attr-defined]
        return wrapped

    return decorator


def public_operation(func: Op) -> Op:
    func.route_policy = RoutePolicy(login=False, second_factor=False)  # type: ignore[attr-defined]
    return func
