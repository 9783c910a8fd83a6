"""Loading the content: the data migration, ``load_skills`` (idempotent), and bad files
reported in full with nothing half-loaded."""

from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from skills.catalogue import CONTENT_DIR, CatalogueError, check_skill, read_catalogue, read_file
from skills.models import Skill

pytestmark = pytest.mark.django_db

GOOD = """
module = "mindfulness"

[[skills]]
slug = "breathing-space"
name = "Breathing space"
summary = "A short pause."
when = "Any time."
steps = ["Breathe in.", "Breathe out."]
example = "Ann pauses for three breaths."
minutes = 3
situations = ["present"]
references = ["Our own programme."]
"""


def load(directory: Path = CONTENT_DIR) -> str:
    out = StringIO()
    call_command("load_skills", "--content", str(directory), stdout=out)
    return out.getvalue()


def snapshot() -> list[tuple[object, ...]]:
    return list(
        Skill.objects.order_by("slug").values_list(
            "slug", "name", "summary", "steps", "is_active", "updated_at"
        )
    )


def test_a_fresh_database_has_every_built_in_skill() -> None:
    # The data migration loaded them.
    builtin = Skill.objects.filter(organisation__isnull=True, is_active=True)
    assert set(builtin.values_list("slug", flat=True)) == {s.slug for s in read_catalogue()}


def test_loading_twice_changes_nothing() -> None:
    before = snapshot()
    output = load()
    assert "0 added, 0 updated" in output
    assert snapshot() == before


def test_a_changed_skill_is_updated_a_removed_one_made_inactive(tmp_path: Path) -> None:
    # Given content with one skill changed and all but two removed
    shutil.copy(CONTENT_DIR / "mindfulness.toml", tmp_path)
    text = (tmp_path / "mindfulness.toml").read_text()
    (tmp_path / "mindfulness.toml").write_text(
        text.replace('name = "Wise Mind"', 'name = "Wise mind"')
    )
    # When it is loaded
    output = load(tmp_path)
    # Then the changed skill is updated and the skills gone from the content are inactive
    assert "1 updated" in output
    assert Skill.objects.get(slug="wise-mind", organisation=None).name == "Wise mind"
    tip = Skill.objects.get(slug="tip", organisation=None)
    assert not tip.is_active
    # And loading the full content again brings everything back
    load()
    tip.refresh_from_db()
    assert tip.is_active
    assert Skill.objects.get(slug="wise-mind", organisation=None).name == "Wise Mind"


def test_a_bad_content_folder_reports_every_problem_and_loads_nothing(tmp_path: Path) -> None:
    # Given two files, one valid skill and several problems in different places
    (tmp_path / "mindfulness.toml").write_text(
        GOOD
        + """
[[skills]]
slug = "Bad Slug"
name = ""
summary = "x"
when = "x"
steps = ["one", "  "]
example = "x"
minutes = 0
situations = ["crisis", "sometimes"]
references = []
"""
    )
    (tmp_path / "emotion_regulation.toml").write_text(
        'module = "distress_tolerance"\n[[skills]]\nslug = "tip"\n'
    )
    before = snapshot()
    # When they are loaded
    with pytest.raises(CommandError) as caught:
        load(tmp_path)
    message = str(caught.value)
    # Then each problem is named with its file and skill
    for expected in (
        "mindfulness.toml: skill 'Bad Slug': name is empty",
        "mindfulness.toml: skill 'Bad Slug': slug must be lower-case",
        "mindfulness.toml: skill 'Bad Slug': steps item 2 is empty",
        "mindfulness.toml: skill 'Bad Slug': minutes must be from 1 to 240",
        "mindfulness.toml: skill 'Bad Slug': situations 'sometimes' is not one of",
        "mindfulness.toml: skill 'Bad Slug': references must be a non-empty list",
        "emotion_regulation.toml: module = 'distress_tolerance' must be the file's name",
        "emotion_regulation.toml: skill 'tip': summary is missing",
    ):
        assert expected in message
    assert "nothing was loaded" in message
    # And the valid skill was not stored either
    assert snapshot() == before
    assert not Skill.objects.filter(slug="breathing-space").exists()


def test_a_slug_used_in_two_files_is_reported(tmp_path: Path) -> None:
    (tmp_path / "mindfulness.toml").write_text(GOOD)
    (tmp_path / "distress_tolerance.toml").write_text(
        GOOD.replace('module = "mindfulness"', 'module = "distress_tolerance"')
    )
    with pytest.raises(CatalogueError) as caught:
        read_catalogue(tmp_path)
    assert caught.value.problems == [
        "mindfulness.toml: skill 'breathing-space': slug is used twice (also in "
        "distress_tolerance.toml)"
    ]


def test_a_file_that_is_not_toml_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "mindfulness.toml"
    path.write_text("module = \n")
    skills, problems = read_file(path)
    assert skills == []
    assert problems[0].startswith("mindfulness.toml: cannot be read:")


def test_unknown_fields_are_reported() -> None:
    spec, problems = check_skill({"slug": "x", "nmae": "typo"}, module="mindfulness")
    assert spec is None
    assert ("nmae", "is not a known field") in problems
