"""The skills catalogue as data: reading and checking the content files.

Pure code (no database). ``read_catalogue`` reads every ``skills/content/*.toml`` file
and returns the skills, or raises ``CatalogueError`` listing every problem found, each
with its file and skill slug, so that a reviewer fixes them all in one pass and nothing
is half-loaded. ``check_skill`` is the one set of rules for a skill, also used for a
clinic's own skills entered through a form. The file format is described in
``skills/content/README.md``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skills.vocabulary import Module, Situation

CONTENT_DIR = Path(__file__).resolve().parent / "content"

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: The most characters each text field may hold (the same limits as the model).
MAX_LENGTH = {
    "slug": 60,
    "name": 60,  # the diary card keeps skills by name, up to 60 characters
    "acronym": 20,
    "summary": 600,
    "when": 600,
    "example": 1000,
    "caution": 600,
}
MAX_STEP_LENGTH = 400
MAX_STEPS = 12
MAX_REFERENCE_LENGTH = 400
MAX_MINUTES = 240

REQUIRED_TEXT = ("slug", "name", "summary", "when", "example")
OPTIONAL_TEXT = ("acronym", "caution")
KNOWN_KEYS = frozenset(
    {*REQUIRED_TEXT, *OPTIONAL_TEXT, "steps", "minutes", "situations", "references"}
)


@dataclass(frozen=True)
class SkillSpec:
    """One skill as the content describes it."""

    slug: str
    name: str
    module: str
    summary: str
    when: str
    steps: tuple[str, ...]
    example: str
    minutes: int
    situations: tuple[str, ...]
    references: tuple[str, ...]
    acronym: str = ""
    caution: str = ""
    position: int = 0


class CatalogueError(Exception):
    """The content is not valid; ``problems`` lists every problem with its location."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _text_list(
    value: Any, key: str, max_length: int
) -> tuple[tuple[str, ...], list[tuple[str, str]]]:
    problems: list[tuple[str, str]] = []
    if not isinstance(value, list) or not value:
        return (), [(key, "must be a non-empty list of texts")]
    items: list[str] = []
    for index, item in enumerate(value, start=1):
        if not isinstance(item, str) or not item.strip():
            problems.append((key, f"item {index} is empty or not a text"))
        elif len(item.strip()) > max_length:
            problems.append((key, f"item {index} is longer than {max_length} characters"))
        else:
            items.append(item.strip())
    return tuple(items), problems


def check_skill(
    raw: Mapping[str, Any], *, module: str, position: int = 0, allow_unknown: bool = False
) -> tuple[SkillSpec | None, list[tuple[str, str]]]:
    """Check one skill's fields; return the skill, or ``None`` and (field, problem) pairs."""
    problems: list[tuple[str, str]] = []
    if not allow_unknown:
        problems += [(key, "is not a known field") for key in sorted(set(raw) - KNOWN_KEYS)]
    if module not in Module.values:
        problems.append(("module", f"{module!r} is not one of {', '.join(Module.values)}"))
    texts: dict[str, str] = {}
    for key in (*REQUIRED_TEXT, *OPTIONAL_TEXT):
        value = raw.get(key, "" if key in OPTIONAL_TEXT else None)
        if not isinstance(value, str):
            problems.append((key, "is missing" if value is None else "must be a text"))
            continue
        value = value.strip()
        if key in REQUIRED_TEXT and not value:
            problems.append((key, "is empty"))
        elif len(value) > MAX_LENGTH[key]:
            problems.append((key, f"is longer than {MAX_LENGTH[key]} characters"))
        texts[key] = value
    if "," in texts.get("name", ""):
        # The diary card's form lists skills separated by commas.
        problems.append(("name", "must not contain a comma"))
    if texts.get("slug") and not SLUG_PATTERN.match(texts["slug"]):
        problems.append(("slug", "must be lower-case letters and digits joined by hyphens"))
    steps, step_problems = _text_list(raw.get("steps"), "steps", MAX_STEP_LENGTH)
    problems += step_problems
    if len(steps) > MAX_STEPS:
        problems.append(("steps", f"has more than {MAX_STEPS} steps"))
    references, reference_problems = _text_list(
        raw.get("references"), "references", MAX_REFERENCE_LENGTH
    )
    problems += reference_problems
    minutes = raw.get("minutes")
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        problems.append(("minutes", "must be a whole number of minutes"))
    elif not 1 <= minutes <= MAX_MINUTES:
        problems.append(("minutes", f"must be from 1 to {MAX_MINUTES}"))
    situations = raw.get("situations")
    if not isinstance(situations, list) or not situations:
        problems.append(("situations", "must be a non-empty list"))
        situations = []
    for tag in situations:
        if tag not in Situation.values:
            problems.append(("situations", f"{tag!r} is not one of {', '.join(Situation.values)}"))
    if len(set(map(str, situations))) != len(situations):
        problems.append(("situations", "lists a situation twice"))
    if problems:
        return None, problems
    assert isinstance(minutes, int)  # noqa: S101 - narrowed by the checks above
    return (
        SkillSpec(
            slug=texts["slug"],
            name=texts["name"],
            module=module,
            summary=texts["summary"],
            when=texts["when"],
            steps=steps,
            example=texts["example"],
            minutes=minutes,
            situations=tuple(situations),
            references=references,
            acronym=texts.get("acronym", ""),
            caution=texts.get("caution", ""),
            position=position,
        ),
        [],
    )


def read_file(path: Path) -> tuple[list[SkillSpec], list[str]]:
    """The skills of one content file and its problems, each as ``file: skill 'slug': …``."""
    name = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return [], [f"{name}: cannot be read: {exc}"]
    problems: list[str] = []
    module = data.get("module")
    if module != path.stem:
        problems.append(f"{name}: module = {module!r} must be the file's name, {path.stem!r}")
    if module not in Module.values:
        problems.append(f"{name}: module {module!r} is not one of {', '.join(Module.values)}")
        return [], problems
    extra = sorted(set(data) - {"module", "skills"})
    if extra:
        problems.append(f"{name}: unknown top-level keys: {', '.join(extra)}")
    raw_skills = data.get("skills")
    if not isinstance(raw_skills, list) or not raw_skills:
        return [], [*problems, f"{name}: has no [[skills]]"]
    skills: list[SkillSpec] = []
    for index, raw in enumerate(raw_skills, start=1):
        slug = raw.get("slug") if isinstance(raw.get("slug"), str) else None
        where = f"{name}: skill {slug!r}" if slug else f"{name}: skill number {index}"
        spec, skill_problems = check_skill(raw, module=module, position=index)
        problems += [f"{where}: {field} {message}" for field, message in skill_problems]
        if spec is not None:
            skills.append(spec)
    return skills, problems


def read_catalogue(directory: Path = CONTENT_DIR) -> list[SkillSpec]:
    """Every skill of every ``*.toml`` file in ``directory``, or ``CatalogueError``."""
    paths = sorted(directory.glob("*.toml"))
    if not paths:
        raise CatalogueError([f"{directory}: no *.toml content files"])
    skills: list[SkillSpec] = []
    problems: list[str] = []
    for path in paths:
        file_skills, file_problems = read_file(path)
        skills += file_skills
        problems += file_problems
    seen: dict[str, str] = {}
    for spec in skills:
        if spec.slug in seen:
            problems.append(
                f"{spec.module}.toml: skill {spec.slug!r}: slug is used twice "
                f"(also in {seen[spec.slug]}.toml)"
            )
        seen.setdefault(spec.slug, spec.module)
    if problems:
        raise CatalogueError(problems)
    return skills
