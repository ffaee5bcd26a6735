"""The impact report (formats.md §3): shape, seed figure, wiring, thin data and filters."""

import json
from collections import Counter

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.contingency_tables import SquareTable
from statsmodels.stats.multitest import multipletests

from analysis.report import report_build, survey_data_filter
from analysis.synthetic import (
    item_meta,
    random_survey_data,
    survey_data_build,
    survey_data_from_counts,
)
from tests.seed_figures import assert_is_the_seed_chi_square

ITEMS = [item_meta("Q01"), item_meta("Q02", dimension="Mobilité")]


@pytest.fixture(scope="module")
def random_data():
    return random_survey_data(300, n_items=4, seed=11)


@pytest.fixture(scope="module")
def random_report(random_data):
    return report_build(random_data)


def seed_report():
    return report_build(survey_data_from_counts({1: [7, 39, 7], 2: [29, 24, 3]}))


def walk(value):
    """Every value nested in a JSON-like structure."""
    yield value
    if isinstance(value, dict):
        for v in value.values():
            yield from walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from walk(v)


# --- shape ------------------------------------------------------------------


def test_the_report_has_the_keys_of_the_contract(random_report):
    assert {"questionnaire", "respondents", "items"} <= random_report.keys()
    assert random_report["respondents"].keys() == {"1", "1-2", "1-2-3"}
    item = random_report["items"][0]
    assert {"code", "dimension", "comparisons"} <= item.keys()
    comparison = item["comparisons"][0]
    assert {"waves", "independent", "paired"} <= comparison.keys()
    assert {"counts", "n", "chi2", "dof", "p", "significance", "cells"} <= (
        comparison["independent"].keys()
    )
    paired = comparison["paired"]
    assert {"n", "improved", "stable", "worsened", "marginal_homogeneity", "wilcoxon"} <= (
        paired.keys()
    )
    assert {"test", "statistic", "dof", "p"} <= paired["marginal_homogeneity"].keys()
    assert paired["marginal_homogeneity"]["test"] == "stuart-maxwell"
    assert {"statistic", "p"} <= paired["wilcoxon"].keys()


def test_the_report_is_plain_json(random_report):
    text = json.dumps(random_report, allow_nan=False)
    assert json.loads(text) == random_report
    allowed = (dict, list, str, int, float, bool, type(None))
    assert all(type(v) in allowed for v in walk(random_report))


def test_the_report_is_the_same_every_time(random_data, random_report):
    assert json.dumps(report_build(random_data)) == json.dumps(random_report)


def test_three_waves_are_compared_pairwise_and_first_to_last(random_report):
    waves = [c["waves"] for c in random_report["items"][0]["comparisons"]]
    assert waves == [[1, 2], [2, 3], [1, 3]]


def test_two_waves_are_compared_once():
    report = seed_report()
    assert [c["waves"] for c in report["items"][0]["comparisons"]] == [[1, 2]]


# --- figures ----------------------------------------------------------------


def test_the_report_reproduces_the_seed_figure():
    independent = seed_report()["items"][0]["comparisons"][0]["independent"]
    assert_is_the_seed_chi_square(independent)


def test_independent_counts_match_a_count_of_the_raw_answers(random_data, random_report):
    item = 2
    codes = random_data.items[item].choices.codes
    for comparison in random_report["items"][item]["comparisons"]:
        a, b = comparison["waves"]
        expected = {}
        for column, wave in enumerate((a, b)):
            answers = random_data.answers[random_data.response_wave == wave, item]
            for choice, count in Counter(answers[answers >= 0].tolist()).items():
                expected.setdefault(codes[choice], [0, 0])[column] = count
        assert comparison["independent"]["counts"] == dict(
            sorted(expected.items(), key=lambda kv: codes.index(kv[0]))
        )
        table = np.array(list(expected.values()))
        reference = stats.chi2_contingency(table, correction=False)
        assert comparison["independent"]["chi2"] == pytest.approx(reference.statistic)


def naive_pairs(data, item, wave_a, wave_b):
    """(choice a, choice b) of each beneficiary with a scored answer in both waves."""
    scores = data.items[item].choices.scores
    answer = {}
    for r in range(data.response_beneficiary.size):
        answer[(int(data.response_beneficiary[r]), int(data.response_wave[r]))] = int(
            data.answers[r, item]
        )
    pairs = []
    for (beneficiary, wave), a in answer.items():
        b = answer.get((beneficiary, wave_b))
        if wave != wave_a or b is None or min(a, b) < 0:
            continue
        if not (np.isnan(scores[a]) or np.isnan(scores[b])):
            pairs.append((a, b))
    return pairs


def test_paired_figures_match_a_naive_pairing_of_beneficiaries(random_data, random_report):
    item = 1
    scores = random_data.items[item].choices.scores
    scored = np.flatnonzero(~np.isnan(scores))
    for comparison in random_report["items"][item]["comparisons"]:
        pairs = naive_pairs(random_data, item, *comparison["waves"])
        diff = np.array([scores[b] - scores[a] for a, b in pairs])
        paired = comparison["paired"]
        assert paired["n"] == len(pairs)
        assert (paired["improved"], paired["stable"], paired["worsened"]) == (
            int((diff > 0).sum()),
            int((diff == 0).sum()),
            int((diff < 0).sum()),
        )
        table = np.zeros((scored.size, scored.size))
        for a, b in pairs:
            table[a, b] += 1  # scored choices come first on this scale
        reference = SquareTable(table, shift_zeros=False).homogeneity(method="stuart_maxwell")
        assert paired["marginal_homogeneity"]["statistic"] == pytest.approx(reference.statistic)
        assert paired["marginal_homogeneity"]["dof"] == reference.df
        wilcoxon = stats.wilcoxon(diff)
        assert paired["wilcoxon"]["statistic"] == pytest.approx(wilcoxon.statistic)
        nonzero = diff[diff != 0]
        if nonzero.size > 50:
            assert paired["wilcoxon"]["method"] == "normal"
            assert paired["wilcoxon"]["p"] == pytest.approx(wilcoxon.pvalue, rel=1e-9)
        else:  # exact over sign flips: checked against scipy's random sign flips
            ranks = stats.rankdata(np.abs(nonzero))
            flips = stats.permutation_test(
                (nonzero,),
                lambda d, ranks=ranks: ranks[d > 0].sum(),
                permutation_type="samples",
                n_resamples=20_000,
                rng=np.random.default_rng(0),
            )
            assert paired["wilcoxon"]["method"] == "exact"
            assert paired["wilcoxon"]["p"] == pytest.approx(flips.pvalue, abs=0.02)


def test_a_sparse_item_is_labelled_from_fishers_p_in_the_report():
    yes_no = (("O", 1.0), ("N", 0.0))
    report = report_build(survey_data_from_counts({1: [1, 6], 2: [7, 4]}, choices=yes_no))
    independent = report["items"][0]["comparisons"][0]["independent"]
    fisher = stats.fisher_exact([[1, 7], [6, 4]]).pvalue
    assert independent["significance"] == "S"  # Pearson's, as survey tools print it
    assert independent["exact_method"] == "fisher"
    assert independent["exact_p"] == pytest.approx(fisher)
    assert independent["significance_shown"] == "PS"


def test_dont_know_counts_in_the_independent_test_but_not_in_pairs():
    rows = [(b, 1, "2024-01-01", ["NSP" if b < 3 else "A"]) for b in range(10)]
    rows += [(b, 2, "2024-04-01", ["B"]) for b in range(10)]
    comparison = report_build(survey_data_build(rows, waves=(1, 2)))["items"][0]["comparisons"][0]
    assert comparison["independent"]["counts"] == {"A": [7, 0], "B": [0, 10], "NSP": [3, 0]}
    assert comparison["paired"]["n"] == 7


def test_p_values_are_adjusted_across_the_report(random_report):
    independent = [c["independent"] for i in random_report["items"] for c in i["comparisons"]]
    paired = [c["paired"] for i in random_report["items"] for c in i["comparisons"]]
    for tests in (independent, paired):
        expected = multipletests([t["p"] for t in tests], method="fdr_bh")[1]
        assert [t["p_adjusted"] for t in tests] == pytest.approx(list(expected))


def test_the_attrition_section_follows_the_comparisons_and_sizes_the_pairs(
    random_data, random_report
):
    attrition = random_report["attrition"]
    assert random_report["funnel"] == random_report["respondents"]
    assert [e["waves"] for e in attrition] == [[1, 2], [2, 3], [1, 3]]
    assert {e["bias"]["verdict"] for e in attrition} <= {"differs", "no_difference_detected"}
    first_last = attrition[2]["power"]
    assert first_last["waves"] == [1, 3]
    both = set(random_data.response_beneficiary[random_data.response_wave == 1].tolist()) & set(
        random_data.response_beneficiary[random_data.response_wave == 3].tolist()
    )
    assert first_last["n_pairs"] == len(both)


def test_dimensions_report_the_paired_evolution_of_their_mean_scores(random_report):
    dimension = random_report["dimensions"][0]
    assert dimension["items"] == ["Q01"]  # random data: one dimension per item here
    comparison = dimension["comparisons"][0]
    assert {"n", "mean_a", "mean_b", "mean_difference", "ci", "p"} <= comparison.keys()
    assert comparison["ci"][0] <= comparison["mean_difference"] <= comparison["ci"][1]


# --- thin data ----------------------------------------------------------------


def only_comparison(report, item=0):
    return report["items"][item]["comparisons"][0]


def test_an_item_everyone_answers_the_same_has_null_tests_and_warnings():
    rows = [(b, w, "2024-01-01", ["B", "A" if b % 2 else "C"]) for b in range(8) for w in (1, 2)]
    comparison = only_comparison(report_build(survey_data_build(rows, items=ITEMS, waves=(1, 2))))
    assert comparison["independent"]["counts"] == {"B": [8, 8]}
    assert comparison["independent"]["chi2"] is None
    assert comparison["independent"]["warnings"][0]["code"] == "single_category"
    assert comparison["independent"]["warning"]
    assert comparison["paired"]["stable"] == 8
    assert comparison["paired"]["marginal_homogeneity"]["statistic"] is None
    assert comparison["paired"]["wilcoxon"]["p"] is None
    assert comparison["paired"]["wilcoxon"]["warning"]


def test_an_item_nobody_answered_has_no_counts_and_null_tests():
    rows = [(b, w, "2024-01-01", [None, "A"]) for b in range(8) for w in (1, 2)]
    report = report_build(survey_data_build(rows, items=ITEMS, waves=(1, 2)))
    comparison = only_comparison(report)
    assert comparison["independent"]["counts"] == {}
    assert comparison["independent"]["n"] == [0, 0]
    assert comparison["independent"]["p"] is None
    assert comparison["paired"]["n"] == 0
    assert report["items"][0]["frequencies"][0]["unanswered"] == 8
    json.dumps(report, allow_nan=False)


def test_a_wave_nobody_reached_gives_null_comparisons_and_a_warning():
    rows = [(b, w, "2024-01-01", ["A" if w == 2 else "C", "B"]) for b in range(8) for w in (1, 2)]
    report = report_build(survey_data_build(rows, items=ITEMS, waves=(1, 2, 3)))
    assert report["respondents"] == {"1": 8, "1-2": 8, "1-2-3": 0}
    assert report["warnings"][0]["code"] == "wave_not_reached"
    for comparison in report["items"][0]["comparisons"][1:]:  # [2, 3] and [1, 3]
        assert comparison["independent"]["chi2"] is None
        assert comparison["independent"]["warnings"][0]["code"] == "empty_wave"
        assert comparison["paired"]["n"] == 0
    assert report["attrition"][2]["power"]["n_pairs"] == 0
    json.dumps(report, allow_nan=False)


def test_a_questionnaire_without_responses_does_not_crash():
    data = survey_data_build([], items=ITEMS, waves=(1, 2, 3))
    report = report_build(data, min_group=0)
    assert report["respondents"] == {"1": 0, "1-2": 0, "1-2-3": 0}
    assert report["warnings"][0]["code"] == "no_responses"
    assert report["items"][0]["comparisons"][0]["independent"]["warnings"][0]["code"] == (
        "no_answers"
    )
    assert {e["bias"]["verdict"] for e in report["attrition"]} == {"too_few"}
    json.dumps(report, allow_nan=False)


# --- small groups and filters ------------------------------------------------


def test_a_small_group_gets_the_structure_without_any_figure():
    rows = [(b, w, "2024-01-01", ["A", "B"]) for b in range(4) for w in (1, 2)]
    report = report_build(survey_data_build(rows, items=ITEMS, waves=(1, 2)), min_group=5)
    assert "group_too_small" in [w["code"] for w in report["warnings"]]
    assert report["respondents"] == {"1": None, "1-2": None}
    assert report["n_beneficiaries"] is None
    comparison = only_comparison(report)
    assert comparison["waves"] == [1, 2]
    assert comparison["verdict"] == "too_few"
    assert comparison["independent"]["counts"] is None
    assert comparison["paired"]["n"] is None
    assert report["items"][0]["frequencies"] == []
    assert report["attrition"] is None


def test_the_small_group_threshold_counts_wave_one_respondents():
    rows = [(b, 1, "2024-01-01", ["A", "B"]) for b in range(5)]
    report = report_build(survey_data_build(rows, items=ITEMS, waves=(1, 2)), min_group=5)
    assert report["respondents"]["1"] == 5


def dated_rows():
    return [
        (0, 1, "2024-01-01", ["A", "A"]),
        (1, 1, "2024-02-15", ["B", "B"]),
        (1, 2, "2024-05-15", ["A", "A"]),
        (2, 1, "2024-03-31", ["C", "C"]),
    ]


def test_the_period_filter_keeps_every_wave_of_the_people_who_entered_within_it():
    data = survey_data_build(dated_rows(), items=ITEMS, waves=(1, 2))
    kept = survey_data_filter(data, cohort_from="2024-02-15", cohort_to="2024-03-31")
    # Person 1 entered on 15/02 and answered wave 2 in May, after the period: the pair stays.
    assert kept.response_beneficiary.tolist() == [1, 1, 2]
    assert kept.response_wave.tolist() == [1, 2, 1]
    assert kept.answers.tolist() == data.answers[[1, 2, 3]].tolist()


def test_the_period_filter_leaves_out_people_who_entered_outside_it():
    data = survey_data_build(dated_rows(), items=ITEMS, waves=(1, 2))
    kept = survey_data_filter(data, cohort_from="2024-05-01")
    # Person 1's wave-2 answer falls in the period but their entry does not.
    assert kept.response_beneficiary.tolist() == []


def test_the_segment_filter_keeps_beneficiaries_matching_every_segment():
    segments = {"counsellor": ["12", "12", "7"], "programme": ["Formation", "Emploi", "Formation"]}
    data = survey_data_build(dated_rows(), items=ITEMS, waves=(1, 2), segments=segments)
    kept = survey_data_filter(data, segments={"counsellor": "12", "programme": "Formation"})
    assert kept.response_beneficiary.tolist() == [0]
    assert survey_data_filter(data, segments={"unknown": "x"}).answers.shape[0] == 0
