"""The skills coach: which skills to try now, and why. Pure functions, no database.

Input: the person's state now (``State``): distress 0–100, the strongest emotion, the
strongest urge (none or one of their target behaviours), and the situation they chose.
Output (``advise``): a few skills, each with a one-line reason, and whether to point to
the safety plan. The rules, in the order they are applied:

1. **Urge to act on a target behaviour** → STOP, then Pros and cons and Wise Mind
   ACCEPTS (plus Adaptive denial for an urge to use alcohol or drugs), and the safety plan.
2. **Very high distress** (``HIGH_DISTRESS`` and above) → body-based crisis skills first:
   TIP, then STOP, then Self-soothe. At that level of arousal thinking skills are hard to
   use until the body has calmed down.
3. **The feeling does not fit the facts** → Check the Facts, then Opposite Action.
4. **The feeling fits and there is a problem** → Problem Solving, then Self-validation.
5. **An interpersonal goal** → DEAR MAN (asking or saying no), GIVE (the relationship),
   FAST (self-respect), the one that matches the goal first, and Clarify priorities.
6. **A situation that cannot be changed** → Radical acceptance, Turning the mind,
   Willingness.
7. **Run down** → PLEASE, then Self-soothe.
8. **Moderate distress** (``MODERATE_DISTRESS`` up to ``HIGH_DISTRESS``) and none of the
   above → Mindfulness of current emotion, Self-soothe, IMPROVE the moment.
9. **Low distress** and none of the above → Wise Mind, Observe, Cope ahead: a good time
   to practise.

Rules 1 and 2 give the *crisis* tier, which always comes first; rules 3–7 the
*situation* tier; rules 8–9 the *general* tier. A skill proposed by two rules keeps its
first place and reason.

**Personal re-ranking.** Within each tier, skills are re-ordered by what has helped this
person: a skill's score is its general-ranking prior (``prior_score``: points of distress
drop, higher for earlier places) shrunk towards the person's own mean drop (distress
before minus after) with an empirical-Bayes weight ``n / (n + SHRINKAGE)``:

    score = (SHRINKAGE × prior + sum of drops) / (SHRINKAGE + n)

A skill's own record is used once it has ``MIN_PRACTICES`` practices, so one lucky
practice never moves anything, and even then the prior weighs more than the person's
record until ``n`` exceeds ``SHRINKAGE``. Tiers are never mixed: at very high distress
the crisis skills stay first whatever the record says.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

#: Distress (0–100) at or above which body-based crisis skills come first.
HIGH_DISTRESS = 70
#: Distress at or above which, with nothing else chosen, calming skills are proposed.
MODERATE_DISTRESS = 40
#: How many practices of a skill before the person's own record counts.
MIN_PRACTICES = 3
#: The empirical-Bayes pseudo-count: the prior weighs as much as this many practices.
SHRINKAGE = 5
#: Prior score of a tier's first skill, in points of distress drop, and the gap per place.
PRIOR_FIRST = 20.0
PRIOR_STEP = 2.0
PRIOR_FLOOR = 1.0
#: At most this many proposals from each tier, and in all.
MAX_PER_TIER = {0: 4, 1: 3, 2: 3}
MAX_PROPOSALS = 6

CRISIS, SITUATION, GENERAL = 0, 1, 2

#: The strongest emotion now (a short list; "none" when unsure).
EMOTIONS: tuple[tuple[str, str], ...] = (
    ("none", "Not sure, or none in particular"),
    ("sadness", "Sadness"),
    ("anger", "Anger"),
    ("fear", "Fear or anxiety"),
    ("shame", "Shame"),
    ("guilt", "Guilt"),
    ("loneliness", "Loneliness"),
    ("emptiness", "Emptiness"),
    ("jealousy", "Jealousy"),
)
#: The strongest urge now: none, or a target behaviour (the diary card's target kinds).
URGES: tuple[tuple[str, str], ...] = (
    ("none", "No strong urge"),
    ("self_harm", "To hurt myself"),
    ("suicide", "To end my life"),
    ("substance", "To drink or use drugs"),
    ("other", "Another behaviour I'm working on"),
)
#: The situation, chosen from a short list (the library's situation words).
SITUATIONS: tuple[tuple[str, str], ...] = (
    ("none", "Nothing in particular, or not sure"),
    ("emotion_doesnt_fit", "My feeling seems bigger than what happened"),
    ("emotion_fits", "Something really is wrong and I want to fix it"),
    ("ask_for_something", "I need to ask for something or say no"),
    ("relationship", "I want to look after a relationship"),
    ("self_respect", "I want to keep my self-respect"),
    ("cant_change", "I can't change what's happening"),
    ("vulnerable", "I'm run down (sleep, food, illness, stress)"),
)

#: What acting opposite to each emotion's urge looks like, for Opposite Action's reason.
OPPOSITES = {
    "sadness": "get active and stay in touch with people",
    "anger": "step away gently and be kind rather than attack",
    "fear": "approach what you fear, step by step",
    "shame": "stay in view and hold your head up rather than hide",
    "guilt": "stop apologising for what was not wrong",
    "loneliness": "reach out to someone",
    "emptiness": "do something that matters to you",
    "jealousy": "let go of checking and controlling",
}


@dataclass(frozen=True)
class State:
    distress: int
    emotion: str = "none"
    urge: str = "none"
    situation: str = "none"

    def __post_init__(self) -> None:
        if not 0 <= self.distress <= 100:
            raise ValueError("distress must be from 0 to 100")
        for value, choices, name in (
            (self.emotion, EMOTIONS, "emotion"),
            (self.urge, URGES, "urge"),
            (self.situation, SITUATIONS, "situation"),
        ):
            if value not in dict(choices):
                raise ValueError(f"unknown {name}: {value!r}")


@dataclass(frozen=True)
class History:
    """A person's record with one skill: how many practices, the sum of the drops in
    distress (before − after), and how many times distress went down."""

    count: int = 0
    total_drop: int = 0
    helped: int = 0

    @property
    def mean_drop(self) -> float:
        return self.total_drop / self.count if self.count else 0.0

    def add(self, before: int, after: int) -> History:
        return History(
            self.count + 1, self.total_drop + before - after, self.helped + (after < before)
        )


@dataclass(frozen=True)
class Proposal:
    slug: str
    reason: str
    rule: str
    tier: int
    #: The person's record with this skill, once it counts (``MIN_PRACTICES``).
    history: History | None = None
    score: float | None = None


@dataclass(frozen=True)
class Advice:
    proposals: tuple[Proposal, ...]
    #: Point to the safety plan (or the crisis page): an urge to act on a target behaviour.
    safety_plan: bool
    #: Some proposal's place comes from the person's own record.
    personalised: bool


Rule = Callable[[State], list[Proposal]]


def _emotion_name(state: State) -> str:
    return dict(EMOTIONS)[state.emotion].lower() if state.emotion != "none" else "the feeling"


def rule_urge(state: State) -> list[Proposal]:
    if state.urge == "none":
        return []
    proposals = [
        Proposal(
            "stop",
            "Pause before the urge decides for you: freeze, step back, look.",
            "urge",
            CRISIS,
        ),
        Proposal(
            "pros-and-cons",
            "Weigh acting on the urge against riding it out, now and later.",
            "urge",
            CRISIS,
        ),
        Proposal(
            "accepts",
            "Turn your attention elsewhere until the urge passes its peak.",
            "urge",
            CRISIS,
        ),
    ]
    if state.urge == "substance":
        proposals.append(
            Proposal(
                "adaptive-denial",
                'Don\'t argue with "just once": put it off five minutes at a time.',
                "urge",
                CRISIS,
            )
        )
    return proposals


def rule_high_arousal(state: State) -> list[Proposal]:
    if state.distress < HIGH_DISTRESS:
        return []
    return [
        Proposal(
            "tip",
            "Your distress is very high: calm your body first, then think.",
            "high_distress",
            CRISIS,
        ),
        Proposal(
            "stop",
            "A moment's pause keeps you from acting on the peak of the feeling.",
            "high_distress",
            CRISIS,
        ),
        Proposal(
            "self-soothe",
            "Comfort through your senses helps your body settle.",
            "high_distress",
            CRISIS,
        ),
    ]


def rule_emotion_doesnt_fit(state: State) -> list[Proposal]:
    if state.situation != "emotion_doesnt_fit":
        return []
    emotion = _emotion_name(state)
    opposite = OPPOSITES.get(state.emotion, "do the opposite of what the feeling urges")
    return [
        Proposal(
            "check-the-facts",
            f"See whether {emotion}, and how strong it is, fits what happened.",
            "doesnt_fit",
            SITUATION,
        ),
        Proposal(
            "opposite-action",
            f"If it doesn't fit, act against its urge: {opposite}.",
            "doesnt_fit",
            SITUATION,
        ),
    ]


def rule_emotion_fits(state: State) -> list[Proposal]:
    if state.situation != "emotion_fits":
        return []
    return [
        Proposal(
            "problem-solving",
            "Your feeling fits the facts: changing the situation can change it.",
            "fits",
            SITUATION,
        ),
        Proposal(
            "self-validation",
            "Your reaction makes sense; saying so steadies you while you work on it.",
            "fits",
            SITUATION,
        ),
    ]


_INTERPERSONAL = {
    "ask_for_something": ("dear-man", "A clear way to ask for what you want, or to say no."),
    "relationship": ("give", "Keeps the relationship warm while you talk."),
    "self_respect": ("fast", "Helps you keep your self-respect and your values."),
}


def rule_interpersonal(state: State) -> list[Proposal]:
    if state.situation not in _INTERPERSONAL:
        return []
    first = _INTERPERSONAL[state.situation]
    others = [value for key, value in _INTERPERSONAL.items() if key != state.situation]
    return [
        *(Proposal(slug, reason, "interpersonal", SITUATION) for slug, reason in (first, *others)),
        Proposal(
            "clarify-priorities",
            "Decide what matters most in this conversation first.",
            "interpersonal",
            SITUATION,
        ),
    ]


def rule_cant_change(state: State) -> list[Proposal]:
    if state.situation != "cant_change":
        return []
    return [
        Proposal(
            "radical-acceptance",
            "Fighting what can't change adds suffering to the pain.",
            "cant_change",
            SITUATION,
        ),
        Proposal(
            "turning-the-mind",
            "Choose acceptance again each time you slip back.",
            "cant_change",
            SITUATION,
        ),
        Proposal(
            "willingness",
            "Do what the situation needs, rather than digging in.",
            "cant_change",
            SITUATION,
        ),
    ]


def rule_vulnerable(state: State) -> list[Proposal]:
    if state.situation != "vulnerable":
        return []
    return [
        Proposal(
            "please",
            "Looking after your body makes feelings easier to manage.",
            "vulnerable",
            SITUATION,
        ),
        Proposal("self-soothe", "Kind comfort for when you're run down.", "vulnerable", SITUATION),
    ]


def _nothing_specific(state: State) -> bool:
    return state.urge == "none" and state.situation == "none"


def rule_moderate(state: State) -> list[Proposal]:
    if not (MODERATE_DISTRESS <= state.distress < HIGH_DISTRESS and _nothing_specific(state)):
        return []
    return [
        Proposal(
            "mindfulness-of-current-emotion",
            "Let the feeling rise and fall like a wave.",
            "moderate",
            GENERAL,
        ),
        Proposal(
            "self-soothe", "Comfort through your senses to take the edge off.", "moderate", GENERAL
        ),
        Proposal("improve", "Make this moment a little more bearable.", "moderate", GENERAL),
    ]


def rule_calm(state: State) -> list[Proposal]:
    if not (state.distress < MODERATE_DISTRESS and _nothing_specific(state)):
        return []
    return [
        Proposal(
            "wise-mind",
            "A calmer moment is a good time to practise finding wise mind.",
            "calm",
            GENERAL,
        ),
        Proposal(
            "observe",
            "Practising now makes the skill easier to reach when it's hard.",
            "calm",
            GENERAL,
        ),
        Proposal(
            "cope-ahead", "Get ready now for a hard moment you can see coming.", "calm", GENERAL
        ),
    ]


#: The rules in the order they are applied (see the module docstring).
RULES: tuple[Rule, ...] = (
    rule_urge,
    rule_high_arousal,
    rule_emotion_doesnt_fit,
    rule_emotion_fits,
    rule_interpersonal,
    rule_cant_change,
    rule_vulnerable,
    rule_moderate,
    rule_calm,
)


def general_ranking(state: State) -> list[Proposal]:
    """Every rule's proposals, crisis tier first, each skill once (its first place wins)."""
    proposals: list[Proposal] = []
    seen: set[str] = set()
    if state.urge != "none" and state.distress >= HIGH_DISTRESS:
        # Both crisis rules apply: the body comes first (TIP), then the urge skills.
        ordered: tuple[Rule, ...] = (rule_high_arousal, rule_urge, *RULES[2:])
    else:
        ordered = RULES
    for rule in ordered:
        for proposal in rule(state):
            if proposal.slug not in seen:
                seen.add(proposal.slug)
                proposals.append(proposal)
    return sorted(proposals, key=lambda p: p.tier)  # stable: keeps rule order within a tier


def prior_score(place: int) -> float:
    """The general ranking's score of the skill at ``place`` (0-based) in its tier."""
    return max(PRIOR_FIRST - PRIOR_STEP * place, PRIOR_FLOOR)


def shrunken_score(prior: float, history: History) -> float:
    """``(SHRINKAGE × prior + Σ drops) / (SHRINKAGE + n)``: the person's mean drop, weighted
    ``n / (n + SHRINKAGE)``, and the prior for the rest. The prior alone below
    ``MIN_PRACTICES``."""
    if history.count < MIN_PRACTICES:
        return prior
    return (SHRINKAGE * prior + history.total_drop) / (SHRINKAGE + history.count)


def rerank(proposals: list[Proposal], histories: Mapping[str, History]) -> list[Proposal]:
    """Re-order each tier by shrunken score (ties keep the general order)."""
    ranked: list[Proposal] = []
    for tier in sorted({p.tier for p in proposals}):
        in_tier = [p for p in proposals if p.tier == tier]
        scored = []
        for place, proposal in enumerate(in_tier):
            history = histories.get(proposal.slug, History())
            score = shrunken_score(prior_score(place), history)
            counted = history if history.count >= MIN_PRACTICES else None
            scored.append((-score, place, replace(proposal, history=counted, score=score)))
        ranked += [proposal for _score, _place, proposal in sorted(scored, key=lambda s: s[:2])]
    return ranked


def _trim(proposals: list[Proposal]) -> list[Proposal]:
    kept: list[Proposal] = []
    per_tier: dict[int, int] = {}
    for proposal in proposals:
        if per_tier.get(proposal.tier, 0) < MAX_PER_TIER[proposal.tier]:
            per_tier[proposal.tier] = per_tier.get(proposal.tier, 0) + 1
            kept.append(proposal)
    return kept[:MAX_PROPOSALS]


def advise(
    state: State,
    histories: Mapping[str, History] | None = None,
    available: frozenset[str] | None = None,
) -> Advice:
    """The coach's proposals for ``state``, re-ranked by ``histories`` (by skill slug).

    ``available``: the skills the library has (others are left out).
    """
    proposals = general_ranking(state)
    if available is not None:
        proposals = [p for p in proposals if p.slug in available]
    ranked = _trim(rerank(proposals, histories or {}))
    return Advice(
        proposals=tuple(ranked),
        safety_plan=state.urge != "none",
        personalised=any(p.history is not None for p in ranked),
    )
