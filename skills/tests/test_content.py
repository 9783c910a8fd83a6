"""The content check: every skill of CLINICAL.md §1 is in the library, complete and tidy."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from skills.catalogue import SkillSpec, read_catalogue
from skills.vocabulary import Module, Situation

#: Each row of CLINICAL.md §1, and the skill(s) it became. Combined rows are split where
#: people use the parts on their own (the "what" and "how" skills, ABC, the addiction
#: skills, the Walking the Middle Path skills).
CLINICAL_SECTION_1: dict[str, dict[str, list[str]]] = {
    Module.MINDFULNESS: {
        "States of mind (reasonable / emotion / wise)": ["states-of-mind"],
        "Wise Mind": ["wise-mind"],
        "Observe / Describe / Participate": ["observe", "describe", "participate"],
        "Nonjudgmentally / One-mindfully / Effectively": [
            "nonjudgmentally",
            "one-mindfully",
            "effectively",
        ],
        "Supp.: spiritual wise mind": ["spiritual-wise-mind"],
        "Supp.: loving kindness": ["loving-kindness"],
        "Supp.: skillful means (doing vs being mind)": ["skillful-means"],
        "Supp.: walking the middle path": ["walking-the-middle-path"],
    },
    Module.DISTRESS_TOLERANCE: {
        "STOP": ["stop"],
        "Pros and cons": ["pros-and-cons"],
        "TIP": ["tip"],
        "Wise Mind ACCEPTS": ["accepts"],
        "Self-soothe": ["self-soothe"],
        "IMPROVE the moment": ["improve"],
        "Radical acceptance": ["radical-acceptance"],
        "Turning the mind": ["turning-the-mind"],
        "Willingness": ["willingness"],
        "Half-smiling / willing hands": ["half-smiling", "willing-hands"],
        "Mindfulness of current thoughts": ["mindfulness-of-current-thoughts"],
        "Supp. (addiction)": [
            "dialectical-abstinence",
            "clear-mind",
            "community-reinforcement",
            "burning-bridges",
            "alternate-rebellion",
            "adaptive-denial",
        ],
    },
    Module.EMOTION_REGULATION: {
        "Understanding & naming emotions": ["understanding-emotions"],
        "Check the Facts": ["check-the-facts"],
        "Opposite Action": ["opposite-action"],
        "Problem Solving": ["problem-solving"],
        "ABC": ["accumulate-positives", "build-mastery", "cope-ahead"],
        "PLEASE": ["please"],
        "Supp.: nightmare protocol; sleep hygiene": ["nightmare-protocol", "sleep-hygiene"],
        "Mindfulness of current emotion": ["mindfulness-of-current-emotion"],
        "Managing extreme emotions; troubleshooting": [
            "managing-extreme-emotions",
            "troubleshooting-emotion-regulation",
        ],
    },
    Module.INTERPERSONAL_EFFECTIVENESS: {
        "Clarify priorities": ["clarify-priorities"],
        "DEAR MAN": ["dear-man"],
        "GIVE": ["give"],
        "FAST": ["fast"],
        "Evaluating options; troubleshooting": [
            "evaluating-options",
            "troubleshooting-interpersonal",
        ],
        "Supp.: finding friends; mindfulness of others; ending destructive relationships": [
            "finding-friends",
            "mindfulness-of-others",
            "ending-destructive-relationships",
        ],
        "Supp.: Walking the Middle Path": [
            "dialectics",
            "validation",
            "self-validation",
            "recovering-from-invalidation",
            "changing-behaviour",
        ],
    },
}


@pytest.fixture(scope="module")
def catalogue() -> dict[str, SkillSpec]:
    return {spec.slug: spec for spec in read_catalogue()}


def test_every_skill_of_clinical_section_1_is_in_its_module(
    catalogue: dict[str, SkillSpec],
) -> None:
    missing = [
        (module, row, slug)
        for module, rows in CLINICAL_SECTION_1.items()
        for row, slugs in rows.items()
        for slug in slugs
        if slug not in catalogue or catalogue[slug].module != module
    ]
    assert missing == []


def test_the_library_holds_nothing_beyond_section_1(catalogue: dict[str, SkillSpec]) -> None:
    listed = {slug for rows in CLINICAL_SECTION_1.values() for s in rows.values() for slug in s}
    assert set(catalogue) == listed


def test_every_module_has_skills(catalogue: dict[str, SkillSpec]) -> None:
    counts = Counter(spec.module for spec in catalogue.values())
    assert set(counts) == set(Module.values)
    assert counts == {
        Module.MINDFULNESS: 12,
        Module.DISTRESS_TOLERANCE: 18,
        Module.EMOTION_REGULATION: 13,
        Module.INTERPERSONAL_EFFECTIVENESS: 14,
    }


def test_every_field_is_filled(catalogue: dict[str, SkillSpec]) -> None:
    for spec in catalogue.values():
        for name in ("name", "summary", "when", "example"):
            assert getattr(spec, name).strip(), (spec.slug, name)
        assert spec.steps and all(step.strip() for step in spec.steps), spec.slug
        assert spec.references and all(ref.strip() for ref in spec.references), spec.slug
        assert spec.situations, spec.slug
        assert 1 <= spec.minutes <= 240, spec.slug


def test_situations_come_from_the_vocabulary(catalogue: dict[str, SkillSpec]) -> None:
    for spec in catalogue.values():
        assert set(spec.situations) <= set(Situation.values), spec.slug
    # Every situation of the library's filter finds at least one skill.
    used = {tag for spec in catalogue.values() for tag in spec.situations}
    assert used == set(Situation.values)


def test_acronyms_are_used_where_the_skill_is_one() -> None:
    by_slug = {spec.slug: spec for spec in read_catalogue()}
    for slug, acronym in {
        "stop": "STOP",
        "tip": "TIP",
        "accepts": "ACCEPTS",
        "improve": "IMPROVE",
        "please": "PLEASE",
        "dear-man": "DEAR MAN",
        "give": "GIVE",
        "fast": "FAST",
    }.items():
        assert by_slug[slug].acronym == acronym


#: Words that would present a skill as a diagnosis or a promised result, or blame.
FORBIDDEN = re.compile(
    r"\b(diagnos\w*|cures?|guarantee\w*|always works|manipulative|attention.seeking)\b",
    re.IGNORECASE,
)


def test_no_text_diagnoses_promises_or_blames(catalogue: dict[str, SkillSpec]) -> None:
    for spec in catalogue.values():
        texts = [spec.summary, spec.when, spec.example, spec.caution, *spec.steps]
        for text in texts:
            assert not FORBIDDEN.search(text), (spec.slug, text)


def test_body_based_skills_carry_a_health_caution(catalogue: dict[str, SkillSpec]) -> None:
    assert "heart" in catalogue["tip"].caution
