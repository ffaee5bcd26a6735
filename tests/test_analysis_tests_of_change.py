"""Tests of change, each checked against scipy/statsmodels on the raw table or a textbook value."""

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.contingency_tables import SquareTable, Table, mcnemar
from statsmodels.stats.multitest import multipletests

from analysis.tests_of_change import (
    benjamini_hochberg,
    change_verdict,
    compare_independent,
    compare_paired,
    fisher_exact_2x2,
    mcnemar_exact,
    significance_label,
    stuart_maxwell,
    verdict_disagreement,
    wilcoxon_from_table,
)

SEED_TABLE = [[7, 29], [39, 24], [7, 3]]  # formats.md, "Reference figure"

# Stuart (1955): unaided distance vision of 7,477 women, right eye (rows) × left eye.
STUART_VISION = [
    [1520, 266, 124, 66],
    [234, 1512, 432, 78],
    [117, 362, 1772, 205],
    [36, 82, 179, 492],
]


def pairs_table(a, b, k):
    """k × k transition table from raw choice indices in wave a and wave b."""
    table = np.zeros((k, k), dtype=np.int64)
    np.add.at(table, (np.asarray(a), np.asarray(b)), 1)
    return table


def random_pairs(seed, n, scores, drift=0.3):
    """Raw paired choice indices, wave b a little better on average."""
    rng = np.random.default_rng(seed)
    k = len(scores)
    a = rng.integers(0, k, n)
    b = np.clip(a + rng.choice([-1, 0, 0, 1, 1], n) + (rng.random(n) < drift), 0, k - 1)
    return a, b


# --- significance labels ---------------------------------------------------


@pytest.mark.parametrize(
    ("p", "label"),
    [
        (0.0, "TS"),
        (0.0099, "TS"),
        (0.01, "S"),
        (0.0499, "S"),
        (0.05, "PS"),
        (0.1499, "PS"),
        (0.15, "NS"),
        (1.0, "NS"),
        (None, None),
    ],
)
def test_significance_labels_follow_the_survey_thresholds(p, label):
    assert significance_label(p) == label


# --- independent samples ---------------------------------------------------


def test_it_reproduces_the_seed_chi_square():
    result = compare_independent(SEED_TABLE)
    assert round(result.chi2, 4) == 18.5474
    assert result.dof == 2
    assert result.p == pytest.approx(9.386e-05, rel=1e-3)
    assert result.significance == "TS"


def test_it_marks_the_seed_cells_over_and_under():
    result = compare_independent(SEED_TABLE)
    assert result.cells == (("under", "over"), ("over", "under"), (None, None))


def test_its_chi_square_matches_scipy_without_continuity_correction():
    table = np.array([[12, 30], [25, 18]])
    reference = stats.chi2_contingency(table, correction=False)
    result = compare_independent(table)
    assert result.chi2 == pytest.approx(reference.statistic, rel=1e-12)
    assert result.p == pytest.approx(reference.pvalue, rel=1e-10)
    assert result.dof == reference.dof
    assert result.min_expected == pytest.approx(reference.expected_freq.min())


def test_its_cell_marks_follow_statsmodels_adjusted_residuals():
    table = np.array([[20, 5], [10, 12], [3, 18], [9, 10]])
    residuals = Table(table).standardized_resids
    expected = np.where(residuals > 1.96, "over", np.where(residuals < -1.96, "under", None))
    result = compare_independent(table)
    assert [list(row) for row in result.cells] == expected.tolist()


def test_its_cramers_v_matches_scipy():
    table = np.array([[20, 5], [10, 12], [3, 18]])
    result = compare_independent(table)
    assert result.cramers_v == pytest.approx(
        stats.contingency.association(table, method="cramer", correction=False)
    )


def test_it_leaves_out_choices_nobody_chose_in_either_wave():
    result = compare_independent([[7, 29], [0, 0], [39, 24], [7, 3], [0, 0]])
    assert result.kept == (0, 2, 3)
    assert round(result.chi2, 4) == 18.5474
    assert result.dof == 2


def test_it_warns_about_a_small_expected_count_and_gives_fishers_p():
    table = np.array([[1, 9], [8, 3]])
    result = compare_independent(table)
    assert "expected_below_5" in result.warnings
    assert result.min_expected < 5
    assert result.fisher_p == pytest.approx(stats.fisher_exact(table).pvalue, rel=1e-9)


@pytest.mark.parametrize(
    "table",
    [
        [[3, 1], [1, 3]],
        [[0, 5], [5, 0]],
        [[10, 10], [10, 10]],
        [[2, 7], [8, 2]],
        [[1, 0], [0, 0]],
        [[120, 80], [95, 130]],
        [[5, 0], [5, 1]],
    ],
)
def test_its_fisher_p_matches_scipy(table):
    assert fisher_exact_2x2(table) == pytest.approx(stats.fisher_exact(table).pvalue, rel=1e-9)


def test_it_gives_no_fisher_p_beyond_two_choices():
    assert compare_independent(SEED_TABLE).fisher_p is None


def test_it_gives_no_chi_square_for_a_single_category():
    result = compare_independent([[10, 12], [0, 0], [0, 0]])
    assert (result.chi2, result.p, result.significance) == (None, None, None)
    assert result.warnings == ("single_category",)
    assert result.cells == ((None, None),)


def test_it_gives_no_chi_square_when_a_wave_is_empty():
    result = compare_independent([[10, 0], [4, 0]])
    assert result.chi2 is None
    assert result.warnings == ("empty_wave",)
    assert result.n == (14, 0)


def test_it_gives_no_chi_square_when_nobody_answered():
    result = compare_independent(np.zeros((3, 2), dtype=int))
    assert result.chi2 is None
    assert result.kept == ()
    assert result.warnings == ("no_answers",)


# --- paired samples: Stuart–Maxwell -----------------------------------------


def test_it_reproduces_stuarts_vision_statistic():
    result = stuart_maxwell(STUART_VISION)
    assert round(result.statistic, 2) == 11.96
    assert result.dof == 3
    assert result.p == pytest.approx(stats.chi2.sf(result.statistic, 3), rel=1e-10)


def test_its_stuart_maxwell_matches_statsmodels():
    reference = SquareTable(np.array(STUART_VISION), shift_zeros=False).homogeneity(
        method="stuart_maxwell"
    )
    result = stuart_maxwell(STUART_VISION)
    assert result.statistic == pytest.approx(reference.statistic, rel=1e-10)
    assert result.p == pytest.approx(reference.pvalue, rel=1e-8)


def test_its_stuart_maxwell_leaves_out_choices_no_pair_used():
    table = np.array([[10, 4, 0, 2], [1, 12, 0, 6], [0, 0, 0, 0], [3, 2, 0, 9]])
    reduced = table[np.ix_([0, 1, 3], [0, 1, 3])]
    reference = SquareTable(reduced, shift_zeros=False).homogeneity(method="stuart_maxwell")
    result = stuart_maxwell(table)
    assert result.kept == (0, 1, 3)
    assert result.dof == 2
    assert result.statistic == pytest.approx(reference.statistic, rel=1e-10)


def test_its_stuart_maxwell_is_none_when_everyone_keeps_their_answer():
    result = stuart_maxwell(np.diag([5, 8, 3]))
    assert result.statistic is None
    assert result.p is None
    assert result.warnings == ("singular_covariance",)


def test_its_stuart_maxwell_is_none_when_everyone_gives_the_same_answer_twice():
    result = stuart_maxwell([[0, 0, 0], [0, 9, 0], [0, 0, 0]])
    assert result.statistic is None
    assert result.dof is None
    assert result.warnings == ("single_category",)


def test_its_stuart_maxwell_on_two_choices_is_mcnemars_test():
    table = np.array([[0, 0, 0], [0, 4, 9], [0, 2, 0]])
    reference = mcnemar(table[1:, 1:], exact=False, correction=False)
    result = stuart_maxwell(table)
    assert result.dof == 1
    assert result.statistic == pytest.approx(reference.statistic)
    assert result.p == pytest.approx(reference.pvalue)


# --- paired samples: counts and Wilcoxon ------------------------------------


def test_it_counts_improved_stable_and_worsened_with_shared_scores_as_stable():
    scores = np.array([1.0, 2.0, 2.0, 3.0])  # two choices share score 2
    a = np.array([0, 1, 2, 1, 3, 3, 0, 2])
    b = np.array([1, 2, 1, 1, 0, 3, 0, 3])
    diff = scores[b] - scores[a]
    result = compare_paired(pairs_table(a, b, 4), scores)
    assert result.n == 8
    assert result.improved == int((diff > 0).sum())
    assert result.stable == int((diff == 0).sum())
    assert result.worsened == int((diff < 0).sum())
    assert result.mean_difference == pytest.approx(diff.mean())


def test_its_wilcoxon_matches_scipy_with_zeros_and_ties():
    scores = np.array([1.0, 2.0, 3.0, 4.0])
    a, b = random_pairs(1, 120, scores)
    diff = scores[b] - scores[a]
    assert (diff == 0).any()
    assert len(np.unique(np.abs(diff[diff != 0]))) < (diff != 0).sum()
    reference = stats.wilcoxon(diff, zero_method="wilcox")
    result = wilcoxon_from_table(pairs_table(a, b, 4), scores)
    assert result.statistic == pytest.approx(reference.statistic)
    assert result.p == pytest.approx(reference.pvalue, rel=1e-9)
    assert result.method == "normal"


def test_its_wilcoxon_matches_scipys_exact_test_without_ties():
    scores = np.arange(-20.0, 21.0)  # choice k scores k - 20
    diff = np.array([1, -2, 3, 4, 5, -6, 7, 8, 9, 10, 11, -12, 13, 14, 15])
    table = pairs_table(np.full(diff.size, 20), 20 + diff, scores.size)
    reference = stats.wilcoxon(diff)
    result = wilcoxon_from_table(table, scores)
    assert result.method == "exact"
    assert result.statistic == pytest.approx(reference.statistic)
    assert result.p == pytest.approx(reference.pvalue, rel=1e-9)


def test_its_wilcoxon_matches_scipy_on_a_small_sample_with_zeros_and_ties():
    scores = np.array([1.0, 2.0, 3.0, 4.0])
    a = np.array([0, 0, 1, 1, 2, 0, 1, 3, 2, 0, 1, 2])
    b = np.array([1, 2, 2, 3, 3, 0, 1, 2, 3, 3, 2, 2])
    diff = scores[b] - scores[a]
    reference = stats.wilcoxon(diff)  # scipy enumerates the sign flips here
    result = wilcoxon_from_table(pairs_table(a, b, 4), scores)
    assert result.statistic == pytest.approx(reference.statistic)
    assert result.p == pytest.approx(reference.pvalue, rel=1e-9)


def test_its_rank_biserial_matches_the_signed_ranks_of_the_differences():
    scores = np.array([1.0, 2.0, 3.0, 4.0])
    a, b = random_pairs(7, 60, scores)
    diff = scores[b] - scores[a]
    nonzero = diff[diff != 0]
    ranks = stats.rankdata(np.abs(nonzero))
    expected = (ranks[nonzero > 0].sum() - ranks[nonzero < 0].sum()) / ranks.sum()
    result = wilcoxon_from_table(pairs_table(a, b, 4), scores)
    assert result.rank_biserial == pytest.approx(expected)
    assert result.n_nonzero == nonzero.size


def test_its_wilcoxon_is_none_when_nobody_changed_score():
    result = wilcoxon_from_table([[3, 0], [0, 4]], [1.0, 2.0])
    assert result.statistic is None
    assert result.p is None
    assert result.warnings == ("no_nonzero_differences",)


def test_it_never_raises_on_an_empty_paired_table():
    result = compare_paired(np.zeros((3, 3), dtype=int), [1.0, 2.0, 3.0])
    assert (result.n, result.improved, result.stable, result.worsened) == (0, 0, 0, 0)
    assert result.mean_difference is None
    assert result.marginal_homogeneity.statistic is None
    assert result.wilcoxon.p is None
    assert "no_pairs" in result.warnings


# --- multiple comparisons --------------------------------------------------


def test_benjamini_hochberg_matches_statsmodels():
    p = [0.001, 0.04, 0.03, 0.2, 0.5, 0.04, 0.0001, 0.9]
    expected = multipletests(p, method="fdr_bh")[1]
    assert benjamini_hochberg(p) == pytest.approx(list(expected), rel=1e-12)


def test_benjamini_hochberg_leaves_missing_p_values_missing():
    p = [0.01, None, 0.04, float("nan"), 0.03]
    expected = multipletests([0.01, 0.04, 0.03], method="fdr_bh")[1]
    adjusted = benjamini_hochberg(p)
    assert adjusted[1] is None
    assert adjusted[3] is None
    assert [adjusted[0], adjusted[2], adjusted[4]] == pytest.approx(list(expected))


def test_benjamini_hochberg_of_nothing_is_nothing():
    assert benjamini_hochberg([None, None]) == [None, None]
    assert benjamini_hochberg([]) == []


# --- exact p for sparse independent tables (issue 11.2) ----------------------


def test_a_sparse_two_by_two_table_is_labelled_from_fishers_p():
    table = np.array([[1, 7], [6, 4]])  # chi-square p 0.040 (S), Fisher 0.066 (PS)
    result = compare_independent(table)
    assert result.significance == significance_label(
        stats.chi2_contingency(table, correction=False).pvalue
    )
    assert result.significance == "S"
    assert result.exact_method == "fisher"
    assert result.exact_p == pytest.approx(stats.fisher_exact(table).pvalue, rel=1e-9)
    assert result.significance_shown == significance_label(stats.fisher_exact(table).pvalue)
    assert result.significance_shown == "PS"


def test_a_table_with_large_expected_counts_has_no_exact_p_and_shows_pearsons_label():
    result = compare_independent([[12, 30], [25, 18], [14, 9]])
    assert result.min_expected >= 5
    assert result.exact_p is None
    assert result.exact_method is None
    assert result.significance_shown == result.significance == "TS"


def exact_conditional_chi2_p(table):
    """Exact p of Pearson's chi-square for a k × 2 table: every table with the same
    margins (multivariate hypergeometric column 1), weighted by its probability."""
    import itertools

    from scipy.special import comb

    table = np.asarray(table)
    rows, n1 = table.sum(axis=1), int(table[:, 0].sum())
    observed = stats.chi2_contingency(table, correction=False).statistic
    total_ways = comb(rows.sum(), n1, exact=True)
    p = 0
    for first in itertools.product(*(range(r + 1) for r in rows)):
        if sum(first) != n1:
            continue
        candidate = np.column_stack([first, rows - np.array(first)])
        ways = np.prod([comb(r, f, exact=True) for r, f in zip(rows, first, strict=True)])
        chi2 = stats.chi2_contingency(candidate, correction=False).statistic
        if chi2 >= observed - 1e-9:
            p += ways
    return p / total_ways


def test_a_sparse_larger_table_gets_a_monte_carlo_p_within_its_error_of_the_exact_p():
    table = np.array([[1, 5], [6, 2], [2, 4]])
    exact = exact_conditional_chi2_p(table)
    result = compare_independent(table)
    assert result.exact_method == "monte_carlo"
    # 9,999 resamples: standard error sqrt(p(1-p)/9999) < 0.005; allow 4 of them.
    assert abs(result.exact_p - exact) < 4 * np.sqrt(exact * (1 - exact) / 9_999)
    assert result.significance_shown == significance_label(result.exact_p)


def test_the_monte_carlo_p_agrees_with_scipys_monte_carlo_within_their_errors():
    table = np.array([[3, 1], [10, 12], [2, 0], [30, 25], [0, 4]])
    reference = stats.chi2_contingency(
        table,
        correction=False,
        method=stats.MonteCarloMethod(n_resamples=99_999, rng=np.random.default_rng(1)),
    ).pvalue
    result = compare_independent(table)
    assert result.exact_method == "monte_carlo"
    error = np.sqrt(reference * (1 - reference) * (1 / 9_999 + 1 / 99_999))
    assert abs(result.exact_p - reference) < 4 * error


def test_the_monte_carlo_p_is_the_same_every_time():
    table = np.array([[1, 5], [6, 2], [2, 4]])
    assert compare_independent(table).exact_p == compare_independent(table).exact_p


# --- exact McNemar -----------------------------------------------------------


@pytest.mark.parametrize("table", [[[10, 7], [1, 12]], [[5, 0], [0, 5]], [[0, 30], [22, 0]]])
def test_exact_mcnemar_matches_statsmodels(table):
    result = mcnemar_exact(table)
    assert (result.b, result.c) == (table[0][1], table[1][0])
    assert result.p == pytest.approx(mcnemar(np.array(table), exact=True).pvalue, rel=1e-12)


def test_a_two_choice_item_rests_its_verdict_on_exact_mcnemar():
    scores = np.array([0.0, 1.0])
    table = np.array([[4, 9], [2, 6]])  # 9 improved, 2 worsened
    result = compare_paired(table, scores)
    assert result.test == "mcnemar_exact"
    assert result.p == pytest.approx(mcnemar(table, exact=True).pvalue, rel=1e-12)
    assert result.direction == 1


def test_a_scale_of_more_choices_rests_its_verdict_on_wilcoxon():
    scores = np.array([1.0, 2.0, 3.0])
    table = np.array([[1, 3, 2], [0, 2, 4], [1, 0, 3]])
    result = compare_paired(table, scores)
    assert result.mcnemar is None
    assert result.test == "wilcoxon"
    assert result.p == result.wilcoxon.p
    assert result.direction == 1


def test_pairs_who_all_kept_their_score_give_the_verdict_test_p_one():
    result = compare_paired(np.diag([4, 5, 6]), [1.0, 2.0, 3.0])
    assert result.wilcoxon.p is None
    assert result.p == 1.0


# --- Stuart–Maxwell with a singular covariance -------------------------------


def test_stuart_maxwell_with_a_choice_only_ever_kept_is_the_test_without_it():
    # Choice 0 is only ever kept: its variance is zero and the covariance singular.
    table = np.array([[6, 0, 0, 0], [0, 10, 7, 2], [0, 1, 8, 3], [0, 4, 1, 9]])
    sub = table[1:, 1:]
    reference = SquareTable(sub, shift_zeros=False).homogeneity(method="stuart_maxwell")
    result = stuart_maxwell(table)
    assert result.statistic == pytest.approx(reference.statistic, rel=1e-9)
    assert result.dof == reference.df == 2
    assert result.p == pytest.approx(reference.pvalue, rel=1e-8)
    assert "generalised_inverse" in result.warnings


def test_stuart_maxwell_over_two_unconnected_groups_of_choices_adds_their_tests():
    # Nobody moves between {0, 1} and {2, 3}: two McNemar tests, one degree of freedom each.
    table = np.array([[5, 9, 0, 0], [2, 7, 0, 0], [0, 0, 4, 1], [0, 0, 8, 6]])
    first = mcnemar(table[:2, :2], exact=False, correction=False).statistic
    second = mcnemar(table[2:, 2:], exact=False, correction=False).statistic
    result = stuart_maxwell(table)
    assert result.statistic == pytest.approx(first + second, rel=1e-9)
    assert result.dof == 2
    assert result.p == pytest.approx(stats.chi2.sf(first + second, 2), rel=1e-9)


# --- Wilcoxon: exact with ties and zeros -------------------------------------


def differences_table(diff, scores):
    """A transition table whose score differences are ``diff`` (scores = 0, 1, ..., k-1)."""
    diff = np.asarray(diff, dtype=int)
    start = np.where(diff < 0, -diff, 0)
    return pairs_table(start, start + diff, len(scores))


def test_wilcoxon_without_ties_matches_scipys_exact_test():
    scores = np.arange(0.0, 41.0)
    diff = np.array([1, -2, 3, 4, 5, -6, 7, 8, 9, 10, 11, -12, 13, 14, 15, 16, 17, -18, 19, 20])
    result = wilcoxon_from_table(differences_table(diff, scores), scores)
    reference = stats.wilcoxon(diff, method="exact")
    assert result.method == "exact"
    assert result.p == pytest.approx(reference.pvalue, rel=1e-9)


def test_wilcoxon_with_ties_and_many_zeros_is_exact_over_sign_flips():
    scores = np.arange(0.0, 5.0)
    diff = np.array([1, 1, 1, 2, 2, -1, 3, 1, -2, 1, 2, 3, 1, -1, 2, 4] + [0] * 30)
    nonzero = diff[diff != 0]
    ranks = stats.rankdata(np.abs(nonzero))

    def r_plus(signed):
        return ranks[signed > 0].sum()

    # Every one of the 2^16 sign flips of the non-zero differences.
    reference = stats.permutation_test(
        (nonzero,), r_plus, permutation_type="samples", n_resamples=np.inf
    )
    result = wilcoxon_from_table(differences_table(diff, scores), scores)
    assert result.method == "exact"
    assert result.p == pytest.approx(reference.pvalue, rel=1e-9)


def test_wilcoxon_on_two_non_zero_pairs_gives_one_half():
    scores = np.arange(0.0, 4.0)
    result = wilcoxon_from_table(differences_table([1, 2, 0, 0, 0, 0], scores), scores)
    assert result.method == "exact"
    assert result.p == pytest.approx(0.5)


def test_wilcoxon_above_fifty_non_zero_differences_uses_the_normal_approximation():
    scores = np.arange(0.0, 4.0)
    diff = np.array([1, 2, -1, 3, 1] * 11)
    result = wilcoxon_from_table(differences_table(diff, scores), scores)
    reference = stats.wilcoxon(diff, method="asymptotic")
    assert result.method == "normal"
    assert result.p == pytest.approx(reference.pvalue, rel=1e-9)


# --- verdicts ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "p_adjusted", "direction", "verdict"),
    [
        (4, 0.001, 1, "too_few"),
        (30, None, 0, "too_few"),
        (30, 0.049, 1, "progress"),
        (30, 0.049, -1, "decline"),
        (30, 0.05, 1, "no_change_detected"),
        (5, 0.9, -1, "no_change_detected"),
    ],
)
def test_the_verdict_follows_pairs_adjusted_p_and_direction(n, p_adjusted, direction, verdict):
    assert change_verdict(n=n, p_adjusted=p_adjusted, direction=direction) == verdict


@pytest.mark.parametrize(
    ("verdict", "shown", "disagreement"),
    [
        ("no_change_detected", "TS", "composition"),
        ("too_few", "S", "composition"),
        ("progress", "NS", "paired_only"),
        ("decline", "PS", "paired_only"),
        ("progress", "TS", None),
        ("no_change_detected", "NS", None),
        ("no_change_detected", None, None),
    ],
)
def test_a_disagreement_between_table_and_verdict_is_named(verdict, shown, disagreement):
    assert verdict_disagreement(verdict=verdict, significance_shown=shown) == disagreement


@pytest.mark.parametrize(("verdict", "direction"), [("decline", 1), ("progress", -1)])
def test_a_table_moving_against_the_verdict_is_a_composition_effect(verdict, direction):
    assert (
        verdict_disagreement(verdict=verdict, significance_shown="TS", table_direction=direction)
        == "composition"
    )
