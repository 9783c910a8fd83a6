"""Production refuses unsafe settings, passes the deploy checks, and sends safe headers."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.tests.flows import ClientFor
from core.testing.personas import World

BASE_DIR = Path(settings.BASE_DIR)


def production_env(tmp_path: Path, **overrides: str | None) -> dict[str, str]:
    """A clean environment with everything production needs, changed by ``overrides``."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "WISEMIND_DATA_DIR": str(tmp_path / "data"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "WISEMIND_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
    }
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def load_settings(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run(env, "-c", "import django; django.setup(); print('started')")


def test_production_starts_with_everything_set(tmp_path: Path) -> None:
    result = load_settings(production_env(tmp_path))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "started"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "too-short"}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "django-insecure-" + "x" * 60}, "SECRET_KEY must be set"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS must be set in production"),
        ({"ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS must be set in production"),
        ({"DATABASE_URL": None}, "DATABASE_URL must be set in production"),
        ({"WISEMIND_DEMO_RELAX_STAFF_2FA": "1"}, "refused in production"),
        ({"WISEMIND_ENV": None, "SECRET_KEY": None}, "SECRET_KEY must be set"),
        ({"WISEMIND_ENV": "staging"}, "WISEMIND_ENV must be production, development or test"),
    ],
    ids=[
        "no secret key",
        "short secret key",
        "insecure secret key",
        "no allowed hosts",
        "blank allowed hosts",
        "no database",
        "demo 2fa relaxation",
        "no mode means production",
        "unknown mode",
    ],
)
def test_production_refuses_to_start(
    tmp_path: Path, overrides: dict[str, str | None], message: str
) -> None:
    result = load_settings(production_env(tmp_path, **overrides))

    assert result.returncode != 0
    assert "django.core.exceptions.ImproperlyConfigured" in result.stderr
    assert message in result.stderr
    assert "started" not in result.stdout


def test_development_may_relax_demo_2fa(tmp_path: Path) -> None:
    env = production_env(
        tmp_path, WISEMIND_ENV="development", WISEMIND_DEMO_RELAX_STAFF_2FA="1", SECRET_KEY=None
    )

    result = run(
        env,
        "-c",
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DEMO_RELAX_STAFF_2FA)",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_deploy_check_reports_no_issues(tmp_path: Path) -> None:
    result = run(
        production_env(tmp_path), "-m", "django", "check", "--deploy", "--fail-level", "WARNING"
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout + result.stderr


# --- response headers ----------------------------------------------------------------------------


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


@pytest.mark.parametrize(
    "path",
    [reverse("accounts:login"), reverse("crisis"), "/no-such-page/", reverse("api:openapi-view")],
)
def test_pages_carry_security_headers(client: Client, path: str, db: None) -> None:
    response = client.get(path)

    csp = csp_directives(response["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_signed_in_pages_carry_security_headers(world: World, client_for: ClientFor) -> None:
    response = client_for(world.patient).get(reverse("care:me"))

    assert (
        "'unsafe-inline'" not in csp_directives(response["Content-Security-Policy"])["script-src"]
    )
    assert response["X-Frame-Options"] == "DENY"


def test_api_responses_carry_nosniff(world: World, client: Client) -> None:
    response = client.get(reverse("api:me"))

    assert response.status_code == 401
    assert response["X-Content-Type-Options"] == "nosniff"


def test_rate_limits_share_redis_when_configured(tmp_path: Path) -> None:
    # Given production settings pointing at the Redis this machine runs
    env = production_env(tmp_path, REDIS_URL="redis://127.0.0.1:6379/15")
    # When the cache is used from one process and read from another
    write = "from django.core.cache import cache; cache.set('wm-shared', 'yes', 30)"
    read = "from django.core.cache import cache; print(cache.get('wm-shared'))"
    setup = "import django; django.setup(); "
    assert run(env, "-c", setup + write).returncode == 0
    result = run(env, "-c", setup + read)
    # Then both see the same value: counts are shared across web processes
    assert result.stdout.strip() == "yes", result.stderr
