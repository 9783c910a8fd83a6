"""The one scoring engine: every questionnaire score, reliable change and clinical
significance in wisemind is computed here, from a ``Definition`` and the answers.

Pure, typed functions (no database). Arithmetic is exact (``fractions.Fraction``); a score
is rounded half up to the definition's ``decimals`` only at the end, and the severity band
is the one whose lower bound (inclusive) the *rounded* score reaches, so the band always
agrees with the score a clinician reads.

Scoring (per definition, ``measures/content/README.md``):

* **reversal**: a reversed item's value v on options from lo to hi counts as lo + hi − v;
* **sum**: Σ item values; **scaled_sum**: Σ × scale (WHO-5: raw × 4); **mean**: Σ / answered;
* **minimum answered**: fewer than ``min_answered`` × n scored items answered → no score;
* **proration** ``mean``: with k of n items answered a sum counts as Σ × n / k (each
  missing item takes the mean of the answered ones);
* **highest_positive**: the highest ``weight`` among items answered above 0 (the C-SSRS
  screener); never summed, never prorated; any positive answer gives a valid score.

Reliable change (Jacobson & Truax 1991, *J Consult Clin Psychol* 59:12–19):
SE = SD·√(1 − r), S_diff = √2·SE, RCI = (x₂ − x₁)/S_diff, reliable if |RCI| > 1.96.
Where no reference SD is known, a published fixed threshold (e.g. IAPT's ≥ 6 PHQ-9
points) is used instead, and the result says so. Clinical significance: criterion **a**
(beyond 2 SD of the dysfunctional mean, in the healthy direction), **b** (within 2 SD of
the functional mean), **c** (past the weighted midpoint (s_f·M_d + s_d·M_f)/(s_f + s_d)),
or a published caseness **cut-off**; "recovered" is a reliable improvement from the
dysfunctional side of the criterion to its healthy side.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from measures.definitions import Band, Change, Definition, Item, Option, Scoring

#: |RCI| above this is a reliable change at the 95 % level (two-sided).
RCI_CRITICAL = 1.96

Answers = Mapping[str, int | None]


class AnswerError(Exception):
    """Answers that do not fit the definition: unknown items or values not offered."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


# --- ranges ----------------------------------------------------------------------------------


def _bounds(options: Sequence[Option]) -> tuple[int, int]:
    values = [option.value for option in options]
    return min(values), max(values)


def range_of(
    scoring: Scoring, items: Sequence[Item], option_sets: Mapping[str, Sequence[Option]]
) -> tuple[Fraction, Fraction]:
    """The lowest and highest score ``scoring`` can give over ``items``."""
    scored = [item for item in items if item.scored]
    if not scored:
        return Fraction(0), Fraction(0)
    bounds = [_bounds(option_sets[item.options]) for item in scored]
    if scoring.method == "highest_positive":
        return Fraction(0), Fraction(max(item.weight or 1 for item in scored))
    if scoring.method == "mean":
        return Fraction(min(lo for lo, _ in bounds)), Fraction(max(hi for _, hi in bounds))
    low = Fraction(sum(lo for lo, _ in bounds))
    high = Fraction(sum(hi for _, hi in bounds))
    if scoring.method == "scaled_sum":
        return low * scoring.scale, high * scoring.scale
    return low, high


def score_range(definition: Definition) -> tuple[Fraction, Fraction]:
    return range_of(definition.scoring, definition.items, definition.option_sets)


# --- item values -----------------------------------------------------------------------------


def reverse(value: int, options: Sequence[Option]) -> int:
    """A reversed item's value: lo + hi − value (reversing twice gives the value back)."""
    low, high = _bounds(options)
    return low + high - value


def item_scores(definition: Definition, answers: Answers) -> dict[str, Fraction | None]:
    """Each scored item's value after reversal (``None``: not answered).

    Raises ``AnswerError`` for an item the definition does not have or a value its
    options do not offer.
    """
    known = {item.id: item for item in definition.items}
    problems = [
        f"{item_id}: is not an item of {definition.key}"
        for item_id in answers.keys() - known.keys()
    ]
    values: dict[str, Fraction | None] = {}
    for item in definition.items:
        answer = answers.get(item.id)
        options = definition.options_of(item)
        if answer is not None and (
            isinstance(answer, bool)
            or not isinstance(answer, int)
            or answer not in {option.value for option in options}
        ):
            problems.append(f"{item.id}: {answer!r} is not one of the item's answer values")
            continue
        if not item.scored:
            continue
        if answer is None:
            values[item.id] = None
        else:
            values[item.id] = Fraction(reverse(answer, options) if item.reversed else answer)
    if problems:
        raise AnswerError(sorted(problems))
    return values


# --- results ---------------------------------------------------------------------------------


def round_half_up(value: Fraction, decimals: int) -> Fraction:
    """``value`` rounded half up (away from zero) to ``decimals`` places, exactly."""
    with localcontext() as context:
        context.prec = 40
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        rounded = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return Fraction(rounded)


def band_for(bands: Sequence[Band], score: Fraction) -> int | None:
    """The index of the band whose lower bound (inclusive) ``score`` reaches last."""
    found = None
    for index, band in enumerate(bands):
        if score >= band.lower:
            found = index
    return found


@dataclass(frozen=True)
class SubscaleScore:
    id: str
    title: str
    score: Fraction | None
    answered: int
    item_count: int
    loinc: str = ""

    @property
    def valid(self) -> bool:
        return self.score is not None


@dataclass(frozen=True)
class ScoreResult:
    """A total score (``None`` when not valid, with ``reason``), its band and subscales."""

    score: Fraction | None
    exact: Fraction | None
    answered: int
    item_count: int
    prorated: bool
    band: int | None
    band_label: str
    subscales: tuple[SubscaleScore, ...]
    positive_items: tuple[str, ...]
    reason: str = ""

    @property
    def valid(self) -> bool:
        return self.score is not None

    def as_data(self) -> dict[str, Any]:
        return {
            "score": _out(self.score),
            "exact": _out(self.exact),
            "answered": self.answered,
            "item_count": self.item_count,
            "prorated": self.prorated,
            "band": self.band,
            "band_label": self.band_label,
            "positive_items": list(self.positive_items),
            "reason": self.reason,
            "subscales": [
                {
                    "id": s.id,
                    "title": s.title,
                    "score": _out(s.score),
                    "answered": s.answered,
                    "item_count": s.item_count,
                    "loinc": s.loinc,
                }
                for s in self.subscales
            ],
        }


def _out(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def _aggregate(
    method: str, values: Sequence[Fraction | None], scoring: Scoring
) -> tuple[Fraction | None, bool, str]:
    """(score, prorated, reason) of ``values`` by ``method`` under ``scoring``'s rules."""
    answered = [value for value in values if value is not None]
    n = len(values)
    if not answered or Fraction(len(answered), n) < scoring.min_answered:
        share = f"{math.ceil(scoring.min_answered * n)}"
        return None, False, f"{len(answered)} of {n} items answered; at least {share} are needed"
    total = sum(answered, Fraction(0))
    if method == "mean":
        return total / len(answered), False, ""
    prorated = len(answered) < n
    if prorated:
        if scoring.proration != "mean":  # the definition check makes this unreachable
            return None, False, "every item must be answered"
        total = total * n / len(answered)
    if method == "scaled_sum":
        total *= scoring.scale
    return total, prorated, ""


def score(definition: Definition, answers: Answers) -> ScoreResult:
    """Score ``answers`` (item id → option value, ``None`` or absent for unanswered)."""
    values = item_scores(definition, answers)
    scoring = definition.scoring
    scored = definition.scored_items
    answered = sum(values[item.id] is not None for item in scored)
    positive: tuple[str, ...] = ()
    if scoring.method == "highest_positive":
        positive = tuple(item.id for item in scored if (values[item.id] or 0) > 0)
        weights = [item.weight or 1 for item in scored if item.id in positive]
        # Skipped follow-up questions (``required = false``) do not count against a screen.
        required = [item for item in scored if item.required] or list(scored)
        answered_required = sum(values[item.id] is not None for item in required)
        enough = Fraction(answered_required, len(required)) >= scoring.min_answered
        if positive or enough:
            exact: Fraction | None = Fraction(max(weights, default=0))
            prorated, reason = False, ""
        else:
            exact, prorated = None, False
            reason = f"{answered} of {len(scored)} items answered and none positive"
    else:
        exact, prorated, reason = _aggregate(
            scoring.method, [values[item.id] for item in scored], scoring
        )
    rounded = None if exact is None else round_half_up(exact, scoring.decimals)
    band = None if rounded is None else band_for(definition.bands, rounded)
    subscales = []
    for subscale in definition.subscales:
        members = [values[item_id] for item_id in subscale.items]
        sub_exact, _prorated, _reason = _aggregate(subscale.method, members, scoring)
        subscales.append(
            SubscaleScore(
                id=subscale.id,
                title=subscale.title,
                score=None if sub_exact is None else round_half_up(sub_exact, scoring.decimals),
                answered=sum(value is not None for value in members),
                item_count=len(members),
                loinc=subscale.loinc,
            )
        )
    return ScoreResult(
        score=rounded,
        exact=exact,
        answered=answered,
        item_count=len(scored),
        prorated=prorated,
        band=band,
        band_label="" if band is None else definition.bands[band].label,
        subscales=tuple(subscales),
        positive_items=positive,
        reason=reason,
    )


# --- reliable change and clinical significance ----------------------------------------------


@dataclass(frozen=True)
class JacobsonTruax:
    se: float
    sdiff: float
    rci: float


def jacobson_truax(before: float, after: float, sd: float, reliability: float) -> JacobsonTruax:
    """SE = SD·√(1 − r); S_diff = √(2·SE²) = √2·SE; RCI = (after − before)/S_diff."""
    if sd <= 0 or not 0 < reliability < 1:
        raise ValueError("The reference SD must be above 0 and the reliability in (0, 1).")
    se = sd * math.sqrt(1 - reliability)
    sdiff = math.sqrt(2 * se * se)
    return JacobsonTruax(se=se, sdiff=sdiff, rci=(after - before) / sdiff)


def criterion_point(change: Change, higher_is_worse: bool) -> tuple[str, float] | None:
    """The named criterion and its boundary score: a, b, c (Jacobson & Truax), else the
    published cut-off; ``None`` where the instrument has neither."""
    toward_health = -1 if higher_is_worse else 1
    if change.criterion == "a" and change.clinical_mean is not None and change.clinical_sd:
        return "a", change.clinical_mean + toward_health * 2 * change.clinical_sd
    if change.criterion == "b" and change.functional_mean is not None and change.functional_sd:
        return "b", change.functional_mean - toward_health * 2 * change.functional_sd
    if (
        change.criterion == "c"
        and change.clinical_mean is not None
        and change.clinical_sd
        and change.functional_mean is not None
        and change.functional_sd
    ):
        s_d, s_f = change.clinical_sd, change.functional_sd
        return "c", (s_f * change.clinical_mean + s_d * change.functional_mean) / (s_f + s_d)
    if change.cutoff is not None:
        return "cutoff", change.cutoff
    return None


def on_healthy_side(value: float, criterion: tuple[str, float], higher_is_worse: bool) -> bool:
    """Whether ``value`` meets the criterion. a: more than 2 SD beyond the dysfunctional mean;
    b: within 2 SD of the functional mean; c: past the midpoint; cut-off: below a caseness
    cut-off (at or above it for instruments where higher is better)."""
    name, point = criterion
    if name == "b":
        return value <= point if higher_is_worse else value >= point
    if name == "cutoff" and not higher_is_worse:
        return value >= point
    return value < point if higher_is_worse else value > point


RELIABLE_IMPROVEMENT = "reliable_improvement"
NO_RELIABLE_CHANGE = "no_reliable_change"
RELIABLE_DETERIORATION = "reliable_deterioration"
RECOVERED = "recovered"

LABELS = {
    RELIABLE_IMPROVEMENT: "Reliable improvement",
    NO_RELIABLE_CHANGE: "No reliable change",
    RELIABLE_DETERIORATION: "Reliable deterioration",
    RECOVERED: "Recovered",
}


@dataclass(frozen=True)
class ReliableChange:
    """A change between two scores with everything it was computed from."""

    against: str
    before: float
    after: float
    method: str
    formula: str
    reliability: float | None
    reliability_kind: str
    reference_sd: float | None
    se: float | None
    sdiff: float | None
    rci: float | None
    threshold: float
    reliable: bool
    improved: bool
    criterion: str
    criterion_point: float | None
    label: str
    source: str

    @property
    def difference(self) -> float:
        return self.after - self.before

    def as_data(self) -> dict[str, Any]:
        return {
            "against": self.against,
            "before": self.before,
            "after": self.after,
            "difference": self.difference,
            "method": self.method,
            "formula": self.formula,
            "reliability": self.reliability,
            "reliability_kind": self.reliability_kind,
            "reference_sd": self.reference_sd,
            "se": self.se,
            "sdiff": self.sdiff,
            "rci": self.rci,
            "threshold": self.threshold,
            "reliable": self.reliable,
            "improved": self.improved,
            "criterion": self.criterion,
            "criterion_point": self.criterion_point,
            "label": self.label,
            "source": self.source,
        }


def reliable_change(
    change: Change, before: float, after: float, *, higher_is_worse: bool, against: str
) -> ReliableChange | None:
    """The change from ``before`` to ``after``; ``None`` where the definition gives no way
    to judge reliability (neither reference SD with reliability nor a published threshold)."""
    difference = after - before
    improved = difference < 0 if higher_is_worse else difference > 0
    se = sdiff = rci = None
    if change.reference_sd is not None and change.reliability is not None:
        jt = jacobson_truax(before, after, change.reference_sd, change.reliability)
        se, sdiff, rci = jt.se, jt.sdiff, jt.rci
        threshold = RCI_CRITICAL * sdiff
        reliable = abs(rci) > RCI_CRITICAL
        method = "jacobson_truax"
        formula = (
            "Jacobson & Truax (1991): SE = SD·√(1 − r); S_diff = √2·SE; "
            "RCI = (x₂ − x₁)/S_diff; reliable if |RCI| > 1.96"
        )
    elif change.reliable_change_points is not None:
        threshold = change.reliable_change_points
        reliable = abs(difference) >= threshold
        method = "published_threshold"
        formula = f"Published threshold: reliable if |x₂ − x₁| ≥ {threshold:g} points"
    else:
        return None
    point = criterion_point(change, higher_is_worse)
    if not reliable or difference == 0:
        label = NO_RELIABLE_CHANGE
    elif not improved:
        label = RELIABLE_DETERIORATION
    elif (
        point is not None
        and on_healthy_side(after, point, higher_is_worse)
        and not on_healthy_side(before, point, higher_is_worse)
    ):
        label = RECOVERED
    else:
        label = RELIABLE_IMPROVEMENT
    return ReliableChange(
        against=against,
        before=before,
        after=after,
        method=method,
        formula=formula,
        reliability=change.reliability,
        reliability_kind=change.reliability_kind,
        reference_sd=change.reference_sd,
        se=se,
        sdiff=sdiff,
        rci=rci,
        threshold=threshold,
        reliable=reliable and difference != 0,
        improved=improved,
        criterion="" if point is None else point[0],
        criterion_point=None if point is None else point[1],
        label=label,
        source=change.source,
    )
