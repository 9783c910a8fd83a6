"""Every page and API operation, tried with every persona, allows or refuses as declared.

Routes are enumerated from the URL resolver and the OpenAPI document, so a new
route without a declared policy or a matrix entry fails this test.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from config.api import api
from core.testing.factories import make_token
from core.testing.personas import PERSONAS, World
from tests.authz_matrix import API, PAGES, Case

API_PREFIX = "/api/v1"


def iter_url_patterns(
    patterns: list[Any] | None = None, namespace: str | None = None
) -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            yield from iter_url_patterns(pattern.url_patterns, pattern.namespace or namespace)
        else:
            name = f"{namespace}:{pattern.name}" if namespace else str(pattern.name)
            yield name, pattern


def is_api_operation(pattern: URLPattern) -> bool:
    return getattr(pattern.callback, "__module__", "") == "ninja.operation"


def page_patterns() -> dict[str, URLPattern]:
    return {name: p for name, p in iter_url_patterns() if not is_api_operation(p)}


def api_operations() -> dict[str, Any]:
    """operationId -> Django Ninja Operation, for every operation in the API."""
    found = {}
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                found[operation.operation_id or operation.view_func.__name__] = operation
    return found


def openapi_operation_ids() -> set[str]:
    schema = api.get_openapi_schema(path_prefix=API_PREFIX + "/")
    return {
        operation["operationId"]
        for methods in schema["paths"].values()
        for operation in methods.values()
    }


# --- coverage: nothing slips past ------------------------------------------------------------


def test_every_page_declares_a_policy() -> None:
    undeclared = sorted(
        name for name, p in page_patterns().items() if not hasattr(p.callback, "route_policy")
    )
    assert undeclared == []


def test_every_page_has_a_matrix_entry() -> None:
    names = set(page_patterns())
    assert sorted(names - set(PAGES)) == [], "pages without a matrix entry"
    assert sorted(set(PAGES) - names) == [], "matrix entries for pages that do not exist"


def test_every_api_operation_declares_a_policy() -> None:
    undeclared = sorted(
        op_id
        for op_id, operation in api_operations().items()
        if not hasattr(operation.view_func, "route_policy")
    )
    assert undeclared == []


def test_every_api_operation_has_a_matrix_entry() -> None:
    operation_ids = openapi_operation_ids()
    assert operation_ids == set(api_operations())
    assert sorted(operation_ids - set(API)) == [], "operations without a matrix entry"
    assert sorted(set(API) - operation_ids) == [], "matrix entries for unknown operations"


# --- the matrix itself ---------------------------------------------------------------------


def _cases(matrix: dict[str, list[Any]]) -> list[Case]:
    return [
        Case(route, entry, persona)
        for route, entries in matrix.items()
        for entry in entries
        for persona in PERSONAS
    ]


def _is_refusal(response: HttpResponse, *, api_call: bool) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    if api_call:
        return False
    location = response.get("Location", "")
    return response.status_code == 302 and "/accounts/login/" in location and "next=" in location


def _check(case: Case, response: HttpResponse, *, api_call: bool) -> None:
    allowed = case.persona in case.entry.allow
    if allowed:
        assert response.status_code in case.entry.ok, (
            f"{case.id}: expected {case.entry.ok}, got {response.status_code}"
        )
        assert not _is_refusal(response, api_call=api_call) or response.status_code in case.entry.ok
    else:
        assert _is_refusal(response, api_call=api_call), (
            f"{case.id}: expected a refusal, got {response.status_code}"
        )


@pytest.mark.parametrize("case", _cases(PAGES), ids=lambda case: case.id)
def test_page_matrix(case: Case, world: World, client_for: Any) -> None:
    user = world.user(case.persona)
    client = client_for(user)
    kwargs = case.entry.kwargs(world, user) if case.entry.kwargs else {}
    url = reverse(case.route, kwargs=kwargs)
    data = case.entry.data(world) if case.entry.data else {}
    if case.entry.method == "GET":
        response = client.get(url, data)
    else:
        assert case.entry.method == "POST", "pages take GET and form POSTs only"
        response = client.post(url, data)
    _check(case, response, api_call=False)


@pytest.mark.parametrize("case", _cases(API), ids=lambda case: case.id)
def test_api_matrix(case: Case, world: World, client: Any) -> None:
    user = world.user(case.persona)
    headers = {}
    if user is not None:
        _token, secret = make_token(user)
        headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    kwargs = case.entry.kwargs(world, user) if case.entry.kwargs else {}
    url = reverse(f"api:{case.route}", kwargs=kwargs)
    body = json.dumps(case.entry.data(world)) if case.entry.data else None
    if body is None:
        response = client.generic(case.entry.method, url, **headers)
    else:
        response = client.generic(case.entry.method, url, body, "application/json", **headers)
    _check(case, response, api_call=True)
