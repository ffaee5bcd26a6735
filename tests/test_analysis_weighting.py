"""Inverse-probability weighting (sensitivity of the paired evolution to drop-out), against
statsmodels (Logit, DescrStatsW) and against cases where the true change is known."""

import dataclasses

import numpy as np
import pytest
import statsmodels.api as sm
from statsmodels.stats.weightstats import DescrStatsW

from analysis.report import report_build
from analysis.synthetic import item_meta, survey_data_build
from analysis.weighting import (
    covariates_build,
    logistic_fit,
    response_weights,
    weighted_mean_change,
)


def population(n=3000, seed=1, selective=True):
    """Baseline score s; change = 1 − 0.6·s + noise, so low starters gain more; the true mean
    change is known for everyone. With ``selective``, high starters answer far more often."""
    rng = np.random.default_rng(seed)
    s = rng.normal(0.0, 1.0, n)
    change = 1.0 - 0.6 * s + rng.normal(0.0, 0.5, n)
    p_answer = 1.0 / (1.0 + np.exp(-1.5 * s)) if selective else np.full(n, 0.5)
    answered = rng.random(n) < p_answer
    return s, change, answered


def test_the_logistic_fit_matches_statsmodels_logit():
    rng = np.random.default_rng(2)
    x = np.column_stack([rng.normal(size=500), rng.random(500) < 0.3])
    y = rng.random(500) < 1 / (1 + np.exp(-(0.3 + 0.8 * x[:, 0] - 0.5 * x[:, 1])))
    expected = sm.Logit(y.astype(float), sm.add_constant(x.astype(float))).fit(disp=0)
    fit = logistic_fit(design=x, outcome=y)
    assert fit.converged
    assert fit.coefficients == pytest.approx(expected.params, rel=1e-7)
    assert fit.probabilities == pytest.approx(expected.predict(), rel=1e-7)


def test_the_weighted_change_is_statsmodels_weighted_mean_with_the_same_weights():
    s, change, answered = population()
    design = covariates_build(scores=s[:, None], segments={}, max_columns=5)
    weights = response_weights(design=design, answered=answered)
    result = weighted_mean_change(change=np.where(answered, change, np.nan), weights=weights)

    p = sm.Logit(answered.astype(float), sm.add_constant(s)).fit(disp=0).predict()
    expected = DescrStatsW(change[answered], weights=1.0 / p[answered]).mean
    assert result.mean_difference == pytest.approx(expected, rel=1e-9)
    assert result.unweighted_mean_difference == pytest.approx(change[answered].mean())
    assert result.n == int(answered.sum())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_drop_out_leaves_the_weighted_change_close_to_the_plain_one(seed):
    s, change, answered = population(seed=seed, selective=False)
    weights = response_weights(
        design=covariates_build(scores=s[:, None], segments={}, max_columns=5), answered=answered)
    result = weighted_mean_change(change=np.where(answered, change, np.nan), weights=weights)
    standard_error = change[answered].std(ddof=1) / np.sqrt(answered.sum())
    # Within chance of each other; weighting only evens out the chance imbalance of s.
    assert abs(result.mean_difference - result.unweighted_mean_difference) < 2 * standard_error
    assert abs(result.mean_difference - change.mean()) < 2 * standard_error


def test_selective_drop_out_is_corrected_towards_the_known_true_change():
    s, change, answered = population()
    truth = change.mean()
    weights = response_weights(
        design=covariates_build(scores=s[:, None], segments={}, max_columns=5), answered=answered)
    result = weighted_mean_change(change=np.where(answered, change, np.nan), weights=weights)
    plain_error = abs(result.unweighted_mean_difference - truth)
    assert plain_error > 0.3  # those who stayed started high, so gained less
    assert abs(result.mean_difference - truth) < plain_error / 4


def test_separated_groups_give_no_weights_but_a_warning():
    s = np.linspace(-2, 2, 100)
    weights = response_weights(design=s[:, None], answered=s > 0)
    assert weights.weights is None
    assert weights.warnings == ("separation",)
    result = weighted_mean_change(change=np.where(s > 0, 1.0, np.nan), weights=weights)
    assert result.mean_difference is None
    assert result.warnings == ("separation",)


def test_fewer_than_twenty_leavers_give_no_weights_but_a_warning():
    rng = np.random.default_rng(0)
    answered = np.arange(100) >= 15
    weights = response_weights(design=rng.normal(size=(100, 1)), answered=answered)
    assert weights.weights is None
    assert weights.warnings == ("too_few_for_weighting",)


def test_nobody_missing_gives_the_plain_change():
    weights = response_weights(design=np.zeros((10, 1)), answered=np.ones(10, dtype=bool))
    result = weighted_mean_change(change=np.arange(10.0), weights=weights)
    assert result.mean_difference == result.unweighted_mean_difference == 4.5


def test_the_design_keeps_frequent_segment_levels_within_its_column_budget():
    segment = np.array(["a"] * 50 + ["b"] * 30 + ["c"] * 15 + ["d"] * 5)
    scores = np.column_stack([np.arange(100.0), np.full(100, 2.0)])  # second one constant
    design = covariates_build(scores=scores, segments={"programme": segment}, max_columns=3)
    assert design.shape == (100, 3)  # the score, then "b" and "c" ("a" is the reference)
    assert design[:, 0].mean() == pytest.approx(0.0)
    assert (design[:, 1] == (segment == "b")).all()
    assert (design[:, 2] == (segment == "c")).all()
    assert covariates_build(scores=scores, segments={"programme": segment},
                            max_columns=2).shape == (100, 2)


def test_the_design_fills_a_missing_score_with_the_mean():
    design = covariates_build(scores=np.array([[1.0], [np.nan], [3.0]]), segments={},
                              max_columns=4)
    assert design[1, 0] == pytest.approx(0.0)


# --- in the report ----------------------------------------------------------------------


SCORE = {"A": 3.0, "B": 2.0, "C": 1.0}


def full_rows(n=800, seed=5):
    """Everyone answers both waves on four items of one dimension; low starters gain more."""
    rng = np.random.default_rng(seed)
    codes = {3: "A", 2: "B", 1: "C"}
    rows = []
    for b in range(n):
        start = int(rng.integers(1, 4))
        gain = {1: 2, 2: 1, 3: 0}[start] if rng.random() < 0.7 else 0
        rows.append((b, 1, "2024-01-01", [codes[start]] * 3 + [codes[int(rng.integers(1, 4))]]))
        rows.append((b, 2, "2024-04-01", [codes[start + gain]] * 3 + [codes[start]]))
    return rows


def dimension_comparison(report):
    return report["dimensions"][0]["comparisons"][0]


def test_the_report_re_weights_each_dimension_comparison():
    items = [item_meta(f"Q{i:02d}", dimension="Projet personnel") for i in range(1, 5)]
    rows = full_rows()
    truth = dimension_comparison(report_build(survey_data_build(rows, items=items, waves=(1, 2))))
    assert truth["sensitivity"]["mean_difference"] == truth["mean_difference"]  # nobody left

    # Keep wave 2 mostly for those who started high: the plain evolution now understates.
    rng = np.random.default_rng(6)
    first = {b: answers for b, w, _, answers in rows if w == 1}
    start = {b: np.mean([SCORE[c] for c in a]) for b, a in first.items()}
    keep = {b for b in first if rng.random() < {1: 0.15, 2: 0.5, 3: 0.9}[round(start[b])]}
    selected = [row for row in rows if row[1] == 1 or row[0] in keep]
    report = report_build(survey_data_build(selected, items=items, waves=(1, 2)))
    comparison = dimension_comparison(report)
    sensitivity = comparison["sensitivity"]
    assert sensitivity["method"] == "ipw"
    assert sensitivity["n"] == comparison["n"] == len(keep)
    assert sensitivity["n_due"] == 800
    plain_error = abs(comparison["mean_difference"] - truth["mean_difference"])
    assert plain_error > 0.1
    assert abs(sensitivity["mean_difference"] - truth["mean_difference"]) < plain_error / 2
    assert sensitivity["mean_difference_0_100"] == pytest.approx(
        sensitivity["mean_difference"] / 2 * 100)  # scores span 1 to 3


def test_the_report_sensitivity_is_null_with_a_warning_when_few_left():
    items = [item_meta(f"Q{i:02d}", dimension="Projet personnel") for i in range(1, 5)]
    rows = [row for row in full_rows(n=100) if row[1] == 1 or row[0] >= 10]
    sensitivity = dimension_comparison(
        report_build(survey_data_build(rows, items=items, waves=(1, 2))))["sensitivity"]
    assert sensitivity["mean_difference"] is None
    assert sensitivity["mean_difference_0_100"] is None
    assert sensitivity["warnings"][0]["code"] == "too_few_for_weighting"
    assert sensitivity["warning"]


def test_people_not_yet_due_are_not_in_the_response_model():
    items = [item_meta(f"Q{i:02d}", dimension="Projet personnel") for i in range(1, 5)]
    rows = full_rows(n=100)
    late = [(b + 100, 1, "2024-06-01", answers) for b, w, _, answers in rows if w == 1]
    data = dataclasses.replace(
        survey_data_build(rows + late, items=items, waves=(1, 2)),
        wave_due_after_days=(0, 90), as_of=np.datetime64("2024-06-30"))
    sensitivity = dimension_comparison(report_build(data))["sensitivity"]
    assert sensitivity["n_due"] == 100
    assert sensitivity["mean_difference"] == sensitivity["unweighted_mean_difference"]


def test_a_change_compares_only_items_rated_at_both_waves():
    items = [item_meta(f"Q{i:02d}", dimension="Projet personnel") for i in range(1, 4)]
    rows = [(b, 1, "2024-01-01", ["C", "C", "C"]) for b in range(40)]
    # Wave 2: everyone rates Q01 and Q02 higher; half leave Q03 out, half rate it "A".
    rows += [(b, 2, "2024-04-01", ["B", "B", None if b % 2 else "A"]) for b in range(40)]
    sensitivity = dimension_comparison(
        report_build(survey_data_build(rows, items=items, waves=(1, 2))))["sensitivity"]
    # (1 + 1) / 2 for those without Q03, (1 + 1 + 2) / 3 for the others.
    assert sensitivity["unweighted_mean_difference"] == pytest.approx((1.0 + 4 / 3) / 2)


def test_a_change_needs_two_thirds_of_the_items_rated_at_both_waves():
    items = [item_meta(f"Q{i:02d}", dimension="Projet personnel") for i in range(1, 4)]
    rows = [(b, 1, "2024-01-01", ["C", "C", None if b < 10 else "C"]) for b in range(40)]
    rows += [(b, 2, "2024-04-01", [None if b < 10 else "B", "B", "B"]) for b in range(40)]
    sensitivity = dimension_comparison(
        report_build(survey_data_build(rows, items=items, waves=(1, 2))))["sensitivity"]
    assert sensitivity["n"] == 30  # the first ten rated a single item at both waves


def test_the_design_is_the_same_from_segment_codes_as_from_their_labels():
    segment = np.array(["x"] * 40 + ["y"] * 35 + ["z"] * 25)
    codes = np.unique(segment, return_inverse=True)[1]
    scores = np.arange(100.0)[:, None]
    by_label = covariates_build(scores=scores, segments={"s": segment}, max_columns=5)
    by_code = covariates_build(scores=scores, segments={"s": codes}, max_columns=5)
    assert (by_label == by_code).all()
