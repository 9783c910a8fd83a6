"""Synthetic diary cards and EMA answers from a small person-level model of affect.

Everything here is made up and reproducible. The functions are pure: they never touch
the database or the clock, and the same seed always gives the same output. The code
that stores the output lives elsewhere.

The model
=========

Scales. The hidden quantity is *negative affect* (NA) on a continuous scale that maps
onto the diary card's 0-5 ratings (0 = none, 5 = as strong as it gets). Momentary EMA
ratings use the same latent value times 20, on 0-100.

Person profile (``make_profiles``). Each person gets, from the seed:

- ``na_baseline`` — the person's mean NA at the start of the course, uniform 1.8-3.2.
- ``trajectory`` and ``na_change`` — how far the mean moves by the end of the course,
  linearly in time from ``course_start`` over ``course_days``: improving -0.8 to -1.5,
  stable about 0 (normal, SD 0.12), deteriorating +0.8 to +1.3. ``skills_change`` moves
  the skills level the other way: improving +0.2 to +0.4, stable about 0, deteriorating
  -0.1 to -0.25. Urges follow NA and, a little, the change in skills.
- Day-to-day dynamics: each day gets a shock = normal noise (SD ``daily_sd``, 0.25-0.45)
  + ``stress_reactivity`` (0.3-0.8) per stressful event - ``positive_reactivity``
  (0.2-0.6) per positive event, centred so the expected shock is 0. Events per day are
  Poisson with person-specific rates (stressful 0.15-0.6, positive 0.15-0.5). A day's
  deviation from the trend is an AR(1) of these shocks with ``daily_inertia`` (0.2-0.5),
  computed from the last 14 days of shocks, so any single day can be computed alone.
  The day's NA (``daily_negative_affect``) is trend + deviation.
- Momentary dynamics (EMA): within a day the latent state is AR(1) around that day's NA
  with ``inertia`` φ (0.2-0.75) and normal innovations with SD sigma = ``innovation_sd``
  (0.35-0.95 NA units, so 7-19 points on 0-100). The day's level leaves out that day's
  events; instead each event hits at a random clock time (08-22 h) and enters, with a
  size of 0.5-1.2 x the reactivity, as an extra innovation at the next prompt. Across
  the night the deviation from the new day's level shrinks by φ⁴ (``previous_state``).
  For a stationary AR(1), lag-1 autocorrelation ≈ φ and MSSD ≈ 2 sigma^2/(1 + φ), so
  people with more inertia have higher autocorrelation and people with a larger
  innovation SD have a higher MSSD (CLINICAL.md §5). Ratings: sad = 20 x NA, anxious
  and angry follow NA more loosely, happy runs against it, the self-harm urge is 0
  unless NA is high; each with a person offset and measurement noise (SD 4-8 points).
- Sleep: mean 6.2-8.0 h, SD 0.5-1.2 h; shorter after bad days (-0.5 h per NA unit above
  the trend, -0.25 h per stressful event), a little longer at weekends; 4-10 h in half
  hours.
- Substance use: about a third of people have almost no substance urges (propensity
  0-0.12); the others 0.3-1.0, preferring alcohol, cannabis or both.
- Skills use: ``skills_propensity`` 0.25-0.65 is the level at the start of the course.
- Suicide urges: propensity 0.15-0.55; the urge is mostly 0-1 with rare higher peaks on
  very bad days. Self-harm urges: propensity 0.2-0.8.
- Prescribed medication: 70% have a prescription, adherence 0.75-0.98.
- Missingness: a base probability of skipping a card (0.04-0.13), +0.07 at weekends,
  +0.1 per NA unit above the trend (up to +0.2), plus "lapses": on any day a lapse starts
  with probability 0.008-0.03 and lasts 2-8 days (mean about 3). This gives about
  10-30% skipped days per person. Prompts are missed with a base probability of
  0.06-0.2, +0.2 from 21:00, +0.12 before 09:00, +0.25 on a day without a card, and
  up to +0.08 when the moment is worse than the day's level.

Diary card for a day (``simulate_days``). With NA the day's latent value:

- Emotions (0-5): sadness, fear, shame, guilt and emotional misery follow NA with a
  person-specific offset and day noise; anger also rises with stressful events; physical
  misery follows NA partly and short sleep; joy = person baseline - 0.75 x (NA - 2.5)
  + 0.6 per positive event, so it runs against the negative emotions.
- Urges (0-5) rise with NA, stressful events and falling skills; substance urges a
  little at weekends. On 1-7% of days (more on bad days) a crisis peak adds 0.75-4.5 to
  the suicide urge and 80% of that to the self-harm urge; so suicide urges are mostly
  0-1 with rare 3s and 4s.
- Acting on an urge needs an urge of at least 2 and is rare: self-harm 2-30% of such
  days scaled by the person's propensity and halved when skills helped; substance use
  15-65%; a suicide attempt only at urge 5, with probability 0.02.
- Skills (0-7 scale of CLINICAL.md §2): whether skills were thought of, tried, could be
  used, came without trying, and helped all become more likely as the skills level
  rises and less likely on bad days, so improving people record more 5s and 7s.
- Notes: short first-person sentences from a fixed list, picked by the day's mood,
  events and skills; most days have none. They are warm or neutral and never describe
  any method of self-harm.

The trend runs from ``PersonProfile.course_start`` for ``course_days`` days (set by
``make_profiles``) and is flat before and after, so give ``make_profiles`` the window
that will be simulated.

Trajectories in ``make_profiles``: index 0 is always improving (the demo's featured
patient), index 2 is the one deteriorating person when there are at least 3 people,
and the rest are shuffled so that round(60%) of all people improve and the others are
stable.

Randomness: every draw comes from a ``random.Random`` seeded by a hash of
(seed, person index, purpose, date), so one person or one day can be simulated alone
and simulating a window gives the same days as simulating a longer one.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

Trajectory = Literal["improving", "stable", "deteriorating"]

EMOTIONS = (
    "sadness",
    "anger",
    "fear",
    "shame",
    "guilt",
    "joy",
    "emotional_misery",
    "physical_misery",
)
URGES = ("suicide", "self_harm", "substance")
EMA_RATINGS = ("sad", "anxious", "angry", "happy", "urge_self_harm")
COMPANIES = ("alone", "partner", "family", "friends", "colleagues", "strangers")
ACTIVITIES = ("work", "home", "social", "travel", "rest", "other")

DEFAULT_COURSE_START = date(2026, 1, 5)
DEFAULT_COURSE_DAYS = 182
#: Whole days of past shocks that make up a day's deviation from the trend.
DAILY_LOOKBACK = 14
#: Longest lapse (run of skipped cards), in days.
MAX_LAPSE = 8
#: The overnight decay of the momentary deviation is inertia ** NIGHT_STEPS.
NIGHT_STEPS = 4

SKILL_NAMES = (
    "Wise Mind",
    "Observe",
    "Describe",
    "STOP",
    "TIP",
    "Pros and cons",
    "Self-soothe",
    "IMPROVE the moment",
    "Radical acceptance",
    "Check the Facts",
    "Opposite Action",
    "Problem Solving",
    "PLEASE",
    "Mindfulness of current emotion",
    "DEAR MAN",
    "GIVE",
    "FAST",
)

NOTES_HARD = (
    "Rough day. I kept going anyway.",
    "Work was stressful; I took a short walk at lunch.",
    "Felt overwhelmed this afternoon, it eased a bit by the evening.",
    "A difficult conversation stayed with me all day.",
    "Didn't sleep well and felt raw all day.",
    "Hard day, but I reached out to {someone}.",
    "Noticed a lot of shame today and tried to name it.",
    "Lots of worry today. Tomorrow is a new day.",
    "Felt lonely tonight. Put some music on.",
    "Everything felt heavy today. Going to bed early.",
    "Got some bad news and felt shaky.",
    "Irritable all day, kept my distance from people.",
)
NOTES_SKILLS = (
    "Paced breathing helped when I felt tense.",
    "Used opposite action and went out instead of staying in bed.",
    "Checked the facts before replying to a message.",
    "Cold water on my face took the edge off.",
    "Used DEAR MAN to ask for what I needed. It went okay.",
    "Self-soothe with music and tea in the evening.",
    "Did a STOP before reacting at work.",
    "Practised wise mind on the bus.",
    "Wrote out pros and cons instead of acting on the urge.",
    "Radical acceptance about something I can't change. Still hard, but lighter.",
)
NOTES_GOOD = (
    "Nice coffee with {someone}.",
    "Went for a long walk in the park.",
    "Cooked a proper dinner for myself.",
    "Good group session today.",
    "Laughed a lot with {someone}.",
    "Felt calm most of the day.",
    "Finished something I'd been putting off.",
    "Sunny morning, sat outside for a while.",
    "Proud of myself for going to the appointment.",
    "Played with my neighbour's dog.",
)
NOTES_PLAIN = (
    "Ordinary day.",
    "Quiet day at home.",
    "Busy at work, nothing special.",
    "Tired but okay.",
    "Cleaned the flat and did the shopping.",
    "Watched a film in the evening.",
    "Not much to report.",
)
SOMEONE = ("a friend", "my sister", "my brother", "my mum", "a colleague", "an old friend")

ALCOHOL = (
    "2 glasses of wine",
    "3 glasses of wine",
    "half a bottle of wine",
    "2 beers",
    "4 beers",
    "1 large beer",
    "3 gin and tonics",
    "2 shots of vodka",
)
DRUGS = (
    "cannabis, one joint",
    "cannabis, two joints",
    "cannabis in the evening",
)
PRN_MEDS = ("ibuprofen 400 mg", "paracetamol 1 g", "paracetamol 500 mg")


@dataclass(frozen=True)
class PersonProfile:
    """One synthetic person's parameters; see the module docstring for the ranges."""

    index: int
    trajectory: Trajectory
    course_start: date
    course_days: int
    na_baseline: float
    na_change: float
    daily_inertia: float
    daily_sd: float
    inertia: float
    innovation_sd: float
    stress_rate: float
    positive_rate: float
    stress_reactivity: float
    positive_reactivity: float
    sleep_mean: float
    sleep_sd: float
    substance_propensity: float
    substance_kind: Literal["alcohol", "cannabis", "both"]
    skills_propensity: float
    skills_change: float
    suicide_propensity: float
    self_harm_propensity: float
    self_harm_act_propensity: float
    has_prescription: bool
    med_adherence: float
    skip_base: float
    lapse_rate: float
    prompt_miss_base: float
    note_propensity: float
    joy_baseline: float
    emotion_offsets: dict[str, float]
    ema_offsets: dict[str, float]
    has_partner: bool
    works: bool


@dataclass(frozen=True)
class DayRecord:
    """One day's diary card (the card shows the day's highest ratings)."""

    day: date
    emotions: dict[str, int]
    urges: dict[str, int]
    acted: dict[str, bool]
    skills_used: int
    skills: tuple[str, ...]
    prescribed_meds_taken: bool | None
    prn_meds: str
    alcohol: str
    drugs: str
    sleep_hours: float
    note: str
    stressful_events: int
    positive_events: int
    daily_negative_affect: float


@dataclass(frozen=True)
class PromptRecord:
    """One answered EMA prompt."""

    at: datetime
    ratings: dict[str, int]
    company: str
    activity: str
    negative_affect: float


@dataclass(frozen=True)
class _DayDraws:
    """The primary random draws of one day, shared by the card and the prompts."""

    shock: float
    stressful_events: int
    positive_events: int
    lapse_length: int
    skip_draw: float


@dataclass(frozen=True)
class _DayState:
    trend: float
    deviation: float
    skills_level: float
    draws: _DayDraws
    skipped: bool

    @property
    def negative_affect(self) -> float:
        return self.trend + self.deviation


# --------------------------------------------------------------------------- helpers


def _rng(*parts: object) -> random.Random:
    """A generator seeded by a stable hash of ``parts`` (independent of PYTHONHASHSEED)."""
    digest = hashlib.sha256(repr(parts).encode()).digest()
    return random.Random(int.from_bytes(digest[:16], "big"))


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _level(value: float, high: int = 5) -> int:
    """Round half up and clamp to 0..high."""
    return int(_clamp(math.floor(value + 0.5), 0, high))


def _poisson(rng: random.Random, rate: float) -> int:
    limit = math.exp(-rate)
    count = 0
    product = rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _u(rng: random.Random, low: float, high: float) -> float:
    return rng.uniform(low, high)


# --------------------------------------------------------------------------- profiles


def _trajectories(seed: int, count: int) -> list[Trajectory]:
    result: list[Trajectory] = ["stable"] * count
    if count == 0:
        return result
    deteriorating = 1 if count >= 3 else 0
    improving = max(1, round(0.6 * count))
    improving = min(improving, count - deteriorating)
    if deteriorating:
        result[2] = "deteriorating"
    result[0] = "improving"
    others = [index for index in range(1, count) if index != 2 or not deteriorating]
    _rng(seed, "trajectories").shuffle(others)
    for index in others[: improving - 1]:
        result[index] = "improving"
    return result


def _profile(
    seed: int, index: int, trajectory: Trajectory, course_start: date, course_days: int
) -> PersonProfile:
    rng = _rng(seed, index, "profile")
    if trajectory == "improving":
        na_change = -_u(rng, 0.8, 1.5)
        skills_change = _u(rng, 0.2, 0.4)
    elif trajectory == "deteriorating":
        na_change = _u(rng, 0.8, 1.3)
        skills_change = -_u(rng, 0.1, 0.25)
    else:
        na_change = rng.normalvariate(0.0, 0.12)
        skills_change = rng.normalvariate(0.0, 0.04)
    light_user = rng.random() < 0.35
    substance = _u(rng, 0.0, 0.12) if light_user else _u(rng, 0.3, 1.0)
    kinds: tuple[Literal["alcohol", "cannabis", "both"], ...] = ("alcohol", "cannabis", "both")
    substance_kind = rng.choices(kinds, weights=(0.6, 0.25, 0.15))[0]
    emotion_offsets = {
        name: rng.normalvariate(0.0, 0.35)
        for name in ("sadness", "anger", "fear", "shame", "guilt", "physical_misery")
    }
    ema_offsets = {name: rng.normalvariate(0.0, 0.3) for name in EMA_RATINGS}
    return PersonProfile(
        index=index,
        trajectory=trajectory,
        course_start=course_start,
        course_days=course_days,
        na_baseline=_u(rng, 1.8, 3.2),
        na_change=na_change,
        daily_inertia=_u(rng, 0.2, 0.5),
        daily_sd=_u(rng, 0.25, 0.45),
        inertia=_u(rng, 0.2, 0.75),
        innovation_sd=_u(rng, 0.35, 0.95),
        stress_rate=_u(rng, 0.15, 0.6),
        positive_rate=_u(rng, 0.15, 0.5),
        stress_reactivity=_u(rng, 0.3, 0.8),
        positive_reactivity=_u(rng, 0.2, 0.6),
        sleep_mean=_u(rng, 6.2, 8.0),
        sleep_sd=_u(rng, 0.5, 1.2),
        substance_propensity=substance,
        substance_kind=substance_kind,
        skills_propensity=_u(rng, 0.25, 0.65),
        skills_change=skills_change,
        suicide_propensity=_u(rng, 0.15, 0.55),
        self_harm_propensity=_u(rng, 0.2, 0.8),
        self_harm_act_propensity=_u(rng, 0.2, 1.0),
        has_prescription=rng.random() < 0.7,
        med_adherence=_u(rng, 0.75, 0.98),
        skip_base=_u(rng, 0.04, 0.13),
        lapse_rate=_u(rng, 0.008, 0.03),
        prompt_miss_base=_u(rng, 0.06, 0.2),
        note_propensity=_u(rng, 0.2, 0.5),
        joy_baseline=_u(rng, 2.0, 2.8),
        emotion_offsets=emotion_offsets,
        ema_offsets=ema_offsets,
        has_partner=index == 0 or rng.random() < 0.45,
        works=rng.random() < 0.6,
    )


def make_profiles(
    seed: int,
    count: int,
    *,
    course_start: date = DEFAULT_COURSE_START,
    course_days: int = DEFAULT_COURSE_DAYS,
) -> list[PersonProfile]:
    """``count`` people, a pure function of the arguments.

    Index 0 improves; index 2 deteriorates when ``count >= 3``; round(60%) improve in
    all, the rest are stable. The trend runs linearly from ``course_start`` for
    ``course_days`` days and stays flat outside it, so pass the window you will simulate.
    """
    if count < 0:
        raise ValueError("count must not be negative")
    if course_days < 1:
        raise ValueError("course_days must be at least 1")
    trajectories = _trajectories(seed, count)
    return [
        _profile(seed, index, trajectory, course_start, course_days)
        for index, trajectory in enumerate(trajectories)
    ]


# --------------------------------------------------------------------------- day state


def _progress(profile: PersonProfile, day: date) -> float:
    if profile.course_days <= 1:
        return 1.0 if day >= profile.course_start else 0.0
    elapsed = (day - profile.course_start).days
    return _clamp(elapsed / (profile.course_days - 1), 0.0, 1.0)


def _day_draws(profile: PersonProfile, seed: int, day: date) -> _DayDraws:
    rng = _rng(seed, profile.index, "day", day.isoformat())
    noise = rng.normalvariate(0.0, profile.daily_sd)
    stressful = _poisson(rng, profile.stress_rate)
    positive = _poisson(rng, profile.positive_rate)
    expected = (
        profile.stress_reactivity * profile.stress_rate
        - profile.positive_reactivity * profile.positive_rate
    )
    shock = (
        noise
        + profile.stress_reactivity * stressful
        - profile.positive_reactivity * positive
        - expected
    )
    lapse_length = 0
    if rng.random() < profile.lapse_rate:
        lapse_length = 2
        while lapse_length < MAX_LAPSE and rng.random() < 0.55:
            lapse_length += 1
    return _DayDraws(shock, stressful, positive, lapse_length, rng.random())


class _Days:
    """Computes day states, caching the per-day draws (one instance per call)."""

    def __init__(self, profile: PersonProfile, seed: int) -> None:
        self.profile = profile
        self.seed = seed
        self._draws: dict[date, _DayDraws] = {}

    def draws(self, day: date) -> _DayDraws:
        found = self._draws.get(day)
        if found is None:
            found = _day_draws(self.profile, self.seed, day)
            self._draws[day] = found
        return found

    def state(self, day: date) -> _DayState:
        profile = self.profile
        progress = _progress(profile, day)
        trend = profile.na_baseline + profile.na_change * progress
        deviation = 0.0
        weight = 1.0
        for back in range(DAILY_LOOKBACK + 1):
            deviation += weight * self.draws(day - timedelta(days=back)).shock
            weight *= profile.daily_inertia
        draws = self.draws(day)
        in_lapse = any(
            self.draws(day - timedelta(days=back)).lapse_length > back for back in range(MAX_LAPSE)
        )
        weekend = day.weekday() >= 5
        skip_probability = (
            profile.skip_base + (0.07 if weekend else 0.0) + 0.1 * _clamp(deviation, 0.0, 2.0)
        )
        skills_level = _clamp(
            profile.skills_propensity + profile.skills_change * progress, 0.05, 0.95
        )
        return _DayState(
            trend=trend,
            deviation=deviation,
            skills_level=skills_level,
            draws=draws,
            skipped=in_lapse or draws.skip_draw < skip_probability,
        )


# --------------------------------------------------------------------------- diary cards


def _skills_used(rng: random.Random, level: float, deviation: float) -> int:
    bad = _clamp(deviation, -1.0, 2.0)
    if rng.random() >= _clamp(0.3 + 0.7 * level, 0.0, 0.97):
        return 0
    if rng.random() >= _clamp(0.2 + 0.75 * level - 0.05 * bad, 0.05, 0.95):
        return 2 if rng.random() < 0.4 + 0.15 * bad else 1
    helped = _clamp(0.35 + 0.55 * level - 0.1 * bad, 0.05, 0.95)
    if rng.random() < _clamp(0.7 * (level - 0.35), 0.0, 0.6):
        return 7 if rng.random() < helped + 0.1 else 6
    if rng.random() >= _clamp(0.55 + 0.4 * level - 0.1 * bad, 0.1, 0.97):
        return 3
    return 5 if rng.random() < helped else 4


def _note(rng: random.Random, profile: PersonProfile, state: _DayState, skills_used: int) -> str:
    draws = state.draws
    eventful = draws.stressful_events + draws.positive_events > 0
    if rng.random() >= profile.note_propensity + (0.15 if eventful else 0.0):
        return ""
    someone = ("my partner", *SOMEONE) if profile.has_partner else SOMEONE
    pool: tuple[str, ...]
    if skills_used in (5, 7) and rng.random() < 0.45:
        pool = NOTES_SKILLS
    elif state.deviation > 0.5 or draws.stressful_events > draws.positive_events:
        pool = NOTES_HARD
    elif state.deviation < -0.3 or draws.positive_events > 0:
        pool = NOTES_GOOD
    else:
        pool = NOTES_PLAIN
    return rng.choice(pool).format(someone=rng.choice(someone))


def _card(profile: PersonProfile, seed: int, day: date, state: _DayState) -> DayRecord:
    rng = _rng(seed, profile.index, "card", day.isoformat())
    na = state.negative_affect
    dev = state.deviation
    draws = state.draws
    stressful = draws.stressful_events
    positive = draws.positive_events
    weekend = day.weekday() >= 5
    offsets = profile.emotion_offsets

    sleep = (
        profile.sleep_mean
        - 0.5 * dev
        - 0.25 * stressful
        + (0.4 if weekend else 0.0)
        + rng.normalvariate(0.0, profile.sleep_sd)
    )
    sleep_hours = _clamp(round(sleep * 2) / 2, 4.0, 10.0)
    short_sleep = max(0.0, 7.0 - sleep_hours)

    def noise(sd: float) -> float:
        return rng.normalvariate(0.0, sd)

    emotions = {
        "sadness": _level(na + 0.3 + offsets["sadness"] + noise(0.6)),
        "anger": _level(0.8 * na + offsets["anger"] + 0.35 * stressful + noise(0.7)),
        "fear": _level(0.9 * na + offsets["fear"] + noise(0.7)),
        "shame": _level(0.85 * na + offsets["shame"] + noise(0.7)),
        "guilt": _level(0.75 * na + offsets["guilt"] + noise(0.7)),
        "joy": _level(profile.joy_baseline - 0.75 * (na - 2.5) + 0.6 * positive + noise(0.7)),
        "emotional_misery": _level(na + 0.2 + noise(0.5)),
        "physical_misery": _level(
            0.4 * na + 0.45 * short_sleep + offsets["physical_misery"] + noise(0.7)
        ),
    }

    skills_used = _skills_used(rng, state.skills_level, dev)
    helped = skills_used in (5, 7)
    skills: tuple[str, ...] = ()
    if skills_used >= 4:
        skills = tuple(sorted(rng.sample(SKILL_NAMES, k=rng.randint(1, 3))))

    skills_gain = state.skills_level - profile.skills_propensity
    suicide = (
        profile.suicide_propensity * 1.2 * (na - 2.2)
        + 0.25 * stressful
        - 0.8 * skills_gain
        + noise(0.55)
        - 0.15
    )
    self_harm = (
        profile.self_harm_propensity * (na - 1.6)
        + 0.35 * stressful
        - 0.8 * skills_gain
        + noise(0.6)
        - 0.2
    )
    substance = (
        profile.substance_propensity * 1.1 * (na - 0.8)
        + 0.3 * stressful * profile.substance_propensity
        + (0.3 * profile.substance_propensity if weekend else 0.0)
        - 0.8 * skills_gain
        + noise(0.5)
        - 0.35
    )
    # Rare crisis peaks, more likely on bad days.
    if rng.random() < 0.01 + 0.03 * _clamp(dev, 0.0, 2.0):
        surge = _u(rng, 1.5, 3.0) * (0.5 + profile.suicide_propensity)
        suicide += surge
        self_harm += 0.8 * surge
    urges = {
        "suicide": _level(suicide),
        "self_harm": _level(self_harm),
        "substance": _level(substance),
    }

    self_harm_act = {2: 0.02, 3: 0.06, 4: 0.18, 5: 0.3}.get(urges["self_harm"], 0.0)
    self_harm_act *= profile.self_harm_act_propensity * (0.5 if helped else 1.0)
    substance_act = {2: 0.15, 3: 0.3, 4: 0.5, 5: 0.65}.get(urges["substance"], 0.0)
    substance_act *= 0.4 + 0.6 * profile.substance_propensity
    acted = {
        "suicide": urges["suicide"] == 5 and rng.random() < 0.02,
        "self_harm": rng.random() < self_harm_act,
        "substance": rng.random() < substance_act,
    }

    alcohol = ""
    drugs = ""
    if acted["substance"]:
        kind = profile.substance_kind
        if kind == "both":
            kind = "alcohol" if rng.random() < 0.6 else "cannabis"
        if kind == "alcohol":
            alcohol = rng.choice(ALCOHOL)
        else:
            drugs = rng.choice(DRUGS)

    meds: bool | None = None
    if profile.has_prescription and rng.random() >= 0.04:
        meds = rng.random() < profile.med_adherence - 0.1 * _clamp(dev, 0.0, 2.0)
    prn = rng.choice(PRN_MEDS) if emotions["physical_misery"] >= 4 and rng.random() < 0.3 else ""

    return DayRecord(
        day=day,
        emotions=emotions,
        urges=urges,
        acted=acted,
        skills_used=skills_used,
        skills=skills,
        prescribed_meds_taken=meds,
        prn_meds=prn,
        alcohol=alcohol,
        drugs=drugs,
        sleep_hours=sleep_hours,
        note=_note(rng, profile, state, skills_used),
        stressful_events=stressful,
        positive_events=positive,
        daily_negative_affect=na,
    )


def simulate_days(
    profile: PersonProfile, start: date, days: int, seed: int
) -> list[DayRecord | None]:
    """Diary cards for ``days`` days from ``start``; ``None`` where no card was filled in.

    Each day depends only on (profile, seed, date), so a shorter window gives the same
    days as the matching part of a longer one.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    tracker = _Days(profile, seed)
    result: list[DayRecord | None] = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        state = tracker.state(day)
        result.append(None if state.skipped else _card(profile, seed, day, state))
    return result


def is_skipped_day(profile: PersonProfile, day: date, seed: int) -> bool:
    """Whether ``simulate_days`` leaves ``day`` without a card."""
    return _Days(profile, seed).state(day).skipped


# --------------------------------------------------------------------------- EMA prompts


def _hour(moment: datetime) -> float:
    return moment.hour + moment.minute / 60


def _context(
    rng: random.Random, profile: PersonProfile, moment: datetime, day: date
) -> tuple[str, str]:
    hour = _hour(moment)
    weekend = day.weekday() >= 5
    working = profile.works and not weekend and 9 <= hour < 17
    if working:
        activity_weights = (0.7, 0.02, 0.05, 0.08, 0.05, 0.1)
    elif 7 <= hour < 9 or 17 <= hour < 19:
        activity_weights = (0.05, 0.45, 0.1, 0.25, 0.1, 0.05)
    elif hour >= 21:
        activity_weights = (0.0, 0.55, 0.1, 0.03, 0.3, 0.02)
    elif weekend:
        activity_weights = (0.02, 0.35, 0.3, 0.1, 0.15, 0.08)
    else:
        activity_weights = (0.05, 0.45, 0.15, 0.1, 0.15, 0.1)
    activity = rng.choices(ACTIVITIES, weights=activity_weights)[0]
    partner = 1.0 if profile.has_partner else 0.0
    company_weights = {
        "work": (0.2, 0.0, 0.0, 0.02, 0.7, 0.08),
        "home": (0.45, 0.35 * partner, 0.15, 0.04, 0.0, 0.01),
        "social": (0.0, 0.2 * partner, 0.25, 0.5, 0.05, 0.0),
        "travel": (0.55, 0.1 * partner, 0.05, 0.05, 0.05, 0.2),
        "rest": (0.6, 0.3 * partner, 0.08, 0.02, 0.0, 0.0),
        "other": (0.4, 0.1 * partner, 0.1, 0.1, 0.05, 0.25),
    }[activity]
    company = rng.choices(COMPANIES, weights=company_weights)[0]
    return company, activity


def simulate_prompts(
    profile: PersonProfile,
    day: date,
    times: list[datetime],
    seed: int,
    previous_state: float | None,
) -> tuple[list[PromptRecord | None], float]:
    """Momentary ratings at ``times`` (local clock times on ``day``); ``None`` = missed.

    ``previous_state`` is the latent value returned for the previous day (``None`` on
    the first day); the second item returned is the latent value after the last prompt,
    to pass on to the next day. Prompts are taken in the order given; only their clock
    hour and minute are read, so pass them in the patient's local time.
    """
    state = _Days(profile, seed).state(day)
    # Today's events enter below at their clock times, so they leave the day's level.
    mean = (
        state.negative_affect
        - profile.stress_reactivity * state.draws.stressful_events
        + profile.positive_reactivity * state.draws.positive_events
    )
    phi = profile.inertia
    sigma = profile.innovation_sd

    event_rng = _rng(seed, profile.index, "events", day.isoformat())
    jolts: list[tuple[float, float]] = []
    for _ in range(state.draws.stressful_events):
        jolts.append(
            (_u(event_rng, 8.0, 22.0), profile.stress_reactivity * _u(event_rng, 0.5, 1.2))
        )
    for _ in range(state.draws.positive_events):
        jolts.append(
            (_u(event_rng, 8.0, 22.0), -profile.positive_reactivity * _u(event_rng, 0.5, 1.2))
        )

    rng = _rng(seed, profile.index, "prompts", day.isoformat())
    if previous_state is None:
        deviation = rng.normalvariate(0.0, sigma / math.sqrt(1 - phi * phi))
    else:
        deviation = phi**NIGHT_STEPS * (previous_state - mean) + rng.normalvariate(0.0, sigma)

    offsets = profile.ema_offsets
    result: list[PromptRecord | None] = []
    last_hour = -1.0
    for index, moment in enumerate(times):
        hour = _hour(moment)
        if index > 0:
            deviation = phi * deviation + rng.normalvariate(0.0, sigma)
        for when, size in jolts:
            if last_hour < when <= hour:
                deviation += size
        last_hour = hour
        latent = mean + deviation

        sad = 20 * (latent + offsets["sad"]) + rng.normalvariate(0.0, 6.0)
        anxious = 20 * (0.85 * latent + offsets["anxious"] + 0.2) + rng.normalvariate(0.0, 8.0)
        angry = 20 * (0.6 * latent + offsets["angry"] - 0.2) + rng.normalvariate(0.0, 8.0)
        happy = 20 * (4.2 - 0.8 * latent + offsets["happy"]) + rng.normalvariate(0.0, 8.0)
        urge = 30 * profile.self_harm_propensity * (
            latent - 2.8 + offsets["urge_self_harm"]
        ) + rng.normalvariate(0.0, 4.0)
        ratings = {
            "sad": _level(sad, 100),
            "anxious": _level(anxious, 100),
            "angry": _level(angry, 100),
            "happy": _level(happy, 100),
            "urge_self_harm": _level(urge, 100),
        }
        miss = (
            profile.prompt_miss_base
            + (0.2 if hour >= 21 else 0.0)
            + (0.12 if hour < 9 else 0.0)
            + (0.25 if state.skipped else 0.0)
            + 0.04 * _clamp(deviation, 0.0, 2.0)
        )
        missed = rng.random() < miss
        company, activity = _context(rng, profile, moment, day)
        result.append(
            None
            if missed
            else PromptRecord(
                at=moment,
                ratings=ratings,
                company=company,
                activity=activity,
                negative_affect=latent,
            )
        )
    final = mean + deviation if times else (mean if previous_state is None else previous_state)
    return result, final
