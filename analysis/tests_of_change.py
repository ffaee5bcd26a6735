"""Tests of change between two waves, computed from count tables.

Every function here takes counts (never responses) so that the same figures come out
whether the counts were made by numpy, by SQL or by hand from a paper table. Nothing
raises on thin data: a test that cannot be computed returns ``None`` numbers and a
caveat code (see ``analysis.caveats``) saying why.

``scipy.special`` is imported inside the functions: it is the only scipy module the
report needs (~0.1 s to import, against ~0.5 s for ``scipy.stats``), and modules that
merely import this one should not pay even that.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

# Adjusted standardized residuals beyond this mark a cell over/under-represented (5 %).
RESIDUAL_THRESHOLD = 1.96
# Below this expected count the chi-square approximation is commonly held unreliable.
MIN_EXPECTED = 5.0
# Up to this many non-zero differences the Wilcoxon p is exact (the distribution of R+
# over every sign flip, conditional on the tied ranks), whatever the number of zeros;
# above it the normal approximation with tie correction is close enough.
WILCOXON_EXACT_MAX_N = 50
# Monte Carlo p of a sparse table larger than 2 × 2: resamples and a fixed seed, so that
# the same data always print the same p (its standard error is at most 0.005).
MONTE_CARLO_RESAMPLES = 9_999
MONTE_CARLO_SEED = 20_261_129


def significance_label(p: float | None) -> str | None:
    """The survey tools' label: "TS" (p < 0.01), "S" (< 0.05), "PS" (< 0.15), else "NS"."""
    if p is None or math.isnan(p):
        return None
    if p < 0.01:
        return "TS"
    if p < 0.05:
        return "S"
    if p < 0.15:
        return "PS"
    return "NS"


# ---------------------------------------------------------------------------
# Independent samples: chi-square on a choices × 2 table
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class IndependentResult:
    """Pearson chi-square of a choices × 2 table (rows with no count in either column dropped).

    ``kept`` are the indices, in the table given, of the rows used; ``counts`` and
    ``cells`` follow that order. ``cells[i][j]`` is "over"/"under" where the adjusted
    standardized residual of count ``(i, j)`` is beyond ±1.96, else ``None``.
    """

    kept: tuple[int, ...]
    counts: tuple[tuple[int, int], ...]
    n: tuple[int, int]
    chi2: float | None
    dof: int | None
    p: float | None
    significance: str | None
    cells: tuple[tuple[str | None, ...], ...]
    cramers_v: float | None
    min_expected: float | None
    fisher_p: float | None
    warnings: tuple[str, ...]
    # Where an expected count is below 5: Fisher's p (2 × 2) or a seeded Monte Carlo p.
    exact_p: float | None = None
    exact_method: str | None = None  # "fisher" | "monte_carlo"
    # The label a reader should see: from ``exact_p`` when there is one, else from ``p``.
    significance_shown: str | None = None


def compare_independent(
    counts: ArrayLike,
    *,
    resamples: int = MONTE_CARLO_RESAMPLES,
    seed: int = MONTE_CARLO_SEED,
) -> IndependentResult:
    """Pearson chi-square (no continuity correction) on a choices × 2 table of counts.

    Rows are choices, columns the two waves. Rows that are zero in both waves are left
    out (their indices are not in ``kept``). Adds adjusted-residual cell marks,
    Cramér's V, the smallest expected count, and Fisher's exact p for 2 × 2 tables.

    ``p`` and ``significance`` stay Pearson's, as survey tools print them. Where an
    expected count is below 5 the chi-square p is unreliable, so ``exact_p`` gives
    Fisher's p (2 × 2) or a Monte Carlo p (``resamples`` tables with the same margins,
    drawn from a generator seeded with ``seed``), and ``significance_shown`` is its label.
    """
    from scipy import special

    table = np.asarray(counts, dtype=np.int64).reshape(-1, 2)
    kept_mask = table.sum(axis=1) > 0
    kept = tuple(int(i) for i in np.flatnonzero(kept_mask))
    observed = table[kept_mask]
    col_totals = observed.sum(axis=0)
    n = (int(col_totals[0]), int(col_totals[1]))
    kept_counts = tuple((int(a), int(b)) for a, b in observed)
    empty_cells = tuple((None, None) for _ in kept)

    warnings: list[str] = []
    if n[0] == 0 and n[1] == 0:
        warnings.append("no_answers")
    elif n[0] == 0 or n[1] == 0:
        warnings.append("empty_wave")
    elif len(kept) < 2:
        warnings.append("single_category")
    if warnings:
        return IndependentResult(
            kept=kept,
            counts=kept_counts,
            n=n,
            chi2=None,
            dof=None,
            p=None,
            significance=None,
            cells=empty_cells,
            cramers_v=None,
            min_expected=None,
            fisher_p=None,
            warnings=tuple(warnings),
        )

    total = float(observed.sum())
    row_totals = observed.sum(axis=1).astype(np.float64)
    expected = np.outer(row_totals, col_totals) / total
    chi2 = float(((observed - expected) ** 2 / expected).sum())
    dof = len(kept) - 1  # (rows - 1) × (2 - 1)
    p = float(special.chdtrc(dof, chi2))
    min_expected = float(expected.min())
    if min_expected < MIN_EXPECTED:
        warnings.append("expected_below_5")

    # Adjusted (Haberman) residuals: standard normal under independence, cell by cell.
    variance = expected * np.outer(1.0 - row_totals / total, 1.0 - col_totals / total)
    residuals = (observed - expected) / np.sqrt(variance)
    cells = tuple(tuple(_residual_mark(r) for r in row) for row in residuals)
    # With two columns min(rows, cols) - 1 = 1, so V = sqrt(chi2 / N).
    cramers_v = math.sqrt(chi2 / total)
    fisher_p = fisher_exact_2x2(observed) if len(kept) == 2 else None
    exact_p, exact_method = None, None
    if min_expected < MIN_EXPECTED:
        if fisher_p is not None:
            exact_p, exact_method = fisher_p, "fisher"
        else:
            exact_p = monte_carlo_chi2_p(observed, resamples=resamples, seed=seed)
            exact_method = "monte_carlo"

    return IndependentResult(
        kept=kept,
        counts=kept_counts,
        n=n,
        chi2=chi2,
        dof=dof,
        p=p,
        significance=significance_label(p),
        cells=cells,
        cramers_v=cramers_v,
        min_expected=min_expected,
        fisher_p=fisher_p,
        warnings=tuple(warnings),
        exact_p=exact_p,
        exact_method=exact_method,
        significance_shown=significance_label(exact_p if exact_p is not None else p),
    )


def monte_carlo_chi2_p(
    table: ArrayLike, *, resamples: int = MONTE_CARLO_RESAMPLES, seed: int = MONTE_CARLO_SEED
) -> float:
    """Monte Carlo p of Pearson's chi-square for a choices × 2 table with small expected counts.

    Draws ``resamples`` tables with the observed margins (under independence the first
    column is a multivariate hypergeometric draw from the row totals, numpy's
    ``multivariate_hypergeometric``) and returns (1 + tables at least as extreme) /
    (1 + resamples), as scipy's ``chi2_contingency(method=MonteCarloMethod(...))`` does.
    Seeded: the same table always gives the same p. Done in numpy, ~3 ms a table, so
    that a questionnaire with a sparse "ne se prononce pas" on every item stays fast
    (scipy's version costs ~8 ms a table plus ~0.5 s to import ``scipy.stats``).
    """
    observed = np.asarray(table, dtype=np.int64).reshape(-1, 2)
    rows = observed.sum(axis=1)
    n_first = int(observed[:, 0].sum())
    expected = rows * (n_first / float(rows.sum()))  # first column; the second is rows − it
    # With fixed margins the second column's deviations mirror the first's, so
    # chi2 = Σ (x − e₁)² · (1/e₁ + 1/e₂) over the first column alone.
    weight = 1.0 / expected + 1.0 / (rows - expected)
    statistic = float(((observed[:, 0] - expected) ** 2) @ weight)
    rng = np.random.default_rng(seed)
    first = rng.multivariate_hypergeometric(rows, n_first, size=resamples, method="marginals")
    statistics = ((first - expected) ** 2) @ weight
    # A relative tolerance keeps tables tied with the observed one (up to rounding) extreme.
    extreme = int((statistics >= statistic - 1e-9 * max(1.0, statistic)).sum())
    return (extreme + 1) / (resamples + 1)


def _residual_mark(residual: float) -> str | None:
    if residual > RESIDUAL_THRESHOLD:
        return "over"
    if residual < -RESIDUAL_THRESHOLD:
        return "under"
    return None


def fisher_exact_2x2(table: ArrayLike) -> float:
    """Two-sided Fisher exact p of a 2 × 2 table.

    Sums the hypergeometric probabilities of every table with the same margins that is
    no more probable than the one observed (the usual definition, as in R and scipy).
    """
    from scipy import special

    t = np.asarray(table, dtype=np.int64).reshape(2, 2)
    row1, row2 = int(t[0].sum()), int(t[1].sum())
    col1 = int(t[:, 0].sum())
    total = row1 + row2
    low, high = max(0, col1 - row2), min(row1, col1)
    support = np.arange(low, high + 1, dtype=np.float64)

    def log_choose(n: float, k: np.ndarray) -> np.ndarray:
        return special.gammaln(n + 1) - special.gammaln(k + 1) - special.gammaln(n - k + 1)

    log_pmf = (
        log_choose(row1, support)
        + log_choose(row2, col1 - support)
        - log_choose(total, np.array(col1, dtype=np.float64))
    )
    pmf = np.exp(log_pmf)
    observed = pmf[int(t[0, 0]) - low]
    # The relative tolerance keeps tables tied in probability with the observed one
    # (equal up to rounding) on the "as extreme" side, as R's fisher.test does.
    p = float(pmf[pmf <= observed * (1 + 1e-7)].sum())
    return min(p, 1.0)


# ---------------------------------------------------------------------------
# Paired samples: the same beneficiaries in two waves
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MarginalHomogeneity:
    """Stuart–Maxwell test that the choice distribution is the same in both waves."""

    statistic: float | None
    dof: int | None
    p: float | None
    kept: tuple[int, ...]  # choices used by at least one pair, in either wave
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class SignedRank:
    """Wilcoxon signed-rank test on score differences (b − a), zero differences dropped.

    ``statistic`` is min(R+, R−) as scipy reports it for a two-sided test;
    ``rank_biserial`` is the matched-pairs rank-biserial correlation (R+ − R−) / (R+ + R−),
    positive when scores rose. ``method`` is "exact" or "normal".
    """

    statistic: float | None
    p: float | None
    n_nonzero: int
    rank_biserial: float | None
    method: str | None
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class PairedResult:
    """Change of the same people between two waves, from their transition table."""

    n: int
    improved: int
    stable: int
    worsened: int
    mean_difference: float | None
    marginal_homogeneity: MarginalHomogeneity
    wilcoxon: SignedRank
    warnings: tuple[str, ...]
    # Exact McNemar, for items with two scored choices only.
    mcnemar: McNemarResult | None = None
    # The test a verdict rests on ("mcnemar_exact" with two scored choices, else
    # "wilcoxon"), its p (1 when pairs exist but nobody's score changed), and the sign
    # of the change it saw: +1 better, -1 worse, 0 none.
    test: str | None = None
    p: float | None = None
    direction: int = 0


def compare_paired(table: ArrayLike, scores: ArrayLike) -> PairedResult:
    """Improved/stable/worsened counts, Stuart–Maxwell and Wilcoxon from a k × k table.

    ``table[i, j]`` counts the pairs who chose scored choice ``i`` in wave a and ``j``
    in wave b; ``scores`` are the k choices' scores (higher is better). Two choices
    sharing a score count as stable.

    The test for a verdict is the exact McNemar test when the scale has two scored
    choices (k = 2), else the Wilcoxon signed-rank test. Pairs whose scores all stayed
    the same give that test p = 1: nothing changed, which is a finding, not a gap.
    """
    t = np.asarray(table, dtype=np.int64)
    s = np.asarray(scores, dtype=np.float64)
    if t.ndim != 2 or t.shape[0] != t.shape[1] or t.shape[0] != s.shape[0]:
        raise ValueError(f"table must be k × k with k scores; got {t.shape} and {s.shape}")

    diff = s[None, :] - s[:, None]  # score in wave b minus score in wave a
    n = int(t.sum())
    improved = int(t[diff > 0].sum())
    worsened = int(t[diff < 0].sum())
    mean_difference = float((t * diff).sum() / n) if n else None

    marginal = stuart_maxwell(t)
    signed_rank = wilcoxon_from_table(t, s)
    warnings = tuple(dict.fromkeys(marginal.warnings + signed_rank.warnings))
    mcnemar = mcnemar_exact(t) if t.shape[0] == 2 else None

    test: str | None = None
    p: float | None = None
    direction = 0
    if mcnemar is not None:
        test = "mcnemar_exact"
        p = mcnemar.p if n else None
        direction = int(np.sign(improved - worsened))
    elif t.shape[0] > 2:
        test = "wilcoxon"
        if signed_rank.p is not None:
            p = signed_rank.p
            direction = int(np.sign(signed_rank.rank_biserial or 0.0))
        elif n:
            p = 1.0  # every pair kept its score
    return PairedResult(
        n=n,
        improved=improved,
        stable=n - improved - worsened,
        worsened=worsened,
        mean_difference=mean_difference,
        marginal_homogeneity=marginal,
        wilcoxon=signed_rank,
        warnings=warnings,
        mcnemar=mcnemar,
        test=test,
        p=p,
        direction=direction,
    )


# Below this many pairs no verdict is given, whatever the p.
VERDICT_MIN_PAIRS = 5
VERDICT_ALPHA = 0.05


def change_verdict(
    *,
    n: int | None,
    p_adjusted: float | None,
    direction: int,
    min_pairs: int = VERDICT_MIN_PAIRS,
    alpha: float = VERDICT_ALPHA,
) -> str:
    """The one verdict a reader sees for the change of the same people between two waves.

    "too_few" below ``min_pairs`` pairs or without a test; "progress"/"decline" when the
    Benjamini–Hochberg adjusted p is below ``alpha``, by the sign of the change; else
    "no_change_detected" (never "no change": a test that sees nothing proves nothing).
    """
    if n is None or n < min_pairs or p_adjusted is None:
        return "too_few"
    if p_adjusted < alpha and direction > 0:
        return "progress"
    if p_adjusted < alpha and direction < 0:
        return "decline"
    return "no_change_detected"


def verdict_disagreement(
    *, verdict: str, significance_shown: str | None, table_direction: int = 0
) -> str | None:
    """Why the survey-tool table and the verdict differ, if they do.

    "composition": the table of everyone who answered is significant (S/TS) but the same
    people did not change detectably, or changed the other way round from the table's
    mean score (``table_direction``: sign of wave b's mean minus wave a's among all who
    answered): the difference comes from who answered. "paired_only": the same people
    changed while the table is PS/NS.
    """
    if significance_shown in ("TS", "S"):
        if verdict in ("no_change_detected", "too_few"):
            return "composition"
        opposite = (verdict == "progress" and table_direction < 0) or (
            verdict == "decline" and table_direction > 0
        )
        return "composition" if opposite else None
    if significance_shown in ("PS", "NS") and verdict in ("progress", "decline"):
        return "paired_only"
    return None


def stuart_maxwell(table: ArrayLike) -> MarginalHomogeneity:
    """Stuart–Maxwell marginal homogeneity test of a square table.

    Choices no pair uses in either wave are dropped first, so ``dof`` is the number
    of choices kept minus one. Where the covariance of the margin differences is
    singular (a choice only ever kept, or groups of choices no pair moves between),
    the statistic uses its Moore–Penrose generalised inverse and ``dof`` is its rank:
    the sum of the tests within each group of connected choices. With no change at all
    (rank 0) there is nothing to test: ``None`` numbers, caveat "singular_covariance".
    """
    from scipy import special

    t = np.asarray(table, dtype=np.float64)
    used = (t.sum(axis=0) + t.sum(axis=1)) > 0
    kept = tuple(int(i) for i in np.flatnonzero(used))
    if t.sum() == 0:
        return MarginalHomogeneity(None, None, None, kept, ("no_pairs",))
    if len(kept) < 2:
        return MarginalHomogeneity(None, None, None, kept, ("single_category",))

    t = t[np.ix_(used, used)]
    rows, cols = t.sum(axis=1), t.sum(axis=0)
    # One category is redundant (margins sum to n); drop the last.
    d = (rows - cols)[:-1]
    cov = -(t + t.T)[:-1, :-1]
    np.fill_diagonal(cov, (rows + cols - 2 * np.diag(t))[:-1])
    full = len(kept) - 1
    rank = int(np.linalg.matrix_rank(cov))
    if rank == 0:
        return MarginalHomogeneity(None, full, None, kept, ("singular_covariance",))
    if rank < full:
        # d lies in the covariance's column space (its entries sum to zero over each
        # group of connected choices), so d' V⁺ d is the same for every g-inverse.
        statistic = float(d @ np.linalg.pinv(cov) @ d)
        warnings: tuple[str, ...] = ("generalised_inverse",)
    else:
        statistic = float(d @ np.linalg.solve(cov, d))
        warnings = ()
    p = float(special.chdtrc(rank, statistic))
    return MarginalHomogeneity(statistic, rank, p, kept, warnings)


@dataclass(frozen=True)
class McNemarResult:
    """Exact McNemar test of a 2 × 2 paired table: binomial test of b against c.

    ``b`` counts pairs moving from the first choice to the second, ``c`` the reverse.
    """

    b: int
    c: int
    p: float


def mcnemar_exact(table: ArrayLike) -> McNemarResult:
    """Exact two-sided McNemar p of a 2 × 2 table: 2 · P(X ≤ min(b, c)), X ~ Bin(b + c, ½).

    As statsmodels' ``mcnemar(exact=True)``; with no discordant pair p = 1.
    """
    from scipy import special

    t = np.asarray(table, dtype=np.int64).reshape(2, 2)
    b, c = int(t[0, 1]), int(t[1, 0])
    if b + c == 0:
        return McNemarResult(b, c, 1.0)
    p = 2.0 * float(special.bdtr(min(b, c), b + c, 0.5))
    return McNemarResult(b, c, min(p, 1.0))


def wilcoxon_from_table(table: ArrayLike, scores: ArrayLike) -> SignedRank:
    """Two-sided Wilcoxon signed-rank test of the differences a k × k table implies.

    Zero differences are dropped ("wilcox"), as ``scipy.stats.wilcoxon(d)`` does by
    default on the difference vector ``d`` the table implies (computed without
    expanding it). Up to ``WILCOXON_EXACT_MAX_N`` non-zero differences the p is exact:
    the distribution of R+ over every sign flip, conditional on the tied mid-ranks
    (scipy's default switches to an approximation with ties or zeros); above, the
    normal approximation with tie correction and no continuity correction, as scipy.
    """
    from scipy import special

    t = np.asarray(table, dtype=np.int64)
    s = np.asarray(scores, dtype=np.float64)
    diff = (s[None, :] - s[:, None]).ravel()
    weight = t.ravel()
    n_total = int(weight.sum())
    # Rounding merges differences equal up to float noise (e.g. 0.3 - 0.1 vs 0.2).
    diff = np.round(diff, 9)
    nonzero = (weight > 0) & (diff != 0)
    diff, weight = diff[nonzero], weight[nonzero]
    n = int(weight.sum())
    if n == 0:
        reason = "no_pairs" if n_total == 0 else "no_nonzero_differences"
        return SignedRank(None, None, 0, None, None, (reason,))

    # Average ranks of |d| from group sizes: ties share the mean of their positions.
    magnitudes, group = np.unique(np.abs(diff), return_inverse=True)
    group_size = np.bincount(group, weights=weight, minlength=magnitudes.size)
    upper = np.cumsum(group_size)
    group_rank = upper - (group_size - 1) / 2.0
    rank = group_rank[group]
    r_plus = float((weight * rank)[diff > 0].sum())
    r_minus = float((weight * rank)[diff < 0].sum())
    # Exact over the 2^n sign flips, conditional on the tied ranks, whatever the number
    # of zeros (they are dropped before ranking and do not change the distribution).
    method = "exact" if n <= WILCOXON_EXACT_MAX_N else "normal"

    if method == "exact":
        p = _signed_rank_exact_p(group_rank, group_size, r_plus)
    else:
        mean = n * (n + 1) / 4.0
        tie_correction = float((group_size**3 - group_size).sum())
        se = math.sqrt((n * (n + 1) * (2 * n + 1) - tie_correction / 2.0) / 24.0)
        z = (r_plus - mean) / se
        p = float(2.0 * special.ndtr(-abs(z)))
    p = min(p, 1.0)
    return SignedRank(
        statistic=min(r_plus, r_minus),
        p=p,
        n_nonzero=n,
        rank_biserial=(r_plus - r_minus) / (r_plus + r_minus),
        method=method,
        warnings=(),
    )


def _signed_rank_exact_p(group_rank: np.ndarray, group_size: np.ndarray, r_plus: float) -> float:
    """Two-sided p of R+ under random signs, by convolution over the (tied) ranks.

    Ranks are doubled so that average ranks (halves) become integers; the distribution
    of 2·R+ is then built one difference at a time: each adds 0 or its doubled rank with
    probability ½.
    """
    ranks = np.repeat(np.rint(2 * group_rank).astype(np.int64), group_size.astype(np.int64))
    dist = np.zeros(int(ranks.sum()) + 1)
    dist[0] = 1.0
    for r in ranks:
        shifted = np.zeros_like(dist)
        shifted[r:] = dist[: dist.size - r]
        dist = 0.5 * (dist + shifted)
    observed = round(2 * r_plus)
    lower = float(dist[: observed + 1].sum())
    upper = float(dist[observed:].sum())
    return 2.0 * min(lower, upper)


# ---------------------------------------------------------------------------
# Multiple comparisons
# ---------------------------------------------------------------------------


def benjamini_hochberg(p_values: Sequence[float | None]) -> list[float | None]:
    """Benjamini–Hochberg adjusted p-values; ``None`` (or NaN) entries stay ``None``.

    The false discovery rate is controlled over the p-values present only.
    """
    present = [i for i, p in enumerate(p_values) if p is not None and not math.isnan(p)]
    adjusted: list[float | None] = [None] * len(p_values)
    if not present:
        return adjusted
    values = np.array([p_values[i] for i in present], dtype=np.float64)
    m = values.size
    order = np.argsort(values, kind="stable")
    scaled = values[order] * m / np.arange(1, m + 1)
    # Step-up: each adjusted p is the smallest scaled p at or above its rank.
    monotone = np.minimum.accumulate(scaled[::-1])[::-1]
    result = np.empty(m)
    result[order] = np.minimum(monotone, 1.0)
    for i, value in zip(present, result, strict=True):
        adjusted[i] = float(value)
    return adjusted
