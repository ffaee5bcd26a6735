"""Dimension scores and their evolution, checked against scipy on the raw values."""

import math

import numpy as np
import pytest
from scipy import stats

from analysis.dimensions import dimension_scores, mean_interval, paired_evolution
from analysis.synthetic import item_meta, survey_data_build

ITEMS = [
    item_meta("Q01", dimension="Projet personnel"),
    item_meta("Q02", dimension="Mobilité"),
    item_meta("Q03", dimension="Projet personnel"),
]


def test_a_dimension_score_is_the_mean_of_the_scored_items():
    data = survey_data_build(
        [
            (0, 1, "2024-01-10", ["A", "C", "C"]),  # A=3, C=1
            (0, 2, "2024-04-10", ["B", None, "NSP"]),  # NSP skipped
            (1, 2, "2024-04-10", ["NSP", "A", None]),
        ],  # nothing scored in Projet personnel
        items=ITEMS,
        waves=(1, 2),
    )
    dims = dimension_scores(data)
    projet = dims.names.index("Projet personnel")
    assert dims.names == ("Projet personnel", "Mobilité")
    assert dims.items[projet] == (0, 2)
    assert dims.scores[projet, 0, 0] == pytest.approx((3 + 1) / 2)
    assert dims.scores[projet, 0, 1] == pytest.approx(2.0)
    assert math.isnan(dims.scores[projet, 1, 1])
    assert math.isnan(dims.scores[projet, 1, 0])  # no wave-1 response at all


def test_paired_evolution_matches_scipys_paired_t_test():
    rng = np.random.default_rng(3)
    a = rng.normal(2.0, 0.5, 40)
    b = a + rng.normal(0.3, 0.4, 40)
    a[[3, 7]] = np.nan  # dropped pairs
    b[11] = np.nan
    both = ~np.isnan(a) & ~np.isnan(b)
    reference = stats.ttest_rel(b[both], a[both])
    diff = b[both] - a[both]
    half = stats.t.ppf(0.975, diff.size - 1) * stats.sem(diff)

    result = paired_evolution(a, b)
    assert result.n == 37
    assert result.mean_difference == pytest.approx(diff.mean())
    assert result.t == pytest.approx(reference.statistic)
    assert result.p == pytest.approx(reference.pvalue, rel=1e-9)
    assert (result.ci_low, result.ci_high) == pytest.approx(
        (diff.mean() - half, diff.mean() + half)
    )
    assert result.cohens_dz == pytest.approx(diff.mean() / diff.std(ddof=1))


def test_mean_interval_matches_scipys_t_interval():
    values = np.array([2.0, 2.5, np.nan, 3.0, 1.5, 2.25])
    present = values[~np.isnan(values)]
    low, high = stats.t.interval(
        0.95, present.size - 1, loc=present.mean(), scale=stats.sem(present)
    )
    result = mean_interval(values)
    assert result.n == 5
    assert (result.ci_low, result.ci_high) == pytest.approx((low, high))


def test_paired_evolution_of_one_pair_has_no_interval():
    result = paired_evolution([2.0, np.nan], [3.0, 1.0])
    assert (result.n, result.mean_difference) == (1, 1.0)
    assert result.ci_low is None
    assert result.p is None
    assert result.warnings == ("too_few_pairs",)


def test_paired_evolution_without_pairs_is_all_none():
    result = paired_evolution([np.nan], [1.0])
    assert result.n == 0
    assert result.mean_a is None
    assert result.warnings == ("no_pairs",)


def test_paired_evolution_of_identical_changes_has_no_t_test():
    result = paired_evolution([1.0, 2.0, 3.0], [2.0, 3.0, 4.0])
    assert result.mean_difference == pytest.approx(1.0)
    assert result.t is None
    assert result.p is None
    assert result.warnings == ("no_variation",)
