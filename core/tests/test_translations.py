"""All user-facing text is marked for translation, and a translation is only a file."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    shutil.which("xgettext") is None or shutil.which("msgfmt") is None,
    reason="GNU gettext (xgettext, msgfmt) is not installed",
)


def django_admin(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WISEMIND_ENV": "development", "WISEMIND_DATA_DIR": str(tmp / "data")}
    return subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, "-m", "core.cli", *args],
        cwd=tmp / "project",
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_translation_file_is_all_a_new_language_needs(tmp_path: Path) -> None:
    # Given a copy of the project's code and templates
    project = tmp_path / "project"
    shutil.copytree(
        ROOT,
        project,
        ignore=shutil.ignore_patterns(".venv", ".git", "var", "__pycache__", "tests", "docs"),
    )
    # When Spanish messages are extracted, one is translated and the catalogue is compiled
    extracted = django_admin(tmp_path, "makemessages", "-l", "es", "--ignore", "bench/*")
    assert extracted.returncode == 0, extracted.stderr
    catalogue = project / "locale/es/LC_MESSAGES/django.po"
    text = catalogue.read_text()
    assert 'msgid "Need help now?"' in text
    assert 'msgid "Log in to wisemind"' in text
    text = text.replace(
        'msgid "Need help now?"\nmsgstr ""',
        'msgid "Need help now?"\nmsgstr "¿Necesitas ayuda ahora?"',
    )
    catalogue.write_text(text)
    compiled = django_admin(tmp_path, "compilemessages", "-l", "es")
    assert compiled.returncode == 0, compiled.stderr

    # Then Spanish is offered and used, with no other change
    check = django_admin(
        tmp_path,
        "shell",
        "-c",
        "from django.conf import settings; from django.utils import translation; "
        "translation.activate('es'); print([c for c, _n in settings.LANGUAGES]); "
        "print(translation.gettext('Need help now?'))",
    )
    assert check.returncode == 0, check.stderr
    assert "['en', 'es']" in check.stdout
    assert "¿Necesitas ayuda ahora?" in check.stdout
