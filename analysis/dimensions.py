"""Dimension scores per beneficiary and wave, and their paired evolution between waves."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from analysis.counting import answer_scores, n_beneficiaries, response_wave_positions
from analysis.data import SurveyData


@dataclass(frozen=True)
class DimensionScores:
    """``scores[d, b, w]``: mean score of beneficiary b on dimension d in wave position w.

    NaN where the beneficiary has no response to that wave or gave no scored answer to
    any item of the dimension. Dimensions are in the order of their first item.
    """

    names: tuple[str, ...]
    items: tuple[tuple[int, ...], ...]
    scores: np.ndarray


def dimension_scores(data: SurveyData) -> DimensionScores:
    """Mean of the scored answers to each dimension's items, per beneficiary and wave.

    Unanswered items and unscored choices ("ne se prononce pas") are skipped, so a
    beneficiary's score rests on the items they actually rated.
    """
    names: list[str] = []
    members: dict[str, list[int]] = {}
    for i, item in enumerate(data.items):
        if item.dimension not in members:
            names.append(item.dimension)
            members[item.dimension] = []
        members[item.dimension].append(i)

    positions = response_wave_positions(data)
    ok = positions >= 0
    scores = np.full((len(names), n_beneficiaries(data), len(data.waves)), np.nan)
    for d, name in enumerate(names):
        item_scores = answer_scores(data, members[name])[ok]
        rated = ~np.isnan(item_scores)
        n_rated = rated.sum(axis=1)
        total = np.where(rated, item_scores, 0.0).sum(axis=1)
        mean = np.divide(total, n_rated, out=np.full(total.shape, np.nan), where=n_rated > 0)
        scores[d, data.response_beneficiary[ok], positions[ok]] = mean
    return DimensionScores(
        names=tuple(names),
        items=tuple(tuple(members[name]) for name in names),
        scores=scores,
    )


@dataclass(frozen=True)
class MeanInterval:
    """Mean of the values present, with its t confidence interval."""

    n: int
    mean: float | None
    ci_low: float | None
    ci_high: float | None
    warnings: tuple[str, ...]


def mean_interval(values: ArrayLike, *, confidence: float = 0.95) -> MeanInterval:
    """Mean and Student t confidence interval of ``values``, NaN values skipped."""
    x = np.asarray(values, dtype=np.float64)
    x = x[~np.isnan(x)]
    n = int(x.size)
    if n == 0:
        return MeanInterval(0, None, None, None, ("too_few_values",))
    mean = float(x.mean())
    if n < 2:
        return MeanInterval(n, mean, None, None, ("too_few_values",))
    half = _t_quantile(n - 1, confidence) * float(x.std(ddof=1)) / math.sqrt(n)
    return MeanInterval(n, mean, mean - half, mean + half, ())


@dataclass(frozen=True)
class PairedEvolution:
    """Change of the same beneficiaries between waves a and b (b − a).

    ``ci_low``/``ci_high`` bound the mean difference (Student t); ``t``, ``dof`` and
    ``p`` are the paired t-test; ``cohens_dz`` the mean difference over its SD.
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


def paired_evolution(a: ArrayLike, b: ArrayLike, *, confidence: float = 0.95) -> PairedEvolution:
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
    mean_a, mean_b, mean_diff = float(x.mean()), float(y.mean()), float(diff.mean())
    if n < 2:
        return PairedEvolution(
            n, mean_a, mean_b, mean_diff, None, None, None, None, None, None, ("too_few_pairs",)
        )
    dof = n - 1
    sd = float(diff.std(ddof=1))
    half = _t_quantile(dof, confidence) * sd / math.sqrt(n)
    ci_low, ci_high = mean_diff - half, mean_diff + half
    # Relative tolerance: an SD that is rounding noise around identical changes.
    if sd <= 1e-12 * max(1.0, abs(mean_diff)):
        return PairedEvolution(
            n,
            mean_a,
            mean_b,
            mean_diff,
            mean_diff,
            mean_diff,
            None,
            dof,
            None,
            None,
            ("no_variation",),
        )
    t = mean_diff / (sd / math.sqrt(n))
    p = float(2.0 * special.stdtr(dof, -abs(t)))
    return PairedEvolution(
        n, mean_a, mean_b, mean_diff, ci_low, ci_high, t, dof, p, mean_diff / sd, ()
    )


def _t_quantile(dof: int, confidence: float) -> float:
    from scipy import special

    return float(special.stdtrit(dof, 0.5 + confidence / 2.0))
