"""Start wisemind the way production runs it (gunicorn, PostgreSQL, production settings) for a
benchmark, with the demo organisation loaded into a throwaway database."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("WISEMIND_BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _psql(sql: str) -> None:
    subprocess.run(
        ["psql", f"{PG_ADMIN_URL}/postgres", "-q", "-c", sql],
        check=True,
        capture_output=True,
    )


def wisemind(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "core.cli", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


@contextlib.contextmanager
def production_server(
    workers: int = 4,
    *,
    settings_module: str = "config.settings",
    seed_args: Sequence[str] = (),
    before_start: Callable[[dict[str, str]], None] | None = None,
) -> Iterator[tuple[str, dict[str, str]]]:
    """Yield (base URL, environment) of a running gunicorn over a fresh PostgreSQL database.

    ``settings_module`` lets a benchmark serve extra, bench-only URLs (``bench.settings``);
    ``seed_args`` go to ``seed_demo``; ``before_start(dev_env)`` runs once the demo is loaded
    and before gunicorn starts (to prepare bench-only data).
    """
    database = f"wm_bench_{secrets.token_hex(4)}"
    _psql(f"CREATE DATABASE {database}")
    data_dir = Path("/tmp") / database
    base_env = {
        **os.environ,
        "DATABASE_URL": f"{PG_ADMIN_URL}/{database}",
        "WISEMIND_DATA_DIR": str(data_dir),
    }
    dev_env = {**base_env, "WISEMIND_ENV": "development"}
    prod_env = {
        **base_env,
        "WISEMIND_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "WISEMIND_SSL_REDIRECT": "0",
        "WISEMIND_LOG_LEVEL": "WARNING",
        # Measure the code path, not the per-user rate limit.
        "WISEMIND_API_RATE_LIMIT": "100000000/m",
    }
    server = None
    try:
        wisemind(dev_env, "migrate", "--verbosity", "0")
        started = time.perf_counter()
        seeded = wisemind(dev_env, "seed_demo", "--quiet-logins", *seed_args)
        print(f"{seeded.strip()} [seed_demo {time.perf_counter() - started:.1f} s]", flush=True)
        if before_start is not None:
            before_start(dev_env)
        wisemind(prod_env, "collectstatic", "--noinput", "--verbosity", "0")
        port = _free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env={**prod_env, "DJANGO_SETTINGS_MODULE": settings_module},
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            time.sleep(0.1)
        yield base, dev_env
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        _psql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        shutil.rmtree(data_dir, ignore_errors=True)
