"""What the full submission path costs (auth, validation, policy, idempotency, audit,
transaction, risk hook), measured against two baselines in the same run on the same server.

    .venv/bin/python bench/ingest.py [--clients 64] [--seconds 10] [--rounds 3] [--workers 4]
                                     [--paced-rate 64]

Starts gunicorn (production settings, PostgreSQL, a fresh database with the demo and its
six months of history; ``bench.settings`` adds the two baseline views) and drives, from a
separate load process, one patient per client, each with the patient's own API token:

* baseline ``POST /bench/bare`` — a bare Django JSON view (middleware, no database);
* baseline ``POST /bench/write`` — the same bearer-token check, then one row inserted in
  one transaction (raw SQL into the bench-only table ``bench_write``);
* ``POST /api/v1/diary/entries`` — today's diary card entries with realistic values
  (``demo.affect``), keyed by the item ids of ``GET /api/v1/diary/template``, each with
  its own ``Idempotency-Key``;
* ``POST /api/v1/ema/prompts/{id}/response`` — answers to check-ins made due for the
  bench (when the endpoint exists), each with its own ``Idempotency-Key``.

Each endpoint is warmed up, then measured ``--rounds`` times with the clients sending back
to back (closed loop: the most the server takes), the endpoints taking turns so that a
passing disturbance on the machine does not fall on one of them only. Then each endpoint
is measured once more with the same clients paced (open loop, ``--paced-rate``
submissions/s in all, by default one per client per second), latency counted from when
each submission was due. Back to back, 64 clients keep every worker busy, so latency
there is mostly queueing (Little's law: clients / throughput); the paced run shows what a
submission costs at a given load. Prints, per endpoint, the median over the rounds of
submissions/s and of p50/p99 latency, the paced p50/p99, the ratios of each submission
path to both baselines, and whether the issue's targets are met: at least half the
minimal write's throughput, and p99 under 100 ms at 64 clients (both ways).
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.server import ROOT, production_server, wisemind
from demo import affect

TARGET_RATIO = 0.5
TARGET_P99_MS = 100.0
#: Share of demo patients with a log-in is about 0.7; ask for enough for one per client.
PATIENTS_PER_CLIENT = 1.6
#: Due check-ins made per patient and second of load: room for 20 answers/s per client.
PROMPTS_PER_SECOND = 20
EMA = "EMA answer (full path)"

SETUP_SCRIPT = """
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.urls import Resolver404, resolve
from django.utils import timezone

from accounts.actions import create_api_token
from bench.baseline_urls import CREATE_TABLE
from care.models import Patient
from demo.people import ORG_SLUG
from ema.models import Prompt, PromptStatus

PROMPTS = {prompts}
with connection.cursor() as cursor:
    cursor.execute(CREATE_TABLE)
try:
    resolve("/api/v1/ema/prompts/00000000-0000-4000-8000-000000000000/response")
    ema = True
except Resolver404:
    ema = False
now = timezone.now()
patients = (
    Patient.objects.filter(organisation__slug=ORG_SLUG, user__isnull=False)
    .select_related("user")
    .order_by("record_number")
)
out = []
for patient in patients:
    _token, secret = create_api_token(patient.user, name="bench", days=1)
    prompt_ids = []
    schedule = patient.ema_schedules.first()
    if ema and schedule is not None and PROMPTS:
        # Due now, answerable today: sent within the last 20 minutes of the local day.
        zone = ZoneInfo(patient.time_zone)
        midnight = datetime.combine(now.astimezone(zone).date(), datetime.min.time(), zone)
        first = max(midnight + timedelta(seconds=1), now - timedelta(minutes=20))
        step = (now - timedelta(seconds=1) - first) / PROMPTS
        rows = []
        for index in range(PROMPTS):
            at = first + step * index + timedelta(microseconds=7)
            rows.append(
                Prompt(
                    schedule=schedule,
                    patient=patient,
                    questionnaire_id=schedule.questionnaire_id,
                    scheduled_at=at,
                    expires_at=at + schedule.expires_after,
                    status=PromptStatus.SENT,
                    sent_at=at,
                )
            )
        Prompt.objects.bulk_create(rows, batch_size=1000)
        prompt_ids = [str(prompt.public_id) for prompt in rows]
    out.append({{"record": patient.record_number, "token": secret, "prompts": prompt_ids}})
print("BENCH-JSON" + json.dumps({{"ema": ema, "patients": out}}))
"""

COUNT_SCRIPT = """
import json
from django.db import connection
from core.models import IdempotencyRecord
from diary.models import CardRevision, DiaryCard
from ema.models import PromptResponse
with connection.cursor() as cursor:
    cursor.execute("SELECT count(*) FROM bench_write")
    (writes,) = cursor.fetchone()
print("BENCH-JSON" + json.dumps({
    "bench_write rows": writes,
    "card revisions (one per stored entry)": CardRevision.objects.count(),
    "cards saved through the API": DiaryCard.objects.filter(revisions__isnull=False)
    .distinct().count(),
    "EMA responses": PromptResponse.objects.filter(prompt__deliveries__isnull=True).count(),
    "idempotency records": IdempotencyRecord.objects.count(),
}))
"""


def _json_after_marker(output: str) -> Any:
    marker = output.rindex("BENCH-JSON")
    return json.loads(output[marker + len("BENCH-JSON") :].strip())


def _get_json(base: str, path: str, token: str) -> Any:
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    try:
        connection.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path}: {response.status} {body[:300]!r}")
        return json.loads(body)
    finally:
        connection.close()


def card_bodies(template: dict[str, Any], profile: affect.PersonProfile, seed: int) -> list[Any]:
    """A few entries for today's card, from a few of the affect model's days."""
    emotion_ids = {
        item["name"].lower().replace(" ", "_"): item["id"] for item in template["emotions"]
    }
    target_ids = {item["kind"]: item["id"] for item in template["targets"]}
    records = [r for r in affect.simulate_days(profile, date(2026, 1, 5), 14, seed) if r]
    bodies = []
    for record in records[:4]:
        targets = {}
        for kind, target_id in target_ids.items():
            if kind in record.urges:
                detail = ""
                if kind == "substance" and record.acted[kind]:
                    detail = "; ".join(x for x in (record.alcohol, record.drugs) if x)
                targets[target_id] = {
                    "urge": record.urges[kind],
                    "acted": record.acted[kind],
                    "detail": detail,
                }
        bodies.append(
            {
                "date": template["date"],
                "emotions": {
                    emotion_ids[name]: rating
                    for name, rating in record.emotions.items()
                    if name in emotion_ids
                },
                "targets": targets,
                "skills_used": record.skills_used,
                "skills": list(record.skills),
                "prescribed_meds_taken": record.prescribed_meds_taken,
                "prn_meds": record.prn_meds,
                "alcohol": record.alcohol,
                "drugs": record.drugs,
                "sleep_hours": record.sleep_hours,
                "note": record.note,
            }
        )
    return bodies


def ema_answers(rng: random.Random) -> dict[str, Any]:
    sad = rng.randint(0, 80)
    return {
        "answers": {
            "sad": sad,
            "anxious": max(0, min(100, sad + rng.randint(-20, 20))),
            "angry": rng.randint(0, 50),
            "happy": max(0, 90 - sad - rng.randint(0, 20)),
            "urge_self_harm": rng.choice([0, 0, 0, 5, 10, 30]),
            "activity": rng.choice(affect.ACTIVITIES),
            "company": rng.choice(affect.COMPANIES),
        }
    }


def load(
    base: str, plan: dict[str, Any], clients: int, seconds: float, rate: float | None = None
) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(plan, handle)
        path = handle.name
    try:
        command = [
            sys.executable,
            str(ROOT / "bench" / "load.py"),
            "--base",
            base,
            "--plan",
            path,
            "--clients",
            str(clients),
            "--seconds",
            str(seconds),
            *(["--rate", str(rate)] if rate else []),
        ]
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    finally:
        os.unlink(path)
    result: dict[str, Any] = json.loads(output)
    return result


def post_plan(
    clients: list[dict[str, Any]], *, idempotency_keys: bool, cycle: bool = True
) -> dict[str, Any]:
    return {
        "method": "POST",
        "idempotency_keys": idempotency_keys,
        "clients": [{**client, "cycle": cycle} for client in clients],
    }


def summary(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """The median of each figure over the rounds; errors added up."""
    errors: dict[str, int] = {}
    for r in rounds:
        for status, count in r["error_statuses"].items():
            errors[status] = errors.get(status, 0) + count
    return {
        "rps": statistics.median(r["rps"] for r in rounds),
        "p50_ms": statistics.median(r["p50_ms"] for r in rounds),
        "p99_ms": statistics.median(r["p99_ms"] for r in rounds),
        "errors": sum(r["errors"] for r in rounds),
        "error_statuses": errors,
        "exhausted": max(r["exhausted"] for r in rounds),
        "rounds_rps": [round(r["rps"], 1) for r in rounds],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=10.0, help="per endpoint and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument(
        "--paced-rate",
        type=float,
        default=None,
        help="submissions/s (all clients together) for the paced latency run; "
        "default one per client per second; 0 skips it",
    )
    args = parser.parse_args()
    paced_rate = args.clients if args.paced_rate is None else args.paced_rate

    patients = math.ceil(args.clients * PATIENTS_PER_CLIENT)
    # Enough due check-ins for every answer a client can send, warm-up included.
    measured_seconds = args.seconds * args.rounds + (args.seconds if paced_rate else 0)
    prompts_per_patient = int((measured_seconds + args.warmup) * PROMPTS_PER_SECOND)
    setup: dict[str, Any] = {}

    def prepare(env: dict[str, str]) -> None:
        script = SETUP_SCRIPT.format(prompts=prompts_per_patient)
        setup.update(_json_after_marker(wisemind(env, "shell", "-c", script)))

    with production_server(
        args.workers,
        settings_module="bench.settings",
        seed_args=("--seed", str(args.seed), "--patients", str(patients)),
        before_start=prepare,
    ) as (base, env):
        people = setup["patients"][: args.clients]
        profiles = affect.make_profiles(args.seed, len(people))
        rng = random.Random(args.seed)  # noqa: S311 (made-up answers)
        diary_clients: list[dict[str, Any]] = []
        write_clients: list[dict[str, Any]] = []
        bare_clients: list[dict[str, Any]] = []
        ema_warm: list[dict[str, Any]] = []
        # One slice of check-ins per round, and one for the paced run.
        ema_rounds: list[list[dict[str, Any]]] = [
            [] for _ in range(args.rounds + (1 if paced_rate else 0))
        ]
        for person, profile in zip(people, profiles, strict=True):
            headers = {"Authorization": f"Bearer {person['token']}"}
            template = _get_json(base, "/api/v1/diary/template", person["token"])
            bodies = card_bodies(template, profile, args.seed)
            entries = [{"path": "/api/v1/diary/entries", "body": body} for body in bodies]
            diary_clients.append({"headers": headers, "requests": entries})
            for path, group in (("/bench/write", write_clients), ("/bench/bare", bare_clients)):
                group.append(
                    {"headers": headers, "requests": [{"path": path, "body": b} for b in bodies]}
                )
            answers = [
                {"path": f"/api/v1/ema/prompts/{prompt_id}/response", "body": ema_answers(rng)}
                for prompt_id in person["prompts"]
            ]
            # Each check-in is answered once: the warm-up and each round get their own.
            warm = int(len(answers) * args.warmup / (measured_seconds + args.warmup))
            ema_warm.append({"headers": headers, "requests": answers[:warm]})
            each = (len(answers) - warm) // len(ema_rounds)
            for index, round_clients in enumerate(ema_rounds):
                mine = answers[warm + index * each : warm + (index + 1) * each]
                round_clients.append({"headers": headers, "requests": mine})

        plans: dict[str, list[dict[str, Any]]] = {
            "baseline bare JSON view": [post_plan(bare_clients, idempotency_keys=False)],
            "baseline minimal write": [post_plan(write_clients, idempotency_keys=False)],
            "diary entry (full path)": [post_plan(diary_clients, idempotency_keys=True)],
        }
        if setup["ema"]:
            plans[EMA] = [
                post_plan(clients, idempotency_keys=True, cycle=False)
                for clients in [ema_warm, *ema_rounds]
            ]
        for endpoint_plans in plans.values():  # warm every worker and code path
            load(base, endpoint_plans[0], args.clients, args.warmup)
        rounds: dict[str, list[dict[str, Any]]] = {name: [] for name in plans}
        for index in range(args.rounds):
            for name, endpoint_plans in plans.items():
                plan = endpoint_plans[min(index + 1, len(endpoint_plans) - 1)]
                rounds[name].append(load(base, plan, args.clients, args.seconds))
        results = {name: summary(measured) for name, measured in rounds.items()}
        paced: dict[str, dict[str, Any]] = {}
        if paced_rate:
            for name, endpoint_plans in plans.items():
                plan = endpoint_plans[-1]
                paced[name] = load(base, plan, args.clients, args.seconds, paced_rate)
        counts = _json_after_marker(wisemind(env, "shell", "-c", COUNT_SCRIPT))

    print(
        f"\n{args.clients} concurrent clients ({len(people)} patients, one token each), "
        f"{args.rounds} rounds of {args.seconds:.0f} s per endpoint (medians shown), "
        f"gunicorn {args.workers} workers, PostgreSQL, {os.cpu_count()} CPUs shared by "
        "server, database and load generator\n"
    )
    print(
        f"{'endpoint':28} {'subm/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}  subm/s by round"
    )
    for name, r in results.items():
        print(
            f"{name:28} {r['rps']:9.1f} {r['p50_ms']:8.2f} {r['p99_ms']:8.2f} {r['errors']:7d}"
            f"  {r['rounds_rps']}"
        )
        if r["errors"] or r["exhausted"]:
            print(f"{'':28} error statuses {r['error_statuses']}, {r['exhausted']} clients ran out")
    if not setup["ema"]:
        print("EMA answers: POST /api/v1/ema/prompts/{id}/response does not exist yet; skipped.")
    if paced:
        print(
            f"\nPaced (open loop): {args.clients} clients, {paced_rate:.0f} submissions/s in all, "
            f"{args.seconds:.0f} s; latency counted from when each submission was due"
        )
        print(f"{'endpoint':28} {'subm/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
        for name, r in paced.items():
            print(
                f"{name:28} {r['rps']:9.1f} {r['p50_ms']:8.2f} {r['p99_ms']:8.2f} {r['errors']:7d}"
            )
    write, bare = results["baseline minimal write"], results["baseline bare JSON view"]
    print()
    for name, r in results.items():
        if "full path" not in name:
            continue
        to_write, to_bare = r["rps"] / write["rps"], r["rps"] / bare["rps"]
        print(f"{name}: {to_write:.2f} x the minimal write, {to_bare:.2f} x the bare view")
        ratio_met = "met" if to_write >= TARGET_RATIO else "NOT met"
        print(f"  target throughput >= {TARGET_RATIO} x minimal write: {ratio_met}")
        closed_met = "met" if r["p99_ms"] < TARGET_P99_MS else "NOT met"
        print(
            f"  target p99 < {TARGET_P99_MS:.0f} ms at {args.clients} clients, back to back "
            f"(saturated): {closed_met} ({r['p99_ms']:.0f} ms)"
        )
        if name in paced:
            p99 = paced[name]["p99_ms"]
            paced_met = "met" if p99 < TARGET_P99_MS and not paced[name]["errors"] else "NOT met"
            print(
                f"  target p99 < {TARGET_P99_MS:.0f} ms at {args.clients} clients, paced at "
                f"{paced_rate:.0f}/s: {paced_met} ({p99:.0f} ms)"
            )
    print()
    for name, value in counts.items():
        print(f"{name}: {value}")


if __name__ == "__main__":
    main()
