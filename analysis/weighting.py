"""Inverse-probability weighting: would the paired evolution change if the leavers had stayed?

The paired evolution of a dimension is measured on the people who answered both waves. When
those who did not answer the later wave started lower (or higher), that evolution describes a
selected group. Re-weighting each person who answered by the inverse of their estimated
probability of answering, given what was known at the earlier wave (dimension scores,
segments), gives the evolution the whole due group would have shown *if* drop-out depended only
on those characteristics (missing at random). It is a sensitivity line, not a correction: the
report shows it beside the plain evolution so a reader sees whether drop-out changes the story.

The logistic model is fitted by Newton–Raphson in numpy rather than with statsmodels' ``Logit``:
the report runs in a short-lived process and statsmodels' import (with ``scipy.stats``) costs
about 0.5 s, more than every statistic of the report together. Tests check the fit, the
probabilities and the weighted mean against statsmodels (``Logit``, ``DescrStatsW``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

# Fewer people than this among those who answered, or among those who did not, and the
# probability of answering is not estimated.
MIN_GROUP = 20
# A fitted probability this close to 0 or 1, or a coefficient this large on standardised
# covariates, means the groups are (quasi-)separated: the weights would be arbitrary.
_SEPARATION_PROBABILITY = 1e-6
_SEPARATION_COEFFICIENT = 15.0


@dataclass(frozen=True)
class LogisticFit:
    """Maximum-likelihood logistic regression of ``outcome`` on ``design`` (intercept added)."""

    coefficients: np.ndarray  # intercept first, then one per design column
    probabilities: np.ndarray  # fitted P(outcome = 1) per row
    converged: bool
    iterations: int


def logistic_fit(
    *, design: np.ndarray, outcome: np.ndarray, max_iterations: int = 50, tolerance: float = 1e-10
) -> LogisticFit:
    """Newton–Raphson logistic regression (the same estimator as statsmodels' ``Logit``).

    ``design`` is (n, k) without intercept; an intercept column is added first. A singular
    Hessian (collinear columns) is solved by least squares, so probabilities stay defined.
    """
    from scipy.special import expit

    x = np.column_stack([np.ones(len(outcome)), np.asarray(design, dtype=np.float64)])
    # (k, n) contiguous, and products through einsum's own loops rather than BLAS: with a
    # dozen columns BLAS gains nothing, and its threads spin against the web workers.
    xt = np.ascontiguousarray(x.T)
    y = np.asarray(outcome, dtype=np.float64)
    beta = np.zeros(x.shape[1])
    converged, iteration = False, 0
    for iteration in range(1, max_iterations + 1):  # noqa: B007 - reported in the result
        p = expit(np.einsum("kn,k->n", xt, beta, optimize=False))
        gradient = np.einsum("kn,n->k", xt, y - p, optimize=False)
        hessian = np.einsum("kn,jn->kj", xt * (p * (1.0 - p)), xt, optimize=False)
        try:
            step = np.linalg.solve(hessian, gradient)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(hessian, gradient, rcond=None)[0]
        if not np.all(np.isfinite(step)):
            break
        beta = beta + step
        if np.max(np.abs(step)) < tolerance * max(1.0, np.max(np.abs(beta))):
            converged = True
            break
    return LogisticFit(
        beta, expit(np.einsum("kn,k->n", xt, beta, optimize=False)), converged, iteration
    )


def covariates_build(
    *,
    scores: np.ndarray,
    segments: Mapping[str, np.ndarray],
    max_columns: int,
    min_level: int = 10,
) -> np.ndarray:
    """The design matrix of the response model: scores, then segment indicators.

    ``scores`` (n, k) are standardised (missing values set to the column mean, so a person
    without a score on one dimension still counts); constant columns are dropped. Each
    segment level (strings or integer codes) held by at least ``min_level`` people becomes an
    indicator, the most frequent level of a segment being the reference; indicators are kept
    most frequent first while the design has fewer than ``max_columns`` columns, so that the
    model never has more parameters than its smaller group can support.
    """
    columns: list[np.ndarray] = []
    scores = np.asarray(scores, dtype=np.float64)
    if scores.ndim == 1:
        scores = scores[:, None]
    for column in scores.T:
        known = ~np.isnan(column)
        if known.sum() < 2:
            continue
        filled = np.where(known, column, column[known].mean())
        sd = filled.std()
        if sd > 1e-12:
            columns.append((filled - filled.mean()) / sd)
    columns = columns[:max_columns]
    indicators: list[tuple[int, str, object, np.ndarray]] = []
    for name in sorted(segments):
        values = np.asarray(segments[name])
        if values.dtype.kind in "iu" and values.size and values.min() >= 0:
            counts = np.bincount(values)  # integer codes: no sort needed
            levels = np.flatnonzero(counts)
            counts = counts[levels]
        else:
            levels, counts = np.unique(values, return_counts=True)
        if levels.size < 2:
            continue
        reference = levels[np.argmax(counts)]
        for level, count in zip(levels, counts, strict=True):
            if level != reference and min_level <= count <= values.size - min_level:
                indicators.append((int(count), name, level, values == level))
    indicators.sort(key=lambda entry: (-entry[0], entry[1], str(entry[2])))
    room = max(0, max_columns - len(columns))
    columns += [mask.astype(np.float64) for *_, mask in indicators[:room]]
    if not columns:
        return np.empty((scores.shape[0], 0))
    return np.column_stack(columns)


@dataclass(frozen=True)
class ResponseWeights:
    """1 / P(answered | design) for each person who answered, NaN for the others.

    ``weights`` is None, with a warning code, when the probabilities cannot be trusted:
    fewer than ``min_group`` people on either side (``too_few_for_weighting``) or a model
    that separates those who answered from those who did not (``separation``).
    """

    n_answered: int
    n_missing: int
    weights: np.ndarray | None
    warnings: tuple[str, ...]


def response_weights(
    *, design: np.ndarray, answered: np.ndarray, min_group: int = MIN_GROUP
) -> ResponseWeights:
    """Inverse-probability weights from a logistic model of ``answered`` on ``design``.

    ``design`` (n, k) holds what was known of everyone due at the earlier wave
    (``covariates_build``). Nobody missing gives weights of 1.
    """
    answered = np.asarray(answered, dtype=bool)
    n_answered = int(answered.sum())
    n_missing = int(answered.size - n_answered)
    if n_missing == 0:
        return ResponseWeights(n_answered, 0, np.ones(answered.size), ())
    if min(n_answered, n_missing) < min_group:
        return ResponseWeights(n_answered, n_missing, None, ("too_few_for_weighting",))
    fit = logistic_fit(design=design, outcome=answered)
    p = fit.probabilities
    if (
        not fit.converged
        or np.max(np.abs(fit.coefficients[1:]), initial=0.0) > _SEPARATION_COEFFICIENT
        or np.min(p) < _SEPARATION_PROBABILITY
        or np.max(p) > 1.0 - _SEPARATION_PROBABILITY
    ):
        return ResponseWeights(n_answered, n_missing, None, ("separation",))
    return ResponseWeights(n_answered, n_missing, np.where(answered, 1.0 / p, np.nan), ())


@dataclass(frozen=True)
class WeightedChange:
    """Mean change of the ``n`` people whose change is known, plain and weighted."""

    n: int
    unweighted_mean_difference: float | None
    mean_difference: float | None
    max_weight: float | None
    warnings: tuple[str, ...]


def weighted_mean_change(*, change: np.ndarray, weights: ResponseWeights) -> WeightedChange:
    """The mean of ``change`` (NaN where unknown) plain and weighted by ``weights``.

    ``change`` is aligned with the people of the response model; a known change needs an
    answer to the later wave, so every known change has a weight.
    """
    change = np.asarray(change, dtype=np.float64)
    known = ~np.isnan(change)
    n = int(known.sum())
    if n == 0:
        return WeightedChange(0, None, None, None, ("no_pairs",))
    plain = float(change[known].mean())
    if weights.weights is None:
        return WeightedChange(n, plain, None, None, weights.warnings)
    w = weights.weights[known]
    if np.isnan(w).any():
        raise ValueError("a known change without a weight: its person did not answer")
    return WeightedChange(n, plain, float(np.average(change[known], weights=w)),
                          float(w.max()), ())
