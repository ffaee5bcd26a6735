"""Attrition: who stays from wave to wave, what became of those who did not, whether they
had started differently, and what the pairs can show.

The method's own experience (500 questionnaires, 38 complete paths) is why this exists:
an evolution measured on the people who stayed says little if they differ from those who
left, and a small paired sample can only detect large changes. Two rules keep the story
honest: someone not yet due for a wave has not left, and someone who left for a job or a
training is a success of the support, not a loss. A check that finds no difference says how
large a difference it could have seen; it never says there is none.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from analysis.counting import response_grid, rows_choice_counts
from analysis.data import SurveyData
from analysis.tests_of_change import benjamini_hochberg

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
# Who was due for a later wave, and what became of those who did not answer it
# ---------------------------------------------------------------------------

# Beneficiary.ExitReason codes, in the order reports list them.
EXIT_REASONS = ("employment", "training", "other_support", "dropped_out", "moved", "other")
# Leaving for a job or a training is what the support aims at: not a loss.
POSITIVE_EXITS = ("employment", "training")


def reference_date(data: SurveyData) -> np.datetime64:
    """``data.as_of``, or the latest response date when it is not set (NaT if no response)."""
    as_of = np.datetime64(data.as_of, "D")
    if not np.isnat(as_of) or data.response_answered_on.size == 0:
        return as_of
    return data.response_answered_on.max().astype("datetime64[D]")


def per_beneficiary(values: np.ndarray, size: int, fill: object, dtype: str | type) -> np.ndarray:
    """A per-beneficiary array cut or padded with ``fill`` to ``size`` entries."""
    values = np.asarray(values)
    if values.size == size and values.dtype == np.dtype(dtype):
        return values
    out = np.full(size, fill, dtype=dtype)
    values = values.astype(dtype)[:size]
    out[: values.size] = values
    return out


def beneficiary_start(data: SurveyData, *, grid: np.ndarray) -> np.ndarray:
    """Per beneficiary: the date waves are counted from (wave-1 date, else first response).

    datetime64[D], NaT for beneficiaries without any response.
    """
    days = data.response_answered_on.astype("datetime64[D]").astype(np.int64)
    never = np.iinfo(np.int64).max
    start = np.full(grid.shape[0], never, dtype=np.int64)
    np.minimum.at(start, data.response_beneficiary, days)
    if grid.shape[1]:
        first = grid[:, 0] >= 0
        start[first] = days[grid[first, 0]]
    out = start.astype("datetime64[D]")
    out[start == never] = np.datetime64("NaT")
    return out


def due_for_wave(data: SurveyData, *, grid: np.ndarray, position: int) -> np.ndarray:
    """Per beneficiary: is the wave at ``position`` due at the reference date, or answered?

    Due means start + ``wave_due_after_days[position]`` ≤ the reference date; without due
    delays every wave is due as soon as the person has started. A wave at exit
    (``wave_at_exit``) of a person whose exit is recorded is due on the exit date instead,
    as on the worklist.
    """
    delays = data.wave_due_after_days
    delay = int(delays[position]) if position < len(delays) else 0
    start = beneficiary_start(data, grid=grid)
    as_of = reference_date(data)
    due = ~np.isnat(start) & (start + np.timedelta64(delay, "D") <= as_of)
    if position < len(data.wave_at_exit) and data.wave_at_exit[position]:
        exits = per_beneficiary(data.beneficiary_exit_date, grid.shape[0],
                                np.datetime64("NaT"), "datetime64[D]")
        left = ~np.isnat(exits)
        due = np.where(left, left & (exits <= as_of), due)
    return due | (grid[:, position] >= 0)


def exit_outcomes(data: SurveyData, size: int) -> np.ndarray:
    """Per beneficiary, what their exit was at the reference date.

    "" while still followed (no exit, or an exit dated after the reference date), an
    ``EXIT_REASONS`` code, or "unknown" for an exit recorded without a known reason.
    """
    dates = per_beneficiary(data.beneficiary_exit_date, size, np.datetime64("NaT"), "datetime64[D]")
    reasons = np.asarray(data.beneficiary_exit_reason).astype(str)
    reasons = per_beneficiary(reasons, size, "", reasons.dtype)
    exited = ~np.isnat(dates) & (dates <= reference_date(data))
    known = np.isin(reasons, EXIT_REASONS)
    return np.where(exited, np.where(known, reasons, "unknown"), "")


@dataclass(frozen=True)
class TransitionFollowUp:
    """People who answered wave ``a`` and what became of them at wave ``b`` (positions).

    ``answered_first`` answered a; of those, ``due`` were due for b (or answered it),
    ``answered`` answered both, ``not_yet_due`` were not due yet and did not answer b.
    ``left`` splits the due who did not answer: "still_followed" (no exit at the reference
    date), each exit reason, and "unknown" (exit without a reason). The masks are per
    beneficiary.
    """

    a: int
    b: int
    answered_first: int
    due: int
    answered: int
    not_yet_due: int
    left: dict[str, int]
    positive_exits: int
    answered_mask: np.ndarray
    missing_mask: np.ndarray  # due for b, answered a, did not answer b


def transition_follow_up(
    data: SurveyData, *, grid: np.ndarray, a: int, b: int, outcomes: np.ndarray | None = None
) -> TransitionFollowUp:
    """Count who was due for wave position ``b`` among those who answered ``a``, and why the
    due who did not answer are missing (``exit_outcomes``)."""
    if outcomes is None:
        outcomes = exit_outcomes(data, grid.shape[0])
    first = grid[:, a] >= 0
    due = first & due_for_wave(data, grid=grid, position=b)
    answered = first & (grid[:, b] >= 0)
    missing = due & ~answered
    missing_outcomes = outcomes[missing]
    left = {"still_followed": int((missing_outcomes == "").sum())}
    for reason in (*EXIT_REASONS, "unknown"):
        left[reason] = int((missing_outcomes == reason).sum())
    return TransitionFollowUp(
        a=a,
        b=b,
        answered_first=int(first.sum()),
        due=int(due.sum()),
        answered=int(answered.sum()),
        not_yet_due=int((first & ~due).sum()),
        left=left,
        positive_exits=sum(left[reason] for reason in POSITIVE_EXITS),
        answered_mask=answered,
        missing_mask=missing,
    )


# ---------------------------------------------------------------------------
# Did those who answered the later wave start like those who did not?
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RankSumResult:
    """Mann–Whitney U (Wilcoxon rank-sum) of x against y, normal approximation.

    ``statistic`` is U of x; ``rank_biserial`` = P(x > y) − P(x < y), positive when x
    tends to be higher.
    """

    n_x: int
    n_y: int
    mean_x: float | None
    mean_y: float | None
    statistic: float | None
    p: float | None
    rank_biserial: float | None
    warnings: tuple[str, ...]


def rank_sum_test(x: np.ndarray, y: np.ndarray) -> RankSumResult:
    """Two-sided Mann–Whitney U test with tie correction and continuity correction.

    The same test as ``scipy.stats.mannwhitneyu(x, y, method="asymptotic")``; the normal
    approximation is what scipy itself uses with ties. NaN values are dropped.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    x, y = x[~np.isnan(x)], y[~np.isnan(y)]
    values, inverse = np.unique(np.concatenate([x, y]), return_inverse=True)
    inverse = inverse.reshape(-1)
    counts_x = np.bincount(inverse[: x.size], minlength=values.size)
    counts_y = np.bincount(inverse[x.size :], minlength=values.size)
    return rank_sum_counts(values, counts_x, counts_y)


def rank_sum_counts(
    values: np.ndarray, counts_x: np.ndarray, counts_y: np.ndarray
) -> RankSumResult:
    """``rank_sum_test`` from how many of x and of y took each of the sorted ``values``.

    Ordinal answers take a handful of values: counting them is much faster than ranking
    thousands of people one by one, and gives the same U, ties and p.
    """
    from scipy import special

    values = np.asarray(values, dtype=np.float64)
    counts_x = np.asarray(counts_x, dtype=np.float64)
    counts_y = np.asarray(counts_y, dtype=np.float64)
    n_x, n_y = int(counts_x.sum()), int(counts_y.sum())
    if n_x == 0 or n_y == 0:
        return RankSumResult(n_x, n_y, None, None, None, None, None, ("too_few_in_group",))
    mean_x = float((counts_x * values).sum() / n_x)
    mean_y = float((counts_y * values).sum() / n_y)
    runs = counts_x + counts_y
    n = n_x + n_y
    # Average rank of each value: the ranks before it, plus the middle of its run of ties.
    average_rank = np.cumsum(runs) - runs + (runs + 1) / 2.0
    u_x = float((counts_x * average_rank).sum()) - n_x * (n_x + 1) / 2.0
    ties = float((runs**3 - runs).sum())
    variance = n_x * n_y / 12.0 * ((n + 1) - ties / (n * (n - 1))) if n > 1 else 0.0
    rank_biserial = 2.0 * u_x / (n_x * n_y) - 1.0
    if variance <= 0 or int((runs > 0).sum()) < 2:
        return RankSumResult(
            n_x, n_y, mean_x, mean_y, u_x, None, rank_biserial, ("single_category",)
        )
    mean = n_x * n_y / 2.0
    z = (max(u_x, n_x * n_y - u_x) - mean - 0.5) / np.sqrt(variance)
    p = min(1.0, 2.0 * float(special.ndtr(-z)))
    return RankSumResult(n_x, n_y, mean_x, mean_y, u_x, p, rank_biserial, ())


def two_sample_t_power(d: float, n_x: int, n_y: int, *, alpha: float = 0.05) -> float:
    """Power of the two-sided two-sample t-test (equal variances) for standardised effect d."""
    from scipy import special

    dof = n_x + n_y - 2
    critical = float(special.stdtrit(dof, 1.0 - alpha / 2.0))
    shift = d * math.sqrt(n_x * n_y / (n_x + n_y))
    upper = 1.0 - float(special.nctdtr(dof, shift, critical))
    lower = float(special.nctdtr(dof, shift, -critical))
    return (1.0 if math.isnan(upper) else upper) + (0.0 if math.isnan(lower) else lower)


def detectable_difference(
    n_x: int, n_y: int, *, alpha: float = 0.05, power: float = 0.8
) -> float | None:
    """Smallest standardised difference (Cohen's d) two groups of n_x and n_y detect with
    the given power (None when a group has fewer than 2 people)."""
    if min(n_x, n_y) < 2:
        return None
    low, high = 0.0, 1.0
    while two_sample_t_power(high, n_x, n_y, alpha=alpha) < power:
        high *= 2.0
        if high > 1e3:
            return None
    for _ in range(32):  # bisection to about 1e-9 of the bracket
        middle = (low + high) / 2.0
        if two_sample_t_power(middle, n_x, n_y, alpha=alpha) < power:
            low = middle
        else:
            high = middle
    return high


@dataclass(frozen=True)
class BiasTest:
    """One earlier-wave measure (an item's score or a dimension score) compared between the
    due who answered the later wave and the due who did not."""

    kind: str  # "item" or "dimension"
    name: str
    n_answered: int
    n_missing: int
    mean_answered: float | None
    mean_missing: float | None
    statistic: float | None
    p: float | None
    p_adjusted: float | None
    rank_biserial: float | None  # > 0: those who answered had started higher
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class TransitionBias:
    """``verdict``: "differs" when any BH-adjusted p (within the transition) is below alpha,
    "no_difference_detected" otherwise, "too_few" below ``min_group`` people in a group or
    when no test could be computed. ``detectable_effect`` is the smallest standardised
    difference the two groups would have detected with 80 % power: a
    "no_difference_detected" says nothing about differences smaller than that.
    """

    verdict: str
    p_adjusted: float | None
    detectable_effect: float | None
    n_answered: int
    n_missing: int
    tests: tuple[BiasTest, ...]
    differing: tuple[BiasTest, ...]
    warnings: tuple[str, ...]


def transition_bias(
    *,
    measures: list[tuple[str, str, np.ndarray | tuple[np.ndarray, np.ndarray, np.ndarray]]],
    answered: np.ndarray,
    missing: np.ndarray,
    min_group: int = 20,
    alpha: float = 0.05,
) -> TransitionBias:
    """Compare, measure by measure, those who answered the later wave with the due who did not.

    ``measures`` are ``(kind, name, values)`` with one value per beneficiary at the earlier
    wave (NaN when absent), or with ``values`` already counted per group as
    ``(sorted values, counts of answered, counts of missing)``; ``answered`` and ``missing``
    are the two groups' masks. One rank-sum test per measure, p-values adjusted together
    (Benjamini–Hochberg).
    """
    n_answered, n_missing = int(answered.sum()), int(missing.sum())
    detectable = detectable_difference(n_answered, n_missing)
    if min(n_answered, n_missing) < min_group:
        return TransitionBias(
            "too_few", None, detectable, n_answered, n_missing, (), (), ("too_few_in_group",)
        )
    results = []
    for kind, name, values in measures:
        if isinstance(values, tuple):  # (sorted values, counts among answered, among missing)
            results.append((kind, name, rank_sum_counts(*values)))
        else:
            results.append((kind, name, rank_sum_test(values[answered], values[missing])))
    adjusted = benjamini_hochberg([r.p for *_, r in results])
    tests = tuple(
        BiasTest(
            kind=kind,
            name=name,
            n_answered=r.n_x,
            n_missing=r.n_y,
            mean_answered=r.mean_x,
            mean_missing=r.mean_y,
            statistic=r.statistic,
            p=r.p,
            p_adjusted=p_adj,
            rank_biserial=r.rank_biserial,
            warnings=r.warnings,
        )
        for (kind, name, r), p_adj in zip(results, adjusted, strict=True)
    )
    computed = [t.p_adjusted for t in tests if t.p_adjusted is not None]
    if not computed:
        return TransitionBias(
            "too_few", None, detectable, n_answered, n_missing, tests, (), ("no_test",)
        )
    differing = tuple(t for t in tests if t.p_adjusted is not None and t.p_adjusted < alpha)
    verdict = "differs" if differing else "no_difference_detected"
    return TransitionBias(
        verdict, min(computed), detectable, n_answered, n_missing, tests, differing, ()
    )


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


def item_score_counts(
    data: SurveyData, rows_x: np.ndarray, rows_y: np.ndarray
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per item: its distinct scores (sorted) and how many answers of the responses ``rows_x``
    and ``rows_y`` took each; unscored choices and unanswered items are left out."""
    counts_x = rows_choice_counts(data, rows_x)
    counts_y = rows_choice_counts(data, rows_y)
    out = []
    for i, item in enumerate(data.items):
        scores = np.asarray(item.choices.scores, dtype=np.float64)
        scored = np.flatnonzero(~np.isnan(scores))
        values, inverse = np.unique(scores[scored], return_inverse=True)
        out.append((
            values,
            np.bincount(inverse, weights=counts_x[i, scored], minlength=values.size),
            np.bincount(inverse, weights=counts_y[i, scored], minlength=values.size),
        ))
    return out
