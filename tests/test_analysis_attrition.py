"""Attrition: the funnel, who was due for each later wave, what became of those who did not
answer it, whether they had started differently (against scipy), and the power of the pairs
(against statsmodels)."""

import dataclasses
import math

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import TTestIndPower, TTestPower

from analysis.attrition import (
    detectable_difference,
    min_detectable_dz,
    pairs_needed,
    rank_sum_test,
    respondents_funnel,
    sample_power,
    transition_follow_up,
)
from analysis.counting import response_grid
from analysis.report import report_build
from analysis.synthetic import item_meta, survey_data_build


def test_the_funnel_counts_who_answered_every_wave_so_far():
    rows = [(b, 1, "2024-01-01", ["A"]) for b in range(6)]
    rows += [(b, 2, "2024-04-01", ["A"]) for b in (0, 1, 2, 5)]
    rows += [(b, 3, "2024-07-01", ["A"]) for b in (0, 3, 5)]  # 3 skipped wave 2
    rows += [(9, 2, "2024-04-01", ["A"])]  # no wave 1: never in the funnel
    funnel = respondents_funnel(survey_data_build(rows))
    assert funnel == {"1": 6, "1-2": 4, "1-2-3": 2}


def test_the_funnel_of_two_waves_has_two_steps():
    rows = [(0, 1, "2024-01-01", ["A"]), (0, 2, "2024-04-01", ["B"])]
    assert respondents_funnel(survey_data_build(rows, waves=(1, 2))) == {"1": 1, "1-2": 1}


def test_the_smallest_detectable_effect_of_38_pairs_matches_statsmodels():
    expected = TTestPower().solve_power(effect_size=None, nobs=38, alpha=0.05, power=0.8)
    assert min_detectable_dz(38) == pytest.approx(expected, rel=1e-5)
    assert round(min_detectable_dz(38), 2) == 0.47  # ≈ 0.46–0.47 in power tables


@pytest.mark.parametrize("dz", [0.2, 0.3, 0.5, 0.8])
def test_the_pairs_needed_for_an_effect_match_statsmodels(dz):
    expected = TTestPower().solve_power(effect_size=dz, nobs=None, alpha=0.05, power=0.8)
    assert pairs_needed(dz) == math.ceil(expected)


def test_it_says_how_many_more_pairs_a_target_effect_needs():
    power = sample_power(38, target_dz=0.3)
    assert power.pairs_needed == 90
    assert power.pairs_missing == 52
    assert sample_power(120).pairs_missing == 0


def test_no_effect_is_detectable_with_fewer_than_two_pairs():
    assert min_detectable_dz(1) is None
    assert sample_power(0).min_detectable_dz is None


# --- who was due, and what became of those who did not answer ---------------------------


def follow_up_data():
    """40 people; wave 2 due 90 days after wave 1; looked at on 2024-06-30.

    Twenty started on 2024-01-01 (due), twenty on 2024-06-01 (not yet due); ten of the early
    ones answered wave 2, and three of the late ones answered it early. Of the ten early ones
    who did not answer: 3 left for a job, 2 for a training, 1 dropped out, 1 left without a
    reason recorded, 1 leaves after the reference date, 2 are still followed. One late person
    left for a job before being due.
    """
    rows = [(b, 1, "2024-01-01" if b < 20 else "2024-06-01", ["A"]) for b in range(40)]
    rows += [(b, 2, "2024-04-01", ["A"]) for b in range(10)]
    rows += [(b, 2, "2024-06-20", ["A"]) for b in (20, 21, 22)]
    exit_date = np.full(40, np.datetime64("NaT"), dtype="datetime64[D]")
    exit_reason = np.full(40, "", dtype=object)
    exits = {10: "employment", 11: "employment", 12: "employment", 13: "training",
             14: "training", 15: "dropped_out", 16: "", 17: "moved", 30: "employment"}
    for b, reason in exits.items():
        exit_date[b] = np.datetime64("2024-05-01")
        exit_reason[b] = reason
    exit_date[17] = np.datetime64("2024-07-15")  # after the reference date
    data = survey_data_build(rows, waves=(1, 2))
    return dataclasses.replace(
        data,
        beneficiary_exit_date=exit_date,
        beneficiary_exit_reason=exit_reason.astype(str),
        wave_due_after_days=(0, 90),
        as_of=np.datetime64("2024-06-30"),
    )


def test_people_not_yet_due_are_not_counted_as_leavers():
    data = follow_up_data()
    follow = transition_follow_up(data, grid=response_grid(data), a=0, b=1)
    assert follow.answered_first == 40
    assert follow.due == 23  # 20 early starters + 3 late ones who already answered
    assert follow.answered == 13
    assert follow.not_yet_due == 17
    assert sum(follow.left.values()) == 10  # only the early starters who did not answer


def test_those_due_who_did_not_answer_are_split_by_exit_outcome():
    data = follow_up_data()
    follow = transition_follow_up(data, grid=response_grid(data), a=0, b=1)
    assert follow.left == {"still_followed": 3, "employment": 3, "training": 2,
                           "other_support": 0, "dropped_out": 1, "moved": 0, "other": 0,
                           "unknown": 1}


def test_leaving_for_a_job_or_a_training_is_a_positive_exit():
    data = follow_up_data()
    assert transition_follow_up(data, grid=response_grid(data), a=0, b=1).positive_exits == 5


def test_without_due_delays_everyone_who_started_is_due():
    data = dataclasses.replace(follow_up_data(), wave_due_after_days=())
    follow = transition_follow_up(data, grid=response_grid(data), a=0, b=1)
    assert (follow.due, follow.not_yet_due) == (40, 0)


def test_a_wave_at_exit_is_due_on_the_exit_date_instead_of_its_delay():
    # Wave 2 at exit: person 30 (late starter, left for a job on 2024-05-01) becomes due;
    # person 17 (early starter, leaves on 2024-07-15, after the reference date) is not due yet.
    data = dataclasses.replace(follow_up_data(), wave_at_exit=(False, True))
    follow = transition_follow_up(data, grid=response_grid(data), a=0, b=1)
    assert (follow.due, follow.not_yet_due) == (23, 17)
    assert follow.left == {"still_followed": 2, "employment": 4, "training": 2,
                           "other_support": 0, "dropped_out": 1, "moved": 0, "other": 0,
                           "unknown": 1}


def test_the_report_lists_attrition_per_comparison_and_keeps_the_funnel_apart():
    report = report_build(follow_up_data())
    assert report["funnel"] == report["respondents"] == {"1": 40, "1-2": 13}
    [entry] = report["attrition"]
    assert entry["waves"] == [1, 2]
    assert (entry["due"], entry["answered"], entry["not_yet_due"]) == (23, 13, 17)
    assert entry["positive_exits"] == 5
    assert entry["power"]["n_pairs"] == 13
    assert report["generated"]["as_of"] == "2024-06-30"


# --- the bias check: rank-sum tests against scipy ------------------------------------------


def test_the_rank_sum_test_matches_scipy_on_tied_ordinal_scores():
    rng = np.random.default_rng(3)
    x = rng.choice([1.0, 2.0, 3.0, 4.0], 60, p=[0.1, 0.2, 0.3, 0.4])
    y = rng.choice([1.0, 2.0, 3.0, 4.0], 45, p=[0.3, 0.3, 0.2, 0.2])
    expected = stats.mannwhitneyu(x, y, alternative="two-sided", method="asymptotic")
    result = rank_sum_test(x, y)
    assert result.statistic == pytest.approx(expected.statistic, rel=1e-12)
    assert result.p == pytest.approx(expected.pvalue, rel=1e-9)
    assert result.rank_biserial == pytest.approx(2 * expected.statistic / (60 * 45) - 1)


def test_the_rank_sum_test_matches_scipy_on_continuous_scores_with_missing_values():
    rng = np.random.default_rng(4)
    x, y = rng.normal(0.3, 1, 30), rng.normal(0, 1, 25)
    x[:3] = np.nan
    expected = stats.mannwhitneyu(x[3:], y, alternative="two-sided", method="asymptotic")
    result = rank_sum_test(x, y)
    assert (result.n_x, result.n_y) == (27, 25)
    assert result.p == pytest.approx(expected.pvalue, rel=1e-9)


def test_the_rank_sum_test_is_null_when_everyone_gave_the_same_score():
    result = rank_sum_test(np.full(5, 2.0), np.full(4, 2.0))
    assert result.p is None
    assert result.warnings == ("single_category",)


@pytest.mark.parametrize(("n_x", "n_y"), [(20, 20), (7, 5), (300, 900), (1292, 3220)])
def test_the_detectable_difference_matches_statsmodels(n_x, n_y):
    expected = TTestIndPower().solve_power(
        effect_size=None, nobs1=n_x, ratio=n_y / n_x, alpha=0.05, power=0.8)
    assert detectable_difference(n_x, n_y) == pytest.approx(expected, rel=1e-5)


def dimension_items():
    return [item_meta(f"Q{i:02d}", dimension="Estime de soi") for i in range(1, 5)]


def answers_for(level, rng):
    """Four answers around ``level`` (1..3) on the capacité scale (A=3, B=2, C=1)."""
    codes = {3: "A", 2: "B", 1: "C"}
    return [codes[int(np.clip(level + rng.integers(-1, 2) * (rng.random() < 0.3), 1, 3))]
            for _ in range(4)]


def selective_rows(*, n=300, seed=8):
    """Everyone answers wave 1; two thirds, at random, wave 2; of those, people who scored
    high at wave 2 go on to wave 3 far more often than those who scored low."""
    rng = np.random.default_rng(seed)
    rows = []
    for b in range(n):
        level = int(rng.integers(1, 4))
        rows.append((b, 1, "2024-01-01", answers_for(level, rng)))
        if rng.random() < 2 / 3:
            rows.append((b, 2, "2024-04-01", answers_for(level, rng)))
            if rng.random() < {1: 0.1, 2: 0.4, 3: 0.8}[level]:
                rows.append((b, 3, "2024-07-01", answers_for(level, rng)))
    return rows


def bias_of(report, waves):
    return next(e["bias"] for e in report["attrition"] if e["waves"] == waves)


def test_a_selective_drop_out_between_waves_two_and_three_is_flagged():
    report = report_build(survey_data_build(selective_rows(), items=dimension_items()))
    bias = bias_of(report, [2, 3])
    assert bias["verdict"] == "differs"
    assert bias["p_adjusted"] < 0.001
    assert "Estime de soi" in [t["name"] for t in bias["differing"]]
    assert bias_of(report, [1, 2])["verdict"] == "no_difference_detected"


def test_the_bias_check_uses_rank_sum_tests_on_the_earlier_wave_adjusted_within_the_transition():
    rows = selective_rows()
    items = dimension_items()
    report = report_build(survey_data_build(rows, items=items))
    score = {"A": 3.0, "B": 2.0, "C": 1.0}
    wave2 = {b: answers for b, w, _, answers in rows if w == 2}
    wave3 = {b for b, w, _, _ in rows if w == 3}
    raw = []
    for i in range(len(items)):
        x = [score[a[i]] for b, a in wave2.items() if b in wave3]
        y = [score[a[i]] for b, a in wave2.items() if b not in wave3]
        raw.append(stats.mannwhitneyu(x, y, method="asymptotic").pvalue)
    x = [np.mean([score[c] for c in a]) for b, a in wave2.items() if b in wave3]
    y = [np.mean([score[c] for c in a]) for b, a in wave2.items() if b not in wave3]
    raw.append(stats.mannwhitneyu(x, y, method="asymptotic").pvalue)
    assert bias_of(report, [2, 3])["baseline_wave"] == 2
    tests = bias_of(report, [2, 3])["tests"]
    assert [t["name"] for t in tests] == ["Q01", "Q02", "Q03", "Q04", "Estime de soi"]
    assert [t["p"] for t in tests] == pytest.approx(raw, rel=1e-9)
    assert [t["p_adjusted"] for t in tests] == pytest.approx(
        list(multipletests(raw, method="fdr_bh")[1]), rel=1e-9)


def test_seven_against_five_gives_no_verdict_but_states_what_could_be_seen():
    rows = [(b, 1, "2024-01-01", ["C" if b < 5 else "A"]) for b in range(12)]
    rows += [(b, 2, "2024-04-01", ["A"]) for b in range(5, 12)]
    bias = bias_of(report_build(survey_data_build(rows, waves=(1, 2))), [1, 2])
    assert bias["verdict"] == "too_few"
    assert (bias["n_answered"], bias["n_missing"]) == (7, 5)
    assert bias["tests"] == []
    assert bias["p_adjusted"] is None
    expected = TTestIndPower().solve_power(
        effect_size=None, nobs1=7, ratio=5 / 7, alpha=0.05, power=0.8)
    assert bias["detectable_effect"] == pytest.approx(expected, rel=1e-5)


def test_people_not_yet_due_are_not_in_the_bias_check():
    data = follow_up_data()
    bias = bias_of(report_build(data), [1, 2])
    assert (bias["n_answered"], bias["n_missing"]) == (13, 10)


def test_without_a_reference_date_the_latest_response_is_the_reference():
    data = dataclasses.replace(follow_up_data(), as_of=np.datetime64("NaT"))
    # The latest response is on 2024-06-20: the late starters are still not due.
    follow = transition_follow_up(data, grid=response_grid(data), a=0, b=1)
    assert (follow.due, follow.not_yet_due) == (23, 17)
    assert report_build(data)["generated"]["as_of"] == "2024-06-20"


def test_choices_sharing_a_score_are_tied_in_the_bias_check():
    scale = (("A", 3.0), ("B", 3.0), ("C", 1.0), ("NSP", None))
    items = [item_meta("Q01", choices=scale)]
    rng = np.random.default_rng(12)
    first = rng.choice(["A", "B", "C", "NSP"], 60, p=[0.3, 0.3, 0.3, 0.1])
    rows = [(b, 1, "2024-01-01", [code]) for b, code in enumerate(first)]
    rows += [(b, 2, "2024-04-01", ["A"]) for b in range(0, 60, 2)]
    test = bias_of(report_build(survey_data_build(rows, items=items, waves=(1, 2))),
                   [1, 2])["tests"][0]
    score = {"A": 3.0, "B": 3.0, "C": 1.0}
    x = [score[c] for b, c in enumerate(first) if b % 2 == 0 and c != "NSP"]
    y = [score[c] for b, c in enumerate(first) if b % 2 == 1 and c != "NSP"]
    expected = stats.mannwhitneyu(x, y, method="asymptotic")
    assert test["n"] == [len(x), len(y)]
    assert test["statistic"] == pytest.approx(expected.statistic)
    assert test["p"] == pytest.approx(expected.pvalue, rel=1e-9)
    assert test["mean"] == pytest.approx([np.mean(x), np.mean(y)])
