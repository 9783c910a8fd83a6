"""Bench-only settings: the product's settings, served with the bench's baseline URLs.

Used only by ``bench/ingest.py``, which starts gunicorn with
``DJANGO_SETTINGS_MODULE=bench.settings``; the product never imports this module.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.baseline_urls"
