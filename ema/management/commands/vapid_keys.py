"""Create the web-push (VAPID) key pair: once under the data directory for development,
or freshly, printed as the two environment variables, for production."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ema.push import encode_private_key, ensure_keys_file, generate_keys, keys_file


class Command(BaseCommand):
    help = (
        "Create the development VAPID key pair under WISEMIND_DATA_DIR (once), or with "
        "--print generate a new pair and print it as environment variables for production."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--print",
            action="store_true",
            dest="print_env",
            help=(
                "Generate a new key pair and print WISEMIND_VAPID_PRIVATE_KEY and "
                "WISEMIND_VAPID_PUBLIC_KEY; nothing is written."
            ),
        )

    def handle(self, *args: Any, print_env: bool, **options: Any) -> None:
        if print_env:
            keys = generate_keys()
            self.stdout.write(f"WISEMIND_VAPID_PRIVATE_KEY={encode_private_key(keys.private_pem)}")
            self.stdout.write(f"WISEMIND_VAPID_PUBLIC_KEY={keys.public_key}")
            return
        _keys, created = ensure_keys_file()
        if created:
            self.stdout.write(f"Created the web-push (VAPID) keys in {keys_file()}.")
        else:
            self.stdout.write(f"Web-push (VAPID) keys: {keys_file()} (already there).")
