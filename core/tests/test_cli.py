"""The ``wisemind`` command: Django's management commands, with wisemind's own among them."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(sys.executable).parent / "wisemind"


def run(args: list[str], data_dir: Path) -> subprocess.CompletedProcess[str]:
    # Development mode, as the README's run command uses; nothing is written but the data dir.
    env = {
        **os.environ,
        "WISEMIND_ENV": "development",
        "WISEMIND_DATA_DIR": str(data_dir),
        "DATABASE_URL": f"sqlite:///{data_dir / 'cli.sqlite3'}",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the command chooses its settings itself
    return subprocess.run(  # noqa: S603
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_entry_point_is_declared() -> None:
    [script] = entry_points(group="console_scripts", name="wisemind")

    assert script.value == "core.cli:main"


@pytest.mark.parametrize(
    "command",
    [[str(SCRIPT), "help"], [sys.executable, "-m", "core.cli", "help"]],
    ids=["installed script", "python -m core.cli"],
)
def test_help_lists_wisemind_commands(command: list[str], tmp_path: Path) -> None:
    assert Path(command[0]).exists(), "install the project (pip install -e .) to get the script"

    result = run(command, tmp_path)

    assert result.returncode == 0, result.stderr
    assert "[demo]" in result.stdout
    assert "seed_demo" in result.stdout
    assert "[core]" in result.stdout
    assert "run" in result.stdout.split("[core]", 1)[1]


def test_run_explains_its_options(tmp_path: Path) -> None:
    result = run([sys.executable, "-m", "core.cli", "help", "run"], tmp_path)

    assert result.returncode == 0, result.stderr
    assert "--demo" in result.stdout
    assert "--no-worker" in result.stdout
