"""Dimension scores and their evolution, checked against scipy on the raw values."""

import math

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from analysis.counting import response_grid
from analysis.dimensions import (
    dimension_paired_scores,
    dimension_scores,
    mean_interval,
    paired_evolution,
)
from analysis.report import report_build
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
    assert math.isnan(dims.scores[projet, 1, 1])
    assert math.isnan(dims.scores[projet, 1, 0])  # no wave-1 response at all


SIX = [item_meta(f"Q{i}", dimension="Estime de soi") for i in range(1, 7)]


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        (["A", "B", "C", "A", None, "NSP"], (3 + 2 + 1 + 3) / 4),  # 4 of 6 rated: enough
        (["A", "B", "C", None, None, "NSP"], None),  # 3 of 6: below two thirds
        (["A", "B", "C", "A", "B", "C"], 2.0),
    ],
)
def test_a_dimension_score_needs_two_thirds_of_its_items_rated(answers, expected):
    data = survey_data_build([(0, 1, "2024-01-10", answers)], items=SIX, waves=(1,))
    score = dimension_scores(data).scores[0, 0, 0]
    if expected is None:
        assert math.isnan(score)
    else:
        assert score == pytest.approx(expected)


def test_a_persons_change_uses_only_the_items_rated_at_both_waves():
    rows = [
        (0, 1, "2024-01-10", ["C", "C", "C", "C", "NSP", "A"]),  # Q5 not rated at wave 1
        (0, 2, "2024-04-10", ["B", "B", "B", "B", "A", None]),  # Q6 not rated at wave 2
        (1, 1, "2024-01-10", ["C", "C", "NSP", "NSP", "C", "C"]),  # 2 items in common
        (1, 2, "2024-04-10", ["A", "NSP", "A", "A", "NSP", "A"]),
    ]
    data = survey_data_build(rows, items=SIX, waves=(1, 2))
    a, b = dimension_paired_scores(data, response_grid(data), (0, 1, 2, 3, 4, 5), 0, 1)
    # Person 0 rated Q1-Q4 at both waves: 1 → 2 on each. Person 1 only Q1 and Q6 (2 of 6).
    assert a.tolist() == [1.0]
    assert b.tolist() == [2.0]


def test_dimension_scores_on_a_scale_of_its_choices():
    data = survey_data_build([(0, 1, "2024-01-10", ["A"] * 6)], items=SIX, waves=(1,))
    assert dimension_scores(data).scale == ((1.0, 3.0),)


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


def test_paired_evolution_of_four_pairs_has_a_test_but_no_interval():
    result = paired_evolution([1.0, 2.0, 2.0, 3.0], [2.0, 2.5, 3.0, 3.0])
    assert result.p == pytest.approx(stats.ttest_rel([2.0, 2.5, 3.0, 3.0], [1, 2, 2, 3]).pvalue)
    assert (result.ci_low, result.ci_high) == (None, None)


def test_paired_evolution_counts_who_improved_stayed_and_worsened():
    result = paired_evolution([1.0, 2.0, 2.0, 3.0, 2.5], [2.0, 2.0, 1.5, 3.0, 3.0])
    assert (result.improved, result.stable, result.worsened) == (2, 2, 1)


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


def test_paired_evolution_of_identical_changes_uses_the_exact_sign_flip_test():
    diff = np.ones(6)
    reference = stats.permutation_test(
        (diff,), np.mean, permutation_type="samples", n_resamples=np.inf
    )
    result = paired_evolution(np.arange(6.0), np.arange(6.0) + diff)
    assert result.mean_difference == pytest.approx(1.0)
    assert result.t is None
    assert (result.ci_low, result.ci_high) == (None, None)  # never an interval of zero width
    assert result.test == "sign_flip"
    assert result.p == pytest.approx(reference.pvalue)
    assert result.warnings == ("no_variation",)


def test_paired_evolution_where_nobody_changed_has_p_one():
    result = paired_evolution([1.0, 2.0, 3.0, 2.0, 1.0], [1.0, 2.0, 3.0, 2.0, 1.0])
    assert result.p == 1.0
    assert (result.improved, result.stable, result.worsened) == (0, 5, 0)


def test_a_mean_of_fewer_than_five_values_has_no_interval():
    result = mean_interval([2.0, 2.5, 3.0, 1.5])
    assert result.mean == pytest.approx(2.25)
    assert (result.ci_low, result.ci_high) == (None, None)


# --- the report's dimensions section ------------------------------------------


def dimension_rows(n, seed=4):
    """Three items of one dimension over waves 1 and 2, scores drifting up, some NSP."""
    rng = np.random.default_rng(seed)
    codes = ["C", "B", "A"]  # scores 1, 2, 3
    rows = []
    for b in range(n):
        level = rng.integers(0, 3)
        for wave in (1, 2):
            answers = [
                "NSP"
                if rng.random() < 0.1
                else codes[min(2, level + (wave == 2) * rng.integers(0, 2))]
                for _ in range(3)
            ]
            rows.append((b, wave, "2024-01-01", answers))
    return rows


THREE = [item_meta(f"Q{i}", dimension="Estime de soi") for i in range(1, 4)]


def dimension_section(rows, **kwargs):
    return report_build(survey_data_build(rows, items=THREE, waves=(1, 2)), **kwargs)["dimensions"][
        0
    ]


def test_the_dimension_section_gives_scores_on_0_100_of_the_scale():
    section = dimension_section(dimension_rows(40))
    comparison = section["comparisons"][0]
    assert section["scale"] == {"min": 1.0, "max": 3.0}
    ma, mb = comparison["mean"]
    assert comparison["mean_0_100"] == pytest.approx([(ma - 1) / 2 * 100, (mb - 1) / 2 * 100])
    assert comparison["mean_difference_0_100"] == pytest.approx(
        comparison["mean_difference"] / 2 * 100
    )
    low, high = comparison["ci"]
    assert comparison["ci_0_100"] == pytest.approx([low / 2 * 100, high / 2 * 100])
    wave = section["waves"][0]
    assert wave["ci_0_100"] == pytest.approx([(c - 1) / 2 * 100 for c in wave["ci"]])


def test_the_improved_and_worsened_shares_have_wilson_intervals():
    comparison = dimension_section(dimension_rows(40))["comparisons"][0]
    for key, count in (("improved_share", "improved"), ("worsened_share", "worsened")):
        low, high = proportion_confint(comparison[count], comparison["n"], method="wilson")
        assert comparison[key]["value"] == pytest.approx(comparison[count] / comparison["n"])
        assert comparison[key]["ci"] == pytest.approx([low, high])
    assert (
        comparison["improved"] + comparison["stable"] + comparison["worsened"] == (comparison["n"])
    )


def test_the_dimension_section_gives_no_interval_below_five_people():
    rows = [r for r in dimension_rows(40) if r[0] < 4] + [
        (b, 1, "2024-01-01", ["A", "A", "A"]) for b in range(4, 10)
    ]
    section = dimension_section(rows)
    comparison = section["comparisons"][0]
    assert comparison["n"] <= 4
    assert comparison["ci"] is None
    assert comparison["ci_0_100"] is None
    assert comparison["improved_share"]["ci"] is None
    assert comparison["verdict"] == "too_few"
    assert section["waves"][1]["ci"] is None


def test_the_dimension_change_matches_scipy_on_items_rated_at_both_waves():
    rows = dimension_rows(40)
    data = survey_data_build(rows, items=THREE, waves=(1, 2))
    scores = {"A": 3.0, "B": 2.0, "C": 1.0}
    by_person = {}
    for b, wave, _, answers in rows:
        by_person.setdefault(b, {})[wave] = answers
    a_scores, b_scores = [], []
    for answers in by_person.values():
        common = [i for i in range(3) if answers[1][i] in scores and answers[2][i] in scores]
        if len(common) >= 2:
            a_scores.append(np.mean([scores[answers[1][i]] for i in common]))
            b_scores.append(np.mean([scores[answers[2][i]] for i in common]))
    reference = stats.ttest_rel(b_scores, a_scores)
    comparison = report_build(data)["dimensions"][0]["comparisons"][0]
    assert comparison["n"] == len(a_scores)
    assert comparison["mean"] == pytest.approx([np.mean(a_scores), np.mean(b_scores)])
    assert comparison["t"] == pytest.approx(reference.statistic)
    assert comparison["p"] == pytest.approx(reference.pvalue)
