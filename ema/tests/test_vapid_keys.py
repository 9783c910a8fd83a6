"""VAPID keys: from the environment in production, created once under the data dir otherwise."""

from __future__ import annotations

import base64
import json
import stat
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from pytest_django.fixtures import Settings

from ema.push import (
    VapidKeys,
    decode_private_key,
    encode_private_key,
    generate_keys,
    keys_file,
    public_key_of,
    vapid_keys,
)


@pytest.fixture
def data_dir(settings: Settings, tmp_path: Path) -> Path:
    """An empty data directory and no keys in the environment."""
    settings.DATA_DIR = tmp_path
    settings.VAPID_PRIVATE_KEY = ""
    settings.VAPID_PUBLIC_KEY = ""
    return tmp_path


def run(*args: str) -> str:
    out = StringIO()
    call_command("vapid_keys", *args, stdout=out)
    return out.getvalue()


# --- the command ----------------------------------------------------------------------------


def test_the_command_creates_the_development_keys_once(data_dir: Path) -> None:
    # When the command runs for the first time
    first = run()

    # Then it makes a key pair in the data directory, readable by its owner only, and says so
    path = data_dir / "vapid.json"
    assert first == f"Created the web-push (VAPID) keys in {path}.\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    stored = json.loads(path.read_text())
    assert public_key_of(stored["private_pem"]) == stored["public_key"]
    assert vapid_keys() == VapidKeys(stored["private_pem"], stored["public_key"])

    # When it runs again (every development start-up does)
    second = run()

    # Then it keeps the pair it made
    assert second == f"Web-push (VAPID) keys: {path} (already there).\n"
    assert json.loads(path.read_text()) == stored


def test_print_gives_a_new_pair_as_two_environment_lines_and_writes_nothing(
    data_dir: Path, settings: Settings
) -> None:
    output = run("--print")

    lines = output.splitlines()
    assert [line.split("=", 1)[0] for line in lines] == [
        "WISEMIND_VAPID_PRIVATE_KEY",
        "WISEMIND_VAPID_PUBLIC_KEY",
    ]
    private, public = (line.split("=", 1)[1] for line in lines)
    assert "\n" not in private and " " not in private
    assert not (data_dir / "vapid.json").exists()

    # The two values, set in the environment, are the server's keys
    settings.VAPID_PRIVATE_KEY, settings.VAPID_PUBLIC_KEY = private, public
    keys = vapid_keys()
    assert keys is not None
    assert keys.public_key == public
    assert keys.private_pem.startswith("-----BEGIN PRIVATE KEY-----\n")
    # and each run gives a new pair
    assert run("--print") != output


# --- where the keys come from ---------------------------------------------------------------


def test_without_keys_anywhere_there_are_none(data_dir: Path) -> None:
    assert vapid_keys() is None


def test_the_environment_comes_before_the_development_file(
    data_dir: Path, settings: Settings
) -> None:
    run()
    production = generate_keys()

    settings.VAPID_PRIVATE_KEY = encode_private_key(production.private_pem)
    settings.VAPID_PUBLIC_KEY = production.public_key

    assert vapid_keys() == production


@pytest.mark.parametrize(
    "written",
    [
        pytest.param(lambda pem: base64.b64encode(pem.encode()).decode(), id="base64 of the PEM"),
        pytest.param(
            lambda pem: base64.b64encode(pem.encode()).decode().rstrip("="), id="unpadded"
        ),
        pytest.param(lambda pem: pem, id="PEM with line breaks"),
        pytest.param(lambda pem: pem.strip().replace("\n", "\\n"), id="PEM with \\n written out"),
    ],
)
def test_the_private_key_may_be_written_in_one_line_or_as_pem(
    data_dir: Path, settings: Settings, written: Any
) -> None:
    keys = generate_keys()
    settings.VAPID_PRIVATE_KEY = written(keys.private_pem)
    settings.VAPID_PUBLIC_KEY = keys.public_key

    assert vapid_keys() == keys
    assert decode_private_key(encode_private_key(keys.private_pem)) == keys.private_pem


@pytest.mark.parametrize(
    ("private", "public", "message"),
    [
        ("set", "", "Set both"),
        ("", "set", "Set both"),
        ("not base64 at all!", "set", "base64-encoded PEM"),
        (base64.b64encode(b"hello").decode(), "set", "cannot be read"),
        ("set", "other", "does not belong"),
    ],
)
def test_a_wrong_environment_is_reported_clearly(
    data_dir: Path, settings: Settings, private: str, public: str, message: str
) -> None:
    keys, other = generate_keys(), generate_keys()
    settings.VAPID_PRIVATE_KEY = (
        encode_private_key(keys.private_pem) if private == "set" else private
    )
    settings.VAPID_PUBLIC_KEY = {"set": keys.public_key, "other": other.public_key}.get(public, "")

    with pytest.raises(ImproperlyConfigured, match=message):
        vapid_keys()


def test_a_key_on_another_curve_is_refused(data_dir: Path, settings: Settings) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    pem = (
        ec.generate_private_key(ec.SECP384R1())
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    settings.VAPID_PRIVATE_KEY = encode_private_key(pem)
    settings.VAPID_PUBLIC_KEY = "anything"

    with pytest.raises(ImproperlyConfigured, match="P-256"):
        vapid_keys()


def test_the_keys_file_lives_in_the_data_directory(data_dir: Path) -> None:
    assert keys_file() == data_dir / "vapid.json"


# --- set-up -----------------------------------------------------------------------------------


def test_the_run_command_creates_the_keys_at_set_up_in_development(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the run command, with the database set-up and the web server left out
    from core.management.commands import run as run_module

    real_call_command = run_module.call_command
    called: list[str] = []

    def record(name: str, *args: Any, **kwargs: Any) -> None:
        called.append(name)
        if name == "vapid_keys":
            real_call_command(name, *args, **kwargs)

    monkeypatch.setattr(run_module, "call_command", record)
    monkeypatch.setattr(run_module.signal, "signal", lambda *args: None)
    out = StringIO()

    # When it starts in development
    call_command("run", "--no-worker", stdout=out)

    # Then it made the keys before serving
    assert called == ["migrate", "vapid_keys", "runserver"]
    assert "Created the web-push (VAPID) keys" in out.getvalue()
    assert (data_dir / "vapid.json").exists()
