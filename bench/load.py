"""A small HTTP load generator, run in its own process so it does not share the server's CPU
time accounting. Each client thread keeps one connection open and sends requests back to
back for a fixed duration (closed loop: the most the server can take), or paced with
``--rate`` (open loop: latency at a given load, counted from when each request was due).
Prints one JSON object: requests, errors, throughput, latencies.

GET one URL, every client with the same token:

    python bench/load.py --url http://127.0.0.1:8300/healthz --clients 16 --seconds 10

Or follow a plan (a JSON file) — any method, JSON bodies, a token per client, a fresh
``Idempotency-Key`` per request:

    python bench/load.py --base http://127.0.0.1:8300 --plan plan.json --clients 64

    {"method": "POST", "idempotency_keys": true,
     "clients": [{"headers": {"Authorization": "Bearer wm_…"}, "cycle": true,
                  "requests": [{"path": "/api/v1/diary/entries", "body": {...}}, ...]}, ...]}

Client ``i`` follows ``clients[i % len(clients)]``: it sends its requests in order, from
the start again when ``cycle`` is true, or stops when they run out (counted in
``exhausted``). A 2xx answer is a success; anything else counts as an error by status.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Request:
    path: str
    body: bytes | None = None


@dataclass(frozen=True)
class ClientPlan:
    method: str
    headers: dict[str, str]
    requests: list[Request]
    cycle: bool = True
    idempotency_keys: bool = False


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)
    errors: Counter[int] = field(default_factory=Counter)
    exhausted: bool = False


def client(
    host: str,
    port: int | None,
    plan: ClientPlan,
    deadline: float,
    out: Outcome,
    interval: float | None = None,
    phase: float = 0.0,
) -> None:
    """Send the plan's requests: back to back, or with ``interval`` one every ``interval``
    seconds from ``phase`` on (paced). A paced request's latency counts from when it was
    due, so time spent waiting for an earlier answer is counted too (no coordinated
    omission)."""
    connection = http.client.HTTPConnection(host, port, timeout=30)
    index = 0
    due = time.perf_counter() + phase
    while time.perf_counter() < deadline:
        if interval is not None:
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            if due >= deadline:
                break
        if index >= len(plan.requests):
            if not plan.cycle or not plan.requests:
                out.exhausted = True
                break
            index = 0
        request = plan.requests[index]
        index += 1
        headers = dict(plan.headers)
        if request.body is not None:
            headers["Content-Type"] = "application/json"
        if plan.idempotency_keys:
            headers["Idempotency-Key"] = str(uuid.uuid4())
        started = time.perf_counter() if interval is None else due
        if interval is not None:
            due += interval
        try:
            connection.request(plan.method, request.path, body=request.body, headers=headers)
            response = connection.getresponse()
            response.read()
            if not 200 <= response.status < 300:
                out.errors[response.status] += 1
                continue
        except (OSError, http.client.HTTPException):
            out.errors[0] += 1
            connection.close()
            connection = http.client.HTTPConnection(host, port, timeout=30)
            continue
        out.latencies.append(time.perf_counter() - started)
    connection.close()


def run_plans(
    base: str,
    plans: list[ClientPlan],
    clients: int,
    seconds: float,
    rate: float | None = None,
) -> dict[str, Any]:
    """Drive ``clients`` threads for ``seconds``; client ``i`` follows ``plans[i % len]``.
    With ``rate`` (requests per second, all clients together) each client is paced at
    ``rate / clients`` per second, their starts spread evenly over one interval."""
    parts = urlsplit(base)
    host = parts.hostname or "127.0.0.1"
    outcomes = [Outcome() for _ in range(clients)]
    deadline = time.perf_counter() + seconds
    interval = clients / rate if rate else None
    threads = [
        threading.Thread(
            target=client,
            args=(host, parts.port, plans[i % len(plans)], deadline, outcomes[i]),
            kwargs={"interval": interval, "phase": (interval or 0.0) * i / clients},
        )
        for i in range(clients)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    flat = sorted(x for outcome in outcomes for x in outcome.latencies)
    errors: Counter[int] = Counter()
    for outcome in outcomes:
        errors.update(outcome.errors)
    result: dict[str, Any] = {
        "requests": len(flat),
        "errors": sum(errors.values()),
        "error_statuses": {str(status): count for status, count in sorted(errors.items())},
        "exhausted": sum(outcome.exhausted for outcome in outcomes),
        "seconds": elapsed,
        "rps": len(flat) / elapsed,
        "p50_ms": 0.0,
        "p99_ms": 0.0,
    }
    if len(flat) >= 2:
        quantiles = statistics.quantiles(flat, n=100, method="inclusive")
        result["p50_ms"] = quantiles[49] * 1000
        result["p99_ms"] = quantiles[98] * 1000
    return result


def run(url: str, clients: int, seconds: float, token: str | None) -> dict[str, Any]:
    """GET ``url`` from every client (with ``token`` as a bearer token if given)."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    plan = ClientPlan("GET", headers, [Request(path)])
    return run_plans(f"{parts.scheme}://{parts.netloc}", [plan], clients, seconds)


def load_plans(document: dict[str, Any]) -> list[ClientPlan]:
    method = str(document.get("method", "GET")).upper()
    keys = bool(document.get("idempotency_keys", False))
    plans = []
    for spec in document["clients"]:
        requests = [
            Request(
                item["path"],
                None if item.get("body") is None else json.dumps(item["body"]).encode(),
            )
            for item in spec["requests"]
        ]
        headers = dict(spec.get("headers", {}))
        plans.append(ClientPlan(method, headers, requests, spec.get("cycle", True), keys))
    return plans


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", help="GET this URL (with --token)")
    parser.add_argument("--base", help="with --plan: the server's base URL")
    parser.add_argument("--plan", help="a JSON plan file (see the module docstring)")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--token")
    parser.add_argument(
        "--rate", type=float, help="paced: requests per second, all clients together"
    )
    args = parser.parse_args()
    if args.plan:
        if not args.base:
            parser.error("--plan needs --base")
        with open(args.plan, encoding="utf-8") as handle:
            plans = load_plans(json.load(handle))
        result = run_plans(args.base, plans, args.clients, args.seconds, args.rate)
    elif args.url:
        result = run(args.url, args.clients, args.seconds, args.token)
    else:
        parser.error("give --url, or --base and --plan")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
