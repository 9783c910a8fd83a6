"""The product's URLs plus two baseline views, for ``bench/ingest.py`` only.

* ``POST /bench/bare`` — a bare Django JSON view: the middleware stack and a JSON answer,
  no database.
* ``POST /bench/write`` — a minimal write: the same bearer-token check as the API
  (``accounts.api_auth.BearerTokenAuth``), then one row inserted in one transaction into
  ``bench_write``, a bench-only table that ``bench/ingest.py`` creates with raw SQL (no
  model, no migration).

Neither view is reachable in the product: only ``bench.settings`` selects this URLconf.
"""

from __future__ import annotations

import json

from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.api_auth import BearerTokenAuth
from config.urls import handler400, handler403, handler404, handler500, urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]

CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS bench_write (
    id bigserial PRIMARY KEY,
    user_id bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    body jsonb NOT NULL
)
"""

_auth = BearerTokenAuth()


@csrf_exempt
@require_POST
def bare(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@csrf_exempt
@require_POST
def minimal_write(request: HttpRequest) -> JsonResponse:
    header = request.headers.get("Authorization", "")
    scheme, _space, token = header.partition(" ")
    user = _auth.authenticate(request, token) if scheme.lower() == "bearer" else None
    if user is None:
        return JsonResponse({"error": "unauthorized"}, status=401)
    try:
        body = json.loads(request.body)
    except ValueError:
        return JsonResponse({"error": "bad json"}, status=400)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_write (user_id, body) VALUES (%s, %s) RETURNING id",
            [user.pk, json.dumps(body)],
        )
        (row_id,) = cursor.fetchone() or (None,)
    return JsonResponse({"id": row_id}, status=201)


urlpatterns = [
    *urlpatterns,
    path("bench/bare", bare),
    path("bench/write", minimal_write),
]
