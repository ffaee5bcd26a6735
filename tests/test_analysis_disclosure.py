"""The board's report and cuts (analysis/disclosure.py), without a database."""

import copy
import datetime as dt

import numpy as np
import pytest

from analysis.disclosure import (
    board_cut_parse,
    board_cuts_allowed,
    cells_suppress,
    report_for_board,
)
from analysis.report import report_build
from analysis.synthetic import random_survey_data


def test_a_count_below_five_is_hidden_with_the_next_smallest_so_the_total_gives_neither():
    assert cells_suppress([12, 3, 9, 0]) == [12, None, None, 0]


def test_two_hidden_cells_summing_below_five_take_a_third_with_them():
    # 1 and 1 hidden under a published total: the attacker knows they sum to 2, so both are 1.
    assert cells_suppress([12, 1, 1, 20]) == [None, None, None, 20]


def test_counts_of_five_or_more_and_zeros_are_shown():
    assert cells_suppress([5, 0, 9]) == [5, 0, 9]


def test_without_a_published_total_only_the_small_counts_are_hidden():
    assert cells_suppress([12, 3, 9], total_shown=False) == [12, None, 9]


@pytest.fixture(scope="module")
def operator_report():
    return report_build(random_survey_data(120, n_items=6, seed=4))


@pytest.fixture(scope="module")
def board(operator_report):
    return report_for_board(operator_report)


def small_counts(report):
    found = []
    for item in report["items"]:
        for block in item["frequencies"]:
            for key in ("n_responses", "n_answered", "unanswered"):
                found.append(block[key])
            found += [c["count"] for c in block["choices"] + block["unscored"]]
        for comparison in item["comparisons"]:
            found += [v for pair in (comparison["independent"]["counts"] or {}).values()
                      for v in pair]
            found += [comparison["paired"][k] for k in ("n", "improved", "stable", "worsened")]
    found += list(report["respondents"].values())
    return [v for v in found if v is not None and 0 < v < 5]


def test_the_operators_report_has_small_counts_the_boards_has_none(operator_report, board):
    assert small_counts(operator_report)
    assert small_counts(board) == []


def test_the_operators_report_is_left_as_it_was(operator_report):
    before = copy.deepcopy(operator_report)
    report_for_board(operator_report)
    assert operator_report == before


def test_no_hidden_cell_follows_from_the_total_of_its_table(operator_report, board):
    checked = 0
    for item, shown in zip(operator_report["items"], board["items"], strict=True):
        for block, shown_block in zip(item["frequencies"], shown["frequencies"], strict=True):
            if shown_block["n_responses"] is None:
                continue
            true = [c["count"] for c in block["choices"] + block["unscored"]]
            true.append(block["unanswered"])
            seen = [c["count"] for c in shown_block["choices"] + shown_block["unscored"]]
            seen.append(shown_block["unanswered"])
            hidden = [t for t, s in zip(true, seen, strict=True) if s is None]
            if hidden:
                checked += 1
                assert len(hidden) >= 2
                assert sum(hidden) >= 5
    assert checked


def test_statistics_of_a_table_with_a_hidden_cell_are_withheld_with_its_label(board):
    withheld = [c["independent"] for item in board["items"] for c in item["comparisons"]
                if None in [v for pair in (c["independent"]["counts"] or {}).values()
                            for v in pair] and all((n or 0) >= 5 for n in c["independent"]["n"])]
    assert withheld
    for block in withheld:
        assert block["chi2"] is None
        assert block["p"] is None
        assert block["cramers_v"] is None
        # The label too: with the cells shown it narrows the hidden ones down
        # (tests/test_attack_board_inference.py).
        assert block["significance"] is None
        assert block["warnings"][0]["code"] == "withheld_for_privacy"


def test_a_mean_score_beside_a_hidden_count_is_withheld(board):
    blocks = [b for item in board["items"] for b in item["frequencies"]]
    assert any(b["mean_score"] is None for b in blocks
               if any(c["count"] is None for c in b["choices"]))
    assert all(b["mean_score"] is None for b in blocks
               if any(c["count"] is None for c in b["choices"] + b["unscored"]))


def test_the_board_report_says_counts_were_hidden(board):
    assert board["disclosure"]["suppressed"] > 0
    assert "counts_suppressed" in [w["code"] for w in board["warnings"]]
    assert board["warning"]


# -- the contract's new keys --------------------------------------------------------------------


def contract_report():
    return {
        "respondents": {"1": 40, "1-2": 37, "1-2-3": 20},
        "n_beneficiaries": 42,
        "items": [{"code": "Q01", "frequencies": [], "comparisons": [{
            "waves": [1, 2], "verdict": "progress", "disagreement": None,
            "independent": {"counts": {"A": [10, 20], "B": [30, 17]}, "n": [40, 37],
                            "chi2": 6.1, "p": 0.01, "exact_p": None, "significance": "S",
                            "significance_shown": "S", "cells": {"A": [None, None],
                                                                 "B": [None, None]}},
            "paired": {"n": 37, "improved": 20, "stable": 14, "worsened": 3,
                       "test": "mcnemar_exact", "p": 0.001, "p_adjusted": 0.003,
                       "mcnemar": {"b": 3, "c": 20, "p": 0.001},
                       "wilcoxon": {"statistic": 12.0, "p": 0.002, "method": "exact"}}}]}],
        "dimensions": [{"name": "Estime de soi", "scale": {"min": 1, "max": 4},
                        "waves": [{"wave": 3, "n": 4, "mean": 2.5, "ci": None,
                                   "mean_0_100": 50.0, "ci_0_100": None}],
                        "comparisons": [{"waves": [1, 2], "n": 37, "improved": 30,
                                         "stable": 5, "worsened": 2, "verdict": "progress",
                                         "improved_share": {"value": 0.81, "ci": [0.6, 0.9]},
                                         "worsened_share": {"value": 0.05, "ci": [0.01, 0.2]},
                                         "sensitivity": {"method": "ipw", "n": 3,
                                                         "mean_difference": 0.4}}]}],
        "attrition": [{"waves": [1, 2], "answered_first": 40, "due": 38, "answered": 37,
                       "not_yet_due": 2,
                       "left": {"still_followed": 0, "employment": 1, "training": 0,
                                "other_support": 0, "dropped_out": 0, "moved": 0, "other": 0,
                                "unknown": 0},
                       "positive_exits": 1,
                       "bias": {"verdict": "too_few", "n_answered": 37, "n_missing": 1,
                                "p_adjusted": None, "tests": [], "differing": []},
                       "power": {"n_pairs": 37, "power": 0.5}}],
        "funnel": {"1": 40, "1-2": 37, "1-2-3": 20},
        "outcomes": {"followed": 40, "exits": {"employment": 12, "training": 2, "moved": 0},
                     "exits_share": {"employment": {"value": 0.3, "ci": [0.2, 0.45]},
                                     "training": {"value": 0.05, "ci": [0.01, 0.16]},
                                     "moved": {"value": 0.0, "ci": [0.0, 0.09]}},
                     "situation_6_months": {"employment": 3, "unknown": 6},
                     "situation_due": 9,
                     "at_work_6_months": {"count": 3, "n": 9, "value": 0.33,
                                          "ci": [0.1, 0.6]}},
    }


def test_a_funnel_value_below_five_is_hidden_the_others_shown():
    report = contract_report()
    report["respondents"]["1-2-3"] = report["funnel"]["1-2-3"] = 4
    board = report_for_board(report)
    assert board["respondents"] == {"1": 40, "1-2": 37, "1-2-3": None}
    assert board["funnel"] == {"1": 40, "1-2": 37, "1-2-3": None}
    # 42 − 40 = 2 people answered later waves only.
    assert board["n_beneficiaries"] is None


def test_paired_changes_and_mcnemar_counts_below_five_are_hidden_with_their_p():
    paired = report_for_board(contract_report())["items"][0]["comparisons"][0]["paired"]
    assert paired["worsened"] is None
    assert paired["stable"] is None
    assert paired["improved"] == 20
    assert paired["mcnemar"] == {"b": None, "c": None, "p": None}
    assert paired["p"] is None
    assert paired["wilcoxon"]["statistic"] is None


def test_dimension_figures_of_fewer_than_five_are_withheld_and_shares_with_their_counts():
    dimension = report_for_board(contract_report())["dimensions"][0]
    assert dimension["waves"][0]["n"] is None
    assert dimension["waves"][0]["mean"] is None
    comparison = dimension["comparisons"][0]
    assert comparison["worsened"] is None
    assert comparison["worsened_share"] == {"value": None, "ci": None}
    assert comparison["verdict"] == "progress"
    assert comparison["sensitivity"]["n"] is None
    assert comparison["sensitivity"]["mean_difference"] is None


def test_attrition_counts_below_five_are_hidden_with_a_complement():
    entry = report_for_board(contract_report())["attrition"][0]
    assert entry["not_yet_due"] is None
    assert entry["due"] is None
    assert entry["left"]["employment"] is None
    assert entry["positive_exits"] is None
    assert entry["bias"]["n_missing"] is None


def test_outcomes_below_five_are_hidden_with_their_share_and_interval():
    outcomes = report_for_board(contract_report())["outcomes"]
    assert outcomes["exits"]["training"] is None
    assert outcomes["exits_share"]["training"] == {"value": None, "ci": None}
    assert outcomes["exits"]["moved"] == 0
    assert outcomes["situation_6_months"]["employment"] is None
    assert outcomes["at_work_6_months"] == {"count": None, "n": None, "value": None,
                                            "ci": None}


def test_a_report_without_the_new_sections_is_accepted():
    board = report_for_board({"respondents": {"1": 3}, "items": []})
    assert board["respondents"] == {"1": None}


# -- the board's cuts ---------------------------------------------------------------------------


def people(spec):
    """Arrays from (entry date, programme, waves answered) triples."""
    dates = np.array([np.datetime64(d) for d, _p, _w in spec], dtype="datetime64[D]")
    programmes = np.array([p for _d, p, _w in spec])
    present = np.array([[w <= waves for w in (1, 2)] for _d, _p, waves in spec])
    return {"cohort_dates": dates, "programmes": programmes, "present": present,
            "pairs": [(0, 1)]}


def keys(cuts):
    return [c.key for c in cuts]


def test_a_semester_that_differs_from_its_year_by_three_people_is_not_offered():
    spec = ([("2024-02-01", "A", 2)] * 20 + [("2024-09-01", "A", 2)] * 3
            + [("2023-03-01", "A", 2)] * 20)
    offered = keys(board_cuts_allowed(**people(spec)))
    assert "2024" in offered
    assert "2023" in offered
    assert "2024-S1" not in offered
    assert "2024-S2" not in offered


def test_a_cut_that_differs_from_the_whole_by_two_people_at_the_second_wave_is_not_offered():
    spec = ([("2024-02-01", "A", 2)] * 20 + [("2023-03-01", "A", 1)] * 18
            + [("2023-03-01", "A", 2)] * 2)
    offered = keys(board_cuts_allowed(**people(spec)))
    # 2024 vs the whole history: 20 people at wave 1 apart, but 2 at wave 2.
    assert "" in offered
    assert "2024" not in offered
    assert "2023" not in offered


def test_the_programmes_left_out_must_hold_five_people_or_none():
    spec = ([("2024-02-01", "A", 2)] * 20 + [("2024-02-01", "B", 2)] * 12
            + [("2024-02-01", "C", 2)] * 3)
    offered = keys(board_cuts_allowed(**people(spec)))
    # C (3 people) is not offered, and the whole minus A and B would give it: B goes too.
    assert "programme:C" not in offered
    assert "programme:B" not in offered
    assert "programme:A" in offered


def test_a_cut_key_names_its_months():
    cut = board_cut_parse("2025-S2")
    assert (cut.start, cut.end) == (dt.date(2025, 7, 1), dt.date(2025, 12, 31))
    assert board_cut_parse("2025-S3") is None
    assert board_cut_parse("programme:Orientation").programme == "Orientation"
