"""What the access → policy → audit path costs on a clinical read, measured against
baselines in the same run on the same server.

    .venv/bin/python bench/api_read.py [--clients 16] [--seconds 10]

Starts gunicorn (4 workers, production settings) over a fresh PostgreSQL database with
the demo organisation, then drives three endpoints from a separate load process:

* baseline ``/healthz`` — a bare Django JSON view with one ``SELECT 1``;
* baseline ``/api/v1/me`` — the API stack with token authentication, no object access;
* ``/api/v1/patients/<id>`` — a clinical read: token, policy, care-team check, access-log
  insert, serialisation with the care team.

Prints requests/s, p50/p99 latency and the ratios of the clinical read to each baseline.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.server import ROOT, production_server, wisemind

TOKEN_SCRIPT = """
from accounts.actions import create_api_token
from accounts.models import User
from care.models import Patient
user = User.objects.get(email="clinician@demo.example.org")
_token, secret = create_api_token(user, name="bench", days=1)
patient = Patient.objects.get(record_number="DEMO-001")
print(secret, patient.public_id)
"""


def load(url: str, clients: int, seconds: float, token: str | None = None) -> dict[str, float]:
    command = [
        sys.executable,
        str(ROOT / "bench" / "load.py"),
        "--url",
        url,
        "--clients",
        str(clients),
        "--seconds",
        str(seconds),
    ]
    if token:
        command += ["--token", token]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result: dict[str, float] = json.loads(output)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()

    with production_server() as (base, env):
        token, patient_id = wisemind(env, "shell", "-c", TOKEN_SCRIPT).split()[-2:]
        targets = {
            "baseline /healthz": (f"{base}/healthz", None),
            "baseline /api/v1/me": (f"{base}/api/v1/me", token),
            "clinical read /api/v1/patients/<id>": (f"{base}/api/v1/patients/{patient_id}", token),
        }
        for url, auth in targets.values():  # warm up every worker and code path
            load(url, args.clients, 1.0, auth)
        results = {
            name: load(url, args.clients, args.seconds, auth)
            for name, (url, auth) in targets.items()
        }
        reads = int(
            wisemind(
                env,
                "shell",
                "-c",
                "from audit.models import AccessLog; print(AccessLog.objects.count())",
            ).split()[-1]
        )

    print(
        f"\n{args.clients} concurrent clients, {args.seconds:.0f} s each, "
        "gunicorn 4 workers, PostgreSQL\n"
    )
    print(f"{'endpoint':40} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name, r in results.items():
        print(f"{name:40} {r['rps']:9.1f} {r['p50_ms']:8.2f} {r['p99_ms']:8.2f} {r['errors']:7d}")
    clinical = results["clinical read /api/v1/patients/<id>"]
    for name in ("baseline /healthz", "baseline /api/v1/me"):
        ratio = clinical["rps"] / results[name]["rps"]
        print(f"clinical read throughput / {name}: {ratio:.2f}")
    print(f"access-log rows written during the run: {reads}")


if __name__ == "__main__":
    main()
