"""Attrition: who stays from wave to wave, whether leavers differ, and what the pairs can show.

The method's own experience (500 questionnaires, 38 complete paths) is why this exists:
an evolution measured on the people who stayed says little if they differ from those who
left, and a small paired sample can only detect large changes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from analysis.counting import response_grid, rows_choice_counts
from analysis.data import SurveyData
from analysis.tests_of_change import benjamini_hochberg, compare_independent

# ---------------------------------------------------------------------------
# Funnel
# ---------------------------------------------------------------------------


def respondents_funnel(data: SurveyData, *, grid: np.ndarray | None = None) -> dict[str, int]:
    """Beneficiaries who answered wave 1; waves 1 and 2; waves 1, 2 and 3; ...

    Keys join the wave numbers with "-": ``{"1": 309, "1-2": 149, "1-2-3": 38}``.
    """
    if grid is None:
        grid = response_grid(data)
    present = grid >= 0
    # A beneficiary stays in the funnel while every wave so far was answered.
    through = np.logical_and.accumulate(present, axis=1)
    counts = through.sum(axis=0)
    return {
        "-".join(str(w) for w in data.waves[: k + 1]): int(counts[k])
        for k in range(len(data.waves))
    }


# ---------------------------------------------------------------------------
# Attrition bias
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BiasTest:
    """Chi-square of wave-1 answers (or a segment) between stayers and leavers."""

    kind: str  # "item" or "segment"
    name: str  # item code or segment name
    chi2: float | None
    dof: int | None
    p: float | None
    p_adjusted: float | None
    cramers_v: float | None
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class AttritionBias:
    """Do wave-1 respondents who answered ``later_wave`` differ from those who did not?

    ``verdict`` is "possible_bias" when any Benjamini–Hochberg adjusted p is below
    alpha, "no_evidence_of_bias" otherwise, and "insufficient_data" when either group
    is smaller than the minimum or no test could be computed. ``differing`` are the
    tests behind a "possible_bias" verdict.
    """

    verdict: str
    later_wave: int | None
    n_stayed: int
    n_left: int
    tests: tuple[BiasTest, ...]
    differing: tuple[BiasTest, ...]
    warnings: tuple[str, ...]


def attrition_bias(
    data: SurveyData,
    *,
    grid: np.ndarray | None = None,
    min_group: int = 5,
    alpha: float = 0.05,
) -> AttritionBias:
    """Compare wave-1 answers and segments of those who answered wave 2 with those who did not.

    One chi-square per item (on wave-1 answers, unscored choices included) and per
    segment (unknown values "" left out), p-values adjusted together (BH). Someone who
    is not yet due for wave 2 counts as a leaver: restrict the data to cohorts old
    enough (``survey_data_filter``) when that matters.
    """
    if grid is None:
        grid = response_grid(data)
    if len(data.waves) < 2:
        return AttritionBias("insufficient_data", None, 0, 0, (), (), ("no_later_wave",))
    later_wave = data.waves[1]
    first = grid[:, 0] >= 0
    stayed = first & (grid[:, 1] >= 0)
    left = first & (grid[:, 1] < 0)
    n_stayed, n_left = int(stayed.sum()), int(left.sum())
    if min(n_stayed, n_left) < max(min_group, 1):
        return AttritionBias(
            "insufficient_data", later_wave, n_stayed, n_left, (), (), ("too_few_in_group",)
        )

    tables: list[tuple[str, str, np.ndarray]] = []
    counts_stayed = rows_choice_counts(data, grid[stayed, 0])
    counts_left = rows_choice_counts(data, grid[left, 0])
    for i, item in enumerate(data.items):
        tables.append(("item", item.code, np.stack([counts_stayed[i], counts_left[i]], axis=1)))
    for name in sorted(data.beneficiary_segments):
        values = np.asarray(data.beneficiary_segments[name]).astype(str)
        tables.append(("segment", name, _segment_table(values, stayed, left)))

    results = [(kind, name, compare_independent(table)) for kind, name, table in tables]
    adjusted = benjamini_hochberg([r.p for _, _, r in results])
    tests = tuple(
        BiasTest(kind, name, r.chi2, r.dof, r.p, p_adj, r.cramers_v, r.warnings)
        for (kind, name, r), p_adj in zip(results, adjusted, strict=True)
    )
    differing = tuple(t for t in tests if t.p_adjusted is not None and t.p_adjusted < alpha)
    if all(t.p is None for t in tests):
        verdict = "insufficient_data"
    elif differing:
        verdict = "possible_bias"
    else:
        verdict = "no_evidence_of_bias"
    return AttritionBias(verdict, later_wave, n_stayed, n_left, tests, differing, ())


def _segment_table(values: np.ndarray, stayed: np.ndarray, left: np.ndarray) -> np.ndarray:
    """Known segment values × (stayed, left) counts; the unknown value "" is left out."""
    size = min(values.size, stayed.size)
    values, stayed, left = values[:size], stayed[:size], left[:size]
    known = values != ""
    levels, code = np.unique(values[known], return_inverse=True)
    group = np.where(stayed[known], 0, np.where(left[known], 1, -1))
    use = group >= 0
    flat = code[use] * 2 + group[use]
    return np.bincount(flat, minlength=levels.size * 2).reshape(levels.size, 2)


# ---------------------------------------------------------------------------
# What the sample can claim: power of the paired t-test
# ---------------------------------------------------------------------------


def paired_t_power(dz: float, n: int, *, alpha: float = 0.05) -> float:
    """Power of the two-sided paired t-test with n pairs for standardized effect ``dz``."""
    from scipy import special

    if n < 2:
        return float("nan")
    dof = n - 1
    critical = float(special.stdtrit(dof, 1.0 - alpha / 2.0))
    shift = dz * math.sqrt(n)  # non-centrality
    upper = 1.0 - float(special.nctdtr(dof, shift, critical))
    lower = float(special.nctdtr(dof, shift, -critical))
    # nctdtr can return NaN far in a tail, where the probability is 1 (upper tail at a
    # large shift) or negligible (the opposite tail): use those limits.
    if math.isnan(upper):
        upper = 1.0
    if math.isnan(lower):
        lower = 0.0
    return upper + lower


def min_detectable_dz(n: int, *, alpha: float = 0.05, power: float = 0.8) -> float | None:
    """Smallest Cohen's dz that n pairs detect with the given power (None below 2 pairs)."""
    if n < 2:
        return None
    low, high = 0.0, 1.0
    while paired_t_power(high, n, alpha=alpha) < power:
        high *= 2.0
        if high > 1e3:  # unreachable in practice; guards against a numerical plateau
            return None
    for _ in range(60):  # bisection: power grows with dz
        middle = (low + high) / 2.0
        if paired_t_power(middle, n, alpha=alpha) < power:
            low = middle
        else:
            high = middle
    return high


def pairs_needed(dz: float, *, alpha: float = 0.05, power: float = 0.8) -> int:
    """Smallest number of pairs for which the paired t-test reaches ``power`` at ``dz``."""
    from scipy import special

    if dz <= 0:
        raise ValueError("dz must be positive")
    # Start from the normal approximation, then walk to the exact (t) answer.
    z = float(special.ndtri(1.0 - alpha / 2.0) + special.ndtri(power))
    n = max(2, math.floor((z / dz) ** 2))
    while paired_t_power(dz, n, alpha=alpha) < power:
        n += 1
    while n > 2 and paired_t_power(dz, n - 1, alpha=alpha) >= power:
        n -= 1
    return n


@dataclass(frozen=True)
class SamplePower:
    """What a paired sample of ``n_pairs`` can detect, and what a target effect needs."""

    n_pairs: int
    alpha: float
    power: float
    min_detectable_dz: float | None
    target_dz: float
    pairs_needed: int
    pairs_missing: int


def sample_power(
    n_pairs: int, *, target_dz: float = 0.3, alpha: float = 0.05, power: float = 0.8
) -> SamplePower:
    """The smallest effect n_pairs can detect and how many more pairs ``target_dz`` needs."""
    needed = pairs_needed(target_dz, alpha=alpha, power=power)
    return SamplePower(
        n_pairs=n_pairs,
        alpha=alpha,
        power=power,
        min_detectable_dz=min_detectable_dz(n_pairs, alpha=alpha, power=power),
        target_dz=target_dz,
        pairs_needed=needed,
        pairs_missing=max(0, needed - n_pairs),
    )
