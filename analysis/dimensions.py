"""Dimension scores per beneficiary and wave, and their paired evolution between waves.

A person's dimension score is the mean of their scored answers to the dimension's items,
given only when they rated at least two thirds of them ("ne se prononce pas" and
unanswered items do not count): a score resting on one item out of five would compare
a different thing. A person's change between two waves uses only the items they rated
at both, so that it never compares different questions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from analysis.counting import answer_scores, n_beneficiaries, response_wave_positions
from analysis.data import SurveyData

# Share of a dimension's items a person must have rated for a score.
MIN_RATED_SHARE = 2 / 3
# Below this many values or pairs no confidence interval is given (rather than one
# narrower than the data allow).
MIN_INTERVAL_N = 5


@dataclass(frozen=True)
class DimensionScores:
    """``scores[d, b, w]``: mean score of beneficiary b on dimension d in wave position w.

    NaN where the beneficiary has no response to that wave or rated fewer than two
    thirds of the dimension's items. Dimensions are in the order of their first item.
    ``scale[d]`` is (lowest, highest) score any of the dimension's choices can take.
    """

    names: tuple[str, ...]
    items: tuple[tuple[int, ...], ...]
    scores: np.ndarray
    scale: tuple[tuple[float | None, float | None], ...] = ()


def dimension_members(data: SurveyData) -> tuple[tuple[str, ...], tuple[tuple[int, ...], ...]]:
    """Dimension names in the order of their first item, and each one's item indices."""
    members: dict[str, list[int]] = {}
    for i, item in enumerate(data.items):
        members.setdefault(item.dimension, []).append(i)
    return tuple(members), tuple(tuple(m) for m in members.values())


def dimension_scale(data: SurveyData, items: tuple[int, ...]) -> tuple[float | None, float | None]:
    """Lowest and highest score of the choices of ``items`` (``None`` if none is scored)."""
    scores = np.concatenate(
        [np.asarray(data.items[i].choices.scores, dtype=np.float64) for i in items] or [[]]
    )
    scores = scores[~np.isnan(scores)]
    if scores.size == 0:
        return None, None
    return float(scores.min()), float(scores.max())


def rated_enough(n_rated: np.ndarray, n_items: int, *, min_share: float = MIN_RATED_SHARE):
    """Whether ``n_rated`` of ``n_items`` items is enough for a score (≥ ``min_share``)."""
    # Integers compared exactly: 2 of 3 items is enough at 2/3, whatever float rounding says.
    return (n_rated > 0) & (n_rated >= math.ceil(min_share * n_items - 1e-9))


def _mean_where(scores: np.ndarray, rated: np.ndarray, enough: np.ndarray) -> np.ndarray:
    n_rated = rated.sum(axis=1)
    total = np.where(rated, scores, 0.0).sum(axis=1)
    return np.divide(total, n_rated, out=np.full(total.shape, np.nan), where=enough)


def dimension_scores(data: SurveyData, *, min_share: float = MIN_RATED_SHARE) -> DimensionScores:
    """Mean of the scored answers to each dimension's items, per beneficiary and wave.

    Unanswered items and unscored choices ("ne se prononce pas") are skipped; a score is
    given only to a person who rated at least ``min_share`` of the dimension's items.
    """
    names, members = dimension_members(data)
    positions = response_wave_positions(data)
    ok = positions >= 0
    scores = np.full((len(names), n_beneficiaries(data), len(data.waves)), np.nan)
    for d, items in enumerate(members):
        item_scores = answer_scores(data, list(items))[ok]
        rated = ~np.isnan(item_scores)
        enough = rated_enough(rated.sum(axis=1), len(items), min_share=min_share)
        scores[d, data.response_beneficiary[ok], positions[ok]] = _mean_where(
            item_scores, rated, enough
        )
    return DimensionScores(
        names=names,
        items=members,
        scores=scores,
        scale=tuple(dimension_scale(data, items) for items in members),
    )


def dimension_paired_scores(
    data: SurveyData,
    grid: np.ndarray,
    items: tuple[int, ...],
    wave_a: int,
    wave_b: int,
    *,
    min_share: float = MIN_RATED_SHARE,
    item_scores: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Aligned scores (a, b) of the people who can be compared on one dimension.

    For each person who answered wave positions ``wave_a`` and ``wave_b`` (rows of
    ``grid``, see ``counting.response_grid``), both scores are the mean over the items
    they rated at both waves; people who rated fewer than ``min_share`` of the
    dimension's items at both waves are left out. ``item_scores`` may pass
    ``answer_scores(data, items)`` when it is already at hand (several comparisons).
    """
    both = (grid[:, wave_a] >= 0) & (grid[:, wave_b] >= 0)
    if not both.any() or not items:
        return np.empty(0), np.empty(0)
    scores = answer_scores(data, list(items)) if item_scores is None else item_scores
    a = scores[grid[both, wave_a]]
    b = scores[grid[both, wave_b]]
    common = ~np.isnan(a) & ~np.isnan(b)
    enough = rated_enough(common.sum(axis=1), len(items), min_share=min_share)
    x, y = _mean_where(a, common, enough), _mean_where(b, common, enough)
    return x[enough], y[enough]


@dataclass(frozen=True)
class MeanInterval:
    """Mean of the values present, with its t confidence interval (``None`` below 5)."""

    n: int
    mean: float | None
    ci_low: float | None
    ci_high: float | None
    warnings: tuple[str, ...]


def mean_interval(
    values: ArrayLike, *, confidence: float = 0.95, min_n: int = MIN_INTERVAL_N
) -> MeanInterval:
    """Mean and Student t confidence interval of ``values``, NaN values skipped.

    Below ``min_n`` values there is no interval (caveat "too_few_values"): with so few
    people an interval is either missing or too narrow to be honest.
    """
    x = np.asarray(values, dtype=np.float64)
    x = x[~np.isnan(x)]
    n = int(x.size)
    if n == 0:
        return MeanInterval(0, None, None, None, ("too_few_values",))
    mean = float(x.mean())
    if n < max(min_n, 2):
        return MeanInterval(n, mean, None, None, ("too_few_values",))
    half = _t_quantile(n - 1, confidence) * float(x.std(ddof=1)) / math.sqrt(n)
    if half <= 0.0:
        return MeanInterval(n, mean, None, None, ("no_variation_values",))
    return MeanInterval(n, mean, mean - half, mean + half, ())


@dataclass(frozen=True)
class PairedEvolution:
    """Change of the same beneficiaries between waves a and b (b − a).

    ``ci_low``/``ci_high`` bound the mean difference (Student t; ``None`` below 5 pairs
    or when every pair changed by the same amount); ``t``, ``dof`` and ``p`` are the
    paired t-test (``test`` "paired_t"). When every pair changed by the same amount the
    t-test is undefined; ``test`` is then "sign_flip" and ``p`` its exact value
    (1 if nobody changed, else 2 · ½ⁿ). ``improved``/``stable``/``worsened`` count pairs.
    """

    n: int
    mean_a: float | None
    mean_b: float | None
    mean_difference: float | None
    ci_low: float | None
    ci_high: float | None
    t: float | None
    dof: int | None
    p: float | None
    cohens_dz: float | None
    warnings: tuple[str, ...]
    improved: int = 0
    stable: int = 0
    worsened: int = 0
    test: str | None = None


def paired_evolution(
    a: ArrayLike, b: ArrayLike, *, confidence: float = 0.95, min_n: int = MIN_INTERVAL_N
) -> PairedEvolution:
    """Paired comparison of two aligned score vectors; pairs with a NaN side are dropped."""
    from scipy import special

    x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    both = ~np.isnan(x) & ~np.isnan(y)
    x, y = x[both], y[both]
    n = int(x.size)
    if n == 0:
        return PairedEvolution(
            0, None, None, None, None, None, None, None, None, None, ("no_pairs",)
        )
    diff = y - x
    # Rounding counts changes equal to zero up to float noise as stable.
    rounded = np.round(diff, 9)
    counts = {
        "improved": int((rounded > 0).sum()),
        "stable": int((rounded == 0).sum()),
        "worsened": int((rounded < 0).sum()),
    }
    mean_a, mean_b, mean_diff = float(x.mean()), float(y.mean()), float(diff.mean())
    if n < 2:
        return PairedEvolution(
            n,
            mean_a,
            mean_b,
            mean_diff,
            None,
            None,
            None,
            None,
            None,
            None,
            ("too_few_pairs",),
            **counts,
        )
    dof = n - 1
    sd = float(diff.std(ddof=1))
    # Relative tolerance: an SD that is rounding noise around identical changes.
    if sd <= 1e-12 * max(1.0, abs(mean_diff)):
        # Every sign flip of n equal changes: only "all up" and "all down" are as extreme.
        p = 1.0 if counts["stable"] == n else min(1.0, 2.0 * 0.5**n)
        return PairedEvolution(
            n,
            mean_a,
            mean_b,
            mean_diff,
            None,
            None,
            None,
            dof,
            p,
            None,
            ("no_variation",),
            **counts,
            test="sign_flip",
        )
    t = mean_diff / (sd / math.sqrt(n))
    p = float(2.0 * special.stdtr(dof, -abs(t)))
    ci_low: float | None = None
    ci_high: float | None = None
    warnings: tuple[str, ...] = ()
    if n >= min_n:
        half = _t_quantile(dof, confidence) * sd / math.sqrt(n)
        ci_low, ci_high = mean_diff - half, mean_diff + half
    else:
        warnings = ("too_few_pairs",)
    return PairedEvolution(
        n,
        mean_a,
        mean_b,
        mean_diff,
        ci_low,
        ci_high,
        t,
        dof,
        p,
        mean_diff / sd,
        warnings,
        **counts,
        test="paired_t",
    )


def _t_quantile(dof: int, confidence: float) -> float:
    from scipy import special

    return float(special.stdtrit(dof, 0.5 + confidence / 2.0))
