"""Attrition funnel, attrition-bias check and power, against scipy/statsmodels."""

import math

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import TTestPower

from analysis.attrition import (
    attrition_bias,
    min_detectable_dz,
    pairs_needed,
    respondents_funnel,
    sample_power,
)
from analysis.synthetic import item_meta, survey_data_build

ITEMS = [item_meta("Q01"), item_meta("Q02")]


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


def biased_rows():
    """40 people in wave 1; the 20 who answered wave 2 had started higher on Q01."""
    rng = np.random.default_rng(5)
    rows, wave1 = [], {}
    for b in range(40):
        stays = b < 20
        q01 = rng.choice(["A", "A", "A", "B"] if stays else ["B", "C", "C", "NSP"])
        q02 = rng.choice(["A", "B", "C"])
        wave1[b] = (stays, q01, q02)
        rows.append((b, 1, "2024-01-01", [q01, q02]))
        if stays:
            rows.append((b, 2, "2024-04-01", ["A", "A"]))
    gender = ["F" if b % 2 else "M" for b in range(40)]
    return rows, wave1, gender


def reference_p(wave1, position, codes):
    table = np.array(
        [
            [
                sum(1 for s, *answers in wave1.values() if s == stays and answers[position] == code)
                for stays in (True, False)
            ]
            for code in codes
        ]
    )
    table = table[table.sum(axis=1) > 0]
    return stats.chi2_contingency(table, correction=False).pvalue


def test_it_flags_an_item_on_which_leavers_differed():
    rows, _wave1, gender = biased_rows()
    data = survey_data_build(rows, items=ITEMS, waves=(1, 2), segments={"gender": gender})
    result = attrition_bias(data)
    assert result.verdict == "possible_bias"
    assert (result.n_stayed, result.n_left) == (20, 20)
    assert [(t.kind, t.name) for t in result.differing] == [("item", "Q01")]


def test_its_attrition_p_values_are_chi_squares_adjusted_together():
    rows, wave1, gender = biased_rows()
    data = survey_data_build(rows, items=ITEMS, waves=(1, 2), segments={"gender": gender})
    codes = ["A", "B", "C", "NSP"]
    gender_table = [
        [
            sum(1 for b in range(20) if gender[b] == g),
            sum(1 for b in range(20, 40) if gender[b] == g),
        ]
        for g in ("F", "M")
    ]
    raw = [
        reference_p(wave1, 0, codes),
        reference_p(wave1, 1, codes),
        stats.chi2_contingency(gender_table, correction=False).pvalue,
    ]
    result = attrition_bias(data)
    assert [t.name for t in result.tests] == ["Q01", "Q02", "gender"]
    assert [t.p for t in result.tests] == pytest.approx(raw, rel=1e-9)
    assert [t.p_adjusted for t in result.tests] == pytest.approx(
        list(multipletests(raw, method="fdr_bh")[1]), rel=1e-9
    )


def test_it_finds_no_evidence_when_leavers_answered_alike():
    rows = []
    for b in range(40):
        rows.append((b, 1, "2024-01-01", ["ABC"[b % 3], "ABC"[b % 3]]))
        if b % 2:
            rows.append((b, 2, "2024-04-01", ["A", "A"]))
    result = attrition_bias(survey_data_build(rows, items=ITEMS, waves=(1, 2)))
    assert result.verdict == "no_evidence_of_bias"
    assert result.differing == ()


def test_it_says_data_are_insufficient_when_nobody_left():
    rows = [(b, w, "2024-01-01", ["A", "B"]) for b in range(10) for w in (1, 2)]
    result = attrition_bias(survey_data_build(rows, items=ITEMS, waves=(1, 2)))
    assert result.verdict == "insufficient_data"
    assert result.warnings == ("too_few_in_group",)


def test_it_says_data_are_insufficient_when_no_test_can_be_computed():
    rows = [(b, 1, "2024-01-01", ["A", None]) for b in range(10)]
    rows += [(b, 2, "2024-04-01", ["A", None]) for b in range(5)]
    result = attrition_bias(survey_data_build(rows, items=ITEMS, waves=(1, 2)))
    assert result.verdict == "insufficient_data"


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
