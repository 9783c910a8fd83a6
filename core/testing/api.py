"""A test client for the HTTP API: calls ``/api/v1/…`` as one user with a personal API token."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.test import Client

from accounts.models import User
from core.testing.factories import make_token

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response
else:
    Response = Any

PREFIX = "/api/v1"


class ApiClient:
    """``ApiClient(user).post("/patients", {...})``; ``ApiClient(None)`` sends no token."""

    def __init__(self, user: User | None, **headers: str) -> None:
        self.user = user
        self.client = Client()
        self.headers = dict(headers)
        if user is not None:
            _token, secret = make_token(user)
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"

    def request(self, method: str, path: str, payload: Any = None, **extra: Any) -> Response:
        headers = {**self.headers, **extra}
        url = path if path.startswith(PREFIX) else PREFIX + path
        if payload is None:
            return self.client.generic(method, url, **headers)
        body = payload if isinstance(payload, (str, bytes)) else json.dumps(payload)
        return self.client.generic(method, url, body, "application/json", **headers)

    def get(self, path: str, params: dict[str, Any] | None = None, **extra: Any) -> Response:
        url = path if path.startswith(PREFIX) else PREFIX + path
        return self.client.get(url, params or {}, **{**self.headers, **extra})

    def post(self, path: str, payload: Any = None, **extra: Any) -> Response:
        return self.request("POST", path, payload if payload is not None else {}, **extra)

    def put(self, path: str, payload: Any = None, **extra: Any) -> Response:
        return self.request("PUT", path, payload if payload is not None else {}, **extra)

    def delete(self, path: str, **extra: Any) -> Response:
        return self.request("DELETE", path, **extra)


def _check(condition: bool, detail: object) -> None:
    # Plain asserts are not rewritten by pytest outside test modules; say what was wrong.
    if not condition:
        raise AssertionError(detail)


def api_error(response: Response, status: int) -> dict[str, Any]:
    """The ``error`` object of an API error response, after checking it has the one shape."""
    _check(response.status_code == status, (response.status_code, response.content[:500]))
    content_type = response.get("Content-Type", "")
    _check(content_type.startswith("application/json"), content_type)
    body = response.json()
    _check(set(body) == {"error"}, body)
    error: dict[str, Any] = body["error"]
    _check(set(error) == {"code", "message", "fields"}, error)
    _check(isinstance(error["code"], str) and bool(error["code"]), error)
    _check(isinstance(error["message"], str) and bool(error["message"]), error)
    _check(isinstance(error["fields"], dict), error)
    for name, messages in error["fields"].items():
        _check(isinstance(name, str) and bool(name), error)
        _check(bool(messages) and all(isinstance(m, str) and m for m in messages), error)
    return error
