"""Set up and serve wisemind in the foreground, with the worker and scheduler beside it.

``wisemind run --demo`` (what the README's first command calls) migrates the
database, loads the demo organisation, starts the task worker and the periodic
scheduler, prints the URL
and the demo log-ins, and serves on 127.0.0.1 until interrupted. In production
mode the web server is gunicorn; in development, Django's server.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate, optionally load the demo, start the worker, and serve in the foreground."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--demo", action="store_true", help="Load the demo organisation.")
        parser.add_argument(
            "--no-worker", action="store_true", help="Start neither the worker nor the scheduler."
        )
        parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (production).")

    def handle(
        self,
        *args: Any,
        host: str,
        port: int,
        demo: bool,
        no_worker: bool,
        workers: int,
        **options: Any,
    ) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database is up to date.")
        if demo:
            call_command("seed_demo", stdout=self.stdout)
        if settings.IS_PRODUCTION:
            call_command("collectstatic", interactive=False, verbosity=0)
            if not settings.VAPID_PRIVATE_KEY:
                self.stdout.write(
                    "Web push is off: set WISEMIND_VAPID_PRIVATE_KEY and WISEMIND_VAPID_PUBLIC_KEY"
                    " (see 'wisemind vapid_keys --print')."
                )
        else:
            # Development: a web-push key pair under the data directory, made on first run.
            call_command("vapid_keys", stdout=self.stdout)
        helpers: list[subprocess.Popen[bytes]] = []
        if not no_worker:
            for command in (["db_worker", "--interval", "1"], ["scheduler"]):
                process = subprocess.Popen([sys.executable, "-m", "core.cli", *command])
                helpers.append(process)
                self.stdout.write(f"Started {command[0]} (pid {process.pid}).")
        url = f"http://{host}:{port}/"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"wisemind is running at {url}"))
        self.stdout.write("Press Ctrl+C to stop.")
        self.stdout.flush()

        def stop(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        try:
            if settings.IS_PRODUCTION:
                subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "config.wsgi:application",
                        "--bind",
                        f"{host}:{port}",
                        "--workers",
                        str(workers),
                        "--access-logfile",
                        "-",
                    ],
                    check=False,
                )
            else:
                call_command("runserver", f"{host}:{port}", use_reloader=False, skip_checks=True)
        except KeyboardInterrupt:
            pass
        finally:
            for process in helpers:
                process.terminate()
            for process in helpers:
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
